"""La routine trimestrielle de bout en bout (#16) : des dépôts servis par un vrai `git daemon` et par le
HTTP « intelligent » de git (serveurs lancés par les tests sur 127.0.0.1), et un paquet `git bundle`
envoyé par un établissement sans serveur ; deux campagnes collectées puis enregistrées dans
l'observatoire ; `comparer` nomme exactement les régressions et l'amélioration plantées entre les deux."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import git, modifier
from test_collecte import daemon, http, trois_sources  # noqa: F401 (fixtures des serveurs git)
from test_lot import environnement  # noqa: F401 (fixture : git reproductible, dossier courant tmp_path)
from test_observatoire import changements, comparer_json

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")

DATE = "2026-10-01"  # les deux campagnes au même jour : seul ce qui est planté change


def test_deux_campagnes_collectees_puis_comparees(tmp_path, lancer, daemon, http):  # noqa: F811
    (chu, servi_chu), (vallee, servi_vallee), tilleuls = trois_sources(tmp_path, daemon, http)
    base = tmp_path / "obs.sqlite"

    def campagne(nom: str):
        return lancer("lot", "manifeste.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "2",
                      "--sans-progression", "--campagne", nom, "--observatoire", str(base))

    premiere = campagne("2026-T3")
    assert premiere.code == 1, premiere
    assert premiere.stderr == f"campagne « 2026-T3 » ({DATE}) : 3 établissement(s) enregistré(s) dans {base}\n"

    # Entre les deux campagnes, les établissements poussent sur leur serveur, ou renvoient un paquet.
    modifier(chu, "securite/mesures.yaml", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false")
    git(chu, "push", "-q", str(servi_chu), "main")
    modifier(vallee, "securite/mesures.yaml", "comptes_privilegies: false", "comptes_privilegies: true")
    git(vallee, "push", "-q", str(servi_vallee), "main")
    modifier(tilleuls, "securite/mesures.yaml", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false")
    git(tilleuls, "bundle", "create", str(tmp_path / "tilleuls.bundle"), "--all")

    seconde = campagne("2026-T4")
    assert seconde.code == 1, seconde
    d = comparer_json(lancer, base)
    assert changements(d["regressions"]) == [
        ("350042131", "HYG-02", "conforme", "non_conforme"),
        ("690035449", "HYG-02", "conforme", "non_conforme"),
    ]
    assert changements(d["ameliorations"]) == [
        ("590028718", "HYG-01", "non_conforme", "conforme")]
    assert (d["apparus"], d["disparus"], d["compares"], d["non_compares"]) == ([], [], 3, [])
    campagnes = json.loads(lancer("observatoire", "campagnes", "--observatoire", str(base), "--format", "json").stdout)
    assert [c["nom"] for c in campagnes["campagnes"]] == ["2026-T3", "2026-T4"]
