"""Les formes de sous-expressions que partagent les opérateurs (le champ `enfants` d'un `Operateur`) :
chacune rend, pour les parcours de validation, (chemin, expression, est-ce une condition, noms visibles)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from verificateur.langage.registre import Enfant
from verificateur.socle.lecture import Chemin


def enfants_aucun(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    return iter(())


def enfants_argument(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin, arg, False, portee


def enfants_valeurs(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    for i, v in enumerate(arg):
        yield chemin + (i,), v, False, portee


def enfants_cles(*cles: str) -> Callable[[Any, Chemin, set[str]], Iterator[Enfant]]:
    def enfants(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
        for cle in cles:  # toutes obligatoires (schéma)
            yield chemin + (cle,), arg[cle], False, portee
    return enfants


def enfants_parcours(arg: Any, chemin: Chemin, portee: set[str], interieur_visible: bool = True) -> Iterator[Enfant]:
    """`dans` (ou `liste`), puis `si`, `condition`, `valeur`, `element` dans la portée de l'élément."""
    if isinstance(arg, list):
        yield from enfants_valeurs(arg, chemin, portee)
        return
    dans = arg.get("dans", arg.get("liste"))
    if isinstance(dans, str):
        if dans.split(".")[0] not in portee:
            yield chemin + ("dans",), {"champ": dans}, False, portee  # signale le nom inconnu
    elif dans is not None:
        yield chemin + ("dans",), dans, False, portee
    interieur = portee | {arg.get("comme", "element")}
    if "si" in arg:
        yield chemin + ("si",), arg["si"], True, interieur
    if "condition" in arg:
        yield chemin + ("condition",), arg["condition"], True, interieur
    for cle in ("valeur", "element"):
        if cle in arg:
            yield chemin + (cle,), arg[cle], False, interieur if interieur_visible else portee
