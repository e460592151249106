"""Les sources d'un dépôt de preuves : arbre de travail (ou simple dossier), mémoire ; les sources git
(révision, index) sont dans `verificateur.git.sources`. Toutes exposent la même interface, et tous les chemins
restent confinés au dépôt."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# Les bornes d'un dépôt lu sont au socle (confinement.py), sous la plomberie git qui les applique
# aussi ; elles restent lisibles ici, où les sources les appliquent.
from verificateur.socle.confinement import (  # noqa: F401
    CHEMIN_MAX,
    NOMBRE_MAX_FICHIERS,
    NOMBRE_MAX_PREUVES,
    PROFONDEUR_MAX_DOSSIERS,
    TAILLE_MAX_FICHIER,
    TAILLE_MAX_PREUVES,
    VALEURS_MAX_DEPOT,
    chemin_confine,
    dossier_trop_profond,
    probleme_trop_profond,
)
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme


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


def est_nu(dossier: Path | str) -> bool:
    """Un dépôt git nu, reconnu à sa forme, sans lancer git : `HEAD`, `objects/` et `refs/` (la
    forme que reconnaît aussi la découverte d'un lot, `lot.decouverte`)."""
    dossier = Path(dossier)
    return (dossier / "HEAD").is_file() and (dossier / "objects").is_dir() and (dossier / "refs").is_dir()


def _parcourir(racine: Path, problemes: list[Probleme]) -> Iterator[tuple[str, list[str], list[str], set[str]]]:
    """`os.walk(racine, followlinks=False)` (de haut en bas, `sous_dossiers` modifiable sur place),
    sans récursion et sans descendre au-delà de PROFONDEUR_MAX_DOSSIERS niveaux : un dossier plus
    profond, ou illisible, est signalé dans `problemes`. Avec chaque dossier, les noms qui y sont des
    liens symboliques, lus dans l'entrée du dossier (sans un appel système de plus par nom)."""
    a_voir = [(str(racine), 0)]
    while a_voir:
        dossier, profondeur = a_voir.pop()
        sous_dossiers: list[str] = []
        noms: list[str] = []
        liens: set[str] = set()
        trop_longs = 0
        try:
            with os.scandir(dossier) as entrees:
                for entree in entrees:
                    if len(os.fsencode(entree.path)) >= CHEMIN_MAX:
                        trop_longs += 1  # ni stat ni lstat possibles par ce nom (ENAMETOOLONG)
                        continue
                    try:
                        est_dossier = entree.is_dir()
                        if entree.is_symlink():
                            liens.add(entree.name)
                    except OSError:
                        est_dossier = False
                    (sous_dossiers if est_dossier else noms).append(entree.name)
        except OSError as exc:
            relatif = Path(dossier).relative_to(racine).as_posix()
            problemes.append(Probleme(relatif, 0, "dossier-illisible", f"dossier illisible : {erreur_systeme(exc)}"))
            continue
        if trop_longs:
            problemes.append(Probleme(
                Path(dossier).relative_to(racine).as_posix(), 0, "chemin-trop-long",
                f"{trop_longs} entrée(s) dont le chemin dépasse {CHEMIN_MAX} octets : non lue(s) (docs/limites.md)",
            ))
        yield dossier, sous_dossiers, noms, liens
        suivants = []
        for nom in sous_dossiers:
            complet = os.path.join(dossier, nom)
            if nom in liens:
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
    # Les dossiers de base des cas de test des politiques livrées ne sont pas des preuves reçues : un
    # installateur (uv) lie physiquement les fichiers installés à son cache, ils restent lisibles.
    liens_physiques_admis: bool = field(default=False, repr=False)
    _fichiers: dict[str, int] | None = field(default=None, repr=False)
    _reels: dict[str, str | Path] = field(default_factory=dict, repr=False)
    # Le relevé (stat) de chaque fichier retenu, fait par `lister` : le cache d'un lot y lit taille, dates
    # et inode sans un second appel système par preuve (`lot.cache.relever_metadonnees`).
    releves: dict[str, os.stat_result] = field(default_factory=dict, repr=False)
    releves_depuis_ns: int = field(default=0, repr=False)  # l'heure du début de ces relevés
    _problemes: list[Probleme] = field(default_factory=list, repr=False)
    # Fichiers à plusieurs liens physiques : (périphérique, inode) → nombre de liens, noms vus dans
    # le dépôt, et chemins qui y mènent (noms et liens symboliques).
    _inodes: dict[tuple[int, int], tuple[int, list[str], list[str]]] = field(default_factory=dict, repr=False)

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
        self.releves_depuis_ns = time.time_ns()
        # Des chaînes plutôt que des Path, le chemin relatif de chaque dossier tenu par son parent, et le
        # lien symbolique lu dans l'entrée du dossier : un lot relancé sur des copies de travail passe
        # l'essentiel de son temps ici (docs/performances.md §3).
        prefixes = {str(self._racine): ""}
        for dossier, sous_dossiers, noms, liens in _parcourir(self._racine, self._problemes):
            prefixe = prefixes.pop(dossier)
            if not prefixe:
                sous_dossiers[:] = [d for d in sous_dossiers if d != ".git"]
                noms = [n for n in noms if n != ".git"]  # .git peut être un fichier (worktree, sous-module)
            sous_dossiers.sort()
            for nom in list(sous_dossiers):
                if nom in liens:
                    sous_dossiers.remove(nom)
                    self._lien(Path(dossier, nom), Path(prefixe + nom), dossier_cible=True, fichiers=fichiers)
            prefixes.update((os.path.join(dossier, nom), f"{prefixe}{nom}/") for nom in sous_dossiers)
            for nom in sorted(noms):
                complet = os.path.join(dossier, nom)
                cle = prefixe + nom
                if nom in liens:
                    self._lien(Path(complet), Path(cle), dossier_cible=False, fichiers=fichiers)
                    continue
                try:
                    infos = os.lstat(complet)
                except OSError as exc:
                    self._problemes.append(Probleme(cle, 0, "fichier-illisible", f"fichier illisible : {erreur_systeme(exc)}"))
                    continue
                if self._lisible(cle, infos, nom=True):
                    fichiers[cle] = infos.st_size
                    self._reels[cle] = complet
                    self.releves[cle] = infos
                if len(fichiers) > NOMBRE_MAX_FICHIERS:
                    raise ErreurVerificateur(
                        f"{self.chemin}: plus de {NOMBRE_MAX_FICHIERS} fichiers, dépôt refusé (voir docs/limites.md)"
                    )
        self._liens_physiques(fichiers)
        self._fichiers = dict(sorted(fichiers.items()))
        return self._fichiers

    def _liens_physiques(self, fichiers: dict[str, int]) -> None:
        """Un fichier à plusieurs liens physiques n'est lu que si tous ses noms sont dans le dépôt
        (hors `.git`) : sinon son contenu est partagé avec un nom hors du dépôt, peut-être un fichier
        d'un autre établissement ou un fichier système, que rien ne distingue d'une preuve."""
        for liens, noms, chemins in self._inodes.values():
            if len(noms) >= liens or self.liens_physiques_admis:
                continue
            for cle in chemins:
                fichiers.pop(cle, None)
                self._reels.pop(cle, None)
                self.releves.pop(cle, None)
                self._problemes.append(Probleme(
                    cle, 0, "lien-physique",
                    f"fichier à {liens} liens physiques dont {liens - len(noms)} hors du dépôt "
                    "(son contenu peut venir d'ailleurs), non lu",
                ))

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
        try:
            infos = reel.stat()
        except OSError as exc:
            self._problemes.append(Probleme(cle, 0, "fichier-illisible", f"fichier illisible : {erreur_systeme(exc)}"))
            return
        if stat.S_ISDIR(infos.st_mode):
            if dossier_cible:
                # Un lien vers un dossier du dépôt : son contenu est déjà lu à sa vraie place.
                self._problemes.append(
                    Probleme(cle, 0, "lien-dossier", "lien symbolique vers un dossier du dépôt, non suivi", AVERTISSEMENT)
                )
        elif self._lisible(cle, infos, nom=False):
            fichiers[cle] = infos.st_size
            self._reels[cle] = reel
            self.releves[cle] = infos

    def _lisible(self, cle: str, infos: os.stat_result, nom: bool) -> bool:
        """Un fichier ordinaire ; sinon une ligne de problème, et il n'est pas lu. `nom` : `cle` est
        un nom du fichier (pas un lien symbolique vers lui). Un fichier à plusieurs liens physiques
        est retenu ici et jugé à la fin du parcours (`_liens_physiques`). Un tube nommé bloquerait
        la lecture ; un périphérique ou une socket n'est pas une preuve."""
        mode = infos.st_mode
        if stat.S_ISREG(mode):
            if infos.st_nlink > 1:
                _liens, noms, chemins = self._inodes.setdefault((infos.st_dev, infos.st_ino), (infos.st_nlink, [], []))
                chemins.append(cle)
                if nom:
                    noms.append(cle)
            return True
        if stat.S_ISFIFO(mode):
            nature = "tube nommé (FIFO)"
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            nature = "fichier de périphérique"
        elif stat.S_ISSOCK(mode):
            nature = "socket"
        else:
            nature = "fichier spécial"
        self._problemes.append(Probleme(cle, 0, "fichier-special", f"{nature}, pas un fichier ordinaire : non lu"))
        return False

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        self.lister()
        contenus = {}
        for chemin in chemins:
            # Sans bloquer : un fichier remplacé par un tube nommé depuis `lister` ne suspend rien.
            descripteur = os.open(self._reels[chemin], os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(descripteur, "rb") as f:
                if not stat.S_ISREG(os.fstat(descripteur).st_mode):
                    raise ErreurVerificateur(
                        f"{self.chemin}: {chemin} n'est plus un fichier ordinaire (le dossier change pendant la lecture)"
                    )
                contenus[chemin] = f.read(TAILLE_MAX_FICHIER + 1)
        return contenus

    def problemes(self) -> list[Probleme]:
        self.lister()
        return list(self._problemes)
