"""Lire des objets git : les contenus par un seul `cat-file --batch` gardé ouvert (`Lot`), les
tailles des blobs de l'index par un seul `cat-file --batch-check` (`tailles`).

Seuls des shas lus dans git sont demandés (jamais un nom venu de l'utilisateur), sans `--filters` ni
`--textconv` : rien de la configuration du dépôt ne s'applique à un contenu lu.
"""

from __future__ import annotations

import weakref

from verificateur.git.processus import Invocation, Processus, fermer_processus
from verificateur.socle.confinement import TAILLE_MAX_FICHIER
from verificateur.socle.problemes import ErreurVerificateur


class Lot:
    """Un seul processus `git cat-file --batch` pour tous les contenus lus, ouvert à la demande."""

    def __init__(self, depot: Invocation) -> None:
        self._depot = depot
        self._processus: Processus | None = None
        self._finaliseur: weakref.finalize[[Processus], Lot] | None = None
        self._gardes = 0  # octets gardés par tous les appels à `lire` (borne `total`)

    def _ouvrir(self) -> Processus:
        if self._processus is None:
            self._processus = self._depot.ouvrir(["cat-file", "--batch"], ecrire=True)
            self._finaliseur = weakref.finalize(self, fermer_processus, self._processus)
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
            contenu = self._blob(sha, limite)
            contenus[sha] = contenu
            self._gardes += len(contenu)
            if total is not None and self._gardes > total:
                self.fermer()
                raise ErreurVerificateur(
                    f"{self._depot.chemin}: plus de {total} octets de preuves à lire dans l'histoire, refusé (voir docs/limites.md)"
                )
        return contenus

    def _blob(self, sha: str, limite: int) -> bytes:
        """Un blob demandé au processus : ses `limite` premiers octets, le reste lu et jeté."""
        entete = self._demander(sha)
        if entete is None:
            raise self._corrompu(sha)
        if len(entete) != 3 or entete[0].decode("ascii", "replace") != sha or entete[1] != b"blob":
            raise self._corrompu(sha)
        try:
            taille = int(entete[2])
        except ValueError:
            raise self._corrompu(sha) from None
        contenu = self._corps(taille, limite)
        if contenu is None:
            raise self._corrompu(sha)
        return contenu

    def commit(self, nom: str) -> str | None:
        """Le sha du commit que désigne `nom` (« HEAD »), demandé au même `cat-file --batch` que les
        contenus : un processus de moins qu'un `rev-parse`. None si git ne le donne pas (aucun objet
        de ce nom, objet absent, d'un autre type, réponse inattendue) : l'appelant demande alors
        pourquoi à `Depot.commit`, dont le diagnostic et les messages restent les seuls."""
        entete = self._demander(f"{nom}^{{commit}}")
        if entete is None or len(entete) != 3 or entete[1] != b"commit" or not entete[2].isdigit():
            self.fermer()
            return None
        if self._corps(int(entete[2]), 0) is None:  # le commit lui-même, lu et jeté
            self.fermer()
            return None
        return entete[0].decode("ascii", "replace")

    def _demander(self, nom: str) -> list[bytes] | None:
        """L'en-tête « sha type taille » (ou « nom missing ») que rend git pour `nom` ; None si le
        processus ne répond plus."""
        processus = self._ouvrir()
        assert processus.stdin and processus.stdout
        try:
            processus.stdin.write(nom.encode("ascii") + b"\n")
            processus.stdin.flush()
        except OSError:
            return None
        return processus.stdout.readline().split()

    def _corps(self, taille: int, limite: int) -> bytes | None:
        """Les `limite` premiers octets d'un objet de `taille` octets, le reste lu et jeté, puis le
        saut de ligne qui le suit ; None si la sortie est tronquée ou mal formée."""
        processus = self._ouvrir()
        assert processus.stdout
        contenu = processus.stdout.read(min(taille, limite))
        reste = taille - len(contenu)
        while reste > 0:
            morceau = processus.stdout.read(min(reste, 1 << 20))
            if not morceau:
                break
            reste -= len(morceau)
        if len(contenu) < min(taille, limite) or reste > 0 or processus.stdout.read(1) != b"\n":
            return None
        return contenu


def tailles(depot: Invocation, shas: list[str]) -> dict[str, int]:
    """La taille de chaque blob, par un seul `cat-file --batch-check` (l'index ne la donne pas)."""
    if not shas:
        return {}
    fini = depot.lancer(["cat-file", "--batch-check"], "".join(s + "\n" for s in shas).encode("ascii"))
    resultat: dict[str, int] = {}
    for ligne in fini.stdout.decode("ascii", "replace").splitlines():
        champs = ligne.split()
        if len(champs) == 3 and champs[1] == "blob" and champs[2].isdigit():
            resultat[champs[0]] = int(champs[2])
    manquant = next((s for s in shas if s not in resultat), None)
    if fini.returncode != 0 or manquant is not None:
        objet = f"objet git {manquant}" if manquant else "objet git"
        raise ErreurVerificateur(f"{depot.chemin}: {objet} absent ou corrompu ; vérifiez le dépôt avec « git fsck »")
    return resultat
