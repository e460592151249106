"""La ligne de commande : lit les options, appelle une fonction, rend, sort avec le bon code.

Le groupe racine (`cli`), le point d'entrée (`main`) et la table des commandes ; chaque famille de
commandes est un module, importé seulement quand l'une de ses commandes est lancée (ou que l'aide
les liste) : le crochet pre-commit n'importe que `evaluation`.

- `communs` : dates, `ecrire`, `avec_sortie`, le catalogue et la source, les options partagées ;
- `click_fr` : les messages de Click en français, les classes de commande et de groupe ;
- `evaluation` : evaluer, echeances, crochet, init, preuves (valider, schema) ;
- `catalogue` : politiques (valider, tester, lister), referentiels (lister, couverture) ;
- `financements` : eligibilite ; `lot` : lot (et lot fusionner) ; `historique` : historique ;
- `observatoire` : observatoire (enregistrer, importer, campagnes, evolution, comparer).

Les modules lourds (jsonschema, tabulate, git) ne sont importés que par les commandes qui en ont
besoin : le crochet pre-commit reste rapide.
"""

from __future__ import annotations

import sys

import click

from verificateur import __version__
from verificateur.cli import click_fr
from verificateur.socle.problemes import ErreurVerificateur

click_fr.installer()

# Nom de la commande → « module:objet » : le module n'est importé que si la commande est lancée.
COMMANDES = {
    "crochet": "verificateur.cli.evaluation:crochet",
    "echeances": "verificateur.cli.evaluation:echeances",
    "eligibilite": "verificateur.cli.financements:eligibilite",
    "evaluer": "verificateur.cli.evaluation:evaluer",
    "historique": "verificateur.cli.historique:historique",
    "init": "verificateur.cli.evaluation:init",
    "lot": "verificateur.cli.lot:lot",
    "observatoire": "verificateur.cli.observatoire:groupe_observatoire",
    "politiques": "verificateur.cli.catalogue:groupe_politiques",
    "preuves": "verificateur.cli.evaluation:preuves",
    "referentiels": "verificateur.cli.catalogue:referentiels",
}


@click.group(cls=click_fr.GroupeParesseux, commandes=COMMANDES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="verificateur %(version)s", help="Afficher la version et quitter.")
@click.option("--debug", is_flag=True, help="En cas d'erreur interne, afficher la trace Python.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Conformité cybersécurité des établissements de santé, vérifiée sur leur dépôt de preuves."""
    ctx.obj = {"debug": debug}


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
