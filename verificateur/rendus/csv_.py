"""Rendu CSV : une ligne par règle, pour un tableur ou pour concaténer les rapports de plusieurs
établissements (chaque ligne porte le FINESS, la date et la révision).

Par défaut, les conventions d'un tableur français : séparateur `;`, UTF-8 avec BOM (Excel reconnaît
l'encodage), virgule décimale. Option `csv_standard` (`--csv-standard`) : séparateur `,`, point
décimal, sans BOM (RFC 4180).

Injection de formule : une cellule qui commence par `=`, `+`, `-`, `@`, une tabulation ou un retour
chariot serait exécutée comme une formule par le tableur ; elle est préfixée d'une apostrophe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import lieu
from verificateur.socle import tableur
from verificateur.socle.tableur import neutraliser  # noqa: F401 — nom public du rendu CSV

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

COLONNES = (
    "finess",
    "raison_sociale",
    "date_evaluation",
    "revision",
    "regle",
    "titre",
    "gravite",
    "statut",
    "exigences",
    "explication",
    "preuves",
    "derogation_expire_le",
    "taux_conformite",
)
def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    standard = bool((options or {}).get("csv_standard"))
    etab = rapport["etablissement"] or {}
    revision = rapport["depot"].get("revision")
    taux = tableur.decimal(rapport["synthese"]["taux_conformite"], standard)

    lignes = []
    for r in rapport["resultats"]:
        derog = r.get("derogation") or {}
        lignes.append([
            etab.get("finess"),
            etab.get("raison_sociale"),
            rapport["date_evaluation"],
            revision,
            r["regle"],
            r["titre"],
            r["gravite"],
            r["statut"],
            ", ".join(e["id"] for e in r["exigences"]),
            r["explication"],
            ", ".join(lieu(p["fichier"], p.get("ligne")) for p in r["preuves"]),
            derog.get("expire_le"),
            taux,
        ])
    return tableur.ecrire(COLONNES, lignes, standard)
