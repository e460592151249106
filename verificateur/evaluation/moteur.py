"""Le pipeline d'une évaluation, de la source au rapport : ce que la CLI, le crochet, le lot,
l'historique et les cas de test appellent tous (un seul moteur, jamais dupliqué)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from verificateur import evaluation, preuves
from verificateur.evaluation import rapport
from verificateur.politiques import Catalogue
from verificateur.sources import Source

# Lit une preuve (chemin, type, octets) : `preuves.lire_preuve`, ou un lecteur qui la garde (l'historique
# lit chaque (chemin, blob) une seule fois pour toute l'histoire).
Lecteur = Callable[[str, preuves.TypePreuve, bytes], preuves.Preuve]


def evaluer_source(source: Source, catalogue: Catalogue, date_evaluation: date, seuil_echec: str = "mineure", fraicheur: bool = True,
                   lire: Lecteur | None = None) -> dict[str, Any]:
    """`fraicheur` : pour une source git, lire dans l'historique la date du premier commit de chaque
    fichier (« déclaré a posteriori ») ; inutile quand seuls les verdicts comptent."""
    lues, resultat = charger_et_evaluer(source, catalogue, date_evaluation, fraicheur, lire)
    return rapport.construire(resultat, lues, catalogue, seuil_echec)


def charger_et_evaluer(source: Source, catalogue: Catalogue, date_evaluation: date, fraicheur: bool = True,
                       lire: Lecteur | None = None) -> tuple[preuves.Preuves, evaluation.Evaluation]:
    """Les preuves lues et leur évaluation à `date_evaluation` : l'échéancier les réévalue à d'autres dates sans
    relire le dépôt."""
    lues = preuves.charger(source, lire)
    dates_ajout = getattr(source, "dates_ajout", None) if fraicheur else None
    return lues, evaluation.evaluer(catalogue, lues, date_evaluation, dates_ajout() if dates_ajout else None)
