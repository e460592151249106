"""Lecture d'un registre CSV en données brutes : une table par rangée, la ligne de chaque cellule,
des limites de lignes et de colonnes vérifiées avant l'analyse, et des messages en français ; jamais
d'exception pour une entrée mal formée."""

from __future__ import annotations

import csv
import io
import re

from verificateur.socle.donnees import Document
from verificateur.socle.lecture_texte import decoder
from verificateur.socle.problemes import Probleme

# Registre CSV : lignes (en-tête compris) et colonnes ; au-delà, refusé avant l'analyse (docs/limites.md).
LIGNES_MAX_CSV = 20_000
COLONNES_MAX_CSV = 20


def lire_csv(chemin: str, contenu: bytes) -> Document:
    """CSV avec en-tête ; séparateur « ; » ou « , » détecté ; cellules vides retirées de la ligne."""
    document = Document(chemin, "csv", donnees=[])
    texte = decoder(document, contenu)
    if texte is None:
        return document
    premiere = texte.split("\n", 1)[0]
    separateur = ";" if premiere.count(";") >= premiere.count(",") else ","
    refus = _refus_avant_analyse(chemin, texte, separateur)
    if refus is not None:
        document.problemes.append(refus)
        return document
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur, strict=True)
    lignes: list[dict[str, str]] = []
    entete: list[str] | None = None
    try:
        debut = 1
        for cellules in lecteur:
            numero = debut
            debut = lecteur.line_num + 1
            if not any(c.strip() for c in cellules):
                continue
            if entete is None:
                entete = [c.strip() for c in cellules]
                document.lignes[()] = numero
                refus = _refus_entete(chemin, numero, entete)
                if refus is not None:
                    document.problemes.append(refus)
                    return document
            elif len(cellules) != len(entete):
                document.problemes.append(
                    Probleme(
                        chemin,
                        numero,
                        "csv-colonnes",
                        f"{len(cellules)} cellules, attendu {len(entete)} comme l'en-tête (séparateur « {separateur} »)",
                    )
                )
            else:
                lignes.append(_rangee(document, len(lignes), numero, entete, cellules))
    except csv.Error as exc:
        document.problemes.append(Probleme(chemin, lecteur.line_num, "syntaxe-csv", f"CSV invalide : {_message_csv(exc)}"))
        return document
    if entete is None:
        document.problemes.append(Probleme(chemin, 1, "fichier-vide", "fichier vide, attendu une ligne d'en-tête"))
        return document
    document.donnees = lignes
    document.entete = entete  # type: ignore[attr-defined]
    return document


def _refus_avant_analyse(chemin: str, texte: str, separateur: str) -> Probleme | None:
    """Lignes et colonnes comptées avant l'analyse : un million de lignes courtes tient sous la taille
    maximale et coûterait 800 Mo (docs/limites.md). « \\r » seul sépare aussi les lignes pour le module csv."""
    nombre = max(texte.count("\n"), texte.count("\r")) + (0 if texte.endswith(("\n", "\r")) else 1)
    if nombre > LIGNES_MAX_CSV:
        return Probleme(chemin, 0, "trop-de-lignes", f"{nombre} lignes, au-delà de la limite de {LIGNES_MAX_CSV} (docs/limites.md)")
    colonnes = re.split(r"[\r\n]", texte, maxsplit=1)[0].count(separateur) + 1
    if colonnes > COLONNES_MAX_CSV:
        return Probleme(chemin, 1, "trop-de-colonnes", f"{colonnes} colonnes, au-delà de la limite de {COLONNES_MAX_CSV} (docs/limites.md)")
    return None


def _refus_entete(chemin: str, numero: int, entete: list[str]) -> Probleme | None:
    """L'en-tête, à sa ligne : trop de colonnes (comptées sur les cellules lues, après les guillemets),
    ou un nom de colonne en double (la rangée ne saurait pas quelle valeur garder)."""
    if len(entete) > COLONNES_MAX_CSV:
        return Probleme(chemin, numero, "trop-de-colonnes",
                        f"{len(entete)} colonnes, au-delà de la limite de {COLONNES_MAX_CSV} (docs/limites.md)")
    doublons = sorted({c for c in entete if entete.count(c) > 1})
    if doublons:
        return Probleme(chemin, numero, "cle-dupliquee", f"colonne « {doublons[0]} » en double dans l'en-tête")
    return None


def _rangee(document: Document, indice: int, numero: int, entete: list[str], cellules: list[str]) -> dict[str, str]:
    """Une rangée en table colonne → valeur, sans ses cellules vides ; la ligne de chacune est notée."""
    document.lignes[(indice,)] = numero
    rangee = {}
    for nom, valeur in zip(entete, cellules):
        document.lignes[(indice, nom)] = numero
        if valeur.strip():
            rangee[nom] = valeur.strip()
    return rangee


def _message_csv(exc: csv.Error) -> str:
    """Les erreurs du module csv, en français (son texte anglais n'atteint jamais l'utilisateur)."""
    texte = str(exc)
    if "expected after" in texte:
        return "une cellule entre guillemets doit être suivie du séparateur ou d'une fin de ligne"
    if "unexpected end of data" in texte:
        return "guillemet non fermé à la fin du fichier"
    if "field larger than field limit" in texte:
        return f"cellule de plus de {csv.field_size_limit()} caractères"
    if "new-line character seen in unquoted field" in texte:
        return "retour à la ligne isolé (« \\r ») dans une cellule sans guillemets"
    if "NUL" in texte:
        return "caractère nul dans une cellule"
    return "cellule mal formée"

