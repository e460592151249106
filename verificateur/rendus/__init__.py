"""Les rendus d'un rapport : un module par format, une entrée par format dans `FORMATS`.

Chaque rendu est une fonction `rendre(rapport: dict, options: dict) -> str` ; le module n'est
importé que si son format est demandé (tabulate, par exemple, reste hors du chemin du crochet).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

# format → module de verificateur.rendus
FORMATS: dict[str, str] = {
    "texte": "texte",
    "json": "json_",
    "html": "html",
    "markdown": "markdown",
    "csv": "csv_",
    "xlsx": "xlsx",
    "junit": "junit",
    "sarif": "sarif",
}


def rendu(format: str) -> Callable[[dict[str, Any], dict[str, Any]], str]:
    module = importlib.import_module(f"verificateur.rendus.{FORMATS[format]}")
    return module.rendre  # type: ignore[no-any-return]
