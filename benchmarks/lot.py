"""`verificateur lot` sur une flotte nationale synthétique, face à une base pure « lire et analyser ».

    python benchmarks/lot.py [--tailles 300,3000] [--essais 3] [--jobs J] [--flottes DOSSIER] [--programme ID]

Pour chaque taille N, la flotte est générée par benchmarks/flotte.py (graine 1 ; gardée dans
--flottes si ce dossier est donné, pour ne pas la régénérer), puis, à chaque essai, dans cet ordre :
- pure (l'étalon) : J processus, sans une ligne du projet : pour chaque dépôt, un seul
  `git cat-file --batch` lit HEAD (arbres parcourus par lui, puis chaque fichier .yaml/.yml, .csv,
  .md), chaque YAML analysé par `yaml.CSafeLoader`, chaque CSV par `csv` ;
- base projet : les dépôts découverts et ouverts comme le lot, les mêmes preuves lues et analysées par
  le chargeur du projet (`lecture.lire_yaml`…), sans validation, évaluation ni rapport (l'ancien
  étalon : il cache l'écart, puisqu'il paie déjà les imports et le chargeur du projet) ;
- froid : `verificateur lot FLOTTE --format json` avec un dossier de cache neuf (vide) ;
- chaud : la même commande relancée sur le même cache (dépôts inchangés) ;
- programme : `lot --programme ID` à froid (cache neuf), comparé au lot à froid.
Une lecture de chauffe (la base pure, non comptée) précède les essais : tous trouvent la flotte en
mémoire. Les mesures lancent un instantané du code (verificateur/, politiques/, referentiels/ copiés
au départ) : la clé du cache comprend l'empreinte du code du paquet. Chaque mesure est un processus
neuf ; temps réel et temps processeur (utilisateur + système, enfants compris : c'est lui qui compare
le lot à la base pure, la charge de la machine le touche peu) ; mémoire = ru_maxrss de wait4 (le plus
gros processus de l'arbre). Médiane des essais. Aucune assertion : des chiffres (docs/performances.md).
"""

from __future__ import annotations

import argparse
import contextlib
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
    from verificateur import preuves
    from verificateur.lot.decouverte import Tache
    from verificateur.lot.tache import ouvrir
    from verificateur.socle import lecture
    from verificateur.socle.problemes import ErreurVerificateur
    from verificateur.sources import TAILLE_MAX_FICHIER

    source = None
    try:
        source, _ = ouvrir(Tache(chemin))
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


def _lire_pur(chemin: str) -> int:
    """Un dépôt lu à HEAD par un seul `git cat-file --batch` (arbres puis fichiers, niveau par niveau),
    chaque preuve analysée par CSafeLoader ou csv : le plancher, sans code du projet."""
    import csv
    import io

    import yaml

    git_dir = os.path.join(chemin, ".git")
    if not os.path.isdir(git_dir):
        git_dir = chemin if os.path.isfile(os.path.join(chemin, "HEAD")) else None
    if git_dir is None:
        return 0
    processus = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lus = 0

    def demander(noms: list[str]) -> list[bytes | None]:
        processus.stdin.write("".join(n + "\n" for n in noms).encode())
        processus.stdin.flush()
        reponses = []
        for _ in noms:
            tete = processus.stdout.readline().split()
            if len(tete) != 3:
                reponses.append(None)
                continue
            contenu = processus.stdout.read(int(tete[2]))
            processus.stdout.read(1)
            reponses.append(contenu)
        return reponses

    try:
        arbres, prefixes = ["HEAD^{tree}"], [""]
        while arbres:
            fichiers, sous_arbres, sous_prefixes = [], [], []
            for arbre, prefixe in zip(demander(arbres), prefixes):
                i = 0
                while arbre and i < len(arbre):
                    espace, nul = arbre.index(b" ", i), arbre.index(b"\0", i)
                    mode, nom, sha = arbre[i:espace], arbre[espace + 1 : nul].decode(), arbre[nul + 1 : nul + 21].hex()
                    i = nul + 21
                    if mode == b"40000":
                        sous_arbres.append(sha)
                        sous_prefixes.append(prefixe + nom + "/")
                    elif nom.endswith((".yaml", ".yml", ".csv", ".md")) and mode in (b"100644", b"100755"):
                        fichiers.append((prefixe + nom, sha))
            for (nom, _), contenu in zip(fichiers, demander([sha for _, sha in fichiers])):
                if contenu is None:
                    continue
                try:
                    texte = contenu.decode("utf-8")
                    if nom.endswith(".csv"):
                        list(csv.reader(io.StringIO(texte)))
                    elif nom.endswith(".md"):
                        pass
                    else:
                        yaml.load(texte, Loader=yaml.CSafeLoader)
                except (ValueError, yaml.YAMLError, csv.Error):
                    pass  # un fichier malformé de la flotte : lu, comme le lot le lit
                lus += 1
            arbres, prefixes = sous_arbres, sous_prefixes
    finally:
        processus.stdin.close()
        processus.stdout.close()
        processus.wait()
    return lus


