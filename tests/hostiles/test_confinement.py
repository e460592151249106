"""Rien hors du dépôt (#12) : un `.git` qui mène à un autre dépôt (fichier `gitdir:`, lien, arbre de
travail lié, `commondir`, lien symbolique dans `.git`, objets empruntés) est refusé dans chaque mode
git, et l'autre dépôt n'est jamais lu ; dans l'arbre de travail, un lien physique, un tube nommé ou
un périphérique est signalé au lieu d'être lu ou tu. Puis deux verdicts utilisables : un dépôt nu
sans --revision est lu à HEAD, un commit corrompu dit « dépôt endommagé »."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, exemple_commite
from test_depot_git import empreintes, environnement_git, git, nouveau_depot, sha, statuts  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")

CLONE = "évaluez-en un clone complet (git clone --no-local)"
HORS = ("le dépôt git est hors du dossier (« .git » renvoie ailleurs : arbre de travail lié, sous-module ou "
        f"dépôt déplacé), refusé pour ne lire aucun autre dépôt ; {CLONE}")
EMPRUNT = f"objets git empruntés à un autre dépôt (objects/info/alternates), refusé ; {CLONE}"

# Chaque commande qui lit git, avec ce qu'il lui faut après le chemin.
COMMANDES = {
    "evaluer --revision": ("evaluer", "--revision", "HEAD", "--date", DATE_EXEMPLES),
    "evaluer --index": ("evaluer", "--index", "--date", DATE_EXEMPLES),
    "eligibilite --revision": ("eligibilite", "--programme", str(RACINE / "tests" / "donnees" / "programme-budget-fictif.yaml"), "--revision", "HEAD", "--date", DATE_EXEMPLES),
    "historique": ("historique", "--depuis", "2026-09-01", "--jusqu-a", DATE_EXEMPLES),
    "crochet": ("crochet", "--date", DATE_EXEMPLES),
}


def lancer_sur(lancer, commande: str, chemin: Path):
    nom, *options = COMMANDES[commande]
    return lancer(nom, str(chemin), *options)


@pytest.fixture
def autre(tmp_path, environnement_git) -> Path:
    """Le dépôt d'un autre établissement, posé à côté (comme dans le dossier d'un lot)."""
    return exemple_commite("ch-vallee-du-lys", tmp_path / "ch-vallee-du-lys", "Preuves")


def preuves_sans_git(chemin: Path) -> Path:
    """Les preuves de chu-armorique, sans dépôt git à elles."""
    shutil.copytree(EXEMPLES / "chu-armorique", chemin)
    return chemin


def refuse(sortie, chemin: Path, message: str) -> None:
    assert (sortie.code, sortie.stdout, sortie.stderr) == (2, "", f"verificateur : {chemin}: {message}\n"), sortie


# --- .git qui mène ailleurs ---------------------------------------------------------------------


@pytest.mark.parametrize("forme", ["fichier relatif", "fichier absolu", "lien symbolique"])
@pytest.mark.parametrize("commande", COMMANDES)
def test_git_qui_mene_a_un_autre_depot_refuse(tmp_path, autre, lancer, commande, forme):
    """Un `.git` fichier (`gitdir: …`) ou lien vers le dépôt d'un autre établissement : sans
    confinement, on évaluait l'autre dépôt sous le nom de celui-ci."""
    depot = preuves_sans_git(tmp_path / "chu-armorique")
    if forme == "lien symbolique":
        (depot / ".git").symlink_to("../ch-vallee-du-lys/.git")
    else:
        cible = "../ch-vallee-du-lys/.git" if forme == "fichier relatif" else str(autre / ".git")
        (depot / ".git").write_text(f"gitdir: {cible}\n", encoding="utf-8")
    avant = empreintes(autre)
    refuse(lancer_sur(lancer, commande, depot), depot, HORS)
    assert empreintes(autre) == avant


def test_git_fichier_qui_reste_dans_le_dossier_accepte(tmp_path, environnement_git, lancer):
    """`git init --separate-git-dir` dans le dossier lui-même : le `.git` fichier y mène, il est suivi
    comme git le suit."""
    depot = preuves_sans_git(tmp_path / "chu")
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", "--separate-git-dir",
                    str(depot / ".depot-git"), str(depot)], check=True)
    assert (depot / ".git").read_text(encoding="utf-8").startswith("gitdir: ")
    git(depot, "add", "etablissement.yaml", "securite", "exercices", "incidents", "crise", "vulnerabilites")
    git(depot, "commit", "-q", "-m", "preuves")
    sortie = lancer("evaluer", str(depot), "--revision", "HEAD", "--date", DATE_EXEMPLES, "--format", "json")
    assert sortie.code in (0, 1), sortie
    rapport = json.loads(sortie.stdout)
    assert rapport["depot"]["revision"] == sha(depot) and rapport["etablissement"]["finess"] == "350042131"


