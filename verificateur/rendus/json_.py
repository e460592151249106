"""Rendu JSON : le contrat de CONCEPTION §5, octet pour octet identique pour des entrées identiques."""

from __future__ import annotations

import json
from typing import Any


def rendre(rapport: dict[str, Any], options: dict[str, Any]) -> str:
    return json.dumps(rapport, ensure_ascii=False, indent=2) + "\n"
