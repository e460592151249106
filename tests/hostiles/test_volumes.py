"""Entrées démesurées ou mal codées : bombe d'alias, imbrication de 10 000 niveaux (et d'un million),
fichier de 200 Mo, binaire nommé `.yaml`, UTF-16, Latin-1, CSV d'un million de lignes, YAML de
millions de valeurs, dépôt de 20 000 fichiers, trop de fichiers de preuve, trop d'octets, trop de
valeurs. Chacune est refusée par une limite documentée (docs/limites.md), avec un message situé ;
les gros cas tournent dans un sous-processus dont la mémoire est mesurée (< 500 Mo)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES
from fabrique import MEMOIRE_MAX, MODES, lancer_mesure, lignes, rapport, statuts, terrain  # noqa: F401 (fixture)
from test_depot_git import empreintes, environnement_git, git  # noqa: F401 (fixture)
from verificateur.socle.lecture import COLONNES_MAX_CSV, LIGNES_MAX_CSV, PROFONDEUR_MAX, TITRES_MAX, VALEURS_MAX_YAML
from verificateur.sources import NOMBRE_MAX_PREUVES, TAILLE_MAX_FICHIER, TAILLE_MAX_PREUVES

MESURES = "securite/mesures.yaml"
HYGIENE = {"HYG-01": "erreur", "HYG-02": "erreur"}  # les règles qui lisent securite/mesures.yaml


def _bombe() -> bytes:
    lignes_ = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lignes_ += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return ("\n".join(lignes_) + "\n").encode()


# (contenu de securite/mesures.yaml, ligne de problème attendue)
MESURES_HOSTILES = {
    "bombe-d-alias": (_bombe(), "securite/mesures.yaml:1: ancres et alias YAML (« & », « * ») non acceptés dans une preuve (alias-yaml)"),
    "imbrication-10000": (
        ("mfa: " + "[" * 10_000 + "]" * 10_000 + "\n").encode(),
        f"securite/mesures.yaml:1: imbrication de plus de {PROFONDEUR_MAX} niveaux, refusée (imbrication)",
    ),
    "imbrication-10000-blocs": (
        ("mfa:\n  " + "- " * 10_000 + "x\n").encode(),  # listes imbriquées compactes, en blocs
        f"securite/mesures.yaml:2: imbrication de plus de {PROFONDEUR_MAX} niveaux, refusée (imbrication)",
    ),
    "binaire": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "securite/mesures.yaml:1: fichier binaire ou UTF-16, attendu un texte UTF-8 (encodage)",
    ),
    "utf-16": (
        "mfa:\n  acces_distants: true\n".encode("utf-16"),
        "securite/mesures.yaml:1: fichier binaire ou UTF-16, attendu un texte UTF-8 (encodage)",
    ),
    "latin-1": (
        "mfa:\n  acces_distants: true\n# vérifié\n".encode("latin-1"),
        "securite/mesures.yaml:3: caractère non UTF-8 (fichier enregistré en Latin-1 ou Windows-1252 ?), attendu un texte UTF-8 (encodage)",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cas", MESURES_HOSTILES)
def test_fichier_hostile_coute_ses_regles(terrain, lancer, mode, cas):
    contenu, attendu = MESURES_HOSTILES[cas]
    (terrain.depot / MESURES).write_bytes(contenu)
    terrain.armer()
    sortie, vu = rapport(lancer, terrain, mode)
    assert sortie.code == 1
    assert [l for l in lignes(vu) if l.startswith(MESURES)] == [attendu]
    assert {r: s for r, s in statuts(vu).items() if r in HYGIENE} == HYGIENE
    # Le reste du dépôt est évalué normalement.
    assert statuts(vu)["PBN-01"] == "conforme" and statuts(vu)["VUL-02"] == "conforme"
    terrain.rien_n_a_fui(sortie)


def _resume(sortie) -> tuple[int, list[str], dict[str, str]]:
    vu = json.loads(sortie.stdout)
    return sortie.code, lignes(vu), statuts(vu)


# Les gros fichiers, écrits en flux (ou creux) ; lus en sous-processus, mémoire mesurée.
GROS = {
    # 200 Mo : refusé sur sa taille, jamais lu (fichier creux sur le disque, blob git de zéros).
    "200-mo": ("incidents/enorme.yaml", None,
               f"incidents/enorme.yaml: fichier de {200 * 1024 * 1024} octets, au-delà de la limite de {TAILLE_MAX_FICHIER} (docs/limites.md) (fichier-trop-gros)",
               {"INC-01": "erreur"}),
    # Un million de lignes d'un vrai registre : 29 Mo, refusé sur sa taille.
    "csv-1000000-lignes": ("vulnerabilites/registre.csv",
                           lambda: "identifiant;actif;criticite;source;detectee_le;corrigee_le\n" + "CVE-1;a;faible;s;2024-01-01;\n" * 1_000_000,
                           None, {"VUL-02": "erreur"}),
    # Un million de lignes courtes (7 Mo, sous la taille) : refusé sur le nombre de lignes, avant l'analyse.
    "csv-1000000-lignes-courtes": ("vulnerabilites/registre.csv",
                                   lambda: "identifiant;actif;criticite;source;detectee_le;corrigee_le\n" + "x;;;;;\n" * 1_000_000,
                                   f"vulnerabilites/registre.csv: 1000001 lignes, au-delà de la limite de {LIGNES_MAX_CSV} (docs/limites.md) (trop-de-lignes)",
                                   {"VUL-02": "erreur"}),
    "csv-retours-chariot": ("vulnerabilites/registre.csv",
                            lambda: "identifiant;actif;criticite;source;detectee_le;corrigee_le\r" + "x;;;;;\r" * 1_000_000,
                            f"vulnerabilites/registre.csv: 1000001 lignes, au-delà de la limite de {LIGNES_MAX_CSV} (docs/limites.md) (trop-de-lignes)",
                            {"VUL-02": "erreur"}),
    "csv-colonnes": ("vulnerabilites/registre.csv",
                     lambda: ";".join(f"c{i}" for i in range(1_000_000)) + "\n",
                     f"vulnerabilites/registre.csv:1: 1000000 colonnes, au-delà de la limite de {COLONNES_MAX_CSV} (docs/limites.md) (trop-de-colonnes)",
                     {"VUL-02": "erreur"}),
    # 2,6 millions de valeurs en 10 Mo : 1,5 Go et 30 s si elles étaient construites.
    "yaml-millions-de-valeurs": (MESURES, lambda: "mfa:\n" + "- 1\n" * 2_500_000,
                                 f"securite/mesures.yaml:{VALEURS_MAX_YAML - 1}: plus de {VALEURS_MAX_YAML} valeurs YAML, fichier refusé (docs/limites.md) (trop-de-valeurs)",
                                 HYGIENE),
    # Un million de « [ » (2 Mo) : la composition récursive de libyaml plantait (SIGSEGV).
    "imbrication-1000000": (MESURES, lambda: "mfa: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n",
                            f"securite/mesures.yaml:1: imbrication de plus de {PROFONDEUR_MAX} niveaux, refusée (imbrication)",
                            HYGIENE),
    "markdown-millions-de-titres": ("crise/plan-blanc-numerique.md", lambda: "#\n" * 5_000_000,
                                    f"crise/plan-blanc-numerique.md:{TITRES_MAX + 1}: plus de {TITRES_MAX} titres, document refusé (docs/limites.md) (trop-de-valeurs)",
                                    {"PBN-02": "erreur"}),
}


@pytest.mark.parametrize("cas", GROS)
def test_gros_fichier_refuse_par_une_limite(terrain, tmp_path, cas):
    chemin, fabrique_, attendu, regles = GROS[cas]
    cible = terrain.depot / chemin
    if fabrique_ is None:
        cible.write_bytes(b"")
        os.truncate(cible, 200 * 1024 * 1024)  # creux : 200 Mo sans écrire 200 Mo
    else:
        cible.write_text(fabrique_(), encoding="utf-8", newline="")
    if attendu is None:
        attendu = f"{chemin}: fichier de {cible.stat().st_size} octets, au-delà de la limite de {TAILLE_MAX_FICHIER} (docs/limites.md) (fichier-trop-gros)"
    # Des blobs volumineux : compression minimale pour construire vite (le contenu reste le même).
    git(terrain.depot, "init", "-q")
    git(terrain.depot, "config", "core.loosecompression", "1")
    git(terrain.depot, "config", "core.bigFileThreshold", "1m")
    terrain.armer()
    for mode, options in MODES.items():
        sortie, memoire = lancer_mesure(tmp_path, "evaluer", str(terrain.depot), *options, "--date", DATE_EXEMPLES, "--format", "json")
        code, problemes, vus = _resume(sortie)
        assert code == 1, (mode, sortie)
        assert [p for p in problemes if p.startswith(chemin)] == [attendu], mode
        assert {r: s for r, s in vus.items() if r in regles} == regles, mode
        assert memoire < MEMOIRE_MAX, (mode, memoire)
        terrain.rien_n_a_fui(sortie)


def test_depot_de_20000_fichiers(terrain, tmp_path):
    """Lister ne lit pas : 20 000 fichiers qui ne sont pas des preuves (annexes) coûtent leur seule
    liste ; les verdicts sont ceux du dépôt d'exemple."""
    annexes = terrain.depot / "annexes"
    annexes.mkdir()
    for i in range(20_000 - 25):  # et les 25 fichiers du dépôt d'exemple
        (annexes / f"{i:05d}.pdf").write_bytes(b"%PDF-1.4\n")
    assert sum(len(noms) for _, _, noms in os.walk(terrain.depot)) == 20_000
    terrain.armer()
    verdicts = set()
    for mode, options in MODES.items():
        sortie, memoire = lancer_mesure(tmp_path, "evaluer", str(terrain.depot), *options, "--date", DATE_EXEMPLES, "--format", "json")
        code, problemes, vus = _resume(sortie)
        assert code == 0, (mode, sortie)
        assert memoire < MEMOIRE_MAX, (mode, memoire)
        verdicts.add(tuple(sorted(vus.items())))
        terrain.rien_n_a_fui(sortie)
    assert len(verdicts) == 1 and dict(next(iter(verdicts)))["HYG-01"] == "conforme"


