"""Opérateurs de comparaison : les conditions `egal`, `different`, `superieur`, `superieur_ou_egal`,
`inferieur`, `inferieur_ou_egal` et `entre`. Pour chacun : évaluation et constat (« sujet : valeur,
attendu ≥ seuil »), fermeture du chemin rapide, contrôle de types, et son enregistrement dans `OPERATEURS`."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from verificateur.langage.compilation import NOMBRES, TYPES_RAPIDES, Lent, compiler_valeur, types_rapides
from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_cles, enfants_valeurs
from verificateur.langage.operateurs_champs import champ_court, lire_court
from verificateur.langage.registre import CONDITION, Operateur, valeur
from verificateur.langage.types_statiques import Type, Verificateur
from verificateur.langage.valeurs import Constat, ErreurCalcul, Noeud, Resultat, Val, afficher, brut, comparable
from verificateur.socle.lecture import Chemin

SIGNES = {
    "egal": "=", "different": "≠", "superieur": ">", "superieur_ou_egal": "≥",
    "inferieur": "<", "inferieur_ou_egal": "≤",
}

DATE_EVALUATION = {"date": "evaluation"}

_OPERATEURS: dict[str, Callable[[Any, Any], Any]] = {
    "egal": operator.eq, "different": operator.ne, "superieur": operator.gt, "superieur_ou_egal": operator.ge,
    "inferieur": operator.lt, "inferieur_ou_egal": operator.le,
}

# --- évaluation ----------------------------------------------------------------------------------


def _nature(v: Any) -> str:
    if isinstance(v, bool):
        return "booléen"
    if isinstance(v, (int, Decimal)):
        return "nombre"
    if isinstance(v, (date, datetime)):
        return "date"
    if isinstance(v, str):
        return "texte"
    if v is None:
        return "vide"
    return "table ou liste"


def comparer(op: str, a: Val, b: Val) -> bool:
    x, y = brut(a), brut(b)
    if isinstance(x, datetime) != isinstance(y, datetime):
        x, y = comparable(x), comparable(y)
    elif isinstance(x, datetime) and (x.tzinfo is None) != (y.tzinfo is None):
        raise ErreurCalcul(
            f"comparaison impossible : « {a.texte} » ({afficher(x)}) et « {b.texte} » ({afficher(y)}), "
            "une heure avec fuseau horaire et l'autre sans",
            a.ou or b.ou,
        )
    nx, ny = _nature(x), _nature(y)
    if nx != ny or nx in ("vide", "table ou liste") or (nx == "booléen" and op not in ("egal", "different")):
        raise ErreurCalcul(
            f"comparaison impossible : « {a.texte} » ({nx}, {afficher(x)}) et « {b.texte} » ({ny}, {afficher(y)})",
            a.ou or b.ou,
        )
    return bool(_OPERATEURS[op](x, y))


def _attendu(b: Val) -> str:
    """Le seuil d'un constat : sa valeur, et d'où elle vient (paramètre, champ) quand ce n'est pas elle-même."""
    texte = afficher(brut(b), b.unite)
    if b.parametre:
        return f"{texte} ({b.parametre})"
    if (b.texte and b.texte not in (texte, afficher(brut(b))) and not isinstance(brut(b), (date, datetime))
            or b.texte == "date d'évaluation"):
        return f"{texte} ({b.texte})"
    return texte


def _c_comparaison(op: str) -> Callable[[dict[str, Any], Contexte], Resultat]:
    def evaluer(expr: dict[str, Any], ctx: Contexte) -> Resultat:
        a, b = (valeur(x, ctx) for x in expr[op])
        ok = comparer(op, a, b)
        if ctx.muet:
            return Resultat(ok)
        sujet = expr.get("libelle") or a.texte
        texte = f"{sujet} : {afficher(brut(a), a.unite or b.unite)}, attendu {SIGNES[op]} {_attendu(b)}"
        return Resultat(ok, [Constat(texte, a.ou or b.ou)])
    return evaluer


