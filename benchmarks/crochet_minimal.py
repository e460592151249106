"""Le plancher d'un crochet pre-commit, sans le code du projet : lister l'index (`git ls-files -s -z`),
lire chaque fichier YAML ou CSV indexé par un seul `git cat-file --batch`, l'analyser (CSafeLoader,
csv), écrire un JSON. Lancé par benchmarks/demarrage.py, dans le dossier du dépôt, comme le crochet."""

import csv
import io
import json
import subprocess
import sys

import yaml

GIT = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-optional-locks"]


def main() -> None:
    liste = subprocess.run([*GIT, "ls-files", "-s", "-z"], capture_output=True, check=True).stdout
    entrees = []
    for ligne in liste.split(b"\0"):
        if ligne:
            tete, chemin = ligne.split(b"\t", 1)
            if chemin.endswith((b".yaml", b".yml", b".csv")):
                entrees.append((chemin.decode(), tete.split()[1].decode()))
    demande = "".join(f"{sha}\n" for _, sha in entrees).encode()
    sortie = subprocess.run([*GIT, "cat-file", "--batch"], input=demande, capture_output=True, check=True).stdout
    resultat, i = {}, 0
    for chemin, _ in entrees:
        fin_tete = sortie.index(b"\n", i)
        taille = int(sortie[i:fin_tete].split()[2])
        contenu = sortie[fin_tete + 1 : fin_tete + 1 + taille]
        i = fin_tete + 2 + taille
        if chemin.endswith(".csv"):
            resultat[chemin] = len(list(csv.DictReader(io.StringIO(contenu.decode("utf-8")))))
        else:
            resultat[chemin] = type(yaml.load(contenu, Loader=yaml.CSafeLoader)).__name__
    json.dump(resultat, sys.stdout)


if __name__ == "__main__":
    main()
