"""Rendu CSV de la liste des financeurs : une ligne par établissement (sa décision, celle de sa
candidature, ses motifs bloquants, son montant), une ligne par dépôt écarté parce que son FINESS
était déjà donné, puis une ligne par région et une ligne de total contre l'enveloppe ; la colonne
`ligne` dit laquelle. Conventions d'un tableur français par
`tableur.ecrire` (l'unique écrivain CSV)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.financements.modeles import Resultat
from verificateur.socle import tableur

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

COLONNES = (
    "ligne", "programme", "date_decision", "finess", "raison_sociale", "chemin", "revision", "region", "categorie",
    "statut_juridique", "candidature", "decision", "montant_plafond", "eligibles", "non_eligibles", "incomplets",
    "a_confirmer", "clos", "enveloppe", "motifs", "hypotheses_projet",
)


def _euros(valeur: Any, standard: bool) -> str:
    return tableur.decimal(None if valeur is None else float(valeur), standard, decimales=2)


def rendre(donnees: Resultat, options: Options | None = None) -> str:
    standard = bool((options or {}).get("csv_standard"))
    programme = donnees["programme"]["id"]
    date_decision = donnees["date_decision"]
    lignes = []
    for c in donnees["candidatures"]:
        bloquants = [m for m in c["motifs"] if m["bloquant"] and m["resultat"] != "satisfait"]
        for m in c["membres"]:
            propres = [x for x in bloquants if x["etablissement"] is None or x["etablissement"]["chemin"] == m["chemin"]]
            autres = [x for x in bloquants if x not in propres]
            motifs = [x["message"] for x in propres + autres]
            hypotheses = any(x["hypothese_projet"] for x in c["motifs"])
            lignes.append([
                "etablissement", programme, date_decision, m["finess"], m["raison_sociale"], m["chemin"],
                (m["depot"] or {}).get("revision"),
                m["region"], m["categorie"], m["statut_juridique"], c["nom"], c["decision"], _euros(m["montant_plafond"], standard),
                None, None, None, None, None, None, " | ".join(motifs), "oui" if hypotheses else "non",
            ])
    for d in donnees.get("doublons", []):  # le dépôt écarté est dit, jamais compté
        for chemin in d["ecartes"]:
            lignes.append([
                "doublon", programme, date_decision, d["finess"], None, chemin, None, None, None, None, None, None,
                None, None, None, None, None, d["message"], None,
            ])
    for r in donnees["par_region"]:
        lignes.append([
            "region", programme, date_decision, None, None, None, None, r["cle"], None, None, None, None,
            _euros(r["montant_plafond_total"], standard), r["eligible"], r["non_eligible"], r["incomplet"],
            r.get("a_confirmer", 0), r.get("clos", 0), _euros(r["enveloppe"], standard), None, None,
        ])
    s = donnees["synthese"]
    e = s["etablissements"]
    lignes.append([
        "total", programme, date_decision, None, None, None, None, None, None, None, None, None,
        _euros(s["montant_plafond_total"], standard), e["eligible"], e["non_eligible"], e["incomplet"],
        e.get("a_confirmer", 0), e.get("clos", 0), _euros(s["enveloppe"], standard), None, "oui" if donnees["hypotheses"] else "non",
    ])
    return tableur.ecrire(COLONNES, lignes, standard)
