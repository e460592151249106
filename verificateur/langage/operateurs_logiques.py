"""Opérateurs logiques : les conditions `toutes_ces_conditions`, `une_de_ces_conditions` et `non`.
Pour chacun : évaluation (les constats des sous-conditions qui décident), fermeture du chemin rapide,
sous-expressions, contrôle de types, et son enregistrement dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from verificateur.langage.compilation import compiler_test
from verificateur.langage.contexte import Contexte
from verificateur.langage.operateurs_champs import test_renseigne
from verificateur.langage.registre import CONDITION, Enfant, Operateur, condition
from verificateur.langage.types_statiques import Type, Verificateur
from verificateur.langage.valeurs import Resultat
from verificateur.socle.lecture import Chemin

# --- évaluation ----------------------------------------------------------------------------------


def _c_toutes(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    resultats = [condition(c, ctx) for c in expr["toutes_ces_conditions"]]
    ok = all(r.ok for r in resultats)
    return Resultat(ok, [c for r in resultats if ok or not r.ok for c in r.constats])


def _c_une(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    resultats = []
    for c in expr["une_de_ces_conditions"]:
        r = condition(c, ctx)
        if r.ok:
            return Resultat(True, r.constats)
        resultats.append(r)
    return Resultat(False, [c for r in resultats for c in r.constats])


def _c_non(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    r = condition(expr["non"], ctx)
    return Resultat(not r.ok, r.constats)


# --- chemin rapide -------------------------------------------------------------------------------


def _k_toutes(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    tests = [compiler_test(c) for c in expr["toutes_ces_conditions"]]

    def test(ctx: Contexte) -> bool:
        ok = True
        for t in tests:  # toutes évaluées, comme l'interprète : leurs erreurs comptent
            if not t(ctx):
                ok = False
        return ok
    return test


def _k_une(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    tests = [compiler_test(c) for c in expr["une_de_ces_conditions"]]

    def test(ctx: Contexte) -> bool:
        return any(t(ctx) for t in tests)
    return test


def _k_non(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    sous = expr["non"]
    if isinstance(sous, dict) and len(sous) == 1 and isinstance(sous.get("renseigne"), str):
        return test_renseigne(sous["renseigne"], True)
    interieur = compiler_test(sous)
    return lambda ctx: not interieur(ctx)


# --- sous-expressions, types -------------------------------------------------------------------------


def _e_conditions(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    for i, c in enumerate(arg):
        yield chemin + (i,), c, True, portee


def _e_non(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin, arg, True, portee


def _t_conditions(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    for i, c in enumerate(expr[op]):
        v.condition(c, portee, ici + (i,))


def _t_non(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.condition(expr[op], portee, ici)


OPERATEURS = (
    Operateur("toutes_ces_conditions", CONDITION, _c_toutes, _e_conditions, _t_conditions, compiler=_k_toutes),
    Operateur("une_de_ces_conditions", CONDITION, _c_une, _e_conditions, _t_conditions, compiler=_k_une),
    Operateur("non", CONDITION, _c_non, _e_non, _t_non, compiler=_k_non),
)
