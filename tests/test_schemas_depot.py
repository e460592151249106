"""Les schémas portables (#17.4) : `init` et `verificateur preuves schema --ecrire` écrivent les schémas des
preuves dans le dépôt (`.verificateur/schemas/`, copie sous `modeles/`), chaque ligne
`# yaml-language-server: $schema=…` est un chemin relatif qui y aboutit (modèle en place, ou copié à sa
place finale), aucun chemin absolu n'est écrit, et le crochet dit — sans écrire — quand ils sont périmés."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import verificateur
from test_depot_git import environnement_git, git  # noqa: F401 (fixture)
from verificateur.commandes import schemas_depot
from verificateur.preuves import EXEMPLES_DE_CHEMINS, TYPES

AVEC_GIT = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")
INSTALLES = Path(verificateur.__file__).parent / "schemas" / "preuves"
TYPES_YAML = [t for t in TYPES if t.format == "yaml"]
BILAN_A_JOUR = ("28 schéma(s) dans .verificateur/schemas/, modeles/.verificateur/schemas/ : 0 créé(s), 0 mis à jour, "
                "28 déjà à jour")


def _schema_designe(fichier: Path) -> Path | None:
    """Comme yaml-language-server : la première ligne de commentaire `yaml-language-server:`, son premier
    `$schema=` ; un chemin relatif l'est au dossier du fichier ouvert."""
    for ligne in fichier.read_text(encoding="utf-8").splitlines():
        if ligne.startswith("#") and "yaml-language-server:" in ligne:
            (valeur,) = re.findall(r"\$schema=(\S+)", ligne)
            return Path(os.path.normpath(fichier.parent / valeur))
    return None


def _final(type_preuve) -> str:
    """La place finale d'un modèle : le chemin d'exemple de son type (`budget/2025.yaml`)."""
    (chemin,) = [c for c in EXEMPLES_DE_CHEMINS if type_preuve.motif.fullmatch(c)]
    return chemin


def _init(lancer, cible: Path) -> list[str]:
    """`verificateur init CIBLE`, réussi ; ses trois dernières lignes (les deux dossiers de schémas, le bilan)."""
    sortie = lancer("init", str(cible))
    assert sortie.code == 0, sortie
    return sortie.stdout.splitlines()[-3:]


@pytest.fixture
def depot(lancer, tmp_path):
    cible = tmp_path / "preuves-ch"
    _init(lancer, cible)
    return cible


