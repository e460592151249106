"""Les sources git (`--revision`, `--index`) sur de vrais dépôts construits dans tmp_path : les verdicts
de la bonne révision, l'index d'un commit en cours (crochet pre-commit), un dépôt hostile qui ne
peut rien faire exécuter, la propriété douteuse, les liens symboliques, les erreurs, et jamais
aucune écriture dans le dépôt de preuves."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, depuis_gabarit, exemple_commite

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")

MESURES = "securite/mesures.yaml"


# --- outils -------------------------------------------------------------------------------------


@pytest.fixture
def environnement_git(tmp_path, monkeypatch):
    """Un git reproductible et isolé : identité et dates fixes, HOME vide, aucune config système."""
    for cle in list(os.environ):
        if cle.startswith("GIT_"):
            monkeypatch.delenv(cle)
    maison = tmp_path / "maison"
    maison.mkdir()
    monkeypatch.setenv("HOME", str(maison))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Équipe RSSI")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "rssi@chu-armorique.invalid")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-09-01T10:00:00+02:00")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # Pour les crochets : `python -m verificateur` lancé par git depuis le dépôt de preuves.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(RACINE), os.environ.get("PYTHONPATH")])))
    return maison


def git(depot: Path, *arguments: str, verifier: bool = True) -> subprocess.CompletedProcess[str]:
    fini = subprocess.run(["git", "-C", str(depot), *arguments], capture_output=True, text=True, check=False)
    if verifier and fini.returncode != 0:
        raise AssertionError(f"git {' '.join(arguments)} : {fini.returncode}\n{fini.stdout}\n{fini.stderr}")
    return fini


def sha(depot: Path, revision: str = "HEAD") -> str:
    return git(depot, "rev-parse", revision).stdout.strip()


def remplacer(fichier: Path, avant: str, apres: str) -> None:
    texte = fichier.read_text(encoding="utf-8")
    assert avant in texte, (fichier, avant)
    fichier.write_text(texte.replace(avant, apres), encoding="utf-8")


def nouveau_depot(racine: Path) -> Path:
    """Un dépôt git dont le contenu est le dépôt d'exemple chu-armorique, commité."""
    return exemple_commite("chu-armorique", racine, "Preuves initiales")


@dataclass
class Depot:
    chemin: Path
    ancien: str  # premier commit : le dépôt d'exemple tel quel (étiquette v1, branche « ancienne »)
    recent: str  # second commit : l'accès distant n'est plus protégé par MFA (HYG-01 échoue)


@pytest.fixture
def depot(tmp_path, environnement_git) -> Depot:
    chemin = tmp_path / "depot"
    return Depot(chemin, *depuis_gabarit(chemin, "chu-armorique en deux commits", _construire_depot))


def _construire_depot(chemin: Path) -> tuple[str, str]:
    nouveau_depot(chemin)
    ancien = sha(chemin)
    git(chemin, "tag", "-a", "v1", "-m", "Preuves de septembre")
    git(chemin, "branch", "ancienne")
    remplacer(chemin / MESURES, "acces_distants: true", "acces_distants: false")
    git(chemin, "commit", "-q", "-a", "-m", "MFA des accès distants retirée")
    return ancien, sha(chemin)


def test_la_copie_d_un_gabarit_est_le_depot_que_le_test_aurait_bati(tmp_path, environnement_git):
    """Les dépôts des tests sont copiés d'un gabarit (conftest.depuis_gabarit) : mêmes commits, mêmes
    références, même index, arbre de travail propre, que bâtis sur place."""
    sur_place = tmp_path / "sur-place"
    shutil.copytree(EXEMPLES / "chu-armorique", sur_place)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(sur_place)], check=True)
    git(sur_place, "add", "-A")
    git(sur_place, "commit", "-q", "-m", "Preuves initiales")

    def etat(chemin: Path) -> tuple[str, ...]:
        return (git(chemin, "log", "--all", "--format=%H %T %P|%an|%ae|%aI|%cn|%ce|%cI|%s").stdout,
                git(chemin, "for-each-ref", "--format=%(refname) %(objectname)").stdout,
                git(chemin, "symbolic-ref", "HEAD").stdout, git(chemin, "ls-files", "-s").stdout,
                git(chemin, "status", "--porcelain", "--ignored").stdout)

    attendu = etat(sur_place)
    assert attendu[2] == "refs/heads/main\n" and "Preuves initiales" in attendu[0] and attendu[4] == ""
    for nom in ("premiere", "seconde"):  # la seconde est forcément une copie
        assert etat(nouveau_depot(tmp_path / nom)) == attendu, nom


def evaluer(lancer, chemin: Path | str, *options: str) -> dict:
    sortie = lancer("evaluer", str(chemin), *options, "--date", DATE_EXEMPLES, "--format", "json")
    assert sortie.code in (0, 1), sortie
    return json.loads(sortie.stdout)


def statuts(rapport: dict) -> dict[str, str]:
    return {r["regle"]: r["statut"] for r in rapport["resultats"]}


def sans_provenance(rapport: dict) -> list[dict]:
    """Les résultats sans la révision citée par chaque preuve (pour comparer deux sources)."""
    return [{**r, "preuves": [{k: v for k, v in p.items() if k != "revision"} for p in r["preuves"]]} for r in rapport["resultats"]]


