"""Les commandes du catalogue : `politiques` (valider, tester, lister) et `referentiels` (lister,
couverture)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from verificateur.cli.click_fr import Groupe
from verificateur.cli.communs import _catalogue, avec_sortie, option_politiques, option_programmes, option_referentiels
from verificateur.socle.problemes import ErreurVerificateur


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
    click.echo(f"{len(catalogue.politiques)} politique(s), {len(catalogue.regles)} règle(s), {len(catalogue.exigences)} exigence(s) : valides")
    from verificateur.financements import eligibilite

    nombre, problemes = eligibilite.valider_programmes([Path(p) for p in programmes], catalogue, livres=not dossiers)
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
    click.echo(f"{len(tous) - len(echecs)} cas réussi(s), {len(echecs)} en échec, sur {len(tous)} ; {manques} règle(s) sans cas pour certains statuts")
    sys.exit(1 if echecs or problemes else 0)


@groupe_politiques.command("lister")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
@click.option("--format", "format_", type=click.Choice(("texte", "csv", "html")), default="texte", show_default=True, help="Format de la liste.")
@avec_sortie
def politiques_lister(dossiers: tuple[str, ...], referentiels: tuple[str, ...], format_: str) -> None:
    """Lister les règles : identifiant, gravité, exigences, preuves lues.

    \b
    Exemple :
      verificateur politiques lister --format html > regles.html
    """
    catalogue = _catalogue(dossiers, referentiels)
    if format_ == "html":
        from verificateur.rendus import catalogue_html

        click.echo(catalogue_html.regles(catalogue), nl=False)
        return
    lignes = []
    for r in catalogue.regles.values():
        lues = sorted({l.get("fichier") or l.get("fichiers") for l in r.preuves.values()})
        lignes.append([r.id, r.gravite, ", ".join(r.exigences), ", ".join(lues), r.titre])
    if format_ == "csv":
        from verificateur.socle import tableur

        entete = ["regle", "gravite", "exigences", "preuves", "titre", "politique", "fichier", "ligne"]
        click.echo(tableur.ecrire(entete, [
            [r.id, r.gravite, " ".join(r.exigences), l[3].replace(", ", " "), r.titre, r.politique, r.fichier, r.ligne]
            for r, l in zip(catalogue.regles.values(), lignes)
        ]), nl=False)
        return
    from tabulate import tabulate

    click.echo(tabulate(lignes, headers=["règle", "gravité", "exigences", "preuves", "titre"], tablefmt="simple"))


@click.group(cls=Groupe)
def referentiels() -> None:
    """Lister les référentiels et mesurer leur couverture par les règles."""


@referentiels.command("lister")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(("texte", "csv", "html")), default="texte", show_default=True, help="Format de la liste.")
@avec_sortie
def referentiels_lister(politiques: tuple[str, ...], referentiels: tuple[str, ...], format_: str) -> None:
    """Lister les exigences des référentiels chargés, avec leur source."""
    catalogue = _catalogue(politiques, referentiels)
    exigences = sorted(catalogue.exigences.values(), key=lambda e: (e.referentiel, e.id))
    if format_ == "html":
        from verificateur.rendus import catalogue_html

        click.echo(catalogue_html.exigences(exigences, catalogue), nl=False)
        return
    lignes = [
        [e.id, e.titre, "oui" if e.verifiable else "non", e.confiance,
         "; ".join(f"{s.get('emetteur', '')}, {s.get('date', 's. d.')}" for s in e.sources)]
        for e in exigences
    ]
    if format_ == "csv":
        from verificateur.socle import tableur

        click.echo(tableur.ecrire(["exigence", "titre", "verifiable", "confiance", "sources", "referentiel"],
                                  [l + [e.referentiel] for l, e in zip(lignes, exigences)]), nl=False)
        return
    from tabulate import tabulate

    click.echo(tabulate(lignes, headers=["exigence", "titre", "vérifiable", "confiance", "sources"], tablefmt="simple"))


@referentiels.command("couverture")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(("texte", "csv", "html")), default="texte", show_default=True, help="Format de la matrice.")
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
    externes = couverture.correspondances(catalogue)
    if format_ == "html":
        from verificateur.rendus import catalogue_html

        click.echo(catalogue_html.couverture(lignes, catalogue, couverture.bilan(lignes), externes), nl=False)
        return
    if format_ == "csv":
        from verificateur.socle import tableur

        # Les nœuds des catalogues externes auxquels renvoie chaque exigence : « catalogue:nœud (portée) ».
        def renvois(exigence: str) -> str:
            return " ".join(f"{x['catalogue']}:{x['noeud']} ({x['portee']})"
                            for x in catalogue.exigences[exigence].donnees.get("correspondances", []))

        entete = ["referentiel", "exigence", "titre", "verifiable", "regles", "preuves", "remarque", "correspondances"]
        click.echo(tableur.ecrire(entete, [
            [l.referentiel, l.exigence, l.titre, "oui" if l.verifiable else "non", " ".join(l.regles), " ".join(l.preuves), l.remarque,
             renvois(l.exigence)]
            for l in lignes
        ]), nl=False)
        return
    from tabulate import tabulate

    tableau = [[l.exigence, ", ".join(l.regles) or "—", ", ".join(l.preuves) or "—", l.remarque] for l in lignes]
    click.echo(tabulate(tableau, headers=["exigence", "règles", "preuves lues", "remarque"], tablefmt="simple"))
    click.echo("")
    click.echo(couverture.bilan(lignes))
    for c in externes:
        click.echo("")
        click.echo(f"Catalogue externe {c.id} (référentiel {c.referentiel}) : {c.titre} ; version lue : {c.version}")
        click.echo(tabulate(
            [[n.noeud, ", ".join(n.exigences) or "—", ", ".join(n.regles) or "—",
              couverture.LIBELLES_PORTEES[n.portee] if n.portee else "non couvert", " ".join(n.notes)] for n in c.noeuds],
            headers=["nœud", "exigences", "règles", "portée", "ce qui n'est pas vérifié"], tablefmt="simple", maxcolwidths=[None, None, None, None, 70]))
        click.echo(c.bilan())
