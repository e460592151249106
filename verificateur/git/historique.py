"""L'histoire d'un dépôt, lue en flux : la liste des commits de premier parent (`Journal.commits`),
puis leurs changements par un seul `git log --raw -z` durci (`Journal.rejouer` pour
`verificateur historique`, `Journal.dates_ajout` pour la fraîcheur des preuves). La mémoire ne dépend
pas de la taille de l'histoire ; les contenus se lisent par un seul `cat-file --batch`.
"""

from __future__ import annotations

import threading
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date as date_, datetime
from typing import IO

from verificateur.git.depot import Depot, PasUnDepotGit
from verificateur.git.objets import Lot
from verificateur.git.processus import DELAI_GIT, Processus
from verificateur.socle.problemes import ErreurVerificateur

# Commits de premier parent lus au plus (historique, fraîcheur) : au-delà, refusé (docs/limites.md).
COMMITS_MAX = 100_000


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

    def __init__(self, chemin: str, revision: str | None = "HEAD", depot: Depot | None = None) -> None:
        self.chemin = chemin
        if depot is None:
            try:
                depot = Depot(chemin, index=False)
            except PasUnDepotGit:
                raise ErreurVerificateur(f"{chemin}: pas un dépôt git ; l'historique se lit dans l'histoire git du dépôt") from None
        self._depot = depot
        self._lot: Lot | None = None
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
        processus = self._depot.ouvrir([*_LOG, *options, f"--max-count={COMMITS_MAX}", self.sha])
        minuterie = threading.Timer(DELAI_GIT, processus.kill)
        minuterie.daemon = True
        minuterie.start()
        assert processus.stdout
        try:
            yield from self._paquets(processus)
            processus.wait()
            if minuterie.finished.is_set() and processus.returncode != 0:
                raise ErreurVerificateur(f"{self.chemin}: git n'a pas répondu en {DELAI_GIT} s")
            if processus.returncode != 0:
                raise ErreurVerificateur(self._illisible())
        finally:
            minuterie.cancel()
            if processus.poll() is None:
                processus.kill()
            processus.wait()
            processus.stdout.close()

    def _paquets(self, processus: Processus) -> Iterator[list[Commit | Changement]]:
        """Les jetons de la sortie de `git log --raw -z`, en paquets d'en-têtes et de changements."""
        assert processus.stdout
        prefixe = self._depot.prefixe + "/" if self._depot.prefixe else ""
        illisible = self._illisible()
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

    def rejouer(self) -> Iterator[list[Commit | Changement]]:
        """L'histoire, du premier commit au dernier, en flux et par paquets : chaque commit (dans
        l'ordre de `self.commits`, vérifié), suivi de ses changements."""
        attendus = iter(self.commits)
        for paquet in self._flux(["--reverse"]):
            for evenement in paquet:
                if isinstance(evenement, Commit) and next(attendus, None) != evenement:
                    raise ErreurVerificateur(self._illisible())  # l'histoire a changé entre les deux lectures
            yield paquet

    def dates_ajout(self, chemins: Container[str] | None = None) -> dict[str, date_]:
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
