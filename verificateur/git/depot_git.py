"""Les sources git d'un dépôt de preuves : une révision (`SourceRevision`) ou l'index (`SourceIndex`).

C'est le seul module qui lance git. Un dépôt de preuves est une entrée hostile : sa configuration
(`.git/config` et ce qu'elle inclut) peut nommer des commandes (fsmonitor, crochets, filtres,
textconv, ssh, upload-pack d'un clone partiel…). Git n'est donc appelé que par la plomberie qui ne lit
que des objets ou l'index (`rev-parse`, `ls-tree`, `ls-files -s`, `cat-file --batch[-check]`),
jamais par une commande qui compare l'index à l'arbre de travail, et toujours avec l'invocation
durcie de `_Depot.commande` (docs/depot.md ; tests/hostiles/test_code_sur.py).

Une lecture coûte 4 ou 5 processus git, dont un seul `cat-file --batch` pour tous les contenus.

Seule exception à « ne faire que lire » : la collecte d'un lot (`commande_collecte`, `lancer_collecte`,
appelées par verificateur/git/collecte.py) fait écrire git dans un miroir de l'auditeur, jamais dans un
dépôt de preuves (docs/depot.md §7).
"""

from __future__ import annotations

import os
import posixpath
import signal
import stat
import subprocess
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import date as date_, datetime
from typing import IO, Callable, Iterator
from pathlib import Path

from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme
from verificateur.socle.confinement import (
    NOMBRE_MAX_FICHIERS, TAILLE_MAX_FICHIER, chemin_confine, dossier_trop_profond, probleme_trop_profond,
)

# Au-delà, git est considéré comme bloqué (dépôt sur un disque réseau mort, objet gigantesque…).
DELAI_GIT = 300
MODE_LIEN = "120000"
MODE_SOUS_MODULE = "160000"
# Chaîne de liens symboliques suivie au plus (comme le noyau : au-delà, c'est une boucle).
SAUTS_MAX = 40
# Une cible de lien plus longue n'est pas un chemin (PATH_MAX).
CIBLE_MAX = 4096
# Commits de premier parent lus au plus (historique, fraîcheur) : au-delà, refusé (docs/limites.md).
COMMITS_MAX = 100_000

# Transports interdits : un clone partiel va chercher les objets absents chez son « promisor »,
# ce qui lance `remote.<nom>.uploadpack` ou `core.sshCommand` (essai : voir docs/depot.md).
# La ligne de commande l'emporte sur la configuration du dépôt, clé par clé : chaque protocole est
# donc fermé explicitement, pas seulement `protocol.allow`.
_PROTOCOLES = ("file", "git", "ssh", "http", "https", "ftp", "ftps", "ext")


# Profondeur de chaînage des dépôts d'objets annexes que git suit (`objects/info/alternates`).
_ANNEXES_MAX = 5
_CLONE = "évaluez-en un clone complet (git clone --no-local)"


class ErreurConfinement(ErreurVerificateur):
    """Le dépôt désigné lirait des objets ou des références hors de son dossier (docs/depot.md §4)."""


def _dedans(chemin: str, racine: str) -> bool:
    """`chemin` (réel) est `racine` (réel) ou s'y trouve."""
    return chemin == racine or chemin.startswith(racine.rstrip("/") + "/")


# Ce que l'outil ne fait jamais lire à git dans un dossier git : les crochets (core.hooksPath=/dev/null)
# et le stockage de Git LFS (aucun filtre). Un lien vers l'extérieur y est courant (crochets partagés)
# et sans effet sur ce qui est lu.
_JAMAIS_LUS = ("hooks", "lfs")


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
                        if not _dedans(os.path.realpath(entree.path), racine):
                            return os.path.relpath(entree.path, dossier)
                    elif entree.is_dir(follow_symlinks=False):
                        a_voir.append(entree.path)
        except OSError:
            continue  # illisible : git ne le lira pas davantage
    return None


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


def _fermer_processus(processus: subprocess.Popen[bytes]) -> None:
    if processus.poll() is None:
        try:
            if processus.stdin:
                processus.stdin.close()
            processus.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            processus.kill()
            processus.wait()
    for flux in (processus.stdin, processus.stdout):
        if flux:
            try:
                flux.close()
            except OSError:
                pass


class PasUnDepotGit(ErreurVerificateur):
    """Le dossier n'est dans aucun dépôt git : chaque commande dit ce qu'elle attendait (le crochet, l'index ;
    l'historique, l'histoire) au lieu de reconnaître le message."""


