"""Opérateurs sur les fichiers du dépôt : les conditions `titres_presents` (titres d'un document
Markdown), `fichier_existe` et `correspond` (un texte conforme à un motif sûr). Pour chacun :
évaluation, sous-expressions, contrôle de types, contrôle de validation, et son enregistrement dans
`OPERATEURS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verificateur.langage.contexte import Contexte
from verificateur.langage.enfants import enfants_argument, enfants_cles
from verificateur.langage.interpretation import noeud_fichier
from verificateur.langage.registre import CONDITION, Operateur, valeur
from verificateur.langage.types_statiques import SCHEMA_MARKDOWN, Type, Verificateur
from verificateur.langage.valeurs import Constat, Emplacement, ErreurCalcul, Noeud, PreuveManquante, Resultat, Val, afficher, brut
from verificateur.socle.confinement import chemin_confine
from verificateur.socle.lecture import Chemin, normaliser_titre

# --- évaluation ----------------------------------------------------------------------------------


def _document_markdown(val: Val, ctx: Contexte) -> Noeud:
    v = val.v
    if isinstance(v, Noeud) and v.preuve is not None and v.preuve.type == "markdown":
        return v
    if not isinstance(v, str):
        raise ErreurCalcul(f"chemin de document attendu pour « {val.texte} », trouvé {afficher(v)}", val.ou)
    chemin = chemin_confine(v)
    if chemin is None:
        raise ErreurCalcul(f"chemin « {v} » hors du dépôt", val.ou)
    if chemin not in ctx.preuves.fichiers:
        raise PreuveManquante(f"document « {chemin} » absent du dépôt", val.ou)
    if not chemin.endswith(".md"):
        raise ErreurCalcul(f"« {chemin} » : document Markdown (.md) attendu", val.ou)
    return noeud_fichier(chemin, ctx)


def _c_titres_presents(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["titres_presents"]
    document = _document_markdown(valeur(spec["document"], ctx), ctx)
    presents = {normaliser_titre(t["texte"]) for t in document.valeur["titres"]}
    manquants = [t for t in spec["titres"] if normaliser_titre(t) not in presents]
    ou = Emplacement(document.preuve.chemin) if document.preuve else None
    if manquants:
        texte = f"titre(s) absent(s) de {ou.fichier if ou else 'ce document'} : {', '.join(f'« {t} »' for t in manquants)}"
    else:
        texte = f"les {len(spec['titres'])} titres attendus sont présents dans {ou.fichier if ou else 'ce document'}"
    return Resultat(not manquants, [Constat(texte, ou)])


def _c_fichier_existe(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    val = valeur(expr["fichier_existe"], ctx)
    v = brut(val)
    if not isinstance(v, str):
        raise ErreurCalcul(f"chemin attendu pour « {val.texte} », trouvé {afficher(v)}", val.ou)
    chemin = chemin_confine(v)
    sujet = expr.get("libelle") or val.texte
    if chemin is None:
        return Resultat(False, [Constat(f"{sujet} : « {v} » sort du dépôt (chemin absolu ou « .. »)", val.ou)])
    ok = chemin in ctx.preuves.fichiers
    if ok:
        ctx.lus[chemin] = None
    return Resultat(ok, [Constat(f"{sujet} : fichier « {chemin} » {'présent' if ok else 'absent du dépôt'}", val.ou)])


def _c_correspond(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    from verificateur.socle.motifs import TAILLE_MAX_TEXTE, MotifDangereux, compiler

    spec = expr["correspond"]
    val = valeur(spec["valeur"], ctx)
    v = brut(val)
    if not isinstance(v, str):
        raise ErreurCalcul(f"correspond : texte attendu pour « {val.texte} », trouvé {afficher(v)}", val.ou)
    if len(v) > TAILLE_MAX_TEXTE:
        # le coût d'un motif, même accepté, croît avec le texte : on le borne (docs/limites.md)
        raise ErreurCalcul(f"correspond : « {val.texte} » a {len(v)} caractères, au plus {TAILLE_MAX_TEXTE} pour un motif", val.ou)
    try:
        ok = compiler(spec["motif"]).fullmatch(v) is not None
    except MotifDangereux as exc:  # refusé à la validation ; garde-fou
        raise ErreurCalcul(f"correspond : motif « {spec['motif']} » refusé : {exc.message}") from None
    sujet = expr.get("libelle") or val.texte
    texte = f"{sujet} : {afficher(v)}, {'conforme au' if ok else 'attendu conforme au'} motif « {spec['motif']} »"
    return Resultat(ok, [Constat(texte, val.ou)])


# --- validation et types -----------------------------------------------------------------------------


def _controle_correspond(arg: dict[str, Any], ici: Chemin, portee: set[str], parametres: dict[str, Any],
                         probleme: Callable[[Chemin, str, str], None]) -> None:
    from verificateur.socle.motifs import MotifDangereux, compiler

    try:
        compiler(arg["motif"])
    except MotifDangereux as exc:
        probleme(ici + ("motif",), exc.code, f"motif « {arg['motif']} » refusé : {exc.message}")


def _t_titres_presents(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    t = v.valeur(expr[op]["document"], portee, ici + ("document",))
    if not (t.genre in ("texte", "inconnu") or t.schema is SCHEMA_MARKDOWN):
        v.erreur(ici, f"« titres_presents » : le chemin d'un document (un texte) ou une preuve Markdown attendu, trouvé {t.decrire()}")


def _t_fichier_existe(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.attendre(v.valeur(expr[op], portee, ici), ("texte",), "« fichier_existe »", ici)


def _t_correspond(v: Verificateur, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.attendre(v.valeur(expr[op]["valeur"], portee, ici + ("valeur",)), ("texte",), "« correspond »", ici)


OPERATEURS = (
    Operateur("titres_presents", CONDITION, _c_titres_presents, enfants_cles("document"), _t_titres_presents),
    Operateur("fichier_existe", CONDITION, _c_fichier_existe, enfants_argument, _t_fichier_existe),
    Operateur("correspond", CONDITION, _c_correspond, enfants_cles("valeur"), _t_correspond, controler=_controle_correspond),
)
