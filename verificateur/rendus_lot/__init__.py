"""Les rendus d'un lot (`verificateur lot`) : un module par format, une entrée par format dans `FORMATS`.

Chaque rendu est une fonction `rendre(donnees: dict) -> str`, où `donnees` suit le contrat
« verificateur/lot/2 » (docs/lot.md, schéma `schemas/lot.schema.json`). Le module n'est importé que
si son format est demandé (tabulate, Jinja2 restent hors du chemin des autres formats), comme pour
les rendus d'un établissement (`verificateur/rendus/`).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable

# format → module de verificateur.rendus_lot
FORMATS: dict[str, str] = {
    "texte": "texte",
    "json": "json_",
    "csv": "csv_",
    "xlsx": "xlsx",
    "html": "html",
}


def rendu(format: str) -> Callable[[dict[str, Any]], str]:
    module = importlib.import_module(f"verificateur.rendus_lot.{FORMATS[format]}")
    return module.rendre  # type: ignore[no-any-return]


def rendu_en_morceaux(format: str) -> Callable[[dict[str, Any]], Iterable[str]]:
    """Le même texte que `rendu(format)`, en morceaux à écrire au fil de l'eau (mémoire du lot) : le
    module en donne s'il a une fonction `morceaux`, sinon le texte entier en un seul morceau."""
    module = importlib.import_module(f"verificateur.rendus_lot.{FORMATS[format]}")
    if hasattr(module, "morceaux"):
        return module.morceaux  # type: ignore[no-any-return]
    return lambda donnees: [module.rendre(donnees)]
