"""La commande `historique` : la conformité d'un dépôt git à la fin de chaque mois ou trimestre."""

from __future__ import annotations

from datetime import date

import click

from verificateur.cli.click_fr import Commande
from verificateur.cli.communs import DATE, GRAVITES, _catalogue, ecrire, option_politiques, option_referentiels
from verificateur.rendus import historique as rendus_historique
from verificateur.socle.problemes import ErreurVerificateur

FORMATS_HISTORIQUE = tuple(rendus_historique.FORMATS)


@click.command(cls=Commande)
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--depuis", type=DATE, default=None, help="Première date (par défaut : celle du premier commit).")
@click.option("--jusqu-a", "jusqu_a", type=DATE, default=None, help="Dernière date (par défaut : aujourd'hui).")
@click.option("--pas", type=click.Choice(("mois", "trimestre")), default="mois", show_default=True,
              help="Une étape à la fin de chaque mois ou trimestre.")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(FORMATS_HISTORIQUE), default="texte", show_default=True,
              help="Format de l'historique.")
@click.option("--sortie", metavar="FICHIER", help="Écrire l'historique dans ce fichier (par défaut : sortie standard).")
@click.option("--echec-a", "seuil_echec", type=click.Choice(GRAVITES), default="mineure", show_default=True,
              help="Gravité à partir de laquelle un échec rend l'établissement non conforme.")
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
