"""Ce que les commandes partagent : les types des dates et des jours, l'écriture d'un résultat (`ecrire`,
`avec_sortie`, le refus d'un binaire vers un terminal), le chargement du catalogue et de la source,
et les options communes (`--politiques`, `--referentiels`, `--programmes`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from verificateur.rendus.registre import Format
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.socle.statuts import GRAVITES as GRAVITES  # les choix de --echec-a

if TYPE_CHECKING:
    from verificateur.politiques import Catalogue
    from verificateur.sources import Source

R = TypeVar("R")

# Dates acceptées (--date, --depuis, --jusqu-a) : au-delà, les fenêtres des règles (« dans les
# 12 derniers mois ») sortiraient du calendrier de Python (an 1 à 9999) ; docs/limites.md.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)


class _Date(click.ParamType):
    name = "AAAA-MM-JJ"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            lue = date.fromisoformat(value)
        except ValueError:
            self.fail(f"date invalide « {value} », attendu une date réelle AAAA-MM-JJ", param, ctx)
        if not DATE_MIN <= lue <= DATE_MAX:
            self.fail(f"date « {value} » hors de la plage acceptée, du {DATE_MIN.isoformat()} au {DATE_MAX.isoformat()} (docs/limites.md)",
                      param, ctx)
        return lue


DATE = _Date()


class _Jours(click.ParamType):
    """Un nombre de jours, refusé en français (le type entier de Click se nomme « integer »)."""

    name = "JOURS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return int(value, 10)
        except ValueError:
            self.fail(f"nombre de jours attendu, trouvé « {value} »", param, ctx)


JOURS = _Jours()


def ecrire(texte: str | bytes | Iterable[str | bytes], sortie: str | None) -> None:
    """Vers stdout, ou vers un fichier écrit d'un coup (fichier temporaire puis renommage). `texte` :
    une chaîne, des octets (xlsx), ou leurs morceaux (écrits au fil de l'eau : le JSON d'un lot national)."""
    if sortie is None or sortie == "-":
        for morceau in [texte] if isinstance(texte, (str, bytes)) else texte:
            click.echo(morceau, nl=False)
        return
    from verificateur.socle.fichiers import ecrire_sortie

    ecrire_sortie(sortie, texte)


def avec_sortie(fonction: Callable[..., R]) -> Callable[..., R]:
    """`--sortie FICHIER` pour une commande qui écrit son résultat sur la sortie standard (les listes,
    la couverture) : le même texte, écrit comme le fait `ecrire` (une redirection du shell)."""
    import contextlib
    import functools
    import io

    @option_sortie("le résultat")
    @functools.wraps(fonction)
    def commande(*args: Any, sortie: str | None = None, **kwargs: Any) -> R:
        if sortie is None or sortie == "-":
            return fonction(*args, **kwargs)
        tampon = io.StringIO()
        with contextlib.redirect_stdout(tampon):
            resultat = fonction(*args, **kwargs)
        ecrire(tampon.getvalue(), sortie)
        return resultat

    return commande


def refuser_binaire_vers_terminal(format_: Format, sortie: str | None) -> None:
    """Un format binaire (un classeur xlsx) : vers un terminal, ses octets ne seraient que du bruit (vers
    un tube ou un fichier, il s'écrit tel quel). Vérifié avant toute évaluation."""
    if format_.binaire and (sortie is None or sortie == "-") and sys.stdout.isatty():
        raise ErreurVerificateur(f"--format {format_.nom} produit un fichier binaire, illisible dans un terminal : "
                                 f"donnez --sortie FICHIER{format_.extension} ou redirigez la sortie (> FICHIER{format_.extension})")


def _catalogue(politiques: tuple[str, ...], referentiels: tuple[str, ...], cache: bool = False) -> Catalogue:
    """`cache` : le catalogue validé gardé sur disque (cache_catalogue.py), pour les commandes lancées
    à chaque commit (evaluer, crochet), où recharger les politiques coûtait la moitié du lancement."""
    dossiers_politiques, dossiers_referentiels = [Path(p) for p in politiques] or None, [Path(r) for r in referentiels] or None
    if cache:
        from verificateur.politiques import cache_catalogue

        return cache_catalogue.charger(dossiers_politiques, dossiers_referentiels)
    from verificateur import politiques as module

    return module.charger(dossiers_politiques, dossiers_referentiels)


option_politiques = click.option(
    "--politiques", "politiques", multiple=True, metavar="DOSSIER",
    help="Dossier d'une politique ou de politiques, ou nom d'une politique livrée (répétable ; « care » : docs/care.md). "
    "Par défaut : les politiques livrées chargées par défaut.",
)
option_referentiels = click.option(
    "--referentiels", "referentiels", multiple=True, metavar="DOSSIER",
    help="Dossier de référentiels (répétable). Par défaut : les référentiels livrés que citent les politiques chargées.",
)


def _source(chemin: str, revision: str | None, index: bool) -> Source:
    """L'arbre de travail (le dossier tel quel), une révision ou l'index ; un dépôt nu, sans
    arbre de travail, est lu à HEAD."""
    if revision is not None:
        from verificateur.git.depot_git import SourceRevision

        return SourceRevision(chemin, revision)
    if index:
        from verificateur.git.depot_git import SourceIndex

        return SourceIndex(chemin)
    from verificateur.sources import SourceArbre, est_nu

    if est_nu(chemin):
        # Un dépôt nu n'a pas d'arbre de travail à lire : il l'est à HEAD, comme dans un lot.
        from verificateur.git.depot_git import SourceRevision

        return SourceRevision(chemin, "HEAD")

    return SourceArbre(chemin)


def option_format(formats: Iterable[str], aide: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """`--format` : les formats du registre de la commande (un `click.Choice` dans l'ordre du registre), texte par défaut."""
    return click.option("--format", "format_", type=click.Choice(tuple(formats)), default="texte", show_default=True, help=aide)


def option_sortie(quoi: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """`--sortie FICHIER` : `quoi` (« le rapport ») écrit dans ce fichier au lieu de la sortie standard."""
    return click.option("--sortie", metavar="FICHIER", help=f"Écrire {quoi} dans ce fichier (par défaut : sortie standard).")


def option_echec_a(aide: str = "Gravité à partir de laquelle un échec rend l'établissement non conforme.",
                   ) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """`--echec-a` : le seuil de gravité (`seuil_echec`), mineure par défaut."""
    return click.option("--echec-a", "seuil_echec", type=click.Choice(GRAVITES), default="mineure", show_default=True, help=aide)


option_programmes = click.option(
    "--programmes", "programmes", multiple=True, metavar="DOSSIER",
    help="Dossier de programmes de financement, en plus de ceux livrés (répétable).",
)
