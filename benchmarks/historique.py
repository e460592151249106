"""`verificateur historique --pas mois` sur un dépôt de 500 commits face à un seul `evaluer`.

    python benchmarks/historique.py [--commits 500] [--essais 5]

Deuxième mesure : `historique` relancé sur le même dépôt inchangé, avec le même $XDG_CACHE_HOME,
face au premier lancement (cache vidé avant chaque lancement) ; objectif : relance ≤ 0,3× le premier.
Les lancements sont entrelacés (benchmarks/commun.py).

Le dépôt est généré par `git fast-import` : le dépôt d'exemple chu-armorique, puis un commit tous les
deux jours environ (≈ 2 ans 9 mois), chacun modifiant une ou deux preuves (mesures, budget, veille,
formation, un nouvel incident de temps en temps, le README). Aucune assertion : des chiffres
(objectif : historique ≤ 5× evaluer).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import EXEMPLE, PYTHON, charge, chronometrer, entrelacer, environnement  # noqa: E402

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
                    if b"acces_distants: true" in fichiers[cible]:
                        fichiers[cible] = fichiers[cible].replace(b"acces_distants: true", b"acces_distants: false")
                    else:
                        fichiers[cible] = fichiers[cible].replace(b"acces_distants: false", b"acces_distants: true")
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        depot = Path(dossier) / "depot"
        debut, fin, blobs = generer(depot, args.commits)
        historique = [PYTHON, "-m", "verificateur", "historique", str(depot), "--pas", "mois", "--jusqu-a", fin, "--format", "json"]
        sortie = subprocess.run(historique, capture_output=True, env=environnement(), check=True)
        import json

        etapes = json.loads(sortie.stdout)["etapes"]
        t_historique = chronometrer(historique, args.essais)
        t_evaluer = chronometrer([PYTHON, "-m", "verificateur", "evaluer", str(depot), "--revision", "HEAD", "--date", fin,
                                  "--format", "json"], args.essais)
    print(f"dépôt : {args.commits} commits du {debut} au {fin}, {blobs} contenus (chemin, blob) distincts ; "
          f"{len(etapes)} étapes mensuelles")
    print(f"médiane de {args.essais} essais")
    print(f"verificateur evaluer --revision HEAD --format json   {t_evaluer:8.1f} ms")
    print(f"verificateur historique --pas mois --format json     {t_historique:8.1f} ms")
    print(f"rapport historique / evaluer : {t_historique / t_evaluer:.2f}× (objectif ≤ 5×)")
    with tempfile.TemporaryDirectory() as dossier:
        depot = Path(dossier) / "depot"
        generer(depot, args.commits)
        premier, relance = Path(dossier) / "cache-premier", Path(dossier) / "cache-relance"
        commande = [PYTHON, "-m", "verificateur", "historique", str(depot), "--pas", "mois", "--jusqu-a", fin, "--format", "json"]
        avant = charge()
        mesures = entrelacer({
            "premier": {"argv": commande, "env": environnement() | {"XDG_CACHE_HOME": str(premier)},
                        "avant": lambda: shutil.rmtree(premier, ignore_errors=True)},
            "relance": {"argv": commande, "env": environnement() | {"XDG_CACHE_HOME": str(relance)}},
        }, args.essais)
    p, r = mesures["premier"], mesures["relance"]
    print(f"\nhistorique relancé sur le dépôt inchangé (même cache) face au premier lancement (cache vide), "
          f"{args.essais} essais entrelacés ; charge avant {avant}, après {charge()}")
    print(f"premier : {p['reel']:.1f} ms ({p['cpu']:.1f} ms processeur) ; relance : {r['reel']:.1f} ms ({r['cpu']:.1f} ms processeur)")
    print(f"rapport relance / premier : {r['reel'] / p['reel']:.2f}× réel, {r['cpu'] / p['cpu']:.2f}× processeur (objectif ≤ 0,3×)")


if __name__ == "__main__":
    main()
