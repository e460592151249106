"""La documentation ne ment pas : les commandes du README existent et CI lance celle des tests."""

import re

import pytest

from conftest import RACINE


def _commandes_readme():
    texte = (RACINE / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", texte)


def test_les_deux_commandes_en_tete_du_readme():
    installer, tester = _commandes_readme()[:2]
    assert "pip install ." in installer and "verificateur evaluer exemples/" in installer
    assert "pytest" in tester


def test_ci_lance_exactement_la_commande_de_test_du_readme():
    tester = _commandes_readme()[1]
    ci = (RACINE / ".ci" / "run").read_text(encoding="utf-8")
    assert tester in ci.splitlines()
    assert '"$1" -eq 5' in ci  # aucun test exécuté = échec
    assert ci.count('verdict "$code"') == 2  # pour les deux suites : versions récentes et bornes basses


def test_ci_lance_la_commande_des_bornes_basses_du_readme():
    bornes = _commandes_readme()[2]
    assert "scripts/bornes_basses.py" in bornes and "pytest" in bornes
    assert bornes in (RACINE / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_ci_lance_la_commande_des_controles_statiques_du_readme():
    statiques = _commandes_readme()[3]
    assert statiques.startswith(".venv/bin/ruff check verificateur tests benchmarks scripts") and statiques.endswith("&& .venv/bin/mypy")
    ci = (RACINE / ".ci" / "run").read_text(encoding="utf-8")
    assert statiques in ci.splitlines()
    assert ci.index(statiques) > ci.rindex("-m pytest -q")  # après les deux suites, dans le .venv des plus récentes
    assert 'echo "CI (contrôles statiques) : ruff ou mypy signale des erreurs, ci-dessus" >&2' in ci


def test_les_bornes_basses_sont_celles_de_pyproject():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bornes_basses", RACINE / "scripts" / "bornes_basses.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    contraintes = module.contraintes()
    assert "pyyaml==6.0" in contraintes and "click==8.4" in contraintes and "icalendar==6.1" in contraintes
    assert "ruff==0.17.0" in contraintes and "mypy==2.4.1" in contraintes  # les contrôles statiques aussi
    assert len(contraintes) == 18  # chaque dépendance et chaque outil de test a sa borne basse


def test_chaque_commande_du_readme_a_une_aide(lancer):
    texte = (RACINE / "README.md").read_text(encoding="utf-8")
    for commande in sorted(set(re.findall(r"`verificateur ((?:[a-z]+ ?){1,2})", texte))):
        mots = commande.split()
        sortie = lancer(*mots, "--help")
        assert sortie.code == 0, (commande, sortie)


def test_les_limites_documentees_sont_celles_du_code():
    from verificateur.socle.lecture import PROFONDEUR_MAX
    from verificateur.sources import NOMBRE_MAX_FICHIERS, TAILLE_MAX_FICHIER

    texte = (RACINE / "docs" / "limites.md").read_text(encoding="utf-8")
    assert f"| {TAILLE_MAX_FICHIER} octets" in texte
    assert f"| {NOMBRE_MAX_FICHIERS} |" in texte
    assert f"| {PROFONDEUR_MAX} niveaux |" in texte


def test_les_documents_cites_par_le_code_existent():
    for fichier in (RACINE / "verificateur").rglob("*.py"):
        for cite in re.findall(r"docs/[a-z-]+\.md", fichier.read_text(encoding="utf-8")):
            assert (RACINE / cite).is_file(), f"{fichier.name} cite {cite}, absent"


def _sorties_montrees(document):
    """Les blocs « $ verificateur … » suivis de leur sortie (README et docs) : (commande, sortie)."""
    texte = (RACINE / document).read_text(encoding="utf-8")
    for bloc in re.findall(r"```(?:console)?\n(\$ verificateur [^\n]+\n.*?)```", texte, flags=re.S):
        premiere, _, sortie = bloc.partition("\n")
        if "$ " not in sortie:  # un bloc d'une seule commande et de sa sortie, rien d'autre
            yield premiere[len("$ verificateur "):].split(), sortie


@pytest.mark.parametrize("document", ["README.md", "docs/lot.md", "docs/echeances.md"])
def test_les_sorties_montrees_sont_reelles(lancer, monkeypatch, document):
    """Une sortie montrée dans la documentation est celle de la commande, à l'octet près."""
    monkeypatch.chdir(RACINE)
    blocs = list(_sorties_montrees(document))
    assert blocs, f"{document} : aucune sortie montrée"
    for args, attendue in blocs:
        if "lot" in args:
            args = [*args, "--sans-cache", "--jobs", "1"]  # même sortie, sans toucher au cache de l'utilisateur
        assert lancer(*args).stdout == attendue, " ".join(args)
