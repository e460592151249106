"""Validation JSON Schema des données lues, avec des messages en français situés à la ligne.

Chaque schéma est vérifié et compilé une seule fois (`jsonschema.validate()`
par fichier est 10 à 20 fois plus lent). jsonschema n'est importé qu'ici, et seulement quand le
contrôle rapide ne suffit pas (un document invalide, dont il faut les messages, ou un schéma hors de
son sous-ensemble) : son import coûte à lui seul ≈ 50 ms au crochet pre-commit.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from verificateur.socle.donnees import Chemin, Document

_TYPES = {
    "string": "un texte",
    "number": "un nombre",
    "integer": "un nombre entier",
    "boolean": "true ou false",
    "object": "une table de clés",
    "array": "une liste",
    "null": "une valeur vide",
}


@cache
def schema(nom: str) -> dict[str, Any]:
    """Le schéma `verificateur/schemas/<nom>.schema.json` (nom avec sous-dossier : `preuves/budget`)."""
    # Le dossier du paquet (comme politiques.dossier_donnees) : importlib.resources tirait tempfile,
    # shutil et bz2 dans le démarrage du crochet pour lire un fichier posé à côté de ce module.
    fichier = Path(__file__).parent.parent / "schemas" / f"{nom}.schema.json"
    return json.loads(fichier.read_text(encoding="utf-8"))


@cache
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
        types: list[str] = attendu if isinstance(attendu, list) else [attendu]
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


# -- contrôle rapide des documents valides ------------------------------------------------------------
# jsonschema coûte ~150 µs par document, surtout en machinerie (un validateur dérivé par valeur
# visitée) : c'était le premier poste d'une évaluation en lot (une rangée de registre = un document).
# Le contrôle rapide répond seulement « valide ? » avec les mêmes primitives que jsonschema (is_type,
# format_checker, égalité de JSON Schema, re.search), mot-clé par mot-clé comme jsonschema ; s'il répond non,
# ou si le schéma emploie un mot-clé qu'il ne connaît pas, jsonschema refait tout et donne les
# messages. Il ne doit donc jamais accepter ce que jsonschema refuse (tests/test_validation.py).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples", "x-message"})
_RAPIDES = frozenset({
    "type", "properties", "additionalProperties", "required", "enum", "const", "format", "pattern", "minimum",
    "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "minLength",
    "maxLength", "minProperties", "items",
})


def _rapide_possible(sous: Any) -> bool:
    if isinstance(sous, bool):
        return True
    if not isinstance(sous, dict) or not set(sous) <= _RAPIDES | _ANNOTATIONS:
        return False
    enfants = list(sous.get("properties", {}).values())
    enfants += [sous[c] for c in ("additionalProperties", "items") if c in sous]
    return all(_rapide_possible(e) for e in enfants)


def _egal(un: Any, autre: Any) -> bool:
    """L'égalité de JSON Schema (« enum », « const », « uniqueItems ») : true n'égale pas 1, les listes
    et les tables se comparent élément par élément. La même que celle de jsonschema, écrite ici pour
    ne dépendre d'aucun module privé de la bibliothèque."""
    if un is autre:
        return True
    if isinstance(un, str) or isinstance(autre, str):
        return bool(un == autre)
    if isinstance(un, list) and isinstance(autre, list):
        return len(un) == len(autre) and all(_egal(a, b) for a, b in zip(un, autre))
    if isinstance(un, dict) and isinstance(autre, dict):
        return un.keys() == autre.keys() and all(_egal(un[cle], autre[cle]) for cle in un)
    if isinstance(un, bool) or isinstance(autre, bool):
        return isinstance(un, bool) and isinstance(autre, bool) and un == autre
    return bool(un == autre)


def _uniques(elements: list[Any]) -> bool:
    return not any(_egal(a, b) for i, a in enumerate(elements) for b in elements[i + 1 :])


_TYPES_NATIFS = frozenset(_TYPES)
_FORMATS_NATIFS = frozenset({"date"})
_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _natif_possible(sous: Any) -> bool:
    """Vrai si le schéma (déjà dans le sous-ensemble rapide) n'emploie que les sept types de JSON
    Schema et le format « date » : le contrôle se passe alors de jsonschema, dont il recopie les tests."""
    if isinstance(sous, bool):
        return True
    types = sous.get("type", [])
    if not set([types] if isinstance(types, str) else types) <= _TYPES_NATIFS:
        return False
    if "format" in sous and sous["format"] not in _FORMATS_NATIFS:
        return False
    enfants = list(sous.get("properties", {}).values())
    enfants += [sous[c] for c in ("additionalProperties", "items") if isinstance(sous.get(c), (dict, bool))]
    return all(_natif_possible(e) for e in enfants)


