"""Les familles d'opérateurs du langage, rangées une fois dans le registre (`registre.enregistrer`).

Chaque famille (`operateurs_<famille>.py`) écrit ses opérateurs et les déclare dans son tuple
`OPERATEURS` ; ajouter une famille, c'est une ligne ici. Importé par `verificateur/langage/__init__.py` :
les tables sont remplies dès que le paquet l'est, avant toute évaluation.
"""

from __future__ import annotations

from verificateur.langage import (
    operateurs_agregats,
    operateurs_appartenance,
    operateurs_arithmetique,
    operateurs_champs,
    operateurs_comparaisons,
    operateurs_dates,
    operateurs_documents,
    operateurs_logiques,
    operateurs_quantificateurs,
)
from verificateur.langage.registre import Operateur, enregistrer

FAMILLES = (
    operateurs_champs, operateurs_dates, operateurs_arithmetique, operateurs_agregats, operateurs_comparaisons,
    operateurs_appartenance, operateurs_logiques, operateurs_quantificateurs, operateurs_documents,
)

TOUS: tuple[Operateur, ...] = tuple(op for famille in FAMILLES for op in famille.OPERATEURS)
enregistrer(*TOUS)
