"""Les commandes du catalogue : `politiques` (valider, tester, lister) et `referentiels` (lister,
couverture)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from verificateur.cli.click_fr import Groupe
from verificateur.cli.communs import _catalogue, avec_sortie, option_format, option_politiques, option_programmes, option_referentiels
from verificateur.rendus import catalogue as rendus_catalogue
from verificateur.rendus.registre import Options
from verificateur.socle.problemes import ErreurVerificateur

# Les formats de chaque liste : ceux de son registre (verificateur/rendus/catalogue.py).


@click.group("politiques", cls=Groupe)
def groupe_politiques() -> None:
    """Valider, tester et lister les politiques."""


@groupe_politiques.command("valider")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
@option_programmes
def politiques_valider(dossiers: tuple[str, ...], referentiels: tuple[str, ...], programmes: tuple[str, ...]) -> None:
    """Valider les politiques (par défaut : celles livrées) : une ligne par problème.

    Les programmes de financement sont validés contre les règles chargées : ceux
    livrés avec les politiques livrées, et ceux des dossiers --programmes.
    """
    from verificateur.auteurs import cas

    catalogue = _catalogue(dossiers, referentiels)
    for p in catalogue.problemes:
        click.echo(str(p))
    problemes_cas = cas.verifier_fichiers(catalogue)  # les cas de test font partie de la politique
    if problemes_cas:
        raise ErreurVerificateur(f"{len({p.fichier for p in problemes_cas})} fichier(s) de cas de test invalide(s)", 2, problemes_cas)
    click.echo(f"{len(catalogue.politiques)} politique(s), {len(catalogue.regles)} règle(s), "
               f"{len(catalogue.exigences)} exigence(s) : valides")
    from verificateur import financements

    nombre, problemes = financements.valider_programmes([Path(p) for p in programmes], catalogue, livres=not dossiers)
    if problemes:
        invalides = len({p.fichier for p in problemes})
        raise ErreurVerificateur(f"{invalides} programme(s) de financement invalide(s) sur {nombre}", 2, problemes)
    if nombre:
        click.echo(f"{nombre} programme(s) de financement : valides")


@groupe_politiques.command("tester")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
def politiques_tester(dossiers: tuple[str, ...], referentiels: tuple[str, ...]) -> None:
    """Exécuter les cas de test des règles (tests/*.yaml de chaque politique).

    \b
    Chaque cas en échec est cité par son fichier et sa ligne ; chaque règle
    sans cas pour un statut qu'elle peut prendre, par la ligne de la règle
    (docs/politiques.md). Code de sortie 1 s'il y en a.
    Exemple :
      verificateur politiques tester politiques/plan-national
    """
    from verificateur.auteurs import cas as module

    catalogue = _catalogue(dossiers, referentiels)
    tous, echecs, problemes = module.tester(catalogue, module.dossiers_de(catalogue))
    for p in problemes:
        click.echo(str(p))
    for e in echecs:
        click.echo(str(e))
    manques = sum(1 for p in problemes if p.code == "cas-manquant")
    click.echo(f"{len(tous) - len(echecs)} cas réussi(s), {len(echecs)} en échec, sur {len(tous)} ; "
               f"{manques} règle(s) sans cas pour certains statuts")
    sys.exit(1 if echecs or problemes else 0)


@groupe_politiques.command("lister")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
@option_format(rendus_catalogue.REGLES, "Format de la liste.")
@avec_sortie
def politiques_lister(dossiers: tuple[str, ...], referentiels: tuple[str, ...], format_: str) -> None:
    """Lister les règles : identifiant, gravité, exigences, preuves lues.

    \b
    Exemple :
      verificateur politiques lister --format html > regles.html
    """
    catalogue = _catalogue(dossiers, referentiels)
    click.echo(rendus_catalogue.REGLES[format_].rendre(catalogue), nl=False)


@click.group(cls=Groupe)
def referentiels() -> None:
    """Lister les référentiels et mesurer leur couverture par les règles."""


@referentiels.command("lister")
@option_politiques
@option_referentiels
@option_format(rendus_catalogue.EXIGENCES, "Format de la liste.")
@avec_sortie
def referentiels_lister(politiques: tuple[str, ...], referentiels: tuple[str, ...], format_: str) -> None:
    """Lister les exigences des référentiels chargés, avec leur source."""
    catalogue = _catalogue(politiques, referentiels)
    exigences = sorted(catalogue.exigences.values(), key=lambda e: (e.referentiel, e.id))
    click.echo(rendus_catalogue.EXIGENCES[format_].rendre(exigences, {"catalogue": catalogue}), nl=False)


@referentiels.command("couverture")
@option_politiques
@option_referentiels
@option_format(rendus_catalogue.COUVERTURE, "Format de la matrice.")
@avec_sortie
def referentiels_couverture(politiques: tuple[str, ...], referentiels: tuple[str, ...], format_: str) -> None:
    """Matrice exigence → règles → preuves ; les exigences qu'aucune règle ne couvre, et pourquoi.

    \b
    Exemple :
      verificateur referentiels couverture --format csv > couverture.csv
    """
    from verificateur.auteurs import couverture

    catalogue = _catalogue(politiques, referentiels)
    lignes = couverture.matrice(catalogue)
    options: Options = {"catalogue": catalogue, "correspondances": couverture.correspondances(catalogue)}
    click.echo(rendus_catalogue.COUVERTURE[format_].rendre(lignes, options), nl=False)