def _est_type(x: Any, t: str) -> bool:
    """Les sept types de JSON Schema, comme le vérificateur de types 2020-12 de jsonschema (_types.py)."""
    if t == "object":
        return isinstance(x, dict)
    if t == "string":
        return isinstance(x, str)
    if t == "array":
        return isinstance(x, list)
    if t == "boolean":
        return isinstance(x, bool)
    if t == "null":
        return x is None
    if t == "integer":
        return not isinstance(x, bool) and (isinstance(x, int) or (isinstance(x, float) and x.is_integer()))
    if t == "number":
        return not isinstance(x, bool) and isinstance(x, numbers.Number)
    raise ValueError(f"type inconnu {t}")  # exclu par _natif_possible


def _format_conforme(x: Any, nom_format: str) -> bool:
    """Le format « date » du vérificateur de formats de jsonschema (_format.py, is_date) : un texte
    AAAA-MM-JJ qui est une vraie date ; ce qui n'est pas un texte passe."""
    if not isinstance(x, str):
        return True
    try:
        return bool(_RE_DATE.fullmatch(x) and date.fromisoformat(x))
    except ValueError:
        return False


@cache
def _controle_rapide(nom: str) -> Any:
    """La fonction « valide ? » du schéma `nom`, compilée une fois ; None s'il emploie un mot-clé inconnu."""
    if not _rapide_possible(schema(nom)):
        return None
    if _natif_possible(schema(nom)):
        return _compiler(_est_type, _format_conforme, _egal, _uniques, schema(nom))
    v = validateur(nom)
    conforme = v.format_checker.conforms if v.format_checker is not None else None
    return _compiler(_types_rapides(v), conforme, _egal, _uniques, schema(nom))


def _types_rapides(v: Any) -> Any:
    """`v.is_type` en un seul appel (au lieu de trois et d'une table), si son vérificateur de types est
    celui de la 2020-12 livré par jsonschema (attribut public `TYPE_CHECKER`) : chaque test suit la
    définition des types de JSON Schema ; un type inconnu passe par jsonschema (qui lève UnknownType)."""
    from jsonschema import Draft202012Validator

    if v.TYPE_CHECKER is not Draft202012Validator.TYPE_CHECKER:
        return v.is_type
    lent = v.is_type

    def est(x: Any, t: str) -> bool:
        try:
            return _est_type(x, t)  # une seule définition des sept types
        except ValueError:
            return bool(lent(x, t))

    return est


# Les fonctions de `_compiler` : un test compilé (x → valide ?), et les outils qu'il emploie, ceux de
# jsonschema ou les natifs (`_est_type`, `_format_conforme`, `_egal`, `_uniques`).
_Test = Callable[[Any], bool]
_EstType = Callable[[Any, str], bool]
_Conforme = Callable[[Any, str], bool]
_Egal = Callable[[Any, Any], bool]
_Uniques = Callable[[Any], bool]
# Les mots-clés qui portent des sous-schémas ou regardent les clés d'une table (`_test_structure`).
_MOTS_STRUCTURE = frozenset({"type", "properties", "additionalProperties", "required", "items"})


def _compiler(is_type: _EstType, conforme: _Conforme | None, equal: _Egal, uniq: _Uniques,
              s: bool | dict[str, Any]) -> _Test:
    """Une fonction x → bool : vrai si jsonschema ne trouverait aucune erreur de `s` dans `x`.
    Un test par mot-clé, chacun écrit comme dans jsonschema/_keywords.py. `conforme(x, format)` : None
    si aucun format n'est vérifié."""
    if isinstance(s, bool):
        return lambda x: s
    tests: list[_Test] = []
    for mot, attendu in s.items():
        if mot in _MOTS_STRUCTURE:
            test = _test_structure(mot, attendu, s, is_type, conforme, equal, uniq)
        else:
            test = _test_valeur(mot, attendu, is_type, conforme, equal, uniq)
        if test is not None:
            tests.append(test)
    return lambda x: all(test(x) for test in tests)


