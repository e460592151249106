"""Comparer deux campagnes : par établissement et par règle, ce qui a régressé, ce qui s'est amélioré ;
qui est apparu, qui a disparu ; les totaux par région.

Un statut a un rang : conforme et non applicable (2) > dérogation (1) > non conforme, preuve manquante,
erreur (0). Une **régression** est une baisse de rang d'une règle pour un établissement évalué aux deux
campagnes (conforme → dérogation compte : le crochet pre-commit refuse de même tout passage hors de
conforme/non applicable) ; une **amélioration**, une hausse. Passer d'un échec à un autre (non conforme
→ preuve manquante) n'est ni l'un ni l'autre. Un établissement présent aux deux campagnes mais dont le
dépôt n'a pas pu être évalué à l'une d'elles n'est pas comparé : il est cité à part.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from verificateur.observatoire.evolution import INCONNUE, Filtres, taux, titres_des_regles
from verificateur.observatoire.store import Observatoire
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.socle.statuts import GRAVITES

FORMAT = "verificateur/observatoire-comparaison/1"
RANG = {"conforme": 2, "non_applicable": 2, "derogation": 1, "non_conforme": 0, "preuve_manquante": 0, "erreur": 0}


def _campagne(c: sqlite3.Connection, nom: str, chemin: str) -> tuple[int, str]:
    ligne = c.execute("SELECT id, date_evaluation FROM campagnes WHERE nom = ?", (nom,)).fetchone()
    if ligne is None:
        noms = [n for (n,) in c.execute("SELECT nom FROM campagnes ORDER BY date_evaluation, nom")]
        connues = ", ".join(noms[-5:]) if noms else "aucune"
        raise ErreurVerificateur(f"{chemin}: campagne « {nom} » inconnue ; campagnes enregistrées : {connues}")
    return ligne[0], ligne[1]


def _etablissements(c: sqlite3.Connection, campagne: int, filtres: Filtres) -> dict[str, dict[str, Any]]:
    condition, valeurs = filtres.sql()
    sortie: dict[str, dict[str, Any]] = {}
    ids: dict[int, str] = {}
    for ident, cle, finess, raison, region, categorie, etat, statut_global, taux_conformite, rapport in c.execute(
            "SELECT id, cle, finess, raison_sociale, region, categorie, etat, statut_global, taux_conformite, rapport "
            f"FROM etablissements e WHERE campagne = ?{condition}", [campagne, *valeurs]):
        ids[ident] = cle
        sortie[cle] = {"cle": cle, "finess": finess, "raison_sociale": raison, "region": region, "categorie": categorie,
                       "etat": etat, "statut_global": statut_global, "taux_conformite": taux_conformite, "rapport": rapport,
                       "resultats": {}}
    for ident, regle, statut in c.execute(
            "SELECT r.etablissement, r.regle, r.statut FROM resultats r JOIN etablissements e ON e.id = r.etablissement "
            f"WHERE e.campagne = ?{condition}", [campagne, *valeurs]):
        sortie[ids[ident]]["resultats"][regle] = statut
    return sortie


def _identite(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e[k] for k in ("cle", "finess", "raison_sociale", "region", "categorie")}


def comparer(obs: Observatoire, avant: str, apres: str, filtres: Filtres) -> dict[str, Any]:
    if avant == apres:
        raise ErreurVerificateur(f"comparer : la même campagne « {avant} » des deux côtés ; donnez deux campagnes différentes")
    with obs.lecture() as c:
        id_a, date_a = _campagne(c, avant, obs.chemin)
        id_b, date_b = _campagne(c, apres, obs.chemin)
        a = _etablissements(c, id_a, filtres)
        b = _etablissements(c, id_b, filtres)
        titres = titres_des_regles(c)
    inconnues = sorted(set(filtres.regles) - set(titres))
    if inconnues:
        raise ErreurVerificateur(f"--regle : règle(s) jamais évaluée(s) dans cet observatoire : {', '.join(inconnues)}")
    regions: _Regions = {}
    _compter_evalues(regions, a, "avant")
    _compter_evalues(regions, b, "apres")
    regressions, ameliorations, non_compares = _ecarts(a, b, filtres, titres, regions)
    apparus = [_resume(b[cle]) for cle in sorted(set(b) - set(a))]
    disparus = [_resume(a[cle]) for cle in sorted(set(a) - set(b))]
    for e in apparus:
        _region(regions, e)["apparus"] += 1
    for e in disparus:
        _region(regions, e)["disparus"] += 1
    return {
        "format": FORMAT,
        "filtres": filtres.en_dict(),
        "avant": {"nom": avant, "date_evaluation": date_a},
        "apres": {"nom": apres, "date_evaluation": date_b},
        "compares": sum(1 for cle in set(a) & set(b) if a[cle]["etat"] == b[cle]["etat"] == "evalue"),
        "regressions": sorted(regressions, key=_ordre),
        "ameliorations": sorted(ameliorations, key=_ordre),
        "apparus": apparus,
        "disparus": disparus,
        "non_compares": non_compares,
        "par_region": [{"cle": cle, **valeurs,
                        "taux_etablissements_conformes_avant": taux(valeurs["conformes_avant"], valeurs["evalues_avant"]),
                        "taux_etablissements_conformes_apres": taux(valeurs["conformes_apres"], valeurs["evalues_apres"])}
                       for cle, valeurs in sorted(regions.items())],
    }


_Regions = dict[str, dict[str, int]]  # région → ses comptes (_COMPTES, dans cet ordre, celui des clés du JSON)
_Lignes = list[dict[str, Any]]  # des lignes du JSON de la comparaison
_COMPTES = ("evalues_avant", "conformes_avant", "evalues_apres", "conformes_apres", "regressions", "ameliorations",
            "apparus", "disparus")


def _region(regions: _Regions, e: dict[str, Any]) -> dict[str, int]:
    """Les comptes de la région d'un établissement (« inconnue » sans région), créés à zéro à sa première mention."""
    return regions.setdefault(e["region"] or INCONNUE, dict.fromkeys(_COMPTES, 0))


