"""La ligne de commande : lit les options, appelle une fonction, rend, sort avec le bon code.

Les modules lourds (jsonschema, tabulate, git) ne sont importés que par les commandes qui en ont
besoin : le crochet pre-commit reste rapide.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import click

from verificateur import __version__

from verificateur.cli import click_fr
from verificateur.socle.confinement import DELAI_DEFAUT, TAILLE_DEFAUT
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.rendus import echeances as rendus_echeances
from verificateur.rendus import eligibilite as rendus_eligibilite
from verificateur.rendus import historique as rendus_historique
from verificateur.rendus import lot as rendus_lot
from verificateur.observatoire import formats as rendus_observatoire
from verificateur.rendus import FORMATS
from verificateur.rendus.registre import Format

click_fr.installer()

GRAVITES = ("info", "mineure", "majeure", "critique")
# Les formats offerts par chaque commande : ceux de son registre (un format = un enregistrement,
# verificateur/rendus/registre.py ; les modules de rendu ne sont importés qu'à l'usage).
FORMATS_EVALUER = tuple(FORMATS)
FORMATS_HISTORIQUE = tuple(rendus_historique.FORMATS)
FORMATS_ECHEANCES = tuple(rendus_echeances.FORMATS)
FORMATS_ELIGIBILITE = tuple(rendus_eligibilite.FORMATS)
FORMATS_LOT = tuple(rendus_lot.FORMATS)
FORMATS_CAMPAGNES = tuple(rendus_observatoire.CAMPAGNES)
FORMATS_EVOLUTION = tuple(rendus_observatoire.EVOLUTION)
FORMATS_COMPARAISON = tuple(rendus_observatoire.COMPARAISON)


# Dates acceptées (--date, --depuis, --jusqu-a) : au-delà, les fenêtres des règles (« dans les
# 12 derniers mois ») sortiraient du calendrier de Python (an 1 à 9999) ; docs/limites.md.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)


class _Date(click.ParamType):
    name = "AAAA-MM-JJ"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            jour = date.fromisoformat(value)
        except ValueError:
            self.fail(f"date invalide « {value} », attendu une date réelle AAAA-MM-JJ", param, ctx)
        if not DATE_MIN <= jour <= DATE_MAX:
            self.fail(f"date « {value} » hors de la plage acceptée, du {DATE_MIN.isoformat()} au {DATE_MAX.isoformat()} (docs/limites.md)", param, ctx)
        return jour


DATE = _Date()


class _Jours(click.ParamType):
    """Un nombre de jours, refusé en français (le type entier de Click se nomme « integer »)."""

    name = "JOURS"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
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


def avec_sortie(fonction: Any) -> Any:
    """`--sortie FICHIER` pour une commande qui écrit son résultat sur la sortie standard (les listes,
    la couverture) : le même texte, écrit comme le fait `ecrire` (une redirection du shell)."""
    import contextlib
    import functools
    import io

    @click.option("--sortie", metavar="FICHIER", help="Écrire le résultat dans ce fichier (par défaut : sortie standard).")
    @functools.wraps(fonction)
    def commande(*args: Any, sortie: str | None = None, **kwargs: Any) -> Any:
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


def _catalogue(politiques: tuple[str, ...], referentiels: tuple[str, ...], cache: bool = False) -> Any:
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
    help="Dossier d'une politique ou de politiques, ou nom d'une politique livrée (répétable ; « care » : docs/care.md). Par défaut : les politiques livrées chargées par défaut.",
)
option_referentiels = click.option(
    "--referentiels", "referentiels", multiple=True, metavar="DOSSIER",
    help="Dossier de référentiels (répétable). Par défaut : les référentiels livrés que citent les politiques chargées.",
)


class _Commande(click.Command):
    """Une commande dont l'aide parle français : titres (click_fr.Formateur), option d'aide, et
    « [OPTIONS] » reste le mot français qu'il est déjà."""

    context_class = click_fr.Contexte

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option


