"""Propriétés (Hypothesis) : toute preuve, valide ou corrompue, générée depuis nos schémas JSON, et
toute politique corrompue donnent un rapport conforme à son schéma ou une ligne de problème française
`fichier[:ligne]: message (code)` — jamais une trace Python.

Court en CI (profil « court ») ; la campagne longue : `VERIFICATEUR_FUZZ=long python3 -m pytest
tests/hostiles/test_proprietes.py` (profil « long », voir docs/securite.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, valider_rapport_json

# Rien n'est écrit dans le projet (ni base d'exemples, ni correctifs proposés) : un dossier temporaire.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="verificateur-hypothesis-"))

settings.register_profile("court", max_examples=40, deadline=None, database=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=5_000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PROFIL = "long" if os.environ.get("VERIFICATEUR_FUZZ") == "long" else "court"

# Une ligne de problème : « fichier[:ligne]: message (code) », message en français (pas de trace).
LIGNE = re.compile(r"^[^\n:]+(:\d+)?: [^\n]+ \([a-z0-9-]+\)$")
JOUR = date.fromisoformat(DATE_EXEMPLES)


# --- des stratégies tirées de nos schémas JSON ---------------------------------------------------------


def _texte(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("format") == "date":
        return st.dates(date(2015, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    if schema.get("pattern", "").startswith("^\\d{4}-\\d{2}-\\d{2}[T ]"):  # date et heure réelles
        return st.datetimes(datetime(2015, 1, 1), datetime(2030, 12, 31)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M+01:00"))
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda t: "\n" not in t and "\r" not in t)
    return st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=schema.get("minLength", 0), max_size=40)


def _nombre(schema: dict[str, Any], entier: bool) -> st.SearchStrategy[Any]:
    bas = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    bas = bas + (1 if entier else Decimal("0.01")) if "exclusiveMinimum" in schema else bas
    haut = schema.get("maximum", 10**9)
    if entier:
        return st.integers(int(bas), int(haut))
    return st.decimals(Decimal(str(bas)), Decimal(str(haut)), places=2, allow_nan=False, allow_infinity=False)


def depuis_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Une valeur valide pour `schema` (types, enum, bornes, format date, motif, requis, listes)."""
    type_ = schema.get("type")
    if isinstance(type_, list):
        return st.one_of([depuis_schema({**schema, "type": t}) for t in type_])
    if "enum" in schema and type_ != "string":
        return st.sampled_from(schema["enum"])
    if type_ == "object":
        proprietes = schema.get("properties", {})
        requis = [c for c in schema.get("required", []) if c in proprietes]
        facultatifs = [c for c in proprietes if c not in requis]
        return st.fixed_dictionaries(
            {c: depuis_schema(proprietes[c]) for c in requis},
            optional={c: depuis_schema(proprietes[c]) for c in facultatifs},
        )
    if type_ == "array":
        elements = depuis_schema(schema.get("items", {"type": "string"}))
        unique = schema.get("uniqueItems", False)
        return st.lists(elements, min_size=schema.get("minItems", 0), max_size=max(schema.get("minItems", 0), 4),
                        unique_by=(lambda v: json.dumps(v, sort_keys=True, default=str)) if unique else None)
    if type_ == "string":
        return _texte(schema)
    if type_ == "integer":
        return _nombre(schema, True)
    if type_ == "number":
        return _nombre(schema, False)
    if type_ == "boolean":
        return st.booleans()
    if type_ == "null":
        return st.none()
    return st.none()


def _yaml(valeur: Any) -> str:
    def brut(v: Any) -> Any:
        if isinstance(v, Decimal):
            return float(v) if v != v.to_integral_value() else int(v)
        if isinstance(v, dict):
            return {k: brut(x) for k, x in v.items()}
        if isinstance(v, list):
            return [brut(x) for x in v]
        return v

    return yaml.safe_dump(brut(valeur), allow_unicode=True, sort_keys=False)


def _en_csv(lignes: list[dict[str, Any]], colonnes: list[str]) -> str:
    def cellule(v: Any) -> str:
        return str(v).replace(";", ",").replace("\n", " ").replace('"', "'")

    return "\n".join([";".join(colonnes)] + [";".join(cellule(l.get(c, "")) for c in colonnes) for l in lignes]) + "\n"


@cache
def _schema(nom: str) -> dict[str, Any]:
    from verificateur.socle import validation

    return validation.schema(f"preuves/{nom}")


