"""Rendu JSON : le format « verificateur/eligibilite/1 », identique octet pour octet pour des entrées identiques."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from verificateur.financements.modeles import Resultat

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options


def rendre(donnees: Resultat, options: Options | None = None) -> str:
    return json.dumps(donnees, ensure_ascii=False, indent=2) + "\n"
