"""Le catalogue validé (politiques et référentiels), gardé sur disque entre deux lancements.

Charger et valider les politiques livrées coûte ≈ 40 ms de processeur et tire jsonschema (≈ 50 ms
d'import) : c'était la moitié d'un lancement du crochet pre-commit, qui les recharge à chaque commit.
Le catalogue validé est donc écrit une fois sous $XDG_CACHE_HOME/verificateur/catalogues/ (jamais
dans un dépôt de preuves), et relu tel quel au lancement suivant.

Jamais un résultat périmé : la clé couvre les octets de chaque fichier que `politiques.charger`
lit (chemins compris), les dossiers demandés, le dossier courant (les messages montrent des chemins
relatifs à lui), la version de Python et le contenu du code et des schémas du paquet. Elle est
recalculée après un chargement : un fichier modifié pendant la lecture n'est pas inscrit.

Jamais de code venu du cache : du JSON, dont seules les classes du catalogue nommées ci-dessous sont
reconstruites (ni pickle ni marshal). Un fichier illisible, tronqué, d'une autre clé ou mal formé est
ignoré : les politiques sont rechargées comme sans cache. Des politiques invalides ne sont jamais
inscrites (leurs problèmes sont redits à chaque lancement).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from verificateur import politiques
from verificateur.langage import Parametre
from verificateur.socle import caches
from verificateur.socle.caches import empreinte_code as empreinte_code
from verificateur.socle.problemes import ErreurVerificateur, Probleme

FORMAT = 1
GARDES = 16  # au plus autant de catalogues en cache (un par jeu de politiques et version du code)
_CLASSES = {c.__name__: c for c in (politiques.Catalogue, politiques.Politique, politiques.Regle, politiques.Exigence, Parametre, Probleme)}
_MARQUE = "\x00"  # clé réservée des valeurs codées ; une vraie table qui la contient est codée en paires


def dossier_cache() -> Path:
    return caches.dossier("catalogues")


def empreinte_catalogue(catalogue: politiques.Catalogue) -> str:
    """Un catalogue chargé : ses politiques (identifiant, version, empreinte de leurs fichiers) et
    ses référentiels (clés du cache d'un lot et de l'historique)."""
    donnees = {
        "politiques": [[p.id, p.version, p.empreinte] for p in catalogue.politiques],
        "referentiels": catalogue.referentiels,
    }
    brut = json.dumps(donnees, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(brut.encode("utf-8", "surrogateescape")).hexdigest()


def _fichiers_lus(dossiers_politiques: list[Path] | None, dossiers_referentiels: list[Path] | None) -> list[Path]:
    """Les fichiers que `politiques.charger` lit, dans le même ordre de découverte."""
    lus: list[Path] = []
    for dossier in dossiers_referentiels or [politiques.dossier_donnees("referentiels")]:
        lus += sorted(dossier.glob("*.yaml"))
    for dossier in politiques.trouver_politiques(dossiers_politiques or [politiques.dossier_donnees("politiques")]):
        lus.append(dossier / "politique.yaml")
        lus += sorted((dossier / "regles").glob("*.yaml"))
    return lus


def cle(dossiers_politiques: list[Path] | None, dossiers_referentiels: list[Path] | None) -> str:
    h = hashlib.sha256(json.dumps({
        "format": FORMAT,
        "code": empreinte_code(),
        "cwd": os.getcwd(),
        "politiques": [str(d) for d in dossiers_politiques] if dossiers_politiques else None,
        "referentiels": [str(d) for d in dossiers_referentiels] if dossiers_referentiels else None,
    }, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    for fichier in _fichiers_lus(dossiers_politiques, dossiers_referentiels):
        h.update(str(fichier).encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(fichier.read_bytes()).digest())
    return h.hexdigest()


def charger(dossiers_politiques: list[Path] | None = None, dossiers_referentiels: list[Path] | None = None) -> politiques.Catalogue:
    """`politiques.charger`, servi depuis le cache quand rien de ce qui le détermine n'a changé."""
    try:
        avant = cle(dossiers_politiques, dossiers_referentiels)
    except (OSError, ErreurVerificateur):
        avant = None  # dossier introuvable, fichier illisible : le chargement le dira, avec son message
    if avant is not None:
        catalogue = lire(dossier_cache() / f"{avant}.json", avant)
        if catalogue is not None:
            return catalogue
    catalogue = politiques.charger(dossiers_politiques, dossiers_referentiels)
    if avant is not None:
        try:
            inchange = cle(dossiers_politiques, dossiers_referentiels) == avant
        except (OSError, ErreurVerificateur):
            inchange = False
        if inchange:
            ecrire(dossier_cache() / f"{avant}.json", avant, catalogue)
    return catalogue