def _compter_evalues(regions: _Regions, etablissements: dict[str, dict[str, Any]], moment: str) -> None:
    """Les évalués et les conformes d'une campagne (`moment` : avant ou apres), par région."""
    for e in etablissements.values():
        if e["etat"] == "evalue":
            r = _region(regions, e)
            r[f"evalues_{moment}"] += 1
            r[f"conformes_{moment}"] += e["statut_global"] == "conforme"


def _ecarts(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]], filtres: Filtres,
            titres: dict[str, tuple[str, str]], regions: _Regions) -> tuple[_Lignes, _Lignes, _Lignes]:
    """(régressions, améliorations, non comparés) des établissements présents aux deux campagnes ; les
    régressions et améliorations sont aussi comptées par région."""
    regressions: _Lignes = []
    ameliorations: _Lignes = []
    non_compares: _Lignes = []
    for cle in sorted(set(a) & set(b)):
        ea, eb = a[cle], b[cle]
        if ea["etat"] != "evalue" or eb["etat"] != "evalue":
            non_compares.append({**_identite(eb), "etat_avant": ea["etat"], "etat_apres": eb["etat"]})
            continue
        for regle in sorted(set(ea["resultats"]) & set(eb["resultats"])):
            if filtres.regles and regle not in filtres.regles:
                continue
            sa, sb = ea["resultats"][regle], eb["resultats"][regle]
            if RANG[sa] == RANG[sb]:
                continue
            titre, gravite = titres.get(regle, ("", "info"))
            ligne = {**_identite(eb), "regle": regle, "titre": titre, "gravite": gravite, "avant": sa, "apres": sb,
                     "rapport": eb["rapport"]}
            if RANG[sb] < RANG[sa]:
                regressions.append(ligne)
                _region(regions, eb)["regressions"] += 1
            else:
                ameliorations.append(ligne)
                _region(regions, eb)["ameliorations"] += 1
    return regressions, ameliorations, non_compares


def _resume(e: dict[str, Any]) -> dict[str, Any]:
    return {**_identite(e), "etat": e["etat"], "statut_global": e["statut_global"], "taux_conformite": e["taux_conformite"]}


def _ordre(ligne: dict[str, Any]) -> tuple[int, str, str, str]:
    # Les plus graves d'abord : c'est ce que l'auditeur lit en premier.
    gravite = -GRAVITES.index(ligne["gravite"]) if ligne["gravite"] in GRAVITES else 0
    return (gravite, ligne["finess"] or "", ligne["cle"], ligne["regle"])


def dernieres(obs: Observatoire) -> tuple[str, str] | None:
    """Les noms des deux dernières campagnes (par date, puis nom), s'il y en a deux."""
    from verificateur.observatoire.evolution import campagnes_ordonnees

    with obs.lecture() as c:
        ordre = campagnes_ordonnees(c)
    return (ordre[-2][1], ordre[-1][1]) if len(ordre) >= 2 else None
