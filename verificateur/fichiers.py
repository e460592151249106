"""L'unique écriture de fichier de l'outil (rapports, lots, cache) : atomique, aux droits ordinaires.

Fichier temporaire dans le même dossier, puis renommage : une coupure (Ctrl-C, disque plein) ne
laisse jamais un fichier à moitié écrit, et l'ancien reste intact. `mkstemp` crée en 0600 : on
rend au fichier les droits d'un fichier ordinaire (umask), pour qu'un tableau de bord se publie.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

_UMASK: list[int] = []


def _umask() -> int:
    if not _UMASK:
        _UMASK.append(os.umask(0o022))  # lire l'umask oblige à le changer : on le remet aussitôt
        os.umask(_UMASK[0])
    return _UMASK[0]


def ecrire_atomique(cible: Path | str, contenu: bytes | str | Iterable[bytes | str]) -> None:
    """`contenu` : des octets, un texte (UTF-8), ou leurs morceaux, écrits au fil de l'eau."""
    cible = Path(cible)
    cible.parent.mkdir(parents=True, exist_ok=True)
    descripteur, temporaire = tempfile.mkstemp(dir=cible.parent, prefix=f".{cible.name}.", suffix=".tmp")
    try:
        with os.fdopen(descripteur, "wb") as f:
            for morceau in [contenu] if isinstance(contenu, (bytes, str)) else contenu:
                f.write(morceau.encode("utf-8") if isinstance(morceau, str) else morceau)
        os.chmod(temporaire, 0o666 & ~_umask())
        os.replace(temporaire, cible)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise
