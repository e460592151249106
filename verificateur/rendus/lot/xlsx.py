"""Rendu xlsx d'un lot : un classeur (verificateur/rendus/classeur.py), une feuille par tableau —
« Établissements » (un par ligne, son bilan), « Résultats » (établissement × règle, les colonnes du
CSV), « Par région », « Par catégorie », « Par règle » (les agrégats) et « Échecs » (les dépôts non
évalués). FINESS et régions restent des textes (`01`…`06` gardent leur zéro), les dates des dates,
les taux des pourcentages. Construit des mêmes données que le rendu CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.rendus import classeur

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

STATUTS = ("conforme", "non_conforme", "preuve_manquante", "erreur", "non_applicable", "derogation")
_STATUTS_COLONNES = tuple(f"{s}:entier" for s in STATUTS)


def _groupes(groupes: list[dict[str, Any]]) -> list[list[Any]]:
    return [[g["cle"], g["evalues"], g["conformes"], g["non_conformes"], g["taux_etablissements_conformes"],
             g["taux_conformite_moyen"], *(g["statuts"].get(s, 0) for s in STATUTS)] for g in groupes]


def rendre(donnees: dict[str, Any], options: Options | None = None) -> bytes:
    date_evaluation = donnees["date_evaluation"]
    regles = {r["regle"]: r for r in donnees["regles"]}
    etablissements, resultats = [], []
    for e in donnees["etablissements"]:
        synthese = e["synthese"] or {}
        debut = [e["finess"], e["raison_sociale"], e["region"], e["categorie"], e["chemin"], e["depot"]["revision"], date_evaluation,
                 e["etat"], synthese.get("statut_global"), synthese.get("taux_conformite")]
        etablissements.append([*debut, *(synthese.get(s) for s in STATUTS), synthese.get("total"), e["raison"]])
        for regle, statut in sorted((e["resultats"] or {}).items()):
            r = regles.get(regle, {})
            resultats.append([*debut, regle, r.get("titre"), r.get("gravite"), statut])
    colonnes_debut = ("finess:identifiant", "raison_sociale", "region:identifiant", "categorie", "chemin:long", "revision:identifiant",
                      "date_evaluation:date", "etat", "statut_global", "taux_conformite:taux")
    groupe = ("evalues:entier", "conformes:entier", "non_conformes:entier", "taux_etablissements_conformes:taux",
              "taux_conformite_moyen:taux", *_STATUTS_COLONNES)
    agregats = donnees["agregats"]
    return classeur.ecrire([
        classeur.Feuille("Établissements", classeur.colonnes(*colonnes_debut, *_STATUTS_COLONNES, "total:entier", "raison:long"),
                         etablissements),
        classeur.Feuille("Résultats", classeur.colonnes(*colonnes_debut, "regle", "titre:long", "gravite", "statut"), resultats),
        classeur.Feuille("Par région", classeur.colonnes("region:identifiant", *groupe), _groupes(agregats["par_region"])),
        classeur.Feuille("Par catégorie", classeur.colonnes("categorie", *groupe), _groupes(agregats["par_categorie"])),
        classeur.Feuille("Par règle", classeur.colonnes("regle", "titre:long", "gravite", "evalues:entier", *_STATUTS_COLONNES,
                                                        "taux_conformite:taux"),
                         [[r["regle"], r["titre"], r["gravite"], r["evalues"], *(r["statuts"].get(s, 0) for s in STATUTS),
                           r["taux_conformite"]] for r in agregats["par_regle"]]),
        classeur.Feuille("Échecs", classeur.colonnes("chemin:long", "raison:long"),
                         [[e["chemin"], e["raison"]] for e in donnees["echecs"]]),
    ], date_evaluation, "Lot de conformité")
