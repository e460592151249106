"""Lire des objets git par un seul processus `cat-file` gardé ouvert (`Lot`) : les contenus, les
tailles des blobs de l'index (l'index ne les donne pas) et le commit d'une révision.

Avec git ≥ 2.36, ce processus est un `cat-file --batch-command` qui répond aux trois demandes
(`contents`, `info`) ; un git plus ancien refuse l'option (code 129) : c'est appris au premier refus,
et le lot passe à `cat-file --batch` (contenus, commit), les tailles venant d'un `cat-file
--batch-check` de plus (`tailles`). Seuls des shas lus dans git sont lus, et des révisions résolues
en commit (`REV^{commit}`, la révision de l'utilisateur vérifiée avant : ni « - » en tête, ni fin de
ligne), sans `--filters` ni `--textconv` : rien de la configuration du dépôt ne s'applique à un
contenu lu.
"""

from __future__ import annotations

import os
import weakref

from verificateur.git.processus import Invocation, Processus, fermer_processus
from verificateur.socle.confinement import TAILLE_MAX_FICHIER
from verificateur.socle.problemes import ErreurVerificateur

# Demandes de tailles écrites d'un coup avant de lire les réponses : moins de 64 Kio dans chaque sens
# (la taille d'un tube), pour que ni git ni l'outil n'attende l'autre en écrivant.
_PAQUET_INFO = 512
# Code de sortie de git pour une option inconnue (`--batch-command` avant git 2.36).
_OPTION_INCONNUE = 129


class Lot:
    """Un seul processus `git cat-file` pour tous les objets lus, ouvert à la demande."""

    # Appris au premier refus de `--batch-command` (git < 2.36), pour tout le processus Python.
    sans_commandes = False

    def __init__(self, depot: Invocation) -> None:
        self._depot = depot
        self._processus: Processus | None = None
        self._finaliseur: weakref.finalize[[Processus], Lot] | None = None
        self._gardes = 0  # octets gardés par tous les appels à `lire` (borne `total`)

    def _ouvrir(self) -> Processus:
        if self._processus is None:
            mode = "--batch" if Lot.sans_commandes else "--batch-command"
            self._processus = self._depot.ouvrir(["cat-file", mode], ecrire=True)
            self._finaliseur = weakref.finalize(self, fermer_processus, self._processus)
        return self._processus

    def fermer(self) -> None:
        if self._finaliseur is not None:
            self._finaliseur()
        self._processus = self._finaliseur = None

    def _refuse(self) -> bool:
        """Le processus s'est arrêté sans répondre ; vrai si c'est que git ne connaît pas
        `--batch-command` (retenu : le lot repart en `--batch`)."""
        processus = self._processus
        self.fermer()
        if processus is not None and processus.returncode == _OPTION_INCONNUE and not Lot.sans_commandes:
            Lot.sans_commandes = True
            return True
        return False

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
        entete = self._demander(sha, contenu=True)
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
        """Le sha du commit que désigne `nom` (une révision, déjà vérifiée : ni « - » en tête, ni fin de
        ligne), demandé au processus qui lira les contenus :
        un processus de moins qu'un `rev-parse`. None si git ne le donne pas (aucun objet de ce nom,
        objet absent, d'un autre type, réponse inattendue) : l'appelant demande alors pourquoi à
        `Depot.commit`, dont le diagnostic et les messages restent les seuls."""
        entete = self._demander(f"{nom}^{{commit}}", contenu=False)
        if len(entete) != 3 or entete[1] != b"commit" or not entete[2].isdigit():
            self.fermer()
            return None
        # `--batch` (git < 2.36) envoie aussi le commit lui-même : lu et jeté.
        if Lot.sans_commandes and self._corps(int(entete[2]), 0) is None:
            self.fermer()
            return None
        return entete[0].decode("ascii", "replace")

    def tailles(self, shas: list[str]) -> dict[str, int]:
        """La taille de chaque blob, demandée au même processus (`info`, par paquets) ; avec un git
        sans `--batch-command`, par un seul `cat-file --batch-check` de plus (`tailles`)."""
        if not shas:
            return {}
        resultat = None if Lot.sans_commandes else self._infos(shas)
        if resultat is None:
            return tailles(self._depot, shas)
        manquant = next((s for s in shas if s not in resultat), None)
        if manquant is not None:
            raise self._corrompu(manquant)
        return resultat

    def _infos(self, shas: list[str]) -> dict[str, int] | None:
        """Les tailles que donne `info`, par paquets de _PAQUET_INFO demandes ; un blob absent,
        corrompu ou d'un autre type n'y est pas. None si git refuse `--batch-command`."""
        resultat: dict[str, int] = {}
        for debut in range(0, len(shas), _PAQUET_INFO):
            paquet = shas[debut:debut + _PAQUET_INFO]
            processus = self._ouvrir()
            assert processus.stdin and processus.stdout
            try:
                processus.stdin.write("".join(f"info {s}\n" for s in paquet).encode("ascii"))
                processus.stdin.flush()
                lignes = [processus.stdout.readline() for _ in paquet]
            except OSError:
                lignes = [b""]
            if not lignes[0] and debut == 0 and self._refuse():
                return None
            for ligne in lignes:
                champs = ligne.split()
                if len(champs) == 3 and champs[1] == b"blob" and champs[2].isdigit():
                    resultat[champs[0].decode("ascii", "replace")] = int(champs[2])
            if not all(lignes):
                break  # le processus ne répond plus : le reste manque
        return resultat

    def _demander(self, nom: str, contenu: bool) -> list[bytes]:
        """L'en-tête « sha type taille » (ou « nom missing ») que rend git pour `nom`, vide si le
        processus ne répond plus. Avec `contenu` (ou en `--batch`), le contenu suit un objet trouvé."""
        for _ in range(2):
            commandes = not Lot.sans_commandes
            processus = self._ouvrir()
            assert processus.stdin and processus.stdout
            demande = f"{'contents' if contenu else 'info'} {nom}" if commandes else nom
            try:
                processus.stdin.write(os.fsencode(demande) + b"\n")
                processus.stdin.flush()
                reponse = processus.stdout.readline()
            except OSError:
                reponse = b""
            if reponse or not commandes or not self._refuse():
                break
        return reponse.split()

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
    """La taille de chaque blob, par un seul `cat-file --batch-check` (git sans `--batch-command`)."""
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
