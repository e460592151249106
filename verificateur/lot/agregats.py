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

from typing import Any, Callable

from verificateur.evaluation import ECHECS, STATUTS

LIMITE_CLASSEMENT = 10
INCONNUE = "inconnue"  # clé d'un établissement sans région ou sans catégorie


def _taux(numerateur: int, denominateur: int) -> float | None:
    return round(numerateur / denominateur, 4) if denominateur else None


def _moyenne(valeurs: list[float]) -> float | None:
    return round(sum(valeurs) / len(valeurs), 4) if valeurs else None


def evalues(etablissements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in etablissements if e["etat"] == "evalue"]


def _conforme(e: dict[str, Any]) -> bool:
    return e["synthese"]["statut_global"] == "conforme"


def synthese(etablissements: list[dict[str, Any]]) -> dict[str, Any]:
    """Les comptes du lot ; `taux_conformite_moyen` : moyenne des taux des établissements évalués."""
    ok = evalues(etablissements)
    conformes = sum(1 for e in ok if _conforme(e))
    return {
        "depots": len(etablissements),
        "evalues": len(ok),
        "echecs": len(etablissements) - len(ok),
        "conformes": conformes,
        "non_conformes": len(ok) - conformes,
        "taux_conformite_moyen": _moyenne([e["synthese"]["taux_conformite"] for e in ok]),
    }


def _groupe(etablissements: list[dict[str, Any]], cle: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    groupes: dict[str, list[dict[str, Any]]] = {}
    for e in evalues(etablissements):
        groupes.setdefault(str(cle(e) or INCONNUE), []).append(e)
    lignes = []
    for nom, membres in sorted(groupes.items()):
        conformes = sum(1 for e in membres if _conforme(e))
        statuts = {s: 0 for s in STATUTS}
        for e in membres:
            for statut in e["resultats"].values():
                statuts[statut] += 1
        lignes.append({
            "cle": nom,
            "evalues": len(membres),
            "conformes": conformes,
            "non_conformes": len(membres) - conformes,
            "taux_etablissements_conformes": _taux(conformes, len(membres)),
            "taux_conformite_moyen": _moyenne([e["synthese"]["taux_conformite"] for e in membres]),
            "statuts": statuts,
            # Les règles qui seraient en échec dans les 90 jours, si rien n'est commité (docs/echeances.md).
            "echeances_90_jours": sum(e.get("echeances_90_jours") or 0 for e in membres),
        })
    return lignes


def par_region(etablissements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _groupe(etablissements, lambda e: e.get("region"))


def par_categorie(etablissements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _groupe(etablissements, lambda e: e.get("categorie"))


def par_regle(etablissements: list[dict[str, Any]], regles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Une ligne par règle du catalogue (`regles` : [{regle, titre, gravite}], triées par id)."""
    lignes = []
    ok = evalues(etablissements)
    for r in regles:
        statuts = {s: 0 for s in STATUTS}
        for e in ok:
            statut = e["resultats"].get(r["regle"])
            if statut is not None:
                statuts[statut] += 1
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


def regles_les_plus_echouees(lignes_regles: list[dict[str, Any]], limite: int = LIMITE_CLASSEMENT) -> list[dict[str, Any]]:
    """Les règles qui échouent le plus souvent (à partir de `par_regle`) : échecs décroissants, puis id."""
    echecs = [{"regle": l["regle"], "echecs": sum(l["statuts"][s] for s in ECHECS)} for l in lignes_regles]
    return sorted((e for e in echecs if e["echecs"]), key=lambda e: (-e["echecs"], e["regle"]))[:limite]


def etablissements_les_plus_en_difficulte(etablissements: list[dict[str, Any]], limite: int = LIMITE_CLASSEMENT) -> list[dict[str, Any]]:
    """Les établissements évalués qui ont au moins une règle en échec : taux de conformité croissant,
    puis nombre d'échecs décroissant, puis FINESS et chemin."""
    lignes = []
    for e in evalues(etablissements):
        echecs = sum(1 for statut in e["resultats"].values() if statut in ECHECS)
        if echecs:
            lignes.append({
                "chemin": e["chemin"],
                "finess": e.get("finess"),
                "raison_sociale": e.get("raison_sociale"),
                "taux_conformite": e["synthese"]["taux_conformite"],
                "echecs": echecs,
            })
    lignes.sort(key=lambda l: (l["taux_conformite"], -l["echecs"], l["finess"] or "", l["chemin"]))
    return lignes[:limite]


def agreger(etablissements: list[dict[str, Any]], regles: list[dict[str, Any]]) -> dict[str, Any]:
    lignes_regles = par_regle(etablissements, regles)
    return {
        "par_region": par_region(etablissements),
        "par_categorie": par_categorie(etablissements),
        "par_regle": lignes_regles,
        "regles_les_plus_echouees": regles_les_plus_echouees(lignes_regles),
        "etablissements_les_plus_en_difficulte": etablissements_les_plus_en_difficulte(etablissements),
    }
