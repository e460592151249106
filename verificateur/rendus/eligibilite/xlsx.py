"""Rendu xlsx d'une décision d'éligibilité ou de la liste des financeurs : un classeur
(verificateur/rendus/classeur.py), une feuille par tableau — « Établissements » (la décision de chacun et
de sa candidature, ses motifs bloquants, son montant), « Par région » (contre l'enveloppe),
« Total » et « Doublons » (les dépôts écartés parce que leur FINESS était déjà donné). FINESS et
régions restent des textes, la date de décision une date, les montants des nombres en euros, la
part de l'enveloppe un pourcentage. Construit des mêmes données que le rendu CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verificateur.financements.modeles import DECISIONS, Resultat
from verificateur.rendus import classeur

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

_DECISIONS_COLONNES = tuple(f"{d}:entier" for d in DECISIONS)


def rendre(donnees: Resultat, options: Options | None = None) -> bytes:
    programme = donnees["programme"]["id"]
    date_decision = donnees["date_decision"]
    etablissements = []
    for c in donnees["candidatures"]:
        bloquants = [m for m in c["motifs"] if m["bloquant"] and m["resultat"] != "satisfait"]
        hypotheses = "oui" if any(x["hypothese_projet"] for x in c["motifs"]) else "non"
        for m in c["membres"]:
            propres = [x for x in bloquants if x["etablissement"] is None or x["etablissement"]["chemin"] == m["chemin"]]
            motifs = [x["message"] for x in propres + [x for x in bloquants if x not in propres]]
            etablissements.append([
                programme, date_decision, m["finess"], m["raison_sociale"], m["chemin"], (m["depot"] or {}).get("revision"), m["region"],
                m["categorie"], m["statut_juridique"], c["nom"], c["decision"], m["montant_plafond"], " | ".join(motifs), hypotheses,
            ])
    doublons = [[programme, date_decision, d["finess"], chemin, d["message"]]
                for d in donnees.get("doublons", []) for chemin in d["ecartes"]]
    s = donnees["synthese"]
    e = s["etablissements"]
    return classeur.ecrire([
        classeur.Feuille("Établissements", classeur.colonnes(
            "programme", "date_decision:date", "finess:identifiant", "raison_sociale", "chemin:long", "revision:identifiant",
            "region:identifiant", "categorie", "statut_juridique", "candidature", "decision", "montant_plafond:euros", "motifs:long",
            "hypotheses_projet"), etablissements),
        classeur.Feuille("Par région", classeur.colonnes(
            "programme", "date_decision:date", "region:identifiant", *_DECISIONS_COLONNES, "montant_plafond_total:euros",
            "montants_inconnus:entier", "enveloppe:euros"),
            [[programme, date_decision, r["cle"], *(r.get(d, 0) for d in DECISIONS), r["montant_plafond_total"], r.get("montants_inconnus"),
              r["enveloppe"]] for r in donnees["par_region"]]),
        classeur.Feuille("Total", classeur.colonnes(
            "programme", "date_decision:date", *_DECISIONS_COLONNES, "montant_plafond_total:euros", "montants_inconnus:entier",
            "enveloppe:euros", "part_enveloppe:taux", "hypotheses_projet"),
            [[programme, date_decision, *(e.get(d, 0) for d in DECISIONS), s["montant_plafond_total"], s.get("montants_inconnus"),
              s["enveloppe"], s.get("part_enveloppe"), "oui" if donnees["hypotheses"] else "non"]]),
        classeur.Feuille("Doublons", classeur.colonnes(
            "programme", "date_decision:date", "finess:identifiant", "chemin:long", "message:long"), doublons),
    ], date_decision, f"Éligibilité — {programme}")
