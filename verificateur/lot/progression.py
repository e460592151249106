"""La barre de progression d'un lot : sur stderr, seulement vers un terminal ; rien sur stdout."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from verificateur.lot.decouverte import Tache
from verificateur.socle import donnees_personnelles


def ligne_progression(faits: int, total: int, ecoule: float, courant: str, largeur: int = 100) -> str:
    """« 120/3000 (4 %) · 52,3 dépôts/s · reste ≈ 55 s · exemples/chu-armorique », coupée à `largeur`."""
    debit = faits / ecoule if ecoule > 0 else 0.0
    pourcent = faits * 100 // total if total else 100
    morceaux = [f"{faits}/{total} ({pourcent} %)", f"{debit:.1f} dépôts/s".replace(".", ",")]
    if debit > 0 and faits < total:
        reste = (total - faits) / debit
        morceaux.append(f"reste ≈ {int(reste // 60)} min {int(reste % 60):02d} s" if reste >= 60 else f"reste ≈ {int(reste)} s")
    morceaux.append(donnees_personnelles.assainir(courant))  # un nom de dossier va au terminal
    texte = " · ".join(morceaux)
    return texte if len(texte) <= largeur else texte[: max(largeur - 1, 0)] + "…"


class Progression:
    """Barre de progression sur stderr, seulement vers un terminal ; rien n'est écrit sur stdout."""

    def __init__(self, total: int, flux: TextIO | None = None, active: bool = True):
        self.flux = flux or sys.stderr
        self.active = active and self.flux.isatty()
        self.total = total
        self.faits = 0
        self.debut = time.monotonic()
        self._dernier = 0.0

    def __call__(self, tache: Tache, finie: bool) -> None:
        if finie:
            self.faits += 1
        if not self.active:
            return
        maintenant = time.monotonic()
        if maintenant - self._dernier < 0.1 and self.faits < self.total:
            return
        self._dernier = maintenant
        import shutil

        largeur = shutil.get_terminal_size((100, 20)).columns - 1
        self.flux.write("\r\x1b[K" + ligne_progression(self.faits, self.total, maintenant - self.debut, tache.chemin, largeur))
        self.flux.flush()

    def terminer(self) -> None:
        if self.active:
            self.flux.write("\r\x1b[K")
            self.flux.flush()

