"""Le chemin du crochet : `verificateur evaluer --index` et `verificateur crochet` face à
`python -c "import yaml"` (le même interpréteur, le même environnement virtuel).

    python benchmarks/demarrage.py [--essais 21]

Toutes les commandes sont lancées à tour de rôle dans une même série (benchmarks/commun.py,
`entrelacer`) sur une copie git de exemples/chu-armorique : seuls leurs rapports comptent sur une
machine partagée. Le catalogue validé est en cache (cache_catalogue.py, le cas de chaque commit après
le premier) ; une ligne « cache froid » le vide avant chaque lancement. Le « plancher » est
benchmarks/crochet_minimal.py : lister l'index, un `git cat-file --batch`, CSafeLoader, JSON, sans le
code du projet. Objectif : evaluer --index et crochet ≤ 2,5× import yaml. Aucune assertion : des chiffres.

`--postes N` : où passe le temps processeur d'un `evaluer --index --format json` (cache chaud), poste
par poste (`getrusage`, processus git compris), médiane de N processus neufs qui refont ses étapes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import PYTHON, RACINE, charge, copie_git, entrelacer, environnement  # noqa: E402

OBJECTIF = 2.5


def imports(depot: Path, env: dict[str, str], nombre: int) -> None:
    fini = subprocess.run([PYTHON, "-X", "importtime", "-m", "verificateur", "evaluer", "--index", "--date", "2026-10-01",
                           "--format", "json"], cwd=depot, env=env, capture_output=True, text=True, check=False)
    lignes = []
    for ligne in fini.stderr.splitlines():
        if not ligne.startswith("import time:") or "cumulative" in ligne:
            continue
        soi, cumul, nom = ligne[len("import time:"):].split("|", 2)
        profondeur = (len(nom) - len(nom.lstrip())) // 2
        lignes.append((int(cumul), int(soi), profondeur, nom.strip()))
    total = sum(c for c, _, p, _ in lignes if p == 0)
    print(f"imports de evaluer --index (cache chaud) : {total / 1000:.1f} ms (cumul des imports de premier niveau)")
    print(f"{'cumul ms':>9} {'propre ms':>9}  module (premier niveau)")
    for cumul, soi, _, nom in sorted((l for l in lignes if l[2] == 0), reverse=True)[:nombre]:
        print(f"{cumul / 1000:9.1f} {soi / 1000:9.1f}  {nom}")
    absents = [m for m in ("jsonschema", "tabulate", "jinja2", "verificateur.politiques.typage") if not any(l[3] == m for l in lignes)]
    print(f"non importés : {', '.join(absents) or 'aucun'}\n")


# Les étapes de `evaluer --index --format json` (cli.evaluer, moteur.evaluer_source), chacune chronométrée
# en temps processeur du processus et de ses enfants git ; imprime un JSON {poste: ms}.
_POSTES = r"""
import json, resource, sys
def _cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime) * 1000
postes, t = {}, [_cpu()]
def poste(nom):
    n = _cpu(); postes[nom] = n - t[0]; t[0] = n