class _Groupe(_Commande, click.Group):
    command_class = _Commande
    group_class = type  # les sous-groupes sont de la même classe

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]…")
        super().__init__(*args, **kwargs)


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
    from verificateur.evaluation import moteur
    from verificateur.evaluation import rapport as module_rapport
    from verificateur.rendus import rendu

    refuser_binaire_vers_terminal(FORMATS[format_], sortie)
    if revision is not None and index:
        raise ErreurVerificateur("--revision et --index s'excluent : choisissez une révision ou l'index")
    catalogue = _catalogue(politiques, referentiels, cache=True)
    source = _source(chemin, revision, index)
    a_venir = None
    if format_ == "html":  # la section « À venir » : les échéances du prochain trimestre (docs/echeances.md)
        from verificateur.evaluation import echeances

        rapport, a_venir = echeances.rapport_et_echeances(source, catalogue, jour or date.today(), echec_a)
    else:
        rapport = moteur.evaluer_source(source, catalogue, jour or date.today(), echec_a)
    # Couleurs seulement vers un terminal, et jamais si NO_COLOR est défini et non vide (no-color.org).
    couleur = sortie is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    options = {"details": details, "couleur": couleur, "csv_standard": csv_standard, "a_venir": a_venir}
    ecrire(rendu(format_)(rapport, options), sortie)
    sys.exit(module_rapport.code_sortie(rapport))


def _source(chemin: str, revision: str | None, index: bool) -> Any:
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


@cli.command()
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--depuis", type=DATE, default=None, help="Première date (par défaut : celle du premier commit).")
@click.option("--jusqu-a", "jusqu_a", type=DATE, default=None, help="Dernière date (par défaut : aujourd'hui).")
@click.option("--pas", type=click.Choice(("mois", "trimestre")), default="mois", show_default=True, help="Une étape à la fin de chaque mois ou trimestre.")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(FORMATS_HISTORIQUE), default="texte", show_default=True, help="Format de l'historique.")
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
    from verificateur.commandes import historique as module

    jusqu_a = jusqu_a or date.today()
    if depuis is not None and depuis > jusqu_a:
        raise ErreurVerificateur(f"--depuis {depuis.isoformat()} est après --jusqu-a {jusqu_a.isoformat()}")
    resultat = module.historique(chemin, _catalogue(politiques, referentiels), depuis, jusqu_a, pas, echec_a)
    ecrire(rendus_historique.rendu(format_)(resultat), sortie)


