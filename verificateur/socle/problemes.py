"""Les problèmes d'entrée (preuves, politiques, dépôt) : des valeurs, jamais des exceptions qui arrêtent tout."""

from __future__ import annotations

from dataclasses import dataclass

# Tout texte d'un problème passe par l'unique étape d'assainissement (NIR masqués, contrôles visibles).
from verificateur.socle.donnees_personnelles import masquer, sans_controle  # noqa: F401 (ré-exporté)

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"


def lieu(fichier: str | None, ligne: int | None = None, revision: str | None = None, *,
         sans_fichier: str = "", ligne_toujours: bool = False) -> str:
    """« fichier:ligne », la seule façon d'écrire un lieu dans une sortie (messages, rapports, crochet, échéances).

    La ligne n'est écrite que si elle est connue (ni 0 ni None), sauf `ligne_toujours` : là où une ligne
    est toujours attendue, elle est écrite telle quelle. La révision, si elle est donnée, suit après
    « @ », abrégée à 12 caractères. Sans fichier : `sans_fichier` (« » dans un rapport, « . » pour la
    racine du dépôt dans le crochet et les échéances).
    """
    if not fichier:
        return sans_fichier
    texte = f"{fichier}:{ligne}" if ligne or ligne_toujours else fichier
    return f"{texte}@{revision[:12]}" if revision else texte


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
        return f"{lieu(self.fichier, self.ligne)}: {self.message} ({self.code})"

    def en_dict(self) -> dict[str, object]:
        return {
            "fichier": self.fichier,
            "ligne": self.ligne or None,
            "code": self.code,
            "message": self.message,
            "niveau": self.niveau,
        }


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