# Chaque type de preuve, un chemin où le dépôt l'attend.
CHEMINS = {
    "etablissement": "etablissement.yaml",
    "budget": "budget/2026.yaml",
    "exercice": "exercices/genere.yaml",
    "plan_blanc_numerique": "crise/plan-blanc-numerique.yaml",
    "formation": "formation/2026.yaml",
    "veille": "vulnerabilites/veille.yaml",
    "registre_vulnerabilites": "vulnerabilites/registre.csv",
    "mesures": "securite/mesures.yaml",
    "incident": "incidents/genere.yaml",
    "derogations": "derogations.yaml",
}


@st.composite
def preuve_valide(draw: Any) -> tuple[str, bytes]:
    nom = draw(st.sampled_from(sorted(CHEMINS)))
    schema = _schema(nom)
    if nom == "registre_vulnerabilites":
        lignes = draw(st.lists(depuis_schema(schema), max_size=5))
        return CHEMINS[nom], _en_csv(lignes, list(schema["properties"])).encode()
    return CHEMINS[nom], _yaml(draw(depuis_schema(schema))).encode()


_ETRANGERS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=10),
                       st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@st.composite
def preuve_corrompue(draw: Any) -> tuple[str, bytes]:
    """Une preuve valide, puis une corruption : champ requis ôté, clé inconnue, type faux, texte tronqué,
    octets injectés, tabulations, clé dupliquée, ou n'importe quels octets."""
    chemin, contenu = draw(preuve_valide())
    facon = draw(st.sampled_from(["oter", "ajouter", "type", "tronquer", "octets", "tabulation", "doubler", "n-importe"]))
    if facon in ("oter", "ajouter", "type") and chemin.endswith(".yaml"):
        donnees = yaml.safe_load(contenu.decode())
        if isinstance(donnees, dict) and donnees:
            cle = draw(st.sampled_from(sorted(donnees)))
            if facon == "oter":
                del donnees[cle]
            elif facon == "ajouter":
                donnees[draw(st.text(min_size=1, max_size=12))] = draw(_ETRANGERS)
            else:
                donnees[cle] = draw(_ETRANGERS)
            return chemin, yaml.safe_dump(donnees, allow_unicode=True).encode()
    if facon == "tronquer":
        return chemin, contenu[: draw(st.integers(0, len(contenu)))]
    if facon == "octets":
        position = draw(st.integers(0, len(contenu)))
        return chemin, contenu[:position] + draw(st.binary(min_size=1, max_size=8)) + contenu[position:]
    if facon == "tabulation":
        return chemin, contenu.replace(b"  ", b"\t")
    if facon == "doubler":
        lignes_ = contenu.splitlines(keepends=True)
        if lignes_:
            i = draw(st.integers(0, len(lignes_) - 1))
            return chemin, b"".join(lignes_[: i + 1] + [lignes_[i]] + lignes_[i + 1:])
    return chemin, draw(st.binary(max_size=200))


# --- la propriété, sur le vrai pipeline ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _base() -> dict[str, bytes]:
    racine = EXEMPLES / "chu-armorique"
    return {p.relative_to(racine).as_posix(): p.read_bytes() for p in sorted(racine.rglob("*")) if p.is_file()}


@lru_cache(maxsize=1)
def _catalogue() -> Any:
    from verificateur import politiques

    return politiques.charger()


def _evaluer(chemin: str, contenu: bytes) -> dict[str, Any]:
    """Le dépôt d'exemple dont un fichier est remplacé : rapport JSON validé, rendu texte, lignes de
    problème françaises. Toute autre exception qu'une ErreurVerificateur fait échouer la propriété."""
    from verificateur.evaluation import moteur
    from verificateur.rendus import FORMATS
    from verificateur.socle.problemes import ErreurVerificateur
    from verificateur.sources import SourceMemoire

    source = SourceMemoire({**_base(), chemin: contenu}, chemin="depot")
    try:
        rapport = moteur.evaluer_source(source, _catalogue(), JOUR)
    except ErreurVerificateur as erreur:  # une limite : un message, code 2
        assert erreur.code_sortie == 2 and erreur.message
        return {}
    valider_rapport_json(FORMATS["json"].rendre(rapport, {}))
    texte = FORMATS["texte"].rendre(rapport, {"details": True, "couleur": False, "csv_standard": False})
    assert "Traceback" not in texte
    for probleme in rapport["problemes"]:
        ligne = f"{probleme['fichier']}{':' + str(probleme['ligne']) if probleme['ligne'] else ''}: {probleme['message']} ({probleme['code']})"
        assert LIGNE.match(ligne), ligne
    return rapport