def _test_structure(mot: str, attendu: Any, s: dict[str, Any], is_type: _EstType, conforme: _Conforme | None,
                    equal: _Egal, uniq: _Uniques) -> _Test | None:
    """Le test d'un mot-clé de structure (type, clés d'une table, éléments d'une liste) ; None s'il
    n'exige rien. Les sous-schémas sont compilés une fois, ici."""
    if mot == "type":
        types = [attendu] if isinstance(attendu, str) else list(attendu)
        return lambda x: any(is_type(x, t) for t in types)
    if mot == "properties":
        sous = [(cle, _compiler(is_type, conforme, equal, uniq, schema_cle)) for cle, schema_cle in attendu.items()]
        return lambda x: not is_type(x, "object") or all(f(x[cle]) for cle, f in sous if cle in x)
    if mot == "additionalProperties":
        connues = s.get("properties", {})
        if is_type(attendu, "object"):
            f_autres = _compiler(is_type, conforme, equal, uniq, attendu)
            return lambda x: not is_type(x, "object") or all(f_autres(x[cle]) for cle in x if cle not in connues)
        if not attendu:
            return lambda x: not is_type(x, "object") or all(cle in connues for cle in x)
        return None
    if mot == "required":
        return lambda x: not is_type(x, "object") or all(cle in x for cle in attendu)
    # items
    if attendu is False:
        return lambda x: not is_type(x, "array") or not x
    f_element = _compiler(is_type, conforme, equal, uniq, attendu)
    return lambda x: not is_type(x, "array") or all(f_element(e) for e in x)


def _test_valeur(mot: str, attendu: Any, is_type: _EstType, conforme: _Conforme | None, equal: _Egal,
                 uniq: _Uniques) -> _Test | None:
    """Le test d'un mot-clé qui contraint une valeur (énumération, format, motif, bornes) ; None s'il
    n'exige rien ou n'est pas vérifié ici (annotations)."""
    if mot == "enum":
        return lambda x: not all(not equal(e, x) for e in attendu)
    if mot == "const":
        return lambda x: equal(x, attendu)
    if mot == "format":
        return None if conforme is None else (lambda x: conforme(x, attendu))
    if mot == "pattern":
        return lambda x: not is_type(x, "string") or re.search(attendu, x) is not None
    if mot == "minLength":
        return lambda x: not is_type(x, "string") or len(x) >= attendu
    if mot == "maxLength":
        return lambda x: not is_type(x, "string") or len(x) <= attendu
    if mot == "minimum":
        return lambda x: not is_type(x, "number") or not x < attendu
    if mot == "exclusiveMinimum":
        return lambda x: not is_type(x, "number") or not x <= attendu
    if mot == "maximum":
        return lambda x: not is_type(x, "number") or not x > attendu
    if mot == "exclusiveMaximum":
        return lambda x: not is_type(x, "number") or not x >= attendu
    if mot == "minItems":
        return lambda x: not is_type(x, "array") or len(x) >= attendu
    if mot == "maxItems":
        return lambda x: not is_type(x, "array") or len(x) <= attendu
    if mot == "uniqueItems":
        return (lambda x: not is_type(x, "array") or bool(uniq(x))) if attendu else None
    if mot == "minProperties":
        return lambda x: not is_type(x, "object") or len(x) >= attendu
    return None


def ecarts(nom_schema: str, donnees: Any) -> list[tuple[Chemin, str]]:
    """Les écarts de `donnees` au schéma livré `nom_schema`, en français : (chemin, message), dans
    l'ordre de jsonschema (vide si conforme). Pour les fichiers que l'outil relit (lot, parties) :
    le texte anglais de jsonschema n'atteint jamais l'utilisateur."""
    return [(chemin, message) for erreur in validateur(nom_schema).iter_errors(donnees) for chemin, _, message in _message(erreur)]


def valide_rapidement(nom_schema: str, donnees: Any) -> bool:
    """Vrai seulement si `donnees` est valide pour le schéma (faux : on ne sait pas, ou invalide)."""
    controle = _controle_rapide(nom_schema)
    return controle is not None and controle(donnees)


def valider(document: Document, nom_schema: str) -> bool:
    """Ajoute au document un problème par faute ; vrai si les données sont valides."""
    if valide_rapidement(nom_schema, document.donnees):
        return True
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
