"""L'évolution d'une campagne à l'autre : pour chaque campagne (par date, puis nom), la part des
établissements conformes et la conformité moyenne, par région, par catégorie et par règle ; les
établissements qui ne répondent plus.

Mêmes définitions que les agrégats d'un lot (docs/lot.md) : sur les établissements **évalués** ; taux
d'une règle = conformes / (évalués − non applicables), une dérogation n'étant pas une conformité ; taux
arrondis à 4 décimales. Un établissement « ne répond plus » à une campagne s'il figurait (évalué ou
non) à la précédente et n'y figure pas ; il est cité à la première campagne où il manque.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from verificateur.observatoire.store import STATUTS, Observatoire
from verificateur.socle.problemes import ErreurVerificateur

FORMAT = "verificateur/observatoire-evolution/1"
INCONNUE = "inconnue"


@dataclass(frozen=True)
class Filtres:
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    regles: tuple[str, ...] = ()

    def sql(self, alias: str = "e") -> tuple[str, list[str]]:
        """La condition SQL (paramétrée, jamais de texte de l'utilisateur dans la requête) sur les établissements."""
        conditions, valeurs = [], []
        for colonne, choisis in (("region", self.regions), ("categorie", self.categories)):
            if choisis:
                conditions.append(f"coalesce({alias}.{colonne}, '{INCONNUE}') IN ({', '.join('?' for _ in choisis)})")
                valeurs += list(choisis)
        return (" AND " + " AND ".join(conditions)) if conditions else "", valeurs

    def en_dict(self) -> dict[str, list[str]]:
        return {"regions": list(self.regions), "categories": list(self.categories), "regles": list(self.regles)}


def taux(numerateur: int, denominateur: int) -> float | None:
    return round(numerateur / denominateur, 4) if denominateur else None


@dataclass
class _Groupe:
    evalues: int = 0
    conformes: int = 0
    somme_taux: float = 0.0

    def ajouter(self, statut_global: str | None, taux_conformite: float | None) -> None:
        self.evalues += 1
        self.conformes += statut_global == "conforme"
        self.somme_taux += taux_conformite or 0.0

    def en_dict(self) -> dict[str, Any]:
        return {"evalues": self.evalues, "conformes": self.conformes,
                "taux_etablissements_conformes": taux(self.conformes, self.evalues),
                "taux_conformite_moyen": round(self.somme_taux / self.evalues, 4) if self.evalues else None}


@dataclass
class _Campagne:
    id: int
    nom: str
    date_evaluation: str
    presents: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    ensemble: _Groupe = field(default_factory=_Groupe)
    echecs: int = 0


def campagnes_ordonnees(c: sqlite3.Connection) -> list[tuple[int, str, str]]:
    return list(c.execute("SELECT id, nom, date_evaluation FROM campagnes ORDER BY date_evaluation, nom"))


def titres_des_regles(c: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """règle → (titre, gravité), ceux du lot le plus récent qui la cite."""
    return {regle: (titre, gravite) for regle, titre, gravite in c.execute(
        "SELECT r.regle, r.titre, r.gravite FROM regles r JOIN lots l ON l.id = r.lot "
        "JOIN campagnes c ON c.id = l.campagne ORDER BY c.date_evaluation, c.nom, l.id")}


def evolution(obs: Observatoire, filtres: Filtres) -> dict[str, Any]:
    condition, valeurs = filtres.sql()
    with obs.lecture() as c:
        campagnes = [_Campagne(i, n, d) for i, n, d in campagnes_ordonnees(c)]
        if not campagnes:
            raise ErreurVerificateur(f"{obs.chemin}: aucune campagne enregistrée")
        regions, categories = _lire_etablissements(c, campagnes, condition, valeurs)
        regles = _lire_resultats(c, filtres, condition, valeurs)
        titres = titres_des_regles(c)
    inconnues = sorted(set(filtres.regles) - set(titres))
    if inconnues:
        raise ErreurVerificateur(f"--regle : règle(s) jamais évaluée(s) dans cet observatoire : {', '.join(inconnues)}")
    ne_repondent_plus = _ne_repondent_plus(campagnes)
    absents_par_campagne = Counter(n["campagne"] for n in ne_repondent_plus)
    return {
        "format": FORMAT,
        "filtres": filtres.en_dict(),
        "campagnes": [{"nom": camp.nom, "date_evaluation": camp.date_evaluation, "etablissements": len(camp.presents),
                       "echecs": camp.echecs, **camp.ensemble.en_dict(),
                       "ne_repondent_plus": absents_par_campagne[camp.nom]}
                      for camp in campagnes],
        "par_region": _groupes(regions, campagnes),
        "par_categorie": _groupes(categories, campagnes),
        "par_regle": [_par_regle(r, regles[r], titres, campagnes) for r in sorted(regles)],
        "ne_repondent_plus": ne_repondent_plus,
    }


_Groupes = dict[str, dict[int, _Groupe]]  # région ou catégorie → campagne → groupe


def _lire_etablissements(c: sqlite3.Connection, campagnes: list[_Campagne], condition: str,
                         valeurs: list[str]) -> tuple[_Groupes, _Groupes]:
    """Chaque établissement (filtré) compté dans sa campagne, sa région et sa catégorie ; un établissement
    non évalué n'est compté que comme présent et en échec (les taux portent sur les évalués)."""
    par_id = {camp.id: camp for camp in campagnes}
    regions: _Groupes = {}
    categories: _Groupes = {}
    for campagne, cle, finess, raison, region, categorie, etat, statut_global, taux_conformite in c.execute(
            "SELECT campagne, cle, finess, raison_sociale, region, categorie, etat, statut_global, taux_conformite "
            f"FROM etablissements e WHERE 1{condition}", valeurs):
        camp = par_id[campagne]
        camp.presents[cle] = (finess, raison, region, categorie)
        if etat != "evalue":
            camp.echecs += 1
            continue
        camp.ensemble.ajouter(statut_global, taux_conformite)
        regions.setdefault(region or INCONNUE, {}).setdefault(campagne, _Groupe()).ajouter(statut_global, taux_conformite)
        categories.setdefault(categorie or INCONNUE, {}).setdefault(campagne, _Groupe()).ajouter(statut_global, taux_conformite)
    return regions, categories


def _lire_resultats(c: sqlite3.Connection, filtres: Filtres, condition: str,
                    valeurs: list[str]) -> dict[str, dict[int, dict[str, int]]]:
    """règle → campagne → statut → nombre d'établissements (filtrés), compté par la base en une requête."""
    condition_regle = ""
    valeurs_regle = list(valeurs)
    if filtres.regles:
        condition_regle = f" AND r.regle IN ({', '.join('?' for _ in filtres.regles)})"
        valeurs_regle += list(filtres.regles)
    regles: dict[str, dict[int, dict[str, int]]] = {}
    for campagne, regle, statut, n in c.execute(
            "SELECT e.campagne, r.regle, r.statut, count(*) FROM resultats r JOIN etablissements e ON e.id = r.etablissement "
            f"WHERE 1{condition}{condition_regle} GROUP BY e.campagne, r.regle, r.statut", valeurs_regle):
        regles.setdefault(regle, {}).setdefault(campagne, dict.fromkeys(STATUTS, 0))[statut] = n
    return regles


def _ne_repondent_plus(campagnes: list[_Campagne]) -> list[dict[str, Any]]:
    """Les établissements présents à une campagne et absents de la suivante, cités à la première où ils manquent."""
    absents = []
    for precedente, camp in zip(campagnes, campagnes[1:]):
        for cle in sorted(set(precedente.presents) - set(camp.presents)):
            finess, raison, region, categorie = precedente.presents[cle]
            absents.append({"campagne": camp.nom, "derniere_reponse": precedente.nom, "cle": cle, "finess": finess,
                            "raison_sociale": raison, "region": region, "categorie": categorie})
    return absents


def _groupes(table: _Groupes, campagnes: list[_Campagne]) -> list[dict[str, Any]]:
    # Chaque groupe a une ligne par campagne, même vide : les séries se lisent côte à côte.
    return [{"cle": cle, "campagnes": [{"campagne": camp.nom, **table[cle].get(camp.id, _Groupe()).en_dict()} for camp in campagnes]}
            for cle in sorted(table)]


def _par_regle(regle: str, par_campagne: dict[int, dict[str, int]], titres: dict[str, tuple[str, str]],
               campagnes: list[_Campagne]) -> dict[str, Any]:
    titre, gravite = titres.get(regle, ("", ""))
    lignes = []
    for camp in campagnes:
        statuts = par_campagne.get(camp.id, dict.fromkeys(STATUTS, 0))
        evalues = sum(statuts.values())
        applicables = evalues - statuts["non_applicable"]
        lignes.append({"campagne": camp.nom, "evalues": evalues, "applicables": applicables, "conformes": statuts["conforme"],
                       "taux_conformite": taux(statuts["conforme"], applicables), "statuts": statuts})
    return {"regle": regle, "titre": titre, "gravite": gravite, "campagnes": lignes}


def derniers_rapports(obs: Observatoire, filtres: Filtres) -> list[dict[str, Any]]:
    """Les établissements de la dernière campagne (filtrés), avec le chemin de leur dernier rapport HTML
    connu (celui de la campagne la plus récente qui en a un)."""
    condition, valeurs = filtres.sql()
    with obs.lecture() as c:
        ordre = campagnes_ordonnees(c)
        if not ordre:
            return []
        rang = {i: k for k, (i, _, _) in enumerate(ordre)}
        derniere = ordre[-1][0]
        rapports: dict[str, tuple[int, str]] = {}
        for campagne, cle, rapport in c.execute(
                f"SELECT campagne, cle, rapport FROM etablissements e WHERE rapport IS NOT NULL{condition}", valeurs):
            if cle not in rapports or rang[campagne] > rapports[cle][0]:
                rapports[cle] = (rang[campagne], rapport)
        lignes = []
        for cle, finess, raison, region, categorie, etat, statut_global, taux_conformite in c.execute(
                "SELECT cle, finess, raison_sociale, region, categorie, etat, statut_global, taux_conformite "
                f"FROM etablissements e WHERE campagne = ?{condition} ORDER BY coalesce(finess, ''), cle", [derniere, *valeurs]):
            lignes.append({"cle": cle, "finess": finess, "raison_sociale": raison, "region": region, "categorie": categorie,
                           "etat": etat, "statut_global": statut_global, "taux_conformite": taux_conformite,
                           "rapport": rapports.get(cle, (0, None))[1]})
    return lignes
