"""Ressources bornées, jamais de plantage (#12.4) : une longue histoire git lue en flux (mémoire
mesurée en sous-processus), des dossiers imbriqués sur des milliers de niveaux, des dates aux bornes
du calendrier, `--sortie` vers ce que l'utilisateur a nommé (lien, tube, périphérique, disque plein,
lecture seule), deux lots sur le même dossier de rapports."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE
from fabrique import lancer_mesure, lignes, rapport, statuts, terrain  # noqa: F401 (fixture)
from test_depot_git import environnement_git, git  # noqa: F401 (fixture)

# Le programme fictif des tests : ses décisions ne dépendent ni d’une clôture ni d’un fait inconnu.
PROGRAMME_FICTIF = str(RACINE / "tests" / "donnees" / "programme-budget-fictif.yaml")

# 400 commits qui changent chacun 4 000 petits fichiers : 1,6 million de changements dans un .git de
# quelques Mo. Lire toute l'histoire en mémoire coûtait 1,07 Go ; lue en flux, quelques dizaines de Mo.
COMMITS, FICHIERS = 400, 4_000
MEMOIRE_HISTOIRE = 200 * 1024 * 1024
DEBUT = 1_704_067_200  # 2024-01-01T00:00:00Z : le premier commit ; puis un commit par jour


def _environnement(maison: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(maison), GIT_CONFIG_NOSYSTEM="1")
    return env


def construire_longue_histoire(depot: Path, maison: Path, commits: int = COMMITS, fichiers: int = FICHIERS) -> None:
    """Le dépôt d'exemple chu-armorique au premier commit, puis `commits` commits qui réécrivent
    chacun `fichiers` annexes (100 par dossier : fast-import reconstruit vite des arbres courts).
    Un même contenu par commit : le .git reste petit, l'histoire est longue."""
    env = _environnement(maison)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(depot)], check=True, env=env)
    base = EXEMPLES / "chu-armorique"
    fichiers_base = sorted(p for p in base.rglob("*") if p.is_file())
    flux = bytearray()
    for marque, p in enumerate(fichiers_base, 1):
        contenu = p.read_bytes()
        flux += b"blob\nmark :%d\ndata %d\n%s\n" % (marque, len(contenu), contenu)
    noms = [f"annexes/{i // 100:02d}/{i:04d}.txt" for i in range(fichiers)]
    marque = len(fichiers_base)
    for c in range(commits):
        marque += 1
        contenu = b"version %d\n" % c
        flux += b"blob\nmark :%d\ndata %d\n%s\n" % (marque, len(contenu), contenu)
        flux += b"commit refs/heads/main\ncommitter RSSI <rssi@chu-armorique.invalid> %d +0000\ndata 7\ncommit\n" % (DEBUT + c * 86_400)
        if c == 0:
            for i, p in enumerate(fichiers_base, 1):
                flux += b"M 100644 :%d %s\n" % (i, p.relative_to(base).as_posix().encode())
        flux += "".join(f"M 100644 :{marque} {n}\n" for n in noms).encode()
        flux += b"\n"
    subprocess.run(["git", "-C", str(depot), "fast-import", "--quiet"], input=bytes(flux), check=True, env=env)
    # L'index (pour --index et le crochet) : celui de HEAD, sans extraire 4 000 fichiers.
    subprocess.run(["git", "-C", str(depot), "read-tree", "HEAD"], check=True, env=env)


@pytest.fixture(scope="module")
def longue_histoire(tmp_path_factory) -> Path:
    racine = tmp_path_factory.mktemp("longue-histoire")
    (racine / "maison").mkdir()
    construire_longue_histoire(racine / "depot", racine / "maison")
    return racine / "depot"


A_POSTERIORI = ("exercices/2023-03-16-rancongiciel-dpi.yaml:2: exercice daté du 2023-03-16, ajouté au dépôt le 2024-01-01 "
                "(291 jours plus tard) : déclaré a posteriori (declare-a-posteriori)")


def _a_posteriori(rapport: dict) -> list[str]:
    return [f"{p['fichier']}:{p['ligne']}: {p['message']} ({p['code']})" for p in rapport["problemes"] if p["code"] == "declare-a-posteriori"]


