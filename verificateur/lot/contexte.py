"""Ce que chaque évaluation d'un lot partage : les options du lot (`Contexte`, des valeurs, transmises
une fois à chaque processus d'évaluation) et l'état d'un processus (`EtatProcessus` : le catalogue
chargé et ses empreintes, calculées une fois par processus, et sa lecture du cache), passé
explicitement à chaque tâche."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from verificateur import __version__
from verificateur.git.collecte import DELAI_DEFAUT, TAILLE_DEFAUT
from verificateur.lot.cache import Cache

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
    donnees = {
        "politiques": [[p.id, p.version, p.empreinte] for p in catalogue.politiques],
        "referentiels": catalogue.referentiels,
    }
    brut = json.dumps(donnees, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return "sha256:" + hashlib.sha256(brut).hexdigest()


def empreinte_outil() -> str:
    """La version et le contenu du code et des schémas du paquet : un outil modifié sans changer de
    version (installation en développement) ne relit pas un résultat d'avant sa modification."""
    racine = Path(__file__).parent.parent  # le paquet verificateur entier
    h = hashlib.sha256(__version__.encode("utf-8"))
    for fichier in sorted([*racine.rglob("*.py"), *racine.rglob("*.json")]):
        h.update(fichier.relative_to(racine).as_posix().encode("utf-8") + b"\0" + fichier.read_bytes())
    return h.hexdigest()


def initialiser(contexte: Contexte, catalogue: Catalogue, ouvrier: bool = False) -> EtatProcessus:
    """L'état d'un processus d'évaluation (les validateurs de preuves se construisent au premier dépôt,
    une fois par processus)."""
    return EtatProcessus(contexte, catalogue, empreinte_catalogue(catalogue), empreinte_outil(), ouvrier,
                         Cache(contexte.cache) if contexte.cache else None)
