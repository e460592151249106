"""Les rendus d'un lot (`verificateur lot`) : un module par format, un enregistrement par format dans `FORMATS`.

Chaque rendu est une fonction `rendre(donnees: dict) -> str`, où `donnees` suit le contrat
« verificateur/lot/2 » (docs/lot.md, schéma `schemas/lot.schema.json`). Le module n'est importé que
si son format est demandé (tabulate, Jinja2 restent hors du chemin des autres formats), comme pour
les rendus d'un établissement (`verificateur/rendus/`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from verificateur.rendus.registre import Format, registre

FORMATS: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.lot.texte:rendre", ".txt"),
    Format("json", "verificateur.rendus.lot.json_:rendre", ".json"),
    Format("csv", "verificateur.rendus.lot.csv_:rendre", ".csv"),
    Format("html", "verificateur.rendus.lot.html:rendre", ".html"),
    Format("xlsx", "verificateur.rendus.lot.xlsx:rendre", ".xlsx", binaire=True),
)


def rendu(format: str) -> Callable[[dict[str, Any]], str]:
    return FORMATS[format].rendu()


def rendu_en_morceaux(format: str) -> Callable[[dict[str, Any]], Iterable[str]]:
    """Le même texte que `rendu(format)`, en morceaux à écrire au fil de l'eau (mémoire du lot) : le
    module en donne s'il a une fonction `morceaux`, sinon le texte entier en un seul morceau."""
    module = importlib.import_module(FORMATS[format].fonction.partition(":")[0])
    if hasattr(module, "morceaux"):
        return module.morceaux
    return lambda donnees: [module.rendre(donnees)]
