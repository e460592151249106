"""Rendu CSV d'un lot : une ligne par établissement × règle (un dépôt en échec : une ligne, sans
règle, avec la raison), aux conventions d'un tableur français (`tableur.ecrire` : `;`, BOM UTF-8,
virgule décimale, formules neutralisées)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.socle import tableur

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

COLONNES = (
    "finess", "raison_sociale", "region", "categorie", "chemin", "revision", "date_evaluation", "etat",
    "statut_global", "taux_conformite", "regle", "titre", "gravite", "statut", "raison", "echeance",
)


def rendre(donnees: dict[str, Any], options: Options | None = None) -> str:
    regles = {r["regle"]: r for r in donnees["regles"]}
    lignes = []
    for e in donnees["etablissements"]:
        synthese = e["synthese"] or {}
        debut = [e["finess"], e["raison_sociale"], e["region"], e["categorie"], e["chemin"], e["depot"]["revision"],
                 donnees["date_evaluation"], e["etat"], synthese.get("statut_global"), tableur.decimal(synthese.get("taux_conformite"))]
        if e["etat"] != "evalue":
            lignes.append([*debut, None, None, None, None, e["raison"], None])
            continue
        # echeance : le jour où la règle serait en échec, dans les 90 jours, si rien n'est commité.
        echeances = {x["regle"]: x["date"] for x in e.get("echeances", [])}
        for regle, statut in sorted(e["resultats"].items()):
            r = regles.get(regle, {})
            lignes.append([*debut, regle, r.get("titre"), r.get("gravite"), statut, None, echeances.get(regle)])
    return tableur.ecrire(COLONNES, lignes)