def _refus(lancer, terrain, attendu: str) -> None:
    for mode, options in MODES.items():
        sortie = lancer("evaluer", str(terrain.depot), *options, "--date", DATE_EXEMPLES, "--format", "json")
        assert (sortie.code, sortie.stdout, sortie.stderr) == (2, "", f"verificateur : {terrain.depot}: {attendu}\n"), mode
        terrain.rien_n_a_fui(sortie)


def test_trop_de_fichiers_de_preuve(terrain, lancer):
    from verificateur.preuves import type_de

    source = (terrain.depot / "incidents" / "2026-07-08-deni-de-service.yaml").read_bytes()
    for i in range(NOMBRE_MAX_PREUVES):
        (terrain.depot / "incidents" / f"copie-{i:05d}.yaml").write_bytes(source)
    compte = sum(1 for f in terrain.depot.rglob("*") if f.is_file() and type_de(f.relative_to(terrain.depot).as_posix()))
    assert compte == NOMBRE_MAX_PREUVES + 25  # et les 25 du dépôt d'exemple (Markdown compris)
    terrain.armer()
    _refus(lancer, terrain, f"{compte} fichiers de preuve, au-delà de la limite de {NOMBRE_MAX_PREUVES}, dépôt refusé (voir docs/limites.md)")


