"""Quantificateurs sur une liste : les conditions `tous`, `aucun`, `existe` et `au_moins`. Chaque
élément est jugé par le test compilé de la condition ; l'explication ne cite que les éléments qui
décident (au plus `_MAX_CITES`). Pour chacun : évaluation, contrôle de types, et son enregistrement
dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verificateur.langage.compilation import filtre_compile, valeur_compilee
from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_parcours
from verificateur.langage.explication import texte_liste
from verificateur.langage.interpretation import elements_gardes
from verificateur.langage.registre import CONDITION, Operateur, condition, valeur
from verificateur.langage.types_statiques import Type, Verificateur
from verificateur.langage.valeurs import Constat, Noeud, Resultat, afficher, brut
from verificateur.socle.lecture import Chemin

QUANTIFICATEURS = ("tous", "aucun", "existe", "au_moins")
_MAX_CITES = 5


def _prefixer(element: Noeud, spec: dict[str, Any], sous: Contexte, constats: list[Constat]) -> list[Constat]:
    if "element" not in spec:
        return constats
    nom = afficher(brut(valeur(spec["element"], sous)))
    return [Constat(f"{nom} : {c.texte}", c.ou or element.ou) for c in constats]


def _juger(cle: str, spec: dict[str, Any], ctx: Contexte) -> tuple[list[list[Constat]], list[list[Constat]]]:
    """Les éléments vrais et faux, chacun avec ses constats s'il sera cité (liste vide sinon).

    Chaque élément est d'abord jugé par le test compilé (muet) ; seuls les éléments que
    l'explication citera (les _MAX_CITES premiers faux pour « tous », vrais sinon) sont
    réévalués pour rédiger leurs constats. Pure, la réévaluation rend le même `ok`, et l'élément
    nommé est calculé pour chacun, cité ou non : mêmes erreurs que sans ce raccourci."""
    vrais: list[list[Constat]] = []
    faux: list[list[Constat]] = []
    tester = filtre_compile(spec["condition"])
    nom = spec.get("comme", "element")
    muet = ctx.avec(nom, None, muet=True)
    nomme = valeur_compilee(spec["element"]) if "element" in spec else None
    cite_si = cle != "tous"
    for element in elements_gardes(spec, ctx):
        muet.variables[nom] = element
        ok = tester(muet)
        groupe = vrais if ok else faux
        if not ctx.muet and bool(ok) == cite_si and len(groupe) < _MAX_CITES:
            sous = ctx.avec(nom, element)
            groupe.append(_prefixer(element, spec, sous, condition(spec["condition"], sous).constats))
            continue
        if nomme is not None:
            nomme(muet)  # ses erreurs, même non cité
        groupe.append([])
    return vrais, faux


def _expliquer(cle: str, expr: dict[str, Any], minimum: int, vrais: list[list[Constat]], faux: list[list[Constat]]) -> Resultat:
    spec = expr[cle]
    total = len(vrais) + len(faux)
    libelle = expr.get("libelle") or f"éléments de {texte_liste(spec['dans'])}"
    if cle == "tous":
        ok, cites = not faux, faux
        resume = f"{libelle} : {len(vrais)} sur {total} remplissent la condition"
    elif cle == "aucun":
        ok, cites = not vrais, vrais
        resume = f"{libelle} : {len(vrais)} sur {total} remplissent la condition, attendu aucun"
    else:
        ok = len(vrais) >= minimum
        cites = vrais[:minimum] if ok else []
        resume = f"{libelle} : {len(vrais)} sur {total}, attendu au moins {minimum}"
    constats = [c for groupe in cites[:_MAX_CITES] for c in groupe]
    if len(cites) > _MAX_CITES:
        constats.append(Constat(f"… et {len(cites) - _MAX_CITES} autre(s)"))
    if cle in ("existe", "au_moins") or not constats:
        constats.insert(0, Constat(resume))
    return Resultat(ok, constats)


def _quantifier(cle: str) -> Callable[[dict[str, Any], Contexte], Resultat]:
    def evaluer(expr: dict[str, Any], ctx: Contexte) -> Resultat:
        spec = expr[cle]
        minimum = spec.get("nombre", 1) if cle == "au_moins" else 1
        vrais, faux = _juger(cle, spec, ctx)
        if ctx.muet:
            return Resultat(not faux if cle == "tous" else (not vrais if cle == "aucun" else len(vrais) >= minimum))
        return _expliquer(cle, expr, minimum, vrais, faux)
    return evaluer


def _t_quantificateur(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    interieur = v.parcourir(arg, portee, ici, op)
    if "condition" in arg:
        v.condition(arg["condition"], interieur, ici + ("condition",))
    if "element" in arg:
        v.valeur(arg["element"], interieur, ici + ("element",))


OPERATEURS = tuple(
    Operateur(op, CONDITION, _quantifier(op), enfants_parcours, _t_quantificateur) for op in QUANTIFICATEURS
)