class _Depot:
    """Un dépôt git désigné par un chemin de l'utilisateur, et la façon durcie d'y lancer git."""

    def __init__(self, chemin: str, index: bool):
        self.chemin = chemin
        self.index = index
        dossier = Path(chemin)
        if not dossier.is_dir():
            raise ErreurVerificateur(f"{chemin}: dossier introuvable, attendu un dépôt git")
        self.dossier = os.path.realpath(dossier)
        # safe.directory ne se donne qu'en chemin exact (git 2.39) : le dossier et chacun de ses
        # parents, puisque git remonte de l'un à l'autre pour trouver le dépôt désigné.
        self._surs = [self.dossier, *(str(p) for p in Path(self.dossier).parents)]
        self.arbre_de_travail: str | None = None
        fini = self.lancer(["rev-parse", "--is-bare-repository", "--is-inside-git-dir", "--absolute-git-dir", "--git-common-dir"])
        if fini.returncode != 0:
            raise PasUnDepotGit(f"{chemin}: pas un dépôt git (sans --revision ni --index, le dossier est lu tel quel)")
        sortie = fini.stdout
        lignes = [os.fsdecode(ligne) for ligne in sortie.split(b"\n") if ligne]
        if len(lignes) != 4:
            raise ErreurVerificateur(f"{chemin}: réponse inattendue de git rev-parse, dépôt illisible")
        self.nu = lignes[0] == "true" or lignes[1] == "true"
        self.prefixe = ""
        if not self.nu:
            # L'arbre de travail et le préfixe sont calculés ici, jamais demandés à git : un
            # `core.worktree` hostile les déplacerait (--show-prefix, ls-files). Git trouve son dépôt
            # au premier parent qui contient `.git` ; on fait de même, puis on lui impose --work-tree.
            for candidat in [Path(self.dossier), *Path(self.dossier).parents]:
                if os.path.lexists(candidat / ".git"):
                    self.arbre_de_travail = str(candidat)
                    relatif = Path(self.dossier).relative_to(candidat).as_posix()
                    self.prefixe = "" if relatif == "." else relatif
                    break
            else:
                raise ErreurVerificateur(f"{chemin}: pas un dépôt git (aucun dossier .git trouvé)")
        # --git-common-dir est relatif au dossier où git est lancé (-C), ou absolu.
        self._confiner(lignes[2], os.path.join(self.dossier, lignes[3]))

    def _confiner(self, dossier_git: str, dossier_commun: str) -> None:
        """Refuse un dépôt dont git lirait les objets ou les références hors de son dossier : `.git`
        fichier (`gitdir:`) ou lien qui mène ailleurs — arbre de travail lié, sous-module, dépôt
        déplacé, ou dépôt fabriqué pour qu'un lot lise celui d'un autre établissement —, `commondir`,
        lien symbolique dans le dossier git, objets empruntés (`objects/info/alternates`).

        Le dossier est celui où se trouve `.git` (la racine de l'arbre de travail), ou le dépôt nu
        lui-même. Les dossiers sont ceux que git vient d'annoncer (`--absolute-git-dir`,
        `--git-common-dir`) : on vérifie ce que git lira, pas une copie de sa logique."""
        racine = self.dossier if self.nu else str(self.arbre_de_travail)
        reels = [os.path.realpath(dossier_git), os.path.realpath(dossier_commun)]
        if not all(_dedans(reel, racine) for reel in reels):
            raise ErreurConfinement(
                f"{self.chemin}: le dépôt git est hors du dossier (« .git » renvoie ailleurs : arbre de travail "
                f"lié, sous-module ou dépôt déplacé), refusé pour ne lire aucun autre dépôt ; {_CLONE}"
            )
        for dossier in [r for r in dict.fromkeys(reels) if not any(r != a and _dedans(r, a) for a in reels)]:
            self._sans_lien_sortant(dossier, racine, _JAMAIS_LUS)
        # Les annexes des annexes, niveau par niveau : git en suit 5 de plus et ignore les suivants.
        niveau, vus = [os.path.join(reels[1], "objects")], set()
        for _ in range(_ANNEXES_MAX + 1):
            suivants = []
            for objets in niveau:
                for annexe in self._annexes(objets, racine):
                    if annexe not in vus:
                        vus.add(annexe)
                        self._sans_lien_sortant(annexe, racine)
                        suivants.append(annexe)
            niveau = suivants

    def _sans_lien_sortant(self, dossier: str, racine: str, ignores: tuple[str, ...] = ()) -> None:
        lien = _lien_sortant(dossier, racine, ignores)
        if lien is not None:
            raise ErreurConfinement(
                f"{self.chemin}: lien symbolique vers l'extérieur du dépôt dans le dossier git (« {lien} »), "
                f"refusé ; {_CLONE}"
            )

    def _annexes(self, objets: str, racine: str) -> list[str]:
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
            if not reel or not _dedans(reel, racine):
                raise ErreurConfinement(
                    f"{self.chemin}: objets git empruntés à un autre dépôt (objects/info/alternates), refusé ; {_CLONE}"
                )
            annexes.append(reel)
        return annexes

    @classmethod
    def hors_depot(cls, chemin: str) -> _Depot:
        """La même invocation durcie pour un dossier qui n'est pas (encore) un dépôt (`git init`)."""
        depot = cls.__new__(cls)
        depot.chemin, depot.index, depot.arbre_de_travail, depot.prefixe, depot.nu = chemin, False, None, "", False
        depot.dossier = os.path.realpath(chemin)
        depot._surs = [depot.dossier, *(str(p) for p in Path(depot.dossier).parents)]
        return depot

    def environnement(self) -> dict[str, str]:
        """L'environnement, sans aucune variable GIT_* héritée (GIT_DIR, GIT_WORK_TREE,
        GIT_CONFIG_PARAMETERS…), sauf GIT_INDEX_FILE pour lire l'index en cours de commit."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        if self.index and os.environ.get("GIT_INDEX_FILE"):
            # Relatif au dossier où git a lancé le crochet, qui est le nôtre : rendu absolu avant -C.
            env["GIT_INDEX_FILE"] = os.path.abspath(os.environ["GIT_INDEX_FILE"])
        env.update(
            GIT_TERMINAL_PROMPT="0",
            GIT_CONFIG_NOSYSTEM="1",
            GIT_NO_LAZY_FETCH="1",
            LC_ALL="C",
        )
        return env

    def commande(self, arguments: list[str]) -> list[str]:
        commande = [
            "git",
            "-c", "core.fsmonitor=false",
            "-c", "core.hooksPath=/dev/null",
        ]
        for sur in self._surs:
            commande += ["-c", f"safe.directory={sur}"]
        commande += ["-c", "protocol.allow=never"]
        for protocole in _PROTOCOLES:
            commande += ["-c", f"protocol.{protocole}.allow=never"]
        commande += ["--no-pager", "--no-optional-locks", "--no-replace-objects", "-C", self.dossier]
        if self.arbre_de_travail is not None:
            commande += ["--work-tree", self.arbre_de_travail]
        return commande + arguments

    def lancer(self, arguments: list[str], entree: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Lance une commande git (liste d'arguments, jamais de shell) ; stderr est écarté."""
        try:
            return subprocess.run(
                self.commande(arguments), input=entree, stdin=None if entree is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.environnement(), timeout=DELAI_GIT,
                check=False,
            )
        except FileNotFoundError:
            raise ErreurVerificateur("git introuvable : installez git pour lire une révision ou l'index") from None
        except subprocess.TimeoutExpired:
            raise ErreurVerificateur(f"{self.chemin}: git n'a pas répondu en {DELAI_GIT} s") from None

    def executer(self, arguments: list[str], echec: str) -> bytes:
        """La sortie d'une commande git ; si elle échoue, ErreurVerificateur(`echec`)."""
        fini = self.lancer(arguments)
        if fini.returncode != 0:
            raise ErreurVerificateur(echec)
        return fini.stdout

    def commit(self, revision: str) -> str | None:
        """Le sha du commit que désigne `revision`, ou None si aucun objet ne porte ce nom ;
        ErreurVerificateur si le nom désigne un objet absent ou corrompu, ou qui n'est pas un commit."""
        fini = self.lancer(["rev-parse", "--verify", "-q", f"{revision}^{{commit}}"])
        sha = fini.stdout.decode("ascii", "replace").strip()
        if fini.returncode == 0 and sha:
            return sha
        self._diagnostiquer(revision)
        return None

    def _diagnostiquer(self, revision: str) -> None:
        """Pourquoi `revision` ne donne pas de commit (seulement sur ce chemin d'échec) : un nom qui
        existe (référence, étiquette, sha abrégé) mais mène à un objet absent ou illisible est un dépôt
        endommagé, pas une révision introuvable. Un sha complet absent reste « introuvable »."""
        nom = self.lancer(["rev-parse", "--verify", "-q", revision])
        sha = nom.stdout.decode("ascii", "replace").strip()
        if nom.returncode != 0 or not sha:
            if nom.returncode == 1:
                return  # aucun objet de ce nom
            raise self._endommage(revision, None)
        pele = self.lancer(["rev-parse", "--verify", "-q", f"{sha}^{{}}"])
        cible = pele.stdout.decode("ascii", "replace").strip()
        if pele.returncode != 0 or not cible:
            if pele.returncode == 1 and sha == revision.lower():
                return  # un sha complet tapé, que le dépôt ne contient pas
            raise self._endommage(revision, sha)
        nature = self.lancer(["cat-file", "-t", cible])
        type_ = nature.stdout.decode("ascii", "replace").strip()
        if nature.returncode != 0 or type_ == "commit":
            raise self._endommage(revision, cible)
        noms = {"tree": "un arbre", "blob": "un fichier (blob)"}
        raise ErreurVerificateur(
            f"{self.chemin}: la révision « {revision} » désigne {noms.get(type_, 'un objet ' + type_)}, pas un commit"
        )

    def _endommage(self, revision: str, sha: str | None) -> ErreurVerificateur:
        objet = f"l'objet {sha}" if sha else "un objet"
        return ErreurVerificateur(
            f"{self.chemin}: dépôt git endommagé : la révision « {revision} » mène à {objet}, absent ou corrompu ; "
            "vérifiez le dépôt avec « git fsck »"
        )

    def lot(self) -> _Lot:
        return _Lot(self)


