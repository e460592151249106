"""Démarrage de `verificateur evaluer --index` (le crochet pre-commit) face à `python -c "import yaml"`.

    python benchmarks/demarrage.py [--essais 21]

Affiche les imports les plus coûteux (python -X importtime), puis la médiane du temps réel de
chaque commande et leur rapport (objectif : ≤ 3×). Aucune assertion : des chiffres.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import PYTHON, RACINE, chronometrer, copie_git, environnement  # noqa: E402


def imports(depot: Path, nombre: int) -> None:
    fini = subprocess.run([PYTHON, "-X", "importtime", "-m", "verificateur", "evaluer", "--index", "--date", "2026-10-01",
                           "--format", "json"], cwd=depot, env=environnement(), capture_output=True, text=True, check=False)
    lignes = []
    for ligne in fini.stderr.splitlines():
        if not ligne.startswith("import time:") or "cumulative" in ligne:
            continue
        soi, cumul, nom = ligne[len("import time:"):].split("|", 2)
        profondeur = (len(nom) - len(nom.lstrip())) // 2
        lignes.append((int(cumul), int(soi), profondeur, nom.strip()))
    total = sum(c for c, _, p, _ in lignes if p == 0)
    print(f"imports : {total / 1000:.1f} ms au total (cumul des imports de premier niveau)")
    print(f"{'cumul ms':>9} {'propre ms':>9}  module (premier niveau)")
    for cumul, soi, profondeur, nom in sorted((l for l in lignes if l[2] == 0), reverse=True)[:nombre]:
        print(f"{cumul / 1000:9.1f} {soi / 1000:9.1f}  {nom}")
    print(f"\n{'cumul ms':>9} {'propre ms':>9}  module (tous niveaux, les plus lourds)")
    for cumul, soi, profondeur, nom in sorted(lignes, key=lambda l: -l[1])[:nombre]:
        print(f"{cumul / 1000:9.1f} {soi / 1000:9.1f}  {'  ' * profondeur}{nom}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--essais", type=int, default=21)
    parser.add_argument("--imports", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        depot = copie_git(Path(dossier) / "chu-armorique")
        imports(depot, args.imports)
        rien = chronometrer([PYTHON, "-c", "pass"], args.essais)
        yaml = chronometrer([PYTHON, "-c", "import yaml"], args.essais)
        evaluer = chronometrer([PYTHON, "-m", "verificateur", "evaluer", "--index", "--date", "2026-10-01", "--format", "json"],
                               args.essais, cwd=depot)
    print(f"\nmédiane de {args.essais} essais (Python {sys.version.split()[0]}, {RACINE})")
    print(f"python -c pass                                    {rien:8.1f} ms")
    print(f"python -c 'import yaml'                           {yaml:8.1f} ms")
    print(f"verificateur evaluer --index --format json        {evaluer:8.1f} ms")
    print(f"rapport evaluer / import yaml : {evaluer / yaml:.2f}× (objectif ≤ 3×)")


if __name__ == "__main__":
    main()
