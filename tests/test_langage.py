"""Le langage des règles, opération par opération, sur de petites preuves en mémoire."""

from datetime import date
from decimal import Decimal

import pytest

from verificateur.langage import Contexte, ErreurCalcul, Parametre, PreuveInvalide, PreuveManquante, afficher, condition, valeur
from verificateur.preuves import charger
from verificateur.sources import SourceMemoire

BUDGET = """\
annee: 2025
budget_numerique: 2000000
programmes:
  - {nom: DPI, budget: 1234567.80, dont_cybersecurite: 61728.39}
  - {nom: PACS, budget: 500000, dont_cybersecurite: 15000}
"""
EXERCICE = """\
date: {date}
theme: {theme}
type: sur_table
scenario: rançongiciel {date}
cellule_de_crise_activee: true
participants: [direction, dsi]
"""
PARAMETRES = {
    "seuil": Parametre("seuil", "seuil", "part", ((date(2021, 2, 18), Decimal("0.05"), "plan 2021"), (date(2030, 1, 1), Decimal("0.07"), "futur"))),
}


def contexte(fichiers, jour=date(2025, 6, 30), liaisons=None):
    preuves = charger(SourceMemoire({c: t.encode() for c, t in fichiers.items()}))
    return Contexte(jour, preuves, PARAMETRES, liaisons or {})


def exercices(*datations):
    return {f"exercices/{i}.yaml": EXERCICE.format(date=d, theme=t) for i, (d, t) in enumerate(datations)}


def test_ratio_exact_au_centime():
    ctx = contexte({"budget/2025.yaml": BUDGET}, liaisons={"budget": {"fichier": "budget/2025.yaml"}})
    cond = {"tous": {"dans": "budget.programmes", "comme": "p", "element": {"champ": "p.nom"},
                     "condition": {"superieur_ou_egal": [{"ratio": [{"champ": "p.dont_cybersecurite"}, {"champ": "p.budget"}]}, {"parametre": "seuil"}]}}}
    r = condition(cond, ctx)
    assert r.ok is False
    assert [(c.texte, str(c.ou)) for c in r.constats] == [
        ("« PACS » : p.dont_cybersecurite / p.budget : 3 %, attendu ≥ 5 % (seuil)", "budget/2025.yaml:5"),
    ]


def test_parametre_date_en_vigueur():
    assert valeur({"parametre": "seuil"}, contexte({}, jour=date(2029, 12, 31))).v == Decimal("0.05")
    assert valeur({"parametre": "seuil"}, contexte({}, jour=date(2030, 1, 1))).v == Decimal("0.07")
    with pytest.raises(ErreurCalcul, match="aucune valeur en vigueur le 2020-01-01"):
        valeur({"parametre": "seuil"}, contexte({}, jour=date(2020, 1, 1)))


@pytest.mark.parametrize(
    "expr, attendu",
    [
        ({"date": "evaluation", "moins": {"jours": 365}}, date(2024, 6, 30)),
        ({"date": "2024-03-31", "moins": {"mois": 1}}, date(2024, 2, 29)),
        ({"date": "2023-02-28", "plus": {"ans": 1}}, date(2024, 2, 28)),
        ({"annee": {"date": "evaluation"}}, 2025),
        ({"difference": [{"annee": {"date": "evaluation"}}, 1]}, Decimal(2024)),
        ({"somme": [1, 2, 3.5]}, Decimal("6.5")),
    ],
)
def test_dates_et_arithmetique(expr, attendu):
    assert valeur(expr, contexte({})).v == attendu


@pytest.mark.parametrize(
    "datations, ok",
    [
        ([("2024-06-30", "cyber")], True),  # exactement 365 jours avant D
        ([("2024-06-29", "cyber")], False),  # 366 jours
        ([("2025-07-01", "cyber")], False),  # après D : ne compte pas
        ([("2025-01-10", "autre")], False),
    ],
)
def test_fenetre_365_jours(datations, ok):
    ctx = contexte(exercices(*datations), liaisons={"exercices": {"fichiers": "exercices/*.yaml"}})
    cond = {"existe": {"dans": "exercices", "comme": "e", "condition": {"toutes_ces_conditions": [
        {"egal": [{"champ": "e.theme"}, "cyber"]}, {"dans_les_derniers": {"date": {"champ": "e.date"}, "jours": 365}}]}}}
    assert condition(cond, ctx).ok is ok


def test_preuve_manquante_puis_facultative():
    cond = {"existe": {"dans": "exercices", "condition": {"egal": [{"champ": "element.theme"}, "cyber"]}}}
    with pytest.raises(PreuveManquante, match=r"exercices de crise \(exercices/\*.yaml\)"):
        condition(cond, contexte({}, liaisons={"exercices": {"fichiers": "exercices/*.yaml", "description": "exercices de crise"}}))
    r = condition(cond, contexte({}, liaisons={"exercices": {"fichiers": "exercices/*.yaml", "facultatif": True}}))
    assert (r.ok, [c.texte for c in r.constats]) == (False, ["éléments de « exercices » : 0 sur 0, attendu au moins 1"])


def test_fichier_invalide_rend_la_preuve_invalide():
    ctx = contexte({"budget/2025.yaml": "annee: 2025\n"}, liaisons={"budget": {"fichiers": "budget/*.yaml"}})
    with pytest.raises(PreuveInvalide):
        condition({"renseigne": "budget"}, ctx)