class _Lot:
    """Un seul processus `git cat-file --batch` pour tous les contenus lus, ouvert à la demande."""

    def __init__(self, depot: _Depot):
        self._depot = depot
        self._processus: subprocess.Popen[bytes] | None = None
        self._finaliseur: weakref.finalize | None = None
        self._gardes = 0  # octets gardés par tous les appels à `lire` (borne `total`)

    def _ouvrir(self) -> subprocess.Popen[bytes]:
        if self._processus is None:
            try:
                self._processus = subprocess.Popen(
                    self._depot.commande(["cat-file", "--batch"]), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, env=self._depot.environnement(),
                )
            except FileNotFoundError:
                raise ErreurVerificateur("git introuvable : installez git pour lire une révision ou l'index") from None
            self._finaliseur = weakref.finalize(self, _fermer_processus, self._processus)
        return self._processus

    def fermer(self) -> None:
        if self._finaliseur is not None:
            self._finaliseur()
        self._processus = self._finaliseur = None

    def _corrompu(self, sha: str) -> ErreurVerificateur:
        self.fermer()
        return ErreurVerificateur(
            f"{self._depot.chemin}: objet git {sha} absent ou corrompu ; vérifiez le dépôt avec « git fsck »"
        )

    def lire(self, shas: list[str], limite: int = TAILLE_MAX_FICHIER + 1, total: int | None = None) -> dict[str, bytes]:
        """Le contenu de chaque blob (au plus `limite` octets : le reste est lu et jeté) ; au-delà de
        `total` octets gardés en tout par ce lot, ErreurVerificateur (la mémoire reste bornée)."""
        contenus: dict[str, bytes] = {}
        for sha in dict.fromkeys(shas):
            processus = self._ouvrir()
            assert processus.stdin and processus.stdout
            try:
                processus.stdin.write(sha.encode("ascii") + b"\n")
                processus.stdin.flush()
            except OSError:
                raise self._corrompu(sha) from None
            entete = processus.stdout.readline().split()
            if len(entete) != 3 or entete[0].decode("ascii", "replace") != sha or entete[1] != b"blob":
                raise self._corrompu(sha)
            try:
                taille = int(entete[2])
            except ValueError:
                raise self._corrompu(sha) from None
            contenu = processus.stdout.read(min(taille, limite))
            reste = taille - len(contenu)
            while reste > 0:
                morceau = processus.stdout.read(min(reste, 1 << 20))
                if not morceau:
                    break
                reste -= len(morceau)
            if len(contenu) < min(taille, limite) or reste > 0 or processus.stdout.read(1) != b"\n":
                raise self._corrompu(sha)
            contenus[sha] = contenu
            self._gardes += len(contenu)
            if total is not None and self._gardes > total:
                self.fermer()
                raise ErreurVerificateur(
                    f"{self._depot.chemin}: plus de {total} octets de preuves à lire dans l'histoire, refusé (voir docs/limites.md)"
                )
        return contenus