def textes_hyg01(rapport: dict) -> str:
    """Les constats de HYG-01 : les valeurs lues dans securite/mesures.yaml."""
    return "\n".join(d["texte"] for r in rapport["resultats"] if r["regle"] == "HYG-01" for d in r["details"])


_REFERENCE: list[dict] = []


@pytest.fixture
def reference(lancer) -> dict:
    """Le dépôt d'exemple lu comme simple dossier : les verdicts du premier commit. Lu une fois par
    session (le dossier d'exemple ne change pas) ; chaque test reçoit sa propre copie."""
    if not _REFERENCE:
        rapport = evaluer(lancer, EXEMPLES / "chu-armorique")
        assert statuts(rapport)["HYG-01"] == "conforme"
        _REFERENCE.append(rapport)
    return copy.deepcopy(_REFERENCE[0])


def empreintes(racine: Path) -> dict[str, tuple]:
    """Chaque fichier (.git compris) : contenu, mode, date ; chaque dossier : mode et date."""
    vu: dict[str, tuple] = {}
    for dossier, _, noms in os.walk(racine):
        infos = os.lstat(dossier)
        vu[os.path.relpath(dossier, racine) + "/"] = (infos.st_mode, infos.st_mtime_ns)
        for nom in noms:
            complet = os.path.join(dossier, nom)
            infos = os.lstat(complet)
            if stat.S_ISLNK(infos.st_mode):
                contenu = os.readlink(complet).encode()
            else:
                with open(complet, "rb") as f:
                    contenu = f.read()
            vu[os.path.relpath(complet, racine)] = (hashlib.sha256(contenu).hexdigest(), infos.st_mode, infos.st_mtime_ns)
    return vu


def toucher(fichier: Path) -> None:
    """Comme un éditeur qui enregistre : l'index n'est plus à jour (git voudrait le rafraîchir)."""
    infos = fichier.stat()
    os.utime(fichier, ns=(infos.st_atime_ns, infos.st_mtime_ns + 5_000_000_000))


MODES = {
    "arbre": (),
    "revision": ("--revision", "HEAD"),
    "index": ("--index",),
}


# --- révision -------------------------------------------------------------------------------------


@pytest.mark.parametrize("designation", ["sha", "v1", "ancienne", "HEAD~1"])
def test_revision_donne_les_verdicts_de_cette_revision(depot, lancer, reference, designation):
    revision = depot.ancien if designation == "sha" else designation
    rapport = evaluer(lancer, depot.chemin, "--revision", revision)
    assert rapport["depot"] == {"chemin": str(depot.chemin), "source": "revision", "revision": depot.ancien}
    assert sans_provenance(rapport) == sans_provenance(reference)
    # Les preuves d'exemple, datées de 2023 à 2026, sont toutes commitées le 2026-09-01 : la fraîcheur
    # tirée de git (tests/test_historique.py) les signale, et c'est la seule différence avec l'arbre.
    a_posteriori = [p for p in rapport["problemes"] if p["code"] == "declare-a-posteriori"]
    assert sorted(p["fichier"] for p in a_posteriori) == [
        "crise/plan-blanc-numerique.yaml", "exercices/2023-03-16-rancongiciel-dpi.yaml",
        "exercices/2025-05-20-compromission-messagerie.yaml", "exercices/2026-04-14-rancongiciel-ght.yaml",
    ]
    assert [p for p in rapport["problemes"] if p not in a_posteriori] == reference["problemes"]
    citees = {p["revision"] for r in rapport["resultats"] for p in r["preuves"]}
    assert citees == {depot.ancien}


def test_revision_head_et_arbre(depot, lancer, reference):
    recent = evaluer(lancer, depot.chemin, "--revision", "HEAD")
    assert recent["depot"] == {"chemin": str(depot.chemin), "source": "revision", "revision": depot.recent}
    assert statuts(recent)["HYG-01"] == "non_conforme"
    attendus = statuts(reference) | {"HYG-01": "non_conforme"}
    assert statuts(recent) == attendus
    # Sans option, le dossier est lu tel quel : pas de révision.
    arbre = evaluer(lancer, depot.chemin)
    assert arbre["depot"] == {"chemin": str(depot.chemin), "source": "arbre", "revision": None}
    assert statuts(arbre) == attendus
    assert {p["revision"] for r in arbre["resultats"] for p in r["preuves"]} <= {None}


def test_revision_texte(depot, lancer):
    sortie = lancer("evaluer", str(depot.chemin), "--revision", "v1", "--date", DATE_EXEMPLES)
    assert f"dépôt {depot.chemin} (revision @ {depot.ancien[:12]}), évalué au {DATE_EXEMPLES}" in sortie.stdout.splitlines()


def test_revision_d_un_depot_nu(depot, tmp_path, lancer, reference):
    nu = tmp_path / "nu.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(depot.chemin), str(nu)], check=True)
    rapport = evaluer(lancer, nu, "--revision", "v1")
    assert rapport["depot"] == {"chemin": str(nu), "source": "revision", "revision": depot.ancien}
    assert sans_provenance(rapport) == sans_provenance(reference)
    assert statuts(evaluer(lancer, nu, "--revision", "HEAD"))["HYG-01"] == "non_conforme"
    sortie = lancer("evaluer", str(nu), "--index", "--date", DATE_EXEMPLES)
    assert (sortie.code, sortie.stderr) == (2, f"verificateur : {nu}: dépôt git nu (sans arbre de travail), il n'a pas d'index ; utilisez --revision\n")