def base_pure(dossier: str, jobs: int) -> None:
    import multiprocessing

    chemins = sorted(e.path for e in os.scandir(dossier) if e.is_dir())
    with multiprocessing.get_context().Pool(jobs) as groupe:
        lus = sum(groupe.imap_unordered(_lire_pur, chemins, chunksize=8))
    print(json.dumps({"depots": len(chemins), "fichiers": lus}))


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
    # La mémoire par /usr/bin/time (%M) : Linux garde, à travers fork et exec, le maximum résident du
    # parent ; mesuré directement, chaque commande héritait de celui du banc (jusqu'à 63 Mo après
    # la lecture d'un JSON de lot ou la génération d'une flotte), quelle que soit sa propre mémoire.
    chrono = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    with tempfile.TemporaryFile() as sortie, tempfile.TemporaryFile() as erreurs, tempfile.NamedTemporaryFile() as rss:
        if chrono:
            commande = [chrono, "-f", "%M", "-o", rss.name, *commande]
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
        memoire = usage.ru_maxrss
        if chrono:
            with contextlib.suppress(OSError, ValueError, IndexError):
                memoire = int(Path(rss.name).read_text().split()[-1])
        return duree, usage.ru_utime + usage.ru_stime, memoire // 1024, sortie.read().decode()


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
    parser.add_argument("--tailles", default="300,3000", help="tailles de flotte, séparées par des virgules")
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="processus d'évaluation (défaut : les cœurs)")
    parser.add_argument("--graine", type=int, default=1)
    parser.add_argument("--flottes", type=Path, help="dossier où garder les flottes générées (défaut : temporaire)")
    parser.add_argument("--programme", default="care-domaine-1", help="programme de `lot --programme` (défaut : care-domaine-1)")
    parser.add_argument("--base", metavar="DOSSIER", help=argparse.SUPPRESS)  # usage interne : la base seule
    parser.add_argument("--base-pure", metavar="DOSSIER", help=argparse.SUPPRESS)  # usage interne : la base pure
    args = parser.parse_args()
    if args.base:
        base(args.base, args.jobs)
        return
    if args.base_pure:
        base_pure(args.base_pure, args.jobs)
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
            mesures: dict[str, list[tuple[float, float, int]]] = {"pure": [], "base": [], "froid": [], "chaud": [], "programme": []}
            bilan = ""
            banc = [PYTHON, str(Path(__file__).resolve())]
            # Chauffe écartée : sans elle, la base du premier essai lit la flotte sur disque et le lot
            # la trouve ensuite en mémoire (la base était ainsi rendue plus lente que le lot ne l'est).
            mesurer([*banc, "--base-pure", str(dossier), "--jobs", str(args.jobs)], env)
            for essai in range(args.essais):
                cache = Path(temporaire) / f"cache-{n}-{essai}"
                sortie_json = Path(temporaire) / "lot.json"
                lot = [PYTHON, "-m", "verificateur", "lot", str(dossier), "--date", DATE, "--format", "json",
                       "--sortie", str(sortie_json), "--cache", str(cache), "--jobs", str(args.jobs), "--sans-progression"]
                duree, cpu, memoire, sortie = mesurer([*banc, "--base-pure", str(dossier), "--jobs", str(args.jobs)], env)
                mesures["pure"].append((duree, cpu, memoire))
                pures = json.loads(sortie)
                duree, cpu, memoire, sortie = mesurer([*banc, "--base", str(dossier), "--jobs", str(args.jobs)], env)
                mesures["base"].append((duree, cpu, memoire))
                lus = json.loads(sortie)
                for nom in ("froid", "chaud"):
                    duree, cpu, memoire, _ = mesurer(lot, env)
                    mesures[nom].append((duree, cpu, memoire))
                shutil.rmtree(cache, ignore_errors=True)
                if args.programme:
                    duree, cpu, memoire, _ = mesurer([*lot, "--programme", args.programme], env)
                    mesures["programme"].append((duree, cpu, memoire))
                    shutil.rmtree(cache, ignore_errors=True)
                if not bilan:
                    s = json.loads(sortie_json.read_text())["synthese"]
                    bilan = (f"{s['depots']} dépôts : {s['evalues']} évalués ({s['conformes']} conformes), {s['echecs']} échecs ; "
                             f"base pure : {pures['fichiers']} fichiers lus et analysés ; base projet : {lus['fichiers']} preuves")
                print(f"  N={n} essai {essai + 1} : "
                      + ", ".join(f"{k} {v[-1][0]:.1f} s ({v[-1][1]:.1f} s processeur, {v[-1][2]} Mo)" for k, v in mesures.items() if v)
                      + f" ; charge {charge()}", flush=True)
            med = {k: (statistics.median(d for d, _, _ in v), statistics.median(c for _, c, _ in v), max(m for _, _, m in v))
                   for k, v in mesures.items() if v}
            lignes.append((n, med, bilan))
            print(f"  {bilan}", flush=True)
    finally:
        shutil.rmtree(temporaire, ignore_errors=True)
    print()
    print("| N | pure | base projet | lot à froid | lot à chaud | lot --programme | processeur pure / froid | "
          "froid / pure (processeur) | froid / base projet (processeur) | programme / froid (réel) | mémoire max froid / chaud |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, med, _ in lignes:
        (p, pc, _), (b, bc, _), (f, fc, fm), (c, _, cm) = med["pure"], med["base"], med["froid"], med["chaud"]
        g = med.get("programme", (float("nan"), float("nan"), 0))
        print(f"| {n} | {p:.1f} s | {b:.1f} s | {f:.1f} s | {c:.1f} s | {g[0]:.1f} s | {pc:.1f} / {fc:.1f} s | {fc / pc:.2f}× "
              f"| {fc / bc:.2f}× | {g[0] / f:.2f}× | {fm} / {cm} Mo |".replace(".", ","))
    if len(lignes) > 1:
        (n0, m0, _), (n1, m1, _) = lignes[0], lignes[-1]
        print(f"\nmémoire du lot à froid de {n0} à {n1} dépôts : {m0['froid'][2]} → {m1['froid'][2]} Mo "
              f"({m1['froid'][2] - m0['froid'][2]:+d} Mo ; objectif : plat, ± 2 Mo)")
    print(f"\ncharge à la fin : {charge()}")


if __name__ == "__main__":
    main()
