"""Le chargement paresseux des commandes (#14.4, #15) : le crochet pre-commit lance `evaluer --index`
ou `crochet` à chaque commit ; il n'importe que le module de sa commande, pas ceux du lot, de
l'observatoire, de l'éligibilité, de l'historique ni du catalogue."""

from __future__ import annotations

import ast
import subprocess
import sys

import click
import pytest

from conftest import RACINE


def _modules_cli_apres(*args: str) -> list[str]:
    code = (
        "import sys\n"
        "from verificateur.cli import cli\n"
        f"cli.main({list(args)!r}, prog_name='verificateur', standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith('verificateur.cli.')))\n"
    )
    fini = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=RACINE, check=True)
    return ast.literal_eval(fini.stdout.splitlines()[-1])


@pytest.mark.parametrize("commande", ["evaluer", "crochet"])
def test_une_commande_du_crochet_n_importe_que_son_module(commande):
    assert _modules_cli_apres(commande, "--help") == [
        "verificateur.cli.click_fr", "verificateur.cli.communs", "verificateur.cli.evaluation",
    ]


def test_l_aide_de_la_racine_charge_chaque_famille():
    assert _modules_cli_apres("--help") == [
        "verificateur.cli.catalogue", "verificateur.cli.click_fr", "verificateur.cli.communs", "verificateur.cli.evaluation",
        "verificateur.cli.financements", "verificateur.cli.historique", "verificateur.cli.lot", "verificateur.cli.observatoire",
    ]


def test_chaque_commande_de_la_table_porte_son_nom():
    from verificateur.cli import COMMANDES, cli

    contexte = click.Context(cli)
    assert cli.list_commands(contexte) == sorted(COMMANDES)
    for nom in COMMANDES:
        commande = cli.get_command(contexte, nom)
        assert isinstance(commande, click.Command) and commande.name == nom, nom
    assert cli.get_command(contexte, "inconnue") is None
