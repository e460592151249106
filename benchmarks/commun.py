"""Outils des mesures : lancer la CLI comme l'utilisateur (un processus neuf), médiane de N essais."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
EXEMPLE = RACINE / "exemples" / "chu-armorique"


_BYTECODE = Path(tempfile.gettempdir()) / f"verificateur-bancs-pycache-{os.getuid()}"


def environnement() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    # Le bytecode compilé est gardé (hors de l'arbre des sources), comme après `pip install`, qui
    # compile les modules : sans lui (PYTHONDONTWRITEBYTECODE=1), chaque lancement recompilait les
    # modules du projet, ≈ 140 ms de plus au crochet, que `import yaml` (déjà compilé) ne payait pas.
    env["PYTHONPYCACHEPREFIX"] = str(_BYTECODE)
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


def lancer_mesure(commande: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(temps réel ms, temps processeur ms — utilisateur + système, enfants compris —, mémoire max Ko)
    d'un processus neuf. Le temps processeur dépend bien moins que le temps réel de la charge de la
    machine : c'est lui que les rapports comparent en premier."""
    debut = time.perf_counter()
    processus = subprocess.Popen(commande, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=env or environnement())
    _, statut, usage = os.wait4(processus.pid, 0)
    reel = (time.perf_counter() - debut) * 1000
    erreur = processus.stderr.read().decode(errors="replace") if processus.stderr else ""
    if processus.stderr:
        processus.stderr.close()
    code = os.waitstatus_to_exitcode(statut)
    if code not in (0, 1):
        raise SystemExit(f"échec ({code}) : {' '.join(commande)}\n{erreur}")
    return reel, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss


def entrelacer(commandes: dict[str, dict], essais: int) -> dict[str, dict[str, float]]:
    """Chaque commande lancée `essais` fois, à tour de rôle (l'ordre tourne à chaque tour) : une
    charge passagère de la machine touche toutes les commandes à peu près également. Un tour de
    chauffe non compté. `commandes` : nom → {"argv", "cwd"?, "env"?, "avant"?: fonction appelée
    juste avant chaque lancement}. Rend, par nom, les médianes du temps réel et du temps processeur."""
    noms = list(commandes)
    mesures: dict[str, list[tuple[float, float, int]]] = {n: [] for n in noms}
    for tour in range(essais + 1):
        decalage = tour % len(noms)
        for nom in noms[decalage:] + noms[:decalage]:
            c = commandes[nom]
            if c.get("avant"):
                c["avant"]()
            mesure = lancer_mesure(c["argv"], c.get("cwd"), c.get("env"))
            if tour:
                mesures[nom].append(mesure)
    return {n: {"reel": statistics.median(m[0] for m in v), "cpu": statistics.median(m[1] for m in v),
                "memoire": max(m[2] for m in v)} for n, v in mesures.items()}


def charge() -> str:
    """La charge de la machine (/proc/loadavg), à citer avec chaque mesure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "inconnue"
