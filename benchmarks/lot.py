"""`verificateur lot` sur une flotte nationale synthétique, face à une base « lire et analyser seulement ».

    python benchmarks/lot.py [--tailles 300,1000,3000] [--essais 3] [--jobs J] [--flottes DOSSIER]

Pour chaque taille N, la flotte est générée par benchmarks/flotte.py (graine 1 ; gardée dans
--flottes si ce dossier est donné, pour ne pas la régénérer), puis, à chaque essai :
- base : les mêmes dépôts découverts comme le lot (`lot.decouvrir`), ouverts comme lui (arbre de
  travail ; HEAD d'un dépôt nu), les mêmes preuves lues et analysées par le chargeur du projet
  (`lecture.lire_yaml`, `lire_csv`, `lire_markdown`), sans validation, évaluation ni rapport, avec
  le même nombre de processus ;
- froid : `verificateur lot FLOTTE --format json` avec un dossier de cache neuf (vide) ;
- chaud : la même commande relancée sur le même cache (dépôts inchangés).
Une lecture de chauffe (la base, non comptée) précède les essais : tous trouvent la flotte en mémoire.
Les mesures lancent un instantané du code (verificateur/, politiques/, referentiels/ copiés au départ
dans un dossier temporaire) : la clé du cache comprend l'empreinte du code du paquet, et une
modification de l'arbre de travail pendant le banc invaliderait la relance à chaud.
Chaque mesure est un processus neuf, temps réel ; la mémoire est le maximum de la taille résidente
d'un processus (ru_maxrss de wait4 : le plus gros processus de l'arbre, pas la somme). Médiane des
essais. Aucune assertion : des chiffres (cibles : docs/performances.md, « Lot à l'échelle nationale »).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import PYTHON, RACINE, environnement  # noqa: E402

DATE = "2026-10-01"


# -- la base : lire et analyser seulement (lancée dans un processus neuf par `--base`) ------------


def _lire_analyser(chemin: str) -> int:
    """Les preuves d'un dépôt lues et analysées comme le ferait le lot ; le nombre de fichiers lus."""
    from verificateur import lecture, lot, preuves
    from verificateur.problemes import ErreurVerificateur
    from verificateur.sources import TAILLE_MAX_FICHIER

    source = None
    try:
        source, _ = lot._ouvrir(lot.Tache(chemin))
        fichiers = source.lister()
        a_lire = {c: t for c, taille in fichiers.items() if taille <= TAILLE_MAX_FICHIER and (t := preuves.type_de(c))}
        contenus = source.lire(sorted(a_lire))
        for c, type_preuve in a_lire.items():
            analyse = {"yaml": lecture.lire_yaml, "csv": lecture.lire_csv}.get(type_preuve.format, lecture.lire_markdown)
            analyse(c, contenus[c])
        return len(a_lire)
    except (ErreurVerificateur, OSError):
        return 0
    finally:
        fermer = getattr(source, "fermer", None)
        if fermer:
            fermer()


def base(dossier: str, jobs: int) -> None:
    import multiprocessing

    from verificateur import lot

    chemins = [t.chemin for t in lot.decouvrir([dossier])]
    if jobs <= 1:
        lus = sum(map(_lire_analyser, chemins))
    else:
        with multiprocessing.get_context().Pool(jobs) as groupe:
            lus = sum(groupe.imap_unordered(_lire_analyser, chemins, chunksize=2))
    print(json.dumps({"depots": len(chemins), "fichiers": lus}))


# -- mesures ----------------------------------------------------------------------------------------


def instantane(cible: Path) -> dict[str, str]:
    """Copie du code et des données livrées ; l'environnement qui le fait importer à la place de l'arbre."""
    for nom in ("verificateur", "politiques", "referentiels"):
        shutil.copytree(RACINE / nom, cible / nom, ignore=shutil.ignore_patterns("__pycache__"))
    env = environnement()
    env["PYTHONPATH"] = str(cible)
    return env