def test_sous_dossier_d_un_depot(tmp_path, environnement_git, lancer, reference):
    """Le dépôt de preuves est un dossier d'un dépôt plus grand : c'est ce dossier qui est lu."""
    parent = tmp_path / "parent"
    parent.mkdir()
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(parent)], check=True)
    shutil.copytree(EXEMPLES / "chu-armorique", parent / "preuves")
    (parent / "autre.yaml").write_text("x: [\n", encoding="utf-8")
    git(parent, "add", "-A")
    git(parent, "commit", "-q", "-m", "preuves dans un sous-dossier")
    for options in (("--revision", "HEAD"), ("--index",)):
        rapport = evaluer(lancer, parent / "preuves", *options)
        assert rapport["depot"]["revision"] == sha(parent)
        assert sans_provenance(rapport) == sans_provenance(reference)
    (parent / "nouveau").mkdir()
    sortie = lancer("evaluer", str(parent / "nouveau"), "--revision", "HEAD")
    assert (sortie.code, sortie.stderr) == (2, f"verificateur : {parent / 'nouveau'}: le dossier « nouveau » n'existe pas à la révision « HEAD »\n")


# --- index ----------------------------------------------------------------------------------------


def test_index_voit_l_indexe_et_ignore_le_reste(depot, lancer):
    mesures = depot.chemin / MESURES
    # Indexé mais pas commité : vu.
    remplacer(mesures, "comptes_privilegies: true", "comptes_privilegies: false")
    git(depot.chemin, "add", MESURES)
    # Modifié ensuite dans l'arbre de travail, sans l'indexer : ignoré.
    remplacer(mesures, "acces_distants: false", "acces_distants: true")
    remplacer(mesures, "comptes_privilegies: false", "comptes_privilegies: true")
    (depot.chemin / "incidents" / "brouillon.yaml").write_text("detecte_le: [\n", encoding="utf-8")
    rapport = evaluer(lancer, depot.chemin, "--index")
    assert rapport["depot"] == {"chemin": str(depot.chemin), "source": "index", "revision": depot.recent}
    assert statuts(rapport)["HYG-01"] == "non_conforme"
    assert not [p for p in rapport["problemes"] if p["fichier"] == "incidents/brouillon.yaml"]
    assert "authentification multifacteur des comptes à privilèges : false, attendu true" in textes_hyg01(rapport)
    # L'arbre de travail, lui, voit les deux modifications.
    arbre = evaluer(lancer, depot.chemin)
    assert statuts(arbre)["HYG-01"] == "conforme"
    assert [p for p in arbre["problemes"] if p["fichier"] == "incidents/brouillon.yaml"]


def test_index_avant_le_premier_commit(tmp_path, environnement_git, lancer, reference):
    chemin = tmp_path / "premier"
    shutil.copytree(EXEMPLES / "chu-armorique", chemin)
    subprocess.run(["git", "init", "-q", str(chemin)], check=True)
    git(chemin, "add", "-A")
    rapport = evaluer(lancer, chemin, "--index")
    assert rapport["depot"] == {"chemin": str(chemin), "source": "index", "revision": None}
    assert sans_provenance(rapport) == sans_provenance(reference)
    # --revision HEAD n'a rien à lire : message clair.
    sortie = lancer("evaluer", str(chemin), "--revision", "HEAD")
    assert (sortie.code, sortie.stderr) == (2, f"verificateur : {chemin}: révision « HEAD » introuvable dans le dépôt (aucun commit de ce nom)\n")


def test_index_en_conflit_de_fusion(depot, lancer):
    git(depot.chemin, "checkout", "-q", "-b", "autre", "v1")
    remplacer(depot.chemin / MESURES, "acces_distants: true", "acces_distants: true  # vérifié")
    git(depot.chemin, "commit", "-q", "-a", "-m", "commentaire")
    assert git(depot.chemin, "merge", "-q", "main", verifier=False).returncode != 0
    rapport = evaluer(lancer, depot.chemin, "--index")
    assert {"fichier": MESURES, "ligne": None, "code": "conflit", "niveau": "erreur",
            "message": "fichier en conflit de fusion non résolu dans l'index, non lu"} in rapport["problemes"]
    assert statuts(rapport)["HYG-01"] == "preuve_manquante"


def installer_crochet(depot: Path, sortie: Path) -> None:
    """Un vrai crochet pre-commit : il lance verificateur sur l'index et note ce qu'il a vu."""
    crochet = depot / ".git" / "hooks" / "pre-commit"
    commande = [sys.executable, "-m", "verificateur", "evaluer", "--index", "--date", DATE_EXEMPLES,
                "--format", "json", "--sortie", str(sortie)]
    crochet.write_text(
        "#!/bin/sh\n"
        f"printf '%s' \"$GIT_INDEX_FILE\" > {shlex.quote(str(sortie))}.index\n"
        f"{shlex.join(commande)}\n"
        f"echo $? > {shlex.quote(str(sortie))}.code\n"
        "exit 0\n",
        encoding="utf-8",
    )
    crochet.chmod(0o755)


