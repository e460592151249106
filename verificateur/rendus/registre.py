"""Un format de sortie = un enregistrement (#14.3).

Chaque famille de rendus (rapport d'un établissement, lot, éligibilité, échéancier, historique,
observatoire, listes du catalogue) tient son registre : un `Format` par valeur de `--format`. La CLI
construit ses `click.Choice` à partir de ces registres ; le rendu, l'extension de fichier et le
caractère binaire d'un format ne sont écrits qu'ici.

Une seule signature pour toutes les familles : la fonction qu'un `Format` désigne est
`rendre(donnees, options=None) -> str | bytes`, où `donnees` est ce que la famille rend (rapport,
résultat d'éligibilité, lot, échéancier…) et `options` un `Options` (tout ce qui n'est pas la donnée
elle-même : détails, couleur, dossier des liens relatifs…). On l'obtient par `Format.rendre` ; la seule
variante est `Format.morceaux`, le même texte en morceaux écrits au fil de l'eau (le JSON d'un lot).
Ajouter un format : une fonction de cette signature, et un enregistrement dans le registre de sa famille
(docs/architecture.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from verificateur.auteurs.couverture import CatalogueExterne
    from verificateur.politiques import Catalogue


class Options(TypedDict, total=False):
    """Le contexte d'un rendu, hors de la donnée rendue ; chaque famille lit les clés qui la concernent."""

    details: bool  # rapport en texte : les messages entiers, sans troncature
    couleur: bool  # rapport en texte : les statuts en couleur (terminal)
    csv_standard: bool  # CSV : virgule et UTF-8 sans BOM au lieu des conventions d'un tableur français
    a_venir: dict[str, Any] | None  # rapport HTML : les échéances du prochain trimestre
    dossier: str  # observatoire : le dossier de la page, d'où partent les liens relatifs vers les rapports
    comparaison: dict[str, Any] | None  # page HTML de l'observatoire : la dernière comparaison de campagnes
    rapports: list[dict[str, Any]]  # page HTML de l'observatoire : les établissements et leurs derniers rapports
    catalogue: Catalogue  # listes des exigences et de la couverture : le catalogue chargé
    correspondances: list[CatalogueExterne]  # couverture : les catalogues externes mis en correspondance


@dataclass(frozen=True, slots=True)
class Format:
    nom: str  # la valeur de --format
    # « module:fonction » : le module n'est importé que si le format est demandé (tabulate, Jinja2,
    # icalendar restent hors du chemin des autres formats et du crochet).
    fonction: str
    extension: str  # celle d'un fichier de ce format (« .xlsx ») : --liste la reconnaît
    binaire: bool = False  # des octets : jamais vers un terminal

    def rendu(self) -> Callable[..., Any]:
        """La fonction de rendu, de signature `rendre(donnees, options=None) -> str | bytes`."""
        module, _, nom = self.fonction.partition(":")
        return getattr(importlib.import_module(module), nom)

    def rendre(self, donnees: Any, options: Options | None = None) -> str | bytes:
        """`donnees` rendues dans ce format : du texte, ou des octets si le format est binaire."""
        resultat: str | bytes = self.rendu()(donnees, options)
        return resultat

    def morceaux(self, donnees: Any, options: Options | None = None) -> Iterable[str | bytes]:
        """Le même contenu que `rendre`, en morceaux à écrire au fil de l'eau (mémoire d'un lot national) :
        ceux de la fonction `morceaux` du module du format s'il en a une (même signature que `rendre`),
        sinon le contenu entier en un seul morceau."""
        module = importlib.import_module(self.fonction.partition(":")[0])
        if hasattr(module, "morceaux"):
            morceaux: Iterable[str | bytes] = module.morceaux(donnees, options)
            return morceaux
        return [self.rendre(donnees, options)]


def registre(*formats: Format) -> dict[str, Format]:
    """Nom → enregistrement, dans l'ordre donné (celui de l'aide de --format)."""
    noms = [f.nom for f in formats]
    if len(set(noms)) != len(noms):
        raise ValueError(f"format enregistré deux fois : {noms}")
    return {f.nom: f for f in formats}
