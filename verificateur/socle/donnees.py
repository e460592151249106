"""Les données partagées entre les couches : des classes simples, qui ne lisent ni n'analysent rien.

Au socle pour que toute couche puisse les nommer sans importer celle qui les produit : un `Document` est
ce que rendent les lectures (`socle.lecture`), une `Preuve` ce que rend le chargement des preuves
(`verificateur.preuves`), des `Preuves` tout ce que l'évaluation sait d'un dépôt, un `Emplacement`
(fichier:ligne) où l'évaluation situe un `Constat`. Les modules qui les produisaient les ré-exportent
(`socle.lecture.Document`, `preuves.Preuve`, `preuves.Preuves`, `langage.Emplacement`, `langage.Constat`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verificateur.socle.problemes import Probleme, trier


@dataclass(frozen=True, order=True)
class Emplacement:
    """Un lieu dans un dépôt : un fichier, et sa ligne quand elle est connue."""

    fichier: str
    ligne: int | None = None

    def __str__(self) -> str:
        return self.fichier if not self.ligne else f"{self.fichier}:{self.ligne}"


@dataclass(frozen=True)
class Constat:
    """Ce que l'évaluation d'une règle a relevé, et où."""

    texte: str
    ou: Emplacement | None = None


# Le chemin d'une valeur dans un fichier lu : clés de table et indices de liste, depuis la racine.
Chemin = tuple[str | int, ...]


@dataclass
class Document:
    """Un fichier lu : données brutes (avant validation), lignes, problèmes."""

    chemin: str
    format: str  # "yaml" | "csv" | "markdown"
    donnees: Any = None
    lignes: dict[Chemin, int] = field(default_factory=dict)
    problemes: list[Probleme] = field(default_factory=list)

    @property
    def lisible(self) -> bool:
        return not any(p.niveau == "erreur" for p in self.problemes)

    def ligne(self, chemin: Chemin) -> int:
        """Ligne de la valeur à ce chemin, ou du plus proche parent connu."""
        while chemin:
            if chemin in self.lignes:
                return self.lignes[chemin]
            chemin = chemin[:-1]
        return self.lignes.get((), 1)

    def probleme(self, chemin: Chemin, code: str, message: str, niveau: str = "erreur") -> None:
        self.problemes.append(Probleme(self.chemin, self.ligne(chemin), code, message, niveau))


@dataclass
class Preuve:
    """Un fichier de preuve reconnu : son type, sa lecture, et ses valeurs typées s'il est valide."""

    chemin: str
    type: str
    document: Document
    valide: bool = False
    valeurs: Any = None


@dataclass
class Preuves:
    """Tout ce que l'évaluation sait d'un dépôt, sans plus aucune lecture (elle est pure)."""

    chemin: str
    nature: str
    revision: str | None
    fichiers: dict[str, int]
    preuves: dict[str, Preuve] = field(default_factory=dict)
    problemes_source: list[Probleme] = field(default_factory=list)

    def problemes(self) -> list[Probleme]:
        tous = list(self.problemes_source)
        for preuve in self.preuves.values():
            tous.extend(preuve.document.problemes)
        return trier(tous)

    @property
    def etablissement(self) -> Preuve | None:
        return self.preuves.get("etablissement.yaml")
