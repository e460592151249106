"""Le cache de l'historique : le point de chaque étape (sa synthèse, le statut de chaque règle, le
nombre de problèmes), gardé sur disque entre deux lancements.

Relancer `historique` sur un dépôt inchangé réévaluait chaque étape (≈ 1× le premier lancement). Le
point d'une étape ne dépend que de ce qui forme sa clé : le commit lu et le dossier lu dans le dépôt
(le commit fixe l'arbre et toute l'histoire qui le précède, donc les dates d'ajout des preuves), la
date d'évaluation, l'empreinte des politiques et des référentiels, le seuil d'échec, et l'empreinte
du code et des schémas du paquet (`caches.empreinte_code`, version de Python comprise). Une étape
dont le point est en cache n'est ni rejouée ni réévaluée ; si toutes le sont, l'histoire n'est pas
relue (seule la liste des commits l'est, pour savoir lequel est en vigueur) et les politiques ne
sont pas chargées.

Où : $XDG_CACHE_HOME/verificateur/historique/ (un chemin XDG relatif est ignoré :
~/.cache/verificateur/historique/), jamais dans un dépôt de preuves ; un fichier par point, écrit
atomiquement. Rien de personnel : le point est gardé assaini (NIR masqués), comme dans les sorties ;
la clé est un sha256, ni chemin ni nom de dépôt. Un fichier illisible, tronqué, d'une autre clé,
dont la somme ne correspond pas ou mal formé est ignoré : l'étape est réévaluée, jamais un résultat
faux. Un cache qu'on ne peut pas écrire ralentit la relance, sans rien fausser.

Léger à importer : ni YAML, ni politiques, ni moteur (la relance servie par le cache n'en a pas besoin).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard

import verificateur
from verificateur.socle import caches

if TYPE_CHECKING:
    from verificateur.politiques import Catalogue

FORMAT = 1


class Point(TypedDict):
    """Le résultat d'une étape de l'historique, déjà assaini : ce que garde le cache."""

    statut_global: str
    taux_conformite: float
    synthese: dict[str, Any]
    problemes: int
    statuts: dict[str, str]


def dossier_cache() -> Path:
    """$XDG_CACHE_HOME/verificateur/historique (règles XDG : `caches.dossier`)."""
    return caches.dossier("historique")


def empreinte_catalogue(catalogue: Catalogue) -> str:
    """Un catalogue déjà chargé : ses politiques (identifiant, version, empreinte de leurs fichiers)
    et ses référentiels, comme la clé du cache d'un lot."""
    # Importé ici : la relance servie par le cache ne charge pas les politiques.
    from verificateur.politiques import cache_catalogue

    return "catalogue:" + cache_catalogue.empreinte_catalogue(catalogue)


# Ce que `politiques.charger` peut lire sous un dossier de politiques (une politique, ou un dossier de
# politiques) et sous un dossier de référentiels : l'empreinte en couvre le nom et le contenu.
_MOTIFS_POLITIQUES = ("politique.yaml", "regles/*.yaml", "*/politique.yaml", "*/regles/*.yaml")
_MOTIFS_REFERENTIELS = ("*.yaml",)


def empreinte_fichiers(politiques: tuple[str, ...], referentiels: tuple[str, ...]) -> str | None:
    """Les politiques demandées, sans les charger : un sur-ensemble de ce que `politiques.charger`
    lit — les noms demandés, le dossier courant (les chemins relatifs en partent), et le nom et le
    contenu de chaque fichier qu'il pourrait lire sous chaque dossier demandé et sous les dossiers
    livrés avec l'outil (où qu'ils soient : paquet installé ou sources). None si un fichier ne se lit
    pas (pas de cache : le chargement dira pourquoi)."""
    paquet = Path(verificateur.__file__).parent
    livres = [paquet / "_donnees", paquet.parent]
    dossiers = [*((Path(d), _MOTIFS_POLITIQUES) for d in politiques), *((Path(d), _MOTIFS_REFERENTIELS) for d in referentiels),
                *((d / "politiques", _MOTIFS_POLITIQUES) for d in livres), *((d / "referentiels", _MOTIFS_REFERENTIELS) for d in livres)]
    h = hashlib.sha256(json.dumps([politiques, referentiels, os.getcwd()], ensure_ascii=False).encode("utf-8", "surrogateescape"))
    try:
        for dossier, motifs in dossiers:
            h.update(b"\x01" + str(dossier).encode("utf-8", "surrogateescape") + (b"\x01" if dossier.is_dir() else b"\x02"))
            for fichier in sorted({f for motif in motifs for f in dossier.glob(motif)}) if dossier.is_dir() else ():
                nom = fichier.relative_to(dossier).as_posix().encode("utf-8", "surrogateescape")
                h.update(nom + b"\0" + hashlib.sha256(fichier.read_bytes()).digest())
    except OSError:
        return None
    return "fichiers:" + h.hexdigest()


