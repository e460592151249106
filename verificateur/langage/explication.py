"""Les noms lisibles des expressions dans les explications : `texte_valeur` donne le nom d'une valeur
calculée par le `texte` de son opérateur (« a / p », « somme de … sur … ») ; les constats eux-mêmes
sont rédigés par l'évaluation de chaque condition, dans sa famille."""

from __future__ import annotations

from typing import Any

from verificateur.langage.registre import OPERATEURS_VALEUR
from verificateur.langage.valeurs import afficher


def texte_valeur(expr: Any) -> str:
    """Le nom lisible d'une expression de valeur, pour les explications (le `texte` de son opérateur)."""
    if isinstance(expr, dict):
        for cle in expr:
            operateur = OPERATEURS_VALEUR.get(cle)
            if operateur is not None and operateur.texte is not None:
                return operateur.texte(expr)
        return "valeur calculée"
    return afficher(expr)


def texte_calcule(expr: dict[str, Any]) -> str:
    return "valeur calculée"


def texte_liste(dans: Any) -> str:
    """Le nom d'une liste parcourue : « exercices » (une preuve nommée), ou le nom de la valeur calculée."""
    return f"« {dans} »" if isinstance(dans, str) else texte_valeur(dans)
