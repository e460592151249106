"""Les rendus d'une décision d'éligibilité (`verificateur eligibilite`) et de la liste des financeurs
(`verificateur lot … --programme`) : un module par format, importé seulement s'il est demandé.

Chaque rendu est une fonction `rendre(donnees: dict, options: dict) -> str`, où `donnees` suit le
format « verificateur/eligibilite/1 » (docs/financements.md, schéma `schemas/eligibilite.schema.json`).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

# format → module de verificateur.rendus_eligibilite
FORMATS: dict[str, str] = {
    "texte": "texte",
    "json": "json_",
    "csv": "csv_",
    "xlsx": "xlsx",
    "html": "html",
}


def rendu(format: str) -> Callable[[dict[str, Any], dict[str, Any]], str]:
    module = importlib.import_module(f"verificateur.rendus_eligibilite.{FORMATS[format]}")
    return module.rendre  # type: ignore[no-any-return]
