"""Les agrégats d'un lot : fonctions pures sur les entrées d'établissements du contrat
« verificateur/lot/2 » (docs/lot.md). Aucune lecture, aucun processus : testées seules
(tests/test_agregats.py), appelées à l'identique par `lot` et par `lot fusionner`.

Conventions (les mêmes que le rapport d'un établissement) :
- un établissement compte s'il est `evalue` ; un dépôt en `echec` n'entre dans aucun taux ;
- taux de conformité d'une règle = conformes / (évalués − non applicables) : une dérogation n'est
  pas une conformité (CONCEPTION §3) ; None si la règle ne s'applique nulle part ;
- échec d'une règle = non_conforme + preuve_manquante + erreur (la dérogation est comptée à part) ;
- les taux sont arrondis à 4 décimales, les listes triées : le résultat ne dépend que des entrées.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from verificateur.evaluation import ECHECS, STATUTS

LIMITE_CLASSEMENT = 10
INCONNUE = "inconnue"  # clé d'un établissement sans région ou sans catégorie


def _taux(numerateur: int, denominateur: int) -> float | None:
    return round(numerateur / denominateur, 4) if denominateur else None


def _moyenne(valeurs: list[float]) -> float | None:
    return round(sum(valeurs) / len(valeurs), 4) if valeurs else None


def _conforme(e: dict[str, Any]) -> bool:
    return e["synthese"]["statut_global"] == "conforme"


class _Groupe:
    """Les comptes d'un groupe (une région, une catégorie), accumulés entrée par entrée."""

    def __init__(self) -> None:
        self.evalues = self.conformes = self.echeances = 0
        self.taux: list[float] = []  # dans l'ordre des entrées : la moyenne est celle d'une liste (mêmes arrondis)
        self.statuts = {s: 0 for s in STATUTS}

    def ajouter(self, e: dict[str, Any]) -> None:
        self.evalues += 1
        self.conformes += _conforme(e)
        self.taux.append(e["synthese"]["taux_conformite"])
        for statut in e["resultats"].values():
            self.statuts[statut] += 1
        self.echeances += e.get("echeances_90_jours") or 0

    def ligne(self, nom: str) -> dict[str, Any]:
        return {
            "cle": nom,
            "evalues": self.evalues,
            "conformes": self.conformes,
            "non_conformes": self.evalues - self.conformes,
            "taux_etablissements_conformes": _taux(self.conformes, self.evalues),
            "taux_conformite_moyen": _moyenne(self.taux),
            "statuts": self.statuts,
            # Les règles qui seraient en échec dans les 90 jours, si rien n'est commité (docs/echeances.md).
            "echeances_90_jours": self.echeances,
        }


