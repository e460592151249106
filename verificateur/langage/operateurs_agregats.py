"""Opérateurs d'agrégation sur une liste (ou sur des valeurs écrites) : les valeurs `somme`, `maximum`,
`minimum` et `nombre`. Pour chacun : évaluation, contrôle de types, texte (« somme de … sur … »), et
son enregistrement dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from verificateur.langage.compilation import compiler_valeur, nombre_rapide
from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_parcours
from verificateur.langage.explication import texte_liste, texte_valeur
from verificateur.langage.interpretation import elements_gardes
from verificateur.langage.registre import VALEUR, Operateur, valeur
from verificateur.langage.types_statiques import INCONNU, Type, Verificateur
from verificateur.langage.valeurs import ErreurCalcul, PreuveManquante, Val, brut, comparable, nombre_de
from verificateur.socle.lecture import Chemin

# --- évaluation ----------------------------------------------------------------------------------


def _agreger(cle: str, expr: dict[str, Any], ctx: Contexte) -> list[Val]:
    spec = expr[cle]
    if isinstance(spec, list):
        return [valeur(x, ctx) for x in spec]
    if "valeur" not in spec:
        raise ErreurCalcul(f"{cle} sur une liste : « valeur » attendue")
    # Un seul contexte pour tout le parcours, l'élément changé à chaque tour : chaque valeur est
    # calculée avant le tour suivant, et rien ne garde le contexte.
    nom = spec.get("comme", "element")
    sous = ctx.avec(nom, None)
    vals = []
    for element in elements_gardes(spec, ctx):
        sous.variables[nom] = element
        vals.append(valeur(spec["valeur"], sous))
    return vals


def _v_somme(expr: dict[str, Any], ctx: Contexte) -> Val:
    vals = _agreger("somme", expr, ctx)
    total = sum((nombre_de(v, "somme") for v in vals), Decimal(0))
    return Val(total, None, texte_valeur(expr), vals[0].unite if vals else None)


def _extreme(cle: str) -> Callable[[dict[str, Any], Contexte], Val]:
    def evaluer(expr: dict[str, Any], ctx: Contexte) -> Val:
        vals = [v for v in _agreger(cle, expr, ctx) if brut(v) is not None]
        if not vals:
            raise PreuveManquante(f"{texte_valeur(expr)} : aucun élément")
        choisir = max if cle == "maximum" else min
        try:
            meilleur = choisir(vals, key=lambda v: comparable(brut(v)))
        except TypeError:
            raise ErreurCalcul(f"{cle} : valeurs de types différents") from None
        return Val(brut(meilleur), meilleur.ou, texte_valeur(expr) if isinstance(expr[cle], dict) else meilleur.texte, meilleur.unite)
    return evaluer


def _v_nombre(expr: dict[str, Any], ctx: Contexte) -> Val:
    return Val(sum(1 for _ in elements_gardes(expr["nombre"], ctx)), None, texte_valeur(expr))


# --- chemin rapide -------------------------------------------------------------------------------


def _k_somme(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if len(expr) != 1:
        return None
    spec = expr["somme"]
    if isinstance(spec, list):
        termes = [compiler_valeur(x) for x in spec]

        def calcul_liste(ctx: Contexte) -> Any:
            bruts = [terme(ctx) for terme in termes]  # toutes calculées avant d'être additionnées, comme l'interprète
            return sum((nombre_rapide(x) for x in bruts), Decimal(0))
        return calcul_liste
    if "valeur" not in spec:
        return None
    nom = spec.get("comme", "element")
    terme = compiler_valeur(spec["valeur"])

    def calcul(ctx: Contexte) -> Any:
        sous = ctx.avec(nom, None)
        bruts = []
        for element in elements_gardes(spec, ctx):
            sous.variables[nom] = element
            bruts.append(terme(sous))
        return sum((nombre_rapide(x) for x in bruts), Decimal(0))
    return calcul


# --- types, texte ------------------------------------------------------------------------------------


def _t_agregat(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg = expr[op]
    if isinstance(arg, list):
        types = [v.valeur(x, portee, ici + (i,)) for i, x in enumerate(arg)]
    else:
        interieur = v.parcourir(arg, portee, ici, op)
        types = [v.valeur(arg["valeur"], interieur, ici + ("valeur",))] if "valeur" in arg else []
    for t in types:
        if op == "somme":
            v.nombre(t, "« somme »", ici)
        else:
            v.attendre(t, ("nombre", "date"), f"« {op} »", ici)
    connus = [t for t in types if t.genre != "inconnu"]
    return Type(connus[0].genre, f"résultat de « {op} »", unite=connus[0].unite) if connus else INCONNU


def _t_nombre(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    v.parcourir(expr[op], portee, ici, op)
    return Type("nombre", "résultat de « nombre »")


def _texte_agregat(cle: str) -> Callable[[dict[str, Any]], str]:
    def texte(expr: dict[str, Any]) -> str:
        if not isinstance(expr[cle], dict):
            return "valeur calculée"
        return f"{cle} de {texte_valeur(expr[cle].get('valeur', {}))} sur {texte_liste(expr[cle]['dans'])}"
    return texte


def _texte_nombre(expr: dict[str, Any]) -> str:
    return f"nombre d'éléments de {texte_liste(expr['nombre']['dans'])}"


OPERATEURS = (
    Operateur("somme", VALEUR, _v_somme, enfants_parcours, _t_agregat, _texte_agregat("somme"), compiler=_k_somme),
    Operateur("maximum", VALEUR, _extreme("maximum"), enfants_parcours, _t_agregat, _texte_agregat("maximum")),
    Operateur("minimum", VALEUR, _extreme("minimum"), enfants_parcours, _t_agregat, _texte_agregat("minimum")),
    Operateur("nombre", VALEUR, _v_nombre, enfants_parcours, _t_nombre, _texte_nombre),
)
