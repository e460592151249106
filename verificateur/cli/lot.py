"""La commande `lot` (évaluer des dépôts par centaines ; `lot fusionner` : réunir les parties d'un lot)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from verificateur.cli import click_fr
from verificateur.cli.communs import (
    DATE,
    ecrire,
    option_echec_a,
    option_format,
    option_politiques,
    option_programmes,
    option_referentiels,
    option_sortie,
    refuser_binaire_vers_terminal,
)
from verificateur.rendus import eligibilite as rendus_eligibilite, lot as rendus_lot
from verificateur.socle.confinement import DELAI_DEFAUT, TAILLE_DEFAUT
from verificateur.socle.problemes import ErreurVerificateur

AIDE_FUSIONNER = """\
Usage : verificateur lot fusionner [OPTIONS] PARTIE…

  Fusionner les parties d'un lot évalué en plusieurs fois (« lot --partie i/n
  --format json ») en un seul résultat, identique à celui d'un lot d'un seul
  tenant. Refusé : des parties d'une autre date, d'autres politiques ou
  options, qui se recouvrent ou dont une manque (voir docs/lot.md).

  Exemple :
    verificateur lot fusionner partie-*.json --format json --sortie lot.json

Options :
  --format [texte|json|csv|html|xlsx]
                                  Format du résultat.  [par défaut : texte]
  --sortie FICHIER                Écrire le résultat dans ce fichier (par
                                  défaut : sortie standard).
  -h, --help                      Afficher cette aide et quitter.
"""


class _CommandeLot(click_fr.Commande):
    """« fusionner » est le premier SOURCE de `lot` : `lot fusionner --help` montre son aide à lui."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["fusionner"] and any(a in ("-h", "--help") for a in args[1:]):
            click.echo(AIDE_FUSIONNER, nl=False)
            ctx.exit(0)
        return super().parse_args(ctx, args)


@click.command(cls=_CommandeLot)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE…")
@click.option("--date", "date_evaluation", type=DATE, default=None, help="Date d'évaluation, la même pour tous (par défaut : aujourd'hui).")
@option_politiques
@option_referentiels
@click.option("--revision", metavar="REV",
              help="Lire chaque dépôt git à cette révision (par défaut : l'arbre de travail ; HEAD pour un dépôt nu).")
@click.option("--jobs", type=click_fr.entier(min=1), default=None, metavar="N",
              help="Processus d'évaluation (par défaut : les cœurs de la machine ; 1 : dans le processus).")
@option_format(rendus_lot.FORMATS, "Format du résultat.")
@option_sortie("le résultat")
@click.option("--rapports", metavar="DOSSIER", help="Écrire aussi le rapport JSON et HTML de chaque établissement dans ce dossier.")
@click.option("--reprendre", is_flag=True,
              help="Avec --rapports : ne pas réévaluer un dépôt dont la révision, les politiques et la date n'ont pas changé.")
@click.option("--cache", "cache", metavar="DOSSIER", help="Dossier du cache des résultats (par défaut : $XDG_CACHE_HOME/verificateur/lot).")
@click.option("--sans-cache", "sans_cache", is_flag=True, help="Ne lire ni n'écrire aucun cache.")
@click.option("--partie", metavar="i/n",
              help="N'évaluer que la partie i sur n (lots répartis sur plusieurs machines ; voir « lot fusionner »).")
@option_echec_a("Gravité à partir de laquelle un échec rend un établissement non conforme.")
@click.option("--fraicheur", is_flag=True,
              help="Lire dans l'histoire git la date d'ajout de chaque preuve (« déclaré a posteriori ») : plus lent.")
@click.option("--sans-progression", "sans_progression", is_flag=True,
              help="Pas de barre de progression (elle ne s'affiche que vers un terminal).")
@click.option("--programme", "programme", metavar="ID",
              help="Décider aussi de l'éligibilité de chaque établissement à ce programme de financement (docs/financements.md).")
@option_programmes
@click.option("--liste", "liste", metavar="FICHIER",
              help="Avec --programme : écrire la liste des éligibles, non éligibles et incomplets (.csv, .html, .json, .xlsx ; sinon "
                   "texte).")
@click.option("--miroirs", metavar="DOSSIER",
              help="Dossier des miroirs des dépôts collectés par URL ou paquet git (par défaut : $XDG_CACHE_HOME/verificateur/miroirs).")
@click.option("--delai-collecte", "delai_collecte", type=click_fr.decimal(min=0, min_open=True), default=DELAI_DEFAUT, metavar="SECONDES",
              help=f"Durée maximale de la récupération de chaque dépôt collecté (par défaut : {DELAI_DEFAUT} s).")
@click.option("--taille-max-collecte", "taille_collecte", type=click_fr.entier(min=1), default=TAILLE_DEFAUT, metavar="MIO",
              help=f"Taille maximale du miroir de chaque dépôt collecté (par défaut : {TAILLE_DEFAUT} Mio).")
@click.option("--campagne", "campagne", metavar="NOM",
              help="Enregistrer le lot dans l'observatoire sous cette campagne (docs/observatoire.md).")
@click.option("--observatoire", "observatoire", metavar="FICHIER",
              help="Avec --campagne : la base de l'observatoire (par défaut : $XDG_DATA_HOME/verificateur/observatoire.sqlite).")
