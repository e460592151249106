"""Le pipeline d'une évaluation, de la source au rapport : ce que la CLI, le crochet, le lot,
l'historique et les cas de test appellent tous (un seul moteur, jamais dupliqué)."""

from __future__ import annotations

from datetime import date
from typing import Any

from verificateur import evaluation, preuves, rapport
from verificateur.politiques import Catalogue
from verificateur.sources import Source


def evaluer_source(source: Source, catalogue: Catalogue, jour: date, seuil: str = "mineure") -> dict[str, Any]:
    lues = preuves.charger(source)
    # Sources git : la date du premier commit de chaque fichier (« déclaré a posteriori »).
    dates_ajout = getattr(source, "dates_ajout", None)
    resultat = evaluation.evaluer(catalogue, lues, jour, dates_ajout() if dates_ajout else None)
    return rapport.construire(resultat, lues, catalogue, seuil)
