"""Les sources git d'un dépôt de preuves : une révision (`SourceRevision`) ou l'index (`SourceIndex`),
qui exposent l'interface `Source` (verificateur/sources/) : la liste des fichiers, leurs contenus, ce
qui a été refusé.

Les entrées d'un arbre (`ls-tree -r -z -l --full-tree`) ou de l'index (`ls-files -s -z`) deviennent
des fichiers : chaque chemin est vérifié (ni `..`, ni `.git`, ni chemin absolu), les liens symboliques
sont résolus dans l'arbre, composant par composant, sans jamais lire la cible d'un lien refusé ; les
contenus sont lus par un seul processus `cat-file` (verificateur/git/objets.py), qui résout aussi la
révision en commit. Une révision coûte 3 processus git (`rev-parse`, `cat-file`, `ls-tree`), l'index 3
(`rev-parse`, `cat-file`, `ls-files`, plus un `cat-file --batch-check` avant git 2.36) ; la fraîcheur,
2 `log` de plus.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date as date_

from verificateur.git.depot import Depot
from verificateur.git.historique import Journal
from verificateur.socle.confinement import NOMBRE_MAX_FICHIERS, chemin_confine, dossier_trop_profond, probleme_trop_profond
from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme

MODE_LIEN = "120000"
MODE_SOUS_MODULE = "160000"
# Chaîne de liens symboliques suivie au plus (comme le noyau : au-delà, c'est une boucle).
SAUTS_MAX = 40
# Une cible de lien plus longue n'est pas un chemin (PATH_MAX).
CIBLE_MAX = 4096


@dataclass(frozen=True)
class Entree:
    mode: str
    sha: str
    taille: int | None  # None : inconnue (index, avant `Lot.tailles`)


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

    def __init__(self, chemin: str, index: bool, depot: Depot | None = None) -> None:
        self.chemin = chemin
        self._depot = depot if depot is not None else Depot(chemin, index)
        self._lot = self._depot.lot()
        self._fichiers: dict[str, int] | None = None
        self._blobs: dict[str, str] = {}
        self._problemes: list[Probleme] = []
        # Contenus déjà lus, par blob : un objet git est désigné par son contenu. L'index garde ce
        # qu'il a lu (une seule source, jamais un lot) pour HEAD, que le crochet lit ensuite (`head`).
        self._connus: dict[str, bytes] = {}
        self._garder = False

    # -- à fournir par chaque source --------------------------------------------------------------

    def _entrees(self) -> dict[str, Entree]:
        raise NotImplementedError

    # -- Source ------------------------------------------------------------------------------------

    def lister(self) -> dict[str, int]:
        if self._fichiers is None:
            self._fichiers = self._construire(self._entrees())
        return self._fichiers

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        self.lister()
        blobs = [self._blobs[c] for c in chemins]
        try:
            contenus = self._lot.lire([b for b in blobs if b not in self._connus])
        finally:
            self._lot.fermer()
        if self._garder:
            self._connus.update(contenus)
        return {c: contenus[b] if b in contenus else self._connus[b] for c, b in zip(chemins, blobs)}

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

    def _commit(self, revision: str) -> str | None:
        """Le commit que désigne `revision`, demandé au `cat-file` qui lira les contenus (un `rev-parse`
        de moins) ; s'il ne le donne pas (aucun commit de ce nom, avant le premier commit, dépôt
        endommagé), `Depot.commit` dit pourquoi, avec ses messages, ou rend None."""
        if revision in self._depot.commits_verifies:
            return revision
        sha = self._lot.commit(revision)
        if sha is None:
            return self._depot.commit(revision)
        self._depot.commits_verifies.add(sha)
        return sha

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

    def _construire(self, entrees: dict[str, Entree]) -> dict[str, int]:
        fichiers: dict[str, int] = {}
        liens: dict[str, Entree] = {}
        reguliers: dict[str, Entree] = {}
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
        for chemin in liens:
            verdict, cible = self._resoudre(chemin, liens, cibles, reguliers, dossiers)
            if verdict == "fichier":
                fichiers[chemin] = fichiers[cible]
                self._blobs[chemin] = self._blobs[cible]
            elif verdict == "dehors":
                self._problemes.append(Probleme(chemin, 0, "chemin-hors-depot", "lien symbolique vers l'extérieur du dépôt, refusé"))
            elif verdict == "dossier":
                self._problemes.append(
                    Probleme(chemin, 0, "lien-dossier", "lien symbolique vers un dossier du dépôt, non suivi", AVERTISSEMENT))
            else:
                self._problemes.append(Probleme(chemin, 0, "lien-casse", "lien symbolique cassé ou en boucle, ignoré", AVERTISSEMENT))
        return dict(sorted(fichiers.items()))

    @staticmethod
    def _resoudre(lien: str, liens: dict[str, Entree], cibles: dict[str, bytes], reguliers: dict[str, Entree],
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

    def __init__(self, chemin: str, revision: str, depot: Depot | None = None, connus: dict[str, bytes] | None = None) -> None:
        """`depot` : le dépôt de `chemin`, déjà trouvé et confiné ; `connus` : des contenus déjà lus,
        par blob (`SourceIndex.head`)."""
        # `git rev-parse` 2.39 ne connaît pas `--end-of-options` : une révision « -… » serait une option.
        if revision.startswith("-"):
            raise ErreurVerificateur(f"révision « {revision} » refusée : une révision ne commence pas par « - »")
        if not revision.strip() or any(c in revision for c in "\x00\n\r"):
            raise ErreurVerificateur(f"révision « {revision} » invalide")
        super().__init__(chemin, index=False, depot=depot)
        self._connus = connus if connus is not None else {}
        self.demandee = revision
        sha = self._commit(revision)
        if sha is None:
            raise ErreurVerificateur(f"{chemin}: révision « {revision} » introuvable dans le dépôt (aucun commit de ce nom)")
        self.revision: str | None = sha

    def _entrees(self) -> dict[str, Entree]:
        prefixe = self._depot.prefixe
        sortie = self._depot.executer(
            ["ls-tree", "-r", "-z", "-l", "--full-tree", f"{self.revision}:{prefixe}"],
            echec=(f"{self.chemin}: le dossier « {prefixe} » n'existe pas à la révision « {self.demandee} »" if prefixe
                   else f"{self.chemin}: arbre git illisible ou corrompu à la révision « {self.demandee} » ; "
                        "vérifiez le dépôt avec « git fsck »"),
        )
        entrees: dict[str, Entree] = {}
        for (mode, _type, sha, taille), chemin in self._lignes_z(sortie, 4):
            entrees[chemin] = Entree(mode, sha, int(taille) if taille.isdigit() else None)
            self._trop(len(entrees))
        return entrees


class SourceIndex(_SourceGit):
    """Le dépôt tel qu'il serait commité : l'index (`GIT_INDEX_FILE` s'il est défini, comme dans un
    crochet pre-commit lancé par `git commit -a` ou `git commit CHEMIN`). `revision` est le sha de
    HEAD, ou None avant le premier commit."""

    nature = "index"

    def __init__(self, chemin: str) -> None:
        super().__init__(chemin, index=True)
        self._garder = True
        if self._depot.nu:
            raise ErreurVerificateur(f"{chemin}: dépôt git nu (sans arbre de travail), il n'a pas d'index ; utilisez --revision")
        self.revision: str | None = self._commit("HEAD")

    def head(self) -> SourceRevision | None:
        """Le dépôt à HEAD, pour le comparer à l'index (le crochet) ; None avant le premier commit.
        Ni découverte ni `rev-parse` de plus : le même dépôt, déjà confiné, et le commit déjà résolu ;
        un fichier que HEAD a en commun avec l'index (le même blob) n'est pas relu."""
        if self.revision is None:
            return None
        return SourceRevision(self.chemin, self.revision, self._depot.sans_index(), self._connus)

    def _entrees(self) -> dict[str, Entree]:
        sortie = self._depot.executer(
            ["ls-files", "-s", "-z"],
            echec=f"{self.chemin}: index git illisible ; vérifiez le dépôt avec « git status »",
        )
        entrees: dict[str, Entree] = {}
        conflits: set[str] = set()
        for (mode, sha, etape), chemin in self._lignes_z(sortie, 3):
            if etape != "0":
                conflits.add(chemin)
                continue
            entrees[chemin] = Entree(mode, sha, None)
            self._trop(len(entrees))
        for chemin in sorted(conflits - set(entrees)):
            self._problemes.append(Probleme(chemin, 0, "conflit", "fichier en conflit de fusion non résolu dans l'index, non lu"))
        tailles = self._lot.tailles(sorted({e.sha for e in entrees.values() if e.mode.startswith("100")}))
        return {c: Entree(e.mode, e.sha, tailles.get(e.sha)) for c, e in entrees.items()}


def dates_ajout(source: _SourceGit) -> dict[str, date_]:
    """La date du premier commit de chaque fichier de la source (révision : son histoire ; index :
    celle de HEAD, et aujourd'hui pour ce qui n'est pas encore commité)."""
    fichiers = source.lister()
    dates = Journal(source.chemin, source.revision, source._depot).dates_ajout(fichiers) if source.revision else {}
    if source.nature == "index":
        aujourdhui = date_.today()
        return {c: dates.get(c, aujourdhui) for c in fichiers}
    return {c: dates[c] for c in fichiers if c in dates}
