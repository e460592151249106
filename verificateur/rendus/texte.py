"""Rendu texte : une ligne par règle (statut et explication courte), puis le bilan en mots."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import LIBELLES, PLURIELS, lieu

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

COULEURS = {"conforme": "32", "non_conforme": "31", "preuve_manquante": "33", "erreur": "35", "non_applicable": "2", "derogation": "36"}
LARGEUR_EXPLICATION = 90


def bilan(synthese: dict[str, Any]) -> str:
    morceaux = []
    for statut in ("non_conforme", "preuve_manquante", "erreur", "derogation", "conforme", "non_applicable"):
        n = synthese[statut]
        if n:
            morceaux.append(f"{n} {PLURIELS[statut] if n > 1 else LIBELLES[statut]}")
    return ", ".join(morceaux) or "aucune règle évaluée"


def _court(texte: str, details: bool) -> str:
    if details:
        return "\n".join(textwrap.wrap(texte, LARGEUR_EXPLICATION)) or texte
    return texte if len(texte) <= LARGEUR_EXPLICATION else texte[: LARGEUR_EXPLICATION - 1] + "…"


def _essentiel(resultat: dict[str, Any]) -> str:
    """Sur une ligne, les faits (valeurs comparées) plutôt que la phrase de tête de la règle."""
    if resultat["statut"] == "derogation" or not resultat.get("details"):
        return resultat["explication"]
    return " ; ".join(d["texte"] for d in resultat["details"])


def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    from tabulate import tabulate

    details = (options or {}).get("details", False)
    couleur = (options or {}).get("couleur", False)

    def colorer(statut: str) -> str:
        texte = LIBELLES[statut]
        return f"\x1b[{COULEURS[statut]}m{texte}\x1b[0m" if couleur else texte

    etab = rapport["etablissement"] or {}
    depot = rapport["depot"]
    lignes = []
    nom = etab.get("raison_sociale", "établissement inconnu (etablissement.yaml absent ou invalide)")
    finess = f" — FINESS {etab['finess']}" if "finess" in etab else ""
    lignes.append(f"{nom}{finess}")
    revision = f" @ {depot['revision'][:12]}" if depot.get("revision") else ""
    lignes.append(f"dépôt {depot['chemin']} ({depot['source']}{revision}), évalué au {rapport['date_evaluation']}")
    lignes.append("")
    tableau = [
        [r["regle"], r["gravite"], colorer(r["statut"]), _court(r["explication"] if details else _essentiel(r), details)]
        for r in rapport["resultats"]
    ]
    lignes.append(tabulate(tableau, headers=["règle", "gravité", "statut", "explication"], tablefmt="simple", disable_numparse=True))
    if rapport["problemes"]:
        lignes.append("")
        lignes.append("problèmes :")
        for p in rapport["problemes"]:
            marque = "" if p["niveau"] == "erreur" else "avertissement : "
            lignes.append(f"  {lieu(p['fichier'], p['ligne'], sans_fichier=p['fichier'])}: {marque}{p['message']} ({p['code']})")
    s = rapport["synthese"]
    lignes.append("")
    taux = f"{s['taux_conformite'] * 100:.1f}".replace(".", ",")
    statut_global = "CONFORME" if s["statut_global"] == "conforme" else "NON CONFORME"
    lignes.append(f"{statut_global} — {bilan(s)} ; taux de conformité {taux} % (seuil d'échec : {s['seuil_echec']})")
    return "\n".join(lignes) + "\n"
