"""Validation JSON Schema des données lues, avec des messages en français situés à la ligne.

Chaque schéma est vérifié et compilé une seule fois (shared/mesures.md §3 : `jsonschema.validate()`
par fichier est 10 à 20 fois plus lent). jsonschema n'est importé qu'ici, à la première validation.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from verificateur.lecture import Chemin, Document

_TYPES = {
    "string": "un texte",
    "number": "un nombre",
    "integer": "un nombre entier",
    "boolean": "true ou false",
    "object": "une table de clés",
    "array": "une liste",
    "null": "une valeur vide",
}


@lru_cache(maxsize=None)
def schema(nom: str) -> dict[str, Any]:
    """Le schéma `verificateur/schemas/<nom>.schema.json` (nom avec sous-dossier : `preuves/budget`)."""
    fichier = resources.files("verificateur").joinpath("schemas", f"{nom}.schema.json")
    return json.loads(fichier.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validateur(nom: str) -> Any:
    from jsonschema import Draft202012Validator

    contenu = schema(nom)
    # Pas de check_schema ici : les schémas sont ceux du paquet, vérifiés contre le méta-schéma par
    # tests/test_schemas_preuves.py ; le refaire à chaque lancement coûtait ~100 ms (benchmarks/demarrage.py).
    return Draft202012Validator(contenu, format_checker=Draft202012Validator.FORMAT_CHECKER)


def decrire(valeur: Any) -> str:
    """Une valeur trouvée, telle que l'utilisateur l'a écrite."""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if valeur is None:
        return "vide"
    if isinstance(valeur, dict):
        return "une table de clés"
    if isinstance(valeur, list):
        return "une liste"
    if isinstance(valeur, Decimal):
        return format(valeur, "f")
    if isinstance(valeur, int):
        return str(valeur)
    texte = str(valeur)
    return f"« {texte if len(texte) <= 60 else texte[:57] + '…'} »"


def _nom_champ(chemin: Iterable[Any]) -> str:
    cles = [c for c in chemin if isinstance(c, str)]
    return f"« {cles[-1]} »" if cles else "le document"


def _permises(schema_objet: dict[str, Any]) -> str:
    return ", ".join(sorted(schema_objet.get("properties", {})))


def _message(erreur: Any) -> list[tuple[Chemin, str, str]]:
    """(chemin, code, message) pour une erreur jsonschema : une ligne par faute, en français."""
    chemin: Chemin = tuple(erreur.absolute_path)
    champ = _nom_champ(chemin)
    mot = erreur.validator
    attendu = erreur.validator_value
    trouve = erreur.instance
    s = erreur.schema
    if mot == "additionalProperties" and isinstance(trouve, dict):
        connues = set(s.get("properties", {}))
        return [
            (chemin + (cle,), "cle-inconnue", f"clé inconnue « {cle} » ; clés permises : {_permises(s)}")
            for cle in sorted(set(trouve) - connues)
        ]
    if mot == "required":
        manquantes = [c for c in attendu if c not in trouve]
        ou = "" if not chemin else f" dans {champ}"
        return [(chemin, "cle-manquante", f"clé « {c} » manquante{ou}") for c in manquantes]
    if mot == "type":
        types = attendu if isinstance(attendu, list) else [attendu]
        texte = " ou ".join(_TYPES.get(t, t) for t in types)
        conseil = ""
        if "boolean" in types and isinstance(trouve, str) and trouve.lower() in {"oui", "non", "vrai", "faux"}:
            conseil = " (en YAML, « oui » et « non » sont des textes : écrivez true ou false)"
        elif "string" in types and isinstance(trouve, (int, Decimal)) and not isinstance(trouve, bool):
            conseil = " (mettez la valeur entre guillemets)"
        return [(chemin, "type", f"{champ} : {texte} attendu, trouvé {decrire(trouve)}{conseil}")]
    if mot == "enum":
        valeurs = ", ".join(str(v) for v in attendu)
        return [(chemin, "valeur-non-permise", f"{champ} : valeur {decrire(trouve)} non permise ; valeurs permises : {valeurs}")]
    if mot == "const":
        return [(chemin, "valeur-non-permise", f"{champ} : valeur {decrire(trouve)}, attendu {decrire(attendu)}")]
    if mot == "format":
        if attendu == "date":
            return [(chemin, "date-invalide", f"{champ} : date invalide {decrire(trouve)}, attendu une date réelle AAAA-MM-JJ")]
        return [(chemin, "format", f"{champ} : {decrire(trouve)} n'est pas au format {attendu}")]
    if mot == "pattern":
        precision = s.get("x-message", f"motif {attendu}")
        return [(chemin, "format", f"{champ} : valeur {decrire(trouve)} invalide, attendu {precision}")]
    if mot in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}:
        signe = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}[mot]
        return [(chemin, "hors-bornes", f"{champ} : {decrire(trouve)}, attendu {signe} {decrire(attendu)}")]
    if mot == "minItems":
        return [(chemin, "liste-trop-courte", f"{champ} : au moins {attendu} élément(s) attendu(s), trouvé {len(trouve)}")]
    if mot == "maxItems":
        return [(chemin, "liste-trop-longue", f"{champ} : au plus {attendu} élément(s) attendu(s), trouvé {len(trouve)}")]
    if mot == "uniqueItems":
        return [(chemin, "doublon", f"{champ} : élément en double dans la liste")]
    if mot == "minLength":
        return [(chemin, "texte-vide", f"{champ} : texte vide, attendu au moins {attendu} caractère(s)")]
    if mot == "maxLength":
        return [(chemin, "texte-trop-long", f"{champ} : texte de plus de {attendu} caractères")]
    if mot == "minProperties":
        return [(chemin, "table-vide", f"{champ} : au moins {attendu} clé(s) attendue(s)")]
    # Mot-clé sans modèle dédié (un test vérifie que nos schémas n'en emploient pas).
    return [(chemin, "schema", f"{champ} : valeur {decrire(trouve)} refusée par la règle « {mot} » du schéma")]


MOTS_CLES_TRADUITS = {
    "additionalProperties", "required", "type", "enum", "const", "format", "pattern", "minimum",
    "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
    "minLength", "maxLength", "minProperties",
}


def valider(document: Document, nom_schema: str) -> bool:
    """Ajoute au document un problème par faute ; vrai si les données sont valides."""
    vus: set[tuple[int, str, str]] = set()
    valide = True
    erreurs = list(validateur(nom_schema).iter_errors(document.donnees))
    # Un type faux suffit : l'énumération ou le motif refusés au même endroit n'apprendraient rien.
    types_faux = {tuple(e.absolute_path) for e in erreurs if e.validator == "type"}
    for erreur in erreurs:
        if erreur.validator != "type" and tuple(erreur.absolute_path) in types_faux:
            valide = False
            continue
        for chemin, code, message in _message(erreur):
            cle = (document.ligne(chemin), code, message)
            if cle not in vus:
                vus.add(cle)
                document.probleme(chemin, code, message)
            valide = False
    return valide
