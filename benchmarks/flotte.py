"""Génère une flotte nationale synthétique de dépôts de preuves (format 1) pour mesurer `verificateur lot`.

    python benchmarks/flotte.py N DOSSIER [--graine S] [--processus P]

N dépôts git dans DOSSIER (nommés d00000, d00001…), déterministes pour une graine donnée. Chacun part
d'un des trois dépôts d'exemple (exemples/) selon sa catégorie, puis varie comme une vraie flotte :
- profil : catégorie (chu, ch, chs, espic, clinique, had, smr, ehpad, autre, pondérées comme le parc
  français), 18 régions INSEE pondérées, statut juridique, effectif et lits selon la catégorie,
  FINESS unique à clé de Luhn valide (2A/2B en Corse, sans clé vérifiable) ;
- taille : registre de vulnérabilités de 0 à 300 lignes, 0 à 12 incidents, 0 à 6 exercices ;
- une part de non-conformités (MFA absente, test de restauration ancien, budget cyber trop faible,
  sensibilisation insuffisante, vulnérabilité critique ouverte), de preuves manquantes (dossier
  retiré), de fichiers malformés (YAML cassé, clé inconnue, date impossible, ligne CSV invalide) ;
- un peu d'historique : 1 à 5 commits, les preuves ajoutées au fil des commits ;
- quelques dépôts nus (~1 %) et quelques dépôts cassés (~0,8 % : dépôt nu sans commit, HEAD vers une
  branche absente, objets git manquants, etablissement.yaml absent), plus ~0,3 % de simples dossiers
  sans git (lisibles tels quels).

Chaque dépôt est construit par un seul `git fast-import` (plus `git init` et un `read-tree` pour
l'arbre de travail) : 3 000 dépôts en une à deux minutes sur 2 cœurs. Le fichier DOSSIER.json, à côté
du dossier (pas dedans : le lot n'y verrait qu'un fichier de plus), décrit les variantes de chaque dépôt.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commun import RACINE, environnement  # noqa: E402

EXEMPLES = RACINE / "exemples"
# Exemples de départ : chu-armorique est conforme, ch-vallee-du-lys a six non-conformités,
# ehpad-les-tilleuls n'a presque aucune preuve.
GRAND = {"chu-armorique": 55, "ch-vallee-du-lys": 45}
PETIT = {"chu-armorique": 25, "ch-vallee-du-lys": 15, "ehpad-les-tilleuls": 60}
# Catégorie → (poids dans la flotte, exemples de départ pondérés, effectif min-max, statuts juridiques).
CATEGORIES = {
    "chu": (3, GRAND, (4000, 15000), ("public",)),
    "ch": (30, GRAND, (300, 4000), ("public",)),
    "chs": (6, GRAND, (200, 1500), ("public", "prive_non_lucratif")),
    "espic": (7, GRAND, (150, 2500), ("prive_non_lucratif",)),
    "clinique": (22, GRAND, (80, 900), ("prive_lucratif",)),
    "had": (5, PETIT, (30, 300), ("prive_non_lucratif", "public")),
    "smr": (14, GRAND, (50, 500), ("prive_lucratif", "prive_non_lucratif", "public")),
    "ehpad": (10, PETIT, (30, 150), ("public", "prive_non_lucratif", "prive_lucratif")),
    "autre": (3, PETIT, (20, 200), ("prive_non_lucratif",)),
}
# Région INSEE → (poids ≈ part des établissements, préfixe FINESS d'un de ses départements).
REGIONS = {
    "11": (18, "75"), "84": (12, "69"), "75": (9, "33"), "76": (9, "31"), "93": (8, "13"), "32": (8, "59"),
    "44": (8, "67"), "52": (5, "44"), "53": (5, "35"), "28": (5, "14"), "24": (4, "45"), "27": (4, "21"),
    "94": (1, "2A"), "01": (1, "971"), "02": (1, "972"), "03": (0.5, "973"), "04": (1.5, "974"), "06": (0.3, "976"),
}
VILLES = ("Armor", "Vallée du Lys", "Val d'Aurance", "Côte d'Opale", "Haut-Vercors", "Plaine de Saône", "Causses",
          "Marais", "Pays de Caux", "Bocage", "Presqu'île", "Piémont", "Monts d'Arrée", "Vignoble", "Estuaire",
          "Forêt d'Orient", "Baie des Anges", "Lagune", "Plateau", "Trois Rivières", "Morvan", "Cévennes")
NOMS = {"chu": "Centre hospitalier universitaire", "ch": "Centre hospitalier", "chs": "Centre hospitalier spécialisé",
        "espic": "Hôpital privé d'intérêt collectif", "clinique": "Clinique", "had": "Hospitalisation à domicile",
        "smr": "Centre de soins médicaux et de réadaptation", "ehpad": "EHPAD", "autre": "Centre de santé"}
ACTIFS = ("Poste de travail", "Serveur d'applications", "Passerelle VPN", "Pare-feu", "Hyperviseur", "PACS",
          "Messagerie", "Annuaire", "Imprimante réseau", "Automate de laboratoire")
CRITICITES = ("critique", "haute", "moyenne", "faible")
DEBUT_HISTOIRE = date(2026, 6, 1)  # les commits s'étalent jusqu'au 2026-09-30 (évaluation au 2026-10-01)


def _ponderer(rnd: random.Random, table: dict) -> str:
    cles = list(table)
    return rnd.choices(cles, weights=[table[c][0] for c in cles])[0]


def _cle_luhn(corps: str) -> str:
    """Le chiffre qui rend `corps + chiffre` valide pour Luhn (celui de verificateur.preuves.controles._luhn)."""
    for c in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(corps + c)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return c
    raise AssertionError


def finess(prefixe: str, numero: int) -> str:
    corps = prefixe + f"{numero:0{8 - len(prefixe)}d}"
    if not corps.isdigit():  # Corse : 2A/2B + 7 chiffres, clé non vérifiable
        return corps + str(numero % 10)
    return corps + _cle_luhn(corps)


def _lire_exemple(nom: str) -> dict[str, bytes]:
    dossier = EXEMPLES / nom
    return {p.relative_to(dossier).as_posix(): p.read_bytes() for p in sorted(dossier.rglob("*")) if p.is_file()}


MODELES = {nom: _lire_exemple(nom) for nom in PETIT}


def _remplacer(texte: str, motif: str, par: str) -> str:
    return re.sub(motif, par, texte, count=1, flags=re.M)


def _etablissement(rnd: random.Random, i: int, categorie: str, region: str) -> str:
    _, _, (emin, emax), statuts = CATEGORIES[categorie]
    effectif = rnd.randint(emin, emax)
    ville = rnd.choice(VILLES)
    nom = f"{NOMS[categorie]} {'du' if ville[0] not in 'AEIOUÉ' else 'de l’'} {ville} n° {i}".replace("de l’ ", "de l’")
    if i % 997 == 13:  # un nom hostile de temps en temps : le tableau de bord doit l'échapper
        nom = f"Clinique <script>alert({i})</script> & Associés"
    lignes = [
        f'finess: "{finess(REGIONS[region][1], i)}"',
        f"raison_sociale: {json.dumps(nom, ensure_ascii=False)}",
        f"categorie: {categorie}",
        f"statut_juridique: {rnd.choice(statuts)}",
        f'region: "{region}"',
    ]
    if categorie in ("chu", "ch", "chs") or rnd.random() < 0.3:
        support = str(categorie == "chu" or rnd.random() < 0.2).lower()
        lignes += ["ght:", f"  nom: {json.dumps('GHT ' + ville, ensure_ascii=False)}", f"  support: {support}"]
    lignes += [
        f"prioritaire: {str(categorie in ('chu', 'ch') and rnd.random() < 0.4).lower()}",
        f"ose: {str(categorie == 'chu' or rnd.random() < 0.05).lower()}",
        f"effectif: {effectif}",
        f"lits_places: {max(0, effectif // rnd.randint(2, 6))}",
    ]
    return "\n".join(lignes) + "\n"


def _registre(rnd: random.Random, lignes: int, ouverte_critique: bool) -> str:
    sortie = ["identifiant;actif;criticite;source;detectee_le;corrigee_le"]
    for k in range(lignes):
        detectee = date(2023, 1, 1) + timedelta(days=rnd.randint(0, 1300))
        corrigee = detectee + timedelta(days=rnd.randint(1, 40))
        criticite = rnd.choice(CRITICITES[1:]) if rnd.random() < 0.9 else "critique"
        fin = corrigee.isoformat() if corrigee < date(2026, 9, 30) else ""
        if fin == "" and criticite == "critique":
            criticite = "haute"
        sortie.append(f"CVE-{detectee.year}-{10000 + k};{rnd.choice(ACTIFS)} {k % 17};{criticite};Scanner interne;{detectee};{fin}")
    if ouverte_critique:
        sortie.append("CVE-2026-99999;Passerelle d'accès distant;critique;Alerte CERT Santé;2026-08-01;")
    return "\n".join(sortie) + "\n"


def _incident(rnd: random.Random, jour: date) -> str:
    declare = jour + timedelta(days=rnd.choice((0, 0, 1, 3)))
    return (f"detecte_le: {jour}T08:{rnd.randint(10, 59)}:00\n"
            f"declare_le: {declare}T14:00:00\n"
            "declare_a: cert_sante\n"
            f"gravite: {rnd.choice(('mineure', 'mineure', 'majeure', 'critique'))}\n"
            "resume: \"Incident synthétique généré pour la mesure\"\n")


def variantes(rnd: random.Random, i: int) -> dict:
    """Ce que ce dépôt aura de particulier (tiré avant tout contenu, pour flotte.json)."""
    tirage = rnd.random()
    casse = None
    if tirage < 0.003:
        casse = "dossier-sans-git"  # un simple dossier : lisible tel quel, ce n'est pas un échec
    elif tirage < 0.005:
        casse = "depot-sans-commit"
    elif tirage < 0.007:
        casse = "head-orphelin"
    elif tirage < 0.008:
        casse = "objets-manquants"
    elif tirage < 0.011:
        casse = "sans-etablissement"
    return {
        "casse": casse,
        "nu": casse is None and rnd.random() < 0.01,
        "ecarts": sorted(e for e, p in (("mfa", 0.10), ("restauration", 0.08), ("budget", 0.08), ("formation", 0.10),
                                        ("vulnerabilite", 0.05)) if rnd.random() < p),
        "manquantes": sorted(d for d, p in (("crise/", 0.05), ("exercices/", 0.06), ("budget/", 0.04),
                                            ("vulnerabilites/veille.yaml", 0.05), ("derogations.yaml", 0.3)) if rnd.random() < p),
        "malforme": rnd.choices((None, "yaml", "cle-inconnue", "date", "csv"), weights=(86, 4, 4, 3, 3))[0],
        "commits": rnd.randint(1, 5),
    }


def contenu(i: int, graine: int) -> tuple[dict, dict[str, bytes]]:
    """Les variantes et les fichiers (chemin → octets) du dépôt n° i."""
    rnd = random.Random(f"{graine}:{i}")
    v = variantes(rnd, i)
    categorie = _ponderer(rnd, CATEGORIES)
    region = _ponderer(rnd, REGIONS)
    exemples = CATEGORIES[categorie][1]
    modele = rnd.choices(list(exemples), weights=list(exemples.values()))[0]
    v.update(categorie=categorie, region=region, modele=modele)
    fichiers = dict(MODELES[modele])
    texte = {c: b.decode("utf-8") for c, b in fichiers.items() if c.endswith((".yaml", ".csv"))}
    texte["etablissement.yaml"] = _etablissement(rnd, i, categorie, region)
    grand = categorie in ("chu", "ch", "espic")
    texte["vulnerabilites/registre.csv"] = _registre(rnd, rnd.randint(20, 300) if grand else rnd.randint(0, 40),
                                                      "vulnerabilite" in v["ecarts"])
    for k in range(rnd.randint(0, 12 if grand else 3)):
        jour = date(2025, 1, 1) + timedelta(days=rnd.randint(0, 600))
        texte[f"incidents/{jour}-synthetique-{k}.yaml"] = _incident(rnd, jour)
    if "mfa" in v["ecarts"] and "securite/mesures.yaml" in texte:
        texte["securite/mesures.yaml"] = _remplacer(texte["securite/mesures.yaml"], r"acces_distants: true", "acces_distants: false")
    if "restauration" in v["ecarts"] and "securite/mesures.yaml" in texte:
        texte["securite/mesures.yaml"] = _remplacer(texte["securite/mesures.yaml"], r"dernier_test_restauration: .*",
                                                    "dernier_test_restauration: 2024-03-02")
    if "budget" in v["ecarts"]:
        for c in [c for c in texte if c.startswith("budget/")]:
            texte[c] = re.sub(r"dont_cybersecurite: \d+(\.\d+)?", "dont_cybersecurite: 1000", texte[c])
    if "formation" in v["ecarts"]:
        for c in [c for c in texte if c.startswith("formation/")]:
            texte[c] = re.sub(r"^sensibilises_total: \d+", "sensibilises_total: 3", texte[c], flags=re.M)
            texte[c] = re.sub(r"^par_population:\n(  .*\n|    .*\n)*", "", texte[c], flags=re.M)
    fichiers.update({c: t.encode("utf-8") for c, t in texte.items()})
    for manquant in v["manquantes"]:
        for c in [c for c in fichiers if c == manquant or c.startswith(manquant)]:
            del fichiers[c]
    if v["casse"] == "sans-etablissement":
        del fichiers["etablissement.yaml"]
    if v["malforme"]:
        yamls = sorted(c for c in fichiers if c.endswith(".yaml") and c != "etablissement.yaml")
        if v["malforme"] == "csv" and "vulnerabilites/registre.csv" in fichiers:
            fichiers["vulnerabilites/registre.csv"] += b"CVE-2026-1;Poste;tres-haute;Scanner;2026-13-01;\n"
        elif yamls:
            cible = rnd.choice(yamls)
            ajout = {"yaml": b"cle: [non fermee\n", "cle-inconnue": "commentaire_libre: \"clé inconnue\"\n".encode(),
                     "date": b"", "csv": b"cle: [non fermee\n"}[v["malforme"]]
            corps = fichiers[cible] + ajout
            if v["malforme"] == "date":
                corps = re.sub(rb"(\d{4})-\d\d-\d\d", rb"\1-02-30", corps, count=1)
            fichiers[cible] = corps
            v["fichier_malforme"] = cible
    return v, fichiers


def _donnee(octets: bytes) -> bytes:
    return b"data %d\n" % len(octets) + octets + b"\n"


def flux_fast_import(fichiers: dict[str, bytes], commits: int, rnd: random.Random) -> bytes:
    """Les preuves ajoutées en `commits` commits (etablissement.yaml et README d'abord), à quelques
    jours d'intervalle : l'historique court d'un dépôt ouvert en 2026."""
    chemins = sorted(fichiers, key=lambda c: (c not in ("etablissement.yaml", "README.md"), c))
    tranches = [chemins[k * len(chemins) // commits:(k + 1) * len(chemins) // commits] for k in range(commits)]
    flux = bytearray()
    jour = DEBUT_HISTOIRE + timedelta(days=rnd.randint(0, 60))
    for k, tranche in enumerate(tranches):
        horodatage = calendar.timegm((jour.year, jour.month, jour.day, 8 + k, 0, 0))
        flux += b"commit refs/heads/main\n"
        flux += b"committer RSSI <rssi@exemple.invalid> %d +0200\n" % horodatage
        flux += _donnee(f"Preuves, étape {k + 1}".encode())
        for chemin in tranche:
            flux += b"M 100644 inline " + chemin.encode() + b"\n" + _donnee(fichiers[chemin])
        flux += b"\n"
        jour += timedelta(days=rnd.randint(1, 20))
    return bytes(flux)


def generer_depot(dossier: Path, i: int, graine: int) -> dict:
    v, fichiers = contenu(i, graine)
    rnd = random.Random(f"{graine}:{i}:histoire")
    depot = dossier / f"d{i:05d}"
    env = environnement()
    git = ["git", "-c", "init.defaultBranch=main"]
    if v["casse"] == "dossier-sans-git":
        for chemin, octets in fichiers.items():
            (depot / chemin).parent.mkdir(parents=True, exist_ok=True)
            (depot / chemin).write_bytes(octets)
        return {"depot": depot.name, **v}
    # Les dépôts cassés côté git sont nus : le lot lit leur HEAD (un arbre de travail serait lu tel quel).
    nu = v["nu"] or v["casse"] in ("depot-sans-commit", "head-orphelin", "objets-manquants")
    subprocess.run([*git, "init", "-q", *(["--bare"] if nu else []), str(depot)], check=True, env=env)
    if v["casse"] == "depot-sans-commit":
        return {"depot": depot.name, **v}
    git_dir = depot if nu else depot / ".git"
    subprocess.run(["git", "--git-dir", str(git_dir), "fast-import", "--quiet"],
                   input=flux_fast_import(fichiers, v["commits"], rnd), check=True, env=env)
    if v["casse"] == "head-orphelin":
        (git_dir / "HEAD").write_text("ref: refs/heads/branche-absente\n")
    elif v["casse"] == "objets-manquants":
        for paquet in (git_dir / "objects" / "pack").glob("*.pack"):
            paquet.unlink()
    elif not nu:
        subprocess.run(["git", "-C", str(depot), "read-tree", "--reset", "-u", "HEAD"], check=True, env=env)
    return {"depot": depot.name, **v}


def generer(n: int, dossier: Path, graine: int = 1, processus: int | None = None) -> list[dict]:
    """Les N dépôts dans `dossier` (créé), et DOSSIER.json à côté ; la description de chaque dépôt."""
    dossier.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(processus or os.cpu_count() or 2) as pool:
        decrits = list(pool.map(lambda i: generer_depot(dossier, i, graine), range(n)))
    description = dossier.with_name(dossier.name + ".json")
    description.write_text(json.dumps({"graine": graine, "depots": decrits}, ensure_ascii=False, indent=1) + "\n")
    return decrits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="nombre de dépôts")
    parser.add_argument("dossier", type=Path, help="dossier à créer (doit être absent ou vide)")
    parser.add_argument("--graine", type=int, default=1, help="graine du tirage (défaut : 1)")
    parser.add_argument("--processus", type=int, default=os.cpu_count() or 2, help="git lancés en parallèle")
    args = parser.parse_args()
    if args.dossier.exists() and any(args.dossier.iterdir()):
        raise SystemExit(f"flotte : {args.dossier} existe et n'est pas vide")
    debut = time.perf_counter()
    decrits = generer(args.n, args.dossier, args.graine, args.processus)
    duree = time.perf_counter() - debut
    casses = sum(1 for d in decrits if d["casse"])
    print(f"{args.n} dépôts générés dans {args.dossier} en {duree:.1f} s "
          f"({sum(d['nu'] for d in decrits)} nus, {casses} cassés, "
          f"{sum(1 for d in decrits if d['malforme'])} avec un fichier malformé)")


if __name__ == "__main__":
    main()
