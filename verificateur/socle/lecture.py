"""Lecture des fichiers (YAML, CSV, Markdown) en données brutes, avec le numéro de ligne de chaque
valeur et les problèmes de syntaxe ; jamais d'exception pour une entrée mal formée.

Ce module réunit, pour ses nombreux appelants, ce que tiennent quatre modules d'un seul métier :
- `socle.donnees` : le `Document` lu (données, lignes, problèmes) et le `Chemin` d'une valeur ;
- `socle.lecture_texte` : le décodage UTF-8 commun à toutes les lectures, et les titres d'un Markdown ;
- `socle.lecture_yaml` : le YAML (nombres de YAML 1.2, limites d'imbrication et de valeurs, messages) ;
- `socle.lecture_csv` : le registre CSV (séparateur, limites de lignes et de colonnes, messages).
"""

from __future__ import annotations

from verificateur.socle.donnees import Chemin as Chemin, Document as Document
from verificateur.socle.lecture_csv import COLONNES_MAX_CSV as COLONNES_MAX_CSV, LIGNES_MAX_CSV as LIGNES_MAX_CSV, lire_csv as lire_csv
from verificateur.socle.lecture_texte import (
    TITRES_MAX as TITRES_MAX,
    decoder as decoder,
    lire_markdown as lire_markdown,
    normaliser_titre as normaliser_titre,
)
from verificateur.socle.lecture_yaml import (
    CHIFFRES_MAX_NOMBRE as CHIFFRES_MAX_NOMBRE,
    PROFONDEUR_MAX as PROFONDEUR_MAX,
    VALEURS_MAX_YAML as VALEURS_MAX_YAML,
    lire_yaml as lire_yaml,
)