@pytest.mark.parametrize("forme", ["commit -a", "commit CHEMIN"])
def test_crochet_pre_commit_lit_l_index_du_commit(depot, tmp_path, forme):
    """`git commit -a` et `git commit CHEMIN` préparent un autre index (GIT_INDEX_FILE) : c'est lui
    que le crochet doit lire, pas `.git/index` ni l'arbre de travail."""
    git(depot.chemin, "reset", "-q", "--hard", "v1")
    sortie = tmp_path / "vu.json"
    installer_crochet(depot.chemin, sortie)
    remplacer(depot.chemin / MESURES, "acces_distants: true", "acces_distants: false")  # non indexé
    if forme == "commit -a":
        (depot.chemin / "incidents" / "brouillon.yaml").write_text("detecte_le: [\n", encoding="utf-8")  # non suivi
        git(depot.chemin, "commit", "-q", "-a", "-m", "MFA retirée")
        invisible = "incidents/brouillon.yaml"
    else:
        veille = depot.chemin / "vulnerabilites" / "veille.yaml"
        veille.write_text(veille.read_text(encoding="utf-8") + "cle_inconnue: 1\n", encoding="utf-8")
        git(depot.chemin, "add", "vulnerabilites/veille.yaml")  # indexé, mais pas dans ce commit
        git(depot.chemin, "commit", "-q", "-m", "MFA retirée", MESURES)
        invisible = "vulnerabilites/veille.yaml"
    index = Path(f"{sortie}.index").read_text(encoding="utf-8")
    assert index and Path(index).name != "index", index  # git a bien désigné un autre index
    vu = json.loads(sortie.read_text(encoding="utf-8"))
    assert Path(f"{sortie}.code").read_text().strip() == "1"
    assert vu["depot"] == {"chemin": ".", "source": "index", "revision": depot.ancien}
    assert statuts(vu)["HYG-01"] == "non_conforme"
    assert "authentification multifacteur des accès distants : false, attendu true" in textes_hyg01(vu)
    assert not [p for p in vu["problemes"] if p["fichier"] == invisible]
    # Et c'est bien ce qui a été commité.
    assert "acces_distants: false" in git(depot.chemin, "show", f"HEAD:{MESURES}").stdout
    assert sha(depot.chemin, "HEAD~1") == depot.ancien


# --- un dépôt hostile -----------------------------------------------------------------------------

CROCHETS = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc", "post-commit")


def rendre_hostile(depot: Path, marqueurs: Path) -> None:
    """Chaque commande que la configuration du dépôt peut nommer crée un fichier dans `marqueurs`."""
    marqueurs.mkdir()

    def touche(nom: str, suite: str = "") -> str:
        return f"touch {shlex.quote(str(marqueurs / nom))}{suite}"

    (depot / ".gitattributes").write_text("*.yaml filter=piege diff=piege\n*.md filter=piege2 diff=piege\n", encoding="utf-8")
    git(depot, "add", ".gitattributes")
    git(depot, "commit", "-q", "-m", "attributs")
    crochets = depot.parent / "crochets"
    crochets.mkdir()
    for nom in CROCHETS:
        (crochets / nom).write_text(f"#!/bin/sh\n{touche('crochet-' + nom)}\n", encoding="utf-8")
        (crochets / nom).chmod(0o755)
    inclus = depot.parent / "inclus.gitconfig"
    inclus.write_text(
        "[filter \"piege2\"]\n"
        f"\tclean = {touche('filtre2-clean', '; cat')}\n"
        f"\tsmudge = {touche('filtre2-smudge', '; cat')}\n"
        "[core]\n"
        f"\tpager = {touche('pager', '; cat')}\n"
        f"\teditor = {touche('editor')}\n"
        f"\taskPass = {touche('askpass')}\n"
        "[credential]\n"
        f"\thelper = !{touche('credential')}\n"
        "[gpg]\n"
        f"\tprogram = {touche('gpg')}\n"
        "[diff]\n"
        f"\texternal = {touche('diff-external')}\n",
        encoding="utf-8",
    )
    with open(depot / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(
            "[core]\n"
            f"\tfsmonitor = {touche('fsmonitor', '; false')}\n"
            f"\thooksPath = {crochets}\n"
            f"\tsshCommand = {touche('ssh', '; false')}\n"
            "[filter \"piege\"]\n"
            f"\tclean = {touche('filtre-clean', '; cat')}\n"
            f"\tsmudge = {touche('filtre-smudge', '; cat')}\n"
            "[diff \"piege\"]\n"
            f"\ttextconv = {touche('textconv', '; cat')}\n"
            "[include]\n"
            f"\tpath = {inclus}\n"
        )


@pytest.mark.parametrize("mode", MODES)
def test_depot_hostile_ne_fait_rien_executer(depot, tmp_path, lancer, mode):
    marqueurs = tmp_path / "marqueurs"
    rendre_hostile(depot.chemin, marqueurs)
    for fichier in (MESURES, "README.md", "crise/plan-blanc-numerique.md"):
        toucher(depot.chemin / fichier)
    index = (depot.chemin / ".git" / "index").read_bytes()
    avant = empreintes(depot.chemin)
    rapport = evaluer(lancer, depot.chemin, *MODES[mode])
    assert statuts(rapport)["HYG-01"] == "non_conforme"
    assert sorted(os.listdir(marqueurs)) == []
    assert (depot.chemin / ".git" / "index").read_bytes() == index
    assert empreintes(depot.chemin) == avant
    # Témoin : le piège fonctionne bien, git lui-même s'y laisse prendre.
    git(depot.chemin, "status", "--porcelain")
    assert {"fsmonitor", "filtre-clean", "filtre2-clean"} <= set(os.listdir(marqueurs))


@pytest.mark.parametrize("mode", ["revision", "index"])
def test_clone_partiel_hostile_ne_va_rien_chercher(depot, tmp_path, lancer, mode):
    """Un clone partiel va chercher les objets absents chez son « promisor » : l'upload-pack que
    nomme la configuration du dépôt serait lancé. Verificateur refuse sans rien lancer."""
    marqueurs = tmp_path / "marqueurs"
    marqueurs.mkdir()
    blob = sha(depot.chemin, f"HEAD:{MESURES}")
    objet = depot.chemin / ".git" / "objects" / blob[:2] / blob[2:]
    objet.unlink()
    for cle, valeur in (
        ("core.repositoryformatversion", "1"),
        ("extensions.partialClone", "origine"),
        ("remote.origine.url", f"file://{depot.chemin}"),
        ("remote.origine.promisor", "true"),
        ("remote.origine.uploadpack", f"touch {shlex.quote(str(marqueurs / 'upload-pack'))}; git-upload-pack"),
        ("protocol.file.allow", "always"),
    ):
        git(depot.chemin, "config", cle, valeur)
    sortie = lancer("evaluer", str(depot.chemin), *MODES[mode], "--date", DATE_EXEMPLES)
    assert (sortie.code, sortie.stderr) == (
        2, f"verificateur : {depot.chemin}: objet git {blob} absent ou corrompu ; vérifiez le dépôt avec « git fsck »\n"
    )
    assert os.listdir(marqueurs) == []
    git(depot.chemin, "cat-file", "-p", blob, verifier=False)  # témoin
    assert os.listdir(marqueurs) == ["upload-pack"]


def test_core_worktree_hostile_ignore(depot, tmp_path, lancer):
    """`core.worktree` déplacerait l'arbre de travail (et le préfixe de ls-files) : il est ignoré."""
    ailleurs = tmp_path / "ailleurs"
    ailleurs.mkdir()
    git(depot.chemin, "config", "core.worktree", str(ailleurs))
    for options in (("--index",), ("--revision", "HEAD")):
        rapport = evaluer(lancer, depot.chemin, *options)
        assert statuts(rapport)["HYG-01"] == "non_conforme"
        assert rapport["etablissement"] is not None


def test_variables_git_heritees_ignorees(depot, lancer, monkeypatch):
    """GIT_DIR, GIT_WORK_TREE, GIT_CONFIG_* héritées (d'un crochet, d'un shell) ne détournent rien."""
    monkeypatch.setenv("GIT_DIR", "/nulle-part")
    monkeypatch.setenv("GIT_WORK_TREE", "/nulle-part")
    monkeypatch.setenv("GIT_INDEX_FILE", "/nulle-part/index")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='false'")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.bare")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    rapport = evaluer(lancer, depot.chemin, "--revision", "HEAD~1")
    assert rapport["depot"]["revision"] == depot.ancien
    assert statuts(rapport)["HYG-01"] == "conforme"