@pytest.mark.parametrize("commande", ["evaluer --revision", "evaluer --index"])
def test_arbre_de_travail_lie_refuse_et_le_depot_principal_lu(tmp_path, autre, lancer, commande):
    """Décision documentée (docs/depot.md §4) : un arbre de travail lié (`git worktree add`) a ses
    données dans `.git/worktrees/` d'un autre dossier ; il est refusé, avec le conseil d'un clone."""
    lie = tmp_path / "lie"
    git(autre, "worktree", "add", "-q", str(lie))
    refuse(lancer_sur(lancer, commande, lie), lie, HORS)
    assert lancer_sur(lancer, commande, autre).code in (0, 1)


def test_git_casse_ne_fait_pas_lire_le_depot_englobant(tmp_path, environnement_git, lancer):
    """Un `.git` vide (copie ratée) : git remonterait au dépôt qui englobe le dossier du lot (un
    auditeur qui versionne ses lots) et lirait ce dépôt-là."""
    lot = tmp_path / "lot"
    depot = preuves_sans_git(lot / "chu")
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(lot)], check=True)
    git(lot, "add", "-A")
    git(lot, "commit", "-q", "-m", "lot reçu")
    (depot / ".git").mkdir()
    for commande in ("evaluer --revision", "evaluer --index"):
        refuse(lancer_sur(lancer, commande, depot), depot, HORS)


def test_commondir_qui_mene_ailleurs_refuse(tmp_path, autre, lancer):
    """Un `commondir` dans le dossier git fait lire objets et références d'un autre dépôt."""
    depot = nouveau_depot(tmp_path / "chu")
    (depot / ".git" / "commondir").write_text(os.path.relpath(autre / ".git", depot / ".git") + "\n", encoding="utf-8")
    refuse(lancer_sur(lancer, "evaluer --revision", depot), depot, HORS)


@pytest.mark.parametrize("lien", ["objects", "refs/heads"])
def test_lien_symbolique_dans_git_vers_un_autre_depot_refuse(tmp_path, autre, lancer, lien):
    depot = nouveau_depot(tmp_path / "chu")
    shutil.rmtree(depot / ".git" / lien)
    (depot / ".git" / lien).symlink_to(autre / ".git" / lien)
    message = f"lien symbolique vers l'extérieur du dépôt dans le dossier git (« {lien} »), refusé ; {CLONE}"
    refuse(lancer_sur(lancer, "evaluer --revision", depot), depot, message)


def test_crochets_partages_hors_du_depot_admis(tmp_path, autre, lancer):
    """`.git/hooks` lié à des crochets partagés hors du dépôt : courant, et jamais lu (crochets coupés)."""
    depot = nouveau_depot(tmp_path / "chu")
    shutil.rmtree(depot / ".git" / "hooks")
    (depot / ".git" / "hooks").symlink_to(autre / ".git" / "hooks")
    assert lancer_sur(lancer, "evaluer --revision", depot).code in (0, 1)


def test_objets_empruntes_a_un_autre_depot_refuses(tmp_path, autre, lancer):
    """`git clone --shared` : les objets viennent d'un autre dépôt (objects/info/alternates)."""
    emprunteur = tmp_path / "emprunteur"
    subprocess.run(["git", "clone", "-q", "--shared", str(autre), str(emprunteur)], check=True)
    for commande in ("evaluer --revision", "evaluer --index", "historique"):
        refuse(lancer_sur(lancer, commande, emprunteur), emprunteur, EMPRUNT)
    # Une annexe dans le dossier lui-même reste acceptée (rien n'est lu ailleurs).
    depot = nouveau_depot(tmp_path / "chu")
    annexe = depot / ".git" / "annexe"
    (annexe / "pack").mkdir(parents=True)
    (depot / ".git" / "objects" / "info" / "alternates").write_text("# commentaire\n../annexe\n", encoding="utf-8")
    assert lancer_sur(lancer, "evaluer --revision", depot).code in (0, 1)


