"""La routine trimestrielle de bout en bout (#16) : des dépôts servis par un vrai `git daemon` et par le
HTTP « intelligent » de git (serveurs lancés par les tests sur 127.0.0.1), et un paquet `git bundle`
envoyé par un établissement sans serveur ; deux campagnes collectées puis enregistrées dans
l'observatoire ; `comparer` nomme exactement les régressions et l'amélioration plantées entre les deux."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXEMPLES
from test_collecte import daemon, http, servir  # noqa: F401 (fixtures des serveurs git)
from test_lot import depot_git, environnement, git  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")

DATE = "2026-10-01"  # les deux campagnes au même jour : seul ce qui est planté change


def _modifier(depot: Path, fichier: str, avant: str, apres: str) -> None:
    chemin = depot / fichier
    texte = chemin.read_text(encoding="utf-8")
    assert avant in texte
    chemin.write_text(texte.replace(avant, apres), encoding="utf-8")
    git(depot, "commit", "-q", "-am", f"{fichier} modifié")


def test_deux_campagnes_collectees_puis_comparees(tmp_path, lancer, monkeypatch, daemon, http):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    chu, servi_chu = servir(tmp_path, "chu", "chu-armorique")
    vallee, servi_vallee = servir(tmp_path, "vallee", "ch-vallee-du-lys")
    tilleuls = depot_git(EXEMPLES / "ehpad-les-tilleuls", tmp_path / "travail" / "tilleuls")
    git(tilleuls, "bundle", "create", str(tmp_path / "tilleuls.bundle"), "--all")
    (tmp_path / "manifeste.csv").write_text(
        "finess;chemin;revision\n"
        f"350042131;{daemon}/chu.git\n"
        f"590028718;{http}/vallee.git;main\n"
        "690035449;tilleuls.bundle\n", encoding="utf-8")
    base = tmp_path / "obs.sqlite"

    def campagne(nom: str):
        return lancer("lot", "manifeste.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "2",
                      "--sans-progression", "--campagne", nom, "--observatoire", str(base))

    premiere = campagne("2026-T3")
    assert premiere.code == 1, premiere
    assert premiere.stderr == f"campagne « 2026-T3 » ({DATE}) : 3 établissement(s) enregistré(s) dans {base}\n"

    # Entre les deux campagnes, les établissements poussent sur leur serveur, ou renvoient un paquet.
    _modifier(chu, "securite/mesures.yaml", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false")
    git(chu, "push", "-q", str(servi_chu), "main")
    _modifier(vallee, "securite/mesures.yaml", "comptes_privilegies: false", "comptes_privilegies: true")
    git(vallee, "push", "-q", str(servi_vallee), "main")
    _modifier(tilleuls, "securite/mesures.yaml", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false")
    git(tilleuls, "bundle", "create", str(tmp_path / "tilleuls.bundle"), "--all")

    seconde = campagne("2026-T4")
    assert seconde.code == 1, seconde
    sortie = lancer("observatoire", "comparer", "2026-T3", "2026-T4", "--observatoire", str(base), "--format", "json")
    assert sortie.code == 0, sortie
    d = json.loads(sortie.stdout)
    assert [(l["finess"], l["regle"], l["avant"], l["apres"]) for l in d["regressions"]] == [
        ("350042131", "HYG-02", "conforme", "non_conforme"),
        ("690035449", "HYG-02", "conforme", "non_conforme"),
    ]
    assert [(l["finess"], l["regle"], l["avant"], l["apres"]) for l in d["ameliorations"]] == [
        ("590028718", "HYG-01", "non_conforme", "conforme")]
    assert (d["apparus"], d["disparus"], d["compares"], d["non_compares"]) == ([], [], 3, [])
    campagnes = json.loads(lancer("observatoire", "campagnes", "--observatoire", str(base), "--format", "json").stdout)
    assert [c["nom"] for c in campagnes["campagnes"]] == ["2026-T3", "2026-T4"]