@dataclass(frozen=True)
class _Entree:
    mode: str
    sha: str
    taille: int | None  # None : inconnue (index, avant cat-file --batch-check)


class _SourceGit:
    """Ce qui est commun à une révision et à l'index : les entrées (chemin → mode, blob, taille)
    deviennent des fichiers, les liens symboliques sont résolus dans l'arbre, les contenus lus par lot."""

    chemin: str
    nature: str
    revision: str | None

    def _lignes_z(self, sortie: bytes, nombre: int) -> Iterator[tuple[list[str], str]]:
        """Les entrées « méta<TAB>chemin » séparées par NUL de ls-tree -z et ls-files -s -z."""
        for ligne in sortie.split(b"\x00"):
            if not ligne:
                continue
            meta, _, brut = ligne.partition(b"\t")
            champs = meta.decode("ascii", "replace").split()
            chemin = self._decoder(brut)
            if chemin is not None and len(champs) == nombre:
                yield champs, chemin

    def __init__(self, chemin: str, index: bool):
        self.chemin = chemin
        self._depot = _Depot(chemin, index)
        self._lot = self._depot.lot()
        self._fichiers: dict[str, int] | None = None
        self._blobs: dict[str, str] = {}
        self._problemes: list[Probleme] = []

    # -- à fournir par chaque source --------------------------------------------------------------

    def _entrees(self) -> dict[str, _Entree]:
        raise NotImplementedError

    # -- Source ------------------------------------------------------------------------------------

    def lister(self) -> dict[str, int]:
        if self._fichiers is None:
            self._fichiers = self._construire(self._entrees())
        return self._fichiers

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        self.lister()
        try:
            contenus = self._lot.lire([self._blobs[c] for c in chemins])
        finally:
            self._lot.fermer()
        return {c: contenus[self._blobs[c]] for c in chemins}

    def problemes(self) -> list[Probleme]:
        self.lister()
        return list(self._problemes)

    def identifiants(self, chemins: list[str]) -> dict[str, str]:
        """Le nom d'objet git (blob) de chaque fichier, déjà connu par le listage : comparer un contenu
        attendu à celui du dépôt sans lancer de processus git pour le lire (le crochet)."""
        self.lister()
        return {c: self._blobs[c] for c in chemins}

    def fermer(self) -> None:
        self._lot.fermer()

    def nommer(self, nom: str) -> None:
        """Le nom que disent le rapport et les messages : pour un dépôt collecté, sa source (adresse ou
        paquet), jamais le chemin de son miroir (verificateur/git/collecte.py)."""
        self.chemin = self._depot.chemin = nom

    def dates_ajout(self) -> dict[str, date_]:
        """Date du premier commit de chaque fichier (fraîcheur : « déclaré a posteriori »)."""
        return dates_ajout(self)

    # -- des entrées aux fichiers ------------------------------------------------------------------

    def _decoder(self, brut: bytes) -> str | None:
        try:
            return brut.decode("utf-8")
        except UnicodeDecodeError:
            nom = brut.decode("utf-8", "replace")
            self._problemes.append(Probleme(nom, 0, "nom-illisible", "nom de fichier qui n'est pas en UTF-8, ignoré", AVERTISSEMENT))
            return None

    def _trop(self, nombre: int) -> None:
        if nombre > NOMBRE_MAX_FICHIERS:
            raise ErreurVerificateur(
                f"{self.chemin}: plus de {NOMBRE_MAX_FICHIERS} fichiers, dépôt refusé (voir docs/limites.md)"
            )

    def _construire(self, entrees: dict[str, _Entree]) -> dict[str, int]:
        fichiers: dict[str, int] = {}
        liens: dict[str, _Entree] = {}
        reguliers: dict[str, _Entree] = {}
        profonds: set[str] = set()
        for chemin, entree in entrees.items():
            profond = dossier_trop_profond(chemin)
            if profond is not None:
                profonds.add(profond)  # comme dans l'arbre de travail : contenu non lu
            elif chemin_confine(chemin) != chemin or ".git" in chemin.lower().split("/"):
                # Un arbre fabriqué à la main peut contenir « .. », « .git » ou un chemin absolu.
                self._problemes.append(Probleme(chemin, 0, "chemin-hors-depot", "chemin invalide dans l'arbre git, refusé"))
            elif entree.mode == MODE_SOUS_MODULE:
                self._problemes.append(Probleme(chemin, 0, "sous-module", "sous-module git, non lu", AVERTISSEMENT))
            elif entree.mode == MODE_LIEN:
                liens[chemin] = entree
            elif entree.mode.startswith("100"):
                reguliers[chemin] = entree
            else:
                self._problemes.append(Probleme(chemin, 0, "entree-inconnue", f"entrée git de mode {entree.mode}, non lue", AVERTISSEMENT))
        self._problemes += [probleme_trop_profond(d) for d in sorted(profonds)]
        cibles = self._lot.lire([e.sha for e in liens.values()], limite=CIBLE_MAX + 1) if liens else {}
        dossiers = {posixpath.dirname(c) for c in entrees}
        for dossier in list(dossiers):
            while dossier:
                dossier = posixpath.dirname(dossier)
                dossiers.add(dossier)
        for chemin, entree in reguliers.items():
            fichiers[chemin] = entree.taille if entree.taille is not None else 0
            self._blobs[chemin] = entree.sha
        for chemin, entree in liens.items():
            verdict, cible = self._resoudre(chemin, liens, cibles, reguliers, dossiers)
            if verdict == "fichier":
                fichiers[chemin] = fichiers[cible]
                self._blobs[chemin] = self._blobs[cible]
            elif verdict == "dehors":
                self._problemes.append(Probleme(chemin, 0, "chemin-hors-depot", "lien symbolique vers l'extérieur du dépôt, refusé"))
            elif verdict == "dossier":
                self._problemes.append(Probleme(chemin, 0, "lien-dossier", "lien symbolique vers un dossier du dépôt, non suivi", AVERTISSEMENT))
            else:
                self._problemes.append(Probleme(chemin, 0, "lien-casse", "lien symbolique cassé ou en boucle, ignoré", AVERTISSEMENT))
        return dict(sorted(fichiers.items()))

    @staticmethod
    def _resoudre(lien: str, liens: dict[str, _Entree], cibles: dict[str, bytes], reguliers: dict[str, _Entree],
                  dossiers: set[str]) -> tuple[str, str]:
        """Suit un lien symbolique dans l'arbre, composant par composant, comme le ferait le noyau
        sur une extraction : « fichier » (et son chemin), « dehors », « dossier » ou « casse »."""
        sauts = 0
        resolus: list[str] = []
        restants = lien.split("/")  # le lien lui-même est le dernier composant : il sera suivi
        while restants:
            composant = restants.pop(0)
            if composant in ("", "."):
                continue
            if composant == "..":
                if not resolus:
                    return "dehors", ""
                resolus.pop()
                continue
            if composant.lower() == ".git":
                return "dehors", ""
            courant = "/".join([*resolus, composant])
            if courant in liens:
                sauts += 1
                if sauts > SAUTS_MAX:
                    return "casse", ""
                brut = cibles.get(liens[courant].sha, b"")
                if len(brut) > CIBLE_MAX or b"\x00" in brut:
                    return "casse", ""
                try:
                    cible = brut.decode("utf-8")
                except UnicodeDecodeError:
                    return "casse", ""
                if not cible or cible.startswith("/") or "\\" in cible:
                    return ("dehors", "") if cible.startswith("/") else ("casse", "")
                restants = cible.split("/") + restants
                continue
            resolus.append(composant)
            if restants and courant not in dossiers:
                return "casse", ""
        final = "/".join(resolus)
        if final in reguliers:
            return "fichier", final
        if final in dossiers:
            return "dossier", ""
        return "casse", ""