def mesurer(commande: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(secondes de temps réel, secondes de processeur — utilisateur + système, enfants compris —, Mo
    résidents du plus gros processus, sortie standard) d'une commande neuve. Le temps processeur
    dépend peu de la charge de la machine : il départage quand le temps réel est bruité.
    Sorties vers des fichiers (pas des tubes : un tube plein bloquerait l'enfant avant wait4)."""
    with tempfile.TemporaryFile() as sortie, tempfile.TemporaryFile() as erreurs:
        debut = time.perf_counter()
        # Dossier courant : l'instantané (sinon `python -m` importerait l'arbre de travail courant).
        processus = subprocess.Popen(commande, stdout=sortie, stderr=erreurs, env=env, cwd=env["PYTHONPATH"])
        _, statut, usage = os.wait4(processus.pid, 0)
        duree = time.perf_counter() - debut
        processus.returncode = code = os.waitstatus_to_exitcode(statut)
        sortie.seek(0)
        erreurs.seek(0)
        if code not in (0, 1, 4):  # 4 : des dépôts cassés, voulus dans la flotte
            raise SystemExit(f"échec ({code}) : {' '.join(commande)}\n{erreurs.read().decode()[-2000:]}")
        return duree, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, sortie.read().decode()


def flotte(n: int, racine: Path, graine: int) -> Path:
    import flotte as generateur

    dossier = racine / f"flotte-{n}-{graine}"
    if not (dossier.with_name(dossier.name + ".json")).exists():
        shutil.rmtree(dossier, ignore_errors=True)
        debut = time.perf_counter()
        generateur.generer(n, dossier, graine)
        print(f"flotte de {n} dépôts générée en {time.perf_counter() - debut:.1f} s ({dossier})", flush=True)
    return dossier


def charge() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tailles", default="300,1000,3000", help="tailles de flotte, séparées par des virgules")
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="processus d'évaluation (défaut : les cœurs)")
    parser.add_argument("--graine", type=int, default=1)
    parser.add_argument("--flottes", type=Path, help="dossier où garder les flottes générées (défaut : temporaire)")
    parser.add_argument("--base", metavar="DOSSIER", help=argparse.SUPPRESS)  # usage interne : la base seule
    args = parser.parse_args()
    if args.base:
        base(args.base, args.jobs)
        return
    tailles = [int(t) for t in args.tailles.split(",")]
    temporaire = tempfile.mkdtemp(prefix="banc-lot-")
    racine = (args.flottes or Path(temporaire)).resolve()
    env = instantane(Path(temporaire) / "code")
    racine.mkdir(parents=True, exist_ok=True)
    print(f"machine : {os.cpu_count()} cœurs, Python {sys.version.split()[0]} ; charge au départ : {charge()} ; "
          f"--jobs {args.jobs}, {args.essais} essai(s), médianes", flush=True)
    lignes = []
    try:
        for n in tailles:
            dossier = flotte(n, racine, args.graine)
            mesures: dict[str, list[tuple[float, float, int]]] = {"base": [], "froid": [], "chaud": []}
            bilan = ""
            # Chauffe écartée : sans elle, la base du premier essai lit la flotte sur disque et le lot
            # la trouve ensuite en mémoire (la base était ainsi rendue plus lente que le lot ne l'est).
            mesurer([PYTHON, str(Path(__file__).resolve()), "--base", str(dossier), "--jobs", str(args.jobs)], env)
            for essai in range(args.essais):
                cache = Path(temporaire) / f"cache-{n}-{essai}"
                sortie_json = Path(temporaire) / "lot.json"
                lot = [PYTHON, "-m", "verificateur", "lot", str(dossier), "--date", DATE, "--format", "json",
                       "--sortie", str(sortie_json), "--cache", str(cache), "--jobs", str(args.jobs), "--sans-progression"]
                duree, cpu, memoire, sortie = mesurer([PYTHON, str(Path(__file__).resolve()), "--base", str(dossier), "--jobs", str(args.jobs)], env)
                mesures["base"].append((duree, cpu, memoire))
                lus = json.loads(sortie)
                for nom in ("froid", "chaud"):
                    duree, cpu, memoire, _ = mesurer(lot, env)
                    mesures[nom].append((duree, cpu, memoire))
                shutil.rmtree(cache, ignore_errors=True)
                if not bilan:
                    s = json.loads(sortie_json.read_text())["synthese"]
                    bilan = (f"{s['depots']} dépôts : {s['evalues']} évalués ({s['conformes']} conformes), {s['echecs']} échecs ; "
                             f"base : {lus['fichiers']} preuves lues et analysées")
                print(f"  N={n} essai {essai + 1} : " + ", ".join(f"{k} {v[-1][0]:.1f} s ({v[-1][1]:.1f} s processeur)" for k, v in mesures.items())
                      + f" ; charge {charge()}", flush=True)
            med = {k: (statistics.median(d for d, _, _ in v), statistics.median(c for _, c, _ in v), max(m for _, _, m in v))
                   for k, v in mesures.items()}
            lignes.append((n, med, bilan))
            print(f"  {bilan}", flush=True)
    finally:
        shutil.rmtree(temporaire, ignore_errors=True)
    print()
    print("| N | base (lire + analyser) | lot à froid | dépôts/s à froid | froid / base | lot à chaud "
          "| processeur base / froid / chaud | processeur froid / base | mémoire max base / froid / chaud |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, med, _ in lignes:
        (b, bc, bm), (f, fc, fm), (c, cc, cm) = med["base"], med["froid"], med["chaud"]
        print(f"| {n} | {b:.1f} s | {f:.1f} s | {n / f:.0f} | {f / b:.2f}× | {c:.1f} s "
              f"| {bc:.1f} / {fc:.1f} / {cc:.1f} s | {fc / bc:.2f}× | {bm} / {fm} / {cm} Mo |".replace(".", ","))
    print(f"\ncharge à la fin : {charge()}")


if __name__ == "__main__":
    main()
