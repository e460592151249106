"""Les sources d'un dépôt de preuves : arbre de travail (ou simple dossier), mémoire ; les sources git
(révision, index) sont dans `depot_git`. Toutes exposent la même interface, et tous les chemins
restent confinés au dépôt."""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from verificateur.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme

# Au-delà, un fichier n'est pas lu (un dépôt hostile ne doit pas épuiser la mémoire) ; docs/limites.md.
TAILLE_MAX_FICHIER = 10 * 1024 * 1024
# Au-delà, le dépôt est refusé : aucun établissement n'a besoin d'autant de fichiers de preuve.
NOMBRE_MAX_FICHIERS = 50_000
# Au-delà, le dépôt est refusé : la mémoire reste bornée quel que soit le nombre de fichiers de preuve
# (docs/limites.md). Fichiers de preuve reconnus ; octets qu'ils totalisent ; valeurs lues (nœuds YAML,
# cellules CSV, titres Markdown) dans tout le dépôt, ou toute son histoire pour `historique`.
NOMBRE_MAX_PREUVES = 10_000
TAILLE_MAX_PREUVES = 64 * 1024 * 1024
VALEURS_MAX_DEPOT = 250_000
# Dossiers imbriqués au plus (docs/limites.md) : au-delà, leur contenu n'est pas lu, dans tous les modes
# (arbre, révision, index, historique). Un millier de niveaux épuisait la pile de `os.walk`.
PROFONDEUR_MAX_DOSSIERS = 64
# Un chemin absolu plus long n'est pas accessible par son nom (PATH_MAX de Linux) : non lu, signalé.
CHEMIN_MAX = 4096


class Source(Protocol):
    """Ce que l'évaluation sait d'un dépôt : la liste de ses fichiers et leur contenu."""

    chemin: str  # tel que donné par l'utilisateur
    nature: str  # "arbre" | "revision" | "index"
    revision: str | None  # sha du commit lu, ou None

    def lister(self) -> dict[str, int]:
        """Chemins relatifs POSIX des fichiers → taille en octets."""
        ...

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        """Contenu des fichiers demandés, lus en une fois."""
        ...

    def problemes(self) -> list[Probleme]:
        """Ce que la source a refusé de lire (liens sortants, chemins hors dépôt…)."""
        ...


def chemin_confine(chemin: str) -> str | None:
    """Normalise un chemin cité dans une preuve ; None s'il sort du dépôt (absolu, `..`, lecteur Windows)."""
    if not chemin or "\\" in chemin or "\x00" in chemin:
        return None
    if chemin.startswith("/") or (len(chemin) > 1 and chemin[1] == ":"):
        return None
    normal = posixpath.normpath(chemin)
    if normal == "." or normal == ".." or normal.startswith("../"):
        return None
    return normal


def dossier_trop_profond(chemin: str) -> str | None:
    """Le dossier de `chemin` (relatif POSIX) qui dépasse PROFONDEUR_MAX_DOSSIERS niveaux, ou None."""
    if chemin.count("/") <= PROFONDEUR_MAX_DOSSIERS:
        return None
    return "/".join(chemin.split("/", PROFONDEUR_MAX_DOSSIERS + 1)[: PROFONDEUR_MAX_DOSSIERS + 1])


def probleme_trop_profond(dossier: str) -> Probleme:
    return Probleme(dossier, 0, "dossier-trop-profond",
                    f"dossiers imbriqués sur plus de {PROFONDEUR_MAX_DOSSIERS} niveaux : contenu non lu (docs/limites.md)")


def _parcourir(racine: Path, problemes: list[Probleme]):
    """`os.walk(racine, followlinks=False)` (de haut en bas, `sous_dossiers` modifiable sur place),
    sans récursion et sans descendre au-delà de PROFONDEUR_MAX_DOSSIERS niveaux : un dossier plus
    profond, ou illisible, est signalé dans `problemes`."""
    a_voir = [(str(racine), 0)]
    while a_voir:
        dossier, profondeur = a_voir.pop()
        sous_dossiers: list[str] = []
        noms: list[str] = []
        trop_longs = 0
        try:
            with os.scandir(dossier) as entrees:
                for entree in entrees:
                    if len(os.fsencode(entree.path)) >= CHEMIN_MAX:
                        trop_longs += 1  # ni stat ni lstat possibles par ce nom (ENAMETOOLONG)
                        continue
                    try:
                        est_dossier = entree.is_dir()
                    except OSError:
                        est_dossier = False
                    (sous_dossiers if est_dossier else noms).append(entree.name)
        except OSError as exc:
            relatif = Path(dossier).relative_to(racine).as_posix()
            from verificateur.fichiers import raison

            problemes.append(Probleme(relatif, 0, "dossier-illisible", f"dossier illisible : {raison(exc)}"))
            continue
        if trop_longs:
            problemes.append(Probleme(
                Path(dossier).relative_to(racine).as_posix(), 0, "chemin-trop-long",
                f"{trop_longs} entrée(s) dont le chemin dépasse {CHEMIN_MAX} octets : non lue(s) (docs/limites.md)",
            ))
        yield dossier, sous_dossiers, noms
        suivants = []
        for nom in sous_dossiers:
            complet = os.path.join(dossier, nom)
            if os.path.islink(complet):
                continue
            if profondeur + 1 > PROFONDEUR_MAX_DOSSIERS:
                problemes.append(probleme_trop_profond(Path(complet).relative_to(racine).as_posix()))
                continue
            suivants.append((complet, profondeur + 1))
        a_voir.extend(reversed(suivants))


