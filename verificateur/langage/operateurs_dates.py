"""Opérateurs de dates : les valeurs `date` (date d'évaluation, date fixe ou calculée, décalée de
`moins`/`plus`) et `annee`, la condition `dans_les_derniers`. Pour chacun : évaluation, fermeture du
chemin rapide, sous-expressions, contrôle de types, texte, et son enregistrement dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from verificateur.langage.compilation import Lent, compiler_valeur
from verificateur.langage.contexte import Contexte
from verificateur.langage.dates import DUREES, date_iso, decaler
from verificateur.langage.enfants import enfants_argument
from verificateur.langage.explication import texte_valeur
from verificateur.langage.registre import CONDITION, VALEUR, Enfant, Operateur, valeur
from verificateur.langage.types_statiques import Type, Verificateur, cite, nom_court
from verificateur.langage.valeurs import Constat, ErreurCalcul, Resultat, Val, afficher, brut, comparable
from verificateur.socle.lecture import Chemin

# --- évaluation ----------------------------------------------------------------------------------


def _duree(duree: dict[str, Any], ctx: Contexte) -> dict[str, int]:
    """Une durée dont chaque nombre peut être calculé (un paramètre en jours, par exemple)."""
    resultat = {}
    for unite, expr in duree.items():
        val = valeur(expr, ctx)
        v = brut(val)
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or v != int(v) or v < 0:
            raise ErreurCalcul(f"durée : nombre entier de {unite} attendu pour « {val.texte} », trouvé {afficher(v)}", val.ou)
        resultat[unite] = int(v)
    return resultat


def _v_date(expr: dict[str, Any], ctx: Contexte) -> Val:
    base = expr["date"]
    if base == "evaluation":
        val = Val(ctx.date_evaluation, None, "date d'évaluation")
    elif isinstance(base, str):
        try:
            val = Val(date.fromisoformat(base), None, base)
        except ValueError:
            raise ErreurCalcul(f"date invalide « {base} » dans la règle") from None
    else:
        val = valeur(base, ctx)
    jour = comparable(brut(val))
    if not isinstance(jour, date):
        raise ErreurCalcul(f"date attendue pour « {val.texte} », trouvé {afficher(jour)}", val.ou)
    if "moins" in expr:
        jour = decaler(jour, _duree(expr["moins"], ctx), -1)
    if "plus" in expr:
        jour = decaler(jour, _duree(expr["plus"], ctx), 1)
    return Val(jour, val.ou, val.texte if jour == val.v else jour.isoformat())


def _v_annee(expr: dict[str, Any], ctx: Contexte) -> Val:
    val = valeur(expr["annee"], ctx)
    jour = brut(val)
    if not isinstance(jour, date):
        raise ErreurCalcul(f"date attendue pour « {val.texte} », trouvé {afficher(jour)}", val.ou)
    return Val(jour.year, val.ou, f"année de {val.texte}")


def _c_dans_les_derniers(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["dans_les_derniers"]
    v = valeur(spec["date"], ctx)
    jour = comparable(brut(v))
    if not isinstance(jour, date):
        raise ErreurCalcul(f"date attendue pour « {v.texte} », trouvé {afficher(jour)}", v.ou)
    duree = _duree({k: spec[k] for k in DUREES if k in spec}, ctx)
    debut = decaler(ctx.date_evaluation, duree, -1)
    ok = debut <= jour <= ctx.date_evaluation
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or v.texte
    texte = f"{sujet} : {afficher(jour)}, attendu entre {debut.isoformat()} et {ctx.date_evaluation.isoformat()}"
    return Resultat(ok, [Constat(texte, v.ou)])


# --- chemin rapide -------------------------------------------------------------------------------


def _k_date(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if expr["date"] == "evaluation" and len(expr) == 1:
        return lambda ctx: ctx.date_evaluation
    return None


def _k_annee(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if len(expr) != 1:
        return None
    base = compiler_valeur(expr["annee"])

    def calcul(ctx: Contexte) -> Any:
        jour = base(ctx)
        if not isinstance(jour, date):
            raise Lent
        return jour.year
    return calcul


def _k_dans_les_derniers(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    spec = expr["dans_les_derniers"]
    quand = compiler_valeur(spec["date"])
    durees = [(unite, compiler_valeur(spec[unite])) for unite in DUREES if unite in spec]

    def test(ctx: Contexte) -> bool:
        jour = quand(ctx)
        if type(jour) is datetime:
            jour = jour.date()
        elif type(jour) is not date:
            raise Lent
        duree = {}
        for unite, calcul in durees:
            n = calcul(ctx)
            if type(n) is not int or n < 0:  # décimal, booléen, négatif : l'interprète dit pourquoi
                raise Lent
            duree[unite] = n
        try:
            debut = decaler(ctx.date_evaluation, duree, -1)
        except ErreurCalcul:
            raise Lent from None
        return debut <= jour <= ctx.date_evaluation
    return test


# --- sous-expressions, types, texte ----------------------------------------------------------------


def _e_date(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    if isinstance(arg, dict):
        yield chemin, arg, False, portee


def _e_dans_les_derniers(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin + ("date",), arg["date"], False, portee
    for unite in DUREES:
        if unite in arg:
            yield chemin + (unite,), arg[unite], False, portee


def _t_date(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg, chemin = expr[op], ici[:-1]
    if isinstance(arg, str) and arg != "evaluation" and not date_iso(arg):
        v.erreur(ici, f"« date » : « evaluation » ou une date réelle AAAA-MM-JJ attendue, trouvé « {arg} »")
    if isinstance(arg, dict):
        base = v.valeur(arg, portee, ici)
        v.attendre(base, ("date",), "« date »", ici)
    for sens in ("moins", "plus"):
        if isinstance(expr.get(sens), dict):
            for unite, n in expr[sens].items():
                v.duree(n, "jours" if unite == "jours" else "mois" if unite == "mois" else None, portee, chemin + (sens, unite), unite)
    return Type("date", cite("date d'évaluation") if arg == "evaluation" else cite(str(arg)) if isinstance(arg, str) else "date calculée")


def _t_annee(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg = expr[op]
    v.attendre(v.valeur(arg, portee, ici), ("date",), "« annee »", ici)
    return Type("nombre", f"année de {nom_court(arg)}")


def _t_dans_les_derniers(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    v.attendre(v.valeur(arg["date"], portee, ici + ("date",)), ("date",), "« dans_les_derniers »", ici)
    for unite in DUREES:
        if unite in arg:
            v.duree(arg[unite], unite, portee, ici + (unite,), unite)


def _texte_date(expr: dict[str, Any]) -> str:
    return "date d'évaluation" if expr["date"] == "evaluation" and len(expr) == 1 else "valeur calculée"


def _texte_annee(expr: dict[str, Any]) -> str:
    return f"année de {texte_valeur(expr['annee'])}"


OPERATEURS = (
    Operateur("date", VALEUR, _v_date, _e_date, _t_date, _texte_date, compiler=_k_date),
    Operateur("annee", VALEUR, _v_annee, enfants_argument, _t_annee, _texte_annee, compiler=_k_annee),
    Operateur("dans_les_derniers", CONDITION, _c_dans_les_derniers, _e_dans_les_derniers, _t_dans_les_derniers,
              compiler=_k_dans_les_derniers),
)
