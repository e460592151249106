"""Le contrôle rapide des documents valides (`validation.valide_rapidement`) ne doit jamais accepter ce
que jsonschema refuse : sinon un document invalide passerait sans message. On le compare à jsonschema
sur toutes les preuves d'exemple et de test, et sur des milliers de variantes abîmées de celles-ci."""

from __future__ import annotations

import random

import pytest

from conftest import EXEMPLES, RACINE
from verificateur import preuves
from verificateur.socle import lecture, validation

VALEURS_ABIMEES = (1, -5, 0, 1.5, "x", "", "2026-02-30", "2026-13-01", "20260101", True, False, None, [], {}, [1], {"a": 1})


def _documents() -> list[tuple[str, object]]:
    """(schéma, données) de chaque preuve YAML et de chaque rangée CSV lisibles des dossiers d'exemple."""
    documents = []
    for dossier in (EXEMPLES, RACINE / "verificateur" / "modeles", RACINE / "tests" / "donnees"):
        for fichier in sorted(p for p in dossier.rglob("*") if p.is_file()):
            parties = fichier.relative_to(dossier).parts
            type_preuve = next((t for i in range(len(parties)) if (t := preuves.type_de("/".join(parties[i:])))), None)
            if type_preuve is None or type_preuve.schema is None:
                continue
            if type_preuve.format == "csv":
                document = lecture.lire_csv(fichier.name, fichier.read_bytes())
                documents += [(type_preuve.schema, ligne) for ligne in document.donnees] if document.lisible else []
            elif type_preuve.format == "yaml":
                document = lecture.lire_yaml(fichier.name, fichier.read_bytes())
                if document.lisible:
                    documents.append((type_preuve.schema, document.donnees))
    return documents


def _variantes(donnees: object, hasard: random.Random, profondeur: int = 0):
    """Le document, puis des copies abîmées : clé retirée, valeur remplacée, clé inconnue, liste
    vidée ou dupliquée, à chaque niveau d'imbrication."""
    yield donnees
    if profondeur > 3:
        return
    if isinstance(donnees, dict) and donnees:
        for cle in donnees:
            yield {k: v for k, v in donnees.items() if k != cle}
            yield {**donnees, cle: hasard.choice(VALEURS_ABIMEES)}
            for sous in list(_variantes(donnees[cle], hasard, profondeur + 1))[1:4]:
                yield {**donnees, cle: sous}
        yield {**donnees, "cle_inconnue": "x"}
    if isinstance(donnees, list) and donnees:
        yield []
        yield donnees + donnees[:1]
        for sous in list(_variantes(donnees[0], hasard, profondeur + 1))[1:4]:
            yield [sous, *donnees[1:]]
    if not isinstance(donnees, (dict, list)):
        yield hasard.choice(VALEURS_ABIMEES)


def test_jamais_plus_permissif_que_jsonschema():
    hasard = random.Random(20261001)
    vus = {"valides": 0, "invalides": 0}
    for nom, donnees in _documents():
        jsonschema = validation.validateur(nom)
        for variante in _variantes(donnees, hasard):
            attendu = not any(True for _ in jsonschema.iter_errors(variante))
            assert validation.valide_rapidement(nom, variante) == attendu, (nom, variante)
            vus["valides" if attendu else "invalides"] += 1
    # Les deux cas sont largement représentés (sinon le test ne prouverait rien).
    assert vus["valides"] > 50 and vus["invalides"] > 1000, vus


def test_les_preuves_du_format_1_ont_leur_controle_rapide():
    # Sinon chaque rangée de registre repasse par jsonschema : ≈ 5× plus lent en lot (docs/performances.md §3).
    for type_preuve in preuves.TYPES:
        assert validation._controle_rapide(type_preuve.schema) is not None, type_preuve.schema


@pytest.mark.parametrize("donnees", [
    {"mfa": {"acces_distants": "oui"}},
    {"inconnue": 1},
    [],
])
def test_un_document_invalide_garde_ses_messages(donnees):
    """Refusé par le contrôle rapide, le document passe par jsonschema : mêmes messages qu'avant."""
    assert not validation.valide_rapidement("preuves/mesures", donnees)
    document = lecture.Document("securite/mesures.yaml", "yaml", donnees=donnees)
    assert validation.valider(document, "preuves/mesures") is False
    assert document.problemes


def test_schema_hors_du_sous_ensemble_sans_raccourci():
    # Le schéma des politiques emploie des mots-clés que le contrôle rapide ne connaît pas ($ref…).
    assert validation._controle_rapide("politique") is None
    assert validation.valide_rapidement("politique", {}) is False


@pytest.mark.parametrize(
    ("un", "autre", "egaux"),
    [
        (True, 1, False), (False, 0, False), (1, 1.0, True), ("1", 1, False), ([1, True], [1, True], True),
        ([1, True], [True, 1], False), ({"a": [1]}, {"a": [1]}, True), ({"a": 1}, {"a": True}, False), (None, False, False),
    ],
)
def test_egalite_de_json_schema_comme_jsonschema(un, autre, egaux):
    from jsonschema import Draft202012Validator

    assert validation._egal(un, autre) is egaux
    # La référence : « const » de jsonschema lui-même.
    assert Draft202012Validator({"const": un}).is_valid(autre) is egaux


def test_aucun_module_prive_d_une_bibliotheque():
    """Aucun module privé d'une dépendance (jsonschema._utils a changé d'une version à l'autre).
    La bibliothèque standard est à part : motifs.py lit l'arbre de `re._parser`, figé avec
    l'interpréteur que pyproject.toml déclare (voir docs/limites.md)."""
    import ast
    import sys

    for fichier in sorted((RACINE / "verificateur").rglob("*.py")):
        for noeud in ast.walk(ast.parse(fichier.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(noeud, ast.ImportFrom) and noeud.level == 0 and noeud.module:
                modules = [noeud.module] + [f"{noeud.module}.{alias.name}" for alias in noeud.names]
            elif isinstance(noeud, ast.Import):
                modules = [alias.name for alias in noeud.names]
            for module in modules:
                if module.split(".")[0] == "verificateur" or module.split(".")[0] in sys.stdlib_module_names:
                    continue
                assert not any(partie.startswith("_") and not partie.startswith("__") for partie in module.split(".")), (fichier.name, module)
