"""Les filtres `si` muets (verificateur/langage/) : ils ne rédigent pas d'explication, mais calculent les mêmes
valeurs que les autres conditions. Mêmes erreurs, mêmes paramètres et fichiers lus, même sélection."""

from datetime import date
from decimal import Decimal

import pytest

from test_langage import contexte, exercices
from verificateur.langage import ErreurCalcul, PreuveManquante, condition, valeur


def test_filtre_muet_meme_selection_et_explication():
    ctx = contexte(exercices(("2025-01-10", "cyber"), ("2025-03-01", "autre"), ("2024-02-01", "cyber")),
                   liaisons={"exercices": {"fichiers": "exercices/*.yaml"}})
    cond = {"tous": {"dans": "exercices", "comme": "e", "element": {"champ": "e.scenario"},
                     "si": {"egal": [{"champ": "e.theme"}, "cyber"]},
                     "condition": {"dans_les_derniers": {"date": {"champ": "e.date"}, "jours": 365}}}}
    r = condition(cond, ctx)
    assert r.ok is False
    assert [(c.texte, str(c.ou)) for c in r.constats] == [
        ("« rançongiciel 2024-02-01 » : e.date : 2024-02-01, attendu entre 2024-06-30 et 2025-06-30", "exercices/2.yaml:1"),
    ]
    assert valeur({"nombre": {"dans": "exercices", "comme": "e", "si": {"egal": [{"champ": "e.theme"}, "cyber"]}}}, ctx).v == 2


def test_filtre_muet_leve_les_memes_erreurs():
    ctx = contexte(exercices(("2025-01-10", "cyber")), liaisons={"exercices": {"fichiers": "exercices/*.yaml"}})
    # Une comparaison impossible dans le filtre : la même erreur qu'hors filtre.
    si = {"superieur": [{"champ": "e.theme"}, 3]}
    with pytest.raises(ErreurCalcul) as hors_filtre:
        condition({"tous": {"dans": "exercices", "comme": "e", "condition": si}}, ctx)
    with pytest.raises(ErreurCalcul) as dans_filtre:
        condition({"tous": {"dans": "exercices", "comme": "e", "si": si, "condition": {"renseigne": "e.date"}}}, ctx)
    assert dans_filtre.value.message == hors_filtre.value.message
    assert dans_filtre.value.message.startswith("comparaison impossible : « e.theme » (texte, « cyber ») et « 3 » (nombre, 3)")
    # L'élément nommé d'un quantificateur imbriqué dans le filtre est calculé, même muet.
    imbrique = {"existe": {"dans": "e.participants", "comme": "p", "element": {"champ": "p.absent"},
                           "condition": {"egal": [{"champ": "p"}, "dsi"]}}}
    with pytest.raises(PreuveManquante):
        condition({"tous": {"dans": "exercices", "comme": "e", "si": imbrique, "condition": {"renseigne": "e.date"}}}, ctx)


def test_filtre_muet_lit_parametres_et_fichiers():
    ctx = contexte(exercices(("2025-01-10", "cyber")), jour=date(2025, 6, 30),
                   liaisons={"exercices": {"fichiers": "exercices/*.yaml",
                                           "si": {"inferieur": [{"parametre": "seuil"}, 1]}}})
    assert valeur({"nombre": {"dans": "exercices"}}, ctx).v == 1
    assert ctx.parametres_lus["seuil"][1] == Decimal("0.05")
    assert list(ctx.lus) == ["exercices/0.yaml"]
