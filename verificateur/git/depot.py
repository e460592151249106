"""Le dépôt git que désigne un chemin de l'utilisateur : le trouver comme git (dépôt nu ou arbre de
travail, préfixe d'un sous-dossier), le confiner à son dossier, résoudre ses révisions en commits.

Un seul `rev-parse` annonce le dossier git et le dossier commun ; l'arbre de travail et le préfixe
sont calculés ici, jamais demandés à git (un `core.worktree` hostile les déplacerait) ; le
confinement (verificateur/git/confinement.py) est vérifié avant toute autre lecture.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

from verificateur.git.confinement import ErreurConfinement, confiner
from verificateur.git.objets import Lot
from verificateur.git.processus import Invocation
from verificateur.socle.problemes import ErreurVerificateur


class PasUnDepotGit(ErreurVerificateur):
    """Le dossier n'est dans aucun dépôt git : chaque commande dit ce qu'elle attendait (le crochet, l'index ;
    l'historique, l'histoire) au lieu de reconnaître le message."""


class Depot(Invocation):
    """Un dépôt git désigné par un chemin de l'utilisateur, et la façon durcie d'y lancer git."""

    def __init__(self, chemin: str, index: bool) -> None:
        dossier = Path(chemin)
        if not dossier.is_dir():
            raise ErreurVerificateur(f"{chemin}: dossier introuvable, attendu un dépôt git")
        super().__init__(chemin, os.path.realpath(dossier), index)
        # Les shas que git a déjà dits être des commits de ce dépôt : un objet ne change pas, la
        # question n'est pas reposée (la fraîcheur et HEAD du crochet relisent le commit de la source).
        self.commits_verifies: set[str] = set()
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
        # Le dossier est celui où se trouve `.git` (la racine de l'arbre de travail), ou le dépôt nu
        # lui-même. --git-common-dir est relatif au dossier où git est lancé (-C), ou absolu.
        racine = self.dossier if self.nu else str(self.arbre_de_travail)
        confiner(self.chemin, racine, lignes[2], os.path.join(self.dossier, lignes[3]))

    def commit(self, revision: str) -> str | None:
        """Le sha du commit que désigne `revision`, ou None si aucun objet ne porte ce nom ;
        ErreurVerificateur si le nom désigne un objet absent ou corrompu, ou qui n'est pas un commit."""
        if revision in self.commits_verifies:
            return revision
        fini = self.lancer(["rev-parse", "--verify", "-q", f"{revision}^{{commit}}"])
        sha = fini.stdout.decode("ascii", "replace").strip()
        if fini.returncode == 0 and sha:
            self.commits_verifies.add(sha)
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

    def lot(self) -> Lot:
        return Lot(self)

    def sans_index(self) -> Depot:
        """Le même dépôt, déjà trouvé et confiné, pour lire une révision : sans GIT_INDEX_FILE, et
        sans refaire la découverte (HEAD comparée à l'index par le crochet)."""
        depot = copy.copy(self)
        depot.index = False
        return depot


def initialiser(chemin: str) -> bool:
    """`git init` durci si `chemin` n'est dans aucun dépôt ; vrai s'il a fallu le créer."""
    try:
        Depot(chemin, index=False)
        return False
    except ErreurConfinement:
        # Déjà dans un dépôt (arbre de travail lié, sous-module…) : `git init` réinitialiserait
        # celui de l'extérieur ; rien à créer.
        return False
    except ErreurVerificateur:
        Invocation(chemin, os.path.realpath(chemin)).executer(["init", "-q"], echec=f"{chemin}: « git init » a échoué")
        return True
