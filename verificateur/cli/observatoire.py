"""Les commandes `observatoire` : garder chaque campagne d'évaluation en lot et suivre ce qui change."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import click

from verificateur.cli.click_fr import Groupe
from verificateur.cli.communs import ecrire, option_format, option_sortie
from verificateur.observatoire import formats as rendus_observatoire

F = TypeVar("F", bound=Callable[..., object])

option_observatoire = click.option(
    "--observatoire", "observatoire", metavar="FICHIER", default=None,
    help="Base de l'observatoire (par défaut : $XDG_DATA_HOME/verificateur/observatoire.sqlite, "
    "sinon ~/.local/share/verificateur/observatoire.sqlite).",
)
option_filtres_observatoire = [
    click.option("--region", "regions", multiple=True, metavar="R",
                 help="Seulement cette région (code INSEE, ou « inconnue » ; répétable)."),
    click.option("--categorie", "categories", multiple=True, metavar="C", help="Seulement cette catégorie d'établissement (répétable)."),
    click.option("--regle", "regles", multiple=True, metavar="ID", help="Seulement cette règle (répétable)."),
]


def _filtres_observatoire(fonction: F) -> F:
    for option in reversed(option_filtres_observatoire):
        fonction = option(fonction)
    return fonction


@click.group("observatoire", cls=Groupe)
def groupe_observatoire() -> None:
    """Garder chaque campagne d'évaluation en lot et suivre ce qui change (docs/observatoire.md)."""


@groupe_observatoire.command("enregistrer")
@click.argument("fichier", metavar="LOT.json")
@click.option("--campagne", "campagne", required=True, metavar="NOM", help="Nom de la campagne (ex. 2026-T3).")
@option_observatoire
def observatoire_enregistrer(fichier: str, campagne: str, observatoire: str | None) -> None:
    """Enregistrer le JSON d'un lot (verificateur lot --format json) dans une campagne.

    \b
    Enregistrer deux fois le même lot ne change rien. Les lots de plusieurs
    ARS évalués à la même date peuvent former une seule campagne.
    Exemple :
      verificateur observatoire enregistrer lot-2026-T3.json --campagne 2026-T3
    """
    from verificateur.observatoire import chemin_defaut, enregistrement

    nom = enregistrement.verifier_nom(campagne)
    donnees = enregistrement.lire_lot(fichier)
    base = os.path.dirname(os.path.abspath(fichier))  # les chemins des rapports sont relatifs au JSON du lot
    click.echo(enregistrement.enregistrer(observatoire or chemin_defaut(), nom, donnees, base))


@groupe_observatoire.command("importer")
@click.argument("autre", metavar="AUTRE.sqlite")
@option_observatoire
def observatoire_importer(autre: str, observatoire: str | None) -> None:
    """Réunir les campagnes d'un autre observatoire dans celui-ci (des ARS vers le national).

    \b
    Exemple :
      verificateur observatoire importer ars-bretagne.sqlite --observatoire national.sqlite
    """
    from verificateur.observatoire import chemin_defaut, enregistrement

    for ligne in enregistrement.importer(observatoire or chemin_defaut(), autre):
        click.echo(ligne)


@groupe_observatoire.command("campagnes")
@option_observatoire
@option_format(rendus_observatoire.CAMPAGNES, "Format de la liste.")
def observatoire_campagnes(observatoire: str | None, format_: str) -> None:
    """Lister les campagnes enregistrées, par date."""
    from verificateur.observatoire import chemin_defaut
    from verificateur.observatoire.store import Observatoire

    with Observatoire(observatoire or chemin_defaut()) as obs:
        liste = obs.campagnes()
    click.echo(rendus_observatoire.CAMPAGNES[format_].rendre(liste), nl=False)


@groupe_observatoire.command("evolution")
@option_observatoire
@_filtres_observatoire
@option_format(rendus_observatoire.EVOLUTION, "Format ; html : la page de l'observatoire.")
@option_sortie("le résultat")
def observatoire_evolution(observatoire: str | None, regions: tuple[str, ...], categories: tuple[str, ...], regles: tuple[str, ...],
                           format_: str, sortie: str | None) -> None:
    """Pour chaque campagne : part des établissements conformes et conformité moyenne, par région, catégorie et règle ; qui ne répond plus.

    \b
    Exemple :
      verificateur observatoire evolution --region 53
      verificateur observatoire evolution --format html --sortie observatoire.html
    """
    from verificateur.observatoire import chemin_defaut
    from verificateur.observatoire.evolution import Filtres
    from verificateur.observatoire.store import Observatoire

    filtres = Filtres(regions, categories, regles)
    with Observatoire(observatoire or chemin_defaut()) as obs:
        texte = rendus_observatoire.rendre_evolution(obs, filtres, format_, _dossier_de(sortie))
    ecrire(texte, sortie)


@groupe_observatoire.command("comparer")
@click.argument("avant", metavar="A")
@click.argument("apres", metavar="B")
@option_observatoire
@_filtres_observatoire
@option_format(rendus_observatoire.COMPARAISON, "Format de la comparaison.")
@option_sortie("le résultat")
def observatoire_comparer(avant: str, apres: str, observatoire: str | None, regions: tuple[str, ...], categories: tuple[str, ...],
                          regles: tuple[str, ...], format_: str, sortie: str | None) -> None:
    """Entre les campagnes A et B : régressions et améliorations par établissement et règle, apparus, disparus, totaux par région.

    \b
    Exemple :
      verificateur observatoire comparer 2026-T2 2026-T3
    """
    from verificateur.observatoire import chemin_defaut
    from verificateur.observatoire.comparaison import comparer
    from verificateur.observatoire.evolution import Filtres
    from verificateur.observatoire.store import Observatoire

    with Observatoire(observatoire or chemin_defaut()) as obs:
        resultat = comparer(obs, avant, apres, Filtres(regions, categories, regles))
    ecrire(rendus_observatoire.COMPARAISON[format_].rendre(resultat, {"dossier": _dossier_de(sortie)}), sortie)


def _dossier_de(sortie: str | None) -> str:
    """Le dossier d'où la page HTML ouvrira ses liens (celui de --sortie, sinon le dossier courant)."""
    return os.path.dirname(os.path.abspath(sortie)) if sortie and sortie != "-" else os.getcwd()