def _fichiers(racine: Path) -> dict[str, bytes]:
    return {p.relative_to(racine).as_posix(): p.read_bytes() for p in sorted(racine.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(racine).parts}


def test_init_n_ecrit_aucun_chemin_absolu(lancer, tmp_path):
    cible = tmp_path / "preuves-ch"
    assert _init(lancer, cible) == [
        f"{cible}/.verificateur/schemas/: 14 schéma(s) créé(s)",
        f"{cible}/modeles/.verificateur/schemas/: 14 schéma(s) créé(s)",
        "44 fichier(s) créé(s) ; complétez etablissement.yaml, puis voir README.md",
    ]
    ecrits = _fichiers(cible)
    assert len(ecrits) == 44
    for chemin, contenu in ecrits.items():
        texte = contenu.decode("utf-8")
        for absolu in (str(tmp_path), str(INSTALLES.parent.parent), str(Path.home()), "file:"):
            assert absolu not in texte, chemin
        for valeur in re.findall(r"\$schema=(\S+)", texte):
            assert not valeur.startswith(("/", "\\")) and not re.match(r"[A-Za-z]:", valeur), (chemin, valeur)


def test_chaque_ligne_de_schema_aboutit_au_bon_schema_en_place_et_copie(lancer, depot):
    modeles = {t.nom: ("etablissement.yaml" if t.nom == "etablissement" else "modeles/" + t.modele) for t in TYPES_YAML}
    assert len(modeles) == 12
    for type_preuve in TYPES_YAML:
        modele = depot / modeles[type_preuve.nom]
        final = depot / _final(type_preuve)
        if modele != final:
            final.parent.mkdir(exist_ok=True)
            shutil.copy(modele, final)
        for fichier in (modele, final):
            schema = _schema_designe(fichier)
            assert schema is not None and schema.is_file(), (fichier, schema)
            assert schema.name == f"{type_preuve.nom}.schema.json"
            assert schema.read_bytes() == (INSTALLES / schema.name).read_bytes()
    # Les copies sont lues comme des preuves (leurs années d'exemple ne sont pas celles de ces noms), et
    # `.verificateur/` n'est ni lu ni signalé comme fichier inconnu.
    sortie = lancer("preuves", "valider", str(depot))
    assert sortie.stdout.splitlines()[-1].startswith("13 fichier(s) de preuve lu(s)"), sortie
    assert ".verificateur" not in sortie.stdout and "fichier-non-reconnu" not in sortie.stdout


def test_ecrire_est_idempotent_et_rafraichit(lancer, depot, monkeypatch):
    monkeypatch.chdir(depot)
    avant = {p: os.stat(depot / p).st_mtime_ns for p in _fichiers(depot)}
    sortie = lancer("preuves", "schema", "--ecrire")
    assert (sortie.code, sortie.stdout) == (0, BILAN_A_JOUR + "\n")
    assert {p: os.stat(depot / p).st_mtime_ns for p in _fichiers(depot)} == avant  # rien de touché

    budget = depot / ".verificateur/schemas/budget.schema.json"
    budget.write_text('{"type": "object"}\n', encoding="utf-8")  # un schéma d'une version antérieure
    (depot / "modeles/.verificateur/schemas/veille.schema.json").unlink()
    sortie = lancer("preuves", "schema", "--ecrire", str(depot))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines() == [
        f"{depot}/.verificateur/schemas/budget.schema.json: mis à jour",
        f"{depot}/modeles/.verificateur/schemas/veille.schema.json: créé",
        "28 schéma(s) dans .verificateur/schemas/, modeles/.verificateur/schemas/ : 1 créé(s), 1 mis à jour, 26 déjà à jour",
    ]
    assert budget.read_bytes() == (INSTALLES / "budget.schema.json").read_bytes()
    assert lancer("preuves", "schema", "--ecrire", str(depot)).stdout == BILAN_A_JOUR + "\n"
    assert not [p for p in _fichiers(depot) if p.endswith(".tmp")]


def test_ecrire_sans_modeles_et_sans_type(lancer, tmp_path):
    sortie = lancer("preuves", "schema", "--ecrire", str(tmp_path))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == "14 schéma(s) dans .verificateur/schemas/ : 14 créé(s), 0 mis à jour, 0 déjà à jour"
    assert sorted(p.name for p in (tmp_path / ".verificateur/schemas").iterdir()) == sorted(p.name for p in INSTALLES.iterdir())
    sortie = lancer("preuves", "schema", "budget", "--ecrire", str(tmp_path))
    assert (sortie.code, sortie.stderr) == (2, "verificateur : --ecrire écrit les schémas de tous les types : sans TYPE (reçu « budget »)\n")


def test_ecrire_ne_suit_pas_un_lien_hors_du_depot(lancer, tmp_path):
    depot, dehors = tmp_path / "depot", tmp_path / "dehors"
    depot.mkdir()
    dehors.mkdir()
    (depot / ".verificateur").symlink_to(dehors, target_is_directory=True)
    sortie = lancer("preuves", "schema", "--ecrire", str(depot))
    assert (sortie.code, sortie.stderr) == (
        2, f"verificateur : {depot}/.verificateur: lien symbolique, refusé : les schémas ne sont écrits que dans le dépôt\n")
    assert list(dehors.iterdir()) == []


def test_le_lecteur_ignore_verificateur(lancer, tmp_path):
    from conftest import ETABLISSEMENT, ecrire_depot

    ecrire_depot(tmp_path, {"etablissement.yaml": ETABLISSEMENT, ".verificateur/notes.yml": "a: 1\n",
                            ".verificateur/schemas/ancien.yaml": "a: 1\n"})
    sortie = lancer("preuves", "valider", str(tmp_path))
    assert (sortie.code, sortie.stdout) == (0, "1 fichier(s) de preuve lu(s), 1 valide(s) ; 0 erreur(s), 0 avertissement(s)\n")


@AVEC_GIT
def test_le_crochet_dit_les_schemas_perimes_sans_ecrire(lancer, depot, environnement_git):  # noqa: F811
    def crochet() -> list[str]:
        avant = _fichiers(depot)
        sortie = lancer("crochet", str(depot), "--date", "2026-11-23")
        assert sortie.code == 0, sortie  # jamais un refus
        assert _fichiers(depot) == avant  # le crochet n'écrit rien
        return [l for l in sortie.stdout.splitlines() if "schémas" in l]

    git(depot, "add", "-A")
    assert crochet() == []
    git(depot, "commit", "-q", "-m", "Dépôt créé par init")
    (depot / ".verificateur/schemas/budget.schema.json").write_text('{"type": "object"}\n', encoding="utf-8")
    assert crochet() == []  # l'index est encore à jour : c'est lui qui sera commité
    git(depot, "add", "-A")
    assert crochet() == [schemas_depot.LIGNE_PERIMES]
    assert schemas_depot.LIGNE_PERIMES == ("information : schémas du dépôt périmés : lancez « verificateur preuves schema "
                                           "--ecrire », puis ajoutez-les au commit")
    assert lancer("preuves", "schema", "--ecrire", str(depot)).code == 0
    git(depot, "add", "-A")
    assert crochet() == []
    git(depot, "rm", "-q", "-r", "--cached", ".verificateur")  # dépôt créé avant les schémas portables
    assert crochet() == [schemas_depot.LIGNE_PERIMES]
    git(depot, "add", "-A")
    git(depot, "rm", "-q", "--cached", "modeles/.verificateur/schemas/veille.schema.json")
    assert crochet() == [schemas_depot.LIGNE_PERIMES]
    git(depot, "add", "-A")
    assert crochet() == []
    # Même taille, un seul octet changé : seul le nom d'objet git (calculé, sans relire le dépôt) le voit.
    schema = depot / ".verificateur/schemas/budget.schema.json"
    contenu = schema.read_bytes()
    i = contenu.index(b"budget")
    schema.write_bytes(contenu[:i] + b"Budget" + contenu[i + 6:])
    git(depot, "add", "-A")
    assert crochet() == [schemas_depot.LIGNE_PERIMES]


def test_nom_d_objet_git_calcule_comme_git(depot, environnement_git):  # noqa: F811
    """Le nom d'objet que le crochet calcule est celui que git donne au même contenu."""
    import subprocess

    contenu = (depot / ".verificateur/schemas/budget.schema.json").read_bytes()
    attendu = subprocess.run(["git", "hash-object", "--stdin"], input=contenu, capture_output=True, check=True).stdout.decode().strip()
    assert schemas_depot._nom_objet_git(contenu, len(attendu)) == attendu


def test_init_apres_ecrire_garde_les_schemas_a_jour(lancer, tmp_path):
    """Les schémas sont des fichiers de l'outil : init les écrit comme « --ecrire », sans refuser un dossier qui les a déjà."""
    assert lancer("preuves", "schema", "--ecrire", str(tmp_path)).code == 0
    assert _init(lancer, tmp_path) == [
        f"{tmp_path}/.verificateur/schemas/: 14 schéma(s) déjà à jour",
        f"{tmp_path}/modeles/.verificateur/schemas/: 14 schéma(s) créé(s)",
        "30 fichier(s) créé(s) ; complétez etablissement.yaml, puis voir README.md",
    ]


def test_la_sortie_montree_par_preuves_md_est_reelle(lancer, depot, monkeypatch):
    from conftest import RACINE

    texte = (RACINE / "docs" / "preuves.md").read_text(encoding="utf-8")
    (bloc,) = [b for b in re.findall(r"```console\n(.*?)```", texte, re.S) if "schema --ecrire" in b]
    commande, attendu = bloc.split("\n", 1)
    for dossier in schemas_depot.dossiers(depot):  # « une mise à jour de l'outil qui a changé le schéma du budget »
        (depot / dossier / "budget.schema.json").write_text('{"type": "object"}\n', encoding="utf-8")
    monkeypatch.chdir(depot)
    sortie = lancer(*commande.removeprefix("$ verificateur ").split())
    assert (sortie.code, sortie.stdout) == (0, attendu)


@AVEC_GIT
def test_la_sortie_d_init_montree_par_crochet_md_est_reelle(lancer, tmp_path, monkeypatch, environnement_git):  # noqa: F811
    from conftest import RACINE

    texte = (RACINE / "docs" / "crochet.md").read_text(encoding="utf-8")
    (bloc,) = [b for b in re.findall(r"```console\n(.*?)```", texte, re.S) if b.startswith("$ verificateur init ")]
    commande, attendu = bloc.split("\n", 1)
    monkeypatch.chdir(tmp_path)
    sortie = lancer(*commande.removeprefix("$ verificateur ").split())
    assert (sortie.code, sortie.stdout) == (0, attendu)


def test_ecrire_dit_les_lignes_de_schema_a_remplacer_sans_les_reecrire(lancer, depot):
    """Un dépôt créé avant les schémas portables : ses lignes désignent l'outil installé par un chemin absolu."""
    ancienne = f"# yaml-language-server: $schema={INSTALLES}/budget.schema.json\n"
    (depot / "budget").mkdir()
    (depot / "budget/2026.yaml").write_text(ancienne + "annee: 2026\n", encoding="utf-8")
    modele = depot / "modeles/incidents/AAAA-MM-JJ-nom.yaml"
    modele.write_text(modele.read_text(encoding="utf-8").replace("../.verificateur/", "../../.verificateur/"), encoding="utf-8")
    (depot / "notes.yaml").write_text(ancienne, encoding="utf-8")  # pas une preuve : pas lu
    sortie = lancer("preuves", "schema", "--ecrire", str(depot))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines() == [
        f"{depot}/budget/2026.yaml:1: information : la ligne de schéma ne désigne pas celui du dépôt par un chemin relatif ; "
        "remplacez-la par « # yaml-language-server: $schema=../.verificateur/schemas/budget.schema.json »",
        f"{depot}/modeles/incidents/AAAA-MM-JJ-nom.yaml:1: information : la ligne de schéma ne désigne pas celui du dépôt par "
        "un chemin relatif ; remplacez-la par « # yaml-language-server: $schema=../.verificateur/schemas/incident.schema.json »",
        BILAN_A_JOUR,
    ]
    assert (depot / "budget/2026.yaml").read_text(encoding="utf-8") == ancienne + "annee: 2026\n"  # jamais réécrit