def test_invocation_durcie_et_un_seul_cat_file(depot, monkeypatch):
    """Chaque appel de git porte les options durcies et un environnement nettoyé ; les contenus, le
    commit de la révision (ou de HEAD) et, pour l'index, les tailles sont lus par un seul
    `cat-file --batch-command`."""
    from verificateur import preuves
    from verificateur.git import depot_git

    (depot.chemin / "lien.yaml").symlink_to(MESURES)
    git(depot.chemin, "add", "lien.yaml")
    git(depot.chemin, "commit", "-q", "-m", "lien")
    appels: list[tuple[list[str], dict[str, str]]] = []
    vrai_popen = subprocess.Popen

    def espion(commande, *a, **k):  # subprocess.run passe aussi par Popen : chaque processus une fois
        assert not k.get("shell") and isinstance(commande, list) and all(isinstance(x, str) for x in commande)
        appels.append((commande, k["env"]))
        return vrai_popen(commande, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", espion)
    monkeypatch.setenv("GIT_DIR", "/nulle-part")
    reel = os.path.realpath(depot.chemin)
    for fabrique in (lambda: depot_git.SourceRevision(str(depot.chemin), "HEAD"), lambda: depot_git.SourceIndex(str(depot.chemin))):
        appels.clear()
        source = fabrique()
        lues = preuves.charger(source)
        assert lues.preuves[MESURES].valide and "lien.yaml" in lues.fichiers
        for commande, env in appels:
            assert commande[:5] == ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]
            assert f"safe.directory={reel}" in commande
            assert {"--no-optional-locks", "--no-replace-objects", "--no-pager"} <= set(commande)
            assert commande[commande.index("-C") + 1] == reel
            assert {k for k in env if k.startswith("GIT_")} == {"GIT_TERMINAL_PROMPT", "GIT_CONFIG_NOSYSTEM", "GIT_NO_LAZY_FETCH"}
            assert env["LC_ALL"] == "C"
        sous_commandes = [c[c.index("-C") + (4 if "--work-tree" in c else 2):] for c, _ in appels]
        assert {c[0] for c in sous_commandes} <= {"rev-parse", "ls-tree", "ls-files", "cat-file"}
        assert [c for c in sous_commandes if c[0] == "cat-file"] == [["cat-file", "--batch-command"]]
        # Le commit et les tailles de l'index sont demandés au cat-file des contenus, pas à des processus de plus.
        assert len(appels) == 3


