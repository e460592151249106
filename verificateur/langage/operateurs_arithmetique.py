"""Opérateurs d'arithmétique : les valeurs `ratio` (une part, affichée en pourcentage), `difference`
et `produit`. Pour chacun : évaluation, fermeture du chemin rapide, contrôle de types, texte, et son
enregistrement dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from verificateur.langage.compilation import Lent, compiler_valeur, nombre_rapide
from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_valeurs
from verificateur.langage.explication import texte_calcule, texte_valeur
from verificateur.langage.registre import VALEUR, Operateur, valeur
from verificateur.langage.types_statiques import Type, Verificateur
from verificateur.langage.valeurs import ErreurCalcul, Part, Val, nombre_de
from verificateur.socle.lecture import Chemin

# --- évaluation ----------------------------------------------------------------------------------


def _v_ratio(expr: dict[str, Any], ctx: Contexte) -> Val:
    a, b = (valeur(x, ctx) for x in expr["ratio"])
    na, nb = nombre_de(a, "ratio"), nombre_de(b, "ratio")
    if nb == 0:
        raise ErreurCalcul(f"ratio : division par zéro (« {b.texte} » vaut 0)", b.ou)
    return Val(Part(na / nb), a.ou or b.ou, texte_valeur(expr), "part")


def _v_difference(expr: dict[str, Any], ctx: Contexte) -> Val:
    a, b = (valeur(x, ctx) for x in expr["difference"])
    return Val(nombre_de(a, "différence") - nombre_de(b, "différence"), a.ou or b.ou, f"{a.texte} − {b.texte}", a.unite)


def _v_produit(expr: dict[str, Any], ctx: Contexte) -> Val:
    vals = [valeur(x, ctx) for x in expr["produit"]]
    total = Decimal(1)
    for v in vals:
        total *= nombre_de(v, "produit")
    return Val(total, next((v.ou for v in vals if v.ou), None), " × ".join(v.texte for v in vals))


# --- chemin rapide -------------------------------------------------------------------------------


def _deux_valeurs(expr: dict[str, Any], nom: str) -> tuple[Callable[[Contexte], Any], Callable[[Contexte], Any]] | None:
    """Les deux arguments compilés de « difference » ou « ratio », ou None si la forme est autre."""
    arguments = expr[nom]
    if len(expr) != 1 or not isinstance(arguments, list) or len(arguments) != 2:
        return None
    a, b = (compiler_valeur(x) for x in arguments)
    return a, b


def _k_difference(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    valeurs = _deux_valeurs(expr, "difference")
    if valeurs is None:
        return None
    a, b = valeurs

    def calcul(ctx: Contexte) -> Any:
        x, y = a(ctx), b(ctx)
        return nombre_rapide(x) - nombre_rapide(y)
    return calcul


def _k_ratio(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    valeurs = _deux_valeurs(expr, "ratio")
    if valeurs is None:
        return None
    a, b = valeurs

    def calcul(ctx: Contexte) -> Any:
        x, y = a(ctx), b(ctx)
        nx, ny = nombre_rapide(x), nombre_rapide(y)
        if ny == 0:
            raise Lent
        return Part(nx / ny)
    return calcul


# --- types, texte ------------------------------------------------------------------------------------


def _t_arithmetique(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    types = [v.valeur(x, portee, ici + (i,)) for i, x in enumerate(expr[op])]
    for t in types:
        v.nombre(t, f"« {op} »", ici)
    if op == "ratio":
        return Type("nombre", f"résultat de « {op} »", unite="part")
    return Type("nombre", f"résultat de « {op} »", unite=types[0].unite if op == "difference" else None)


def _texte_ratio(expr: dict[str, Any]) -> str:
    return f"{texte_valeur(expr['ratio'][0])} / {texte_valeur(expr['ratio'][1])}"


OPERATEURS = (
    Operateur("ratio", VALEUR, _v_ratio, enfants_valeurs, _t_arithmetique, _texte_ratio, compiler=_k_ratio),
    Operateur("difference", VALEUR, _v_difference, enfants_valeurs, _t_arithmetique, texte_calcule, compiler=_k_difference),
    Operateur("produit", VALEUR, _v_produit, enfants_valeurs, _t_arithmetique, texte_calcule),
)
