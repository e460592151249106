"""Lecture d'un texte : son décodage (UTF-8, avec ou sans BOM), commun à toutes les lectures, et les
titres d'un document Markdown ; jamais d'exception pour une entrée mal formée."""

from __future__ import annotations

import re
import unicodedata

from verificateur.socle.donnees import Document
from verificateur.socle.problemes import Probleme

# Titres d'un document Markdown : au-delà, refusé (10 Mio de « # » en feraient 5 millions).
TITRES_MAX = 10_000


def decoder(document: Document, contenu: bytes) -> str | None:
    """UTF-8, avec ou sans BOM (exports de tableurs) ; sinon un problème situé."""
    if b"\x00" in contenu[:8192]:
        document.problemes.append(
            Probleme(document.chemin, 1, "encodage", "fichier binaire ou UTF-16, attendu un texte UTF-8")
        )
        return None
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ligne = contenu.count(b"\n", 0, exc.start) + 1
        document.problemes.append(
            Probleme(
                document.chemin,
                ligne,
                "encodage",
                "caractère non UTF-8 (fichier enregistré en Latin-1 ou Windows-1252 ?), attendu un texte UTF-8",
            )
        )
        return None


_TITRE_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
_CLOTURE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SOULIGNE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def lire_markdown(chemin: str, contenu: bytes) -> Document:
    """Les titres d'un document Markdown (ATX « # » et soulignés), hors blocs de code."""
    document = Document(chemin, "markdown")
    texte = decoder(document, contenu)
    if texte is None:
        return document
    titres = []
    cloture: str | None = None
    precedente = ""
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        marque = _CLOTURE.match(ligne)
        if cloture:
            if marque and marque.group(1)[0] == cloture[0] and len(marque.group(1)) >= len(cloture):
                cloture = None
            precedente = ""
            continue
        if marque:
            cloture = marque.group(1)
            continue
        atx = _TITRE_ATX.match(ligne)
        if atx:
            titres.append({"texte": (atx.group(2) or "").strip(), "niveau": len(atx.group(1)), "ligne": numero})
        elif _SOULIGNE.match(ligne) and precedente.strip() and not precedente.startswith((" " * 4, "\t")):
            niveau = 1 if ligne.strip()[0] == "=" else 2
            titres.append({"texte": precedente.strip(), "niveau": niveau, "ligne": numero - 1})
        if len(titres) > TITRES_MAX:
            document.problemes.append(
                Probleme(chemin, numero, "trop-de-valeurs", f"plus de {TITRES_MAX} titres, document refusé (docs/limites.md)")
            )
            return document
        precedente = ligne
    document.donnees = {"titres": titres}
    return document


def normaliser_titre(texte: str) -> str:
    """Casse, accents, ponctuation et numérotation ignorés : « 2. Mode dégradé : » → « mode degrade »."""
    sans_accents = "".join(
        c for c in unicodedata.normalize("NFKD", texte.casefold()) if not unicodedata.combining(c)
    )
    mots = re.sub(r"[\W_]+", " ", sans_accents).split()
    while mots and re.fullmatch(r"[0-9ivxlc]+", mots[0]) and len(mots) > 1:
        mots.pop(0)  # numérotation « 1. », « II - »
    return " ".join(mots)