@pytest.mark.parametrize("mode", ["revision", "index", "crochet", "historique", "lot-fraicheur"])
def test_longue_histoire_lue_en_flux(longue_histoire, tmp_path, mode):
    """La fraîcheur (« déclaré a posteriori ») et l'historique lisent l'histoire en flux : moins de
    200 Mo (1,07 Go avant), et la date de premier ajout reste celle du premier commit."""
    depot = str(longue_histoire)
    if mode in ("revision", "index"):
        option = ("--revision", "HEAD") if mode == "revision" else ("--index",)
        sortie, memoire = lancer_mesure(tmp_path, "evaluer", depot, *option, "--date", DATE_EXEMPLES, "--format", "json")
        assert sortie.code == 0, sortie
        assert _a_posteriori(json.loads(sortie.stdout)) == [A_POSTERIORI]
    elif mode == "crochet":
        sortie, memoire = lancer_mesure(tmp_path, "crochet", depot, "--date", DATE_EXEMPLES)
        assert sortie.code == 0, sortie
        assert sortie.stdout.splitlines()[-1].startswith("verificateur : commit accepté — 0 régression(s), 0 erreur(s) de preuve")
    elif mode == "historique":
        sortie, memoire = lancer_mesure(tmp_path, "historique", depot, "--jusqu-a", DATE_EXEMPLES, "--format", "json")
        assert sortie.code == 0, sortie
        resultat = json.loads(sortie.stdout)
        assert (resultat["commits"], resultat["depuis"], len(resultat["etapes"])) == (COMMITS, "2024-01-01", 34)
        # Le dernier commit (2025-02-03) est en vigueur de février 2025 à la fin.
        assert resultat["etapes"][-1]["revision"] == resultat["etapes"][13]["revision"] != resultat["etapes"][12]["revision"]
    else:
        manifeste = tmp_path / "manifeste.csv"
        manifeste.write_text(f"finess;chemin\n350042131;{depot}\n", encoding="utf-8")
        sortie, memoire = lancer_mesure(tmp_path, "lot", str(manifeste), "--revision", "HEAD", "--fraicheur", "--date", DATE_EXEMPLES,
                                        "--format", "json", "--sans-cache", "--jobs", "1")
        assert sortie.code in (0, 1), sortie
        assert [e["etat"] for e in json.loads(sortie.stdout)["etablissements"]] == ["evalue"]
    assert memoire < MEMOIRE_HISTOIRE, (mode, memoire)


# --- dossiers imbriqués ----------------------------------------------------------------------------


@pytest.fixture
def imbriquer(terrain):
    """`imbriquer(niveaux)` : `annexes/d/d/…/d` sur `niveaux` dossiers sous annexes, sans récursion
    (os.makedirs en ferait) ; retirés par `rm -rf` à la fin (shutil.rmtree de pytest est récursif)."""
    yield lambda niveaux: _imbriquer(terrain.depot, niveaux)
    subprocess.run(["rm", "-rf", "--", str(terrain.depot / "annexes")], check=True)


def _imbriquer(racine: Path, niveaux: int) -> Path:
    dossier = racine / "annexes"
    dossier.mkdir()
    for _ in range(niveaux):
        dossier = dossier / "d"
        dossier.mkdir()
    return dossier


def _commiter(terrain) -> None:
    """Comme `terrain.armer()`, sans ses empreintes (os.walk de la suite ne descend pas mille niveaux)."""
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(terrain.depot)], check=True)
    git(terrain.depot, "add", "-A")
    git(terrain.depot, "commit", "-q", "-m", "preuves")


