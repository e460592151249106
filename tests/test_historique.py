"""`verificateur historique` et la fraîcheur tirée de git (« déclaré a posteriori »), sur de vrais
dépôts dont les commits ont des dates choisies (GIT_COMMITTER_DATE / GIT_AUTHOR_DATE)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from conftest import EXEMPLES, depuis_gabarit
from test_depot_git import MESURES, environnement_git, git, remplacer, sha  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")


def commiter(depot: Path, message: str, quand: str) -> str:
    env = {**os.environ, "GIT_COMMITTER_DATE": f"{quand}T12:00:00+01:00", "GIT_AUTHOR_DATE": f"{quand}T12:00:00+01:00"}
    subprocess.run(["git", "-C", str(depot), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(depot), "commit", "-q", "-m", message], check=True, env=env)
    return sha(depot)


@pytest.fixture
def histoire(tmp_path, environnement_git):  # noqa: F811
    """Trois commits : le dépôt d'exemple (2026-01-15), la MFA des accès distants retirée (2026-03-10),
    rétablie (2026-05-05)."""
    depot = tmp_path / "depot"
    return depot, depuis_gabarit(depot, "histoire de chu-armorique en trois commits", _construire_histoire)


def _construire_histoire(depot: Path) -> tuple[str, str, str]:
    shutil.copytree(EXEMPLES / "chu-armorique", depot)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(depot)], check=True)
    c1 = commiter(depot, "Preuves initiales", "2026-01-15")
    remplacer(depot / MESURES, "acces_distants: true", "acces_distants: false")
    c2 = commiter(depot, "MFA retirée", "2026-03-10")
    remplacer(depot / MESURES, "acces_distants: false", "acces_distants: true")
    c3 = commiter(depot, "MFA rétablie", "2026-05-05")
    return c1, c2, c3


def _historique(lancer, depot: Path, *options: str) -> list[dict]:
    sortie = lancer("historique", str(depot), "--depuis", "2025-12-01", "--jusqu-a", "2026-06-15", *options, "--format", "json")
    assert sortie.code == 0, sortie
    return json.loads(sortie.stdout)["etapes"]


def test_etapes_revisions_et_changements(histoire, lancer):
    depot, (c1, c2, c3) = histoire
    etapes = _historique(lancer, depot)
    assert [(e["date"], e["revision"]) for e in etapes] == [
        ("2025-12-31", None),  # avant le premier commit : aucune révision, pas une erreur
        ("2026-01-31", c1), ("2026-02-28", c1), ("2026-03-31", c2), ("2026-04-30", c2), ("2026-05-31", c3),
        ("2026-06-15", c3),  # --jusqu-a, qui n'est pas une fin de mois
    ]
    assert etapes[0]["statut_global"] == "aucune révision" and etapes[0]["synthese"] is None
    hyg = {e["date"]: [c for c in e["changements"] if c["regle"] == "HYG-01"] for e in etapes}
    assert hyg["2026-03-31"] == [{"regle": "HYG-01", "avant": "conforme", "apres": "non_conforme"}]
    assert hyg["2026-05-31"] == [{"regle": "HYG-01", "avant": "non_conforme", "apres": "conforme"}]
    assert all(not v for d, v in hyg.items() if d not in ("2026-03-31", "2026-05-31"))
    assert etapes[3]["taux_conformite"] < etapes[2]["taux_conformite"]
    # Chaque étape est l'évaluation de cette révision à cette date, par le même moteur qu'« evaluer ».
    rapport = json.loads(lancer("evaluer", str(depot), "--revision", c2, "--date", "2026-04-30", "--format", "json").stdout)
    assert etapes[4]["synthese"] == rapport["synthese"]


def test_trimestre_et_formats(histoire, lancer):
    depot, (c1, c2, c3) = histoire
    etapes = _historique(lancer, depot, "--pas", "trimestre")
    assert [(e["date"], e["revision"]) for e in etapes] == [("2025-12-31", None), ("2026-03-31", c2), ("2026-06-15", c3)]
    texte = lancer("historique", str(depot), "--depuis", "2025-12-01", "--jusqu-a", "2026-06-15")
    assert texte.code == 0, texte
    assert "aucune révision" in texte.stdout
    assert "HYG-01 : conforme → non_conforme" in texte.stdout
    csv_ = lancer("historique", str(depot), "--depuis", "2026-03-01", "--jusqu-a", "2026-03-31", "--format", "csv").stdout
    assert csv_.startswith("\ufeffdate;revision;statut_global;taux_conformite;changements\r\n")
    ligne = csv_.splitlines()[1].split(";")
    assert ligne[:2] == ["2026-03-31", c2] and "," in ligne[3] and "." not in ligne[3]


def test_depot_sans_commit(tmp_path, environnement_git, lancer):  # noqa: F811
    depot = tmp_path / "vide"
    subprocess.run(["git", "init", "-q", str(depot)], check=True)
    etapes = _historique(lancer, depot)
    assert {e["statut_global"] for e in etapes} == {"aucune révision"}


def test_cache_par_blob(histoire, monkeypatch):
    """Chaque contenu distinct (chemin, blob) n'est lu et validé qu'une fois pour toute l'histoire."""
    from verificateur import politiques, preuves
    from verificateur.commandes import historique

    depot, _ = histoire
    lus: list[str] = []
    vraie = preuves.lire_preuve

    def compter(chemin, type_preuve, contenu):
        lus.append(chemin)
        return vraie(chemin, type_preuve, contenu)

    monkeypatch.setattr(preuves, "lire_preuve", compter)
    h = historique.historique(str(depot), politiques.charger(None, None), date(2025, 12, 1), date(2026, 6, 15))
    assert len([e for e in h["etapes"] if e["revision"]]) == 6
    nombre = len([p for p in (EXEMPLES / "chu-armorique").rglob("*") if p.is_file() and preuves.type_de(p.relative_to(EXEMPLES / "chu-armorique").as_posix())])
    # Toutes les preuves une fois, plus securite/mesures.yaml modifié (c2) ; c3 revient au blob de c1.
    assert len(lus) == nombre + 1
    assert lus.count(MESURES) == 2


