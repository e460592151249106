"""Outils communs des tests : lancer la CLI dans le processus, écrire un petit dépôt de preuves."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
EXEMPLES = RACINE / "exemples"
DATE_EXEMPLES = "2026-10-01"


@pytest.fixture(autouse=True, scope="session")
def _cache_isole(tmp_path_factory):
    """Les caches de l'outil ($XDG_CACHE_HOME : catalogue validé, lot) dans un dossier de la session,
    jamais dans celui de la personne qui lance les tests."""
    ancien = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-xdg"))
    yield
    if ancien is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = ancien


@dataclass
class Sortie:
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:  # affiché par pytest quand une assertion échoue
        return f"code {self.code}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


@pytest.fixture
def lancer(capsys, monkeypatch):
    """Lance `verificateur ARGS…` par son vrai point d'entrée (main), sans sous-processus."""
    from verificateur.cli import main

    def _lancer(*args: str) -> Sortie:
        monkeypatch.setattr(sys, "argv", ["verificateur", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as fin:
            code = fin.code if isinstance(fin.code, int) else (0 if fin.code is None else 1)
        out, err = capsys.readouterr()
        if out and code in (0, 1) and _format_json(args):
            valider_rapport_json(out)
        return Sortie(code, out, err)

    return _lancer


def _format_json(args: tuple[str, ...]) -> bool:
    return "evaluer" in args and any(a == "--format" and b == "json" for a, b in zip(args, args[1:]))


@lru_cache(maxsize=1)
def _validateur_rapport():
    from jsonschema import Draft202012Validator

    schema = json.loads((RACINE / "verificateur" / "schemas" / "rapport.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def valider_rapport_json(texte: str) -> None:
    """Chaque rapport JSON produit par la suite de tests respecte le schéma livré (docs/rapport.md)."""
    erreurs = [f"{list(e.absolute_path)}: {e.message}" for e in _validateur_rapport().iter_errors(json.loads(texte))]
    assert not erreurs, f"rapport JSON hors schéma : {erreurs}"


def ecrire_depot(racine: Path, fichiers: dict[str, str]) -> Path:
    for chemin, contenu in fichiers.items():
        cible = racine / chemin
        cible.parent.mkdir(parents=True, exist_ok=True)
        cible.write_text(contenu, encoding="utf-8")
    return racine


ETABLISSEMENT = """\
finess: "350042131"
raison_sociale: Centre hospitalier d'essai
categorie: ch
statut_juridique: public
region: "53"
prioritaire: false
effectif: 900
"""
