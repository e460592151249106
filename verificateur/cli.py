"""La ligne de commande : lit les options, appelle une fonction, rend, sort avec le bon code.

Les modules lourds (jsonschema, tabulate, git) ne sont importés que par les commandes qui en ont
besoin : le crochet pre-commit reste rapide.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import click

from verificateur import __version__
from verificateur.problemes import ErreurVerificateur
from verificateur.rendus import FORMATS

GRAVITES = ("info", "mineure", "majeure", "critique")
FORMATS_EVALUER = tuple(FORMATS)  # chaque rendu enregistré (les modules ne sont importés qu'à l'usage)


class _Date(click.ParamType):
    name = "AAAA-MM-JJ"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"date invalide « {value} », attendu une date réelle AAAA-MM-JJ", param, ctx)


DATE = _Date()


def ecrire(texte: str, sortie: str | None) -> None:
    """Vers stdout, ou vers un fichier écrit d'un coup (fichier temporaire puis renommage)."""
    if sortie is None or sortie == "-":
        click.echo(texte, nl=False)
        return
    cible = Path(sortie)
    descripteur, temporaire = tempfile.mkstemp(dir=cible.parent or Path("."), prefix=f".{cible.name}.", suffix=".tmp")
    try:
        with os.fdopen(descripteur, "w", encoding="utf-8", newline="") as f:
            f.write(texte)
        os.replace(temporaire, cible)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise


def _catalogue(politiques: tuple[str, ...], referentiels: tuple[str, ...]) -> Any:
    from verificateur import politiques as module

    return module.charger([Path(p) for p in politiques] or None, [Path(r) for r in referentiels] or None)


option_politiques = click.option(
    "--politiques", "politiques", multiple=True, metavar="DOSSIER",
    help="Dossier d'une politique ou de politiques (répétable). Par défaut : les politiques livrées.",
)
option_referentiels = click.option(
    "--referentiels", "referentiels", multiple=True, metavar="DOSSIER",
    help="Dossier de référentiels (répétable). Par défaut : les référentiels livrés.",
)


class _Commande(click.Command):
    """Une commande dont l'option d'aide parle français (le reste de Click reste à traduire)."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option


class _Groupe(_Commande, click.Group):
    command_class = _Commande
    group_class = type  # les sous-groupes sont de la même classe


@click.group(cls=_Groupe, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="verificateur %(version)s", help="Afficher la version et quitter.")
@click.option("--debug", is_flag=True, help="En cas d'erreur interne, afficher la trace Python.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Conformité cybersécurité des établissements de santé, vérifiée sur leur dépôt de preuves."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--revision", metavar="REV", help="Lire le dépôt git à cette révision (sha, étiquette, branche, HEAD~1…).")
@click.option("--index", "index", is_flag=True, help="Lire l'index git : ce qui sera commité (crochet pre-commit).")
@click.option("--date", "jour", type=DATE, default=None, help="Date d'évaluation (par défaut : aujourd'hui).")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(FORMATS_EVALUER), default="texte", show_default=True, help="Format du rapport.")
@click.option("--sortie", metavar="FICHIER", help="Écrire le rapport dans ce fichier (par défaut : sortie standard).")
@click.option("--echec-a", "echec_a", type=click.Choice(GRAVITES), default="mineure", show_default=True, help="Gravité à partir de laquelle un échec rend l'établissement non conforme.")
@click.option("--details", is_flag=True, help="Texte : explications complètes.")
@click.option("--csv-standard", "csv_standard", is_flag=True, help="CSV : séparateur « , », point décimal, sans BOM (par défaut : conventions d'un tableur français).")
def evaluer(chemin: str, revision: str | None, index: bool, jour: date | None, politiques: tuple[str, ...],
            referentiels: tuple[str, ...], format_: str, sortie: str | None, echec_a: str, details: bool,
            csv_standard: bool) -> None:
    """Évaluer le dépôt de preuves d'un établissement.

    \b
    Exemple :
      verificateur evaluer exemples/chu-armorique --date 2026-10-01
      verificateur evaluer . --revision v2026 --format json
      verificateur evaluer --index          (crochet pre-commit)
    """
    from verificateur import moteur, rapport as module_rapport
    from verificateur.rendus import rendu

    if revision is not None and index:
        raise ErreurVerificateur("--revision et --index s'excluent : choisissez une révision ou l'index")
    catalogue = _catalogue(politiques, referentiels)
    source = _source(chemin, revision, index)
    rapport = moteur.evaluer_source(source, catalogue, jour or date.today(), echec_a)
    # Couleurs seulement vers un terminal, et jamais si NO_COLOR est défini et non vide (no-color.org).
    couleur = sortie is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    options = {"details": details, "couleur": couleur, "csv_standard": csv_standard}
    ecrire(rendu(format_)(rapport, options), sortie)
    sys.exit(module_rapport.code_sortie(rapport))


def _source(chemin: str, revision: str | None, index: bool) -> Any:
    """L'arbre de travail (le dossier tel quel), une révision ou l'index : git n'est chargé que pour les deux derniers."""
    if revision is not None:
        from verificateur.depot_git import SourceRevision

        return SourceRevision(chemin, revision)
    if index:
        from verificateur.depot_git import SourceIndex

        return SourceIndex(chemin)
    from verificateur.sources import SourceArbre

    return SourceArbre(chemin)


