"""Rendu JSON : le contrat de CONCEPTION §5, octet pour octet identique pour des entrées identiques."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options


def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    return json.dumps(rapport, ensure_ascii=False, indent=2) + "\n"
