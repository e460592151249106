"""Les messages de Click que voit l'utilisateur (usage, erreurs d'options) sont en français."""

import pytest


@pytest.mark.parametrize(
    "args, derniere",
    [
        (("evaluer", "--inconnue"), "Erreur : Option inconnue « --inconnue »."),
        (("evaluer", "--format", "xx"),
         "Erreur : Valeur invalide pour '--format' : « xx » n'est pas parmi 'texte', 'json', 'html', 'markdown', 'csv', 'xlsx', 'junit', 'sarif'."),
        (("evaluer", "a", "b"), "Erreur : Argument inattendu (b)"),
        (("evaluer", "--date", "2026-13-01"),
         "Erreur : Valeur invalide pour '--date' : date invalide « 2026-13-01 », attendu une date réelle AAAA-MM-JJ"),
        (("evaluer", "--sortie"), "Erreur : L'option « --sortie » attend une valeur."),
        (("evaluerr",), "Erreur : Commande inconnue « evaluerr ». Vouliez-vous dire 'evaluer' ?"),
    ],
)
def test_erreurs_d_usage_en_francais(lancer, args, derniere):
    sortie = lancer(*args)
    assert sortie.code == 2
    assert sortie.stdout == ""
    assert sortie.stderr.splitlines()[-1] == derniere


def test_usage_et_aide_en_francais(lancer):
    sortie = lancer("evaluer", "--inconnue")
    assert sortie.stderr.splitlines()[:2] == [
        "Usage : verificateur evaluer [OPTIONS] [CHEMIN]",
        "Essayez « verificateur evaluer --help » pour l'aide.",
    ]
    aide = lancer("--help").stdout
    assert aide.startswith("Usage : verificateur [OPTIONS] COMMANDE [ARGUMENTS]…")
    assert "\nOptions :\n" in aide and "\nCommandes :\n" in aide and "Afficher cette aide et quitter." in aide


def _commandes(groupe, prefixe=()):
    import click

    contexte = click.Context(groupe)  # list_commands/get_command : les commandes chargées à la demande aussi
    for nom in sorted(groupe.list_commands(contexte)):
        commande = groupe.get_command(contexte, nom)
        yield prefixe + (nom,)
        if isinstance(commande, click.Group):
            yield from _commandes(commande, prefixe + (nom,))


# Ce que Click écrit en anglais quand rien ne le traduit.
ANGLAIS = ("Usage:", "Options:", "Commands:", "COMMAND [", "[ARGS]", "required]", "INTEGER", "TEXT", "FILENAME",
           " PATH", "DIRECTORY", "default:", "Show this", "env var", "BOOLEAN", "FLOAT", "Positional")


def test_aucune_aide_ne_parle_anglais(lancer):
    from verificateur.cli import cli

    commandes = [()] + list(_commandes(cli))
    assert len(commandes) > 12
    for commande in commandes:
        sortie = lancer(*commande, "--help")
        assert sortie.code == 0, (commande, sortie)
        assert sortie.stdout.startswith("Usage : verificateur"), commande
        assert [mot for mot in ANGLAIS if mot in sortie.stdout] == [], commande


def test_lot_fusionner_a_son_aide(lancer):
    for aide in ("--help", "-h"):
        sortie = lancer("lot", "fusionner", aide)
        assert sortie.code == 0
        assert sortie.stdout.startswith("Usage : verificateur lot fusionner [OPTIONS] PARTIE…\n")
        assert "--rapports" not in sortie.stdout and "--sortie FICHIER" in sortie.stdout


@pytest.mark.parametrize("commande", [("politiques", "lister"), ("referentiels", "lister"), ("referentiels", "couverture")])
@pytest.mark.parametrize("format_", ["texte", "csv", "html"])
def test_chaque_liste_a_sortie(lancer, tmp_path, commande, format_):
    """Les listes et la couverture s'écrivent aussi dans un fichier, au même octet près que sur la sortie standard (#17.4)."""
    fichier = tmp_path / "sous-dossier" / f"liste.{format_}"
    attendu = lancer(*commande, "--format", format_)
    ecrit = lancer(*commande, "--format", format_, "--sortie", str(fichier))
    assert (attendu.code, ecrit.code, ecrit.stdout) == (0, 0, "")
    assert fichier.read_bytes() == attendu.stdout.encode("utf-8")


@pytest.mark.parametrize(("option", "valeur", "message"), [
    ("--jobs", "abc", "« abc » n'est pas un nombre entier valide."),
    ("--delai-collecte", "abc", "« abc » n'est pas un nombre valide."),
    ("--taille-max-collecte", "beaucoup", "« beaucoup » n'est pas un nombre entier valide."),
])
def test_nombres_refuses_en_francais(lancer, option, valeur, message):
    """Click insère le nom anglais du type (« integer range ») dans son message : nos types sont nommés en français."""
    sortie = lancer("lot", "exemples", option, valeur)
    assert sortie.code == 2
    assert sortie.stderr.splitlines()[-1] == f"Erreur : Valeur invalide pour '{option}' : {message}"