@cli.command()
@click.argument("chemin", default=".", type=click.Path(file_okay=False))
@click.option("--revision", metavar="REV", help="Lire le dépôt git à cette révision (sha, étiquette, branche, HEAD~1…).")
@click.option("--index", "index", is_flag=True, help="Lire l'index git : ce qui sera commité.")
@click.option("--date", "jour", type=DATE, default=None, help="Date d'évaluation (par défaut : aujourd'hui).")
@click.option("--horizon", type=JOURS, default=365, show_default=True, metavar="JOURS", help="Chercher les échéances jusqu'à ce nombre de jours après la date (au plus 3660).")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(FORMATS_ECHEANCES), default="texte", show_default=True, help="Format de l'échéancier (ics : calendrier iCalendar).")
@click.option("--sortie", metavar="FICHIER", help="Écrire l'échéancier dans ce fichier (par défaut : sortie standard).")
def echeances(chemin: str, revision: str | None, index: bool, jour: date | None, horizon: int, politiques: tuple[str, ...],
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
    document = module.echeancier(_source(chemin, revision, index), catalogue, jour or date.today(), horizon)
    ecrire(rendus_echeances.rendu(format_)(document, {}), sortie)


option_programmes = click.option(
    "--programmes", "programmes", multiple=True, metavar="DOSSIER",
    help="Dossier de programmes de financement, en plus de ceux livrés (répétable).",
)


@cli.command()
@click.argument("chemins", nargs=-1, required=True, metavar="CHEMIN…", type=click.Path(file_okay=False))
@click.option("--programme", "programme", required=True, metavar="ID", help="Identifiant d'un programme de financement, ou chemin de son fichier YAML.")
@option_programmes
@click.option("--date", "jour", type=DATE, default=None, help="Date de décision (par défaut : aujourd'hui).")
@click.option("--revision", metavar="REV", help="Lire chaque dépôt git à cette révision (par défaut : l'arbre de travail).")
@option_politiques
@option_referentiels
@click.option("--format", "format_", type=click.Choice(FORMATS_ELIGIBILITE), default="texte", show_default=True, help="Format de la décision.")
@click.option("--sortie", metavar="FICHIER", help="Écrire la décision dans ce fichier (par défaut : sortie standard).")
@click.option("--csv-standard", "csv_standard", is_flag=True, help="CSV : séparateur « , », point décimal, sans BOM (par défaut : conventions d'un tableur français).")
def eligibilite(chemins: tuple[str, ...], programme: str, programmes: tuple[str, ...], jour: date | None, revision: str | None,
                politiques: tuple[str, ...], referentiels: tuple[str, ...], format_: str, sortie: str | None,
                csv_standard: bool) -> None:
    """Décider de l'éligibilité à un programme de financement : éligible, non éligible, incomplet, à confirmer ou clos.

    \b
    Chaque motif est donné (condition, verdict ou valeur du profil, fichier,
    révision) avec le montant plafond quand il se calcule. Les dépôts d'un même
    GHT forment une seule candidature quand le programme le dit.
    Codes de sortie : 0 éligible (toutes les candidatures), 1 au moins une
    non éligible ou incomplète, 4 sinon au moins une à confirmer (fait non
    publié) ou programme clos, 2 programme inconnu ou invalide.
    Exemple :
      verificateur eligibilite exemples/chu-armorique --programme exemples/programme-exemple.yaml --date 2026-10-01
      verificateur eligibilite ght/*/ --programme care-domaine-1 --format html --sortie decision.html
    """
    from verificateur.financements import eligibilite as module
    from verificateur.rendus.eligibilite import rendu

    refuser_binaire_vers_terminal(rendus_eligibilite.FORMATS[format_], sortie)
    doublons = sorted({c for c in chemins if chemins.count(c) > 1})
    if doublons:
        raise ErreurVerificateur(f"dépôt donné plusieurs fois : {', '.join(doublons)}")
    jour = jour or date.today()
    dossiers_programmes = [Path(p) for p in programmes]
    # Sans --politiques : celles que le programme déclare (programme.politiques), sinon celles par défaut.
    catalogue = _catalogue(politiques or module.politiques_demandees(module.trouver(programme, dossiers_programmes)), referentiels)
    choisi = module.charger(programme, catalogue, dossiers_programmes)
    dossiers = [module.evaluer_depot(_source(c, revision, False), catalogue, choisi, jour) for c in chemins]
    dossiers, doublons = module.ecarter_doublons(dossiers)  # un FINESS n'est jamais décidé ni sommé deux fois
    resultat = module.resultat(choisi, jour, module.decider(choisi, jour, dossiers, doublons), module.politiques_de(catalogue), doublons)
    ecrire(rendu(format_)(resultat, {"csv_standard": csv_standard}), sortie)
    if format_ != "texte" or sortie not in (None, "-"):  # le texte sur la sortie standard les dit déjà
        for doublon in doublons:
            click.echo(f"avertissement : {doublon['message']}", err=True)
    sys.exit(module.code_sortie(resultat))


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
    est affiché pour information (--strict : refusé aussi). Une règle couverte
    par une dérogation active n'est pas une régression : elle est dite et comptée.
    Exemple :
      verificateur crochet . --date 2026-10-01
    """
    from verificateur.commandes import crochet as module

    verdict = module.verifier(chemin, _catalogue(politiques, referentiels, cache=True), jour or date.today(), echec_a, strict)
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
    from verificateur.commandes import initialisation

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

    from verificateur.socle import validation
    from verificateur.preuves import TYPES, TYPES_PAR_NOM

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


@cli.group("politiques")
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


@cli.group()
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


AIDE_FUSIONNER = """\
Usage : verificateur lot fusionner [OPTIONS] PARTIE…

  Fusionner les parties d'un lot évalué en plusieurs fois (« lot --partie i/n
  --format json ») en un seul résultat, identique à celui d'un lot d'un seul
  tenant. Refusé : des parties d'une autre date, d'autres politiques ou
  options, qui se recouvrent ou dont une manque (voir docs/lot.md).

  Exemple :
    verificateur lot fusionner partie-*.json --format json --sortie lot.json

