"""Les commandes d'un établissement, sur son dépôt de preuves : `evaluer`, `echeances`, `crochet`
(le crochet pre-commit), `init` et `preuves` (valider, schema). Le crochet lance `evaluer --index`
ou `crochet` à chaque commit : ce module n'importe au démarrage que le registre des formats du
rapport et celui de l'échéancier (les rendus eux-mêmes, le moteur et git le sont à l'usage)."""

from __future__ import annotations

import os
import sys
from datetime import date

import click

from verificateur.cli.click_fr import Commande, Groupe
from verificateur.cli.communs import (
    DATE,
    JOURS,
    _catalogue,
    _source,
    ecrire,
    option_echec_a,
    option_format,
    option_politiques,
    option_referentiels,
    option_sortie,
    refuser_binaire_vers_terminal,
)
from verificateur.rendus import FORMATS, echeances as rendus_echeances
from verificateur.rendus.registre import Options
from verificateur.socle.problemes import ErreurVerificateur

# Les formats offerts par chaque commande : ceux de son registre (un format = un enregistrement,
# verificateur/rendus/registre.py ; les modules de rendu ne sont importés qu'à l'usage).
FORMATS_EVALUER = tuple(FORMATS)


@click.command(cls=Commande)
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--revision", metavar="REV", help="Lire le dépôt git à cette révision (sha, étiquette, branche, HEAD~1…).")
@click.option("--index", "index", is_flag=True, help="Lire l'index git : ce qui sera commité (crochet pre-commit).")
@click.option("--date", "date_evaluation", type=DATE, default=None, help="Date d'évaluation (par défaut : aujourd'hui).")
@option_politiques
@option_referentiels
@option_format(FORMATS_EVALUER, "Format du rapport.")
@option_sortie("le rapport")
@option_echec_a()
@click.option("--details", is_flag=True, help="Texte : explications complètes.")
@click.option("--csv-standard", "csv_standard", is_flag=True,
              help="CSV : séparateur « , », point décimal, sans BOM (par défaut : conventions d'un tableur français).")
def evaluer(chemin: str, revision: str | None, index: bool, date_evaluation: date | None, politiques: tuple[str, ...],
            referentiels: tuple[str, ...], format_: str, sortie: str | None, seuil_echec: str, details: bool,
            csv_standard: bool) -> None:
    """Évaluer le dépôt de preuves d'un établissement.

    \b
    Exemple :
      verificateur evaluer exemples/chu-armorique --date 2026-10-01
      verificateur evaluer . --revision v2026 --format json
      verificateur evaluer --index          (crochet pre-commit)
    """
    from verificateur.evaluation import moteur, rapport as module_rapport

    refuser_binaire_vers_terminal(FORMATS[format_], sortie)
    if revision is not None and index:
        raise ErreurVerificateur("--revision et --index s'excluent : choisissez une révision ou l'index")
    catalogue = _catalogue(politiques, referentiels, cache=True)
    source = _source(chemin, revision, index)
    a_venir = None
    if format_ == "html":  # la section « À venir » : les échéances du prochain trimestre (docs/echeances.md)
        from verificateur.evaluation import echeances

        rapport, a_venir = echeances.rapport_et_echeances(source, catalogue, date_evaluation or date.today(), seuil_echec)
    else:
        rapport = moteur.evaluer_source(source, catalogue, date_evaluation or date.today(), seuil_echec)
    # Couleurs seulement vers un terminal, et jamais si NO_COLOR est défini et non vide (no-color.org).
    couleur = sortie is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    options: Options = {"details": details, "couleur": couleur, "csv_standard": csv_standard, "a_venir": a_venir}
    ecrire(FORMATS[format_].rendre(rapport, options), sortie)
    sys.exit(module_rapport.code_sortie(rapport))


@click.command(cls=Commande)
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--revision", metavar="REV", help="Lire le dépôt git à cette révision (sha, étiquette, branche, HEAD~1…).")
@click.option("--index", "index", is_flag=True, help="Lire l'index git : ce qui sera commité.")
@click.option("--date", "date_evaluation", type=DATE, default=None, help="Date d'évaluation (par défaut : aujourd'hui).")
@click.option("--horizon", type=JOURS, default=365, show_default=True, metavar="JOURS",
              help="Chercher les échéances jusqu'à ce nombre de jours après la date (au plus 3660).")
@option_politiques
@option_referentiels
@option_format(rendus_echeances.FORMATS, "Format de l'échéancier (ics : calendrier iCalendar).")
@option_sortie("l'échéancier")
def echeances(chemin: str, revision: str | None, index: bool, date_evaluation: date | None, horizon: int, politiques: tuple[str, ...],
              referentiels: tuple[str, ...], format_: str, sortie: str | None) -> None:
    """L'échéancier : quand chaque règle conforme cesserait de l'être si rien n'était commité.

    \b
    Pour chaque règle conforme ou en dérogation à la date, la première date de
    l'horizon où elle serait en échec, le fait qui expire (fichier:ligne) et ce
    qui la renouvelle (docs/echeances.md). Code de sortie 0 : c'est une information.
    Exemple :
      verificateur echeances exemples/chu-armorique --date 2026-10-01
      verificateur echeances . --horizon 90 --format ics --sortie echeances.ics
    """
    from verificateur.evaluation import echeances as module

    if revision is not None and index:
        raise ErreurVerificateur("--revision et --index s'excluent : choisissez une révision ou l'index")
    catalogue = _catalogue(politiques, referentiels)
    document = module.echeancier(_source(chemin, revision, index), catalogue, date_evaluation or date.today(), horizon)
    ecrire(rendus_echeances.FORMATS[format_].rendre(document), sortie)


