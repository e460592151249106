"""Chemins hostiles : liens symboliques vers des fichiers et des dossiers hors du dépôt (dans l'arbre
git et dans la copie de travail), chemins `..` et absolus dans les champs de preuve qui nomment un
fichier. Chaque source (arbre, révision, index) : la ligne de problème exacte, les verdicts, le code
de sortie, et rien n'a fui (aucun marqueur, aucune écriture, le secret voisin jamais lu)."""

from __future__ import annotations

import os

import pytest

from fabrique import MODES, lignes, rapport, statuts, terrain  # noqa: F401 (fixture)
from test_depot_git import environnement_git, remplacer  # noqa: F401 (fixture)

REFUS = "lien symbolique vers l'extérieur du dépôt, refusé (chemin-hors-depot)"


@pytest.mark.parametrize("mode", MODES)
def test_liens_vers_fichiers_et_dossiers_hors_du_depot(terrain, lancer, mode):
    depot = terrain.depot
    # Fichiers : cible relative qui sort, cible absolue ; dossiers : relatif et absolu ; un fichier de
    # preuve obligatoire remplacé par un lien vers le secret.
    (depot / "exercices" / "secret.yaml").symlink_to(os.path.relpath(terrain.secret, depot / "exercices"))
    (depot / "incidents" / "absolu.yaml").symlink_to(terrain.secret)
    (depot / "incidents" / "externes").symlink_to("../../dehors")
    (depot / "annexes").symlink_to(terrain.racine / "dehors")
    (depot / "securite" / "mesures.yaml").unlink()
    (depot / "securite" / "mesures.yaml").symlink_to(terrain.secret)
    terrain.armer()
    sortie, vu = rapport(lancer, terrain, mode)
    assert sortie.code == 1
    assert lignes(vu, "chemin-hors-depot") == [
        f"annexes: {REFUS}",
        f"exercices/secret.yaml: {REFUS}",
        f"incidents/absolu.yaml: {REFUS}",
        f"incidents/externes: {REFUS}",
        f"securite/mesures.yaml: {REFUS}",
    ]
    # Le fichier refusé n'existe pas pour l'évaluation : sa preuve manque.
    assert statuts(vu)["HYG-01"] == "preuve_manquante" and statuts(vu)["HYG-02"] == "preuve_manquante"
    assert statuts(vu)["INC-01"] == "conforme"  # les deux incidents du dépôt, pas ceux du dehors
    texte = lancer("evaluer", str(depot), *MODES[mode], "--date", "2026-10-01")
    assert texte.code == 1 and f"  securite/mesures.yaml: {REFUS}" in texte.stdout.splitlines()
    valider = lancer("preuves", "valider", str(depot))
    assert valider.code == 1 and f"securite/mesures.yaml: {REFUS}" in valider.stdout.splitlines()
    terrain.rien_n_a_fui(sortie, texte, valider)


CHEMINS = [
    ("../../secret.yaml", "../../secret.yaml"),
    ("/etc/passwd", "/etc/passwd"),
    ("exercices/../../secret.yaml", "exercices/../../secret.yaml"),
    ("C:/secret.yaml", "C:/secret.yaml"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("chemin, affiche", CHEMINS, ids=[c for c, _ in CHEMINS])
def test_chemins_hors_depot_dans_les_preuves(terrain, lancer, mode, chemin, affiche):
    """`retex.document` (exercice) et `applications_critiques[].mode_degrade` (plan blanc) nomment un
    fichier du dépôt : `..`, absolu ou lecteur Windows sont refusés, la preuve est invalide."""
    depot = terrain.depot
    remplacer(depot / "exercices" / "2026-04-14-rancongiciel-ght.yaml", "document: exercices/retex/2026-04-14.md", f"document: {chemin}")
    remplacer(depot / "crise" / "plan-blanc-numerique.yaml", "mode_degrade: crise/modes-degrades/pacs.md", f"mode_degrade: {chemin}")
    terrain.armer()
    sortie, vu = rapport(lancer, terrain, mode)
    assert sortie.code == 1
    message = "hors du dépôt, attendu un chemin relatif à la racine du dépôt (chemin-hors-depot)"
    assert lignes(vu, "chemin-hors-depot") == [
        f"crise/plan-blanc-numerique.yaml:30: chemin « {affiche} » {message}",
        f"exercices/2026-04-14-rancongiciel-ght.yaml:19: chemin « {affiche} » {message}",
    ]
    attendus = {f"EXE-0{i}": "erreur" for i in range(1, 5)} | {f"PBN-0{i}": "erreur" for i in range(1, 6)}
    assert {r: s for r, s in statuts(vu).items() if r in attendus} == attendus
    assert vu["synthese"]["statut_global"] == "non_conforme"
    terrain.rien_n_a_fui(sortie)