import yaml; poste("import yaml")
import click, verificateur.cli; poste("import click et verificateur.cli")
from datetime import date
from verificateur import evaluation, preuves
from verificateur.evaluation import rapport
from verificateur.git.depot_git import SourceIndex
from verificateur.rendus import FORMATS
poste("import du moteur (évaluation, langage, preuves, politiques, rapport), de git/ et des rendus")
from verificateur.politiques import cache_catalogue
catalogue = cache_catalogue.charger(None, None); poste("catalogue (cache)")
source = SourceIndex("."); source.lister(); poste("git : dépôt, HEAD, index, tailles (rev-parse, cat-file, ls-files)")
lues = preuves.charger(source); poste("preuves.charger : contenus (cat-file), analyse, validation")
dates = source.dates_ajout(); poste("fraîcheur (2 git log)")
evaluee = evaluation.evaluer(catalogue, lues, date(2026, 10, 1), dates); poste("évaluation des règles")
resultat = rapport.construire(evaluee, lues, catalogue, "mineure"); poste("rapport et empreinte")
texte = FORMATS["json"].rendre(resultat, {"details": False, "couleur": False, "csv_standard": False, "a_venir": None}); poste("rendu JSON")
print(json.dumps(postes))
"""


def postes(depot: Path, env: dict[str, str], essais: int) -> None:
    mesures: dict[str, list[float]] = {}
    for _ in range(essais):
        fini = subprocess.run([PYTHON, "-c", _POSTES], cwd=depot, env=env, capture_output=True, text=True, check=True)
        for nom, ms in json.loads(fini.stdout.splitlines()[-1]).items():
            mesures.setdefault(nom, []).append(ms)
    total = sum(statistics.median(v) for v in mesures.values())
    print(f"postes de evaluer --index --format json (processeur, médiane de {essais} processus ; total {total:.1f} ms) :")
    for nom, valeurs in mesures.items():
        print(f"{statistics.median(valeurs):8.1f} ms  {nom}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--essais", type=int, default=21)
    parser.add_argument("--imports", type=int, default=12)
    parser.add_argument("--postes", type=int, default=0, metavar="N", help="décomposer le temps processeur (N processus)")
    parser.add_argument("--avant", type=Path, metavar="DOSSIER",
                        help="une autre copie du projet (git worktree add DOSSIER REV) : ses evaluer --index et crochet, "
                             "mesurés dans la même série")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        depot = copie_git(Path(dossier) / "chu-armorique")
        env = environnement() | {"XDG_CACHE_HOME": str(Path(dossier) / "cache")}
        froid = Path(dossier) / "cache-froid"
        env_froid = environnement() | {"XDG_CACHE_HOME": str(froid)}
        evaluer = [PYTHON, "-m", "verificateur", "evaluer", "--index", "--date", "2026-10-01"]
        commandes = {
            "python -c pass": {"argv": [PYTHON, "-c", "pass"]},
            "python -c 'import yaml'": {"argv": [PYTHON, "-c", "import yaml"]},
            "plancher (crochet_minimal.py)": {"argv": [PYTHON, str(RACINE / "benchmarks" / "crochet_minimal.py")], "cwd": depot},
            "evaluer --index --format json": {"argv": [*evaluer, "--format", "json"], "cwd": depot, "env": env},
            "crochet": {"argv": [PYTHON, "-m", "verificateur", "crochet", ".", "--date", "2026-10-01"], "cwd": depot, "env": env},
            "evaluer --index (texte)": {"argv": evaluer, "cwd": depot, "env": env},
            "evaluer --index json, cache froid": {"argv": [*evaluer, "--format", "json"], "cwd": depot, "env": env_froid,
                                                 "avant": lambda: shutil.rmtree(froid, ignore_errors=True)},
        }
        if args.avant:
            env_avant = env | {"PYTHONPATH": str(args.avant.resolve())}
            commandes["evaluer --index json (--avant)"] = {"argv": [*evaluer, "--format", "json"], "cwd": depot, "env": env_avant}
            commandes["crochet (--avant)"] = {"argv": commandes["crochet"]["argv"], "cwd": depot, "env": env_avant}
        subprocess.run(commandes["crochet"]["argv"], cwd=depot, env=env, capture_output=True, check=False)  # inscrit le catalogue
        imports(depot, env, args.imports)
        if args.postes:
            postes(depot, env, args.postes)
        avant = charge()
        mesures = entrelacer(commandes, args.essais)
        apres = charge()
    base = mesures["python -c 'import yaml'"]
    print(f"médianes de {args.essais} lancements entrelacés (Python {sys.version.split()[0]}, {RACINE}) ; "
          f"charge (1, 5, 15 min) avant {avant}, après {apres}")
    print(f"{'commande':<36} {'réel ms':>8} {'× yaml':>7} {'processeur ms':>14} {'× yaml':>7}")
    for nom, m in mesures.items():
        print(f"{nom:<36} {m['reel']:8.1f} {m['reel'] / base['reel']:6.2f}× {m['cpu']:14.1f} {m['cpu'] / base['cpu']:6.2f}×")
    for nom in ("evaluer --index --format json", "crochet"):
        rapport = mesures[nom]["reel"] / base["reel"]
        print(f"{nom} / import yaml : {rapport:.2f}× (objectif ≤ {OBJECTIF}× : {'tenu' if rapport <= OBJECTIF else 'non tenu'})")


if __name__ == "__main__":
    main()
