"""Les messages de Click que voit l'utilisateur (usage, erreurs d'options) sont en français."""

import pytest


@pytest.mark.parametrize(
    "args, derniere",
    [
        (("evaluer", "--inconnue"), "Erreur : Option inconnue « --inconnue »."),
        (("evaluer", "--format", "xx"),
         "Erreur : Valeur invalide pour '--format' : « xx » n'est pas parmi 'texte', 'json', 'html', 'markdown', 'csv', 'junit', 'sarif'."),
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
    assert aide.startswith("Usage : verificateur [OPTIONS] COMMAND [ARGS]...")
    assert "\nCommandes:\n" in aide and "Afficher cette aide et quitter." in aide