Options :
  --format [texte|json|csv|html|xlsx]
                                  Format du résultat.  [par défaut : texte]
  --sortie FICHIER                Écrire le résultat dans ce fichier (par
                                  défaut : sortie standard).
  -h, --help                      Afficher cette aide et quitter.
"""


class _CommandeLot(_Commande):
    """« fusionner » est le premier SOURCE de `lot` : `lot fusionner --help` montre son aide à lui."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["fusionner"] and any(a in ("-h", "--help") for a in args[1:]):
            click.echo(AIDE_FUSIONNER, nl=False)
            ctx.exit(0)
        return super().parse_args(ctx, args)


@cli.command(cls=_CommandeLot)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE…")
@click.option("--date", "jour", type=DATE, default=None, help="Date d'évaluation, la même pour tous (par défaut : aujourd'hui).")
@option_politiques
@option_referentiels
@click.option("--revision", metavar="REV", help="Lire chaque dépôt git à cette révision (par défaut : l'arbre de travail ; HEAD pour un dépôt nu).")
@click.option("--jobs", type=click_fr.entier(min=1), default=None, metavar="N", help="Processus d'évaluation (par défaut : les cœurs de la machine ; 1 : dans le processus).")
@click.option("--format", "format_", type=click.Choice(FORMATS_LOT), default="texte", show_default=True, help="Format du résultat.")
@click.option("--sortie", metavar="FICHIER", help="Écrire le résultat dans ce fichier (par défaut : sortie standard).")
@click.option("--rapports", metavar="DOSSIER", help="Écrire aussi le rapport JSON et HTML de chaque établissement dans ce dossier.")
@click.option("--reprendre", is_flag=True, help="Avec --rapports : ne pas réévaluer un dépôt dont la révision, les politiques et la date n'ont pas changé.")
@click.option("--cache", "cache", metavar="DOSSIER", help="Dossier du cache des résultats (par défaut : $XDG_CACHE_HOME/verificateur/lot).")
@click.option("--sans-cache", "sans_cache", is_flag=True, help="Ne lire ni n'écrire aucun cache.")
@click.option("--partie", metavar="i/n", help="N'évaluer que la partie i sur n (lots répartis sur plusieurs machines ; voir « lot fusionner »).")
@click.option("--echec-a", "echec_a", type=click.Choice(GRAVITES), default="mineure", show_default=True, help="Gravité à partir de laquelle un échec rend un établissement non conforme.")
@click.option("--fraicheur", is_flag=True, help="Lire dans l'histoire git la date d'ajout de chaque preuve (« déclaré a posteriori ») : plus lent.")
@click.option("--sans-progression", "sans_progression", is_flag=True, help="Pas de barre de progression (elle ne s'affiche que vers un terminal).")
@click.option("--programme", "programme", metavar="ID", help="Décider aussi de l'éligibilité de chaque établissement à ce programme de financement (docs/financements.md).")
@option_programmes
@click.option("--liste", "liste", metavar="FICHIER", help="Avec --programme : écrire la liste des éligibles, non éligibles et incomplets (.csv, .html, .json, .xlsx ; sinon texte).")
@click.option("--miroirs", metavar="DOSSIER", help="Dossier des miroirs des dépôts collectés par URL ou paquet git (par défaut : $XDG_CACHE_HOME/verificateur/miroirs).")
@click.option("--delai-collecte", "delai_collecte", type=click_fr.decimal(min=0, min_open=True), default=DELAI_DEFAUT, metavar="SECONDES", help=f"Durée maximale de la récupération de chaque dépôt collecté (par défaut : {DELAI_DEFAUT} s).")
@click.option("--taille-max-collecte", "taille_collecte", type=click_fr.entier(min=1), default=TAILLE_DEFAUT, metavar="MIO", help=f"Taille maximale du miroir de chaque dépôt collecté (par défaut : {TAILLE_DEFAUT} Mio).")
@click.option("--campagne", "campagne", metavar="NOM", help="Enregistrer le lot dans l'observatoire sous cette campagne (docs/observatoire.md).")
@click.option("--observatoire", "observatoire", metavar="FICHIER", help="Avec --campagne : la base de l'observatoire (par défaut : $XDG_DATA_HOME/verificateur/observatoire.sqlite).")
@click.pass_context
def lot(ctx: click.Context, sources: tuple[str, ...], jour: date | None, politiques: tuple[str, ...], referentiels: tuple[str, ...],
        revision: str | None, jobs: int | None, format_: str, sortie: str | None, rapports: str | None, reprendre: bool,
        cache: str | None, sans_cache: bool, partie: str | None, echec_a: str, fraicheur: bool, sans_progression: bool,
        programme: str | None, programmes: tuple[str, ...], liste: str | None, miroirs: str | None,
        delai_collecte: float, taille_collecte: int, campagne: str | None, observatoire: str | None) -> None:
    """Évaluer des dépôts de preuves par centaines (ARS) ; ou fusionner les parties d'un lot.

    \b
    SOURCE : un dossier dont chaque sous-dossier est un dépôt de preuves (copie
    de travail ou dépôt git nu), ou un manifeste CSV « finess;chemin[;revision] »
    (chemin : un dossier, une adresse git ou un paquet git .bundle).
    Codes de sortie : 0 tous conformes, 1 un non conforme, 2 usage,
    4 un dépôt n'a pas pu être évalué, 130 interrompu (voir docs/lot.md).
    Exemple :
      verificateur lot exemples/ --date 2026-10-01
      verificateur lot depots/ --format json --sortie lot.json --rapports rapports/
      verificateur lot depots/ --partie 1/4 --format json --sortie partie-1.json
      verificateur lot fusionner partie-*.json --format json --sortie lot.json
    """
    from verificateur import lot as module
    from verificateur.rendus.lot import rendu_en_morceaux

    refuser_binaire_vers_terminal(rendus_lot.FORMATS[format_], sortie)
    if sources[0] == "fusionner":
        propres = [nom for nom in ctx.params if nom not in ("sources", "format_", "sortie")
                   and ctx.get_parameter_source(nom) != click.core.ParameterSource.DEFAULT]
        if propres:
            raise ErreurVerificateur(f"lot fusionner : option(s) {', '.join('--' + n.replace('_', '-') for n in propres)} sans effet ; seules --format et --sortie s'appliquent")
        donnees = module.fusionner(list(sources[1:]))
        ecrire(rendu_en_morceaux(format_)(donnees), sortie)
        sys.exit(module.code_sortie(donnees))
    ecrit = sortie is not None and sortie != "-"
    preparation = module.preparer(module.Demande(
        list(sources), jour or date.today(), politiques, referentiels, revision, jobs or os.cpu_count() or 1, rapports, reprendre,
        cache, sans_cache, partie, echec_a, fraicheur, not sans_progression, programme, programmes, liste, miroirs,
        delai_collecte, taille_collecte, base_liens=os.path.dirname(os.path.abspath(sortie)) if ecrit else None))
    campagne, observatoire = _observatoire_du_lot(campagne, observatoire)
    lancement = module.lancer(preparation)  # tient le verrou de --rapports jusqu'à la fin du processus
    donnees, contexte = lancement.donnees, lancement.contexte
    ecrire(rendu_en_morceaux(format_)(donnees), sortie)
    if liste:
        from verificateur.financements import eligibilite
        from verificateur.rendus.eligibilite import rendu as rendu_liste

        # Le format de la liste : celui dont l'extension est celle du fichier (.htm aussi pour html), sinon texte.
        par_extension = {f.extension: f.nom for f in rendus_eligibilite.FORMATS.values()} | {".htm": "html"}
        format_liste = par_extension.get(Path(liste).suffix.lower(), "texte")
        ecrire(rendu_liste(format_liste)(eligibilite.liste_depuis_lot(donnees), {}), liste)
    for doublon in (donnees.get("eligibilite") or {}).get("doublons", []):
        click.echo(f"avertissement : {doublon['message']}", err=True)
    for e in donnees["echecs"]:
        click.echo(f"échec : {e['chemin']} : {e['raison']}", err=True)
    if donnees["interrompu"]:
        click.echo(f"interrompu : {donnees['synthese']['depots']} dépôt(s) terminé(s), résultat partiel écrit", err=True)
    elif campagne and observatoire:
        # Après l'écriture du résultat : si la base refuse, le lot n'est pas perdu (« observatoire enregistrer » le reprend).
        from verificateur.observatoire import enregistrement

        click.echo(enregistrement.enregistrer(observatoire, campagne, donnees, contexte.base_liens or os.getcwd()), err=True)
    sys.exit(lancement.code)