def cle_commune(empreinte_politiques: str, seuil_echec: str, dossier_lu: str) -> str:
    """La part de la clé commune à toutes les étapes d'un lancement."""
    return json.dumps({
        "format": FORMAT,
        "code": caches.empreinte_code(),
        "politiques": empreinte_politiques,
        "seuil_echec": seuil_echec,
        "dossier": dossier_lu,
    }, sort_keys=True, ensure_ascii=False)


def cle(commune: str, revision: str, date_evaluation: date) -> str:
    return _sha256(f"{commune}\0{revision}\0{date_evaluation.isoformat()}")


def _sha256(texte: str) -> str:
    return hashlib.sha256(texte.encode("utf-8", "surrogateescape")).hexdigest()


def _fichier(dossier: Path, cle_point: str) -> Path:
    return dossier / cle_point[:2] / f"{cle_point}.json"


def lire(dossier: Path, cle_point: str) -> Point | None:
    """Le point inscrit sous cette clé, ou None (absent, illisible, abîmé : l'étape est réévaluée)."""
    corps = _corps(dossier, cle_point)
    try:
        point = json.loads(corps) if corps is not None else None
    except Exception:  # noqa: BLE001 — un cache abîmé, quel qu'il soit, est ignoré : on réévalue
        return None
    return point if _bien_forme(point) else None


def _corps(dossier: Path, cle_inscrite: str) -> bytes | None:
    """Le corps du fichier inscrit sous cette clé si son en-tête dit cette clé et la somme de ce
    corps ; sinon None (absent, illisible, tronqué, d'une autre clé)."""
    try:
        entete, _, corps = _fichier(dossier, cle_inscrite).read_bytes().partition(b"\n")
        meta = json.loads(entete)
        if isinstance(meta, dict) and meta.get("cle") == cle_inscrite and meta.get("somme") == hashlib.sha256(corps).hexdigest():
            return corps
    except Exception:  # noqa: BLE001 — un cache abîmé, quel qu'il soit, est ignoré
        pass
    return None


def _bien_forme(point: Any) -> TypeGuard[Point]:
    """La forme d'un point : un fichier d'une autre forme n'est jamais rendu."""
    if not isinstance(point, dict) or set(point) != set(Point.__annotations__):
        return False
    synthese, statuts = point["synthese"], point["statuts"]
    return (isinstance(point["statut_global"], str)
            and isinstance(point["taux_conformite"], float)
            and isinstance(point["problemes"], int) and not isinstance(point["problemes"], bool)
            and isinstance(synthese, dict) and synthese.get("statut_global") == point["statut_global"]
            and synthese.get("taux_conformite") == point["taux_conformite"]
            and isinstance(statuts, dict) and all(isinstance(v, str) for v in statuts.values()))


def ecrire(dossier: Path, cle_point: str, contenu: Point | dict[str, str]) -> None:
    from verificateur.socle.fichiers import ecrire_atomique

    try:
        corps = json.dumps(contenu, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        entete = json.dumps({"cle": cle_point, "somme": hashlib.sha256(corps).hexdigest()}).encode("ascii")
        ecrire_atomique(_fichier(dossier, cle_point), entete + b"\n" + corps)
    except (OSError, TypeError, ValueError):
        pass  # un cache qu'on ne peut pas écrire ralentit la relance, sans rien fausser


# -- des politiques déjà chargées sans erreur ----------------------------------------------------------
# Une empreinte de fichiers inscrite ici a déjà donné un catalogue valide avec ce code : la relance
# peut ne le charger que si une étape manque. Sinon il est chargé d'abord, comme sans cache (une
# politique invalide est dite avant toute lecture du dépôt).


def politiques_valides(dossier: Path, empreinte_politiques: str) -> bool:
    return lire_marque(dossier, _cle_marque(empreinte_politiques))


def noter_politiques_valides(dossier: Path, empreinte_politiques: str) -> None:
    ecrire(dossier, _cle_marque(empreinte_politiques), {"politiques": "valides"})


def _cle_marque(empreinte_politiques: str) -> str:
    return _sha256(f"politiques-valides\0{FORMAT}\0{caches.empreinte_code()}\0{empreinte_politiques}")


def lire_marque(dossier: Path, cle_marque: str) -> bool:
    return _corps(dossier, cle_marque) is not None  # une marque abîmée : les politiques sont chargées d'abord