def test_trop_d_octets_de_preuves(terrain, lancer):
    """Sept incidents de 10 Mio chacun (sous la limite d'un fichier) : 70 Mio à lire, refusé avant."""
    contenu = b"resume: " + b"x" * (TAILLE_MAX_FICHIER - 20) + b"\n"
    for i in range(7):
        (terrain.depot / "incidents" / f"gros-{i}.yaml").write_bytes(contenu)
    terrain.armer()
    total = sum(f.stat().st_size for f in terrain.depot.rglob("*") if f.is_file() and ".git" not in f.parts
                and (f.suffix in (".yaml", ".csv", ".md")) and f.name not in (".gitattributes",))
    _refus(lancer, terrain, f"{total} octets de preuves à lire, au-delà de la limite de {TAILLE_MAX_PREUVES}, dépôt refusé (voir docs/limites.md)")


def test_trop_de_valeurs_dans_le_depot(terrain, lancer, monkeypatch):
    """Chaque fichier sous sa limite, mais le dépôt entier au-delà : la mémoire reste bornée. (La
    limite est abaissée pour que le cas reste rapide ; le mécanisme est le même.)"""
    from verificateur.preuves import chargement

    monkeypatch.setattr(chargement, "VALEURS_MAX_DEPOT", 3_000)
    contenu = ("resume:\n" + "- 1\n" * 1_000).encode()
    for i in range(3):
        (terrain.depot / "incidents" / f"liste-{i}.yaml").write_bytes(contenu)
    terrain.armer()
    _refus(lancer, terrain, "plus de 3000 valeurs dans les preuves, dépôt refusé (voir docs/limites.md)")