class SourceRevision(_SourceGit):
    """Le dépôt tel qu'il est à une révision (sha, étiquette, branche, `HEAD~1`…), lu dans les objets git.

    Si le chemin est un sous-dossier de l'arbre de travail, c'est ce sous-dossier qui est lu à la révision.
    """

    nature = "revision"

    def __init__(self, chemin: str, revision: str):
        # `git rev-parse` 2.39 ne connaît pas `--end-of-options` : une révision « -… » serait une option.
        if revision.startswith("-"):
            raise ErreurVerificateur(f"révision « {revision} » refusée : une révision ne commence pas par « - »")
        if not revision.strip() or any(c in revision for c in "\x00\n\r"):
            raise ErreurVerificateur(f"révision « {revision} » invalide")
        super().__init__(chemin, index=False)
        self.demandee = revision
        sha = self._depot.commit(revision)
        if sha is None:
            raise ErreurVerificateur(f"{chemin}: révision « {revision} » introuvable dans le dépôt (aucun commit de ce nom)")
        self.revision: str | None = sha

    def _entrees(self) -> dict[str, _Entree]:
        prefixe = self._depot.prefixe
        sortie = self._depot.executer(
            ["ls-tree", "-r", "-z", "-l", "--full-tree", f"{self.revision}:{prefixe}"],
            echec=(f"{self.chemin}: le dossier « {prefixe} » n'existe pas à la révision « {self.demandee} »" if prefixe
                   else f"{self.chemin}: arbre git illisible ou corrompu à la révision « {self.demandee} » ; vérifiez le dépôt avec « git fsck »"),
        )
        entrees: dict[str, _Entree] = {}
        for (mode, _type, sha, taille), chemin in self._lignes_z(sortie, 4):
            entrees[chemin] = _Entree(mode, sha, int(taille) if taille.isdigit() else None)
            self._trop(len(entrees))
        return entrees


