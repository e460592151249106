"""L'unique écriture de fichier de l'outil (rapports, lots, cache) : atomique, aux droits ordinaires.

Fichier temporaire dans le même dossier, puis renommage : une coupure (Ctrl-C, disque plein) ne
laisse jamais un fichier à moitié écrit, et l'ancien reste intact. `mkstemp` crée en 0600 : on
rend au fichier les droits d'un fichier ordinaire (umask), pour qu'un tableau de bord se publie.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from verificateur.socle.francais import erreur_systeme

_UMASK: list[int] = []


def _umask() -> int:
    if not _UMASK:
        _UMASK.append(os.umask(0o022))  # lire l'umask oblige à le changer : on le remet aussitôt
        os.umask(_UMASK[0])
    return _UMASK[0]


def _ecrire(f: BinaryIO, contenu: bytes | str | Iterable[bytes | str]) -> None:
    for morceau in [contenu] if isinstance(contenu, (bytes, str)) else contenu:
        f.write(morceau.encode("utf-8") if isinstance(morceau, str) else morceau)


def ecrire_atomique(cible: Path | str, contenu: bytes | str | Iterable[bytes | str]) -> None:
    """`contenu` : des octets, un texte (UTF-8), ou leurs morceaux, écrits au fil de l'eau."""
    cible = Path(cible)
    cible.parent.mkdir(parents=True, exist_ok=True)
    descripteur, temporaire = tempfile.mkstemp(dir=cible.parent, prefix=f".{cible.name}.", suffix=".tmp")
    try:
        with os.fdopen(descripteur, "wb") as f:
            _ecrire(f, contenu)
        os.chmod(temporaire, 0o666 & ~_umask())
        os.replace(temporaire, cible)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise


def ecrire_sortie(chemin: str, contenu: bytes | str | Iterable[bytes | str]) -> None:
    """Écrire là où l'utilisateur l'a demandé (`--sortie`, `--liste`), comme une redirection du shell :
    un lien symbolique est suivi (sa cible est remplacée, atomiquement ; le lien reste) ; un tube
    nommé ou un périphérique (`/dev/null`, `/dev/stdout`) reçoit le contenu au fil de l'eau, sans
    être remplacé par un fichier. Tout échec est une ErreurVerificateur (code 2) qui dit pourquoi."""
    from verificateur.socle.problemes import ErreurVerificateur

    try:
        try:
            mode = os.stat(chemin).st_mode
        except FileNotFoundError:
            mode = None  # à créer (un lien cassé : sa cible sera créée)
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "dossier", chemin)
        if mode is not None and not stat.S_ISREG(mode):
            # Tube, périphérique : y écrire directement (le remplacer détruirait /dev/null).
            with open(chemin, "wb") as f:
                _ecrire(f, contenu)
            return
        ecrire_atomique(os.path.realpath(chemin), contenu)
    except OSError as exc:
        raise ErreurVerificateur(f"impossible d'écrire « {chemin} » : {erreur_systeme(exc)}") from None
