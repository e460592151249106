"""Ce que les rendus d'éligibilité partagent : mots des décisions et des résultats, lieu d'un motif."""

from __future__ import annotations

from typing import Any

from verificateur.financements.modeles import LIBELLES_DECISIONS, Motif, SourceCitee, euros
from verificateur.rendus.commun import lieu, pourcentage

SYMBOLES = {"satisfait": "✓", "non_satisfait": "✗", "indetermine": "?", "a_confirmer": "~", "clos": "∅"}
LIBELLES_RESULTATS = {"satisfait": "satisfait", "non_satisfait": "non satisfait", "indetermine": "indéterminé",
                      "a_confirmer": "à confirmer (fait non publié)", "clos": "programme clos"}
PLURIELS_DECISIONS = {"eligible": "éligibles", "non_eligible": "non éligibles", "incomplet": "incomplets",
                      "a_confirmer": "à confirmer", "clos": "programme clos"}
# Les trois décisions de toujours sont comptées même à zéro ; « à confirmer » et « programme clos »
# seulement quand il y en a (un programme sans fait inconnu ni fin ne les connaît pas).
TOUJOURS = ("eligible", "non_eligible", "incomplet")

__all__ = ["LIBELLES_DECISIONS", "euros", "lieu", "lieux", "montant", "compte_decisions", "source_texte"]


def lieux(motif: Motif) -> str:
    """Les preuves d'un motif, `fichier:ligne@révision`, séparées par des virgules."""
    return ", ".join(lieu(p["fichier"], p.get("ligne"), p.get("revision")) for p in motif.get("preuves", []))


def montant(valeur: Any) -> str:
    return "non calculable" if valeur is None else euros(valeur)


def compte_decisions(comptes: dict[str, int]) -> str:
    """« 1 éligible, 2 non éligibles, 0 incomplet » (+ « 3 à confirmer », « 1 programme clos » s'il y en a)."""
    return ", ".join(
        f"{comptes.get(d, 0)} {PLURIELS_DECISIONS[d] if comptes.get(d, 0) > 1 else LIBELLES_DECISIONS[d]}"
        for d in LIBELLES_DECISIONS
        if d in TOUJOURS or comptes.get(d, 0)
    )


def source_texte(source: SourceCitee) -> str:
    """« document, émetteur, date » (date seulement si connue)."""
    morceaux = [source.get("document"), source.get("emetteur"), source.get("date")]
    return ", ".join(m for m in morceaux if m)


def part(montant_total: Any, enveloppe: Any) -> str:
    """« 20,0 % de l'enveloppe de 2 000 000 € », ou rien sans enveloppe."""
    if not enveloppe:
        return ""
    return f"{pourcentage(float(montant_total) / float(enveloppe))} de l'enveloppe de {euros(enveloppe)}"