# -- observatoire (docs/observatoire.md) -----------------------------------------------------------

option_observatoire = click.option(
    "--observatoire", "observatoire", metavar="FICHIER", default=None,
    help="Base de l'observatoire (par défaut : $XDG_DATA_HOME/verificateur/observatoire.sqlite, sinon ~/.local/share/verificateur/observatoire.sqlite).",
)
option_filtres_observatoire = [
    click.option("--region", "regions", multiple=True, metavar="R", help="Seulement cette région (code INSEE, ou « inconnue » ; répétable)."),
    click.option("--categorie", "categories", multiple=True, metavar="C", help="Seulement cette catégorie d'établissement (répétable)."),
    click.option("--regle", "regles", multiple=True, metavar="ID", help="Seulement cette règle (répétable)."),
]


def _observatoire_du_lot(campagne: str | None, observatoire: str | None) -> tuple[str | None, str | None]:
    """`lot --campagne` : la base est ouverte (créée, migrée) avant d'évaluer, pour qu'une base verrouillée,
    corrompue ou trop récente soit signalée avant l'évaluation, pas après."""
    if observatoire and not campagne:
        raise ErreurVerificateur("--observatoire demande --campagne NOM : le nom sous lequel enregistrer ce lot")
    if not campagne:
        return None, None
    from verificateur.observatoire import chemin_defaut, enregistrement, store

    campagne = enregistrement.verifier_nom(campagne)
    observatoire = observatoire or chemin_defaut()
    store.Observatoire(observatoire, creer=True).fermer()
    return campagne, observatoire


