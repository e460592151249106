"""Outils des mesures : lancer la CLI comme l'utilisateur (un processus neuf), médiane de N essais."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
EXEMPLE = RACINE / "exemples" / "chu-armorique"


def environnement() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(RACINE), os.environ.get("PYTHONPATH")]))
    env.update(GIT_AUTHOR_NAME="Mesure", GIT_AUTHOR_EMAIL="mesure@exemple.invalid",
               GIT_COMMITTER_NAME="Mesure", GIT_COMMITTER_EMAIL="mesure@exemple.invalid", GIT_CONFIG_NOSYSTEM="1")
    return env


def chronometrer(commande: list[str], essais: int, cwd: Path | None = None) -> float:
    """Médiane, en ms, du temps réel de `commande` (un essai de chauffe écarté)."""
    env = environnement()
    durees = []
    for i in range(essais + 1):
        debut = time.perf_counter()
        fini = subprocess.run(commande, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd, check=False)
        duree = (time.perf_counter() - debut) * 1000
        if fini.returncode not in (0, 1):
            raise SystemExit(f"échec ({fini.returncode}) : {' '.join(commande)}\n{fini.stderr.decode()}")
        if i:
            durees.append(duree)
    return statistics.median(durees)


def copie_git(cible: Path) -> Path:
    """Une copie de exemples/chu-armorique dans un dépôt git neuf, commitée."""
    shutil.copytree(EXEMPLE, cible)
    env = environnement()
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(cible)], check=True, env=env)
    subprocess.run(["git", "-C", str(cible), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(cible), "commit", "-q", "-m", "Preuves"], check=True, env=env)
    return cible


PYTHON = sys.executable
