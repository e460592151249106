"""Les messages de Click en français (usage, aide, erreurs d'options), et les classes de commande et
de groupe dont l'aide parle français.

Click traduit ses messages par `gettext`, sans catalogue français livré : on remplace sa fonction
de traduction dans ses modules par une table. Un message absent de la table reste en anglais (jamais
d'erreur) ; `tests/test_cli_francais.py` vérifie les messages que nos utilisateurs voient.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

import click

MESSAGES = {
    "Usage:": "Usage :",
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Error: {message}": "Erreur : {message}",
    "No such option {name!r}.": "Option inconnue « {name} ».",
    "No such command {name!r}.": "Commande inconnue « {name} ».",
    "Missing command.": "Commande manquante.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Aborted!": "Interrompu.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » est un dossier.",
    "{name} {filename!r} is a file.": "{name} « {filename} » est un fichier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » illisible.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » non inscriptible.",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "Positional arguments": "Arguments",
    "Choose from:\n\t{choices}": "Choisir parmi :\n\t{choices}",
    "directory": "Dossier",
    "file": "Fichier",
    "path": "Chemin",
}

PLURIELS = {
    "Got unexpected extra argument ({args})": ("Argument inattendu ({args})", "Arguments inattendus ({args})"),
    "Option {name!r} requires an argument.": ("L'option « {name} » attend une valeur.", "L'option « {name} » attend {nargs} valeurs."),
    "{value!r} is not {choice}.": ("« {value} » n'est pas {choice}.", "« {value} » n'est pas parmi {choices}."),
    "Did you mean {possibility}?": ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire l'une de : {possibilities} ?)"),
}


class Formateur(click.HelpFormatter):
    """L'aide de Click à la française : « Options : » (espace avant le deux-points), par l'API publique
    de Click (`Context.formatter_class`)."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else "Usage : ")


class Contexte(click.Context):
    formatter_class = Formateur


class Commande(click.Command):
    """Une commande dont l'aide parle français : titres (`Formateur`), option d'aide, et
    « [OPTIONS] » reste le mot français qu'il est déjà."""

    context_class = Contexte

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option


class Groupe(Commande, click.Group):
    command_class = Commande
    group_class = type  # les sous-groupes sont de la même classe

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]…")
        super().__init__(*args, **kwargs)


class GroupeParesseux(Groupe):
    """Un groupe dont chaque commande n'est importée que si elle est demandée (le chargement paresseux
    des sous-commandes documenté par Click : `list_commands` et `get_command`). Le crochet pre-commit
    lance `evaluer --index` ou `crochet` à chaque commit : il n'importe que le module de sa commande,
    pas ceux du lot, de l'observatoire ou de l'éligibilité.

    `commandes` : nom → « module:objet » de la commande (ou du sous-groupe)."""

    def __init__(self, *args: Any, commandes: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paresseuses = dict(commandes)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.paresseuses])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.paresseuses:
            return super().get_command(ctx, cmd_name)
        module, _, nom = self.paresseuses[cmd_name].partition(":")
        commande = getattr(importlib.import_module(module), nom)
        if not isinstance(commande, click.Command):
            raise TypeError(f"{self.paresseuses[cmd_name]} n'est pas une commande")
        return commande

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """Une commande inconnue : Click propose les noms proches parmi `self.commands`, vide ici ; la
        même erreur, avec les noms de toutes les commandes (« Vouliez-vous dire 'evaluer' ? »)."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx) from None


def entier(**bornes: Any) -> click.IntRange:
    """Un entier borné de Click dont le nom, inséré tel quel dans ses messages (« n'est pas un … valide »),
    est français : « integer range » n'est pas traduisible par la table."""
    type_ = click.IntRange(**bornes)
    type_.name = "nombre entier"
    return type_


def decimal(**bornes: Any) -> click.FloatRange:
    """Un nombre borné de Click, nommé en français (voir `entier`)."""
    type_ = click.FloatRange(**bornes)
    type_.name = "nombre"
    return type_


def _traduire(message: str) -> str:
    return MESSAGES.get(message, message)


def _traduire_pluriel(singulier: str, pluriel: str, n: int) -> str:
    if singulier in PLURIELS:
        un, plusieurs = PLURIELS[singulier]
        return un if n == 1 else plusieurs
    return singulier if n == 1 else pluriel


def installer() -> None:
    """Remplace `_` et `ngettext` dans les modules de Click déjà importés (ceux que la CLI utilise)."""
    for nom in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils"):
        module = sys.modules.get(f"click.{nom}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = _traduire  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _traduire_pluriel  # type: ignore[attr-defined]