@click.command(cls=Commande)
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--strict", is_flag=True, help="Refuser aussi toute non-conformité au seuil (--echec-a) ou au-dessus.")
@click.option("--date", "date_evaluation", type=DATE, default=None, help="Date d'évaluation (par défaut : aujourd'hui).")
@option_politiques
@option_referentiels
@option_echec_a("Seuil de gravité de --strict.")
def crochet(chemin: str, strict: bool, date_evaluation: date | None, politiques: tuple[str, ...], referentiels: tuple[str, ...],
            seuil_echec: str) -> None:
    """Crochet pre-commit : refuser un commit qui fait régresser une règle ou ajoute une preuve invalide.

    \b
    Compare l'index (ce qui sera commité) à HEAD. Le reste des non-conformités
    est affiché pour information (--strict : refusé aussi). Une règle couverte
    par une dérogation active n'est pas une régression : elle est dite et comptée.
    Exemple :
      verificateur crochet . --date 2026-10-01
    """
    from verificateur.commandes import crochet as module

    catalogue = _catalogue(politiques, referentiels, cache=True)
    verdict = module.verifier(chemin, catalogue, date_evaluation or date.today(), seuil_echec, strict)
    click.echo("\n".join(verdict.lignes()))
    sys.exit(0 if verdict.accepte else 1)


@click.command(cls=Commande)
@click.argument("chemin", type=click.Path(file_okay=False))
def init(chemin: str) -> None:
    """Créer un dépôt de preuves prêt à remplir : modèles commentés, crochet pre-commit, README.

    \b
    Exemple :
      verificateur init preuves-ch-exemple
    """
    from verificateur.commandes import initialisation

    for ligne in initialisation.creer(chemin):
        click.echo(ligne)


@click.group(cls=Groupe)
def preuves() -> None:
    """Vérifier le dépôt de preuves lui-même (format des fichiers)."""


@preuves.command("valider")
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
def preuves_valider(chemin: str) -> None:
    """Valider chaque fichier de preuve : une ligne par problème, puis un bilan.

    \b
    Exemple :
      verificateur preuves valider exemples/ch-vallee-du-lys
    """
    from verificateur import preuves as module
    from verificateur.sources import SourceArbre

    lues = module.charger(SourceArbre(chemin))
    problemes = lues.problemes()
    for p in problemes:
        ou = f"{p.fichier}{':' + str(p.ligne) if p.ligne else ''}"
        click.echo(str(p) if p.niveau == "erreur" else f"{ou}: avertissement : {p.message} ({p.code})")
    erreurs = sum(1 for p in problemes if p.niveau == "erreur")
    avertissements = len(problemes) - erreurs
    valides = sum(1 for p in lues.preuves.values() if p.valide)
    click.echo(f"{len(lues.preuves)} fichier(s) de preuve lu(s), {valides} valide(s) ; "
               f"{erreurs} erreur(s), {avertissements} avertissement(s)")
    sys.exit(1 if erreurs else 0)


@preuves.command("schema")
@click.argument("type_preuve", metavar="[TYPE]", required=False)
@click.option("--ecrire", "ecrire_dans", is_flag=False, flag_value=".", default=None, metavar="[CHEMIN]",
              help="Écrire (ou rafraîchir) tous les schémas dans le dépôt CHEMIN (par défaut .), sous .verificateur/schemas/.")
def preuves_schema(type_preuve: str | None, ecrire_dans: str | None) -> None:
    """Afficher le schéma JSON d'un type de preuve (sans TYPE : la liste des types).

    \b
    Avec --ecrire : écrire les schémas dans le dépôt de preuves, pour que la
    ligne « # yaml-language-server: $schema=… » de chaque fichier y trouve le
    sien par un chemin relatif (docs/preuves.md). Seule commande, avec init,
    qui écrit dans un dépôt de preuves.
    Exemples :
      verificateur preuves schema budget
      verificateur preuves schema --ecrire
    """
    import json

    from verificateur.preuves import TYPES, TYPES_PAR_NOM
    from verificateur.socle import validation

    if ecrire_dans is not None:
        if type_preuve is not None:
            raise ErreurVerificateur(f"--ecrire écrit les schémas de tous les types : sans TYPE (reçu « {type_preuve} »)")
        from verificateur.commandes import schemas_depot

        click.echo("\n".join(schemas_depot.lignes_ecrire(ecrire_dans)))
        return
    if type_preuve is None:
        for t in TYPES:
            click.echo(f"{t.nom}\t{t.forme}")
        return
    if type_preuve not in TYPES_PAR_NOM:
        raise ErreurVerificateur(f"type de preuve inconnu « {type_preuve} » ; types : {', '.join(t.nom for t in TYPES)}")
    click.echo(json.dumps(validation.schema(f"preuves/{type_preuve}"), ensure_ascii=False, indent=2))
