"""Les mots de chaque statut d'un verdict et les gravités : l'unique table (#14.3).

Les rendus du rapport, du lot, des échéances et de l'observatoire la lisent (via
`verificateur.rendus.commun`) ; les motifs d'éligibilité en dérivent leurs mots
(`financements.modeles.LIBELLES_STATUTS`). Au socle, sans aucun import : un rendu lu seul (fusion d'un lot,
observatoire) ne charge pas le moteur pour trouver six mots.
"""

from __future__ import annotations

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
