"""Rendu JSON : le format « verificateur/eligibilite/1 », identique octet pour octet pour des entrées identiques."""

from __future__ import annotations

import json
from typing import Any

from verificateur.financements.modeles import Resultat


def rendre(donnees: Resultat, options: dict[str, Any]) -> str:
    return json.dumps(donnees, ensure_ascii=False, indent=2) + "\n"