@cli.command()
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--depuis", type=DATE, default=None, help="Première date (par défaut : celle du premier commit).")
@click.option("--jusqu-a", "jusqu_a", type=DATE, default=None, help="Dernière date (par défaut : aujourd'hui).")
@click.option("--pas", type=click.Choice(("mois", "trimestre")), default="mois", show_default=True, help="Une étape à la fin de chaque mois ou trimestre.")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(("texte", "json", "csv")), default="texte", show_default=True, help="Format de l'historique.")
@click.option("--sortie", metavar="FICHIER", help="Écrire l'historique dans ce fichier (par défaut : sortie standard).")
@click.option("--echec-a", "echec_a", type=click.Choice(GRAVITES), default="mineure", show_default=True, help="Gravité à partir de laquelle un échec rend l'établissement non conforme.")
def historique(chemin: str, depuis: date | None, jusqu_a: date | None, pas: str, politiques: tuple[str, ...],
               referentiels: tuple[str, ...], format_: str, sortie: str | None, echec_a: str) -> None:
    """Conformité du dépôt git à la fin de chaque mois (ou trimestre), et les règles qui ont changé.

    \b
    Exemple :
      verificateur historique . --depuis 2025-01-01 --pas trimestre
      verificateur historique . --format csv --sortie historique.csv
    """
    from verificateur import historique as module

    jusqu_a = jusqu_a or date.today()
    if depuis is not None and depuis > jusqu_a:
        raise ErreurVerificateur(f"--depuis {depuis.isoformat()} est après --jusqu-a {jusqu_a.isoformat()}")
    resultat = module.historique(chemin, _catalogue(politiques, referentiels), depuis, jusqu_a, pas, echec_a)
    ecrire(module.RENDUS[format_](resultat), sortie)


@cli.command()
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--strict", is_flag=True, help="Refuser aussi toute non-conformité au seuil (--echec-a) ou au-dessus.")
@click.option("--date", "jour", type=DATE, default=None, help="Date d'évaluation (par défaut : aujourd'hui).")
@option_politiques
@option_referentiels
@click.option("--echec-a", "echec_a", type=click.Choice(GRAVITES), default="mineure", show_default=True, help="Seuil de gravité de --strict.")
def crochet(chemin: str, strict: bool, jour: date | None, politiques: tuple[str, ...], referentiels: tuple[str, ...],
            echec_a: str) -> None:
    """Crochet pre-commit : refuser un commit qui fait régresser une règle ou ajoute une preuve invalide.

    \b
    Compare l'index (ce qui sera commité) à HEAD. Le reste des non-conformités
    est affiché pour information (--strict : refusé aussi).
    Exemple :
      verificateur crochet . --date 2026-10-01
    """
    from verificateur import crochet as module

    verdict = module.verifier(chemin, _catalogue(politiques, referentiels), jour or date.today(), echec_a, strict)
    click.echo("\n".join(verdict.lignes()))
    sys.exit(0 if verdict.accepte else 1)


