"""Ce que le contrôle statique des règles (politiques/typage.py) sait d'une valeur : son `Type`
(genre, unité, schéma…), et l'interface du vérificateur que le contrôle de types de chaque opérateur
appelle (`Verificateur`, implémentée par `typage.Verificateur`, une couche au-dessus)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from verificateur.socle.lecture import Chemin

# Le contenu d'une preuve Markdown : la table de ses titres.
SCHEMA_MARKDOWN = {
    "type": "object", "additionalProperties": False,
    "properties": {"titres": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
        "texte": {"type": "string"}, "niveau": {"type": "integer"}, "ligne": {"type": "integer"}}}}},
}


@dataclass(frozen=True)
class Type:
    genre: str  # nombre, date, texte, booleen, liste, table, inconnu
    nom: str = ""  # ce qui l'a produit, pour les messages : « e.date », 3, « part_cyber_minimale »
    unite: str | None = None  # nombre : part, euros, jours, mois
    element: Type | None = None  # liste : le type de ses éléments
    schema: dict[str, Any] | None = None  # table : son schéma JSON
    valeurs: tuple[str, ...] | None = None  # texte : les seules valeurs permises (enum du schéma)
    litteral: bool = False  # écrit tel quel dans la règle

    def decrire(self) -> str:
        article = {
            "nombre": "un nombre", "date": "une date", "texte": "un texte", "booleen": "un booléen",
            "liste": "une liste", "table": "une table de clés", "inconnu": "une valeur",
        }[self.genre]
        if self.genre == "nombre" and self.unite:
            article = {"part": "une part (%)", "euros": "un montant en euros", "jours": "une durée en jours",
                       "mois": "une durée en mois"}.get(self.unite, article)
        return f"{article} ({self.nom})" if self.nom else article


INCONNU = Type("inconnu")


class Verificateur(Protocol):
    """Ce que le contrôle de types d'un opérateur (`Operateur.typer`) demande au vérificateur d'une règle."""

    parametres: dict[str, Any]
    probleme: Callable[[Chemin, str, str], None]

    def erreur(self, chemin: Chemin, message: str, code: str = ...) -> None: ...

    def valeur(self, expr: Any, portee: dict[str, Type], chemin: Chemin) -> Type: ...

    def champ(self, chemin_champ: str, portee: dict[str, Type], ici: Chemin) -> Type: ...

    def liste(self, dans: Any, portee: dict[str, Type], ici: Chemin, quoi: str, cle_liste: str = ...) -> Type: ...

    def parcourir(self, spec: dict[str, Any], portee: dict[str, Type], ici: Chemin, quoi: str) -> dict[str, Type]: ...

    def duree(self, expr: Any, unite: str | None, portee: dict[str, Type], ici: Chemin, cle: str) -> None: ...

    def nombre(self, t: Type, quoi: str, ici: Chemin) -> None: ...

    def attendre(self, t: Type, genres: tuple[str, ...], quoi: str, ici: Chemin) -> None: ...

    def condition(self, expr: Any, portee: dict[str, Type], chemin: Chemin) -> None: ...

    def comparer(self, op: str, a: Type, b: Type, ici: Chemin, nom_op: str | None = ...) -> None: ...


def cite(texte: str) -> str:
    return f"« {texte} »"


def nom_court(expr: Any) -> str:
    """Le nom d'une valeur dans un message de type : « e.date », la date d'évaluation, une valeur."""
    if isinstance(expr, dict) and "champ" in expr:
        return cite(expr["champ"])
    if isinstance(expr, dict) and expr.get("date") == "evaluation":
        return "la date d'évaluation"
    return "une valeur"
