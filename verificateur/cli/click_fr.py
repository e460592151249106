"""Les messages de Click en français (usage, aide, erreurs d'options).

Click traduit ses messages par `gettext`, sans catalogue français livré : on remplace sa fonction
de traduction dans ses modules par une table. Un message absent de la table reste en anglais (jamais
d'erreur) ; `tests/test_cli_francais.py` vérifie les messages que nos utilisateurs voient.
"""

from __future__ import annotations

import sys
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