@cli.command()
@click.argument("chemin", type=click.Path(file_okay=False))
def init(chemin: str) -> None:
    """Créer un dépôt de preuves prêt à remplir : modèles commentés, crochet pre-commit, README.

    \b
    Exemple :
      verificateur init preuves-ch-exemple
    """
    from verificateur import initialisation

    for ligne in initialisation.creer(chemin):
        click.echo(ligne)


@cli.group()
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
        click.echo(str(p) if p.niveau == "erreur" else f"{p.fichier}{':' + str(p.ligne) if p.ligne else ''}: avertissement : {p.message} ({p.code})")
    erreurs = sum(1 for p in problemes if p.niveau == "erreur")
    avertissements = len(problemes) - erreurs
    valides = sum(1 for p in lues.preuves.values() if p.valide)
    click.echo(f"{len(lues.preuves)} fichier(s) de preuve lu(s), {valides} valide(s) ; {erreurs} erreur(s), {avertissements} avertissement(s)")
    sys.exit(1 if erreurs else 0)


@preuves.command("schema")
@click.argument("type_preuve", metavar="[TYPE]", required=False)
def preuves_schema(type_preuve: str | None) -> None:
    """Afficher le schéma JSON d'un type de preuve (sans TYPE : la liste des types).

    \b
    Exemple :
      verificateur preuves schema budget
    """
    import json

    from verificateur import validation
    from verificateur.preuves import TYPES, TYPES_PAR_NOM

    if type_preuve is None:
        for t in TYPES:
            click.echo(f"{t.nom}\t{t.forme}")
        return
    if type_preuve not in TYPES_PAR_NOM:
        raise ErreurVerificateur(f"type de preuve inconnu « {type_preuve} » ; types : {', '.join(t.nom for t in TYPES)}")
    click.echo(json.dumps(validation.schema(f"preuves/{type_preuve}"), ensure_ascii=False, indent=2))


@cli.group("politiques")
def groupe_politiques() -> None:
    """Valider, tester et lister les politiques."""


@groupe_politiques.command("valider")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
def politiques_valider(dossiers: tuple[str, ...], referentiels: tuple[str, ...]) -> None:
    """Valider les politiques (par défaut : celles livrées) : une ligne par problème."""
    catalogue = _catalogue(dossiers, referentiels)
    for p in catalogue.problemes:
        click.echo(str(p))
    click.echo(f"{len(catalogue.politiques)} politique(s), {len(catalogue.regles)} règle(s), {len(catalogue.exigences)} exigence(s) : valides")


@groupe_politiques.command("tester")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
def politiques_tester(dossiers: tuple[str, ...], referentiels: tuple[str, ...]) -> None:
    """Exécuter les cas de test des règles (tests/*.yaml de chaque politique).

    \b
    Exemple :
      verificateur politiques tester politiques/plan-national
    """
    from verificateur import cas as module

    catalogue = _catalogue(dossiers, referentiels)
    tous, echecs, problemes = module.tester(catalogue, module.dossiers_de(catalogue))
    for p in problemes:
        click.echo(str(p))
    for e in echecs:
        click.echo(str(e))
    manques = module.regles_sans_cas(catalogue, tous)
    for regle, statuts in manques.items():
        click.echo(f"{regle} : aucun cas pour le(s) statut(s) {', '.join(statuts)}")
    click.echo(f"{len(tous) - len(echecs)} cas réussi(s), {len(echecs)} en échec, sur {len(tous)} ; {len(manques)} règle(s) sans cas pour certains statuts")
    sys.exit(1 if echecs or problemes else 0)