# --- fraîcheur : « déclaré a posteriori » ----------------------------------------------------------


def test_declare_a_posteriori(tmp_path, environnement_git, lancer):  # noqa: F811
    depot = tmp_path / "depot"
    shutil.copytree(EXEMPLES / "chu-armorique", depot)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(depot)], check=True)
    for f in (depot / "exercices").glob("*.yaml"):
        f.unlink()
    commiter(depot, "Preuves", "2024-02-01")
    exercice = EXEMPLES / "chu-armorique" / "exercices" / "2023-03-16-rancongiciel-dpi.yaml"
    texte = exercice.read_text(encoding="utf-8").replace("date: 2023-03-16", "date: 2024-01-10", 1)
    (depot / "exercices" / "tardif.yaml").write_text(texte, encoding="utf-8")
    (depot / "exercices" / "a-temps.yaml").write_text(texte.replace("date: 2024-01-10", "date: 2024-04-15", 1), encoding="utf-8")
    commiter(depot, "Exercices", "2024-06-30")
    rapport = json.loads(lancer("evaluer", str(depot), "--revision", "HEAD", "--date", "2024-07-01", "--format", "json").stdout)
    signales = [p for p in rapport["problemes"] if p["code"] == "declare-a-posteriori"]
    assert signales == [{
        "fichier": "exercices/tardif.yaml", "ligne": 2, "code": "declare-a-posteriori", "niveau": "avertissement",
        "message": "exercice daté du 2024-01-10, ajouté au dépôt le 2024-06-30 (172 jours plus tard) : déclaré a posteriori",
    }]
    # L'arbre de travail n'a pas d'histoire : rien n'est signalé.
    arbre = json.loads(lancer("evaluer", str(depot), "--date", "2024-07-01", "--format", "json").stdout)
    assert not [p for p in arbre["problemes"] if p["code"] == "declare-a-posteriori"]
    # L'historique le signale dès l'étape où le fichier est commité.
    h = _historique_brut(depot, date(2024, 5, 1), date(2024, 6, 30))
    assert [e["date"] for e in h["etapes"]] == ["2024-05-31", "2024-06-30"]
    assert h["etapes"][1]["problemes"] == h["etapes"][0]["problemes"] + 1


def test_index_fichier_pas_encore_commite(tmp_path, environnement_git, lancer):  # noqa: F811
    """Dans l'index (crochet pre-commit), un fichier nouveau est ajouté aujourd'hui."""
    depot = tmp_path / "depot"
    shutil.copytree(EXEMPLES / "chu-armorique", depot)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(depot)], check=True)
    (depot / "exercices" / "2023-03-16-rancongiciel-dpi.yaml").rename(tmp_path / "mis-de-cote.yaml")
    commiter(depot, "Preuves", date.today().isoformat())
    (tmp_path / "mis-de-cote.yaml").rename(depot / "exercices" / "ancien.yaml")
    git(depot, "add", "exercices/ancien.yaml")
    rapport = json.loads(lancer("evaluer", str(depot), "--index", "--date", date.today().isoformat(), "--format", "json").stdout)
    fichiers = [p["fichier"] for p in rapport["problemes"] if p["code"] == "declare-a-posteriori"]
    assert "exercices/ancien.yaml" in fichiers


def _historique_brut(depot: Path, depuis: date, jusqu_a: date) -> dict:
    from verificateur import politiques
    from verificateur.commandes import historique

    return historique.historique(str(depot), politiques.charger(None, None), depuis, jusqu_a)


def test_pas_un_depot_git(tmp_path, lancer):
    sortie = lancer("historique", str(tmp_path), "--jusqu-a", "2026-01-01")
    assert sortie.code == 2
    assert "pas un dépôt git ; l'historique se lit dans l'histoire git du dépôt" in sortie.stderr
    sortie = lancer("historique", str(tmp_path), "--depuis", "2026-02-01", "--jusqu-a", "2026-01-01")
    assert sortie.code == 2 and "--depuis 2026-02-01 est après --jusqu-a 2026-01-01" in sortie.stderr


def test_etapes_calendrier():
    from verificateur.commandes.historique import etapes

    assert etapes(date(2024, 1, 31), date(2024, 3, 31), "mois") == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    assert etapes(date(2024, 2, 1), date(2025, 1, 10), "trimestre") == [
        date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31), date(2025, 1, 10)]
    assert etapes(date(2024, 5, 3), date(2024, 5, 20), "mois") == [date(2024, 5, 20)]
