"""Les conditions compilées (#15, verificateur/langage/compilation.py) : le chemin rapide d'un filtre
`si` rend exactement ce que rend l'interprète (même `ok`, même erreur, même message, mêmes paramètres
lus), et rend la main à l'interprète pour tout cas qu'il ne couvre pas."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from test_langage import contexte
from verificateur.langage import ErreurCalcul, Noeud, PreuveManquante, compilation, condition, filtre_compile

JOUR = date(2025, 6, 30)
RANGEES = [
    {"criticite": "critique", "detectee_le": date(2025, 6, 1), "corrigee_le": None, "n": 3, "d": Decimal("2.5"), "b": True},
    {"criticite": "critique", "detectee_le": date(2025, 7, 1), "corrigee_le": "", "n": Decimal(3), "d": 2, "b": False},
    {"criticite": "haute", "detectee_le": "2025-06-01", "corrigee_le": date(2025, 6, 2), "n": True, "d": None},
    {"criticite": "critique", "detectee_le": datetime(2025, 6, 1, 8, 0), "n": "3", "d": [1], "b": "oui"},
    {"detectee_le": date(2025, 6, 1), "n": 2, "d": {"x": 1}},
    {"criticite": "critique", "detectee_le": date(2024, 1, 1), "n": 0, "d": 0},
]
CONDITIONS = [
    {"egal": [{"champ": "v.criticite"}, "critique"]},
    {"inferieur_ou_egal": [{"champ": "v.detectee_le"}, {"date": "evaluation"}]},
    {"superieur": [{"champ": "v.detectee_le"}, {"date": "evaluation", "moins": {"jours": {"parametre": "delai"}}}]},
    {"superieur_ou_egal": [{"champ": "v.n"}, {"champ": "v.d"}]},
    {"inferieur": [{"champ": "v.n"}, {"parametre": "seuil"}]},
    {"egal": [{"champ": "v.b"}, True]},
    {"superieur": [{"champ": "v.b"}, False]},
    {"different": [{"champ": "v.n"}, 2.5]},
    {"egal": [{"champ": "v.absent", "defaut": "x"}, "x"]},
    {"egal": [{"champ": "inconnu.x"}, 1]},
    {"renseigne": "v.corrigee_le"},
    {"renseigne": "v.d.x"},
    {"non": {"renseigne": "v.criticite"}},
    {"toutes_ces_conditions": [{"egal": [{"champ": "v.criticite"}, "haute"]}, {"superieur": [{"champ": "v.n"}, 1]}]},
    {"une_de_ces_conditions": [{"egal": [{"champ": "v.criticite"}, "critique"]}, {"superieur": [{"champ": "v.d"}, 1]}]},
    {"toutes_ces_conditions": [
        {"egal": [{"champ": "v.criticite"}, "critique"]},
        {"inferieur_ou_egal": [{"champ": "v.detectee_le"}, {"date": "evaluation"}]},
        {"une_de_ces_conditions": [{"non": {"renseigne": "v.corrigee_le"}},
                                   {"superieur": [{"champ": "v.corrigee_le"}, {"date": "evaluation"}]}]},
    ]},
    {"appartient": {"valeur": {"champ": "v.criticite"}, "liste": ["critique", "haute"]}},
    {"entre": {"valeur": {"champ": "v.n"}, "min": {"champ": "v.d"}, "max": 3}},
    {"entre": {"valeur": {"annee": {"champ": "v.detectee_le"}}, "min": {"difference": [{"annee": {"date": "evaluation"}}, 1]},
               "max": {"annee": {"date": "evaluation"}}}},
    {"superieur_ou_egal": [{"ratio": [{"champ": "v.n"}, {"champ": "v.d"}]}, {"parametre": "seuil"}]},
    {"inferieur": [{"difference": [{"champ": "v.n"}, {"champ": "v.d"}]}, 1]},
    {"egal": [{"annee": {"champ": "v.criticite"}}, 2025]},
]


def _issue(evaluer):
    try:
        return ("ok", evaluer())
    except (ErreurCalcul, PreuveManquante) as exc:
        return (type(exc).__name__, exc.message, exc.ou)


@pytest.mark.parametrize("expr", CONDITIONS)
@pytest.mark.parametrize("rangee", RANGEES)
def test_compile_rend_ce_que_rend_l_interprete(expr, rangee):
    interprete = contexte({}, jour=JOUR).avec("v", Noeud(rangee), muet=True)
    compile_ = contexte({}, jour=JOUR).avec("v", Noeud(rangee), muet=True)
    attendu = _issue(lambda: condition(expr, interprete).ok)
    assert _issue(lambda: filtre_compile(expr)(compile_)) == attendu
    assert compile_.parametres_lus == interprete.parametres_lus
    assert list(compile_.lus) == list(interprete.lus)


def test_compile_une_fois_et_sans_interprete_pour_le_cas_ordinaire(monkeypatch):
    expr = CONDITIONS[15]
    assert filtre_compile(expr) is filtre_compile(expr)
    ctx = contexte({}, jour=JOUR).avec("v", Noeud(RANGEES[0]), muet=True)

    def interdit(*_):
        raise AssertionError("l'interprète ne devrait pas être appelé")

    monkeypatch.setattr(compilation, "condition", interdit)
    assert filtre_compile(expr)(ctx) is True
    # Une heure à comparer à une date : cas non couvert, l'interprète reprend.
    ctx = contexte({}, jour=JOUR).avec("v", Noeud(RANGEES[3]), muet=True)
    with pytest.raises(AssertionError, match="interprète"):
        filtre_compile(expr)(ctx)


def test_quantificateur_ne_cite_que_cinq_elements_mais_calcule_chaque_element_nomme():
    from test_langage import exercices

    fichiers = exercices(*((f"2024-0{i}-01", "cyber") for i in range(1, 8)))
    liaisons = {"exercices": {"fichiers": "exercices/*.yaml"}}
    cond = {"tous": {"dans": "exercices", "comme": "e", "element": {"champ": "e.scenario"},
                     "condition": {"dans_les_derniers": {"date": {"champ": "e.date"}, "jours": 30}}}}
    r = condition(cond, contexte(fichiers, liaisons=liaisons))
    assert r.ok is False
    assert [c.texte for c in r.constats] == [
        *(f"« rançongiciel 2024-0{i}-01 » : e.date : 2024-0{i}-01, attendu entre 2025-05-31 et 2025-06-30" for i in range(1, 6)),
        "… et 2 autre(s)",
    ]
    # Le septième élément, jamais cité : son nom se calcule quand même, et son erreur est la même que
    # s'il était cité (division par zéro pour l'exercice de 2023).
    cond["tous"]["element"] = {"ratio": [1, {"difference": [{"annee": {"champ": "e.date"}}, 2023]}]}
    fichiers["exercices/6.yaml"] = fichiers["exercices/6.yaml"].replace("2024-07-01", "2023-07-01")
    with pytest.raises(ErreurCalcul, match="ratio : division par zéro"):
        condition(cond, contexte(fichiers, liaisons=liaisons))