@groupe_politiques.command("lister")
@click.argument("dossiers", nargs=-1, type=click.Path(file_okay=False))
@option_referentiels
def politiques_lister(dossiers: tuple[str, ...], referentiels: tuple[str, ...]) -> None:
    """Lister les règles : identifiant, gravité, exigences, preuves lues."""
    from tabulate import tabulate

    catalogue = _catalogue(dossiers, referentiels)
    lignes = []
    for r in catalogue.regles.values():
        lues = sorted({l.get("fichier") or l.get("fichiers") for l in r.preuves.values()})
        lignes.append([r.id, r.gravite, ", ".join(r.exigences), ", ".join(lues), r.titre])
    click.echo(tabulate(lignes, headers=["règle", "gravité", "exigences", "preuves", "titre"], tablefmt="simple"))


@cli.group()
def referentiels() -> None:
    """Lister les référentiels et mesurer leur couverture par les règles."""


@referentiels.command("lister")
@option_politiques
@option_referentiels
def referentiels_lister(politiques: tuple[str, ...], referentiels: tuple[str, ...]) -> None:
    """Lister les exigences des référentiels chargés, avec leur source."""
    from tabulate import tabulate

    catalogue = _catalogue(politiques, referentiels)
    lignes = [
        [e.id, e.titre, "oui" if e.verifiable else "non", e.confiance,
         "; ".join(f"{s.get('emetteur', '')}, {s.get('date', 's. d.')}" for s in e.sources)]
        for e in sorted(catalogue.exigences.values(), key=lambda e: (e.referentiel, e.id))
    ]
    click.echo(tabulate(lignes, headers=["exigence", "titre", "vérifiable", "confiance", "sources"], tablefmt="simple"))


@referentiels.command("couverture")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(("texte", "csv")), default="texte", show_default=True, help="Format de la matrice.")
def referentiels_couverture(politiques: tuple[str, ...], referentiels: tuple[str, ...], format_: str) -> None:
    """Matrice exigence → règles → preuves ; les exigences qu'aucune règle ne couvre, et pourquoi.

    \b
    Exemple :
      verificateur referentiels couverture --format csv > couverture.csv
    """
    from verificateur import couverture

    lignes = couverture.matrice(_catalogue(politiques, referentiels))
    if format_ == "csv":
        from verificateur import tableur

        entete = ["referentiel", "exigence", "titre", "verifiable", "regles", "preuves", "remarque"]
        click.echo(tableur.ecrire(entete, [
            [l.referentiel, l.exigence, l.titre, "oui" if l.verifiable else "non", " ".join(l.regles), " ".join(l.preuves), l.remarque]
            for l in lignes
        ]), nl=False)
        return
    from tabulate import tabulate

    tableau = [[l.exigence, ", ".join(l.regles) or "—", ", ".join(l.preuves) or "—", l.remarque] for l in lignes]
    click.echo(tabulate(tableau, headers=["exigence", "règles", "preuves lues", "remarque"], tablefmt="simple"))
    click.echo("")
    click.echo(couverture.bilan(lignes))


def main() -> None:
    """Point d'entrée : codes de sortie de CONCEPTION §4, jamais de trace Python sans --debug."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(prog_name="verificateur", standalone_mode=False)
    except click.exceptions.Exit as fin:
        sys.exit(fin.exit_code)
    except click.exceptions.Abort:
        click.echo("interrompu", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ErreurVerificateur as exc:
        for p in exc.problemes:
            click.echo(str(p), err=True)
        click.echo(f"verificateur : {exc.message}", err=True)
        sys.exit(exc.code_sortie)
    except KeyboardInterrupt:
        click.echo("interrompu", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 — la frontière : rien ne doit sortir en trace
        if debug:
            raise
        click.echo(f"verificateur : erreur interne ({type(exc).__name__}) ; relancez avec --debug et signalez-la", err=True)
        sys.exit(3)


