"""Écrit les contraintes « nom==version » des bornes basses que pyproject.toml déclare (dépendances
et extra `test`), pour vérifier que la suite passe avec les plus anciennes versions promises :

    python scripts/bornes_basses.py > contraintes.txt
    pip install -c contraintes.txt -e ".[test]"

Seules les dépendances directes sont fixées (comme `--resolution lowest-direct` d'uv) ; les
dépendances de celles-ci prennent la version que pip choisit. Une dépendance sans borne basse
« >= » est une erreur : sa plus ancienne version n'aurait jamais été essayée."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
_EXIGENCE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([0-9][A-Za-z0-9.]*)\s*(?:,.*)?$")


def contraintes(pyproject: Path = RACINE / "pyproject.toml") -> list[str]:
    projet = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    exigences = list(projet["dependencies"]) + list(projet["optional-dependencies"]["test"])
    resultat = []
    for exigence in exigences:
        trouve = _EXIGENCE.match(exigence)
        if trouve is None:
            raise SystemExit(f"pyproject.toml : « {exigence} » n'a pas de borne basse « >= »")
        resultat.append(f"{trouve.group(1)}=={trouve.group(2)}")
    return resultat


if __name__ == "__main__":
    sys.stdout.write("".join(f"{ligne}\n" for ligne in contraintes()))