def _filtres_observatoire(fonction: Any) -> Any:
    for option in reversed(option_filtres_observatoire):
        fonction = option(fonction)
    return fonction


@cli.group("observatoire")
def groupe_observatoire() -> None:
    """Garder chaque campagne d'évaluation en lot et suivre ce qui change (docs/observatoire.md)."""


@groupe_observatoire.command("enregistrer")
@click.argument("fichier", metavar="LOT.json")
@click.option("--campagne", "campagne", required=True, metavar="NOM", help="Nom de la campagne (ex. 2026-T3).")
@option_observatoire
def observatoire_enregistrer(fichier: str, campagne: str, observatoire: str | None) -> None:
    """Enregistrer le JSON d'un lot (verificateur lot --format json) dans une campagne.

    \b
    Enregistrer deux fois le même lot ne change rien. Les lots de plusieurs
    ARS évalués à la même date peuvent former une seule campagne.
    Exemple :
      verificateur observatoire enregistrer lot-2026-T3.json --campagne 2026-T3
    """
    from verificateur.observatoire import chemin_defaut, enregistrement

    nom = enregistrement.verifier_nom(campagne)
    donnees = enregistrement.lire_lot(fichier)
    base = os.path.dirname(os.path.abspath(fichier))  # les chemins des rapports sont relatifs au JSON du lot
    click.echo(enregistrement.enregistrer(observatoire or chemin_defaut(), nom, donnees, base))


