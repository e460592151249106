"""Installé depuis une roue dans un environnement neuf, le paquet trouve ses politiques, ses
référentiels et ses schémas (et pas seulement depuis l'arbre des sources)."""

import json
import shutil
import subprocess
import sys
import venv

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE


def test_roue_dans_un_environnement_neuf(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(RACINE, sources, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "dist", "build", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "roue"), str(sources)], check=True)
    roue = next((tmp_path / "roue").glob("verificateur-*.whl"))
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(roue)], check=True)
    shutil.rmtree(sources)  # plus aucune trace des sources : tout doit venir de la roue
    resultat = subprocess.run(
        [str(env_dir / "bin" / "verificateur"), "evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert resultat.returncode == 0, resultat.stderr
    rapport = json.loads(resultat.stdout)
    assert [p["id"] for p in rapport["politiques"]] == ["plan-national"]
    assert rapport["synthese"]["statut_global"] == "conforme"
    # Les gabarits du rendu HTML (verificateur/rendus/modeles/) sont dans la roue.
    html = subprocess.run(
        [str(env_dir / "bin" / "verificateur"), "evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "html"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert html.returncode == 0, html.stderr
    assert html.stdout.startswith("<!DOCTYPE html>") and "Centre hospitalier universitaire d&#39;Armorique" in html.stdout
    module = subprocess.run([str(python), "-c", "import verificateur, pathlib; print(pathlib.Path(verificateur.__file__).parent)"],
                            cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert module.startswith(str(env_dir))
    # La politique care (chargée sur demande, par son nom) et son référentiel sont dans la roue.
    care = subprocess.run(
        [str(env_dir / "bin" / "verificateur"), "evaluer", str(EXEMPLES / "ch-cote-d-opale"), "--date", DATE_EXEMPLES,
         "--politiques", "plan-national", "--politiques", "care", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert care.returncode == 1, care.stderr
    rapport_care = json.loads(care.stdout)
    assert sorted(p["id"] for p in rapport_care["politiques"]) == ["care", "plan-national"]
    assert rapport_care["synthese"]["total"] == 39
