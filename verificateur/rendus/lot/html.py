"""Rendu HTML d'un lot : le tableau de bord d'une ARS, un fichier autonome ouvert hors ligne ou imprimé.

Mêmes principes que le rapport d'un établissement (`verificateur/rendus/html.py`, dont il reprend
l'environnement Jinja2, les filtres et la feuille de style) : CSS en ligne, graphiques SVG en ligne,
aucun script, aucune ressource externe, échappement automatique de tout texte venu des preuves.
La carte de chaleur est un tableau HTML (une cellule par règle × établissement) : à 3 000
établissements, c'est le plus compact qui reste lisible par un lecteur d'écran (en-têtes de ligne
et de colonne) et imprimable (en-tête répété à chaque page) ; chaque cellule porte le symbole du
statut en plus de sa couleur, et son intitulé complet au survol.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from verificateur.rendus.commun import ECHECS, LIBELLES, ORDRE_STATUTS, PLURIELS, pourcentage
from verificateur.socle.francais import nombre

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

# Classe CSS d'une cellule de la carte : une lettre (la carte de 3 000 lignes pèse moins lourd).
CLASSES = {
    "conforme": "c",
    "non_conforme": "n",
    "preuve_manquante": "m",
    "erreur": "e",
    "non_applicable": "a",
    "derogation": "d",
}
REGIONS = {
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté", "28": "Normandie",
    "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire", "53": "Bretagne",
    "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur", "94": "Corse", "01": "Guadeloupe", "02": "Martinique", "03": "Guyane",
    "04": "La Réunion", "06": "Mayotte",
}
LARGEUR_BARRE = 460
ORIGINE = 220  # les barres commencent après les libellés (« 93 Provence-Alpes-Côte d'Azur »)
_SCHEMA_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@lru_cache(maxsize=1)
def _environnement() -> Any:
    from verificateur.rendus import html as rendu_etablissement

    # Une surcouche de l'environnement du rapport d'établissement : mêmes filtres, mêmes réglages,
    # et ses gabarits (rapport.css) restent accessibles après ceux du tableau de bord.
    return rendu_etablissement.surcouche(rendu_etablissement.environnement(), "verificateur.rendus.lot", {
        "lien_relatif": lien_relatif,
        "region": nom_region,
        "classe": lambda statut: CLASSES.get(statut, "a"),
        "taux": _taux,
        "entier": lambda n: nombre(Decimal(n)) if isinstance(n, int) else n,
        "montant": lambda m: "—" if m is None else f"{nombre(Decimal(str(m)))} €",
    })


def lien_relatif(chemin: Any) -> str | None:
    """Un chemin relatif utilisable dans `href` (rapports d'établissement) : jamais une adresse avec
    schéma (`javascript:`, `file:`), jamais absolu ; encodé pour les espaces, `#` et `?`."""
    if not isinstance(chemin, str) or not chemin or chemin.startswith(("/", "\\")) or _SCHEMA_URL.match(chemin):
        return None
    return quote(chemin.replace("\\", "/"), safe="/._-~")


def _taux(taux: float | None) -> str:
    return "—" if taux is None else pourcentage(taux)


def nom_region(code: Any) -> str:
    if not code:
        return "région inconnue"
    nom = REGIONS.get(str(code))
    return f"{code} {nom}" if nom else str(code)


def _px(valeur: float) -> str:
    """Une coordonnée SVG au dixième de pixel, sans zéro inutile (200, 276.7)."""
    return f"{valeur:.1f}".rstrip("0").rstrip(".")


def _segments(statuts: dict[str, int], largeur: float, origine: float = ORIGINE) -> list[dict[str, Any]]:
    """Segments d'une barre empilée commençant à `origine`, dans l'ordre des statuts (échecs d'abord) ;
    `etiquette` : assez large pour y écrire le nombre."""
    total = sum(statuts.get(s, 0) for s in ORDRE_STATUTS)
    segments, x = [], float(origine)
    for statut in ORDRE_STATUTS:
        n = statuts.get(statut, 0)
        if n and total:
            w = largeur * n / total
            segments.append({"statut": statut, "n": n, "x": _px(x), "largeur": _px(w), "milieu": _px(x + w / 2),
                             "etiquette": w >= 34})
            x += w
    return segments


def _description(statuts: dict[str, int]) -> str:
    """« 50 conformes, 7 non conformes… » : l'équivalent textuel d'une barre (texte alternatif)."""
    morceaux = [f"{n} {PLURIELS[s] if n > 1 else LIBELLES[s]}" for s in ORDRE_STATUTS if (n := statuts.get(s, 0))]
    return ", ".join(morceaux) or "aucun verdict"


def _barre(agregat: dict[str, Any], libelle: str, droite: str) -> dict[str, Any]:
    """Une ligne d'un graphique en barres : libellé à gauche, statuts empilés, chiffre à droite."""
    statuts = agregat.get("statuts") or {}
    return {**agregat, "libelle": libelle, "droite": droite, "segments": _segments(statuts, LARGEUR_BARRE),
            "description": _description(statuts)}


def _groupes(agregats: list[dict[str, Any]], libelle: Any) -> list[dict[str, Any]]:
    """Par région ou par catégorie ; à droite, établissements conformes sur évalués."""
    return [_barre(a, libelle(a["cle"]), f"{a.get('conformes', 0)}/{a.get('evalues', 0)} conformes") for a in agregats]


def _ligne(etab: dict[str, Any], regles: list[str]) -> dict[str, Any]:
    resultats = etab.get("resultats") or {}
    synthese = etab.get("synthese") or {}
    return {
        "e": etab,
        "nom": etab.get("raison_sociale") or etab.get("chemin") or "établissement inconnu",
        "lien": lien_relatif((etab.get("rapports") or {}).get("html")),
        "taux": synthese.get("taux_conformite"),
        "statut_global": synthese.get("statut_global"),
        "cellules": [(r, resultats.get(r)) for r in regles],
        "echecs": sum(1 for s in resultats.values() if s in ECHECS),
    }


def rendre(donnees: dict[str, Any], options: Options | None = None) -> str:
    regles = [r["regle"] for r in donnees.get("regles", [])]
    agregats = donnees.get("agregats") or {}
    s = donnees["synthese"]
    # Carte : les établissements évalués d'abord (ordre du contrat), les dépôts illisibles à la fin.
    etablissements = donnees.get("etablissements", [])
    lignes = [_ligne(e, regles) for e in etablissements if e.get("etat") != "echec"]
    lignes += [_ligne(e, regles) for e in etablissements if e.get("etat") == "echec"]
    liens = {l["e"]["chemin"]: l["lien"] for l in lignes}  # chaque établissement a sa ligne, et son lien calculé
    par_regle = [_barre(r, r["regle"], _taux(r.get("taux_conformite"))) for r in agregats.get("par_regle", [])]
    etat = {"conforme": s.get("conformes", 0), "non_conforme": s.get("non_conformes", 0), "erreur": s.get("echecs", 0)}
    modele = _environnement().get_template("tableau.html.j2")
    return modele.render(
        d=donnees,
        s=s,
        regles=donnees.get("regles", []),
        lignes=lignes,
        liens=liens,
        avec_liens=any(liens.values()),
        par_region=_groupes(agregats.get("par_region", []), nom_region),
        par_categorie=_groupes(agregats.get("par_categorie", []), lambda c: c or "catégorie inconnue"),
        par_regle=par_regle,
        plus_echouees=agregats.get("regles_les_plus_echouees", []),
        en_difficulte=agregats.get("etablissements_les_plus_en_difficulte", []),
        titres={r["regle"]: r.get("titre", "") for r in donnees.get("regles", [])},
        echecs_lecture=donnees.get("echecs", []),
        # En pourcentages de la largeur disponible : la barre occupe toute la page, quelle que soit sa largeur.
        etat=[{**seg, "etiquette": float(seg["largeur"]) >= 4} for seg in _segments(etat, 100, 0)],
        largeur_barre=LARGEUR_BARRE,
        origine=ORIGINE,
        statuts=ORDRE_STATUTS,
        classes=CLASSES,
        eligibilite=donnees.get("eligibilite"),
        programme=donnees.get("programme"),
    )