@groupe_observatoire.command("importer")
@click.argument("autre", metavar="AUTRE.sqlite")
@option_observatoire
def observatoire_importer(autre: str, observatoire: str | None) -> None:
    """Réunir les campagnes d'un autre observatoire dans celui-ci (des ARS vers le national).

    \b
    Exemple :
      verificateur observatoire importer ars-bretagne.sqlite --observatoire national.sqlite
    """
    from verificateur.observatoire import chemin_defaut, enregistrement

    for ligne in enregistrement.importer(observatoire or chemin_defaut(), autre):
        click.echo(ligne)


@groupe_observatoire.command("campagnes")
@option_observatoire
@click.option("--format", "format_", type=click.Choice(FORMATS_CAMPAGNES), default="texte", show_default=True, help="Format de la liste.")
def observatoire_campagnes(observatoire: str | None, format_: str) -> None:
    """Lister les campagnes enregistrées, par date."""
    from verificateur.observatoire import chemin_defaut
    from verificateur.observatoire.store import Observatoire

    with Observatoire(observatoire or chemin_defaut()) as obs:
        liste = obs.campagnes()
    click.echo(rendus_observatoire.CAMPAGNES[format_].rendu()(liste), nl=False)


@groupe_observatoire.command("evolution")
@option_observatoire
@_filtres_observatoire
@click.option("--format", "format_", type=click.Choice(FORMATS_EVOLUTION), default="texte", show_default=True, help="Format ; html : la page de l'observatoire.")
@click.option("--sortie", metavar="FICHIER", help="Écrire le résultat dans ce fichier (par défaut : sortie standard).")
def observatoire_evolution(observatoire: str | None, regions: tuple[str, ...], categories: tuple[str, ...], regles: tuple[str, ...],
                           format_: str, sortie: str | None) -> None:
    """Pour chaque campagne : part des établissements conformes et conformité moyenne, par région, catégorie et règle ; qui ne répond plus.

    \b
    Exemple :
      verificateur observatoire evolution --region 53
      verificateur observatoire evolution --format html --sortie observatoire.html
    """
    from verificateur.observatoire import chemin_defaut
    from verificateur.observatoire.evolution import Filtres
    from verificateur.observatoire.store import Observatoire

    filtres = Filtres(regions, categories, regles)
    with Observatoire(observatoire or chemin_defaut()) as obs:
        texte = rendus_observatoire.rendre_evolution(obs, filtres, format_, _dossier_de(sortie))
    ecrire(texte, sortie)


@groupe_observatoire.command("comparer")
@click.argument("avant", metavar="A")
@click.argument("apres", metavar="B")
@option_observatoire
@_filtres_observatoire
@click.option("--format", "format_", type=click.Choice(FORMATS_COMPARAISON), default="texte", show_default=True, help="Format de la comparaison.")
@click.option("--sortie", metavar="FICHIER", help="Écrire le résultat dans ce fichier (par défaut : sortie standard).")
def observatoire_comparer(avant: str, apres: str, observatoire: str | None, regions: tuple[str, ...], categories: tuple[str, ...],
                          regles: tuple[str, ...], format_: str, sortie: str | None) -> None:
    """Entre les campagnes A et B : régressions et améliorations par établissement et règle, apparus, disparus, totaux par région.

    \b
    Exemple :
      verificateur observatoire comparer 2026-T2 2026-T3
    """
    from verificateur.observatoire import chemin_defaut
    from verificateur.observatoire.comparaison import comparer
    from verificateur.observatoire.evolution import Filtres
    from verificateur.observatoire.store import Observatoire

    with Observatoire(observatoire or chemin_defaut()) as obs:
        resultat = comparer(obs, avant, apres, Filtres(regions, categories, regles))
    ecrire(rendus_observatoire.COMPARAISON[format_].rendu()(resultat, _dossier_de(sortie)), sortie)


def _dossier_de(sortie: str | None) -> str:
    """Le dossier d'où la page HTML ouvrira ses liens (celui de --sortie, sinon le dossier courant)."""
    return os.path.dirname(os.path.abspath(sortie)) if sortie and sortie != "-" else os.getcwd()


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


