"""Les problèmes d'entrée (preuves, politiques, dépôt) : des valeurs, jamais des exceptions qui arrêtent tout."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from verificateur.donnees_personnelles import masquer

ERREUR = "erreur"
_CONTROLES = {"Cc", "Cf", "Zl", "Zp"}  # contrôles, formats (bidi), séparateurs de ligne et de paragraphe
AVERTISSEMENT = "avertissement"


@dataclass(frozen=True, slots=True, order=True)
class Probleme:
    """Un problème situé : `chemin:ligne: message (code)`.

    `niveau` vaut `erreur` (l'entrée est invalide : le code de sortie le dit) ou
    `avertissement` (signalé, sans effet sur le code de sortie).
    """

    fichier: str
    ligne: int
    code: str
    message: str
    niveau: str = ERREUR

    def __post_init__(self) -> None:
        # Un message cite des valeurs du dépôt, un chemin vient du dépôt : assainis dès leur naissance
        # (NIR masqué, contrôles visibles : une clé « \n… » ne fabrique pas de fausses lignes).
        object.__setattr__(self, "fichier", sans_controle(masquer(self.fichier)))
        object.__setattr__(self, "message", sans_controle(masquer(self.message)))

    def __str__(self) -> str:
        lieu = self.fichier if not self.ligne else f"{self.fichier}:{self.ligne}"
        return f"{lieu}: {self.message} ({self.code})"

    def en_dict(self) -> dict[str, object]:
        return {
            "fichier": self.fichier,
            "ligne": self.ligne or None,
            "code": self.code,
            "message": self.message,
            "niveau": self.niveau,
        }


def sans_controle(texte: str) -> str:
    r"""Les caractères de contrôle (saut de ligne, retour chariot, tabulation, échappements de
    terminal, inversions bidirectionnelles…) d'un texte venu d'une entrée, rendus visibles : « \n »,
    « \x1b », « \u202e ». Les espaces insécables restent."""
    if texte.isprintable():
        return texte
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _CONTROLES else c for c in texte
    )


class ErreurVerificateur(Exception):
    """Une erreur qui empêche la commande elle-même (dossier introuvable, politiques invalides…).

    Le message est en français et destiné à l'utilisateur ; `code_sortie` suit CONCEPTION §4.
    """

    def __init__(self, message: str, code_sortie: int = 2, problemes: list[Probleme] | None = None):
        super().__init__(message)
        self.message = sans_controle(masquer(message))
        self.code_sortie = code_sortie
        self.problemes = problemes or []


def trier(problemes: list[Probleme]) -> list[Probleme]:
    """Ordre stable : fichier, ligne, code, message (les rapports en dépendent)."""
    return sorted(set(problemes))
