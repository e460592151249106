"""Le registre des opérateurs : l'enregistrement `Operateur`, les tables qui les rangent par nom, et
l'aiguillage de l'interprète (`valeur`, `condition`) qui les consulte.

Les tables sont remplies une fois, à l'import du paquet, par `operateurs.py` avec les enregistrements
de chaque famille (`operateurs_*.py`) : ce module est sous les familles, qui appellent `valeur` et
`condition` pour leurs sous-expressions, et ne les importe donc pas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from verificateur.langage.contexte import Contexte
from verificateur.langage.types_statiques import Type, Verificateur
from verificateur.langage.valeurs import ErreurCalcul, Resultat, Val, afficher
from verificateur.socle.lecture import Chemin

# --- les opérateurs : un enregistrement par opérateur ---------------------------------------------
#
# Chaque opérateur du langage (une propriété de `condition` ou de `valeur` dans regles.schema.json)
# est défini par un seul enregistrement `Operateur`, qui porte tout ce que l'outil en fait :
#   evaluer(expr, ctx)              son évaluation (fonctions _v_… et _c_… de sa famille) ;
#   enfants(arg, chemin, portee)    ses sous-expressions, pour les parcours de validation (politiques.py) :
#                                   (chemin, expression, est-ce une condition, noms visibles) ;
#   typer(v, op, expr, portee, ici) son contrôle de types (typage.py) : `v` est le vérificateur, `ici`
#                                   le chemin de l'opérateur dans la règle ; une valeur rend son Type ;
#   texte(expr)                     pour une valeur, son nom lisible dans les explications ; une condition
#                                   rédige ses constats dans son évaluation ;
#   controler(arg, ici, portee, parametres, probleme)
#                                   facultatif : ce que la validation vérifie de plus (nom ou paramètre
#                                   connu, motif sûr), au-delà de ses sous-expressions.
#   compiler(expr)                  facultatif : sa fermeture pour le chemin rapide des conditions muettes
#                                   (#15, module `compilation`) : compile ses sous-expressions, rend
#                                   `test(ctx) -> bool` (condition) ou `calcul(ctx) -> valeur brute`
#                                   (valeur), ou None pour une forme qu'il ne couvre pas. Sans lui,
#                                   l'opérateur se compile en un appel à l'interprète : mêmes résultats.
# Les tables VALEURS et CONDITIONS (nom → évaluation) en sont dérivées. Un test (test_operateurs.py)
# vérifie que chaque opérateur du schéma a son enregistrement complet, et réciproquement.

Enfant = tuple[Chemin, Any, bool, set[str]]
CONDITION, VALEUR = "condition", "valeur"
MODIFICATEURS_VALEUR = {"defaut", "moins", "plus"}


@dataclass(frozen=True)
class Operateur:
    nom: str
    nature: str  # CONDITION ou VALEUR
    evaluer: Callable[[dict[str, Any], Contexte], Any]
    enfants: Callable[[Any, Chemin, set[str]], Iterator[Enfant]]
    typer: Callable[[Verificateur, str, dict[str, Any], dict[str, Type], Chemin], Type | None]
    texte: Callable[[dict[str, Any]], str] | None = None
    controler: Callable[[Any, Chemin, set[str], dict[str, Any], Callable[[Chemin, str, str], None]], None] | None = None
    # facultatif : sa compilation en fermeture pour le chemin rapide (module `compilation`) ; rend
    # None pour une forme qu'il ne compile pas, et l'interprète l'évalue.
    compiler: Callable[[dict[str, Any]], Callable[[Contexte], Any] | None] | None = None


OPERATEURS_VALEUR: dict[str, Operateur] = {}
OPERATEURS_CONDITION: dict[str, Operateur] = {}
# Les tables d'évaluation (nom → fonction), dérivées des enregistrements : l'aiguillage de
# `valeur` et `condition` reste une seule lecture de dictionnaire.
VALEURS: dict[str, Callable[[dict[str, Any], Contexte], Val]] = {}
CONDITIONS: dict[str, Callable[[dict[str, Any], Contexte], Resultat]] = {}


def enregistrer(*operateurs: Operateur) -> None:
    """Range des enregistrements dans les tables ; un nom déjà pris est une erreur de programmation."""
    for op in operateurs:
        table, evaluations = (
            (OPERATEURS_CONDITION, CONDITIONS) if op.nature == CONDITION else (OPERATEURS_VALEUR, VALEURS)
        )
        if op.nom in table:
            raise ValueError(f"opérateur « {op.nom} » enregistré deux fois")
        table[op.nom] = op
        evaluations[op.nom] = op.evaluer


# --- l'aiguillage de l'interprète -------------------------------------------------------------------


def operation(expr: dict[str, Any], table: dict[str, Any]) -> str:
    if len(expr) == 1:
        (cle,) = expr
        if cle in table:  # le cas courant, sans liste intermédiaire
            return cle
    cles = [c for c in expr if c in table]
    if len(cles) != 1:
        raise ErreurCalcul(f"une seule opération attendue, trouvé : {', '.join(expr) or 'aucune'}")
    return cles[0]


def valeur(expr: Any, ctx: Contexte) -> Val:
    if isinstance(expr, dict):
        return VALEURS[operation(expr, VALEURS)](expr, ctx)
    if isinstance(expr, float):  # jamais produit par notre lecteur YAML ; garde-fou
        expr = Decimal(str(expr))
    return Val(expr, None, afficher(expr))


def condition(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    return CONDITIONS[operation(expr, CONDITIONS)](expr, ctx)
