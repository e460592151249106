"""Les statuts d'un verdict sont définis une fois (socle/statuts.py) : le contrat JSON, les mots des
rendus et les échecs en dérivent."""

from __future__ import annotations

import json

from conftest import RACINE
from verificateur.socle.statuts import ECHECS, LIBELLES_STATUTS, PLURIELS_STATUTS, STATUTS, Statut


def test_les_statuts_sont_ceux_du_contrat_json():
    schema = json.loads((RACINE / "verificateur" / "schemas" / "rapport.schema.json").read_text(encoding="utf-8"))
    enums = [v["enum"] for v in _valeurs(schema) if isinstance(v, dict) and {"conforme", "derogation"} <= set(v.get("enum", []))]
    assert enums and all(e == list(STATUTS) for e in enums)


def test_chaque_statut_a_ses_mots_et_les_echecs_en_sont():
    assert list(LIBELLES_STATUTS) == list(PLURIELS_STATUTS) == list(STATUTS)
    assert set(ECHECS) < set(STATUTS)
    assert Statut.NON_CONFORME == "non_conforme" and json.dumps([Statut.DEROGATION]) == '["derogation"]'
    assert all(type(s) is str for s in (*STATUTS, *ECHECS))  # du texte simple dans les rapports


def _valeurs(noeud):
    yield noeud
    if isinstance(noeud, dict):
        for v in noeud.values():
            yield from _valeurs(v)
    elif isinstance(noeud, list):
        for v in noeud:
            yield from _valeurs(v)
