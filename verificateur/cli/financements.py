"""La commande `eligibilite` : décider de l'éligibilité de dépôts à un programme de financement."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from verificateur.cli.click_fr import Commande
from verificateur.cli.communs import (
    DATE,
    _catalogue,
    _source,
    ecrire,
    option_format,
    option_politiques,
    option_programmes,
    option_referentiels,
    option_sortie,
    refuser_binaire_vers_terminal,
)
from verificateur.rendus import eligibilite as rendus_eligibilite
from verificateur.socle.problemes import ErreurVerificateur


@click.command(cls=Commande)
@click.argument("chemins", nargs=-1, required=True, metavar="CHEMIN…", type=click.Path(file_okay=False))
@click.option("--programme", "programme", required=True, metavar="ID",
              help="Identifiant d'un programme de financement, ou chemin de son fichier YAML.")
@option_programmes
@click.option("--date", "date_evaluation", type=DATE, default=None, help="Date de décision (par défaut : aujourd'hui).")
@click.option("--revision", metavar="REV", help="Lire chaque dépôt git à cette révision (par défaut : l'arbre de travail).")
@option_politiques
@option_referentiels
@option_format(rendus_eligibilite.FORMATS, "Format de la décision.")
@option_sortie("la décision")
@click.option("--csv-standard", "csv_standard", is_flag=True,
              help="CSV : séparateur « , », point décimal, sans BOM (par défaut : conventions d'un tableur français).")
def eligibilite(chemins: tuple[str, ...], programme: str, programmes: tuple[str, ...], date_evaluation: date | None, revision: str | None,
                politiques: tuple[str, ...], referentiels: tuple[str, ...], format_: str, sortie: str | None,
                csv_standard: bool) -> None:
    """Décider de l'éligibilité à un programme de financement : éligible, non éligible, incomplet, à confirmer ou clos.

    \b
    Chaque motif est donné (condition, verdict ou valeur du profil, fichier,
    révision) avec le montant plafond quand il se calcule. Les dépôts d'un même
    GHT forment une seule candidature quand le programme le dit.
    Codes de sortie : 0 éligible (toutes les candidatures), 1 au moins une
    non éligible ou incomplète, 4 sinon au moins une à confirmer (fait non
    publié) ou programme clos, 2 programme inconnu ou invalide.
    Exemple :
      verificateur eligibilite exemples/chu-armorique --programme exemples/programme-exemple.yaml --date 2026-10-01
      verificateur eligibilite ght/*/ --programme care-domaine-1 --format html --sortie decision.html
    """
    from verificateur import financements

    refuser_binaire_vers_terminal(rendus_eligibilite.FORMATS[format_], sortie)
    doublons = sorted({c for c in chemins if chemins.count(c) > 1})
    if doublons:
        raise ErreurVerificateur(f"dépôt donné plusieurs fois : {', '.join(doublons)}")
    # Sans --politiques : celles que le programme déclare (programme.politiques), sinon celles par défaut.
    catalogue, choisi = financements.charger_selon(programme, [Path(p) for p in programmes], politiques,
                                                   lambda demandees: _catalogue(demandees, referentiels))
    # Chaque dépôt est ouvert au moment d'être évalué ; un FINESS n'est jamais décidé ni sommé deux fois.
    resultat = financements.decider_candidatures(choisi, (_source(c, revision, False) for c in chemins), catalogue,
                                                 date_evaluation or date.today())
    ecrire(rendus_eligibilite.FORMATS[format_].rendre(resultat, {"csv_standard": csv_standard}), sortie)
    if format_ != "texte" or sortie not in (None, "-"):  # le texte sur la sortie standard les dit déjà
        for doublon in resultat["doublons"]:
            click.echo(f"avertissement : {doublon['message']}", err=True)
    sys.exit(financements.code_sortie(resultat))
