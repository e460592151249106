"""Outils communs des tests : lancer la CLI dans le processus, écrire un petit dépôt de preuves."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

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


T = TypeVar("T")
_GABARITS: dict[tuple, tuple[Path, object]] = {}
_DOSSIER_GABARITS: list[Path] = []


def depuis_gabarit(cible: Path, nom: str, construire: Callable[[Path], T]) -> T:
    """Pose dans `cible` (qui n'existe pas encore) le dépôt git que `construire(chemin)` bâtit, et rend
    ce que `construire` a rendu (des révisions…).

    Le dépôt n'est bâti qu'une fois par session, puis copié : une copie coûte bien moins que les
    `git init`, `add`, `commit` qu'elle remplace dans chaque test. La copie est le dépôt que le test aurait
    bâti lui-même : `construire` tourne dans l'environnement git du premier test qui le demande, et le
    gabarit est propre à cet environnement (identités, dates, configuration : les variables GIT_* et la
    configuration git de HOME), donc mêmes commits, mêmes révisions, mêmes dates. Seules les
    informations de stat de l'index (inode, ctime) diffèrent de celles des fichiers copiés : git relit
    alors ces fichiers, comme après un `touch`, sans que le contenu indexé change. Hors d'un environnement git reproductible (dates
    ou configuration système non fixées), rien n'est mis en commun : le dépôt est bâti dans `cible`."""
    environnement = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_") or k == "XDG_CONFIG_HOME"))
    maison = Path(os.environ.get("HOME", "/nonexistent"))
    configurations = tuple(_lire(maison / f) for f in (".gitconfig", ".config/git/config"))
    fixe = all(os.environ.get(v) for v in ("GIT_CONFIG_NOSYSTEM", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"))
    if not fixe:
        return construire(cible)
    cle = (nom, environnement, configurations)
    if cle not in _GABARITS:
        if not _DOSSIER_GABARITS:
            dossier = Path(tempfile.mkdtemp(prefix="verificateur-gabarits-"))
            atexit.register(shutil.rmtree, dossier, ignore_errors=True)
            _DOSSIER_GABARITS.append(dossier)
        gabarit = Path(tempfile.mkdtemp(dir=_DOSSIER_GABARITS[0])) / cible.name
        _GABARITS[cle] = (gabarit, construire(gabarit))
    gabarit, rendu = _GABARITS[cle]
    copier_dossier(gabarit, cible)
    return rendu  # type: ignore[return-value]


def copier_dossier(source: Path, cible: Path) -> Path:
    """Comme shutil.copytree(source, cible, symlinks=True) (modes, dates, liens tels quels), par `cp -a` :
    3 à 4 fois moins de temps processeur que copytree, qui refait copystat et xattr fichier par fichier."""
    assert not cible.exists(), cible
    cible.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", "--", str(source), str(cible)], check=True)
    return cible


def exemple_commite(nom: str, cible: Path, message: str) -> Path:
    """Le dépôt d'exemple `nom` dans un dépôt git (branche main) d'un seul commit `message`, fait dans
    l'environnement git du test (copie d'un gabarit, voir `depuis_gabarit`)."""

    depuis_gabarit(cible, f"{nom}, commit « {message} »", lambda chemin: dossier_commite(EXEMPLES / nom, chemin, message))
    return cible


def dossier_commite(source: Path, cible: Path, message: str) -> Path:
    """Une copie de `source` dans `cible`, dépôt git (branche main) d'un seul commit `message`."""
    shutil.copytree(source, cible)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(cible)], check=True)
    for commande in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", "-C", str(cible), *commande], check=True)
    return cible


def git_reproductible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git reproductible et isolé (identité et dates fixes, HOME vide dans tmp_path, aucune configuration
    système : les gabarits de `depuis_gabarit` sont alors mis en commun) ; dossier courant tmp_path."""
    for cle in list(os.environ):
        if cle.startswith("GIT_") or cle == "VERIFICATEUR_TEST_LOT":
            monkeypatch.delenv(cle)
    maison = tmp_path / "maison"
    maison.mkdir()
    monkeypatch.setenv("HOME", str(maison))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Équipe RSSI")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "rssi@exemple.invalid")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-09-01T10:00:00+02:00")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)


def git(depot: Path, *arguments: str) -> str:
    fini = subprocess.run(["git", "-C", str(depot), *arguments], capture_output=True, text=True, check=False)
    assert fini.returncode == 0, (arguments, fini.stderr)
    return fini.stdout.strip()


def modifier(depot: Path, fichier: str, avant: str, apres: str) -> None:
    """Remplace `avant` (qui doit y être) par `apres` dans `fichier` du dépôt, et le commite."""
    chemin = depot / fichier
    texte = chemin.read_text(encoding="utf-8")
    assert avant in texte
    chemin.write_text(texte.replace(avant, apres), encoding="utf-8")
    git(depot, "commit", "-q", "-am", f"{fichier} modifié")


def _lire(fichier: Path) -> bytes | None:
    try:
        return fichier.read_bytes()
    except OSError:
        return None


ETABLISSEMENT = """\
finess: "350042131"
raison_sociale: Centre hospitalier d'essai
categorie: ch
statut_juridique: public
region: "53"
prioritaire: false
effectif: 900
"""
