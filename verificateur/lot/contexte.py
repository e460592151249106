"""Ce que chaque évaluation d'un lot partage : les options du lot (`Contexte`, des valeurs, transmises
une fois à chaque processus d'évaluation) et l'état d'un processus (`EtatProcessus` : le catalogue
chargé et ses empreintes, calculées une fois par processus, et sa lecture du cache), passé
explicitement à chaque tâche."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from verificateur.git.collecte import DELAI_DEFAUT, TAILLE_DEFAUT
from verificateur.lot.cache import Cache
from verificateur.politiques import cache_catalogue
from verificateur.socle import caches

if TYPE_CHECKING:
    from verificateur.financements import Programme
    from verificateur.politiques import Catalogue


@dataclass(frozen=True)
class Contexte:
    """Ce que chaque processus d'évaluation reçoit une fois, avec le catalogue (valeurs : picklable)."""

    date_evaluation: date
    seuil_echec: str = "mineure"
    fraicheur: bool = False
    cache: str | None = None
    rapports: str | None = None
    base_liens: str | None = None  # dossier par rapport auquel les chemins des rapports sont écrits
    reprendre: bool = False
    programme: Programme | None = None  # --programme (verificateur/financements/)
    # La collecte des adresses git et des paquets (verificateur/git/collecte.py, docs/lot.md « Collecter »).
    miroirs: str | None = None  # None : collecte.dossier_miroirs_defaut()
    delai_collecte: float = DELAI_DEFAUT  # secondes
    taille_collecte: int = TAILLE_DEFAUT  # Mio


@dataclass(frozen=True)
class EtatProcessus:
    """L'état d'un processus qui évalue des tâches : le catalogue chargé et validé une fois par le
    processus principal (hérité par fork, ou transmis), et les empreintes qui entrent dans chaque clé
    du cache. `ouvrier` : un processus d'évaluation du groupe (pas le processus principal)."""

    contexte: Contexte
    catalogue: Catalogue
    empreinte_politiques: str
    empreinte_outil: str
    ouvrier: bool = False
    cache: Cache | None = None  # lu par ce processus ; écrit par le processus principal (cache.Registre)


def empreinte_catalogue(catalogue: Catalogue) -> str:
    """Empreinte des politiques (leurs fichiers) et des référentiels chargés : clé du cache."""
    return "sha256:" + cache_catalogue.empreinte_catalogue(catalogue)


def initialiser(contexte: Contexte, catalogue: Catalogue, ouvrier: bool = False) -> EtatProcessus:
    """L'état d'un processus d'évaluation (les validateurs de preuves se construisent au premier dépôt,
    une fois par processus)."""
    return EtatProcessus(contexte, catalogue, empreinte_catalogue(catalogue), caches.empreinte_code(), ouvrier,
                         Cache(contexte.cache) if contexte.cache else None)