def _c_entre(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["entre"]
    v, mini, maxi = valeur(spec["valeur"], ctx), valeur(spec["min"], ctx), valeur(spec["max"], ctx)
    ok = comparer("superieur_ou_egal", v, mini) and comparer("inferieur_ou_egal", v, maxi)
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or v.texte
    texte = (f"{sujet} : {afficher(brut(v), v.unite)}, "
             f"attendu entre {afficher(brut(mini), mini.unite)} et {afficher(brut(maxi), maxi.unite)}")
    return Resultat(ok, [Constat(texte, v.ou)])


# --- chemin rapide -------------------------------------------------------------------------------


def _k_comparaison(op: str) -> Callable[[dict[str, Any]], Callable[[Contexte], bool] | None]:
    comparer_bruts = _OPERATEURS[op]

    def compiler(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
        arguments = expr[op]
        if not isinstance(arguments, list) or len(arguments) != 2:
            return None
        court = champ_court(arguments[0])
        if court is not None and (not isinstance(arguments[1], (dict, float)) or arguments[1] == DATE_EVALUATION):
            return _test_champ_court(comparer_bruts, court, arguments[1])
        a, b = (compiler_valeur(x) for x in arguments)
        if not isinstance(arguments[1], (dict, float)):  # comparé à une constante (« critique ») : son type est connu
            return _test_constante(comparer_bruts, a, arguments[1])

        def test(ctx: Contexte) -> bool:
            x, y = a(ctx), b(ctx)
            tx, ty = type(x), type(y)
            # Seuls les cas que `comparer` accepte sans conversion : même nature, ni booléen, ni heure.
            if (tx is ty and tx in TYPES_RAPIDES) or (tx in NOMBRES and ty in NOMBRES):
                return bool(comparer_bruts(x, y))
            raise Lent
        return test
    return compiler


def _test_champ_court(comparer_bruts: Callable[[Any, Any], Any], court: tuple[str, str], b: Any) -> Callable[[Contexte], bool]:
    """« v.criticite = critique », « v.detectee_le ≤ date d'évaluation » : la forme des filtres d'un
    registre, testée pour chaque rangée. La lecture du champ (`lire_court`) est recopiée dans la
    fermeture : un appel de moins par rangée et par comparaison, sur le chemin le plus chaud du moteur."""
    tete, cle = court
    if b == DATE_EVALUATION:
        def test_date(ctx: Contexte) -> bool:
            courant = ctx.variables.get(tete)
            if courant is None:
                x = lire_court(ctx, tete, cle)
            elif type(courant) is Noeud and type(courant.valeur) is dict and cle in courant.valeur:
                x = courant.valeur[cle]
            else:
                raise Lent
            y = ctx.date_evaluation
            if type(x) is date and type(y) is date:
                return bool(comparer_bruts(x, y))
            raise Lent
        return test_date
    ty = type(b)
    meme_type = ty in TYPES_RAPIDES
    nombre = ty in NOMBRES

    def test_constante(ctx: Contexte) -> bool:
        courant = ctx.variables.get(tete)
        if courant is None:
            x = lire_court(ctx, tete, cle)
        elif type(courant) is Noeud and type(courant.valeur) is dict and cle in courant.valeur:
            x = courant.valeur[cle]
        else:
            raise Lent
        tx = type(x)
        if (tx is ty and meme_type) or (nombre and tx in NOMBRES):
            return bool(comparer_bruts(x, b))
        raise Lent
    return test_constante


def _test_constante(comparer_bruts: Callable[[Any, Any], Any], a: Callable[[Contexte], Any], y: Any) -> Callable[[Contexte], bool]:
    """Une valeur comparée à une constante de la règle, dont le type est connu à la compilation."""
    ty = type(y)
    meme_type = ty in TYPES_RAPIDES
    nombre = ty in NOMBRES

    def test_constante(ctx: Contexte) -> bool:
        x = a(ctx)
        tx = type(x)
        if (tx is ty and meme_type) or (nombre and tx in NOMBRES):
            return bool(comparer_bruts(x, y))
        raise Lent
    return test_constante


def _k_entre(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    spec = expr["entre"]
    v, mini, maxi = compiler_valeur(spec["valeur"]), compiler_valeur(spec["min"]), compiler_valeur(spec["max"])

    def test(ctx: Contexte) -> bool:
        x, lo, hi = v(ctx), mini(ctx), maxi(ctx)
        if not types_rapides(x, lo):
            raise Lent
        if not x >= lo:  # comme l'interprète : la borne haute n'est comparée que si la basse tient
            return False
        if not types_rapides(x, hi):
            raise Lent
        return bool(x <= hi)
    return test


# --- types -------------------------------------------------------------------------------------------


def _t_comparaison(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    a, b = (v.valeur(x, portee, ici + (i,)) for i, x in enumerate(expr[op]))
    v.comparer(op, a, b, ici)


def _t_entre(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    t = v.valeur(arg["valeur"], portee, ici + ("valeur",))
    for borne in ("min", "max"):
        v.comparer(op, t, v.valeur(arg[borne], portee, ici + (borne,)), ici)


OPERATEURS = (
    *(Operateur(op, CONDITION, _c_comparaison(op), enfants_valeurs, _t_comparaison, compiler=_k_comparaison(op)) for op in SIGNES),
    Operateur("entre", CONDITION, _c_entre, enfants_cles("valeur", "min", "max"), _t_entre, compiler=_k_entre),
)
