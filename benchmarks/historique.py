"""`verificateur historique --pas mois` sur un dépôt de 500 commits face à un seul `evaluer`.

    python benchmarks/historique.py [--commits 500] [--essais 5] [--avant DOSSIER] [--profil]

Première mesure : `historique` (cache des étapes vidé avant chaque lancement) face à `evaluer`.
Deuxième mesure : `historique` relancé sur le même dépôt inchangé, avec le même $XDG_CACHE_HOME,
face au premier lancement (tout le cache vidé avant chaque lancement) ; objectif : relance ≤ 0,3× le
premier. Les lancements sont entrelacés (benchmarks/commun.py).

Le dépôt est généré par `git fast-import` : le dépôt d'exemple chu-armorique, puis un commit tous les
deux jours environ (≈ 2 ans 9 mois), chacun modifiant une ou deux preuves (mesures, budget, veille,
formation, un nouvel incident de temps en temps, le README). Aucune assertion : des chiffres
(objectif : historique ≤ 5× evaluer).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import EXEMPLE, PYTHON, charge, entrelacer, environnement  # noqa: E402

# `--profil` : la relance servie par le cache, étape par étape, dans un processus neuf (temps processeur
# du processus et de ses enfants git, par getrusage).
PROFIL = """
import resource, sys
from datetime import date
def cpu():
    return [u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))]
t0 = cpu()
def lap(nom):
    global t0
    t = cpu()
    print(f"  {nom:38s} {1000 * (t[0] - t0[0]):6.1f} ms  (git : {1000 * (t[1] - t0[1]):5.1f} ms)")
    t0 = t
import verificateur.cli; lap("import de la CLI")
from verificateur.commandes import cache_historique, historique; lap("import de commandes.historique")
from verificateur.socle import caches
caches.empreinte_code(); lap("empreinte du code")
cache_historique.empreinte_fichiers((), ()); lap("empreinte des fichiers de politiques")
from verificateur.git.depot_git import Journal
journal = Journal(sys.argv[1]); lap("liste des commits")
demande = historique.CatalogueALaDemande((), (), lambda: 1 / 0)  # jamais chargé : tout est en cache
resultat = historique.historique(sys.argv[1], demande, None, date.fromisoformat(sys.argv[2]), journal=journal,
                                 cache=cache_historique.dossier_cache()); lap("points lus du cache")
