"""Le classeur xlsx, écrit d'une seule façon partout (rapport, lot, éligibilité), comme `tableur.py`
l'est pour le CSV.

Pourquoi un classeur : ouvert dans un tableur ou lu par pandas, un CSV perd les zéros de tête
(FINESS `010000115` → `10000115`, région `01` → `1`) et toute jointure sur le FINESS casse sans
bruit. Ici chaque cellule a son type, décidé par sa colonne : un identifiant est un texte (même
s'il n'a que des chiffres), une date une date, un taux un nombre au format pourcentage, un
montant un nombre en euros. Jamais de formule : une cellule qui commence par `=` reste un texte.

Chaque feuille : en-tête figé, filtres sur toutes les colonnes. Sortie déterministe (mêmes
entrées, mêmes octets) : la date de création et de modification du classeur est celle de
l'évaluation, et XlsxWriter date toutes les entrées de l'archive du 1er janvier 1980.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

from verificateur.rendus.commun import sans_controles

# Limites du format (spécification d'Excel) : lignes par feuille, unités UTF-16 par cellule. XlsxWriter
# ignore une ligne de trop et tronque un texte trop long sans le dire : ici, une feuille pleine continue
# dans « Nom (2) », et un texte tronqué le dit.
LIGNES_MAX = 1_048_576
TEXTE_MAX = 32_767

# type d'une colonne → (format de nombre, largeur par défaut)
TYPES: dict[str, tuple[str | None, int]] = {
    "texte": (None, 18),
    "identifiant": ("@", 12),   # FINESS, région, révision : texte, zéros de tête compris
    "date": ("yyyy-mm-dd", 12),
    "taux": ("0.0%", 10),
    "entier": ("0", 10),
    "euros": ('#,##0 "€"', 14),
    "long": (None, 60),          # explications, motifs
}


@dataclass(frozen=True)
class Colonne:
    nom: str
    type: str = "texte"


@dataclass
class Feuille:
    nom: str  # 31 caractères au plus, sans []:*?/\ (limites du format)
    colonnes: list[Colonne]
    lignes: Iterable[list[Any]]


def colonnes(*specs: str) -> list[Colonne]:
    """`"finess:identifiant"`, `"titre"` (texte) … : la liste des colonnes d'une feuille."""
    return [Colonne(*s.split(":", 1)) for s in specs]


def _date(valeur: Any) -> datetime | None:
    if isinstance(valeur, datetime):
        return valeur
    if isinstance(valeur, date):
        return datetime(valeur.year, valeur.month, valeur.day)
    try:
        return datetime.fromisoformat(str(valeur)[:10])
    except ValueError:
        return None


def ecrire(feuilles: Iterable[Feuille], date_evaluation: str | date, titre: str) -> bytes:
    """Les octets du classeur. `date_evaluation` (la date d'évaluation ou de décision) date le classeur."""
    import xlsxwriter

    tampon = io.BytesIO()
    # in_memory : l'archive est écrite d'un coup en mémoire, ses entrées datées du 1er janvier 1980.
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    classeur.set_properties({"title": titre, "created": _date(date_evaluation) or datetime(1980, 1, 1)})
    gras = classeur.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1})
    formats = {t: classeur.add_format({"num_format": f}) if f else None for t, (f, _) in TYPES.items()}
    for feuille in feuilles:
        suite, onglet, n = 1, _onglet(classeur, feuille, feuille.nom, gras, formats), 0
        for ligne in feuille.lignes:
            if n == LIGNES_MAX - 1:  # la feuille est pleine : la suite dans « Nom (2) », en-tête compris
                _fermer(onglet, n, feuille)
                suite += 1
                onglet, n = _onglet(classeur, feuille, f"{feuille.nom} ({suite})", gras, formats), 0
            n += 1
            for i, (colonne, valeur) in enumerate(zip(feuille.colonnes, ligne)):
                _cellule(onglet, n, i, colonne.type, valeur, formats[colonne.type])
        _fermer(onglet, n, feuille)
    classeur.close()
    return tampon.getvalue()


def _onglet(classeur: Workbook, feuille: Feuille, nom: str, gras: Format, formats: dict[str, Format | None]) -> Worksheet:
    onglet = classeur.add_worksheet(nom)
    for i, colonne in enumerate(feuille.colonnes):
        onglet.set_column(i, i, max(TYPES[colonne.type][1], len(colonne.nom) + 2),
                          formats[colonne.type] if colonne.type == "identifiant" else None)
        onglet.write_string(0, i, colonne.nom, gras)
    return onglet


def _fermer(onglet: Worksheet, lignes: int, feuille: Feuille) -> None:
    """En-tête figé, filtres sur toutes les colonnes et toutes les lignes écrites."""
    onglet.freeze_panes(1, 0)
    onglet.autofilter(0, 0, lignes, len(feuille.colonnes) - 1)


def _tronque(texte: str) -> str:
    """Un texte qui tient dans une cellule ; tronqué, il le dit (et combien de caractères il avait)."""
    if len(texte) <= TEXTE_MAX // 2 or len(texte.encode("utf-16-le")) // 2 <= TEXTE_MAX:
        return texte
    marque = f" […] (tronqué : {len(texte)} caractères)"
    garde = TEXTE_MAX - len(marque)
    while len((texte[:garde] + marque).encode("utf-16-le")) // 2 > TEXTE_MAX:
        garde -= (len((texte[:garde] + marque).encode("utf-16-le")) // 2 - TEXTE_MAX)
    return texte[:garde] + marque


def _cellule(onglet: Worksheet, ligne: int, col: int, type_: str, valeur: Any, format_: Format | None) -> None:
    if valeur is None or valeur == "":
        return
    if type_ == "date":
        lue = _date(valeur)
        if lue is not None:
            onglet.write_datetime(ligne, col, lue, format_)
            return
    elif type_ in ("taux", "entier", "euros") and isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
        onglet.write_number(ligne, col, valeur, format_)
        return
    # Tout le reste est un texte, écrit comme tel : jamais interprété comme nombre ni formule ; sans
    # caractère de contrôle, que XML 1.0 refuse.
    onglet.write_string(ligne, col, _tronque(sans_controles(str(valeur))), format_)