class Agregateur:
    """La synthèse et les agrégats d'un lot, en un seul passage sur ses entrées (dans l'ordre du lot) :
    rien de chaque entrée n'est gardé que des comptes, les taux (pour les moyennes) et les
    `limite` établissements les plus en difficulté ; les entrées peuvent être relues du disque une à une."""

    def __init__(self, regles: list[dict[str, Any]], limite: int = LIMITE_CLASSEMENT):
        self.regles, self.limite = regles, limite
        self.depots = 0
        self.groupe = _Groupe()  # tous les établissements évalués
        self.groupes: dict[str, dict[str, _Groupe]] = {"region": {}, "categorie": {}}
        self.par_regle = {r["regle"]: {s: 0 for s in STATUTS} for r in regles}
        self.difficulte: list[dict[str, Any]] = []
        self.echecs: list[dict[str, Any]] = []

    def ajouter(self, e: dict[str, Any]) -> None:
        self.depots += 1
        if e["etat"] != "evalue":
            self.echecs.append({"chemin": e["chemin"], "raison": e.get("raison")})  # les « echecs » du contrat
            return
        self.groupe.ajouter(e)
        for champ, groupes in self.groupes.items():
            groupes.setdefault(str(e.get(champ) or INCONNUE), _Groupe()).ajouter(e)
        for regle, statut in e["resultats"].items():
            if regle in self.par_regle:
                self.par_regle[regle][statut] += 1
        echecs = sum(1 for statut in e["resultats"].values() if statut in ECHECS)
        if echecs:
            self.difficulte.append({"chemin": e["chemin"], "finess": e.get("finess"), "raison_sociale": e.get("raison_sociale"),
                                    "taux_conformite": e["synthese"]["taux_conformite"], "echecs": echecs})
            if len(self.difficulte) > 4 * self.limite:  # l'ordre est total (le chemin départage) : garder les premiers suffit
                self.difficulte = self._classer()

    def _classer(self) -> list[dict[str, Any]]:
        return sorted(self.difficulte, key=lambda l: (l["taux_conformite"], -l["echecs"], l["finess"] or "", l["chemin"]))[: self.limite]

    def synthese(self) -> dict[str, Any]:
        """Les comptes du lot ; `taux_conformite_moyen` : moyenne des taux des établissements évalués."""
        return {
            "depots": self.depots,
            "evalues": self.groupe.evalues,
            "echecs": self.depots - self.groupe.evalues,
            "conformes": self.groupe.conformes,
            "non_conformes": self.groupe.evalues - self.groupe.conformes,
            "taux_conformite_moyen": _moyenne(self.groupe.taux),
        }

    def lignes(self, champ: str) -> list[dict[str, Any]]:
        return [groupe.ligne(nom) for nom, groupe in sorted(self.groupes[champ].items())]

    def lignes_regles(self) -> list[dict[str, Any]]:
        """Une ligne par règle du catalogue (`regles` : [{regle, titre, gravite}], triées par id)."""
        lignes = []
        for r in self.regles:
            statuts = dict(self.par_regle[r["regle"]])
            nombre = sum(statuts.values())
            lignes.append({
                "regle": r["regle"],
                "titre": r["titre"],
                "gravite": r["gravite"],
                "evalues": nombre,
                "statuts": statuts,
                "taux_conformite": _taux(statuts["conforme"], nombre - statuts["non_applicable"]),
            })
        return lignes

    def agreger(self) -> dict[str, Any]:
        lignes_regles = self.lignes_regles()
        return {
            "par_region": self.lignes("region"),
            "par_categorie": self.lignes("categorie"),
            "par_regle": lignes_regles,
            "regles_les_plus_echouees": regles_les_plus_echouees(lignes_regles),
            "etablissements_les_plus_en_difficulte": self._classer(),
        }


def accumuler(etablissements: Iterable[dict[str, Any]], regles: list[dict[str, Any]], limite: int = LIMITE_CLASSEMENT) -> Agregateur:
    agregateur = Agregateur(regles, limite)
    for e in etablissements:
        agregateur.ajouter(e)
    return agregateur


def synthese(etablissements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Les comptes du lot ; `taux_conformite_moyen` : moyenne des taux des établissements évalués."""
    return accumuler(etablissements, []).synthese()


def par_region(etablissements: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return accumuler(etablissements, []).lignes("region")


def par_categorie(etablissements: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return accumuler(etablissements, []).lignes("categorie")


def par_regle(etablissements: Iterable[dict[str, Any]], regles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Une ligne par règle du catalogue (`regles` : [{regle, titre, gravite}], triées par id)."""
    return accumuler(etablissements, regles).lignes_regles()


def regles_les_plus_echouees(lignes_regles: list[dict[str, Any]], limite: int = LIMITE_CLASSEMENT) -> list[dict[str, Any]]:
    """Les règles qui échouent le plus souvent (à partir de `par_regle`) : échecs décroissants, puis id."""
    echecs = [{"regle": l["regle"], "echecs": sum(l["statuts"][s] for s in ECHECS)} for l in lignes_regles]
    return sorted((e for e in echecs if e["echecs"]), key=lambda e: (-e["echecs"], e["regle"]))[:limite]


def etablissements_les_plus_en_difficulte(etablissements: Iterable[dict[str, Any]],
                                           limite: int = LIMITE_CLASSEMENT) -> list[dict[str, Any]]:
    """Les établissements évalués qui ont au moins une règle en échec : taux de conformité croissant,
    puis nombre d'échecs décroissant, puis FINESS et chemin."""
    return accumuler(etablissements, [], limite).agreger()["etablissements_les_plus_en_difficulte"]


def agreger(etablissements: Iterable[dict[str, Any]], regles: list[dict[str, Any]]) -> dict[str, Any]:
    return accumuler(etablissements, regles).agreger()
