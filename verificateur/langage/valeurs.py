"""Les valeurs du langage des règles et leur texte : issues d'évaluation qui décident du statut
(preuve manquante, preuve invalide, calcul impossible), emplacements, nœuds lus dans une preuve,
valeurs calculées, constats, paramètres datés ; `afficher` met une valeur dans une phrase française.
Ce module ne connaît aucun opérateur.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from verificateur.preuves import Preuve
from verificateur.socle.donnees import Constat as Constat, Emplacement as Emplacement  # ré-exportés
from verificateur.socle.francais import nombre
from verificateur.socle.lecture import Chemin

# --- issues d'évaluation qui décident du statut --------------------------------------------------


class PreuveManquante(Exception):
    def __init__(self, message: str, ou: Emplacement | None = None):
        super().__init__(message)
        self.message, self.ou = message, ou


class PreuveInvalide(Exception):
    def __init__(self, preuve: Preuve):
        super().__init__(preuve.chemin)
        self.preuve = preuve


class ErreurCalcul(Exception):
    def __init__(self, message: str, ou: Emplacement | None = None):
        super().__init__(message)
        self.message, self.ou = message, ou


# --- valeurs -------------------------------------------------------------------------------------


# Noeud et Val ne sont jamais modifiés, mais pas gelés : une instance gelée coûte 3× plus à créer,
# et l'évaluation d'un dépôt en crée des milliers (aucune n'est hachée).
@dataclass
class Noeud:
    """Une valeur lue dans une preuve, avec de quoi retrouver sa ligne."""

    valeur: Any
    preuve: Preuve | None = None
    chemin: Chemin = ()

    @property
    def ou(self) -> Emplacement | None:
        if self.preuve is None:
            return None
        return Emplacement(self.preuve.chemin, self.preuve.document.ligne(self.chemin))

    def enfant(self, cle: str | int) -> Noeud:
        return Noeud(self.valeur[cle], self.preuve, self.chemin + (cle,))


@dataclass(frozen=True)
class ListePreuves:
    """Les fichiers retenus par une preuve nommée `fichiers: motif`."""

    elements: tuple[Noeud, ...]
    motif: str


class Part(Decimal):
    """Un quotient : affiché en pourcentage."""


@dataclass
class Val:
    v: Any
    ou: Emplacement | None = None
    texte: str = ""
    unite: str | None = None
    parametre: str | None = None


@dataclass
class Resultat:
    ok: bool
    constats: list[Constat] = field(default_factory=list)


@dataclass(frozen=True)
class Parametre:
    nom: str
    description: str
    unite: str
    valeurs: tuple[tuple[date, Any, str], ...]  # (depuis, valeur, source), triées

    def en_vigueur(self, jour: date) -> tuple[date, Any, str] | None:
        courante = None
        for depuis, valeur, source in self.valeurs:
            if depuis <= jour:
                courante = (depuis, valeur, source)
        return courante


def brut(val: Val) -> Any:
    """La valeur nue d'une Val : la valeur d'un Noeud, ou la valeur calculée."""
    return val.v.valeur if isinstance(val.v, Noeud) else val.v


def comparable(v: Any) -> Any:
    """Une heure se compare comme sa date."""
    return v.date() if isinstance(v, datetime) else v


def nombre_de(val: Val, quoi: str) -> Decimal:
    v = val.v.valeur if isinstance(val.v, Noeud) else val.v
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise ErreurCalcul(f"{quoi} : nombre attendu pour « {val.texte} », trouvé {afficher(v)}", val.ou)
    return Decimal(v)


# --- affichage -------------------------------------------------------------------------------------


def afficher(v: Any, unite: str | None = None) -> str:
    """Une valeur dans une phrase française : décimale à virgule, pourcentages, dates ISO."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "vide"
    if isinstance(v, Noeud):
        return afficher(v.valeur, unite)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (int, Decimal)):
        if isinstance(v, Part) or unite == "part":
            pourcent = (Decimal(v) * 100).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
            return f"{nombre(pourcent)} %"
        texte = nombre(Decimal(v))
        if unite == "euros":
            return f"{texte} €"
        if unite in ("jours", "mois"):
            return f"{texte} {unite}"
        return texte
    if isinstance(v, list):
        return ", ".join(afficher(x) for x in v) or "aucun"
    if isinstance(v, dict):
        return "une table de clés"
    return f"« {v} »"
