"""Dates et durées du langage : décaler une date d'une durée (jours, mois, ans) sans sortir du
calendrier, reconnaître une date écrite AAAA-MM-JJ. Aussi utilisé par les échéances."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from verificateur.langage.valeurs import ErreurCalcul

# Les unités d'une durée que `dans_les_derniers` accepte.
DUREES = ("jours", "mois")


def decaler(jour: date, duree: dict[str, int], signe: int) -> date:
    depart = jour
    try:
        jour = jour + timedelta(days=signe * duree.get("jours", 0))
        mois = signe * (duree.get("mois", 0) + 12 * duree.get("ans", 0))
        if mois:
            total = jour.year * 12 + jour.month - 1 + mois
            annee, mois0 = divmod(total, 12)
            dernier = calendar.monthrange(annee, mois0 + 1)[1]
            jour = date(annee, mois0 + 1, min(jour.day, dernier))
    except (OverflowError, ValueError):
        # Une date aux bornes du calendrier (an 1, an 9999) ou une durée démesurée : la règle rend
        # « erreur », les autres sont évaluées (jamais d'erreur interne).
        singulier = {"jours": "jour", "ans": "an"}
        texte = ", ".join(f"{n} {singulier.get(u, u) if n == 1 else u}" for u, n in duree.items() if n)
        raise ErreurCalcul(
            f"{depart.isoformat()} {'plus' if signe > 0 else 'moins'} {texte} sort du calendrier (de l'an 1 à l'an 9999)"
        ) from None
    return jour


def date_iso(texte: str) -> bool:
    """Une date réelle écrite AAAA-MM-JJ."""
    try:
        date.fromisoformat(texte)
    except ValueError:
        return False
    return len(texte) == 10
