"""Un dépôt git ne lit que ce qui est dans son dossier : le dossier git et le dossier commun que git
annonce, les liens symboliques du dossier git, les dépôts d'objets annexes (docs/depot.md §4).

Sans lancer git : ce module vérifie ce que git vient d'annoncer au premier `rev-parse` (verificateur/git/
depot.py), par le système de fichiers, avant toute lecture d'objet ou de référence.
"""

from __future__ import annotations

import os
import stat

from verificateur.socle.problemes import ErreurVerificateur

# Profondeur de chaînage des dépôts d'objets annexes que git suit (`objects/info/alternates`).
_ANNEXES_MAX = 5
_CLONE = "évaluez-en un clone complet (git clone --no-local)"

# Ce que l'outil ne fait jamais lire à git dans un dossier git : les crochets (core.hooksPath=/dev/null)
# et le stockage de Git LFS (aucun filtre). Un lien vers l'extérieur y est courant (crochets partagés)
# et sans effet sur ce qui est lu.
_JAMAIS_LUS = ("hooks", "lfs")


class ErreurConfinement(ErreurVerificateur):
    """Le dépôt désigné lirait des objets ou des références hors de son dossier (docs/depot.md §4)."""


def dedans(chemin: str, racine: str) -> bool:
    """`chemin` (réel) est `racine` (réel) ou s'y trouve."""
    return chemin == racine or chemin.startswith(racine.rstrip("/") + "/")


def confiner(chemin: str, racine: str, dossier_git: str, dossier_commun: str) -> None:
    """Refuse un dépôt dont git lirait les objets ou les références hors de `racine` : `.git`
    fichier (`gitdir:`) ou lien qui mène ailleurs — arbre de travail lié, sous-module, dépôt
    déplacé, ou dépôt fabriqué pour qu'un lot lise celui d'un autre établissement —, `commondir`,
    lien symbolique dans le dossier git, objets empruntés (`objects/info/alternates`).

    `racine` est le dossier où se trouve `.git` (la racine de l'arbre de travail), ou le dépôt nu
    lui-même. Les dossiers sont ceux que git vient d'annoncer (`--absolute-git-dir`,
    `--git-common-dir`) : on vérifie ce que git lira, pas une copie de sa logique. `chemin` est celui
    que disent les messages."""
    reels = [os.path.realpath(dossier_git), os.path.realpath(dossier_commun)]
    if not all(dedans(reel, racine) for reel in reels):
        raise ErreurConfinement(
            f"{chemin}: le dépôt git est hors du dossier (« .git » renvoie ailleurs : arbre de travail "
            f"lié, sous-module ou dépôt déplacé), refusé pour ne lire aucun autre dépôt ; {_CLONE}"
        )
    for dossier in [r for r in dict.fromkeys(reels) if not any(r != a and dedans(r, a) for a in reels)]:
        _sans_lien_sortant(chemin, dossier, racine, _JAMAIS_LUS)
    # Les annexes des annexes, niveau par niveau : git en suit 5 de plus et ignore les suivants.
    niveau, vus = [os.path.join(reels[1], "objects")], set()
    for _ in range(_ANNEXES_MAX + 1):
        suivants = []
        for objets in niveau:
            for annexe in _annexes(chemin, objets, racine):
                if annexe not in vus:
                    vus.add(annexe)
                    _sans_lien_sortant(chemin, annexe, racine)
                    suivants.append(annexe)
        niveau = suivants


def _lien_sortant(dossier: str, racine: str, ignores: tuple[str, ...] = ()) -> str | None:
    """Le premier lien symbolique de `dossier` (récursivement, sans suivre les liens, hors des
    entrées `ignores` de son premier niveau) dont la cible est hors de `racine`, relatif à `dossier` ;
    None s'il n'y en a pas. Les types viennent de `scandir` (d_type) : un dossier git de milliers
    d'objets se parcourt en quelques millisecondes."""
    a_voir = [dossier]
    while a_voir:
        courant = a_voir.pop()
        try:
            with os.scandir(courant) as entrees:
                for entree in entrees:
                    if courant == dossier and entree.name in ignores:
                        continue
                    if entree.is_symlink():
                        if not dedans(os.path.realpath(entree.path), racine):
                            return os.path.relpath(entree.path, dossier)
                    elif entree.is_dir(follow_symlinks=False):
                        a_voir.append(entree.path)
        except OSError:
            continue  # illisible : git ne le lira pas davantage
    return None


def _sans_lien_sortant(chemin: str, dossier: str, racine: str, ignores: tuple[str, ...] = ()) -> None:
    lien = _lien_sortant(dossier, racine, ignores)
    if lien is not None:
        raise ErreurConfinement(
            f"{chemin}: lien symbolique vers l'extérieur du dépôt dans le dossier git (« {lien} »), "
            f"refusé ; {_CLONE}"
        )


def _lire_petit_fichier(chemin: str) -> bytes | None:
    """Le contenu d'un fichier ordinaire (1 Mio au plus), None s'il n'existe pas ou n'en est pas un.
    Ouvert sans bloquer : un tube nommé à sa place ne suspend pas l'outil."""
    try:
        descripteur = os.open(chemin, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descripteur, "rb") as fichier:
        if not stat.S_ISREG(os.fstat(descripteur).st_mode):
            return None
        return fichier.read(1 << 20)


def _annexes(chemin: str, objets: str, racine: str) -> list[str]:
    """Les dossiers d'objets annexes que déclare `objets/info/alternates` (comme git les lit :
    une ligne par dossier, relative au dossier d'objets, `#` en commentaire) ; refus s'il en est
    un hors de `racine` (clone `--shared` ou `--reference`, ou objets d'un autre établissement)."""
    contenu = _lire_petit_fichier(os.path.join(objets, "info", "alternates"))
    annexes = []
    for brute in (contenu or b"").split(b"\n"):
        if not brute or brute.startswith(b"#"):
            continue
        ligne = os.fsdecode(brute)
        # Une ligne entre guillemets est un chemin échappé à la C : non décodé, tenu pour hors du dépôt.
        reel = os.path.realpath(os.path.join(objets, ligne)) if not ligne.startswith('"') else ""
        if not reel or not dedans(reel, racine):
            raise ErreurConfinement(
                f"{chemin}: objets git empruntés à un autre dépôt (objects/info/alternates), refusé ; {_CLONE}"
            )
        annexes.append(reel)
    return annexes