def test_lot_un_depot_refuse_coute_sa_ligne(tmp_path, autre, lancer, monkeypatch):
    monkeypatch.chdir(tmp_path)
    depots = tmp_path / "depots"
    nouveau_depot(depots / "chu-armorique")
    faux = preuves_sans_git(depots / "chu-faux")
    (faux / ".git").write_text("gitdir: ../../ch-vallee-du-lys/.git\n", encoding="utf-8")
    sortie = lancer("lot", "depots", "--revision", "HEAD", "--date", DATE_EXEMPLES, "--format", "json",
                    "--sans-progression", "--sans-cache")
    assert sortie.code == 4, sortie
    donnees = json.loads(sortie.stdout)
    assert donnees["echecs"] == [{"chemin": "depots/chu-faux", "raison": HORS}]
    etats = {e["chemin"]: e["etat"] for e in donnees["etablissements"]}
    assert etats == {"depots/chu-armorique": "evalue", "depots/chu-faux": "echec"}


def test_init_dans_un_arbre_de_travail_lie_n_ecrit_rien_ailleurs(tmp_path, autre, lancer):
    """`init` sous un `.git` qui mène ailleurs ne lance pas `git init` (qui réinitialiserait l'autre dépôt)."""
    lie = tmp_path / "lie"
    git(autre, "worktree", "add", "-q", str(lie))
    avant = empreintes(autre / ".git")
    sortie = lancer("init", str(lie / "preuves"))
    assert sortie.code == 0 and "dépôt git créé" not in sortie.stdout, sortie
    assert empreintes(autre / ".git") == avant


def test_variables_git_de_l_environnement_ne_redirigent_pas(tmp_path, autre, lancer, monkeypatch):
    """GIT_DIR et GIT_COMMON_DIR (hérités d'un crochet, d'un shell) ne font pas lire l'autre dépôt."""
    depot = nouveau_depot(tmp_path / "chu")
    commit = sha(depot)
    monkeypatch.setenv("GIT_DIR", str(autre / ".git"))
    monkeypatch.setenv("GIT_COMMON_DIR", str(autre / ".git"))
    sortie = lancer("evaluer", str(depot), "--revision", "HEAD", "--date", DATE_EXEMPLES, "--format", "json")
    rapport = json.loads(sortie.stdout)
    assert rapport["depot"]["revision"] == commit and rapport["etablissement"]["finess"] == "350042131"


# --- fichiers qui ne sont pas des fichiers ordinaires, dans l'arbre de travail ------------------


def problemes(sortie, *codes: str) -> list[str]:
    rapport = json.loads(sortie.stdout)
    return [f"{p['fichier']}: {p['message']} ({p['code']})" for p in rapport["problemes"] if p["code"] in codes]


def test_lien_physique_vers_l_exterieur_signale_et_non_lu(tmp_path, lancer):
    """Un lien physique est indiscernable d'un fichier du dépôt : le contenu peut être celui d'un
    fichier hors du dépôt. Ici mesures.yaml partage son contenu avec une copie posée dehors."""
    depot = preuves_sans_git(tmp_path / "chu")
    dehors = tmp_path / "dehors-mesures.yaml"
    shutil.copyfile(depot / "securite" / "mesures.yaml", dehors)
    (depot / "securite" / "mesures.yaml").unlink()
    os.link(dehors, depot / "securite" / "mesures.yaml")
    # Deux noms d'un même fichier, tous deux dans le dépôt : rien ne vient d'ailleurs, il est lu.
    os.link(depot / "incidents" / "2026-02-17-compromission-messagerie.yaml", depot / "incidents" / "copie.yaml")
    sortie = lancer("evaluer", str(depot), "--date", DATE_EXEMPLES, "--format", "json")
    assert sortie.code == 1, sortie
    assert problemes(sortie, "lien-physique") == [
        "securite/mesures.yaml: fichier à 2 liens physiques dont 1 hors du dépôt (son contenu peut venir d'ailleurs), non lu (lien-physique)",
    ]
    vu = json.loads(sortie.stdout)
    assert statuts(vu)["HYG-01"] == "preuve_manquante"
    assert not [p for p in vu["problemes"] if p["fichier"].startswith("incidents/")]


