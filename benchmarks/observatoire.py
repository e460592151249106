"""L'observatoire à l'échelle : enregistrer une campagne de 3 000 établissements, puis `evolution`
(et `comparer`, la page HTML) sur 12 campagnes de 3 000.

    python benchmarks/observatoire.py [--etablissements 3000] [--campagnes 12] [--essais 3] [--garder DOSSIER]

Les lots sont des JSON « verificateur/lot/1 » synthétiques, générés de façon déterministe (graine
fixe) et scellés par `lot.assembler` (schéma, agrégats et empreinte réels) : aucun dépôt n'est évalué.
18 régions, 6 catégories, 21 règles ; d'une campagne à l'autre, la conformité de chaque règle dérive,
environ 2 % des établissements ne répondent pas et 1 % sont des dépôts illisibles. Chaque temps est
la médiane de N lancements d'un processus neuf `python -m verificateur …` (un lancement de chauffe
écarté). Aucune assertion : des chiffres (docs/performances.md §4).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import PYTHON, RACINE, environnement  # noqa: E402

sys.path.insert(0, str(RACINE))
from verificateur import lot as module_lot  # noqa: E402

REGIONS = ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94", "01", "02", "03", "04", "06")
CATEGORIES = ("chu", "ch", "clinique", "ehpad", "psychiatrie", "ssr")
GRAVITES = ("critique", "majeure", "majeure", "mineure", "mineure", "info", "majeure")
REGLES = [{"regle": f"R-{i:02d}", "titre": f"Règle synthétique {i}", "gravite": GRAVITES[i % len(GRAVITES)]} for i in range(1, 22)]
STATUTS = ("conforme", "non_conforme", "preuve_manquante", "erreur", "non_applicable", "derogation")


def _etablissement(hasard: random.Random, rang: int, campagne: int) -> dict:
    finess = f"{100000000 + rang * 7919 % 899999999:09d}"
    region = REGIONS[rang % len(REGIONS)]
    if hasard.random() < 0.01:  # un dépôt illisible
        return {"chemin": f"depots/{finess}", "depot": {"chemin": f"depots/{finess}", "source": None, "revision": None, "nu": False},
                "etat": "echec", "raison": "etablissement.yaml absent", "finess": None, "raison_sociale": None, "categorie": None,
                "region": None, "ght": None, "synthese": None, "resultats": {}, "problemes": 0, "empreinte": None, "rapports": None}
    resultats = {}
    for i, r in enumerate(REGLES):
        # Chaque règle progresse (ou recule) d'une campagne à l'autre, différemment selon la région.
        p = min(0.95, max(0.2, 0.55 + 0.02 * campagne * (1 if (i + rang % 3) % 4 else -1)))
        tirage = hasard.random()
        resultats[r["regle"]] = ("conforme" if tirage < p else "non_applicable" if tirage < p + 0.05 else "derogation"
                                 if tirage < p + 0.08 else ("non_conforme", "preuve_manquante", "erreur")[int(tirage * 1000) % 3])
    decompte = {s: sum(1 for v in resultats.values() if v == s) for s in STATUTS}
    applicables = len(resultats) - decompte["non_applicable"]
    taux = round(decompte["conforme"] / applicables, 4) if applicables else 1.0
    echec = any(v in ("non_conforme", "preuve_manquante", "erreur") and r["gravite"] != "info"
                for v, r in zip(resultats.values(), REGLES))
    return {
        "chemin": f"depots/{finess}", "depot": {"chemin": f"depots/{finess}", "source": "arbre", "revision": None, "nu": False},
        "etat": "evalue", "raison": None, "finess": finess, "raison_sociale": f"Établissement {rang}",
        "categorie": CATEGORIES[rang % len(CATEGORIES)], "region": region, "ght": None,
        "synthese": {**decompte, "total": len(resultats), "taux_conformite": taux, "seuil_echec": "mineure",
                     "statut_global": "non_conforme" if echec else "conforme"},
        "resultats": resultats, "problemes": 0, "empreinte": "sha256:" + f"{rang:064x}"[-64:],
        "rapports": {"json": f"rapports/{finess}.json", "html": f"rapports/{finess}.html"},
    }


def generer(dossier: Path, etablissements: int, campagne: int) -> Path:
    hasard = random.Random(f"observatoire-{campagne}")
    mois = 1 + 3 * (campagne % 4)
    jour = f"{2024 + campagne // 4}-{mois:02d}-01"
    tete = {
        "format": module_lot.FORMAT, "outil": {"version": "0.1.0"}, "date_evaluation": jour,
        "politiques": [{"id": "synthetique", "version": "1.0.0", "empreinte": "sha256:" + "0" * 64}],
        "regles": REGLES, "partie": None, "sources": ["depots/"],
        "options": {"revision": None, "seuil_echec": "mineure", "fraicheur": False},
    }
    entrees = [_etablissement(hasard, rang, campagne) for rang in range(etablissements) if hasard.random() >= 0.02]
    donnees = module_lot.assembler(tete, entrees, False)
    chemin = dossier / f"lot-{campagne + 1:02d}.json"
    chemin.write_text(json.dumps(donnees, ensure_ascii=False), encoding="utf-8")
    return chemin


def lancer(args: list[str], cwd: Path) -> float:
    debut = time.perf_counter()
    fini = subprocess.run([PYTHON, "-m", "verificateur", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=environnement(), cwd=cwd, check=False)
    duree = time.perf_counter() - debut
    if fini.returncode != 0:
        raise SystemExit(f"échec ({fini.returncode}) : {' '.join(args)}\n{fini.stderr.decode()}")
    return duree


def mediane(args_de: callable, essais: int, cwd: Path) -> float:
    return statistics.median([lancer(args_de(i), cwd) for i in range(essais + 1)][1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--etablissements", type=int, default=3000)
    parser.add_argument("--campagnes", type=int, default=12)
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--garder", metavar="DOSSIER", help="Écrire les lots et la base ici (pour regarder la page HTML).")
    options = parser.parse_args()
    dossier = Path(options.garder) if options.garder else Path(tempfile.mkdtemp(prefix="banc-observatoire-"))
    dossier.mkdir(parents=True, exist_ok=True)
    debut = time.perf_counter()
    lots = [generer(dossier, options.etablissements, k) for k in range(options.campagnes)]
    print(f"{options.campagnes} lots de {options.etablissements} établissements générés en {time.perf_counter() - debut:.1f} s "
          f"({lots[0].stat().st_size / 1e6:.1f} Mo chacun) dans {dossier}")

    e = options.essais
    premier = lots[0].name
    t = mediane(lambda i: ["observatoire", "enregistrer", premier, "--campagne", "C01", "--observatoire", f"seule-{i}.sqlite"], e, dossier)
    print(f"{'observatoire enregistrer (1 campagne, base neuve)':<58}: {t:6.2f} s")
    t = mediane(lambda i: ["observatoire", "enregistrer", premier, "--campagne", "C01", "--observatoire", "seule-0.sqlite"], e, dossier)
    print(f"{'observatoire enregistrer (le même lot, déjà enregistré)':<58}: {t:6.2f} s")

    base = dossier / "observatoire.sqlite"
    for fichier in (base, Path(f"{base}-wal"), Path(f"{base}-shm")):
        fichier.unlink(missing_ok=True)
    durees = [lancer(["observatoire", "enregistrer", l.name, "--campagne", f"C{k + 1:02d}", "--observatoire", base.name], dossier)
              for k, l in enumerate(lots)]
    libelle = f"enregistrer la {len(lots)}e campagne (base de {len(lots) - 1} campagnes)"
    print(f"{libelle:<58}: {durees[-1]:6.2f} s (les {len(lots)} : {sum(durees):.1f} s)")
    libelle = f"taille de la base ({len(lots)} campagnes)"
    print(f"{libelle:<58}: {base.stat().st_size / 1e6:6.1f} Mo")
    derniere, avant = f"C{len(lots):02d}", f"C{len(lots) - 1:02d}"
    for libelle, args in (
        ("observatoire evolution (texte)", ["observatoire", "evolution"]),
        ("observatoire evolution --region 53 --regle R-07", ["observatoire", "evolution", "--region", "53", "--regle", "R-07"]),
        ("observatoire evolution --format html", ["observatoire", "evolution", "--format", "html", "--sortie", "observatoire.html"]),
        (f"observatoire comparer {avant} {derniere}", ["observatoire", "comparer", avant, derniere]),
        ("observatoire campagnes", ["observatoire", "campagnes"]),
    ):
        t = mediane(lambda i, args=args: [*args, "--observatoire", base.name], e, dossier)
        print(f"{libelle:<58}: {t:6.2f} s")
    # La part de la base seule (dans ce processus) : un lot déjà lu, normalisé, écrit en une transaction.
    from verificateur.observatoire.enregistrement import normaliser
    from verificateur.observatoire.store import Observatoire

    normalise = normaliser(json.loads(lots[-1].read_text(encoding="utf-8")), str(dossier))
    for libelle, cible in (("base vide", "vide.sqlite"), (f"base de {len(lots)} campagnes", base.name)):
        durees = []
        for i in range(e):
            with Observatoire(str(dossier / cible), creer=True) as obs:
                debut = time.perf_counter()
                obs.enregistrer([(f"mesure-{libelle}-{i}", normalise)])
                durees.append(time.perf_counter() - debut)
        print(f"{'écriture seule d’une campagne, ' + libelle:<58}: {statistics.median(durees):6.2f} s")
    t = mediane(lambda i: ["--version"], e, dossier)
    print(f"{'python -m verificateur --version (démarrage seul)':<58}: {t:6.2f} s")
    if not options.garder:
        for fichier in dossier.iterdir():
            fichier.unlink()
        os.rmdir(dossier)


if __name__ == "__main__":
    main()