from verificateur.rendus import historique as rendus
rendus.FORMATS["json"].rendre(resultat); lap("rendu json")
"""

DEBUT = datetime(2024, 1, 8, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def _donnee(contenu: bytes) -> bytes:
    return b"data %d\n" % len(contenu) + contenu + b"\n"


def generer(depot: Path, commits: int) -> tuple[str, str, int]:
    """Le dépôt et ses dates de premier et dernier commit ; le nombre de blobs distincts de preuve."""
    env = environnement()
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(depot)], check=True, env=env)
    fichiers = {p.relative_to(EXEMPLE).as_posix(): p.read_bytes() for p in sorted(EXEMPLE.rglob("*")) if p.is_file()}
    incident = next(c for c in fichiers if c.startswith("incidents/") and c.endswith(".yaml"))
    flux = bytearray()
    blobs = set()
    for i in range(commits):
        quand = DEBUT + timedelta(hours=48 * i + (i * 7) % 13)
        if i == 0:
            changes = dict(fichiers)
        else:
            changes = {}
            # Une ou deux preuves modifiées à chaque commit, comme le travail d'un RSSI.
            cible = ("securite/mesures.yaml", "budget/2026.yaml", "vulnerabilites/veille.yaml", "README.md",
                     "formation/2026.yaml")[i % 5]
            if cible in fichiers:
                if cible == "securite/mesures.yaml" and i % 10 == 0:
                    fichiers[cible] = fichiers[cible].replace(b"acces_distants: true", b"acces_distants: false") \
                        if b"acces_distants: true" in fichiers[cible] \
                        else fichiers[cible].replace(b"acces_distants: false", b"acces_distants: true")
                else:
                    fichiers[cible] += f"# révision {i}\n".encode()
                changes[cible] = fichiers[cible]
            if i % 25 == 0:
                nouveau = f"incidents/{quand:%Y-%m-%d}-signalement.yaml"
                fichiers[nouveau] = fichiers[incident]
                changes[nouveau] = fichiers[nouveau]
        for c in changes:
            blobs.add((c, changes[c]))
        horodatage = f"{int(quand.timestamp())} +0100".encode()
        flux += b"commit refs/heads/main\n"
        flux += b"committer Mesure <mesure@exemple.invalid> " + horodatage + b"\n"
        flux += _donnee(f"Commit {i}".encode())
        for chemin, contenu in sorted(changes.items()):
            flux += b"M 100644 inline " + chemin.encode() + b"\n" + _donnee(contenu)
        flux += b"\n"
    subprocess.run(["git", "-C", str(depot), "fast-import", "--quiet"], input=bytes(flux), check=True, env=env)
    subprocess.run(["git", "-C", str(depot), "reset", "-q", "--hard", "main"], check=True, env=env)
    fin = DEBUT + timedelta(hours=48 * (commits - 1) + 12)
    return DEBUT.date().isoformat(), fin.date().isoformat(), len(blobs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--essais", type=int, default=5)
    parser.add_argument("--avant", type=Path, metavar="DOSSIER",
                        help="un autre arbre des sources (git worktree add DOSSIER COMMIT) : "
                             "son premier lancement et sa relance, dans la même série")
    parser.add_argument("--profil", action="store_true", help="où passe le temps de la relance servie par le cache")
    args = parser.parse_args()
    fin = face_a_evaluer(args)
    relance(args, fin)


def face_a_evaluer(args: argparse.Namespace) -> str:
    """`historique` (cache des étapes vidé avant chaque lancement) face à un seul `evaluer` ; rend la
    date du dernier commit."""
    with tempfile.TemporaryDirectory() as dossier:
        depot = Path(dossier) / "depot"
        debut, fin, blobs = generer(depot, args.commits)
        historique = [PYTHON, "-m", "verificateur", "historique", str(depot), "--pas", "mois", "--jusqu-a", fin, "--format", "json"]
        sortie = subprocess.run(historique, capture_output=True, env=environnement(), check=True)
        etapes = json.loads(sortie.stdout)["etapes"]
        # Le cache des étapes vidé avant chaque lancement (celui du catalogue gardé, comme pour evaluer) :
        # ce rapport-ci mesure l'évaluation de toute l'histoire, pas la relance.
        xdg = Path(dossier) / "xdg"
        points = xdg / "verificateur" / "historique"
        evaluer = [PYTHON, "-m", "verificateur", "evaluer", str(depot), "--revision", "HEAD", "--date", fin, "--format", "json"]
        mesures = entrelacer({
            "historique": {"argv": historique, "env": environnement() | {"XDG_CACHE_HOME": str(xdg)},
                           "avant": lambda: shutil.rmtree(points, ignore_errors=True)},
            "evaluer": {"argv": evaluer, "env": environnement() | {"XDG_CACHE_HOME": str(xdg)}},
        }, args.essais)
        t_historique, t_evaluer = mesures["historique"]["reel"], mesures["evaluer"]["reel"]
    print(f"dépôt : {args.commits} commits du {debut} au {fin}, {blobs} contenus (chemin, blob) distincts ; "
          f"{len(etapes)} étapes mensuelles")
    print(f"médiane de {args.essais} essais entrelacés (historique : cache des étapes vidé avant chaque lancement)")
    print(f"verificateur evaluer --revision HEAD --format json   {t_evaluer:8.1f} ms")
    print(f"verificateur historique --pas mois --format json     {t_historique:8.1f} ms")
    print(f"rapport historique / evaluer : {t_historique / t_evaluer:.2f}× (objectif ≤ 5×)")
    return fin


def relance(args: argparse.Namespace, fin: str) -> None:
    """La relance sur le dépôt inchangé (même cache) face au premier lancement (tout le cache vidé)."""
    with tempfile.TemporaryDirectory() as dossier:
        depot = Path(dossier) / "depot"
        generer(depot, args.commits)
        premier, garde = Path(dossier) / "cache-premier", Path(dossier) / "cache-relance"
        commande = [PYTHON, "-m", "verificateur", "historique", str(depot), "--pas", "mois", "--jusqu-a", fin, "--format", "json"]
        avant = charge()
        # Lancés hors de l'arbre des sources : `python -m` mettrait le dossier courant avant PYTHONPATH.
        commandes = {
            "premier": {"argv": commande, "env": environnement() | {"XDG_CACHE_HOME": str(premier)}, "cwd": dossier,
                        "avant": lambda: shutil.rmtree(premier, ignore_errors=True)},
            "relance": {"argv": commande, "env": environnement() | {"XDG_CACHE_HOME": str(garde)}, "cwd": dossier},
        }
        if args.avant:
            autre, autre_relance = Path(dossier) / "cache-avant", Path(dossier) / "cache-avant-relance"
            env_avant = environnement() | {"PYTHONPATH": str(args.avant.resolve())}
            commandes["premier (--avant)"] = {"argv": commande, "env": env_avant | {"XDG_CACHE_HOME": str(autre)}, "cwd": dossier,
                                              "avant": lambda: shutil.rmtree(autre, ignore_errors=True)}
            commandes["relance (--avant)"] = {"argv": commande, "env": env_avant | {"XDG_CACHE_HOME": str(autre_relance)}, "cwd": dossier}
        mesures = entrelacer(commandes, args.essais)
        env = environnement() | {"XDG_CACHE_HOME": str(garde)}
        profil = [subprocess.run([PYTHON, "-c", PROFIL, str(depot), fin], env=env, cwd=dossier, capture_output=True, text=True,
                                 check=True).stdout
                  for _ in range(3 if args.profil else 0)]
    p, r = mesures["premier"], mesures["relance"]
    print(f"\nhistorique relancé sur le dépôt inchangé (même cache) face au premier lancement (cache vide), "
          f"{args.essais} essais entrelacés ; charge avant {avant}, après {charge()}")
    print(f"premier : {p['reel']:.1f} ms ({p['cpu']:.1f} ms processeur) ; relance : {r['reel']:.1f} ms ({r['cpu']:.1f} ms processeur)")
    print(f"rapport relance / premier : {r['reel'] / p['reel']:.2f}× réel, {r['cpu'] / p['cpu']:.2f}× processeur (objectif ≤ 0,3×)")
    if profil:
        print("\nla relance, pas à pas (processeur ; trois lancements) :")
        print("\n\n".join(profil), end="")
    if args.avant:
        pa, ra = mesures["premier (--avant)"], mesures["relance (--avant)"]
        print(f"--avant {args.avant} : premier {pa['reel']:.1f} ms ({pa['cpu']:.1f} ms processeur) ; relance {ra['reel']:.1f} ms "
              f"({ra['cpu']:.1f} ms processeur) : {ra['reel'] / pa['reel']:.2f}× réel, {ra['cpu'] / pa['cpu']:.2f}× processeur")


if __name__ == "__main__":
    main()