def test_mille_dossiers_imbriques(terrain, lancer, imbriquer):
    """Mille dossiers imbriqués : plus de RecursionError (code 3) ; au-delà de 64 niveaux, le contenu
    n'est pas lu, dans tous les modes, et le dossier est nommé ; le reste est évalué."""
    from verificateur.sources import PROFONDEUR_MAX_DOSSIERS

    profond = imbriquer(1_000)
    (profond / "note.md").write_text("# Note cachée\n", encoding="utf-8")
    _commiter(terrain)
    dossier = "annexes/" + "/".join(["d"] * PROFONDEUR_MAX_DOSSIERS)
    attendu = f"{dossier}: dossiers imbriqués sur plus de {PROFONDEUR_MAX_DOSSIERS} niveaux : contenu non lu (docs/limites.md) (dossier-trop-profond)"
    for mode in ("arbre", "revision", "index"):
        sortie, vu = rapport(lancer, terrain, mode)
        assert sortie.code == 1, (mode, sortie)
        assert lignes(vu, "dossier-trop-profond") == [attendu], mode
        assert vu["problemes"][[p["code"] for p in vu["problemes"]].index("dossier-trop-profond")]["niveau"] == "erreur"
        assert statuts(vu)["PBN-01"] == "conforme" and statuts(vu)["HYG-01"] == "conforme", mode
    sortie = lancer("preuves", "valider", str(terrain.depot))
    assert (sortie.code, sortie.stderr) == (1, ""), sortie
    assert sortie.stdout.splitlines()[0] == attendu
    sortie = lancer("eligibilite", str(terrain.depot), "--programme", PROGRAMME_FICTIF, "--date", DATE_EXEMPLES, "--format", "json")
    assert sortie.code in (0, 1) and "erreur interne" not in sortie.stderr, sortie
    assert json.loads(sortie.stdout)["programme"]["id"] == json.loads(lancer("eligibilite", str(EXEMPLES / "chu-armorique"), "--programme", PROGRAMME_FICTIF, "--date", DATE_EXEMPLES, "--format", "json").stdout)["programme"]["id"]
    sortie = lancer("historique", str(terrain.depot), "--jusqu-a", DATE_EXEMPLES, "--format", "json")
    assert sortie.code == 0, sortie


def test_soixante_quatre_niveaux_sont_lus(terrain, lancer, imbriquer):
    """À la limite exacte, tout est lu : une note Markdown à 64 niveaux de dossiers est une preuve."""
    from verificateur.sources import PROFONDEUR_MAX_DOSSIERS

    profond = imbriquer(PROFONDEUR_MAX_DOSSIERS - 1)  # annexes compte pour un niveau
    (profond / "note.md").write_text("# Note\n", encoding="utf-8")
    _commiter(terrain)
    for mode in ("arbre", "revision", "index"):
        sortie, vu = rapport(lancer, terrain, mode)
        assert lignes(vu, "dossier-trop-profond") == [], mode
        assert sortie.code == 0, (mode, sortie)


# --- dates aux bornes du calendrier -----------------------------------------------------------------

HORS_PLAGE = "hors de la plage acceptée, du 1900-01-01 au 2999-12-31 (docs/limites.md)"


