"""Le catalogue validé gardé sur disque (cache_catalogue.py) : relu à l'identique, jamais périmé,
ignoré s'il est abîmé ; et le chemin du crochet qui s'en sert n'importe ni jsonschema ni tabulate."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, RACINE
from test_depot_git import environnement_git, git, nouveau_depot  # noqa: F401 (fixture)
from verificateur import politiques
from verificateur.politiques import cache_catalogue
from verificateur.socle.problemes import ErreurVerificateur

AVEC_GIT = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "verificateur" / "catalogues"


def _politique(tmp_path: Path) -> Path:
    """Une copie de la politique livrée plan-national, qu'un test peut modifier."""
    copie = tmp_path / "politiques" / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", copie)
    return copie


def test_relu_a_l_identique(cache):
    charge = cache_catalogue.charger()
    assert len(list(cache.glob("*.json"))) == 1
    relu = cache_catalogue.charger()
    assert relu is not charge
    # Mêmes valeurs et mêmes types (Decimal, date, tuple, Path, classes) : repr les montre tous.
    assert relu == charge and repr(relu) == repr(charge) == repr(politiques.charger())
    assert [repr(e.donnees) for e in relu.exigences.values()] == [repr(e.donnees) for e in charge.exigences.values()]


def test_une_regle_modifiee_n_est_jamais_servie_perimee(cache, tmp_path):
    dossier = _politique(tmp_path)
    premier = cache_catalogue.charger([dossier])
    fichier = sorted((dossier / "regles").glob("*.yaml"))[0]
    texte = fichier.read_text(encoding="utf-8")
    assert "gravite: majeure" in texte
    fichier.write_text(texte.replace("gravite: majeure", "gravite: critique", 1), encoding="utf-8")
    second = cache_catalogue.charger([dossier])
    assert second == politiques.charger([dossier]) and second != premier
    assert len(list(cache.glob("*.json"))) == 2


def test_un_cache_abime_est_ignore(cache):
    attendu = politiques.charger()
    cache_catalogue.charger()
    (fichier,) = cache.glob("*.json")
    for abime in (b"", b"pas du json", fichier.read_bytes()[:-10], fichier.read_bytes().replace(b'"Regle"', b'"Autre"')):
        fichier.write_bytes(abime)
        assert cache_catalogue.charger() == attendu
        assert fichier.read_bytes() != abime  # réécrit, bon
    # Une somme juste sur un contenu qui ne reconstruit pas un catalogue : ignoré aussi.
    entete, _, corps = fichier.read_bytes().partition(b"\n")
    assert cache_catalogue.lire(fichier, "une autre clé") is None
    assert cache_catalogue.lire(fichier, entete.decode().split('"cle": "')[1][:64]) == attendu


def test_des_politiques_invalides_ne_sont_jamais_inscrites(cache, tmp_path):
    dossier = _politique(tmp_path)
    (dossier / "politique.yaml").write_text("politique: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ErreurVerificateur, match="politiques invalides"):
            cache_catalogue.charger([dossier])
    assert not cache.exists() or not list(cache.glob("*.json"))


def test_un_dossier_courant_different_est_une_autre_cle(cache, tmp_path, monkeypatch):
    # Les messages et les règles montrent des chemins relatifs au dossier courant.
    dossier = _politique(tmp_path)
    cle = cache_catalogue.cle([dossier], None)
    monkeypatch.chdir(tmp_path)
    assert cache_catalogue.cle([dossier], None) != cle


@AVEC_GIT
def test_le_crochet_et_evaluer_index_n_importent_ni_jsonschema_ni_tabulate(tmp_path, environnement_git, cache):  # noqa: F811
    depot = nouveau_depot(tmp_path / "preuves")
    programme = (
        "import sys\n"
        "from verificateur.cli import main\n"
        "sys.argv = ['verificateur', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jsonschema', 'tabulate', 'jinja2', 'verificateur.politiques.typage') if m in sys.modules), file=sys.stderr)\n"
    )
    sorties = []
    for commande in (["crochet", str(depot)], ["crochet", str(depot)], ["evaluer", "--index", "--format", "json"]):
        fini = subprocess.run([sys.executable, "-c", programme, *commande, "--date", DATE_EXEMPLES],
                              capture_output=True, text=True, cwd=depot, check=False)
        sorties.append(fini)
    # Le premier lancement valide les politiques (jsonschema) et inscrit le catalogue ; les suivants le relisent.
    assert sorties[0].stderr.strip().splitlines()[-1] != "[]"
    assert sorties[1].stdout == sorties[0].stdout
    assert sorties[1].stderr.strip().splitlines()[-1] == "[]", sorties[1].stderr
    assert sorties[2].stderr.strip().splitlines()[-1] == "[]", sorties[2].stderr


@AVEC_GIT
def test_rapports_identiques_avec_et_sans_cache(lancer, tmp_path, environnement_git, cache):  # noqa: F811
    depot = nouveau_depot(tmp_path / "preuves")
    (depot / "incidents" / "casse.yaml").write_text("detecte_le: 2026-02-30\n", encoding="utf-8")
    git(depot, "add", "-A")
    rapports = [lancer("evaluer", str(depot), "--index", "--date", DATE_EXEMPLES, "--format", "json") for _ in range(2)]
    assert list(cache.glob("*.json"))
    assert rapports[0].stdout == rapports[1].stdout and rapports[0].code == rapports[1].code == 1
    assert '"date-invalide"' in rapports[0].stdout or '"cle-manquante"' in rapports[0].stdout


def test_le_codage_reconstruit_chaque_type_a_l_identique():
    import json
    from datetime import date
    from decimal import Decimal

    from verificateur.socle.problemes import AVERTISSEMENT, Probleme

    valeur = {
        "avertissement": Probleme("politiques/x/politique.yaml", 3, "code", "message\navec saut", AVERTISSEMENT),
        "nombres": [1, True, None, 0.5, float("inf"), Decimal("0.050"), date(2026, 10, 1)],
        "uplet": (1, ("a", Path("politiques/x"))),
        "cles": {1: "entier", ("a", 1): "uplet", "\x00": "la marque elle-même"},
    }
    relu = json.loads(json.dumps(cache_catalogue._coder(valeur)), object_hook=cache_catalogue._decoder)
    assert relu == valeur and repr(relu) == repr(valeur)
    assert relu["avertissement"].message == "message\\navec saut"  # nettoyé une fois, à la création
    with pytest.raises(TypeError):
        cache_catalogue._coder({"inconnu": object()})
