"""Rendu JSON d'un lot : le contrat « verificateur/lot/2 » (docs/lot.md), octet pour octet identique
pour des entrées identiques, quel que soit --jobs ou le découpage en parties fusionnées."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options


def _json(valeur: Any, retrait: int) -> str:
    """`json.dumps(indent=2)` d'une valeur placée à `retrait` espaces (les chaînes n'ont jamais de
    saut de ligne brut : il est échappé)."""
    return json.dumps(valeur, ensure_ascii=False, indent=2).replace("\n", "\n" + " " * retrait)


def morceaux(donnees: dict[str, Any], options: Options | None = None) -> Iterator[str]:
    """Les mêmes octets que `json.dumps(donnees, ensure_ascii=False, indent=2) + "\\n"`, élément par
    élément : `json.dumps` garde en mémoire tous les petits morceaux du texte indenté (des dizaines de
    Mo pour 3 000 établissements) avant de les joindre ; ici, `verificateur lot` les écrit au fil de l'eau."""
    if not donnees:
        yield "{}\n"
        return
    yield "{"
    for i, (cle, valeur) in enumerate(donnees.items()):
        yield f"{',' if i else ''}\n  {json.dumps(cle, ensure_ascii=False)}: "
        # Une séquence : aussi les entrées d'un lot relues du disque une à une (verificateur/lot/stock.py).
        # Vide, elle s'écrit « [] » comme json.dumps l'écrit (une partie de lot peut n'avoir aucun dépôt).
        if isinstance(valeur, Sequence) and not isinstance(valeur, str):
            if not valeur:
                yield "[]"
            for j, element in enumerate(valeur):
                yield ("," if j else "[") + "\n    " + _json(element, 4)
            if valeur:
                yield "\n  ]"
        else:
            yield _json(valeur, 2)
    yield "\n}\n"


def rendre(donnees: dict[str, Any], options: Options | None = None) -> str:
    return "".join(morceaux(donnees, options))
