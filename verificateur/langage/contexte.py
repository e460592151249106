"""Le contexte d'évaluation d'une règle (date, preuves, paramètres, preuves nommées, variables,
fichiers et paramètres lus) et les motifs de fichiers (`fichiers: exercices/*.yaml`).
La résolution d'un nom en preuve est dans `interpretation` (elle évalue des expressions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from verificateur.langage.valeurs import Parametre
from verificateur.preuves import Preuves


@dataclass
class Contexte:
    date_evaluation: date
    preuves: Preuves
    parametres: dict[str, Parametre]
    liaisons: dict[str, dict[str, Any]]
    variables: dict[str, Any] = field(default_factory=dict)
    resolues: dict[str, Any] = field(default_factory=dict)  # partagé entre contextes d'une même règle
    lus: dict[str, None] = field(default_factory=dict)  # fichiers lus, dans l'ordre
    parametres_lus: dict[str, tuple[date, Any, str]] = field(default_factory=dict)
    # Muet : seul `ok` compte (filtre `si`) ; les conditions ne rédigent pas leurs constats, mais
    # calculent toutes les mêmes valeurs (mêmes erreurs, mêmes fichiers et paramètres lus).
    muet: bool = False
    # Les fichiers de chaque motif (`fichiers: budget/*.yaml`) parmi ces preuves : cherchés une fois,
    # partagés par les règles d'une même évaluation (evaluation.evaluer).
    motifs: dict[str, list[str]] = field(default_factory=dict)

    def avec(self, nom: str, valeur: Any, muet: bool | None = None) -> Contexte:
        return Contexte(self.date_evaluation, self.preuves, self.parametres, self.liaisons,
                        {**self.variables, nom: valeur}, self.resolues, self.lus, self.parametres_lus,
                        self.muet if muet is None else muet, self.motifs)

    def fichiers_du_motif(self, motif: str) -> list[str]:
        """Les fichiers des preuves que désigne `motif`, dans l'ordre des preuves."""
        chemins = self.motifs.get(motif)
        if chemins is None:
            regex, prefixe = motif_regex(motif), _prefixe_fixe(motif)
            # Le début fixe du motif (« budget/ ») écarte d'abord presque tous les fichiers, sans expression régulière.
            chemins = self.motifs[motif] = [c for c in self.preuves.fichiers if c.startswith(prefixe) and regex.fullmatch(c)]
        return chemins


@lru_cache(maxsize=512)
def motif_regex(motif: str) -> re.Pattern[str]:
    # En cache : appelé pour chaque règle de chaque dépôt d'un lot, avec une poignée de motifs.
    morceaux = []
    i = 0
    while i < len(motif):
        if motif.startswith("**/", i):
            morceaux.append("(?:.*/)?")
            i += 3
        elif motif.startswith("**", i):
            morceaux.append(".*")
            i += 2
        elif motif[i] == "*":
            morceaux.append("[^/]*")
            i += 1
        elif motif[i] == "?":
            morceaux.append("[^/]")
            i += 1
        else:
            morceaux.append(re.escape(motif[i]))
            i += 1
    return re.compile("".join(morceaux))


@lru_cache(maxsize=512)
def _prefixe_fixe(motif: str) -> str:
    """Le début d'un motif avant son premier joker : tout fichier du motif commence par lui."""
    for i, car in enumerate(motif):
        if car in "*?":
            return motif[:i]
    return motif
