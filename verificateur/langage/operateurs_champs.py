"""Opérateurs qui lisent un champ ou un paramètre : les valeurs `champ` et `parametre`, les
conditions `renseigne` et `est_vrai`. Pour chacun : évaluation (_v_, _c_), fermeture du chemin rapide
(_k_), contrôle de types (_t_), contrôle de validation, et son enregistrement dans `OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verificateur.langage.compilation import Lent
from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_aucun
from verificateur.langage.interpretation import lire_champ, variable
from verificateur.langage.registre import CONDITION, VALEUR, Operateur
from verificateur.langage.types_statiques import INCONNU, Type, Verificateur, cite
from verificateur.langage.valeurs import Constat, ErreurCalcul, ListePreuves, Noeud, PreuveManquante, Resultat, Val, afficher, brut
from verificateur.socle.lecture import Chemin

# --- évaluation ----------------------------------------------------------------------------------


def _v_champ(expr: dict[str, Any], ctx: Contexte) -> Val:
    return lire_champ(expr["champ"], ctx, expr.get("defaut"), "defaut" in expr)


def _v_parametre(expr: dict[str, Any], ctx: Contexte) -> Val:
    nom = expr["parametre"]
    parametre = ctx.parametres.get(nom)
    if parametre is None:
        raise ErreurCalcul(f"paramètre inconnu « {nom} »")
    en_vigueur = parametre.en_vigueur(ctx.date_evaluation)
    if en_vigueur is None:
        raise ErreurCalcul(f"paramètre « {nom} » : aucune valeur en vigueur le {ctx.date_evaluation.isoformat()}")
    ctx.parametres_lus[nom] = en_vigueur
    return Val(en_vigueur[1], None, nom, parametre.unite, nom)


def _c_renseigne(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    chemin = expr["renseigne"]
    sujet = expr.get("libelle") or chemin
    try:
        val = lire_champ(chemin, ctx)
    except PreuveManquante as manque:
        return Resultat(False) if ctx.muet else Resultat(False, [Constat(f"{sujet} : non renseigné", manque.ou)])
    v = brut(val)
    ok = v is not None and v != "" and v != [] and v != {}
    if isinstance(val.v, ListePreuves):
        ok = bool(val.v.elements)
    if ctx.muet:
        return Resultat(ok)
    return Resultat(ok, [Constat(f"{sujet} : {'renseigné' if ok else 'non renseigné'}", val.ou)])


def _c_est_vrai(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    val = lire_champ(expr["est_vrai"], ctx)
    v = brut(val)
    if not isinstance(v, bool):
        raise ErreurCalcul(f"« {val.texte} » : true ou false attendu, trouvé {afficher(v)}", val.ou)
    if ctx.muet:
        return Resultat(v)
    sujet = expr.get("libelle") or val.texte
    return Resultat(v, [Constat(f"{sujet} : {afficher(v)}, attendu true", val.ou)])


# --- chemin rapide -------------------------------------------------------------------------------


def champ_court(expr: Any) -> tuple[str, str] | None:
    """(nom, clé) d'une valeur `{champ: "nom.clé"}` (un seul point, sans défaut) : la forme que le chemin
    rapide lit sans appel (la plupart des filtres, « v.criticite »), ou None."""
    if isinstance(expr, dict) and len(expr) == 1 and isinstance(expr.get("champ"), str):
        parties = expr["champ"].split(".")
        if len(parties) == 2:
            return parties[0], parties[1]
    return None


def lire_court(ctx: Contexte, tete: str, cle: str) -> Any:
    """La valeur brute de « tete.cle », ou `Lent` (le nom n'est pas une table qui a cette clé)."""
    variables = ctx.variables
    if tete in variables:
        courant = variables[tete]
    elif tete in ctx.resolues:
        courant = ctx.resolues[tete]
    else:
        courant = variable(ctx, tete)  # une preuve nommée, résolue une fois, comme l'interprète
    if isinstance(courant, Noeud):
        v = courant.valeur
        if isinstance(v, dict) and cle in v:
            return v[cle]
    raise Lent


def _k_champ(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if not isinstance(expr["champ"], str):
        return None
    tete, *reste = expr["champ"].split(".")
    if "defaut" in expr:
        return _k_champ_defaut(tete, reste, expr["defaut"])
    if len(reste) == 1:  # le cas courant, « e.date » : sans boucle
        (cle,) = reste
        return lambda ctx: lire_court(ctx, tete, cle)

    def calcul(ctx: Contexte) -> Any:
        courant = variable(ctx, tete)
        if not isinstance(courant, Noeud):
            raise Lent
        v = courant.valeur
        for cle in reste:
            if not isinstance(v, dict) or cle not in v:
                raise Lent
            v = v[cle]
        return v
    return calcul


def _k_champ_defaut(tete: str, reste: list[str], defaut: Any) -> Callable[[Contexte], Any]:
    """`{champ: …, defaut: …}` : la valeur par défaut (écrite telle quelle) pour un champ absent ou vide."""

    def calcul(ctx: Contexte) -> Any:
        courant = variable(ctx, tete)
        if not isinstance(courant, Noeud):
            raise Lent
        v = courant.valeur
        for cle in reste:
            if not isinstance(v, dict) or cle not in v:
                return defaut
            v = v[cle]
        return defaut if v is None else v
    return calcul


def _k_parametre(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if len(expr) != 1:
        return None
    nom = expr["parametre"]

    def calcul(ctx: Contexte) -> Any:
        parametre = ctx.parametres.get(nom)
        en_vigueur = parametre.en_vigueur(ctx.date_evaluation) if parametre is not None else None
        if en_vigueur is None:
            raise Lent
        ctx.parametres_lus[nom] = en_vigueur
        return en_vigueur[1]
    return calcul


def _k_renseigne(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    if not isinstance(expr["renseigne"], str):
        return None
    return test_renseigne(expr["renseigne"], False)


def test_renseigne(chemin: str, inverse: bool) -> Callable[[Contexte], bool]:
    """Le test compilé de `renseigne: chemin` ; `inverse` : celui de `non: {renseigne: chemin}`, en une
    seule fermeture (la forme « pas encore corrigée » des filtres d'un registre, testée à chaque rangée)."""
    tete, *reste = chemin.split(".")

    def test(ctx: Contexte) -> bool:
        variables = ctx.variables
        if tete in variables:
            courant = variables[tete]
        else:
            try:
                courant = variable(ctx, tete)
            except PreuveManquante:
                return inverse  # preuve nommée absente : « non renseigné », comme l'interprète
        if not isinstance(courant, Noeud):
            raise Lent
        v = courant.valeur
        for cle in reste:
            if not isinstance(v, dict) or cle not in v:
                return inverse  # champ absent : « non renseigné », comme l'interprète
            v = v[cle]
        return (v is not None and v != "" and v != [] and v != {}) != inverse
    return test


# --- validation et types ---------------------------------------------------------------------------


def controle_nom(arg: str, ici: Chemin, portee: set[str], parametres: dict[str, Any], probleme: Callable[[Chemin, str, str], None]) -> None:
    tete = arg.split(".")[0]
    if tete not in portee:
        probleme(ici, "nom-inconnu",
                 f"« {tete} » n'est ni une preuve de la règle ni un élément parcouru ; connus : {', '.join(sorted(portee))}")


def _controle_parametre(arg: str, ici: Chemin, portee: set[str], parametres: dict[str, Any],
                        probleme: Callable[[Chemin, str, str], None]) -> None:
    if arg not in parametres:
        probleme(ici, "parametre-inconnu",
                 f"paramètre « {arg} » inconnu ; paramètres de la politique : {', '.join(sorted(parametres)) or 'aucun'}")


def _t_champ(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    chemin = ici[:-1]
    t: Type = v.champ(expr[op], portee, ici)
    if "defaut" in expr and t.genre != "inconnu" and expr["defaut"] is not None:
        d = v.valeur(expr["defaut"], portee, chemin + ("defaut",))
        if "inconnu" not in (t.genre, d.genre) and t.genre != d.genre:
            v.erreur(chemin + ("defaut",), f"« defaut » : {d.decrire()} pour le champ {t.nom}, qui est {t.decrire().split(' (')[0]}")
    return t


def _t_parametre(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg = expr[op]
    parametre = v.parametres.get(arg)
    unite = getattr(parametre, "unite", None)
    if unite == "texte":
        return Type("texte", cite(arg))
    return Type("nombre", cite(arg), unite=None if unite == "nombre" else unite) if parametre else INCONNU


def _t_renseigne(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.champ(expr[op], portee, ici)


def _t_est_vrai(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.attendre(v.champ(expr[op], portee, ici), ("booleen",), "« est_vrai »", ici)


def _texte_champ(expr: dict[str, Any]) -> str:
    return expr["champ"]


def _texte_parametre(expr: dict[str, Any]) -> str:
    return expr["parametre"]


OPERATEURS = (
    Operateur("champ", VALEUR, _v_champ, enfants_aucun, _t_champ, _texte_champ, controle_nom, _k_champ),
    Operateur("parametre", VALEUR, _v_parametre, enfants_aucun, _t_parametre, _texte_parametre, _controle_parametre, _k_parametre),
    Operateur("renseigne", CONDITION, _c_renseigne, enfants_aucun, _t_renseigne, controler=controle_nom, compiler=_k_renseigne),
    Operateur("est_vrai", CONDITION, _c_est_vrai, enfants_aucun, _t_est_vrai, controler=controle_nom),
)
