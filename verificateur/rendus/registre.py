"""Un format de sortie = un enregistrement (#14.3).

Chaque famille de rendus (rapport d'un établissement, lot, éligibilité, échéancier, historique,
observatoire) tient son registre : un `Format` par valeur de `--format`. La CLI construit ses
`click.Choice` à partir de ces registres ; le rendu, l'extension de fichier et le caractère binaire
d'un format ne sont écrits qu'ici. Ajouter un format : un module (ou une fonction) qui le rend, et un
enregistrement dans le registre de sa famille (docs/architecture.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Format:
    nom: str  # la valeur de --format
    # « module:fonction » : le module n'est importé que si le format est demandé (tabulate, Jinja2,
    # icalendar restent hors du chemin des autres formats et du crochet).
    fonction: str
    extension: str  # celle d'un fichier de ce format (« .xlsx ») : --liste la reconnaît
    binaire: bool = False  # des octets : jamais vers un terminal

    def rendu(self) -> Callable[..., Any]:
        """La fonction de rendu. Sa signature et son résultat (texte, octets, morceaux) sont ceux de sa
        famille, que dit la fonction `rendu` du module de chaque registre."""
        module, _, nom = self.fonction.partition(":")
        return getattr(importlib.import_module(module), nom)


def registre(*formats: Format) -> dict[str, Format]:
    """Nom → enregistrement, dans l'ordre donné (celui de l'aide de --format)."""
    noms = [f.nom for f in formats]
    if len(set(noms)) != len(noms):
        raise ValueError(f"format enregistré deux fois : {noms}")
    return {f.nom: f for f in formats}