@dataclass
class SourceMemoire:
    """Un dépôt tenu en mémoire : cas de test des politiques, tests unitaires."""

    contenus: dict[str, bytes]
    chemin: str = "<mémoire>"
    nature: str = "arbre"
    revision: str | None = None

    def lister(self) -> dict[str, int]:
        return {c: len(v) for c, v in sorted(self.contenus.items())}

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        return {c: self.contenus[c] for c in chemins}

    def problemes(self) -> list[Probleme]:
        return []


@dataclass
class SourceArbre:
    """Un dossier (arbre de travail git ou simple dossier) lu par le système de fichiers.

    Le dossier est celui que l'utilisateur a donné, jamais un `core.worktree` de dépôt. Les liens
    symboliques ne sont suivis que s'ils restent dans le dossier ; `.git` n'est jamais lu.
    """

    chemin: str
    nature: str = "arbre"
    revision: str | None = None
    _fichiers: dict[str, int] | None = field(default=None, repr=False)
    _reels: dict[str, Path] = field(default_factory=dict, repr=False)
    _problemes: list[Probleme] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        racine = Path(self.chemin)
        if not racine.is_dir():
            raise ErreurVerificateur(f"{self.chemin}: dossier introuvable, attendu un dépôt de preuves")
        self._racine = racine.resolve()

    def _dans_racine(self, reel: Path) -> bool:
        return reel == self._racine or self._racine in reel.parents

    def lister(self) -> dict[str, int]:
        if self._fichiers is not None:
            return self._fichiers
        fichiers: dict[str, int] = {}
        for dossier, sous_dossiers, noms in _parcourir(self._racine, self._problemes):
            relatif = Path(dossier).relative_to(self._racine)
            if relatif == Path("."):
                sous_dossiers[:] = [d for d in sous_dossiers if d != ".git"]
                noms = [n for n in noms if n != ".git"]  # .git peut être un fichier (worktree, sous-module)
            sous_dossiers.sort()
            for nom in list(sous_dossiers):
                complet = Path(dossier) / nom
                if complet.is_symlink():
                    sous_dossiers.remove(nom)
                    self._lien(complet, relatif / nom, dossier_cible=True, fichiers=fichiers)
            for nom in sorted(noms):
                complet = Path(dossier) / nom
                cle = (relatif / nom).as_posix()
                if complet.is_symlink():
                    self._lien(complet, relatif / nom, dossier_cible=False, fichiers=fichiers)
                    continue
                try:
                    infos = complet.lstat()
                except OSError as exc:
                    self._problemes.append(Probleme(cle, 0, "fichier-illisible", f"fichier illisible : {exc.strerror}"))
                    continue
                if stat.S_ISREG(infos.st_mode):
                    fichiers[cle] = infos.st_size
                    self._reels[cle] = complet
                if len(fichiers) > NOMBRE_MAX_FICHIERS:
                    raise ErreurVerificateur(
                        f"{self.chemin}: plus de {NOMBRE_MAX_FICHIERS} fichiers, dépôt refusé (voir docs/limites.md)"
                    )
        self._fichiers = dict(sorted(fichiers.items()))
        return self._fichiers

    def _lien(self, complet: Path, relatif: Path, dossier_cible: bool, fichiers: dict[str, int]) -> None:
        cle = relatif.as_posix()
        try:
            reel = complet.resolve(strict=True)
        except (OSError, RuntimeError):
            self._problemes.append(
                Probleme(cle, 0, "lien-casse", "lien symbolique cassé ou en boucle, ignoré", AVERTISSEMENT)
            )
            return
        if not self._dans_racine(reel) or ".git" in reel.relative_to(self._racine).parts:
            self._problemes.append(
                Probleme(cle, 0, "chemin-hors-depot", "lien symbolique vers l'extérieur du dépôt, refusé")
            )
            return
        if reel.is_file():
            fichiers[cle] = reel.stat().st_size
            self._reels[cle] = reel
        elif dossier_cible:
            # Un lien vers un dossier du dépôt : son contenu est déjà lu à sa vraie place.
            self._problemes.append(
                Probleme(cle, 0, "lien-dossier", "lien symbolique vers un dossier du dépôt, non suivi", AVERTISSEMENT)
            )

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        self.lister()
        contenus = {}
        for chemin in chemins:
            with open(self._reels[chemin], "rb") as f:
                contenus[chemin] = f.read(TAILLE_MAX_FICHIER + 1)
        return contenus

    def problemes(self) -> list[Probleme]:
        self.lister()
        return list(self._problemes)
