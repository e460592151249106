"""L'évaluation en lot (`verificateur lot`) sur de vrais dépôts construits dans tmp_path : un lot mixte
(bons, non conformes, cassés, nus, manifeste), l'indépendance à --jobs, un processus d'évaluation tué,
Ctrl-C, la reprise, le cache, le partitionnement et la fusion. Chaque JSON de lot produit est validé
contre le schéma livré (schemas/lot.schema.json)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, dossier_commite, exemple_commite, git, git_reproductible

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")

TROIS = ("ch-vallee-du-lys", "chu-armorique", "ehpad-les-tilleuls")
STATUTS_EXEMPLES = {"ch-vallee-du-lys": "non_conforme", "chu-armorique": "conforme", "ehpad-les-tilleuls": "non_conforme"}


@pytest.fixture(autouse=True)
def environnement(tmp_path, monkeypatch):
    """Git reproductible et isolé ; cache et dossier courant dans tmp_path (chemins relatifs stables)."""
    git_reproductible(tmp_path, monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-defaut"))


def depot_git(source: Path, cible: Path) -> Path:
    if source.parent == EXEMPLES:
        return exemple_commite(source.name, cible, "Preuves")
    return dossier_commite(source, cible, "Preuves")


def copier_exemples(dossier: Path) -> Path:
    dossier.mkdir(parents=True, exist_ok=True)
    for nom in TROIS:
        shutil.copytree(EXEMPLES / nom, dossier / nom)
    return dossier


def lot_json(lancer, *args: str):
    sortie = lancer("lot", *args, "--format", "json", "--sans-progression")
    assert sortie.code in (0, 1, 4, 130), sortie
    donnees = json.loads(sortie.stdout)
    valider(donnees)
    return sortie, donnees


def valider(donnees: dict) -> None:
    from verificateur import lot

    assert lot.valider(donnees) == []
    from verificateur.evaluation import rapport

    assert donnees["empreinte"] == rapport.empreinte(donnees)


def par_chemin(donnees: dict) -> dict[str, dict]:
    return {e["chemin"]: e for e in donnees["etablissements"]}


@pytest.fixture
def lot_mixte(tmp_path) -> Path:
    """depots/ : les trois exemples, un dépôt nu, un objet corrompu, un dépôt git sans
    etablissement.yaml, un dossier qui n'est pas un dépôt, un dossier caché (ignoré) ;
    manifeste.csv : un dépôt git lu à une révision, une ligne invalide, un FINESS qui ne correspond pas."""
    depots = copier_exemples(tmp_path / "depots")
    source = depot_git(EXEMPLES / "chu-armorique", tmp_path / "sources" / "chu")
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(depots / "chu-nu.git")], check=True)
    # Objet corrompu : une copie de .git (forme d'un dépôt nu) dont le blob d'etablissement.yaml est abîmé.
    corrompu = depots / "corrompu.git"
    shutil.copytree(source / ".git", corrompu)
    blob = git(source, "rev-parse", "HEAD:etablissement.yaml")
    objet = corrompu / "objects" / blob[:2] / blob[2:]
    objet.chmod(0o644)
    objet.write_bytes(b"ceci n'est pas un objet git")
    sans = tmp_path / "sources" / "sans-etab"
    shutil.copytree(EXEMPLES / "ehpad-les-tilleuls", sans)
    (sans / "etablissement.yaml").unlink()
    depot_git(sans, depots / "sans-etablissement")
    shutil.rmtree(sans)
    (depots / "notes").mkdir()
    (depots / "notes" / "lisez-moi.txt").write_text("pas un dépôt", encoding="utf-8")
    (depots / ".cache").mkdir()
    (depots / "README.md").write_text("fichier ignoré", encoding="utf-8")
    # Manifeste : relatif à son dossier ; le dépôt git y est lu à sa révision HEAD.
    shutil.copytree(EXEMPLES / "ehpad-les-tilleuls", tmp_path / "sources" / "ehpad")
    (tmp_path / "listes").mkdir()
    (tmp_path / "listes" / "manifeste.csv").write_text(
        "\ufefffiness;chemin;revision\n"
        "350042131;../sources/chu;HEAD\n"
        "\n"
        "# commentaire\n"
        "12345;../sources/chu\n"
        "590028718;../sources/ehpad\n"
        "350042131;../depots/chu-armorique\n",  # déjà trouvé par le dossier : évalué une fois
        encoding="utf-8",
    )
    return tmp_path


ECHECS_MIXTE = [
    {"chemin": "listes/manifeste.csv:5", "raison": "ligne de manifeste invalide : FINESS « 12345 » mal formé (9 chiffres, ou 2A/2B et 7 chiffres)"},
    {"chemin": "depots/notes", "raison": "pas un dépôt de preuves (ni dépôt git, ni etablissement.yaml)"},
    {"chemin": "depots/sans-etablissement", "raison": "etablissement.yaml absent"},
    {"chemin": "depots/corrompu.git", "raison": None},  # le sha de l'objet est vérifié à part
    {"chemin": "sources/ehpad", "raison": "FINESS du manifeste (590028718) différent de celui d'etablissement.yaml (690035449)"},
]


def test_lot_mixte(lot_mixte, lancer):
    sortie, donnees = lot_json(lancer, "depots", "listes/manifeste.csv", "--date", DATE_EXEMPLES, "--jobs", "1", "--sans-cache")
    assert sortie.code == 4  # au moins un dépôt n'a pas pu être évalué
    e = par_chemin(donnees)
    # Le même chemin venu du dossier et du manifeste n'est évalué qu'une fois (le premier trouvé).
    assert sorted(e) == sorted([
        "depots/ch-vallee-du-lys", "depots/chu-armorique", "depots/ehpad-les-tilleuls", "depots/chu-nu.git",
        "depots/corrompu.git", "depots/sans-etablissement", "depots/notes", "sources/chu", "listes/manifeste.csv:5", "sources/ehpad",
    ])
    for nom, statut in STATUTS_EXEMPLES.items():
        assert e[f"depots/{nom}"]["etat"] == "evalue"
        assert e[f"depots/{nom}"]["synthese"]["statut_global"] == statut
    nu = e["depots/chu-nu.git"]
    assert nu["depot"]["nu"] is True and nu["depot"]["source"] == "revision" and len(nu["depot"]["revision"]) == 40
    assert nu["resultats"] == e["depots/chu-armorique"]["resultats"]
    assert e["sources/chu"]["depot"]["source"] == "revision" and e["sources/chu"]["finess"] == "350042131"
    blob = git(lot_mixte / "sources" / "chu", "rev-parse", "HEAD:etablissement.yaml")
    attendus = {x["chemin"]: x["raison"] for x in ECHECS_MIXTE}
    attendus["depots/corrompu.git"] = f"objet git {blob} absent ou corrompu ; vérifiez le dépôt avec « git fsck »"
    assert {x["chemin"]: x["raison"] for x in donnees["echecs"]} == attendus
    # Les échecs sont aussi des lignes (triées) de etablissements ; une par dépôt illisible sur stderr.
    assert [x["chemin"] for x in donnees["echecs"]] == [x["chemin"] for x in donnees["etablissements"] if x["etat"] == "echec"]
    assert f"échec : depots/notes : {attendus['depots/notes']}" in sortie.stderr
    assert donnees["synthese"] == {"depots": 10, "evalues": 5, "echecs": 5, "conformes": 3, "non_conformes": 2,
                                   "taux_conformite_moyen": donnees["synthese"]["taux_conformite_moyen"]}
    # Tri : (FINESS, chemin) ; les échecs sans FINESS d'abord.
    cles = [(x["finess"] or "", x["chemin"]) for x in donnees["etablissements"]]
    assert cles == sorted(cles)
    assert donnees["interrompu"] is False and donnees["partie"] is None
    assert donnees["sources"] == ["depots", "listes/manifeste.csv"]


def test_jobs_1_et_jobs_2_donnent_les_memes_octets(lot_mixte, lancer):
    args = ("depots", "listes/manifeste.csv", "--date", DATE_EXEMPLES, "--sans-cache", "--sans-progression")
    for format_ in ("json", "texte", "csv"):
        un = lancer("lot", *args, "--format", format_, "--jobs", "1")
        deux = lancer("lot", *args, "--format", format_, "--jobs", "2")
        assert un.code == deux.code == 4
        assert un.stdout == deux.stdout, format_


def test_un_processus_tue_ne_coute_que_son_depot(tmp_path, lancer, monkeypatch):
    copier_exemples(tmp_path / "depots")
    monkeypatch.setenv("VERIFICATEUR_TEST_LOT", "arret:chu-armorique")
    sortie, donnees = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--jobs", "2", "--sans-cache")
    assert sortie.code == 4
    assert donnees["echecs"] == [{"chemin": "depots/chu-armorique", "raison": "le processus d'évaluation s'est arrêté (signal 9)"}]
    e = par_chemin(donnees)
    assert e["depots/ch-vallee-du-lys"]["synthese"]["statut_global"] == "non_conforme"
    assert e["depots/ehpad-les-tilleuls"]["synthese"]["statut_global"] == "non_conforme"


@pytest.fixture
def ctrl_c_actif():
    """Lancée en arrière-plan par un shell non interactif, la suite hérite de SIGINT ignoré : le Ctrl-C
    simulé n'arrivait pas (60 s d'attente, puis échec). Un terminal le livre : gestionnaire par défaut."""
    avant = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, avant)


def test_ctrl_c_ecrit_ce_qui_est_fini(tmp_path, lancer, monkeypatch, ctrl_c_actif):
    copier_exemples(tmp_path / "depots")
    monkeypatch.setenv("VERIFICATEUR_TEST_LOT", "interruption:chu-armorique")
    sortie, donnees = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--sans-cache")
    assert sortie.code == 130
    assert donnees["interrompu"] is True
    assert [x["chemin"] for x in donnees["etablissements"]] == ["depots/ch-vallee-du-lys"]
    assert "interrompu : 1 dépôt(s) terminé(s), résultat partiel écrit" in sortie.stderr
    # Dans un groupe de processus : un vrai SIGINT au processus principal.
    sortie, donnees = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--jobs", "2", "--sans-cache")
    assert sortie.code == 130 and donnees["interrompu"] is True
    assert "depots/chu-armorique" not in par_chemin(donnees)


def test_revision(tmp_path, lancer):
    depots = tmp_path / "depots"
    shutil.copytree(EXEMPLES / "ch-vallee-du-lys", depots / "dossier")
    depot_git(EXEMPLES / "chu-armorique", depots / "chu-git")
    mesures = depots / "chu-git" / "securite" / "mesures.yaml"
    mesures.write_text(mesures.read_text(encoding="utf-8").replace("acces_distants: true", "acces_distants: false"), encoding="utf-8")
    # Sans --revision : l'arbre de travail (modifié, non commité) ; avec : le commit.
    _, arbre = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--sans-cache")
    assert par_chemin(arbre)["depots/chu-git"]["resultats"]["HYG-01"] == "non_conforme"
    sortie, donnees = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--sans-cache", "--revision", "HEAD")
    assert sortie.code == 4
    chu = par_chemin(donnees)["depots/chu-git"]
    assert chu["resultats"]["HYG-01"] == "conforme" and chu["depot"]["revision"] == git(depots / "chu-git", "rev-parse", "HEAD")
    assert donnees["options"]["revision"] == "HEAD"
    assert donnees["echecs"] == [{"chemin": "depots/dossier", "raison": "pas un dépôt git : la révision « HEAD » ne peut pas y être lue"}]
    _, absente = lot_json(lancer, "depots/chu-git", "--date", DATE_EXEMPLES, "--sans-cache", "--revision", "v9")
    assert absente["echecs"] == [{"chemin": "depots/chu-git", "raison": "révision « v9 » introuvable dans le dépôt (aucun commit de ce nom)"}]


def test_codes_de_sortie(tmp_path, lancer):
    depots = tmp_path / "depots"
    depots.mkdir()
    shutil.copytree(EXEMPLES / "chu-armorique", depots / "chu-armorique")
    assert lancer("lot", "depots", "--date", DATE_EXEMPLES, "--sans-progression").code == 0
    shutil.copytree(EXEMPLES / "ch-vallee-du-lys", depots / "ch-vallee-du-lys")
    assert lancer("lot", "depots", "--date", DATE_EXEMPLES, "--sans-progression").code == 1
    (depots / "vide").mkdir()
    assert lancer("lot", "depots", "--date", DATE_EXEMPLES, "--sans-progression").code == 4
    introuvable = lancer("lot", "absent", "--date", DATE_EXEMPLES)
    assert introuvable.code == 2
    assert "absent: introuvable, attendu un dossier de dépôts ou un manifeste CSV" in introuvable.stderr
    assert lancer("lot", "depots", "--partie", "3/2").code == 2
    assert lancer("lot", "depots", "--reprendre").code == 2


def test_un_dossier_source_qui_est_lui_meme_un_depot(tmp_path, lancer):
    shutil.copytree(EXEMPLES / "chu-armorique", tmp_path / "chu")
    _, donnees = lot_json(lancer, "chu", "--date", DATE_EXEMPLES, "--sans-cache")
    assert [x["chemin"] for x in donnees["etablissements"]] == ["chu"]


def test_un_sous_dossier_nomme_fusionner_reste_evaluable(tmp_path, lancer):
    shutil.copytree(EXEMPLES / "chu-armorique", tmp_path / "fusionner")
    _, donnees = lot_json(lancer, "./fusionner", "--date", DATE_EXEMPLES, "--sans-cache")
    assert donnees["synthese"]["conformes"] == 1
    sortie = lancer("lot", "fusionner")
    assert sortie.code == 2 and "./fusionner" in sortie.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root lit un dossier en mode 000")
def test_dossier_illisible(tmp_path, lancer):
    copier_exemples(tmp_path / "depots")
    ferme = tmp_path / "depots" / "ferme"
    shutil.copytree(EXEMPLES / "chu-armorique", ferme)
    ferme.chmod(0)
    try:
        _, donnees = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--sans-cache")
    finally:
        ferme.chmod(0o755)
    assert donnees["echecs"] == [{"chemin": "depots/ferme", "raison": "dossier illisible (permission refusée)"}]


def test_csv_une_ligne_par_etablissement_et_regle(tmp_path, lancer):
    copier_exemples(tmp_path / "depots")
    (tmp_path / "depots" / "notes").mkdir()
    sortie = lancer("lot", "depots", "--date", DATE_EXEMPLES, "--format", "csv", "--sans-cache")
    lignes = sortie.stdout.lstrip("\ufeff").splitlines()
    assert lignes[0] == "finess;raison_sociale;region;categorie;chemin;revision;date_evaluation;etat;statut_global;taux_conformite;regle;titre;gravite;statut;raison;echeance"
    assert sortie.stdout.startswith("\ufeff")
    assert len(lignes) == 1 + 3 * 22 + 1
    assert ";;;;depots/notes;;2026-10-01;echec;;;;;;;pas un dépôt de preuves (ni dépôt git, ni etablissement.yaml);" in lignes
    assert "350042131;Centre hospitalier universitaire d'Armorique;53;chu;depots/chu-armorique;;2026-10-01;evalue;conforme;0,9091;FOR-04;Campagne d'hameçonnage simulé dans l'année;mineure;derogation;;" in lignes


def test_texte(tmp_path, lancer):
    copier_exemples(tmp_path / "depots")
    sortie = lancer("lot", "depots", "--date", DATE_EXEMPLES, "--sans-cache")
    assert sortie.code == 1
    assert sortie.stdout.startswith("Lot évalué au 2026-10-01 — 3 dépôt(s) : 3 évalué(s), 0 en échec\n"
                                    "1 conforme(s), 2 non conforme(s) ; taux de conformité moyen 61,9 %\n")
    assert "690035449  EHPAD Les Tilleuls" in sortie.stdout
    assert sortie.stderr == ""  # pas de barre de progression hors d'un terminal


def test_rapports_et_reprise(tmp_path, lancer):
    depots = copier_exemples(tmp_path / "depots")
    args = ("depots", "--date", DATE_EXEMPLES, "--sans-cache", "--rapports", "sortie/rapports", "--sortie", "sortie/lot.json")
    assert lancer("lot", *args, "--format", "json").code == 1
    premier = json.loads((tmp_path / "sortie" / "lot.json").read_text(encoding="utf-8"))
    valider(premier)
    chu = par_chemin(premier)["depots/chu-armorique"]
    assert chu["rapports"]["json"].startswith("rapports/350042131-") and chu["rapports"]["json"].endswith(".json")
    rapport = json.loads((tmp_path / "sortie" / chu["rapports"]["json"]).read_text(encoding="utf-8"))
    assert rapport["empreinte"] == chu["empreinte"]
    assert (tmp_path / "sortie" / chu["rapports"]["html"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # Le tableau de bord et les chemins des rapports sans --sortie : tels que --rapports les désigne.
    html = lancer("lot", *args[:-2], "--format", "html")
    assert html.code == 1 and html.stdout.startswith("<!DOCTYPE html>")
    _, sans_sortie = lot_json(lancer, *args[:-2])
    assert par_chemin(sans_sortie)["depots/chu-armorique"]["rapports"]["json"] == "sortie/" + chu["rapports"]["json"]
    def marquer(lot: dict) -> None:  # une marque dans chaque rapport : effacée seulement s'il est réécrit
        for e in lot["etablissements"]:
            (tmp_path / "sortie" / e["rapports"]["json"]).write_text("marque", encoding="utf-8")

    def marques(lot: dict) -> dict[str, bool]:
        return {e["chemin"]: (tmp_path / "sortie" / e["rapports"]["json"]).read_text(encoding="utf-8") == "marque"
                for e in lot["etablissements"]}

    # Un dépôt change : seul lui est réévalué et réécrit ; le résultat est celui d'un lot complet.
    marquer(premier)
    mesures = depots / "chu-armorique" / "securite" / "mesures.yaml"
    mesures.write_text(mesures.read_text(encoding="utf-8").replace("acces_distants: true", "acces_distants: false"), encoding="utf-8")
    assert lancer("lot", *args, "--format", "json", "--reprendre").code == 1
    repris = (tmp_path / "sortie" / "lot.json").read_text(encoding="utf-8")
    deuxieme = json.loads(repris)
    assert marques(deuxieme) == {"depots/ch-vallee-du-lys": True, "depots/chu-armorique": False, "depots/ehpad-les-tilleuls": True}
    assert par_chemin(deuxieme)["depots/chu-armorique"]["resultats"]["HYG-01"] == "non_conforme"
    # Sans --reprendre : tout est réécrit, et le lot est le même.
    assert lancer("lot", *args, "--format", "json").code == 1
    assert (tmp_path / "sortie" / "lot.json").read_text(encoding="utf-8") == repris
    assert not any(marques(deuxieme).values())
    # Une autre date : rien n'est repris.
    marquer(deuxieme)
    assert lancer("lot", *args[:1], "--date", "2026-10-02", *args[3:], "--format", "json", "--reprendre").code == 1
    assert not any(marques(json.loads((tmp_path / "sortie" / "lot.json").read_text(encoding="utf-8"))).values())


def test_cache(tmp_path, lancer, monkeypatch):
    from verificateur.evaluation import moteur

    depots = copier_exemples(tmp_path / "depots")
    depot_git(EXEMPLES / "chu-armorique", depots / "chu-git")
    subprocess.run(["git", "clone", "-q", "--bare", str(depots / "chu-git"), str(depots / "chu-nu.git")], check=True)
    evalues: list[str] = []
    reel = moteur.charger_et_evaluer  # l'évaluation du lot (et de son échéancier)

    def compter(source, *args, **kwargs):  # un espion : le vrai moteur, compté
        evalues.append(source.chemin)
        return reel(source, *args, **kwargs)

    monkeypatch.setattr(moteur, "charger_et_evaluer", compter)
    args = ("depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    _, froid = lot_json(lancer, *args)
    assert len(evalues) == 5
    evalues.clear()
    _, chaud = lot_json(lancer, *args)
    assert evalues == [] and chaud == froid
    # Un fichier de preuve modifié : seul ce dépôt est réévalué.
    (depots / "ehpad-les-tilleuls" / "etablissement.yaml").write_text(
        (EXEMPLES / "ehpad-les-tilleuls" / "etablissement.yaml").read_text(encoding="utf-8").replace("effectif:", "effectif:  "), encoding="utf-8")
    lot_json(lancer, *args)
    assert evalues == ["depots/ehpad-les-tilleuls"]
    # Un cache abîmé est ignoré, jamais fatal ; le résultat ne change pas.
    evalues.clear()
    for fichier in (tmp_path / "cache").rglob("*"):
        if fichier.is_file():
            fichier.write_bytes(b"\x00abime")
    _, apres = lot_json(lancer, *args)
    assert len(evalues) == 5 and apres["etablissements"] == lot_json(lancer, *args[:-2], "--sans-cache")[1]["etablissements"]
    # Du JSON valide mais d'une autre forme : ignoré aussi.
    evalues.clear()
    with contextlib.closing(sqlite3.connect(tmp_path / "cache" / "index.sqlite")) as index, index:
        lignes = index.execute("SELECT nature, cle FROM valeurs").fetchall()
        assert sorted({nature for nature, _ in lignes}) == ["resume"] and len(lignes) == 5
        for nature, cle in lignes:
            autre = json.dumps({"cle": cle, "entree": {"etat": "evalue"}, "code": 0})
            index.execute("UPDATE valeurs SET valeur = ? WHERE nature = ? AND cle = ?", (autre, nature, cle))
    assert lot_json(lancer, *args)[1] == apres and len(evalues) == 5
    # Cache par défaut : $XDG_CACHE_HOME/verificateur/lot, jamais dans les dépôts.
    lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--jobs", "1")
    assert (tmp_path / "cache-defaut" / "verificateur" / "lot" / "index.sqlite").is_file()
    assert not any(p.name.endswith(".rapport.z") for p in depots.rglob("*"))


def test_partie_et_fusion_egalent_le_lot_unique(lot_mixte, lancer):
    args = ("depots", "listes/manifeste.csv", "--date", DATE_EXEMPLES, "--sans-cache", "--sans-progression", "--format", "json")
    unique = lancer("lot", *args, "--jobs", "2")
    valider(json.loads(unique.stdout))
    parties = []
    for i in (1, 2, 3):
        sortie = lancer("lot", *args, "--partie", f"{i}/3", "--sortie", f"partie-{i}.json", "--jobs", "1")
        assert sortie.code in (0, 1, 4)
        donnees = json.loads(Path(f"partie-{i}.json").read_text(encoding="utf-8"))
        valider(donnees)
        assert donnees["partie"] == {"indice": i, "total": 3}
        parties.append(donnees)
    # Chaque dépôt dans exactement une partie.
    chemins = [e["chemin"] for p in parties for e in p["etablissements"]]
    assert sorted(chemins) == sorted(par_chemin(json.loads(unique.stdout))) and len(set(chemins)) == len(chemins)
    fusion = lancer("lot", "fusionner", "partie-3.json", "partie-1.json", "partie-2.json", "--format", "json")
    assert fusion.code == unique.code == 4
    assert fusion.stdout == unique.stdout
    texte = lancer("lot", "fusionner", "partie-1.json", "partie-2.json", "partie-3.json")
    assert texte.stdout == lancer("lot", *args[:-2], "--format", "texte").stdout


def test_fusion_refusee(lot_mixte, lancer):
    base = ("depots", "--date", DATE_EXEMPLES, "--sans-cache", "--format", "json", "--jobs", "1")
    lancer("lot", *base, "--partie", "1/2", "--sortie", "a.json")
    lancer("lot", *base, "--partie", "2/2", "--sortie", "b.json")
    lancer("lot", *base[:2], "2026-10-02", *base[3:], "--partie", "2/2", "--sortie", "c.json")
    lancer("lot", *base, "--sortie", "complet.json")
    cas = {
        ("a.json",): "parties manquantes : 2/2",
        ("a.json", "a.json"): "a.json: partie 1/2 déjà donnée par a.json",
        ("a.json", "c.json"): "c.json: date d'évaluation différente(s) de a.json ; seules les parties d'un même lot se fusionnent",
        ("complet.json",): "complet.json: lot complet (sans --partie), rien à fusionner",
        ("absent.json",): "absent.json: illisible",
    }
    for fichiers, message in cas.items():
        sortie = lancer("lot", "fusionner", *fichiers)
        assert sortie.code == 2 and message in sortie.stderr, (fichiers, sortie)
    modifie = json.loads(Path("b.json").read_text(encoding="utf-8"))
    modifie["synthese"]["conformes"] += 1
    Path("b.json").write_text(json.dumps(modifie), encoding="utf-8")
    sortie = lancer("lot", "fusionner", "a.json", "b.json")
    assert sortie.code == 2 and "b.json: empreinte invalide" in sortie.stderr
    sortie = lancer("lot", "fusionner", "a.json", "b.json", "--jobs", "2")
    assert sortie.code == 2 and "option(s) --jobs sans effet" in sortie.stderr


def test_partie_repartition_stable():
    from verificateur.lot import Tache, dans_partie, lire_partie

    taches = [Tache(f"depots/etab-{i:04d}") for i in range(400)]
    parts = [[t for t in taches if dans_partie(t, i, 4)] for i in range(1, 5)]
    assert sorted(t.chemin for p in parts for t in p) == sorted(t.chemin for t in taches)
    assert all(60 < len(p) < 140 for p in parts)  # à peu près équilibré
    assert lire_partie("2/4") == (2, 4)
    for invalide in ("0/4", "5/4", "a/b", "2"):
        with pytest.raises(Exception, match="invalide"):
            lire_partie(invalide)


def test_ligne_de_progression():
    from verificateur.lot import ligne_progression

    assert ligne_progression(120, 3000, 2.0, "depots/chu") == "120/3000 (4 %) · 60,0 dépôts/s · reste ≈ 48 s · depots/chu"
    assert ligne_progression(100, 3000, 10.0, "x") == "100/3000 (3 %) · 10,0 dépôts/s · reste ≈ 4 min 50 s · x"
    assert ligne_progression(3, 3, 1.0, "x") == "3/3 (100 %) · 3,0 dépôts/s · x"
    assert len(ligne_progression(1, 2, 1.0, "d" * 200, largeur=40)) == 40


def test_eligibilite_calculee_par_les_processus_du_lot(tmp_path):
    """Avec un programme, chaque processus d'évaluation calcule aussi le dossier d'éligibilité
    (eligibilite.dossier_pour_lot) ; le lot est complété (eligibilite.completer_lot) et rescellé."""
    from datetime import date

    from verificateur import financements as eligibilite, lot, politiques
    from verificateur.evaluation import rapport
    from verificateur.rendus.lot import FORMATS

    copier_exemples(tmp_path / "depots")
    (tmp_path / "depots" / "notes").mkdir()
    catalogue = politiques.charger()
    programme = eligibilite.charger(str(RACINE / "tests" / "donnees" / "programme-budget-fictif.yaml"), catalogue)
    sorties = []
    for jobs in (1, 2):
        contexte = lot.Contexte(date(2026, 10, 1), programme=programme)
        donnees, code = lot.evaluer_lot(["depots"], catalogue, contexte, jobs, progression=False)
        assert code == 4
        assert lot.valider(donnees) == [] and donnees["empreinte"] == rapport.empreinte(donnees)
        assert donnees["programme"]["id"] == "programme-budget-fictif"
        decisions = {e["chemin"]: e["eligibilite"]["decision"] for e in donnees["etablissements"]}
        assert set(decisions) == {"depots/notes", *(f"depots/{n}" for n in TROIS)}
        assert decisions["depots/notes"] == "incomplet"
        assert set(decisions.values()) <= set(eligibilite.DECISIONS)
        sorties.append(FORMATS["json"].rendre(donnees))
    assert sorties[0] == sorties[1]


def test_fusionner_une_partie_hors_schema_en_francais(tmp_path, lancer):
    """Le message de jsonschema est anglais : un lot relu hors schéma est dit en français."""
    # La répartition suit le sha256 du chemin découvert, donc du dossier où le dépôt est copié : on
    # prend la partie qui a des établissements ici.
    parties = [json.loads(lancer("lot", str(EXEMPLES), "--date", DATE_EXEMPLES, "--partie", p, "--format", "json", "--sans-cache",
                                 "--jobs", "1").stdout) for p in ("1/2", "2/2")]
    donnees = next(d for d in parties if d["etablissements"])
    donnees["etablissements"][0]["finess"] = 350042131
    partie = tmp_path / "partie-1.json"
    partie.write_text(json.dumps(donnees), encoding="utf-8")
    fusion = lancer("lot", "fusionner", str(partie))
    assert fusion.code == 2
    assert fusion.stderr == (
        f"verificateur : {partie}: lot hors schéma : etablissements/0/finess: "
        "« finess » : un texte ou une valeur vide attendu, trouvé 350042131 (mettez la valeur entre guillemets)\n"
    )


def test_une_partie_sans_depot_est_un_lot_vide_valide(tmp_path, lancer, monkeypatch):
    """Une partie à qui la répartition ne donne aucun dépôt s'écrit quand même : « etablissements »
    et « echecs » vides, au contrat, en JSON lisible (pas une erreur interne)."""
    depots = tmp_path / "depots"
    depots.mkdir()
    shutil.copytree(EXEMPLES / "chu-armorique", depots / "chu-armorique")
    monkeypatch.chdir(tmp_path)
    sorties = [lancer("lot", "depots", "--date", DATE_EXEMPLES, "--partie", p, "--format", "json", "--sans-cache", "--jobs", "1",
                      "--sans-progression") for p in ("1/2", "2/2")]
    assert sorted(len(json.loads(s.stdout)["etablissements"]) for s in sorties) == [0, 1]
    vide = next(json.loads(s.stdout) for s in sorties if not json.loads(s.stdout)["etablissements"])
    valider(vide)
    assert (vide["etablissements"], vide["echecs"], vide["synthese"]["depots"]) == ([], [], 0)
    assert sorties[0].stderr == sorties[1].stderr == ""