class SourceIndex(_SourceGit):
    """Le dépôt tel qu'il serait commité : l'index (`GIT_INDEX_FILE` s'il est défini, comme dans un
    crochet pre-commit lancé par `git commit -a` ou `git commit CHEMIN`). `revision` est le sha de
    HEAD, ou None avant le premier commit."""

    nature = "index"

    def __init__(self, chemin: str):
        super().__init__(chemin, index=True)
        if self._depot.nu:
            raise ErreurVerificateur(f"{chemin}: dépôt git nu (sans arbre de travail), il n'a pas d'index ; utilisez --revision")
        self.revision: str | None = self._depot.commit("HEAD")

    def _entrees(self) -> dict[str, _Entree]:
        sortie = self._depot.executer(
            ["ls-files", "-s", "-z"],
            echec=f"{self.chemin}: index git illisible ; vérifiez le dépôt avec « git status »",
        )
        entrees: dict[str, _Entree] = {}
        conflits: set[str] = set()
        for (mode, sha, etape), chemin in self._lignes_z(sortie, 3):
            if etape != "0":
                conflits.add(chemin)
                continue
            entrees[chemin] = _Entree(mode, sha, None)
            self._trop(len(entrees))
        for chemin in sorted(conflits - set(entrees)):
            self._problemes.append(Probleme(chemin, 0, "conflit", "fichier en conflit de fusion non résolu dans l'index, non lu"))
        tailles = self._tailles(sorted({e.sha for e in entrees.values() if e.mode.startswith("100")}))
        return {c: _Entree(e.mode, e.sha, tailles.get(e.sha)) for c, e in entrees.items()}

    def _tailles(self, shas: list[str]) -> dict[str, int]:
        """La taille de chaque blob, par un seul `cat-file --batch-check` (l'index ne la donne pas)."""
        if not shas:
            return {}
        fini = self._depot.lancer(["cat-file", "--batch-check"], "".join(s + "\n" for s in shas).encode("ascii"))
        tailles: dict[str, int] = {}
        for ligne in fini.stdout.decode("ascii", "replace").splitlines():
            champs = ligne.split()
            if len(champs) == 3 and champs[1] == "blob" and champs[2].isdigit():
                tailles[champs[0]] = int(champs[2])
        manquant = next((s for s in shas if s not in tailles), None)
        if fini.returncode != 0 or manquant is not None:
            objet = f"objet git {manquant}" if manquant else "objet git"
            raise ErreurVerificateur(f"{self.chemin}: {objet} absent ou corrompu ; vérifiez le dépôt avec « git fsck »")
        return tailles


# -- l'histoire d'un dépôt : un seul `git log --raw` (historique, fraîcheur des preuves) -------------


@dataclass(frozen=True)
class Commit:
    """Un commit de l'histoire de premier parent : sha et date du commit (jour du committer)."""

    sha: str
    date: date_


# Un changement d'un commit : chemin relatif au dossier lu → (mode, blob), ou None s'il est supprimé.
Changement = tuple[str, "tuple[str, str] | None"]
# Un jeton de `git log -z` plus long n'est pas un nom de fichier ni un en-tête : histoire refusée.
JETON_MAX = 1 << 20
_LOG = ["log", "--first-parent", "--diff-merges=first-parent", "--raw", "--root", "--no-renames", "--no-abbrev", "-z",
        "--format=%x01%H %cI"]


