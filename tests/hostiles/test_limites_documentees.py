"""Chaque limite de volume est documentée avec sa valeur exacte (docs/limites.md), et le modèle de
menace (docs/securite.md) nomme, pour chaque invariant, des tests qui existent."""

from __future__ import annotations

import re

from conftest import RACINE


def _colonnes(lignes: list[str], debut: str) -> list[str]:
    """Les colonnes de la seule ligne du tableau qui commence par `debut`."""
    trouvees = [l for l in lignes if l.startswith(f"| {debut}")]
    assert len(trouvees) == 1, debut
    return trouvees[0].split(" | ")


def _verifier_tests_cites(texte: str, au_moins: int) -> None:
    """Chaque test cité dans `texte` (`tests/….py` ou `tests/….py::fonction`) existe ; il y en a au moins `au_moins`."""
    cites = set(re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", texte))
    assert len(cites) >= au_moins
    for fichier, fonction in cites:
        chemin = RACINE / fichier
        assert chemin.is_file(), fichier
        if fonction:
            assert f"def {fonction}(" in chemin.read_text(encoding="utf-8"), f"{fichier}::{fonction}"


def test_les_limites_de_volume_documentees_sont_celles_du_code():
    from verificateur.commandes.historique import ETAPES_MAX, TAILLE_MAX_HISTOIRE
    from verificateur.git.depot_git import COMMITS_MAX
    from verificateur.socle.lecture import CHIFFRES_MAX_NOMBRE, COLONNES_MAX_CSV, LIGNES_MAX_CSV, TITRES_MAX, VALEURS_MAX_YAML
    from verificateur.sources import NOMBRE_MAX_PREUVES, TAILLE_MAX_PREUVES, VALEURS_MAX_DEPOT

    lignes = (RACINE / "docs" / "limites.md").read_text(encoding="utf-8").splitlines()

    def valeur(debut: str) -> str:
        return _colonnes(lignes, debut)[1]

    assert valeur("valeurs d'un fichier YAML") == str(VALEURS_MAX_YAML)
    assert valeur("chiffres significatifs d'un nombre YAML") == f"{CHIFFRES_MAX_NOMBRE} (ordre de grandeur entre 10^-{CHIFFRES_MAX_NOMBRE} et 10^{CHIFFRES_MAX_NOMBRE})"
    assert valeur("titres d'un document Markdown") == str(TITRES_MAX)
    assert valeur("lignes d'un registre CSV") == str(LIGNES_MAX_CSV)
    assert valeur("colonnes d'un registre CSV") == str(COLONNES_MAX_CSV)
    assert valeur("fichiers de preuve reconnus") == str(NOMBRE_MAX_PREUVES)
    assert valeur("octets de preuves à lire dans un dépôt") == f"{TAILLE_MAX_PREUVES} octets (64 Mio)"
    assert valeur("valeurs lues dans tout un dépôt") == str(VALEURS_MAX_DEPOT)
    assert valeur("étapes d'un `historique`") == str(ETAPES_MAX)
    assert valeur("commits de l'histoire") == str(COMMITS_MAX)
    assert valeur("octets de preuves lus pour tout un `historique`") == f"{TAILLE_MAX_HISTOIRE} octets (128 Mio)"
    from verificateur.git.collecte import DELAI_DEFAUT, TAILLE_DEFAUT

    assert valeur("durée de la récupération d'un dépôt collecté") == f"{DELAI_DEFAUT} s (`--delai-collecte`)"
    assert valeur("taille du miroir d'un dépôt collecté") == f"{TAILLE_DEFAUT} Mio (`--taille-max-collecte`)"


def test_les_limites_de_ressources_documentees_sont_celles_du_code():
    """Imbrication des dossiers, plage des dates, mémoire par mode (#12.4) : les valeurs du tableau sont
    celles du code et des tests, et chaque test cité existe."""
    from fabrique import MEMOIRE_MAX
    from test_ressources import MEMOIRE_HISTOIRE
    from verificateur.cli.communs import DATE_MAX, DATE_MIN
    from verificateur.sources import CHEMIN_MAX, PROFONDEUR_MAX_DOSSIERS

    texte = (RACINE / "docs" / "limites.md").read_text(encoding="utf-8")
    lignes = texte.splitlines()

    assert _colonnes(lignes, "imbrication des dossiers")[1] == f"{PROFONDEUR_MAX_DOSSIERS} niveaux"
    assert _colonnes(lignes, "chemin absolu d'un fichier")[1] == f"{CHEMIN_MAX} octets (PATH_MAX)"
    assert _colonnes(lignes, "dates de la ligne de commande")[1] == f"du {DATE_MIN.isoformat()} au {DATE_MAX.isoformat()}"
    assert _colonnes(lignes, "`evaluer` (arbre")[2].startswith(f"{MEMOIRE_MAX // (1024 * 1024)} Mo ")
    assert _colonnes(lignes, "fraîcheur")[2].startswith(f"{MEMOIRE_HISTOIRE // (1024 * 1024)} Mo ")
    assert _colonnes(lignes, "`historique`")[2].startswith(f"{MEMOIRE_HISTOIRE // (1024 * 1024)} Mo ")
    memoire = texte[texte.index("## Mémoire par mode"):texte.index("## Expressions régulières")]
    _verifier_tests_cites(memoire, au_moins=8)


def test_le_modele_de_menace_cite_des_tests_qui_existent():
    texte = (RACINE / "docs" / "securite.md").read_text(encoding="utf-8")
    _verifier_tests_cites(texte, au_moins=10)
    assert "(docs/securite.md)" in (RACINE / "README.md").read_text(encoding="utf-8")
