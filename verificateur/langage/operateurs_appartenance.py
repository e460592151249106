"""Opérateurs d'appartenance : les conditions `appartient` (une valeur parmi une liste permise) et
`contient` (une liste contient une valeur). Pour chacun : évaluation, sous-expressions, contrôle de
types, et son enregistrement dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_parcours
from verificateur.langage.explication import texte_liste
from verificateur.langage.interpretation import elements
from verificateur.langage.registre import CONDITION, Enfant, Operateur, valeur
from verificateur.langage.types_statiques import Type, Verificateur
from verificateur.langage.valeurs import Constat, Resultat, afficher, brut
from verificateur.socle.lecture import Chemin

# --- évaluation ----------------------------------------------------------------------------------


def _liste_valeurs(spec: Any, ctx: Contexte) -> list[Any]:
    if isinstance(spec, list):
        return [brut(valeur(x, ctx)) for x in spec]
    return [e.valeur for e in elements(spec, ctx)]


def _c_appartient(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["appartient"]
    v = valeur(spec["valeur"], ctx)
    permises = _liste_valeurs(spec["liste"], ctx)
    ok = brut(v) in permises
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or v.texte
    return Resultat(ok, [Constat(f"{sujet} : {afficher(brut(v))}, attendu parmi {', '.join(afficher(p) for p in permises)}", v.ou)])


def _c_contient(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["contient"]
    liste = elements(spec["liste"], ctx)
    v = valeur(spec["valeur"], ctx)
    contenu = [e.valeur for e in liste]
    ok = brut(v) in contenu
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or texte_liste(spec["liste"])
    ou = liste[0].ou if liste and liste[0].ou else None
    return Resultat(ok, [Constat(f"{sujet} : {afficher(contenu)}, {'contient' if ok else 'attendu contenant'} {afficher(brut(v))}", ou)])


# --- sous-expressions, types -------------------------------------------------------------------------


def _e_appartient(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin + ("valeur",), arg["valeur"], False, portee
    if isinstance(arg["liste"], list):
        for i, v in enumerate(arg["liste"]):
            yield chemin + ("liste", i), v, False, portee
    else:
        yield chemin + ("liste",), arg["liste"] if isinstance(arg["liste"], dict) else {"champ": arg["liste"]}, False, portee


def _e_contient(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    return enfants_parcours(arg, chemin, portee, interieur_visible=False)


def _t_appartient(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    t = v.valeur(arg["valeur"], portee, ici + ("valeur",))
    if isinstance(arg["liste"], list):
        for i, x in enumerate(arg["liste"]):
            v.comparer("egal", t, v.valeur(x, portee, ici + ("liste", i)), ici, "appartient")
    else:
        element = v.liste(arg["liste"], portee, ici + ("liste",), op, "liste")
        v.comparer("egal", t, element, ici, "appartient")


def _t_contient(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    element = v.liste(arg["liste"], portee, ici + ("liste",), op, "liste")
    v.comparer("egal", element, v.valeur(arg["valeur"], portee, ici + ("valeur",)), ici, "contient")


OPERATEURS = (
    Operateur("appartient", CONDITION, _c_appartient, _e_appartient, _t_appartient),
    Operateur("contient", CONDITION, _c_contient, _e_contient, _t_contient),
)
