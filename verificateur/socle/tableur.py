"""Le CSV pour tableur, écrit d'une seule façon partout (rapport, historique, couverture).

Par défaut, les conventions d'un tableur français : séparateur `;`, UTF-8 avec BOM (Excel reconnaît
l'encodage), virgule décimale. `standard=True` : séparateur `,`, point décimal, sans BOM (RFC 4180).
Injection de formule : une cellule qui commence par `=`, `+`, `-`, `@`, une tabulation ou un retour
chariot serait exécutée comme une formule par le tableur ; elle est préfixée d'une apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

_DECLENCHEURS = ("=", "+", "-", "@", "\t", "\r")


def neutraliser(valeur: object) -> str:
    """Une cellule qu'aucun tableur n'interprète comme une formule."""
    texte = "" if valeur is None else str(valeur)
    return "'" + texte if texte.startswith(_DECLENCHEURS) else texte


def decimal(valeur: float | None, standard: bool = False, decimales: int = 4) -> str:
    """Un nombre décimal : virgule à la française, point en CSV standard ; vide si absent."""
    if valeur is None:
        return ""
    texte = f"{valeur:.{decimales}f}"
    return texte if standard else texte.replace(".", ",")


def ecrire(entete: Iterable[str], lignes: Iterable[Iterable[Any]], standard: bool = False) -> str:
    """Le texte CSV complet ; les cellules sont neutralisées (les nombres sont déjà des textes)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter="," if standard else ";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    ecrivain.writerow(list(entete))
    for ligne in lignes:
        ecrivain.writerow([neutraliser(v) for v in ligne])
    return ("" if standard else "\ufeff") + tampon.getvalue()