@click.pass_context
def lot(ctx: click.Context, sources: tuple[str, ...], date_evaluation: date | None, politiques: tuple[str, ...],
        referentiels: tuple[str, ...], revision: str | None, jobs: int | None, format_: str, sortie: str | None,
        rapports: str | None, reprendre: bool, cache: str | None, sans_cache: bool, partie: str | None, seuil_echec: str,
        fraicheur: bool, sans_progression: bool,
        programme: str | None, programmes: tuple[str, ...], liste: str | None, miroirs: str | None,
        delai_collecte: float, taille_collecte: int, campagne: str | None, observatoire: str | None) -> None:
    """Évaluer des dépôts de preuves par centaines (ARS) ; ou fusionner les parties d'un lot.

    \b
    SOURCE : un dossier dont chaque sous-dossier est un dépôt de preuves (copie
    de travail ou dépôt git nu), ou un manifeste CSV « finess;chemin[;revision] »
    (chemin : un dossier, une adresse git ou un paquet git .bundle).
    Codes de sortie : 0 tous conformes, 1 un non conforme, 2 usage,
    4 un dépôt n'a pas pu être évalué, 130 interrompu (voir docs/lot.md).
    Exemple :
      verificateur lot exemples/ --date 2026-10-01
      verificateur lot depots/ --format json --sortie lot.json --rapports rapports/
      verificateur lot depots/ --partie 1/4 --format json --sortie partie-1.json
      verificateur lot fusionner partie-*.json --format json --sortie lot.json
    """
    from verificateur import lot as module

    refuser_binaire_vers_terminal(rendus_lot.FORMATS[format_], sortie)
    if sources[0] == "fusionner":
        propres = [nom for nom in ctx.params if nom not in ("sources", "format_", "sortie")
                   and ctx.get_parameter_source(nom) != click.core.ParameterSource.DEFAULT]
        if propres:
            options = ", ".join("--" + n.replace("_", "-") for n in propres)
            raise ErreurVerificateur(f"lot fusionner : option(s) {options} sans effet ; seules --format et --sortie s'appliquent")
        donnees = module.fusionner(list(sources[1:]))
        ecrire(rendus_lot.FORMATS[format_].morceaux(donnees), sortie)
        sys.exit(module.code_sortie(donnees))
    ecrit = sortie is not None and sortie != "-"
    preparation = module.preparer(module.Demande(
        list(sources), date_evaluation or date.today(), politiques, referentiels, revision, jobs or os.cpu_count() or 1, rapports,
        reprendre, cache, sans_cache, partie, seuil_echec, fraicheur, not sans_progression, programme, programmes, liste, miroirs,
        delai_collecte, taille_collecte, base_liens=os.path.dirname(os.path.abspath(sortie)) if ecrit and sortie else None))
    campagne, observatoire = _observatoire_du_lot(campagne, observatoire)
    lancement = module.lancer(preparation)  # tient le verrou de --rapports jusqu'à la fin du processus
    donnees, contexte = lancement.donnees, lancement.contexte
    ecrire(rendus_lot.FORMATS[format_].morceaux(donnees), sortie)
    if liste:
        _ecrire_liste(donnees, liste)
    for doublon in (donnees.get("eligibilite") or {}).get("doublons", []):
        click.echo(f"avertissement : {doublon['message']}", err=True)
    for e in donnees["echecs"]:
        click.echo(f"échec : {e['chemin']} : {e['raison']}", err=True)
    if donnees["interrompu"]:
        click.echo(f"interrompu : {donnees['synthese']['depots']} dépôt(s) terminé(s), résultat partiel écrit", err=True)
    elif campagne and observatoire:
        # Après l'écriture du résultat : si la base refuse, le lot n'est pas perdu (« observatoire enregistrer » le reprend).
        from verificateur.observatoire import enregistrement

        click.echo(enregistrement.enregistrer(observatoire, campagne, donnees, contexte.base_liens or os.getcwd()), err=True)
    sys.exit(lancement.code)


def _ecrire_liste(donnees: dict[str, Any], liste: str) -> None:
    """`lot --programme --liste FICHIER` : la liste des financeurs, au format que dit l'extension du
    fichier (.htm aussi pour html), sinon en texte."""
    from verificateur import financements

    par_extension = {f.extension: f.nom for f in rendus_eligibilite.FORMATS.values()} | {".htm": "html"}
    format_liste = par_extension.get(Path(liste).suffix.lower(), "texte")
    ecrire(rendus_eligibilite.FORMATS[format_liste].rendre(financements.liste_depuis_lot(donnees)), liste)


def _observatoire_du_lot(campagne: str | None, observatoire: str | None) -> tuple[str | None, str | None]:
    """`lot --campagne` : la base est ouverte (créée, migrée) avant d'évaluer, pour qu'une base verrouillée,
    corrompue ou trop récente soit signalée avant l'évaluation, pas après."""
    if observatoire and not campagne:
        raise ErreurVerificateur("--observatoire demande --campagne NOM : le nom sous lequel enregistrer ce lot")
    if not campagne:
        return None, None
    from verificateur.observatoire import chemin_defaut, enregistrement, store

    campagne = enregistrement.verifier_nom(campagne)
    observatoire = observatoire or chemin_defaut()
    store.Observatoire(observatoire, creer=True).fermer()
    return campagne, observatoire