def test_crochet_et_index_sans_processus_git_redondant(depot, lancer, monkeypatch):
    """Ce qu'un crochet lance, dans l'ordre : un seul `rev-parse` (découverte et confinement), le
    `cat-file` qui donne HEAD, les tailles et les contenus, l'index, l'histoire (fraîcheur) ; puis HEAD,
    dans le même dépôt déjà confiné, sans découverte ni `rev-parse` de plus, et sans relire un blob
    que l'index a déjà lu : un `cat-file` seulement si un fichier lu diffère."""
    head = sha(depot.chemin, "HEAD")
    appels: list[list[str]] = []
    vrai_popen = subprocess.Popen

    def espion(commande, *a, **k):
        appels.append(commande[commande.index("-C") + (4 if "--work-tree" in commande else 2):])
        return vrai_popen(commande, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", espion)
    index = [["rev-parse", "--is-bare-repository", "--is-inside-git-dir", "--absolute-git-dir", "--git-common-dir"],
             ["cat-file", "--batch-command"], ["ls-files", "-s", "-z"],
             ["log", "--first-parent", "--format=%H %cI", "--max-count=100001", head]]
    sortie = lancer("evaluer", str(depot.chemin), "--index", "--date", DATE_EXEMPLES, "--format", "json")
    assert sortie.code in (0, 1), sortie
    assert appels[:4] == index and [a[0] for a in appels[4:]] == ["log"]
    appels.clear()
    sortie = lancer("crochet", str(depot.chemin), "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    assert appels[:4] == index and [a[0] for a in appels[4:]] == ["log", "ls-tree"]
    remplacer(depot.chemin / MESURES, "acces_distants: false", "acces_distants: true")
    git(depot.chemin, "add", MESURES)
    appels.clear()
    sortie = lancer("crochet", str(depot.chemin), "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    assert appels[:4] == index and [a[0] for a in appels[4:]] == ["log", "ls-tree", "cat-file"]


def test_git_sans_batch_command(depot, lancer, monkeypatch, tmp_path):
    """Un git antérieur à 2.36 refuse `cat-file --batch-command` (option inconnue, code 129) : c'est
    appris au premier refus, les contenus et HEAD passent par `--batch`, les tailles par un
    `--batch-check` de plus ; les sorties ne changent pas."""
    from verificateur.git.depot import Depot as DepotGit
    from verificateur.git.objets import Lot

    commandes = [("evaluer", str(depot.chemin), *mode, "--date", DATE_EXEMPLES, "--format", "json")
                 for mode in (("--index",), ("--revision", "v1"))] + [("crochet", str(depot.chemin), "--date", DATE_EXEMPLES)]
    attendues = [lancer(*c) for c in commandes]
    vieux = tmp_path / "git-2.35"
    vieux.mkdir()
    (vieux / "git").write_text(
        '#!/bin/sh\nfor a in "$@"; do [ "$a" = "--batch-command" ] && { echo "error: unknown option" >&2; exit 129; }; done\n'
        f'exec {shutil.which("git")} "$@"\n'
    )
    (vieux / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{vieux}{os.pathsep}{os.environ['PATH']}")
    for commande, attendue in zip(commandes, attendues):
        monkeypatch.setattr(Lot, "sans_commandes", False)
        assert lancer(*commande) == attendue
        assert Lot.sans_commandes
    # Les tailles demandées en premier apprennent aussi le refus.
    monkeypatch.setattr(Lot, "sans_commandes", False)
    blob = sha(depot.chemin, f"HEAD:{MESURES}")
    lot = DepotGit(str(depot.chemin), index=False).lot()
    assert lot.tailles([blob]) == {blob: (depot.chemin / MESURES).stat().st_size}
    assert Lot.sans_commandes
    lot.fermer()


# --- propriété douteuse ---------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changer le propriétaire demande root")
def test_depot_d_un_autre_proprietaire(depot, environnement_git, lancer):
    """Un dépôt reçu d'ailleurs (autre propriétaire) : git le refuserait ; verificateur le lit avec
    l'invocation durcie, sans jamais écrire de configuration sur disque."""
    for dossier, sous, noms in os.walk(depot.chemin):
        for nom in [dossier, *(os.path.join(dossier, n) for n in sous + noms)]:
            os.lchown(nom, 12345, 12345)
    refus = git(depot.chemin, "rev-parse", "HEAD", verifier=False)
    assert refus.returncode == 128 and "dubious ownership" in refus.stderr
    configurations = [
        Path(pwd.getpwuid(os.getuid()).pw_dir) / ".gitconfig",
        environnement_git / ".gitconfig",
        environnement_git / ".config" / "git" / "config",
        depot.chemin / ".git" / "config",
    ]

    def lire_tout() -> list[bytes | None]:
        return [c.read_bytes() if c.exists() else None for c in configurations]

    avant = lire_tout()
    for mode, options in MODES.items():
        rapport = evaluer(lancer, depot.chemin, *options)
        assert statuts(rapport)["HYG-01"] == "non_conforme", mode
        assert rapport["depot"]["revision"] == (None if mode == "arbre" else depot.recent)
    assert lire_tout() == avant
    assert git(depot.chemin, "rev-parse", "HEAD", verifier=False).returncode == 128


# --- liens symboliques ----------------------------------------------------------------------------

LIENS_REFUSES = [
    "exercices/dehors.yaml: lien symbolique vers l'extérieur du dépôt, refusé (chemin-hors-depot)",
    "incidents/passwd.yaml: lien symbolique vers l'extérieur du dépôt, refusé (chemin-hors-depot)",
]


@pytest.mark.parametrize("mode", MODES)
def test_liens_symboliques(tmp_path, environnement_git, lancer, reference, mode):
    chemin = tmp_path / "depot"
    shutil.copytree(EXEMPLES / "chu-armorique", chemin)
    (tmp_path / "dehors.yaml").write_text("date: 2026-01-01\n", encoding="utf-8")
    (chemin / "partage").mkdir()
    (chemin / MESURES).rename(chemin / "partage" / "mesures.yaml")
    (chemin / MESURES).symlink_to("../partage/mesures.yaml")  # dans le dépôt : suivi
    (chemin / "incidents" / "passwd.yaml").symlink_to("/etc/passwd")
    (chemin / "exercices" / "dehors.yaml").symlink_to("../../dehors.yaml")
    subprocess.run(["git", "init", "-q", str(chemin)], check=True)
    git(chemin, "add", "-A")
    git(chemin, "commit", "-q", "-m", "liens")
    assert git(chemin, "ls-files", "-s", "incidents/passwd.yaml").stdout.startswith("120000 ")
    sortie = lancer("evaluer", str(chemin), *MODES[mode], "--date", DATE_EXEMPLES)
    assert sortie.code == 1, sortie
    lignes = sortie.stdout.splitlines()
    for ligne in LIENS_REFUSES:
        assert f"  {ligne}" in lignes, sortie
    rapport = evaluer(lancer, chemin, *MODES[mode])
    refuses = [p for p in rapport["problemes"] if p["code"] == "chemin-hors-depot"]
    assert [f"{p['fichier']}: {p['message']} ({p['code']})" for p in refuses] == LIENS_REFUSES
    assert all(p["niveau"] == "erreur" for p in refuses)
    assert statuts(rapport) == statuts(reference)  # mesures.yaml lu à travers le lien
    assert "root:" not in json.dumps(rapport)


def test_liens_symboliques_dans_l_arbre_git(tmp_path, environnement_git):
    """Résolution dans l'arbre : chaînes de liens, dossiers liés, boucles, `.git`, liens cassés."""
    from verificateur.git.depot_git import SourceRevision

    chemin = tmp_path / "liens"
    (chemin / "a" / "b").mkdir(parents=True)
    (chemin / "a" / "b" / "f.yaml").write_text("x: 1\n", encoding="utf-8")
    liens = {
        "chaine.yaml": "intermediaire.yaml",
        "intermediaire.yaml": "a/b/f.yaml",
        "par-dossier.yaml": "raccourci/f.yaml",
        "raccourci": "a/b",
        "a/b/remonte.yaml": "../../a/./b/f.yaml",
        "boucle1": "boucle2",
        "boucle2": "boucle1",
        "casse.yaml": "absent.yaml",
        "a-travers-fichier": "a/b/f.yaml/x",
        "git.yaml": ".git/config",
        "racine": "..",
        "absolu.yaml": str(chemin / "a" / "b" / "f.yaml"),
    }
    for lien, cible in liens.items():
        (chemin / lien).symlink_to(cible)
    subprocess.run(["git", "init", "-q", str(chemin)], check=True)
    git(chemin, "add", "-A")
    git(chemin, "commit", "-q", "-m", "liens")
    source = SourceRevision(str(chemin), "HEAD")
    fichiers = source.lister()
    assert fichiers == {"a/b/f.yaml": 5, "a/b/remonte.yaml": 5, "chaine.yaml": 5, "intermediaire.yaml": 5, "par-dossier.yaml": 5}
    assert set(source.lire(sorted(fichiers)).values()) == {b"x: 1\n"}
    assert sorted(str(p) for p in source.problemes()) == [
        "a-travers-fichier: lien symbolique cassé ou en boucle, ignoré (lien-casse)",
        "absolu.yaml: lien symbolique vers l'extérieur du dépôt, refusé (chemin-hors-depot)",
        "boucle1: lien symbolique cassé ou en boucle, ignoré (lien-casse)",
        "boucle2: lien symbolique cassé ou en boucle, ignoré (lien-casse)",
        "casse.yaml: lien symbolique cassé ou en boucle, ignoré (lien-casse)",
        "git.yaml: lien symbolique vers l'extérieur du dépôt, refusé (chemin-hors-depot)",
        "raccourci: lien symbolique vers un dossier du dépôt, non suivi (lien-dossier)",
        "racine: lien symbolique vers l'extérieur du dépôt, refusé (chemin-hors-depot)",
    ]


def test_sous_module_signale_et_ignore(depot, lancer):
    git(depot.chemin, "update-index", "--add", "--cacheinfo", f"160000,{depot.ancien},outils/sous-module")
    git(depot.chemin, "commit", "-q", "-m", "sous-module")
    for options in (("--revision", "HEAD"), ("--index",)):
        rapport = evaluer(lancer, depot.chemin, *options)
        assert {"fichier": "outils/sous-module", "ligne": None, "code": "sous-module",
                "message": "sous-module git, non lu", "niveau": "avertissement"} in rapport["problemes"]
        assert statuts(rapport)["HYG-01"] == "non_conforme"


# --- limites --------------------------------------------------------------------------------------


def test_fichier_trop_gros(depot, lancer):
    from verificateur.sources import TAILLE_MAX_FICHIER

    (depot.chemin / "incidents" / "enorme.yaml").write_bytes(b"#" * (TAILLE_MAX_FICHIER + 1))
    git(depot.chemin, "add", "-A")
    for options in (("--index",), ("--revision", "HEAD")):
        if options[0] == "--revision":
            git(depot.chemin, "commit", "-q", "-m", "énorme")
        rapport = evaluer(lancer, depot.chemin, *options)
        assert {"fichier": "incidents/enorme.yaml", "ligne": None, "code": "fichier-trop-gros", "niveau": "erreur",
                "message": f"fichier de {TAILLE_MAX_FICHIER + 1} octets, au-delà de la limite de {TAILLE_MAX_FICHIER} (docs/limites.md)"} in rapport["problemes"]


def test_lecture_limitee(depot):
    """Un blob plus gros que la limite n'est pas gardé en entier (le reste est lu et jeté)."""
    from verificateur.git.depot_git import SourceRevision

    source = SourceRevision(str(depot.chemin), "HEAD")
    blob = sha(depot.chemin, f"HEAD:{MESURES}")
    lot = source._depot.lot()
    contenus = lot.lire([blob, sha(depot.chemin, "HEAD:etablissement.yaml")], limite=10)
    lot.fermer()
    assert contenus[blob] == (depot.chemin / MESURES).read_bytes()[:10]


@pytest.mark.parametrize("options", [("--revision", "HEAD"), ("--index",)])
def test_trop_de_fichiers(depot, lancer, monkeypatch, options):
    from verificateur.git import sources

    monkeypatch.setattr(sources, "NOMBRE_MAX_FICHIERS", 5)
    sortie = lancer("evaluer", str(depot.chemin), *options, "--date", DATE_EXEMPLES)
    assert (sortie.code, sortie.stderr) == (2, f"verificateur : {depot.chemin}: plus de 5 fichiers, dépôt refusé (voir docs/limites.md)\n")


# --- erreurs --------------------------------------------------------------------------------------


def test_revisions_que_le_cat_file_resout_comme_rev_parse(depot, lancer):
    """La révision est résolue en commit par le `cat-file` des contenus : un nom non ASCII, une
    étiquette annotée, un sha abrégé, le journal des références donnent le commit que donne `rev-parse`."""
    git(depot.chemin, "tag", "été", "v1")
    for revision in ("été", "v1", "v1^{}", f"{depot.ancien[:7]}", "main@{0}~1", "HEAD@{0}~1"):
        rapport = evaluer(lancer, depot.chemin, "--revision", revision)
        assert rapport["depot"]["revision"] == sha(depot.chemin, f"{revision}^{{commit}}") == depot.ancien, revision


def test_revision_inconnue(depot, lancer):
    sortie = lancer("evaluer", str(depot.chemin), "--revision", "v9")
    assert (sortie.code, sortie.stderr, sortie.stdout) == (
        2, f"verificateur : {depot.chemin}: révision « v9 » introuvable dans le dépôt (aucun commit de ce nom)\n", ""
    )


@pytest.mark.parametrize("arguments", [("--revision", "--output=/tmp/x"), ("--revision=-p",), ("--revision", "-")])
def test_revision_commencant_par_un_tiret(depot, lancer, arguments):
    sortie = lancer("evaluer", str(depot.chemin), *arguments)
    revision = arguments[-1].removeprefix("--revision=")
    assert (sortie.code, sortie.stderr) == (2, f"verificateur : révision « {revision} » refusée : une révision ne commence pas par « - »\n")


@pytest.mark.parametrize("options", [("--revision", "HEAD"), ("--index",)])
def test_dossier_qui_n_est_pas_un_depot(tmp_path, environnement_git, lancer, options):
    dossier = tmp_path / "simple"
    shutil.copytree(EXEMPLES / "chu-armorique", dossier)
    sortie = lancer("evaluer", str(dossier), *options)
    assert (sortie.code, sortie.stderr) == (
        2, f"verificateur : {dossier}: pas un dépôt git (sans --revision ni --index, le dossier est lu tel quel)\n"
    )
    absent = tmp_path / "absent"
    sortie = lancer("evaluer", str(absent), *options)
    assert (sortie.code, sortie.stderr) == (2, f"verificateur : {absent}: dossier introuvable, attendu un dépôt git\n")


def test_revision_et_index_s_excluent(depot, lancer):
    sortie = lancer("evaluer", str(depot.chemin), "--revision", "HEAD", "--index")
    assert (sortie.code, sortie.stderr) == (2, "verificateur : --revision et --index s'excluent : choisissez une révision ou l'index\n")


@pytest.mark.parametrize("options", [("--revision", "HEAD"), ("--index",)])
def test_objet_corrompu(depot, lancer, options):
    blob = sha(depot.chemin, f"HEAD:{MESURES}")
    objet = depot.chemin / ".git" / "objects" / blob[:2] / blob[2:]
    objet.chmod(0o644)
    objet.write_bytes(b"ceci n'est pas un objet git")
    sortie = lancer("evaluer", str(depot.chemin), *options, "--date", DATE_EXEMPLES)
    assert (sortie.code, sortie.stderr) == (
        2, f"verificateur : {depot.chemin}: objet git {blob} absent ou corrompu ; vérifiez le dépôt avec « git fsck »\n"
    )


# --- jamais d'écriture : tests/hostiles/test_rien_altere.py (chaque commande, chaque mode) ---------
