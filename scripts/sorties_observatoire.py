"""Réécrit les sorties montrées dans docs/observatoire.md §2 en rejouant ses commandes dans un dossier
temporaire (le décor de tests/test_observatoire.py) ; à lancer quand une politique, un exemple ou un
rendu change, puis relire le diff (le texte qui commente les sorties peut devoir suivre).

    python scripts/sorties_observatoire.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE / "tests"))

from test_observatoire import DOCUMENT, decor_de_la_routine  # noqa: E402


def main() -> None:
    dossier = Path(tempfile.mkdtemp(prefix="routine-observatoire-"))
    decor_de_la_routine(dossier)
    env = {**os.environ, "PYTHONPATH": str(RACINE), "XDG_CACHE_HOME": str(dossier / "cache"),
           "XDG_DATA_HOME": str(dossier / "donnees")}

    def rejouer(trouve: re.Match[str]) -> str:
        commande = trouve.group(1)
        args = commande[len("$ verificateur "):].split()
        if args[0] == "lot":
            args += ["--sans-cache", "--jobs", "1"]  # comme le test
        fini = subprocess.run([sys.executable, "-m", "verificateur", *args], cwd=dossier, env=env, capture_output=True, text=True)
        return "```\n" + commande + "\n" + fini.stdout + fini.stderr + "```"

    texte = DOCUMENT.read_text(encoding="utf-8")
    DOCUMENT.write_text(re.sub(r"```\n(\$ verificateur [^\n]+)\n.*?```", rejouer, texte, flags=re.S), encoding="utf-8")
    print(f"{DOCUMENT.relative_to(RACINE)} réécrit ; relisez « git diff »")


if __name__ == "__main__":
    main()