@pytest.mark.parametrize("options", [(), ("--revision", "HEAD")], ids=["arbre", "revision"])
def test_lot_un_depot_demesure_ne_coute_que_sa_ligne(terrain, tmp_path, options):
    """Dans un lot (ARS), le dépôt démesuré est refusé avant toute lecture, les autres sont évalués.
    Dans l'arbre : 60 incidents creux de 10 Mio (600 Mio s'ils étaient lus, ce que faisait la clé
    du cache du lot) ; à la révision : 7 incidents de 10 Mio commités."""
    sain = tmp_path / "sain"
    shutil.copytree(EXEMPLES / "chu-armorique", sain)
    subprocess.run(["git", "init", "-q", str(sain)], check=True)
    git(sain, "add", "-A")
    git(sain, "commit", "-q", "-m", "preuves")
    incidents = terrain.depot / "incidents"
    if options:
        contenu = b"resume: " + b"x" * (TAILLE_MAX_FICHIER - 20) + b"\n"
        for i in range(7):
            (incidents / f"gros-{i}.yaml").write_bytes(contenu)
        terrain.armer()
    else:
        terrain.armer()
        for i in range(60):  # non suivis : l'arbre de travail les voit, git n'a pas à les hacher
            with open(incidents / f"creux-{i}.yaml", "wb") as f:
                f.truncate(TAILLE_MAX_FICHIER)
        terrain.avant = empreintes(terrain.depot)
    total = sum(f.stat().st_size for f in terrain.depot.rglob("*") if f.is_file() and f.suffix in (".yaml", ".csv", ".md"))
    manifeste = tmp_path / "manifeste.csv"
    manifeste.write_text(f"finess;chemin\n350042131;{terrain.depot}\n350042131;{sain}\n", encoding="utf-8")
    sortie, memoire = lancer_mesure(tmp_path, "lot", str(manifeste), *options, "--date", DATE_EXEMPLES, "--format", "json",
                                    "--sans-cache", "--jobs", "1")
    assert sortie.code == 4, sortie  # un dépôt n'a pas pu être évalué (docs/lot.md)
    assert memoire < MEMOIRE_MAX, memoire
    lignes_ = {e["chemin"]: (e["etat"], e["raison"]) for e in json.loads(sortie.stdout)["etablissements"]}
    assert lignes_ == {
        str(terrain.depot): ("echec", f"{total} octets de preuves à lire, au-delà de la limite de {TAILLE_MAX_PREUVES}, dépôt refusé (voir docs/limites.md)"),
        str(sain): ("evalue", None),
    }
    terrain.rien_n_a_fui(sortie)
