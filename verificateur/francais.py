"""Les nombres dans les phrases françaises : virgule décimale, espace entre les milliers."""

from __future__ import annotations

from decimal import Decimal


def nombre(d: Decimal) -> str:
    """12345.60 → « 12 345,6 » (espace entre milliers au-delà de 9 999, pour laisser les années intactes)."""
    texte = format(d, "f")
    if "." in texte:
        texte = texte.rstrip("0").rstrip(".")
    signe, texte = ("-", texte[1:]) if texte.startswith("-") else ("", texte)
    entier, _, decimales = texte.partition(".")
    if len(entier) > 4:
        entier = f"{int(entier):,}".replace(",", " ")
    return signe + entier + ("," + decimales if decimales else "")