def lire(fichier: Path, attendue: str) -> politiques.Catalogue | None:
    try:
        brut = fichier.read_bytes()
        entete, _, corps = brut.partition(b"\n")
        meta = json.loads(entete)
        if meta.get("cle") != attendue or meta.get("somme") != hashlib.sha256(corps).hexdigest():
            return None
        catalogue = json.loads(corps, object_hook=_decoder)
    except Exception:  # noqa: BLE001 — un cache abîmé, quel qu'il soit, est ignoré : on recharge
        return None
    return catalogue if isinstance(catalogue, politiques.Catalogue) else None


def ecrire(fichier: Path, cle_catalogue: str, catalogue: politiques.Catalogue) -> None:
    from verificateur.socle.fichiers import ecrire_atomique

    try:
        corps = json.dumps(_coder(catalogue), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        entete = json.dumps({"cle": cle_catalogue, "somme": hashlib.sha256(corps).hexdigest()}).encode("ascii")
        ecrire_atomique(fichier, entete + b"\n" + corps)
        anciens = sorted(fichier.parent.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for ancien in anciens[GARDES:]:
            ancien.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # un cache qu'on ne peut pas écrire ralentit le lancement suivant, sans rien fausser


def _coder(x: object) -> object:
    """Une valeur du catalogue en JSON, chaque type non JSON marqué pour être reconstruit à l'identique."""
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return {_MARQUE: "f", "v": repr(x)}  # nan et inf n'existent pas en JSON strict
    if isinstance(x, list):
        return [_coder(e) for e in x]
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x) and _MARQUE not in x:
            return {k: _coder(v) for k, v in x.items()}
        return {_MARQUE: "m", "v": [[_coder(k), _coder(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {_MARQUE: "t", "v": [_coder(e) for e in x]}
    if isinstance(x, Decimal):
        return {_MARQUE: "d", "v": str(x)}
    if isinstance(x, date) and type(x) is date:
        return {_MARQUE: "j", "v": x.isoformat()}
    if isinstance(x, PurePath):
        return {_MARQUE: "p", "v": str(x)}
    if is_dataclass(x) and type(x).__name__ in _CLASSES and _CLASSES[type(x).__name__] is type(x):
        return {_MARQUE: "c", "n": type(x).__name__, "v": [_coder(getattr(x, f.name)) for f in fields(x)]}
    raise TypeError(f"valeur sans codage pour le cache : {type(x).__name__}")


def _decoder(table: dict[str, Any]) -> object:
    if _MARQUE not in table:
        return table
    genre, v = table[_MARQUE], table["v"]
    if genre == "t":
        return tuple(v)
    if genre == "d":
        return Decimal(v)
    if genre == "j":
        return date.fromisoformat(v)
    if genre == "p":
        return Path(v)
    if genre == "f":
        return float(v)
    if genre == "m":
        return {k: w for k, w in v}
    if genre == "c":
        return _construire(_CLASSES[table["n"]], v)
    raise ValueError(f"marque inconnue {genre!r}")


def _construire(classe: type, valeurs: list[object]) -> object:
    """Sans repasser par __init__ : Probleme.__post_init__ a déjà nettoyé son message à la création."""
    champs = fields(classe)
    if len(champs) != len(valeurs):
        raise ValueError("champs")
    objet: object = object.__new__(classe)
    for champ, valeur in zip(champs, valeurs):
        object.__setattr__(objet, champ.name, valeur)
    return objet
