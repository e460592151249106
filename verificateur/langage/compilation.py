"""Compilation : le chemin rapide des conditions muettes (#15).

Un filtre `si` (et la condition d'un quantificateur) est évalué pour chaque élément d'une liste, et
seul son `ok` compte : c'est là que le moteur passe son temps (un registre de vulnérabilités de
300 rangées). Chaque expression est donc compilée une fois en une fermeture, par le champ
`compiler` de son opérateur : une condition en `test(ctx) -> bool`, une valeur en
`calcul(ctx) -> valeur brute`, sans Val, sans Noeud intermédiaire, sans emplacement.
Le chemin rapide ne couvre que le cas ordinaire : devant tout le reste (champ absent, types
différents à comparer, heure, nom à résoudre…) il lève `Lent`, et l'interprète reprend
l'expression entière depuis le début. L'évaluation est pure (ses seules écritures, fichiers et
paramètres lus, sont idempotentes), et le chemin rapide évalue dans le même ordre que l'interprète :
mêmes statuts, mêmes erreurs, mêmes constats, octet pour octet.

Ce module tient le cache et les aides communes ; la fermeture de chaque opérateur est écrite dans sa
famille (`operateurs_*.py`), à côté de son évaluation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from verificateur.langage.contexte import Contexte
from verificateur.langage.registre import (
    CONDITION,
    CONDITIONS,
    OPERATEURS_CONDITION,
    OPERATEURS_VALEUR,
    VALEUR,
    VALEURS,
    condition,
    operation,
    valeur,
)
from verificateur.langage.valeurs import ErreurCalcul, Part, brut


class Lent(Exception):
    """Le chemin rapide ne sait pas conclure à l'identique : l'interprète reprend l'expression."""


# Compilées une fois par expression d'une règle chargée : clé id(expr) (et sa nature), l'expression
# gardée avec sa fermeture (un id n'est réutilisé qu'après la mort de l'objet, que cette référence empêche).
_COMPILES: dict[tuple[int, str], tuple[Any, Callable[[Contexte], Any]]] = {}
# Borne : un processus qui recharge souvent des catalogues (les tests) ne garde pas toutes leurs
# expressions ; vider le cache ne coûte qu'une nouvelle compilation.
_MAX_COMPILES = 20_000

RAPIDE = "test rapide"  # clé du cache : un test compilé sans repli (`test_rapide`)
# Les types que le chemin rapide compare sans conversion.
TYPES_RAPIDES = (str, date, int, Decimal)
NOMBRES = (int, Decimal, Part)


def _garder(cle: tuple[int, str], entree: tuple[Any, Callable[[Contexte], Any]]) -> None:
    if len(_COMPILES) >= _MAX_COMPILES:
        _COMPILES.clear()
    _COMPILES[cle] = entree


def compiler_valeur(expr: Any) -> Callable[[Contexte], Any]:
    """La valeur brute de `expr` (`brut(valeur(expr, ctx))`), ou `Lent`."""
    if not isinstance(expr, dict):
        constante = Decimal(str(expr)) if isinstance(expr, float) else expr
        return lambda ctx: constante
    try:
        op = OPERATEURS_VALEUR[operation(expr, VALEURS)]
    except ErreurCalcul:
        op = None
    compile_ = op.compiler(expr) if op is not None and op.compiler is not None else None
    if compile_ is None:
        return lambda ctx: brut(valeur(expr, ctx))
    return compile_


def compiler_test(expr: Any) -> Callable[[Contexte], bool]:
    """`condition(expr, ctx).ok` pour un contexte muet, ou `Lent`."""
    op = None
    if isinstance(expr, dict):
        with contextlib.suppress(ErreurCalcul):
            op = OPERATEURS_CONDITION[operation(expr, CONDITIONS)]
    compile_ = op.compiler(expr) if op is not None and op.compiler is not None else None
    if compile_ is None:
        return lambda ctx: condition(expr, ctx).ok
    return compile_


def _en_cache(expr: Any, nature: str, fabriquer: Callable[[Any], Callable[[Contexte], Any]]) -> Callable[[Contexte], Any]:
    """La fermeture de `expr` pour `nature`, fabriquée à la première demande puis gardée."""
    entree = _COMPILES.get((id(expr), nature))
    if entree is None or entree[0] is not expr:
        entree = (expr, fabriquer(expr))
        _garder((id(expr), nature), entree)
    return entree[1]


def test_rapide(expr: Any) -> Callable[[Contexte], bool]:
    """Le test compilé (en cache) d'une condition, sans repli : il peut lever `Lent`. Pour une boucle
    chaude qui écrit son repli elle-même (un appel de moins par tour que `filtre_compile`)."""
    return _en_cache(expr, RAPIDE, compiler_test)


def _avec_repli_condition(expr: Any) -> Callable[[Contexte], bool]:
    rapide = compiler_test(expr)

    def tester(ctx: Contexte) -> bool:
        try:
            return rapide(ctx)
        except Lent:
            return condition(expr, ctx).ok
    return tester


def filtre_compile(expr: Any) -> Callable[[Contexte], bool]:
    """Le test compilé (en cache) d'une condition, pour un contexte muet : `condition(expr, ctx).ok`."""
    return _en_cache(expr, CONDITION, _avec_repli_condition)


def _avec_repli_valeur(expr: Any) -> Callable[[Contexte], Any]:
    rapide = compiler_valeur(expr)

    def calculer(ctx: Contexte) -> Any:
        try:
            return rapide(ctx)
        except Lent:
            return brut(valeur(expr, ctx))
    return calculer


def valeur_compilee(expr: Any) -> Callable[[Contexte], Any]:
    """La valeur brute compilée (en cache) de `expr`, `brut(valeur(expr, ctx))`, l'interprète
    reprenant tout cas non couvert."""
    return _en_cache(expr, VALEUR, _avec_repli_valeur)


# --- aides des fermetures ----------------------------------------------------------------------------


def nombre_rapide(x: Any) -> Decimal:
    """`nombre_de` sans message : un nombre (ni booléen) devient Decimal, tout autre cas rend la main."""
    if type(x) not in NOMBRES:
        raise Lent
    return Decimal(x)


def types_rapides(x: Any, y: Any) -> bool:
    """Deux valeurs que l'interprète comparerait sans conversion : même nature, ni booléen, ni heure."""
    tx, ty = type(x), type(y)
    return (tx is ty and tx in TYPES_RAPIDES) or (tx in NOMBRES and ty in NOMBRES)
