"""Un fichier de preuve, de ses octets à ses valeurs : lu (YAML, CSV ou Markdown, `socle.lecture`),
validé contre le schéma de son type (un registre CSV rangée par rangée), converti en valeurs typées
(dates en `date`, dates-heures en `datetime`), puis contrôlé par le contrôle de cohérence de son type."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from verificateur.preuves.types import TypePreuve
from verificateur.socle import lecture, validation
from verificateur.socle.donnees import Chemin, Document, Preuve


def lire_preuve(chemin: str, type_preuve: TypePreuve, contenu: bytes) -> Preuve:
    if type_preuve.format == "yaml":
        document = lecture.lire_yaml(chemin, contenu)
    elif type_preuve.format == "csv":
        document = lecture.lire_csv(chemin, contenu)
    else:
        document = lecture.lire_markdown(chemin, contenu)
    preuve = Preuve(chemin, type_preuve.nom, document)
    if not document.lisible:
        return preuve
    if type_preuve.schema is None:
        preuve.valide, preuve.valeurs = True, document.donnees
        return preuve
    nom_schema = type_preuve.schema
    if type_preuve.format == "csv":
        valide = _valider_csv(document, nom_schema)
    else:
        valide = validation.valider(document, nom_schema)
    if not valide:
        return preuve
    schema = validation.schema(nom_schema)
    if type_preuve.format == "csv":
        valeurs = [_typer(ligne, schema, document, (i,)) for i, ligne in enumerate(document.donnees)]
    else:
        valeurs = _typer(document.donnees, schema, document, ())
    if type_preuve.controle is not None:
        correspondance = type_preuve.motif.fullmatch(chemin)
        type_preuve.controle(valeurs, document, correspondance.groupdict() if correspondance else {})
    preuve.valide = document.lisible
    preuve.valeurs = valeurs if preuve.valide else None
    return preuve


def _valider_csv(document: Document, nom_schema: str) -> bool:
    schema = validation.schema(nom_schema)
    connues = set(schema.get("properties", {}))
    entete = getattr(document, "entete", [])
    inconnues = [c for c in entete if c not in connues]
    manquantes = [c for c in schema.get("required", []) if c not in entete]
    for colonne in inconnues:
        document.probleme((), "cle-inconnue", f"colonne inconnue « {colonne} » ; colonnes permises : {', '.join(sorted(connues))}")
    for colonne in manquantes:
        document.probleme((), "cle-manquante", f"colonne « {colonne} » manquante dans l'en-tête")
    if inconnues or manquantes:
        return False
    if all(validation.valide_rapidement(nom_schema, ligne) for ligne in document.donnees):
        return True  # le cas courant : aucune rangée fautive, rien à situer
    tout = Document(document.chemin, "csv", lignes=document.lignes)
    valide = True
    # Les lignes de chaque rangée, regroupées en un seul passage (un filtrage par rangée serait
    # quadratique : 300 rangées × 1 800 entrées pour un registre de 300 vulnérabilités).
    par_rangee: dict[str | int, dict[Chemin, int]] = {}
    for c, n in document.lignes.items():
        if c:
            par_rangee.setdefault(c[0], {})[c[1:]] = n
    for indice, ligne in enumerate(document.donnees):
        tout.donnees = ligne
        tout.lignes = par_rangee.get(indice, {})
        tout.lignes[()] = document.lignes[(indice,)]
        valide &= validation.valider(tout, nom_schema)
    document.problemes.extend(tout.problemes)
    return valide


_DATE_HEURE = re.compile(r"^\^\\d\{4\}-\\d\{2\}-\\d\{2\}\[T ?\]")
_VIDE: dict[str, Any] = {}  # le schéma d'une clé non décrite ; jamais modifié
_SANS_DATE: dict[int, tuple[dict[str, Any], bool]] = {}


def _date_attendue(schema: dict[str, Any]) -> bool:
    """Une chaîne sous ce schéma devient une date ou une date-heure (`_typer`)."""
    return schema.get("format") == "date" or ("pattern" in schema and _DATE_HEURE.match(schema["pattern"]) is not None)


def _sans_date(schema: dict[str, Any]) -> bool:
    """Aucune date déclarée dans ce schéma ni sous ses `properties`/`items` : `_typer` n'y ferait que
    copier. Mémorisé par schéma (les schémas du paquet vivent tout le processus ; la référence gardée
    empêche la réutilisation de l'identifiant)."""
    connu = _SANS_DATE.get(id(schema))
    if connu is not None and connu[0] is schema:
        return connu[1]
    resultat = not _date_attendue(schema) and all(_sans_date(s) for s in schema.get("properties", _VIDE).values()) \
        and ("items" not in schema or _sans_date(schema["items"]))
    _SANS_DATE[id(schema)] = (schema, resultat)
    return resultat


def _copie(valeur: Any) -> Any:
    if isinstance(valeur, dict):
        return {c: _copie(v) for c, v in valeur.items()}
    if isinstance(valeur, list):
        return [_copie(v) for v in valeur]
    return valeur


def _typer(valeur: Any, schema: dict[str, Any], document: Document, chemin: Chemin) -> Any:
    """Après validation : dates en `date`, dates-heures en `datetime` (les nombres sont déjà exacts).
    Une branche dont le schéma ne déclare aucune date est simplement copiée (`_copie`, même résultat)."""
    if isinstance(valeur, dict):
        proprietes = schema.get("properties", _VIDE)
        resultat = {}
        for c, v in valeur.items():
            sous = proprietes.get(c, _VIDE)
            if isinstance(v, (dict, list)):
                resultat[c] = _copie(v) if _sans_date(sous) else _typer(v, sous, document, chemin + (c,))
            elif isinstance(v, str) and _date_attendue(sous):
                resultat[c] = _typer(v, sous, document, chemin + (c,))
            else:
                resultat[c] = v
        return resultat
    if isinstance(valeur, list):
        items = schema.get("items", _VIDE)
        if _sans_date(items):
            return _copie(valeur)
        return [_typer(v, items, document, chemin + (i,)) for i, v in enumerate(valeur)]
    if isinstance(valeur, str):
        if schema.get("format") == "date":
            return date.fromisoformat(valeur)
        if "pattern" in schema and _DATE_HEURE.match(schema["pattern"]):
            try:
                return datetime.fromisoformat(valeur.replace(" ", "T"))
            except ValueError:
                document.probleme(chemin, "date-invalide", f"« {chemin[-1]} » : date et heure invalides « {valeur} »")
                return valeur
    return valeur