class Journal:
    """L'histoire de premier parent d'une révision. La liste des commits (sha, date) est lue d'abord,
    sans les changements ; les changements ne sont jamais gardés : `rejouer` et `dates_ajout` les
    lisent en flux dans un `git log --raw -z` durci, si bien que la mémoire ne dépend pas de la taille
    de l'histoire (400 commits de 4 000 fichiers : 1,6 million de changements). Les contenus, par un
    seul `cat-file --batch`. Les chemins sont relatifs au dossier désigné (un sous-dossier d'un dépôt
    plus grand est lu comme tel)."""

    def __init__(self, chemin: str, revision: str | None = "HEAD", depot: _Depot | None = None):
        self.chemin = chemin
        if depot is None:
            try:
                depot = _Depot(chemin, index=False)
            except PasUnDepotGit:
                raise ErreurVerificateur(f"{chemin}: pas un dépôt git ; l'historique se lit dans l'histoire git du dépôt") from None
        self._depot = depot
        self._lot: _Lot | None = None
        self.sha: str | None = None
        self.commits: list[Commit] = []
        if revision is None:
            return
        if revision.startswith("-") or any(c in revision for c in "\x00\n\r"):
            raise ErreurVerificateur(f"révision « {revision} » refusée")
        sha = self._depot.commit(revision)
        if sha is None:
            if revision == "HEAD":
                return  # dépôt sans aucun commit : histoire vide
            raise ErreurVerificateur(f"{chemin}: révision « {revision} » introuvable dans le dépôt (aucun commit de ce nom)")
        self.sha = sha
        sortie = self._depot.executer(
            ["log", "--first-parent", "--format=%H %cI", f"--max-count={COMMITS_MAX + 1}", sha],
            echec=self._illisible(),
        )
        lignes = sortie.decode("ascii", "replace").splitlines()
        if len(lignes) > COMMITS_MAX:
            raise ErreurVerificateur(
                f"{chemin}: plus de {COMMITS_MAX} commits dans l'histoire de premier parent, refusé (voir docs/limites.md)"
            )
        self.commits = [Commit(*self._entete(ligne)) for ligne in reversed(lignes)]

    @property
    def prefixe(self) -> str:
        """Le dossier lu, relatif à la racine du dépôt (« » : tout le dépôt) : les chemins en partent."""
        return self._depot.prefixe

    def _illisible(self) -> str:
        return f"{self.chemin}: histoire git illisible ; vérifiez le dépôt avec « git fsck »"

    def _entete(self, ligne: str) -> tuple[str, date_]:
        sha, _, quand = ligne.strip().partition(" ")
        try:
            return sha, datetime.fromisoformat(quand).date()
        except ValueError:
            raise ErreurVerificateur(f"{self.chemin}: date illisible au commit {sha}") from None

    def _flux(self, options: list[str]) -> Iterator[list[Commit | Changement]]:
        """Les en-têtes de commit et les changements de `git log --raw -z OPTIONS sha`, lus en flux,
        par paquets (ceux d'un bloc lu : la mémoire reste bornée, sans le coût d'un générateur par
        changement). Le processus est arrêté dès que l'appelant s'arrête (ou au bout de DELAI_GIT s)."""
        if self.sha is None:
            return
        prefixe = self._depot.prefixe + "/" if self._depot.prefixe else ""
        illisible = self._illisible()
        try:
            processus = subprocess.Popen(
                self._depot.commande([*_LOG, *options, f"--max-count={COMMITS_MAX}", self.sha]),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self._depot.environnement(),
            )
        except FileNotFoundError:
            raise ErreurVerificateur("git introuvable : installez git pour lire une révision ou l'index") from None
        minuterie = threading.Timer(DELAI_GIT, processus.kill)
        minuterie.daemon = True
        minuterie.start()
        assert processus.stdout
        try:
            meta: list[str] | None = None  # le jeton précédent était un « :mode mode blob blob statut »
            for jetons in _jetons(processus.stdout, illisible):
                paquet: list[Commit | Changement] = []
                for jeton in jetons:
                    if meta is not None:
                        champs, meta = meta, None
                        try:
                            chemin = jeton.decode("utf-8")
                        except UnicodeDecodeError:
                            continue  # signalé par la lecture d'une révision (nom-illisible)
                        if prefixe:
                            if not chemin.startswith(prefixe):
                                continue
                            chemin = chemin[len(prefixe):]
                        paquet.append((chemin, None if champs[4].startswith("D") else (champs[1], champs[3])))
                        continue
                    jeton = jeton.lstrip(b"\n")
                    if jeton[:1] == b":":
                        # Avec --no-renames, un seul chemin suit : « :avant mode blob_avant blob statut ».
                        meta = jeton[1:].decode("ascii", "replace").split()
                        if len(meta) != 5:
                            raise ErreurVerificateur(illisible)
                    elif jeton[:1] == b"\x01":
                        paquet.append(Commit(*self._entete(jeton[1:].decode("ascii", "replace"))))
                    elif jeton:
                        raise ErreurVerificateur(illisible)
                if paquet:
                    yield paquet
            processus.wait()
            if minuterie.finished.is_set() and processus.returncode != 0:
                raise ErreurVerificateur(f"{self.chemin}: git n'a pas répondu en {DELAI_GIT} s")
            if processus.returncode != 0:
                raise ErreurVerificateur(illisible)
        finally:
            minuterie.cancel()
            if processus.poll() is None:
                processus.kill()
            processus.wait()
            processus.stdout.close()

    def rejouer(self) -> Iterator[list[Commit | Changement]]:
        """L'histoire, du premier commit au dernier, en flux et par paquets : chaque commit (dans
        l'ordre de `self.commits`, vérifié), suivi de ses changements."""
        attendus = iter(self.commits)
        for paquet in self._flux(["--reverse"]):
            for evenement in paquet:
                if isinstance(evenement, Commit) and next(attendus, None) != evenement:
                    raise ErreurVerificateur(self._illisible())  # l'histoire a changé entre les deux lectures
            yield paquet

    def dates_ajout(self, chemins: set[str] | dict[str, object] | None = None) -> dict[str, date_]:
        """Pour chaque chemin (de `chemins`, s'il est donné), la date du premier commit qui l'a
        ajouté. Seuls les ajouts sont lus (`--diff-filter=A`), du plus récent au plus ancien : le
        dernier vu est le premier ; la mémoire est celle du résultat."""
        dates: dict[str, date_] = {}
        jour: date_ | None = None
        for paquet in self._flux(["--diff-filter=A"]):
            for evenement in paquet:
                if isinstance(evenement, Commit):
                    jour = evenement.date
                elif evenement[1] is not None and jour is not None and (chemins is None or evenement[0] in chemins):
                    dates[evenement[0]] = jour
        return dates

    def lire(self, shas: list[str], total: int | None = None) -> dict[str, bytes]:
        """Les contenus, par un `cat-file --batch` gardé ouvert jusqu'à `fermer` ; `total` borne les
        octets lus par tous les appels."""
        if self._lot is None:
            self._lot = self._depot.lot()
        return self._lot.lire(shas, total=total)

    def fermer(self) -> None:
        if self._lot is not None:
            self._lot.fermer()


def _jetons(flux: IO[bytes], illisible: str) -> Iterator[list[bytes]]:
    """Les jetons séparés par NUL d'un flux, par blocs de 256 Kio ; un jeton démesuré :
    ErreurVerificateur(`illisible`)."""
    reste = b""
    while True:
        bloc = flux.read(1 << 18)
        if not bloc:
            break
        morceaux = (reste + bloc).split(b"\x00")
        reste = morceaux.pop()
        if len(reste) > JETON_MAX:
            raise ErreurVerificateur(illisible)
        yield morceaux
    if reste:
        yield [reste]


