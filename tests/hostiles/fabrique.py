"""Fabrique des dépôts hostiles (tests/hostiles/) : chaque cas est un vrai dépôt git construit par le
test, dont la configuration arme toutes les commandes que git sait lancer (chacune crée un marqueur
hors du dépôt), à côté d'un secret hors du dépôt qui ne doit jamais paraître dans une sortie."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, Sortie, copier_dossier, valider_rapport_json
from test_depot_git import empreintes, git, rendre_hostile

SECRET = "SECRET-HORS-DEPOT-7f3a9c"
MODES = {"arbre": (), "revision": ("--revision", "HEAD"), "index": ("--index",)}
MEMOIRE_MAX = 500 * 1024 * 1024  # octets, bornes de l'issue #8


@dataclass
class Terrain:
    """Un dépôt de preuves et ce qui l'entoure : le secret voisin et le dossier des marqueurs."""

    racine: Path
    depot: Path
    secret: Path
    marqueurs: Path

    def armer(self) -> None:
        """Commite tout, puis arme la configuration hostile (les commandes de git créeraient des
        marqueurs : plus aucune commande git ordinaire ne doit toucher le dépôt ensuite)."""
        if not (self.depot / ".git").exists():
            subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(self.depot)], check=True)
        git(self.depot, "add", "-A")
        git(self.depot, "commit", "-q", "--allow-empty", "-m", "preuves")
        rendre_hostile(self.depot, self.marqueurs)
        self.avant = empreintes(self.depot)

    def rien_n_a_fui(self, *sorties: Sortie) -> None:
        """Aucune commande du dépôt n'a tourné, rien n'a été écrit dedans, le secret n'a pas été lu."""
        assert sorted(os.listdir(self.marqueurs)) == []
        assert empreintes(self.depot) == self.avant
        for sortie in sorties:
            assert SECRET not in sortie.stdout and SECRET not in sortie.stderr


@pytest.fixture
def terrain(tmp_path, environnement_git) -> Terrain:
    """Le dépôt d'exemple chu-armorique à copier, un secret hors du dépôt ; `armer()` à la fin."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"motif: {SECRET}\n", encoding="utf-8")
    (tmp_path / "dehors").mkdir()
    (tmp_path / "dehors" / "fuite.yaml").write_text(f"resume: {SECRET}\n", encoding="utf-8")
    depot = tmp_path / "depot"
    copier_dossier(EXEMPLES / "chu-armorique", depot)
    return Terrain(tmp_path, depot, secret, tmp_path / "marqueurs")


def rapport(lancer, terrain: Terrain, mode: str, *options: str) -> tuple[Sortie, dict]:
    sortie = lancer("evaluer", str(terrain.depot), *MODES[mode], "--date", DATE_EXEMPLES, "--format", "json", *options)
    assert sortie.code in (0, 1), sortie
    return sortie, json.loads(sortie.stdout)


def lignes(rapport_json: dict, *codes: str) -> list[str]:
    """Les problèmes du rapport, en lignes `fichier:ligne: message (code)`."""
    return [
        f"{p['fichier']}{':' + str(p['ligne']) if p['ligne'] else ''}: {p['message']} ({p['code']})"
        for p in rapport_json["problemes"] if not codes or p["code"] in codes
    ]


def statuts(rapport_json: dict) -> dict[str, str]:
    return {r["regle"]: r["statut"] for r in rapport_json["resultats"]}


_ENVELOPPE = (
    "import resource, subprocess, sys\n"
    "fini = subprocess.run(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))\n"
    "sys.exit(fini.returncode)\n"
)


def lancer_mesure(tmp_path: Path, *arguments: str) -> tuple[Sortie, int]:
    """`python -m verificateur ARGS…` dans un sous-processus ; la mémoire maximale (octets) de ce
    processus et de ses enfants (git), mesurée par getrusage(RUSAGE_CHILDREN) d'une enveloppe."""
    mesure = tmp_path / "memoire.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(RACINE), os.environ.get("PYTHONPATH")]))}
    fini = subprocess.run(
        [sys.executable, "-c", _ENVELOPPE, str(mesure), sys.executable, "-m", "verificateur", *arguments],
        capture_output=True, text=True, env=env, check=False,
    )
    sortie = Sortie(fini.returncode, fini.stdout, fini.stderr)
    assert "Traceback" not in fini.stderr, sortie
    if fini.returncode in (0, 1) and "--format" in arguments and arguments[arguments.index("--format") + 1] == "json" and "evaluer" in arguments:
        valider_rapport_json(fini.stdout)
    return sortie, int(mesure.read_text())