@pytest.mark.parametrize("jour", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
@pytest.mark.parametrize("commande", ["evaluer", "crochet", "eligibilite", "lot", "historique"])
def test_date_hors_plage_refusee(lancer, tmp_path, commande, jour):
    """--date 0001-01-01 : erreur interne (code 3) partout, et dans un lot chaque dépôt échouait.
    Refusée d'emblée, comme une faute d'usage (code 2), avant de lire un seul dépôt."""
    depot = str(EXEMPLES / "chu-armorique")
    options = {
        "evaluer": ("evaluer", depot, "--date", jour),
        "crochet": ("crochet", depot, "--date", jour),
        "eligibilite": ("eligibilite", depot, "--programme", PROGRAMME_FICTIF, "--date", jour),
        "lot": ("lot", str(EXEMPLES), "--date", jour, "--sans-cache", "--jobs", "1", "--rapports", str(tmp_path / "rapports")),
        "historique": ("historique", depot, "--jusqu-a", jour),
    }[commande]
    option = "--jusqu-a" if commande == "historique" else "--date"
    sortie = lancer(*options)
    assert (sortie.code, sortie.stdout) == (2, ""), sortie
    assert sortie.stderr.splitlines()[-1] == f"Erreur : Valeur invalide pour '{option}' : date « {jour} » {HORS_PLAGE}"
    assert not (tmp_path / "rapports").exists()


def test_dates_aux_bornes_acceptees(lancer):
    for jour in ("1900-01-01", "2999-12-31"):
        sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", jour, "--format", "json")
        assert sortie.code == 1 and "erreur interne" not in sortie.stderr, (jour, sortie)


def test_fenetre_hors_du_calendrier_rend_erreur():
    """Une fenêtre qui sort du calendrier (une date de preuve en 9999 plus un an, une durée démesurée
    dans une politique, un cas de test daté de l'an 1) : la règle rend `erreur`, jamais d'erreur interne."""
    from datetime import date

    from verificateur import politiques
    from verificateur.evaluation import moteur
    from verificateur.langage import Contexte, ErreurCalcul, condition, valeur
    from verificateur.preuves import charger
    from verificateur.sources import SourceArbre, SourceMemoire

    ctx = Contexte(date(2026, 10, 1), charger(SourceMemoire({})), {}, {})
    with pytest.raises(ErreurCalcul) as erreur:
        valeur({"date": "9999-12-31", "plus": {"ans": 1}}, ctx)
    assert erreur.value.message == "9999-12-31 plus 1 an sort du calendrier (de l'an 1 à l'an 9999)"
    with pytest.raises(ErreurCalcul) as erreur:
        valeur({"date": "2026-10-01", "plus": {"jours": 10**12}}, ctx)
    assert erreur.value.message == f"2026-10-01 plus {10**12} jours sort du calendrier (de l'an 1 à l'an 9999)"
    an_un = Contexte(date(1, 1, 1), ctx.preuves, {}, {})
    with pytest.raises(ErreurCalcul) as erreur:
        condition({"dans_les_derniers": {"date": {"date": "0001-01-01"}, "mois": 12}}, an_un)
    assert erreur.value.message == "0001-01-01 moins 12 mois sort du calendrier (de l'an 1 à l'an 9999)"

    rapport_ = moteur.evaluer_source(SourceArbre(str(EXEMPLES / "chu-armorique")), politiques.charger(), date(1, 1, 1))
    erreurs = {r["regle"]: r["explication"] for r in rapport_["resultats"] if r["statut"] == "erreur"}
    assert erreurs["EXE-01"] == "calcul impossible : 0001-01-01 moins 365 jours sort du calendrier (de l'an 1 à l'an 9999)"
    assert len(rapport_["resultats"]) == 22 and rapport_["synthese"]["conforme"] == 6


# --- --sortie : là où l'utilisateur l'a dit, comme une redirection du shell -----------------------------


def _evaluer_vers(lancer, sortie: str, *commande: str):
    commande = commande or ("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "json")
    return lancer(*commande, "--sortie", sortie)


def _rapport_attendu(lancer) -> str:
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "json")
    return sortie.stdout


@pytest.mark.parametrize("cas", ["sous-un-fichier", "dossier", "disque-plein"])
def test_sortie_impossible_dite_en_francais(lancer, tmp_path, cas):
    """Sous un fichier ordinaire, sur un dossier, sur un disque plein (un /dev/full : ENOSPC réel) :
    « erreur interne » (code 3) avant ; un message qui dit pourquoi, code 2, et rien d'écrasé."""
    import stat

    fichier = tmp_path / "fichier.txt"
    fichier.write_text("à garder\n", encoding="utf-8")
    (tmp_path / "dossier").mkdir()
    plein = tmp_path / "plein"
    if cas == "disque-plein":
        # Un /dev/full à soi (1, 7) : une régression remplacerait celui-ci, pas celui de la machine.
        try:
            os.mknod(plein, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except PermissionError:
            pytest.skip("mknod refusé ici")
    sortie, raison = {
        "sous-un-fichier": (str(fichier / "rapport.json"), "un élément du chemin n'est pas un dossier"),
        "dossier": (str(tmp_path / "dossier"), "c'est un dossier, attendu un fichier"),
        "disque-plein": (str(plein), "plus de place sur le disque"),
    }[cas]
    resultat = _evaluer_vers(lancer, sortie)
    assert (resultat.code, resultat.stdout, resultat.stderr) == (2, "", f"verificateur : impossible d'écrire « {sortie} » : {raison}\n")
    assert fichier.read_text(encoding="utf-8") == "à garder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier", "fichier.txt"] + (["plein"] if cas == "disque-plein" else [])
    assert list((tmp_path / "dossier").iterdir()) == []
    if cas == "disque-plein":
        assert stat.S_ISCHR(os.lstat(plein).st_mode) and os.lstat(plein).st_rdev == os.makedev(1, 7)


# Dans un espace de noms privé (`unshare -m`) : un tmpfs monté en lecture seule (root n'y écrit pas,
# contrairement à un chmod), ou de 16 Kio (un vrai disque plein pour un rapport de 70 Ko) ; un ancien
# rapport y est posé d'abord. Le script affiche ensuite ce que le dossier contient.
_MONTER = (
    'd="$1"; o="$2"; shift 2; mount -t tmpfs -o "size=16k" tmpfs "$d" && echo ancien > "$d/rapport.json" '
    '&& mount -o "remount,$o" "$d" && "$@"; code=$?; ls -A "$d"; cat "$d/rapport.json"; exit $code'
)


@pytest.mark.parametrize("cas", ["lecture-seule", "disque-plein"])
def test_sortie_en_lecture_seule_ou_sur_un_disque_plein(tmp_path, cas):
    """Le même message, code 2 ; l'ancien rapport reste intact et aucun fichier temporaire ne traîne."""
    import sys

    from conftest import RACINE

    dossier = tmp_path / "monte"
    dossier.mkdir()
    options, raison = {"lecture-seule": ("ro", "système de fichiers en lecture seule"),
                       "disque-plein": ("rw", "plus de place sur le disque")}[cas]
    monter = ["unshare", "-m", "sh", "-c", _MONTER, "sh", str(dossier), options]
    essai = subprocess.run([*monter, "true"], capture_output=True, check=False)
    if essai.returncode != 0:
        pytest.skip("montage impossible ici (unshare -m refusé)")
    cible = dossier / "rapport.json"
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    fini = subprocess.run([*monter, sys.executable, "-m", "verificateur", "evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES,
                           "--format", "json", "--sortie", str(cible)], capture_output=True, text=True, env=env, check=False)
    assert (fini.returncode, fini.stderr) == (2, f"verificateur : impossible d'écrire « {cible} » : {raison}\n"), fini
    assert fini.stdout == "rapport.json\nancien\n"


def test_sortie_sur_un_lien_ecrit_sa_cible(lancer, tmp_path):
    """Un lien symbolique : sa cible est remplacée (atomiquement), le lien reste un lien ; un lien
    cassé : sa cible est créée. Avant, le lien était remplacé par un fichier."""
    attendu = _rapport_attendu(lancer)
    (tmp_path / "rapports").mkdir()
    cible = tmp_path / "rapports" / "rapport.json"
    cible.write_text("ancien\n", encoding="utf-8")
    lien = tmp_path / "dernier.json"
    lien.symlink_to("rapports/rapport.json")
    casse = tmp_path / "casse.json"
    casse.symlink_to("rapports/nouveau.json")
    for chemin in (lien, casse):
        resultat = _evaluer_vers(lancer, str(chemin))
        assert (resultat.code, resultat.stderr) == (0, ""), resultat
    assert os.readlink(lien) == "rapports/rapport.json" and os.readlink(casse) == "rapports/nouveau.json"
    assert cible.read_text(encoding="utf-8") == attendu
    assert (tmp_path / "rapports" / "nouveau.json").read_text(encoding="utf-8") == attendu
    assert sorted(p.name for p in (tmp_path / "rapports").iterdir()) == ["nouveau.json", "rapport.json"]


def test_sortie_dans_un_tube_nomme(lancer, tmp_path):
    """Un tube nommé reçoit le rapport au fil de l'eau (plus grand que le tampon du tube) et reste un tube."""
    import stat
    import threading

    attendu = _rapport_attendu(lancer)
    assert len(attendu.encode()) > 65_536
    tube = tmp_path / "tube"
    os.mkfifo(tube)
    lu: list[bytes] = []

    def lire() -> None:
        with open(tube, "rb") as f:
            lu.append(f.read())

    lecteur = threading.Thread(target=lire, daemon=True)
    lecteur.start()
    resultat = _evaluer_vers(lancer, str(tube))
    assert (resultat.code, resultat.stderr) == (0, ""), resultat
    assert stat.S_ISFIFO(os.lstat(tube).st_mode)
    lecteur.join()
    assert lu == [attendu.encode()]


def test_sortie_sur_un_peripherique(lancer, tmp_path):
    """Un périphérique (un /dev/null créé pour le test : en root, `--sortie /dev/null` détruisait le vrai)
    reste un périphérique ; le lot et l'historique passent par la même écriture."""
    import stat

    nul = tmp_path / "nul"
    try:
        os.mknod(nul, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod refusé ici")
    manifeste = tmp_path / "manifeste.csv"
    manifeste.write_text(f"finess;chemin\n350042131;{EXEMPLES / 'chu-armorique'}\n", encoding="utf-8")
    for commande in (
        ("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES),
        ("lot", str(manifeste), "--date", DATE_EXEMPLES, "--sans-cache", "--jobs", "1", "--format", "json"),
        ("eligibilite", str(EXEMPLES / "chu-armorique"), "--programme", PROGRAMME_FICTIF, "--date", DATE_EXEMPLES),
    ):
        resultat = _evaluer_vers(lancer, str(nul), *commande)
        assert resultat.code in (0, 1) and resultat.stdout == "" and "impossible" not in resultat.stderr, (commande, resultat)
        infos = os.lstat(nul)
        assert stat.S_ISCHR(infos.st_mode) and infos.st_rdev == os.makedev(1, 3), commande
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifeste.csv", "nul"]


# --- deux lots sur le même dossier de rapports ----------------------------------------------------------


def test_deux_lots_sur_le_meme_dossier_de_rapports(lancer, tmp_path):
    """Un lot en cours (ici, un processus qui tient le verrou, daté du 2025-10-01) : un second lot sur
    le même --rapports, à une autre date, est refusé (code 2) sans rien écrire ; avant, il réécrivait
    les mêmes noms et le tableau de bord du premier pointait vers des rapports d'une autre date. Le
    verrou tombe avec son processus, même tué (SIGKILL) : le lot suivant passe."""
    import signal
    import sys

    from conftest import RACINE

    rapports = tmp_path / "rapports"
    tenir = ("import sys; from datetime import date; from verificateur.lot import verrouiller_rapports\n"
             "v = verrouiller_rapports(sys.argv[1], date(2025, 10, 1)); print('pris', flush=True); sys.stdin.read()\n")
    premier = subprocess.Popen([sys.executable, "-c", tenir, str(rapports)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(RACINE)})
    try:
        assert premier.stdout.readline() == "pris\n"
        second = lancer("lot", str(EXEMPLES), "--date", DATE_EXEMPLES, "--sans-cache", "--jobs", "1", "--rapports", str(rapports),
                        "--format", "json", "--sortie", str(tmp_path / "lot.json"))
        assert (second.code, second.stdout) == (2, ""), second
        assert second.stderr == (
            f"verificateur : --rapports « {rapports} » : un autre « verificateur lot » y écrit déjà (processus {premier.pid}, "
            "lot du 2025-10-01) ; attendez qu'il finisse ou choisissez un autre dossier (deux lots y mêleraient leurs rapports)\n"
        )
        assert sorted(p.name for p in rapports.iterdir()) == [".verrou"] and not (tmp_path / "lot.json").exists()
    finally:
        premier.send_signal(signal.SIGKILL)
        premier.wait()
        premier.stdin.close()
        premier.stdout.close()
    apres = lancer("lot", str(EXEMPLES), "--date", DATE_EXEMPLES, "--sans-cache", "--jobs", "1", "--rapports", str(rapports),
                   "--format", "json", "--sortie", str(tmp_path / "lot.json"))
    assert apres.code == 1, apres
    lot = json.loads((tmp_path / "lot.json").read_text(encoding="utf-8"))
    for entree in lot["etablissements"]:
        rapport_ = json.loads((tmp_path / entree["rapports"]["json"]).read_text(encoding="utf-8"))
        assert rapport_["date_evaluation"] == DATE_EXEMPLES


def test_rapports_sous_un_fichier(lancer, tmp_path):
    fichier = tmp_path / "fichier.txt"
    fichier.write_text("x\n", encoding="utf-8")
    sortie = lancer("lot", str(EXEMPLES), "--date", DATE_EXEMPLES, "--sans-cache", "--jobs", "1", "--rapports", str(fichier / "rapports"))
    assert (sortie.code, sortie.stdout, sortie.stderr) == (
        2, "", f"verificateur : --rapports « {fichier / 'rapports'} » : un élément du chemin n'est pas un dossier\n")


def test_historique_un_commit_de_trop_de_fichiers(terrain, lancer, monkeypatch):
    """L'arbre rejoué par `historique` est borné comme celui d'une révision : un commit de l'histoire
    au-delà de NOMBRE_MAX_FICHIERS est refusé en le nommant, même si les fichiers sont supprimés ensuite.
    (La limite est abaissée pour que le cas reste rapide ; le mécanisme est le même.)"""
    from verificateur.commandes import historique

    monkeypatch.setattr(historique, "NOMBRE_MAX_FICHIERS", 30)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(terrain.depot)], check=True)
    git(terrain.depot, "add", "-A")
    git(terrain.depot, "commit", "-q", "-m", "preuves")
    for i in range(10):
        (terrain.depot / f"annexe-{i}.txt").write_text("x\n", encoding="utf-8")
    git(terrain.depot, "add", "-A")
    git(terrain.depot, "commit", "-q", "-m", "annexes")
    trop = git(terrain.depot, "rev-parse", "HEAD").stdout.strip()
    git(terrain.depot, "rm", "-q", "annexe-*.txt")
    git(terrain.depot, "commit", "-q", "-m", "sans annexes")
    terrain.armer()
    sortie = lancer("historique", str(terrain.depot), "--jusqu-a", DATE_EXEMPLES)
    assert (sortie.code, sortie.stdout, sortie.stderr) == (
        2, "", f"verificateur : {terrain.depot}: plus de 30 fichiers au commit {trop}, refusé (voir docs/limites.md)\n")
    terrain.rien_n_a_fui(sortie)


def test_chemin_plus_long_que_path_max(terrain, lancer):
    """Vingt dossiers de 250 caractères : au-delà de 4096 octets, un chemin n'est plus accessible par
    son nom (ENAMETOOLONG) ; avant, `is_symlink` levait une OSError (erreur interne, code 3). Le
    dossier qui contient l'entrée trop longue est nommé, le reste est évalué."""
    from verificateur.sources import CHEMIN_MAX

    racine = os.open(terrain.depot, os.O_RDONLY)
    os.mkdir("annexes", dir_fd=racine)
    dossier = os.open("annexes", os.O_RDONLY, dir_fd=racine)
    os.close(racine)
    noms = ["annexes"]
    for i in range(20):  # par rapport au dossier ouvert : le chemin absolu dépasse vite PATH_MAX
        nom = chr(ord("a") + i) * 250
        os.mkdir(nom, dir_fd=dossier)
        suivant = os.open(nom, os.O_RDONLY, dir_fd=dossier)
        os.close(dossier)
        dossier, noms = suivant, [*noms, nom]
    note = os.open("note.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dossier)
    os.write(note, b"# Note\n")
    os.close(note)
    os.close(dossier)
    noms.append("note.md")
    n = next(k for k in range(1, len(noms) + 1) if len(os.fsencode(os.path.join(terrain.depot, *noms[:k]))) >= CHEMIN_MAX)
    contenant = "/".join(noms[: n - 1])
    sortie, vu = rapport(lancer, terrain, "arbre")
    assert sortie.code == 1, sortie
    assert lignes(vu, "chemin-trop-long") == [
        f"{contenant}: 1 entrée(s) dont le chemin dépasse {CHEMIN_MAX} octets : non lue(s) (docs/limites.md) (chemin-trop-long)"
    ]
    assert statuts(vu)["PBN-01"] == "conforme"
    valider = lancer("preuves", "valider", str(terrain.depot))
    assert valider.code == 1 and valider.stderr == "", valider


def test_noms_hostiles_dans_l_histoire_lue_en_flux(terrain, lancer):
    """Des noms avec \\x01 (le séparateur d'en-têtes du format de `git log`), un saut de ligne, un « : »
    en tête, un octet non UTF-8 : l'histoire lue en flux les prend pour des noms (avant : « date
    illisible au commit .md », code 2), la fraîcheur et l'historique restent justes."""
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(terrain.depot)], check=True)
    git(terrain.depot, "add", "-A")
    git(terrain.depot, "commit", "-q", "-m", "preuves")
    for nom in ("annexes\x01x.md", ":deux\npoints.md", "\x01\x01.md"):
        (terrain.depot / nom).write_text("# Note\n", encoding="utf-8")
    (terrain.depot / os.fsdecode(b"lat\xe9.md")).write_text("# Note\n", encoding="utf-8")
    terrain.armer()
    sortie, vu = rapport(lancer, terrain, "revision")
    vues = lignes(vu, "declare-a-posteriori", "nom-illisible")
    assert [l for l in vues if l.startswith(("exercices/2023", "lat"))] == [
        "exercices/2023-03-16-rancongiciel-dpi.yaml:2: exercice daté du 2023-03-16, ajouté au dépôt le 2026-09-01 "
        "(1265 jours plus tard) : déclaré a posteriori (declare-a-posteriori)",
        "lat\ufffd.md: nom de fichier qui n'est pas en UTF-8, ignoré (nom-illisible)",
    ]
    historique = lancer("historique", str(terrain.depot), "--jusqu-a", DATE_EXEMPLES, "--format", "json")
    assert historique.code == 0, historique
    resultat = json.loads(historique.stdout)
    assert (resultat["commits"], [e["date"] for e in resultat["etapes"]]) == (3, ["2026-09-30", "2026-10-01"])  # armer() commite une troisième fois
    terrain.rien_n_a_fui(sortie, historique)