def test_plus_recent_avec_filtre():
    fichiers = {f"budget/{a}.yaml": BUDGET.replace("2025", str(a)) for a in (2023, 2024, 2026)}
    liaison = {"fichiers": "budget/*.yaml", "selection": "plus_recent", "cle": {"champ": "b.annee"},
               "si": {"inferieur_ou_egal": [{"champ": "b.annee"}, {"annee": {"date": "evaluation"}}]}}
    ctx = contexte(fichiers, liaisons={"b": liaison})
    assert valeur({"champ": "b.annee"}, ctx).v == 2024


def test_champ_absent_et_defaut():
    ctx = contexte({"budget/2025.yaml": BUDGET}, liaisons={"budget": {"fichier": "budget/2025.yaml"}})
    with pytest.raises(PreuveManquante, match="champ « cybersecurite_hors_programmes » non renseigné dans budget/2025.yaml"):
        valeur({"champ": "budget.cybersecurite_hors_programmes"}, ctx)
    assert valeur({"champ": "budget.cybersecurite_hors_programmes", "defaut": 0}, ctx).v == 0


def test_comparaison_de_types_differents():
    with pytest.raises(ErreurCalcul, match="comparaison impossible"):
        condition({"egal": [{"date": "evaluation"}, 3]}, contexte({}))


def test_heures_avec_et_sans_fuseau_ne_se_comparent_pas():
    incident = "detecte_le: {}\ngravite: majeure\nresume: r\n"
    fichiers = {"incidents/a.yaml": incident.format("2026-02-17T09:12:00+01:00"), "incidents/b.yaml": incident.format("2026-02-17T16:40:00")}
    ctx = contexte(fichiers, liaisons={"a": {"fichier": "incidents/a.yaml"}, "b": {"fichier": "incidents/b.yaml"}})
    with pytest.raises(ErreurCalcul, match="^comparaison impossible : « a.detecte_le » \\(2026-02-17 09:12\\) et « b.detecte_le » \\(2026-02-17 16:40\\), une heure avec fuseau horaire et l'autre sans$"):
        condition({"inferieur": [{"champ": "a.detecte_le"}, {"champ": "b.detecte_le"}]}, ctx)


def test_quantificateurs():
    ctx = contexte({"budget/2025.yaml": BUDGET}, liaisons={"budget": {"fichier": "budget/2025.yaml"}})
    grand = {"superieur": [{"champ": "p.budget"}, 600000]}
    assert condition({"aucun": {"dans": "budget.programmes", "comme": "p", "condition": grand}}, ctx).ok is False
    assert condition({"au_moins": {"nombre": 2, "dans": "budget.programmes", "comme": "p", "condition": grand}}, ctx).ok is False
    assert condition({"au_moins": {"nombre": 1, "dans": "budget.programmes", "comme": "p", "condition": grand}}, ctx).ok is True
    assert valeur({"nombre": {"dans": "budget.programmes", "comme": "p", "si": grand}}, ctx).v == 1
    assert valeur({"maximum": {"dans": "budget.programmes", "comme": "p", "valeur": {"champ": "p.budget"}}}, ctx).v == Decimal("1234567.80")
    assert condition({"non": {"appartient": {"valeur": "x", "liste": ["a", "b"]}}}, ctx).ok is True


def test_titres_et_fichiers():
    md = "# Plan\n## Activation de la cellule de crise\n## ANALYSE D'IMPACT\n"
    ctx = contexte({"crise/plan.md": md, "crise/dpi.md": "x"})
    r = condition({"titres_presents": {"document": "crise/plan.md", "titres": ["Analyse d'impact", "Mode dégradé"]}}, ctx)
    assert (r.ok, r.constats[0].texte) == (False, "titre(s) absent(s) de crise/plan.md : « Mode dégradé »")
    assert condition({"fichier_existe": "crise/dpi.md"}, ctx).ok is True
    r = condition({"fichier_existe": "../../etc/passwd"}, ctx)
    assert (r.ok, r.constats[0].texte) == (False, "« ../../etc/passwd » : « ../../etc/passwd » sort du dépôt (chemin absolu ou « .. »)")


@pytest.mark.parametrize(
    "v, unite, texte",
    [(Decimal("0.05"), "part", "5 %"), (Decimal("0.070015"), "part", "7,0015 %"), (Decimal("1234567.80"), "euros", "1 234 567,8 €"),
     (2025, None, "2025"), (True, None, "true"), (date(2025, 1, 2), None, "2025-01-02"), ("cyber", None, "« cyber »")],
)
def test_afficher(v, unite, texte):
    assert afficher(v, unite) == texte


def test_duree_donnee_par_un_parametre():
    params = {"delai": Parametre("delai", "délai", "jours", ((date(2021, 1, 1), 30, "hypothèse"),))}
    ctx = Contexte(date(2025, 6, 30), charger(SourceMemoire({})), params, {})
    assert valeur({"date": "evaluation", "moins": {"jours": {"parametre": "delai"}}}, ctx).v == date(2025, 5, 31)
    assert condition({"dans_les_derniers": {"date": {"date": "2025-06-01"}, "jours": {"parametre": "delai"}}}, ctx).ok is True
    with pytest.raises(ErreurCalcul, match="durée : nombre entier de jours attendu"):
        valeur({"date": "evaluation", "moins": {"jours": "trente"}}, ctx)


def test_maximum_ignore_un_champ_absent_par_defaut_null():
    # Le champ absent, avec defaut: null, est ignoré par maximum.
    budget = contexte({"budget/2025.yaml": BUDGET}, liaisons={"budget": {"fichier": "budget/2025.yaml"}})
    expr = {"maximum": [{"champ": "budget.annee"}, {"champ": "budget.absent", "defaut": None}]}
    assert valeur(expr, budget).v == 2025
