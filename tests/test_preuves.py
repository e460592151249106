"""`verificateur preuves valider` : chaque entrée fautive donne une ligne exacte, puis un bilan."""

import pytest

from conftest import ETABLISSEMENT, EXEMPLES, ecrire_depot

BUDGET = """\
annee: 2025
budget_numerique: 1000000
programmes:
  - nom: DPI
    budget: 400000
    dont_cybersecurite: 20000
"""


@pytest.mark.parametrize(
    "fichiers, lignes",
    [
        ({"etablissement.yaml": ETABLISSEMENT + "regoin: '53'\n"},
         ["etablissement.yaml:8: clé inconnue « regoin » ; clés permises : categorie, effectif, finess, ght, lits_places, nis2, oiv, ose, prioritaire, raison_sociale, region, statut_juridique (cle-inconnue)"]),
        ({"etablissement.yaml": ETABLISSEMENT.replace("effectif: 900", "effectif: neuf cents")},
         ["etablissement.yaml:7: « effectif » : un nombre entier attendu, trouvé « neuf cents » (type)"]),
        ({"etablissement.yaml": ETABLISSEMENT.replace("prioritaire: false", "prioritaire: non")},
         ["etablissement.yaml:6: « prioritaire » : true ou false attendu, trouvé « non » (en YAML, « oui » et « non » sont des textes : écrivez true ou false) (type)"]),
        ({"etablissement.yaml": ETABLISSEMENT.replace('region: "53"', "region: 53")},
         ["etablissement.yaml:5: « region » : un texte attendu, trouvé 53 (mettez la valeur entre guillemets) (type)"]),
        ({"etablissement.yaml": ETABLISSEMENT.replace("350042131", "350042132")},
         ["etablissement.yaml:1: numéro FINESS « 350042132 » : clé de contrôle invalide (algorithme de Luhn sur les 9 chiffres) (finess-cle)"]),
        ({"etablissement.yaml": ETABLISSEMENT + "effectif: 901\n"},
         ["etablissement.yaml:8: clé « effectif » en double (déjà vue ligne 7) (cle-dupliquee)"]),
        ({"etablissement.yaml": ETABLISSEMENT.replace("prioritaire: false\n", "")},
         ["etablissement.yaml:1: clé « prioritaire » manquante (cle-manquante)"]),
        ({"budget/2024.yaml": BUDGET},
         ["budget/2024.yaml:1: « annee » vaut 2025 mais le fichier est nommé 2024.yaml (annee-fichier)"]),
        ({"budget/2025.yaml": BUDGET.replace("dont_cybersecurite: 20000", "dont_cybersecurite: 500000")},
         ["budget/2025.yaml:6: programme « DPI » : dont_cybersecurite (500 000) dépasse son budget (400 000) (incoherence)"]),
        ({"exercices/x.yaml": "date: 2023-02-30\ntheme: cyber\ntype: sur_table\nscenario: s\ncellule_de_crise_activee: true\nparticipants: [direction]\n"},
         ["exercices/x.yaml:1: « date » : date invalide « 2023-02-30 », attendu une date réelle AAAA-MM-JJ (date-invalide)"]),
        ({"exercices/x.yaml": "date: 2023-02-01\ntheme: cyber\ntype: sur_table\nscenario: s\ncellule_de_crise_activee: true\nparticipants: [direction, directeur]\n"},
         ["exercices/x.yaml:6: « participants » : valeur « directeur » non permise ; valeurs permises : direction, dsi, rssi, medical, soignant, communication, logistique, ars, prestataire, autre (valeur-non-permise)"]),
        ({"vulnerabilites/registre.csv": "identifiant;actif;criticite;detectee_le;corrigee_le\nCVE-1;DPI;grave;2026-01-01;\nCVE-2;PACS;haute;2026-13-01;\n"},
         ["vulnerabilites/registre.csv:2: « criticite » : valeur « grave » non permise ; valeurs permises : critique, haute, moyenne, faible (valeur-non-permise)",
          "vulnerabilites/registre.csv:3: « detectee_le » : date invalide « 2026-13-01 », attendu une date réelle AAAA-MM-JJ (date-invalide)"]),
        ({"incidents/i.yaml": "detecte_le: 2026-02-17T09:12:00+01:00\ndeclare_le: 2026-02-17T16:40:00\ndeclare_a: cert_sante\ngravite: majeure\nresume: r\n"},
         ["incidents/i.yaml:2: declare_le sans fuseau horaire alors que l'autre date en a un : attendu un fuseau (par exemple +01:00) sur les deux dates, ou sur aucune (fuseau-horaire)"]),
        ({"budget/notes.yaml": "x: 1\n"},
         ["budget/notes.yaml: avertissement : fichier non reconnu, ignoré ; attendu : budget/AAAA.yaml (fichier-non-reconnu)"]),
    ],
)
def test_une_ligne_par_probleme(tmp_path, lancer, fichiers, lignes):
    ecrire_depot(tmp_path, {"etablissement.yaml": ETABLISSEMENT, **fichiers})
    sortie = lancer("preuves", "valider", str(tmp_path))
    assert sortie.stdout.splitlines()[:-1] == lignes, sortie
    erreurs = sum(1 for l in lignes if "avertissement :" not in l)
    assert sortie.code == (1 if erreurs else 0)


def test_bilan(tmp_path, lancer):
    ecrire_depot(tmp_path, {"etablissement.yaml": ETABLISSEMENT, "budget/2025.yaml": BUDGET, "budget/2024.yaml": "annee: [\n"})
    sortie = lancer("preuves", "valider", str(tmp_path))
    assert sortie.stdout.splitlines() == [
        "budget/2024.yaml:2: syntaxe YAML invalide : crochet « [ » ou accolade « { » non fermé (syntaxe-yaml)",
        "3 fichier(s) de preuve lu(s), 2 valide(s) ; 1 erreur(s), 0 avertissement(s)",
    ]
    assert sortie.code == 1


def test_etablissement_obligatoire(tmp_path, lancer):
    ecrire_depot(tmp_path, {"budget/2025.yaml": BUDGET})
    sortie = lancer("preuves", "valider", str(tmp_path))
    assert sortie.stdout.splitlines()[0] == "etablissement.yaml: fichier obligatoire absent : il décrit l'établissement (preuve-manquante)"
    assert sortie.code == 1


@pytest.mark.parametrize("exemple", ["chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls"])
def test_exemples_valides(lancer, exemple):
    sortie = lancer("preuves", "valider", str(EXEMPLES / exemple))
    assert sortie.code == 0, sortie
    assert sortie.stdout.endswith("0 erreur(s), 0 avertissement(s)\n")


def test_dossier_introuvable(tmp_path, lancer):
    sortie = lancer("preuves", "valider", str(tmp_path / "absent"))
    assert sortie.code == 2
    assert sortie.stderr == f"verificateur : {tmp_path / 'absent'}: dossier introuvable, attendu un dépôt de preuves\n"


def test_preuves_schema(lancer):
    import json

    liste = lancer("preuves", "schema")
    assert liste.stdout.splitlines()[:2] == ["etablissement\tetablissement.yaml", "budget\tbudget/AAAA.yaml"]
    schema = json.loads(lancer("preuves", "schema", "budget").stdout)
    assert schema["$id"] == "urn:verificateur:preuves:budget:1"
    inconnu = lancer("preuves", "schema", "budjet")
    assert inconnu.code == 2 and inconnu.stderr.startswith("verificateur : type de preuve inconnu « budjet » ; types : etablissement, budget,")