def test_tube_nomme_et_peripherique_signales(tmp_path, lancer):
    """Un tube nommé n'était ni lu ni signalé : la preuve manquait sans qu'on sache pourquoi."""
    depot = preuves_sans_git(tmp_path / "chu")
    (depot / "securite" / "mesures.yaml").unlink()
    os.mkfifo(depot / "securite" / "mesures.yaml")
    lien = depot / "incidents" / "tube.yaml"
    lien.symlink_to("../securite/mesures.yaml")  # un lien interne vers le tube : signalé aussi
    attendus = [
        "incidents/tube.yaml: tube nommé (FIFO), pas un fichier ordinaire : non lu (fichier-special)",
        "securite/mesures.yaml: tube nommé (FIFO), pas un fichier ordinaire : non lu (fichier-special)",
    ]
    if os.geteuid() == 0:
        os.mknod(depot / "exercices" / "disque.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # comme /dev/null
        attendus.insert(0, "exercices/disque.yaml: fichier de périphérique, pas un fichier ordinaire : non lu (fichier-special)")
    sortie = lancer("evaluer", str(depot), "--date", DATE_EXEMPLES, "--format", "json")
    assert sortie.code == 1, sortie
    assert problemes(sortie, "fichier-special") == attendus
    assert statuts(json.loads(sortie.stdout))["HYG-01"] == "preuve_manquante"


# --- verdicts utilisables -----------------------------------------------------------------------


def test_depot_nu_sans_revision_lu_a_head(tmp_path, autre, lancer):
    """Sans --revision, un dépôt nu était lu comme un dossier : « établissement inconnu » et 18
    preuves manquantes. Il est lu à HEAD, comme dans un lot."""
    nu = tmp_path / "nu.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(autre), str(nu)], check=True)
    sans = json.loads(lancer("evaluer", str(nu), "--date", DATE_EXEMPLES, "--format", "json").stdout)
    avec = json.loads(lancer("evaluer", str(nu), "--revision", "HEAD", "--date", DATE_EXEMPLES, "--format", "json").stdout)
    assert sans["depot"] == {"chemin": str(nu), "source": "revision", "revision": sha(autre)}
    assert sans == avec and sans["etablissement"]["finess"] == "590028718"
    eligibilite = lancer("eligibilite", str(nu), "--programme", str(RACINE / "tests" / "donnees" / "programme-budget-fictif.yaml"), "--date", DATE_EXEMPLES, "--format", "json")
    assert json.loads(eligibilite.stdout)["candidatures"][0]["porteur"]["finess"] == "590028718"


@pytest.mark.parametrize("atteinte", ["corrompu", "absent"])
def test_commit_corrompu_dit_depot_endommage(tmp_path, environnement_git, lancer, atteinte):
    """Un commit illisible était rapporté « révision introuvable » : l'utilisateur cherchait une faute
    de frappe dans un dépôt endommagé."""
    depot = nouveau_depot(tmp_path / "chu")
    commit = sha(depot)
    objet = depot / ".git" / "objects" / commit[:2] / commit[2:]
    if atteinte == "corrompu":
        objet.chmod(0o644)
        objet.write_bytes(b"ceci n'est pas un objet git")
    else:
        objet.unlink()
    message = (f"dépôt git endommagé : la révision « {{}} » mène à l'objet {commit}, absent ou corrompu ; "
               "vérifiez le dépôt avec « git fsck »")
    for revision in ("HEAD", "main", commit[:10]):
        if atteinte == "absent" and revision == commit[:10]:
            continue  # un sha abrégé sans objet ne désigne rien : introuvable
        sortie = lancer("evaluer", str(depot), "--revision", revision, "--date", DATE_EXEMPLES)
        refuse(sortie, depot, message.format(revision))
    refuse(lancer("evaluer", str(depot), "--index", "--date", DATE_EXEMPLES), depot, message.format("HEAD"))
    refuse(lancer("historique", str(depot), "--jusqu-a", DATE_EXEMPLES), depot, message.format("HEAD"))
    # Un sha complet tapé, que le dépôt n'a pas, reste introuvable.
    inconnu = "0123456789abcdef0123456789abcdef01234567"
    refuse(lancer("evaluer", str(depot), "--revision", inconnu), depot,
           f"révision « {inconnu} » introuvable dans le dépôt (aucun commit de ce nom)")


def test_revision_qui_n_est_pas_un_commit(tmp_path, environnement_git, lancer):
    depot = nouveau_depot(tmp_path / "chu")
    git(depot, "tag", "arbre", "HEAD^{tree}")
    refuse(lancer("evaluer", str(depot), "--revision", "arbre"), depot, "la révision « arbre » désigne un arbre, pas un commit")


def test_cas_des_politiques_lisent_leurs_bases_liees_physiquement(tmp_path):
    """Les bases des cas de test des politiques livrées ne sont pas des preuves reçues : un installateur
    (uv) les lie physiquement à son cache. Elles restent lues ; un dépôt de preuves, lui, ne l'est pas."""
    from verificateur.auteurs import cas
    from verificateur.sources import SourceArbre

    cache = tmp_path / "cache-installateur.yaml"
    cache.write_text("finess: \"350042131\"\n", encoding="utf-8")
    base = tmp_path / "base"
    base.mkdir()
    os.link(cache, base / "etablissement.yaml")
    assert cas._base(base) == {"etablissement.yaml": b"finess: \"350042131\"\n"}
    assert SourceArbre(str(base)).lister() == {}