def dates_ajout(source: _SourceGit) -> dict[str, date_]:
    """La date du premier commit de chaque fichier de la source (révision : son histoire ; index :
    celle de HEAD, et aujourd'hui pour ce qui n'est pas encore commité)."""
    fichiers = source.lister()
    dates = Journal(source.chemin, source.revision, source._depot).dates_ajout(fichiers) if source.revision else {}
    if source.nature == "index":
        aujourdhui = date_.today()
        return {c: dates.get(c, aujourdhui) for c in fichiers}
    return {c: dates[c] for c in fichiers if c in dates}


def initialiser(chemin: str) -> bool:
    """`git init` durci si `chemin` n'est dans aucun dépôt ; vrai s'il a fallu le créer."""
    try:
        _Depot(chemin, index=False)
        return False
    except ErreurConfinement:
        # Déjà dans un dépôt (arbre de travail lié, sous-module…) : `git init` réinitialiserait
        # celui de l'extérieur ; rien à créer.
        return False
    except ErreurVerificateur:
        _Depot.hors_depot(chemin).executer(["init", "-q"], echec=f"{chemin}: « git init » a échoué")
        return True


# -- collecte : la seule écriture de git, dans un miroir de l'auditeur (verificateur/git/collecte.py) -----

# Protocoles qu'une collecte peut ouvrir, un seul par appel (celui de la source) ; jamais `ext::`
# (une commande arbitraire), `fd::`, ni ftp. Tous les autres restent fermés nommément (_PROTOCOLES).
PROTOCOLES_COLLECTE = ("https", "http", "ssh", "git", "file")

# Ce qu'une collecte impose, en plus de l'invocation durcie : objets vérifiés à la réception (un
# objet mal formé, un chemin « .git » ou « .. » dans un arbre, refusés par fsck) ; aucune
# redirection HTTP (elle mènerait ailleurs que là où l'auditeur l'a dit) ; ni entretien automatique
# (gc, maintenance), ni graphe de commits, ni sous-modules : fetch ne fait que recevoir des objets.
_OPTIONS_COLLECTE = (
    "transfer.fsckObjects=true", "fetch.fsckObjects=true", "http.followRedirects=false", "gc.auto=0",
    "maintenance.auto=false", "fetch.writeCommitGraph=false", "fetch.recurseSubmodules=false",
    "submodule.recurse=false", "fetch.prune=false", "core.askPass=", "credential.interactive=false",
    # Chaque réception reste un paquet (pas d'objets épars) : des milliers de miroirs restent peu de fichiers.
    "fetch.unpackLimit=1", "transfer.unpackLimit=1",
)


def commande_collecte(miroir: str, protocole: str, arguments: list[str], surs: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """La commande (et son environnement) qui fait écrire git dans un miroir de l'auditeur (`init`,
    `fetch`) : l'invocation durcie de `_Depot`, avec le seul `protocole` de la source ouvert (ligne de
    commande et GIT_ALLOW_PROTOCOL). `surs` : dossiers d'une source locale (`file://`, paquet) que git
    doit accepter quel qu'en soit le propriétaire. Rien n'est lu de la configuration de la source ; la
    configuration de l'auditeur (~/.gitconfig : assistant d'identification, ssh) s'applique, comme pour
    git lui-même."""
    if protocole not in PROTOCOLES_COLLECTE:
        raise ErreurVerificateur(f"protocole « {protocole} » refusé")
    depot = _Depot.hors_depot(miroir)
    depot._surs += [s for s in surs if s not in depot._surs]
    commande = depot.commande([]) + ["-c", f"protocol.{protocole}.allow=always"]
    for option in _OPTIONS_COLLECTE:
        commande += ["-c", option]
    env = depot.environnement()
    env["GIT_ALLOW_PROTOCOL"] = protocole
    return commande + arguments, env


def lancer_collecte(miroir: str, protocole: str, arguments: list[str], surs: tuple[str, ...] = (),
                    surveiller: Callable[[], str | None] | None = None, maximum: int = 64 * 1024) -> tuple[int, bytes, bytes]:
    """Lance git dans un miroir (`commande_collecte`) : (code, début de stdout, début de stderr), au
    plus `maximum` octets de chaque (un serveur bavard ne remplit pas la mémoire). `surveiller` est
    appelée toutes les 0,2 s : si elle rend une raison (délai, taille), git et tout ce qu'il a lancé
    (remote-https, ssh, index-pack : son groupe de processus) sont arrêtés, et ErreurVerificateur(raison).
    Sans terminal et dans son propre groupe : ssh ne peut demander aucun mot de passe."""
    commande, env = commande_collecte(miroir, protocole, arguments, surs)
    with tempfile.TemporaryFile() as sortie, tempfile.TemporaryFile() as erreurs:
        try:
            processus = subprocess.Popen(commande, stdin=subprocess.DEVNULL, stdout=sortie, stderr=erreurs, env=env,
                                         start_new_session=True)
        except FileNotFoundError:
            raise ErreurVerificateur("git introuvable : installez git pour collecter un dépôt") from None
        raison = None
        fin = time.monotonic() + DELAI_GIT  # sans surveillance (init, rev-parse) : la borne de tout appel à git
        try:
            while raison is None:
                try:
                    code = processus.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    raison = surveiller() if surveiller else (
                        f"git n'a pas répondu en {DELAI_GIT} s dans le miroir" if time.monotonic() > fin else None)
        finally:
            if processus.poll() is None:  # arrêt demandé, ou exception (Ctrl-C) pendant l'attente
                try:
                    os.killpg(processus.pid, signal.SIGKILL)
                except OSError:
                    pass
                processus.wait()
        if raison is not None:
            raise ErreurVerificateur(raison)
        sortie.seek(0)
        erreurs.seek(0)
        return code, sortie.read(maximum), erreurs.read(maximum)
