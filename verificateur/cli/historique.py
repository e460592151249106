"""La commande `historique` : la conformité d'un dépôt git à la fin de chaque mois ou trimestre."""

from __future__ import annotations

from datetime import date

import click

from verificateur.cli.click_fr import Commande
from verificateur.cli.communs import (
    DATE,
    _catalogue,
    ecrire,
    option_echec_a,
    option_format,
    option_politiques,
    option_referentiels,
    option_sortie,
)
from verificateur.rendus import historique as rendus_historique
from verificateur.socle.problemes import ErreurVerificateur


@click.command(cls=Commande)
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--depuis", type=DATE, default=None, help="Première date (par défaut : celle du premier commit).")
@click.option("--jusqu-a", "jusqu_a", type=DATE, default=None, help="Dernière date (par défaut : aujourd'hui).")
@click.option("--pas", type=click.Choice(("mois", "trimestre")), default="mois", show_default=True,
              help="Une étape à la fin de chaque mois ou trimestre.")
@option_politiques
@option_referentiels
@option_format(rendus_historique.FORMATS, "Format de l'historique.")
@option_sortie("l'historique")
@option_echec_a()
def historique(chemin: str, depuis: date | None, jusqu_a: date | None, pas: str, politiques: tuple[str, ...],
               referentiels: tuple[str, ...], format_: str, sortie: str | None, seuil_echec: str) -> None:
    """Conformité du dépôt git à la fin de chaque mois (ou trimestre), et les règles qui ont changé.

    \b
    Exemple :
      verificateur historique . --depuis 2025-01-01 --pas trimestre
      verificateur historique . --format csv --sortie historique.csv
    """
    from verificateur.commandes import historique as module

    jusqu_a = jusqu_a or date.today()
    if depuis is not None and depuis > jusqu_a:
        raise ErreurVerificateur(f"--depuis {depuis.isoformat()} est après --jusqu-a {jusqu_a.isoformat()}")
    # Les politiques ne sont chargées que si une étape manque au cache de l'historique.
    demande = module.CatalogueALaDemande(politiques, referentiels, lambda: _catalogue(politiques, referentiels, cache=True))
    resultat = module.historique(chemin, demande, depuis, jusqu_a, pas, seuil_echec, cache=module.cache_historique.dossier_cache())
    ecrire(rendus_historique.FORMATS[format_].rendre(resultat), sortie)