@settings(settings.get_profile(PROFIL))
@given(preuve_valide())
def test_toute_preuve_valide_generee_donne_un_rapport(preuve):
    chemin, contenu = preuve
    rapport = _evaluer(chemin, contenu)
    # Générée depuis son schéma, elle le respecte : aucun problème de schéma sur ce fichier.
    codes_schema = {"cle-inconnue", "cle-manquante", "type", "valeur-non-permise", "date-invalide", "format",
                    "hors-bornes", "liste-trop-courte", "texte-vide", "syntaxe-yaml", "syntaxe-csv"}
    assert not [p for p in rapport["problemes"] if p["fichier"] == chemin and p["code"] in codes_schema], rapport["problemes"]


@settings(settings.get_profile(PROFIL))
@given(preuve_corrompue())
# Trouvé par la campagne longue : une clé « \n » fabriquait une fausse ligne de problème.
@example(("budget/2026.yaml", b"? '\n\n  '\n: null\nannee: 2026\nbudget_numerique: 1\nprogrammes:\n- {nom: a, budget: 1, dont_cybersecurite: 0}\n"))
@example(("securite/mesures.yaml", b"mfa: \"\\e[2J\\u202e\\r\\nHYG-01 conforme\"\n"))
def test_toute_preuve_corrompue_donne_un_rapport_ou_une_ligne_de_probleme(preuve):
    _evaluer(*preuve)


# --- politiques corrompues, par la ligne de commande ---------------------------------------------------

_POLITIQUE = RACINE / "politiques" / "plan-national"


@lru_cache(maxsize=1)
def _regles() -> list[tuple[str, dict[str, Any]]]:
    return [(f.name, yaml.safe_load(f.read_text(encoding="utf-8"))) for f in sorted((_POLITIQUE / "regles").glob("*.yaml"))]


def _chemins(valeur: Any, prefixe: tuple = ()) -> list[tuple]:
    """Tous les chemins (clés et indices) d'une valeur imbriquée."""
    if isinstance(valeur, dict):
        return [prefixe] + [c for k, v in valeur.items() for c in _chemins(v, prefixe + (k,))]
    if isinstance(valeur, list):
        return [prefixe] + [c for i, v in enumerate(valeur) for c in _chemins(v, prefixe + (i,))]
    return [prefixe]


@st.composite
def politique_corrompue(draw: Any) -> tuple[str, str]:
    """Un fichier de règles livré, dont une valeur (n'importe où, opérateurs compris) est remplacée,
    ôtée ou dont une clé est renommée ; ou un texte arbitraire."""
    nom, contenu = draw(st.sampled_from(_regles()))
    if draw(st.integers(0, 9)) == 0:
        return nom, draw(st.text(max_size=200))
    donnees = json.loads(json.dumps(contenu, default=str))
    chemin = draw(st.sampled_from([c for c in _chemins(donnees) if c]))
    parent = donnees
    for pas in chemin[:-1]:
        parent = parent[pas]
    dernier = chemin[-1]
    facon = draw(st.sampled_from(["remplacer", "oter", "renommer"]))
    if facon == "oter" or (facon == "renommer" and isinstance(parent, list)):
        del parent[dernier]
    elif facon == "renommer":
        parent[draw(st.sampled_from(["egal", "inferieur", "tous", "champ", "si", "x", "ratio", ""]))] = parent.pop(dernier)
    else:
        parent[dernier] = draw(_ETRANGERS)
    return nom, yaml.safe_dump(donnees, allow_unicode=True)


@pytest.fixture(scope="module")
def copie_politique():
    with tempfile.TemporaryDirectory() as dossier:
        copie = Path(dossier) / "plan-national"
        shutil.copytree(_POLITIQUE, copie, ignore=shutil.ignore_patterns("tests"))
        yield copie


@settings(settings.get_profile(PROFIL))
@given(politique_corrompue())
@example(("budget.yaml", 'regles: "\\r"\n'))  # trouvé par la campagne longue, comme ci-dessus
def test_toute_politique_corrompue_donne_un_rapport_ou_des_lignes_de_probleme(copie_politique, lancer, politique):
    nom, texte = politique
    fichier = copie_politique / "regles" / nom
    original = (_POLITIQUE / "regles" / nom).read_text(encoding="utf-8")
    fichier.write_text(texte, encoding="utf-8")
    try:
        sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--politiques", str(copie_politique),
                        "--date", DATE_EXEMPLES, "--format", "json")
    finally:
        fichier.write_text(original, encoding="utf-8")
    assert "Traceback" not in sortie.stderr
    assert sortie.code in (0, 1, 2), sortie  # jamais 3 (erreur interne)
    if sortie.code == 2:
        lignes_ = sortie.stderr.splitlines()
        assert lignes_[-1] == "verificateur : politiques invalides", sortie
        assert lignes_[:-1] and all(LIGNE.match(l) for l in lignes_[:-1]), sortie
    else:
        json.loads(sortie.stdout)  # validé contre le schéma du rapport par `lancer`
