"""Rendu xlsx d'un rapport : un classeur (verificateur/rendus/classeur.py) dont les identifiants restent des
textes (FINESS, région), les dates des dates et le taux un pourcentage. Feuilles : « Résultats »
(une ligne par règle, les colonnes du CSV), « Synthèse » (le bilan), « Problèmes » (les problèmes
d'entrée). Construit du même rapport que le rendu CSV : ce que celui-ci masque, il le masque."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.rendus import classeur
from verificateur.rendus.commun import lieu

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

STATUTS = ("conforme", "non_conforme", "preuve_manquante", "erreur", "non_applicable", "derogation")


def rendre(rapport: dict[str, Any], options: Options | None = None) -> bytes:
    etab = rapport["etablissement"] or {}
    revision = rapport["depot"].get("revision")
    date_evaluation = rapport["date_evaluation"]
    synthese = rapport["synthese"]
    debut = [etab.get("finess"), etab.get("raison_sociale"), etab.get("region"), etab.get("categorie"), date_evaluation, revision]
    colonnes_debut = ("finess:identifiant", "raison_sociale", "region:identifiant", "categorie", "date_evaluation:date",
                      "revision:identifiant")
    resultats = []
    for r in rapport["resultats"]:
        derog = r.get("derogation") or {}
        resultats.append([
            *debut, r["regle"], r["titre"], r["gravite"], r["statut"], ", ".join(e["id"] for e in r["exigences"]),
            r["explication"], ", ".join(lieu(p["fichier"], p.get("ligne")) for p in r["preuves"]), derog.get("expire_le"),
            synthese["taux_conformite"],
        ])
    return classeur.ecrire([
        classeur.Feuille("Résultats", classeur.colonnes(
            *colonnes_debut, "regle", "titre:long", "gravite", "statut", "exigences", "explication:long", "preuves:long",
            "derogation_expire_le:date", "taux_conformite:taux"), resultats),
        classeur.Feuille("Synthèse", classeur.colonnes(
            *colonnes_debut, "statut_global", "seuil_echec", *(f"{s}:entier" for s in STATUTS), "total:entier", "taux_conformite:taux"),
            [[*debut, synthese["statut_global"], synthese["seuil_echec"], *(synthese[s] for s in STATUTS), synthese["total"],
              synthese["taux_conformite"]]]),
        classeur.Feuille("Problèmes", classeur.colonnes("fichier:long", "ligne:entier", "niveau", "code", "message:long"),
                         [[p.get("fichier"), p.get("ligne"), p.get("niveau"), p.get("code"), p.get("message")]
                          for p in rapport["problemes"]]),
    ], date_evaluation, f"Rapport de conformité — FINESS {etab.get('finess') or 'inconnu'}")
