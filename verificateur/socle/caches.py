"""Ce que partagent les caches de l'outil, tous hors des dépôts de preuves : leur dossier
($XDG_CACHE_HOME/verificateur/…) et l'empreinte du code qui a calculé ce qu'ils gardent.

Léger à importer (ni YAML, ni politiques) : la relance d'un `historique` servie par son cache ne
charge rien d'autre.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from verificateur import __version__

_CODE: list[str] = []


def dossier(nom: str) -> Path:
    """$XDG_CACHE_HOME/verificateur/NOM, sinon ~/.cache/verificateur/NOM."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    # La spécification XDG : un chemin relatif est à ignorer (il dépendrait du dossier courant).
    racine = Path(base) if os.path.isabs(base) else Path(os.path.expanduser("~")) / ".cache"
    return racine / "verificateur" / nom


def empreinte_code() -> str:
    """Le contenu du code et des schémas du paquet : un outil modifié sans changer de version
    (installation en développement) ne relit pas un résultat calculé par l'ancien code."""
    if not _CODE:
        racine = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # le paquet verificateur entier
        chemins = []
        for dossier_, sous, noms in os.walk(racine):
            sous[:] = sorted(d for d in sous if d != "__pycache__")
            chemins += [os.path.join(dossier_, n) for n in noms if n.endswith((".py", ".json"))]
        h = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
        for chemin in sorted(chemins):
            with open(chemin, "rb") as f:
                h.update(os.path.relpath(chemin, racine).encode("utf-8", "surrogateescape") + b"\0" + f.read() + b"\0")
        _CODE.append(h.hexdigest())
    return _CODE[0]
