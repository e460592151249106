"""Rien n'est altéré : chaque commande qui lit un dépôt de preuves laisse chaque octet, droit et date de
chaque fichier et dossier du dépôt (`.git` compris : index, config, refs, objets) tels quels, même
quand git voudrait rafraîchir son index et que la configuration du dépôt est piégée. Les sorties
sont écrites d'un coup : une interruption ne laisse ni rapport à moitié écrit ni fichier temporaire."""

from __future__ import annotations

import json
import os

import pytest

from conftest import DATE_EXEMPLES, exemple_commite
from fabrique import SECRET
from test_depot_git import empreintes, environnement_git, git, remplacer, rendre_hostile, toucher  # noqa: F401 (fixture)

MESURES = "securite/mesures.yaml"


@pytest.fixture
def depots(tmp_path, environnement_git):
    """Un dossier de dépôts (pour `lot`) qui en contient un : commité, puis une modification indexée,
    une non indexée, un fichier non suivi, des dates touchées ; configuration piégée."""
    parent = tmp_path / "depots"
    depot = parent / "chu-armorique"
    exemple_commite("chu-armorique", depot, "preuves")
    remplacer(depot / MESURES, "comptes_privilegies: true", "comptes_privilegies: false")
    git(depot, "add", MESURES)
    remplacer(depot / "README.md", "#", "##")
    (depot / "incidents" / "brouillon.yaml").write_text("detecte_le: [\n", encoding="utf-8")
    marqueurs = tmp_path / "marqueurs"
    rendre_hostile(depot, marqueurs)
    for fichier in (MESURES, "etablissement.yaml", "README.md"):
        toucher(depot / fichier)
    return parent, depot, marqueurs


def _manifeste(depot, dossier) -> str:
    """Le manifeste d'un lot (hors du dépôt) : le dossier des dépôts contient aussi les crochets piégés."""
    manifeste = dossier / "manifeste.csv"
    manifeste.write_text(f"finess;chemin\n350042131;{depot}\n", encoding="utf-8")
    return str(manifeste)


COMMANDES = {
    "evaluer-arbre": lambda d, t: ("evaluer", str(d), "--date", DATE_EXEMPLES, "--format", "json"),
    "evaluer-revision": lambda d, t: ("evaluer", str(d), "--revision", "HEAD", "--date", DATE_EXEMPLES, "--format", "json"),
    "evaluer-index": lambda d, t: ("evaluer", str(d), "--index", "--date", DATE_EXEMPLES, "--format", "json"),
    "evaluer-sortie-html": lambda d, t: ("evaluer", str(d), "--index", "--date", DATE_EXEMPLES, "--format", "html", "--sortie", str(t / "rapport.html")),
    "historique": lambda d, t: ("historique", str(d), "--jusqu-a", DATE_EXEMPLES, "--format", "csv"),
    "preuves-valider": lambda d, t: ("preuves", "valider", str(d)),
    "crochet": lambda d, t: ("crochet", str(d), "--date", DATE_EXEMPLES),
    "init-ailleurs": lambda d, t: ("init", str(t / "nouveau")),
    "lot": lambda d, t: ("lot", _manifeste(d, t), "--date", DATE_EXEMPLES, "--format", "json", "--sans-cache", "--jobs", "1"),
    "lot-revision": lambda d, t: ("lot", _manifeste(d, t), "--revision", "HEAD", "--date", DATE_EXEMPLES, "--format", "json",
                                  "--sans-cache", "--jobs", "1", "--rapports", str(t / "rapports")),
}
# Codes de sortie : HEAD et l'index ont la MFA des comptes à privilèges retirée (HYG-01 non conforme),
# l'arbre a en plus un brouillon invalide ; le crochet ne voit aucune régression de l'index sur HEAD.
CODES = {"evaluer-arbre": 1, "evaluer-revision": 1, "evaluer-index": 1, "evaluer-sortie-html": 1, "historique": 0,
         "preuves-valider": 1, "crochet": 0, "init-ailleurs": 0, "lot": 1, "lot-revision": 1}


@pytest.mark.parametrize("commande", COMMANDES)
def test_aucune_commande_n_altere_le_depot(depots, tmp_path, lancer, commande):
    parent, depot, marqueurs = depots
    avant = empreintes(parent)
    sortie = lancer(*COMMANDES[commande](depot, tmp_path))
    assert sortie.code == CODES[commande], sortie
    assert "Traceback" not in sortie.stderr and SECRET not in sortie.stdout
    assert empreintes(parent) == avant
    assert os.listdir(marqueurs) == []
    if commande == "init-ailleurs":
        assert (tmp_path / "nouveau" / "etablissement.yaml").is_file()


# --- sorties atomiques ------------------------------------------------------------------------------


class _Coupure:
    """Un fichier dont l'écriture s'interrompt à mi-chemin (Ctrl-C pendant l'écriture)."""

    def __init__(self, fichier):
        self._fichier = fichier

    def write(self, texte: str) -> int:
        self._fichier.write(texte[: len(texte) // 2])
        self._fichier.flush()
        raise KeyboardInterrupt

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fichier.close()
        return False


@pytest.mark.parametrize("moment", ["ecriture", "renommage"])
@pytest.mark.parametrize("commande", ["evaluer", "historique"])
def test_interruption_ne_laisse_aucun_rapport_a_moitie_ecrit(depots, tmp_path, lancer, monkeypatch, moment, commande):
    from verificateur.cli import evaluation as cli

    _, depot, _ = depots
    sorties = tmp_path / "sorties"
    sorties.mkdir()
    cible = sorties / "rapport.json"
    cible.write_text('{"ancien": true}\n', encoding="utf-8")
    if moment == "ecriture":
        vrai_fdopen = os.fdopen
        monkeypatch.setattr(cli.os, "fdopen", lambda *a, **k: _Coupure(vrai_fdopen(*a, **k)))
    else:
        def interrompre(*_):
            raise KeyboardInterrupt
        monkeypatch.setattr(cli.os, "replace", interrompre)
    arguments = {"evaluer": ("evaluer", str(depot), "--revision", "HEAD", "--date", DATE_EXEMPLES),
                 "historique": ("historique", str(depot), "--jusqu-a", DATE_EXEMPLES)}[commande]
    sortie = lancer(*arguments, "--format", "json", "--sortie", str(cible))
    assert (sortie.code, sortie.stderr.strip()) == (130, "interrompu")
    assert os.listdir(sorties) == ["rapport.json"]  # aucun fichier temporaire
    assert json.loads(cible.read_text(encoding="utf-8")) == {"ancien": True}  # l'ancien rapport, intact
    # Sans interruption, le nouveau rapport remplace l'ancien en entier.
    monkeypatch.undo()
    sortie = lancer(*arguments, "--format", "json", "--sortie", str(cible))
    assert sortie.code == {"evaluer": 1, "historique": 0}[commande] and os.listdir(sorties) == ["rapport.json"]
    assert "ancien" not in json.loads(cible.read_text(encoding="utf-8"))
