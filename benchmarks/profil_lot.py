"""Où passe le temps d'un lot à froid : `verificateur lot --jobs 1 --sans-cache` sous cProfile, sur les
N premiers dépôts d'une flotte (benchmarks/flotte.py), temps propre regroupé par module, puis les
fonctions les plus coûteuses.

    python benchmarks/profil_lot.py FLOTTE [--depots 100] [--fonctions 25] [--programme ID]

Avec --programme : le même lot avec `--programme ID` (l'éligibilité de chaque établissement).

Le profileur grossit les appels courts : ce sont des parts, pas des durées. Aucune assertion.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("flotte", type=Path)
    parser.add_argument("--depots", type=int, default=100)
    parser.add_argument("--fonctions", type=int, default=25)
    parser.add_argument("--programme", help="profiler `lot --programme ID` (par exemple care-domaine-1)")
    args = parser.parse_args()
    depots = sorted(e.path for e in os.scandir(args.flotte) if e.is_dir())[: args.depots]
    from verificateur.cli import main as cli

    with tempfile.TemporaryDirectory() as dossier:
        sys.argv = ["verificateur", "lot", *depots, "--date", "2026-10-01", "--format", "json", "--jobs", "1",
                    "--sans-cache", "--sans-progression", "--sortie", os.path.join(dossier, "lot.json")]
        if args.programme:
            sys.argv += ["--programme", args.programme]
        profil = cProfile.Profile()
        profil.enable()
        try:
            with redirect_stdout(io.StringIO()):
                cli()
        except SystemExit:
            pass
        profil.disable()
    stats = pstats.Stats(profil)
    total = sum(v[2] for v in stats.stats.values())
    par_module: Counter[str] = Counter()
    for (fichier, _, _), v in stats.stats.items():
        nom = fichier.split("site-packages/")[-1] if "site-packages/" in fichier else (
            "verificateur/" + fichier.split("/verificateur/")[-1] if "/verificateur/" in fichier else
            ("stdlib " + Path(fichier).name if fichier.startswith("/") else fichier))
        par_module[nom] += v[2]
    print(f"{len(depots)} dépôts, temps propre total sous profileur : {total:.2f} s ({total * 1000 / len(depots):.1f} ms par dépôt)")
    print(f"{'part':>6}  module (temps propre)")
    for nom, t in par_module.most_common(20):
        print(f"{100 * t / total:5.1f} %  {nom}")
    print()
    sortie = io.StringIO()
    pstats.Stats(profil, stream=sortie).sort_stats("cumulative").print_stats(args.fonctions)
    print("\n".join(l for l in sortie.getvalue().splitlines() if l.strip())[:6000])


if __name__ == "__main__":
    main()
