"""Les mots de chaque statut d'un verdict et les gravités : l'unique table (#14.3).

Les rendus du rapport, du lot, des échéances et de l'observatoire la lisent (via
`verificateur.rendus.commun`) ; les motifs d'éligibilité en dérivent leurs mots
(`financements.modeles.LIBELLES_STATUTS`). Au socle, sans aucun import : un rendu lu seul (fusion d'un lot,
observatoire) ne charge pas le moteur pour trouver six mots. Les statuts eux-mêmes sont définis ici
(`Statut`), une fois.
"""

from __future__ import annotations

from enum import StrEnum


class Statut(StrEnum):
    """Le statut d'un verdict : sa valeur est le mot du contrat JSON (`rapport.schema.json`). Les
    verdicts, rapports, lots et bases portent la valeur en texte simple (`STATUTS`), comparable à un
    membre : `Statut.CONFORME == "conforme"`."""

    CONFORME = "conforme"
    NON_CONFORME = "non_conforme"
    PREUVE_MANQUANTE = "preuve_manquante"
    ERREUR = "erreur"
    NON_APPLICABLE = "non_applicable"
    DEROGATION = "derogation"


# Dans l'ordre du contrat ; les échecs sont ce que compte le seuil d'échec (--echec-a).
STATUTS: tuple[str, ...] = tuple(s.value for s in Statut)
ECHECS: tuple[str, ...] = (Statut.NON_CONFORME.value, Statut.PREUVE_MANQUANTE.value, Statut.ERREUR.value)

# Les gravités d'une règle, par ordre croissant : l'unique définition (politiques, --echec-a, rendus,
# observatoire). Le seuil d'échec d'un rapport est l'une d'elles.
GRAVITES = ("info", "mineure", "majeure", "critique")

LIBELLES_STATUTS = {
    "conforme": "conforme",
    "non_conforme": "non conforme",
    "preuve_manquante": "preuve manquante",
    "erreur": "erreur",
    "non_applicable": "non applicable",
    "derogation": "dérogation",
}
PLURIELS_STATUTS = {
    "conforme": "conformes",
    "non_conforme": "non conformes",
    "preuve_manquante": "preuves manquantes",
    "erreur": "erreurs",
    "non_applicable": "non applicables",
    "derogation": "dérogations",
}
