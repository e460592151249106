"""Le registre des types de preuve (`preuves.TYPES`, #14.2) : chaque type y est décrit une seule fois et
complètement, et rien n'existe hors du registre.

Ajouter un type de preuve = un enregistrement dans `TYPES` + son schéma (verificateur/schemas/preuves/) +
sa section de docs/preuves.md + son modèle d'init (verificateur/modeles/). Ce fichier vérifie
l'enregistrement et le modèle ; tests/test_schemas_preuves.py vérifie, à partir du même registre, qu'à
chaque enregistrement répond un schéma et réciproquement, et que docs/preuves.md documente chacun.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from verificateur import preuves
from verificateur.preuves import TYPES, TYPES_PAR_NOM, TypePreuve, lecture, types

RACINE = Path(__file__).resolve().parent.parent
SCHEMAS = RACINE / "verificateur" / "schemas" / "preuves"
MODELES = RACINE / "verificateur" / "modeles"
# Les fichiers de verificateur/modeles/ qui ne sont le modèle d'aucun type de preuve.
HORS_TYPES = {"README.md"}


def _sous_schema(schema: dict[str, Any], chemin: tuple[str | int | None, ...]) -> dict[str, Any] | None:
    """Le schéma de la valeur désignée par `chemin` (None : chaque élément d'une liste), ou None."""
    for pas in chemin:
        schema = schema.get("items") if pas is None else schema.get("properties", {}).get(pas)
        if not isinstance(schema, dict):
            return None
    return schema


def _est_une_date(schema: dict[str, Any] | None) -> bool:
    """Une date ou une date-heure, telles que preuves.lecture._typer les convertit."""
    return schema is not None and lecture._date_attendue(schema)


def parties_manquantes(t: TypePreuve) -> list[str]:
    """Ce qui manque à un enregistrement, ou ce qu'il dit de faux : une phrase par partie."""
    manques = []
    if t.format not in ("yaml", "csv"):
        manques.append(f"format « {t.format} » : attendu yaml ou csv")
    if not t.forme.endswith(f".{t.format}"):
        manques.append(f"forme « {t.forme} » : l'extension ne dit pas le format {t.format}")
    fichier_schema = SCHEMAS / f"{t.nom}.schema.json"
    if t.schema != f"preuves/{t.nom}" or not fichier_schema.is_file():
        manques.append(f"schéma : attendu preuves/{t.nom}, fichier {fichier_schema.relative_to(RACINE)}")
    if not t.exemple or not t.motif.fullmatch(t.exemple):
        manques.append(f"exemple « {t.exemple} » : un chemin que le motif reconnaît")
    elif preuves.type_de(t.exemple) is not t:
        manques.append(f"exemple « {t.exemple} » : reconnu comme un autre type de preuve")
    elif not t.exemple.startswith(t.dossier) or ("/" in t.exemple) != bool(t.dossier):
        manques.append(f"exemple « {t.exemple} » : hors du dossier « {t.dossier} » de sa forme")
    if not t.modele or not (MODELES / t.modele).is_file():
        manques.append(f"modèle d'init « {t.modele} » : un fichier de verificateur/modeles/")
    elif not t.modele.startswith(t.dossier) or not t.modele.endswith(f".{t.format}"):
        manques.append(f"modèle d'init « {t.modele} » : attendu dans « {t.dossier} », extension .{t.format}")
    if t.motif.groupindex and t.controle is None:
        # Une partie du nom (l'année, la date) que rien ne compare au contenu : le nom pourrait mentir.
        manques.append(f"contrôle : le motif nomme {', '.join(t.motif.groupindex)} sans contrôle qui le compare au contenu")
    schema = json.loads(fichier_schema.read_text(encoding="utf-8")) if fichier_schema.is_file() else {}
    if t.format == "csv":
        schema = {"type": "array", "items": schema}  # une ligne du registre par élément
    if t.date_declaree is not None:
        champ, libelle = t.date_declaree
        if not libelle or not _est_une_date(_sous_schema(schema, (champ,))):
            manques.append(f"date déclarée « {champ} » : un champ date du schéma, avec son libellé")
    for chemin in t.chemins:
        sous = _sous_schema(schema, chemin)
        if sous is None or sous.get("type") != "string":
            manques.append(f"champ chemin {chemin} : un champ texte du schéma")
    return manques


@pytest.mark.parametrize("type_preuve", TYPES, ids=[t.nom for t in TYPES])
def test_chaque_enregistrement_est_complet(type_preuve: TypePreuve) -> None:
    assert parties_manquantes(type_preuve) == []


@pytest.mark.parametrize(("partie", "valeur", "attendu"), [
    ("modele", None, "modèle d'init « None »"),
    ("modele", "budget/absent.yaml", "modèle d'init « budget/absent.yaml »"),
    ("controle", None, "contrôle : le motif nomme annee"),
    ("exemple", None, "exemple « None »"),
    ("exemple", "formation/2025.yaml", "exemple « formation/2025.yaml »"),
    ("schema", None, "schéma : attendu preuves/budget"),
    ("nom", "budget_inconnu", "schéma : attendu preuves/budget_inconnu"),
    ("format", "csv", "forme « budget/AAAA.yaml »"),
    ("date_declaree", ("budget_numerique", "budget du"), "date déclarée « budget_numerique »"),
    ("chemins", (("programmes", None, "nom_inconnu"),), "champ chemin ('programmes', None, 'nom_inconnu')"),
])
def test_un_enregistrement_incomplet_est_signale(partie: str, valeur: Any, attendu: str) -> None:
    """Le contrôle ci-dessus peut échouer : chaque partie retirée ou fausse est nommée."""
    incomplet = dataclasses.replace(TYPES_PAR_NOM["budget"], **{partie: valeur})
    assert any(m.startswith(attendu) for m in parties_manquantes(incomplet)), parties_manquantes(incomplet)


def test_noms_formes_et_motifs_uniques() -> None:
    for partie in ("nom", "forme", "exemple", "modele"):
        valeurs = [getattr(t, partie) for t in TYPES]
        assert len(set(valeurs)) == len(valeurs), partie


def test_un_modele_d_init_par_enregistrement_et_reciproquement() -> None:
    fichiers = {p.relative_to(MODELES).as_posix() for p in MODELES.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert fichiers - HORS_TYPES == {t.modele for t in TYPES}


def test_les_tables_derivees_suivent_le_registre() -> None:
    assert tuple(t.exemple for t in TYPES) == preuves.EXEMPLES_DE_CHEMINS
    assert {t.dossier for t in TYPES} - {""} == types.DOSSIERS
    assert set(TYPES_PAR_NOM) == {t.nom for t in TYPES}
