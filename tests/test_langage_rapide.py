"""Le statut seul (#15) : `evaluer_regle(…, expliquer=False)` juge chaque règle par les conditions
compilées sur un contexte muet, et ne rédige l'explication que si on la lit. Il doit rendre, pour chaque
règle de chaque dépôt, exactement le verdict rédigé : même statut, mêmes paramètres lus, et, lus
ensuite, la même explication, les mêmes constats et les mêmes preuves citées, octet pour octet.
Et les fermetures ajoutées au chemin rapide (somme, dans_les_derniers, champ avec défaut, preuve
nommée résolue) rendent ce que rend l'interprète."""

from datetime import date

import pytest

from test_langage import contexte, exercices
from test_langage_compile import JOUR, RANGEES, _issue
from verificateur import evaluation, politiques, preuves
from verificateur.auteurs import cas as module_cas
from verificateur.langage import Noeud, condition, filtre_compile
from verificateur.langage.interpretation import elements_gardes
from verificateur.sources import SourceArbre, SourceMemoire

RACINE = __import__("pathlib").Path(__file__).resolve().parent.parent
CATALOGUE = politiques.charger()
EXEMPLES = sorted(p for p in (RACINE / "exemples").iterdir() if p.is_dir())
DATES = (date(2024, 1, 15), date(2025, 6, 30), date(2026, 10, 1), date(2028, 3, 1))


def _verdicts_egaux(lues: preuves.Preuves, jour: date) -> int:
    motifs: dict[str, list[str]] = {}
    for regle in CATALOGUE.regles.values():
        redige = evaluation.evaluer_regle(regle, lues, CATALOGUE, jour)
        seul = evaluation.evaluer_regle(regle, lues, CATALOGUE, jour, expliquer=False, motifs=motifs)
        assert (seul.statut, seul.parametres) == (redige.statut, redige.parametres), regle.id
        assert seul._rediger is not None  # rien n'est rédigé avant d'être lu
        assert (seul.explication, seul.constats, seul.preuves) == (redige.explication, redige.constats, redige.preuves), regle.id
    return len(CATALOGUE.regles)


@pytest.mark.parametrize("exemple", EXEMPLES, ids=lambda p: p.name)
def test_statut_seul_puis_explication_comme_le_verdict_redige_sur_les_exemples(exemple):
    lues = preuves.charger(SourceArbre(str(exemple)))
    assert sum(_verdicts_egaux(lues, jour) for jour in DATES) == 4 * len(CATALOGUE.regles)


def test_statut_seul_puis_explication_comme_le_verdict_redige_sur_les_cas_des_politiques():
    """Chaque cas de test des politiques (preuves invalides, manquantes, erreurs de calcul…), toutes les règles."""
    tous = [c for dossier in module_cas.dossiers_de(CATALOGUE) for c in module_cas.lire_cas(dossier)[0]]
    assert len(tous) > 100
    for cas in tous:
        contenus = dict(module_cas._base(cas.base)) if cas.base.is_dir() else {}
        for chemin in cas.supprimer:
            contenus.pop(chemin, None)
        for chemin, contenu in cas.fichiers.items():
            contenus[chemin] = (contenu if isinstance(contenu, str) else module_cas._texte(chemin, contenu)).encode("utf-8")
        _verdicts_egaux(preuves.charger(SourceMemoire(contenus)), cas.date_evaluation)


@pytest.mark.parametrize("jour", DATES)
def test_une_evaluation_sans_explication_rend_les_memes_verdicts_une_fois_lus(jour):
    """`evaluation.evaluer(…, expliquer=False)` : dérogations et problèmes compris."""
    lues = preuves.charger(SourceArbre(str(RACINE / "exemples" / "chu-armorique")))
    redigee = evaluation.evaluer(CATALOGUE, lues, jour)
    seule = evaluation.evaluer(CATALOGUE, lues, jour, expliquer=False)
    assert seule.problemes == redigee.problemes
    for a, b in zip(seule.verdicts, redigee.verdicts, strict=True):
        assert (a.regle, a.statut, a.explication, a.constats, a.preuves, a.parametres, a.derogation) == (
            b.regle, b.statut, b.explication, b.constats, b.preuves, b.parametres, b.derogation)


def test_la_derogation_s_applique_a_l_explication_redigee_ensuite():
    lues = preuves.charger(SourceArbre(str(RACINE / "exemples" / "chu-armorique")))
    redige = evaluation.evaluer(CATALOGUE, lues, date(2026, 10, 1))
    regle = next(v.regle for v in redige.verdicts if v.derogation is not None)
    seul = evaluation.evaluer_regle(regle, lues, CATALOGUE, date(2026, 10, 1), expliquer=False)
    evaluation._appliquer_derogations([seul], lues, date(2026, 10, 1))
    attendu = next(v for v in redige.verdicts if v.regle is regle)
    assert (seul.statut, seul.explication, seul.preuves, seul.derogation) == (attendu.statut, attendu.explication, attendu.preuves, attendu.derogation)


# --- les fermetures du chemin rapide face à l'interprète ------------------------------------------------

CONDITIONS = [
    {"dans_les_derniers": {"date": {"champ": "v.detectee_le"}, "jours": 30}},
    {"dans_les_derniers": {"date": {"champ": "v.detectee_le"}, "mois": {"champ": "v.n"}}},
    {"dans_les_derniers": {"date": {"champ": "v.criticite"}, "jours": 1}},
    {"dans_les_derniers": {"date": {"champ": "v.detectee_le"}, "jours": 10 ** 9}},
    {"superieur": [{"somme": [{"champ": "v.n"}, {"champ": "v.d"}]}, 4]},
    {"superieur": [{"somme": [{"champ": "v.n"}, 1]}, 3]},
    {"egal": [{"somme": {"dans": "v.d", "comme": "x", "valeur": {"champ": "x"}}}, 1]},
    {"egal": [{"somme": {"dans": "v.liste", "comme": "x", "valeur": {"champ": "x.m"}}}, 3]},
    {"egal": [{"champ": "v.d", "defaut": 7}, 7]},
    {"egal": [{"champ": "v.d.x", "defaut": 7}, 1]},
    {"egal": [{"champ": "v", "defaut": 7}, 7]},
]
LISTES = [[{"m": 1}, {"m": 2}], [{"m": 1}, {}], [], "x", [{"m": "2"}]]


@pytest.mark.parametrize("expr", CONDITIONS)
@pytest.mark.parametrize("rangee", [{**r, "liste": LISTES[i % len(LISTES)]} for i, r in enumerate(RANGEES)])
def test_les_nouvelles_fermetures_rendent_ce_que_rend_l_interprete(expr, rangee):
    interprete = contexte({}, jour=JOUR).avec("v", Noeud(rangee), muet=True)
    compile_ = contexte({}, jour=JOUR).avec("v", Noeud(rangee), muet=True)
    assert _issue(lambda: filtre_compile(expr)(compile_)) == _issue(lambda: condition(expr, interprete).ok)
    assert compile_.parametres_lus == interprete.parametres_lus


@pytest.mark.parametrize("expr", [
    {"egal": [{"champ": "exercices.theme"}, "cyber"]},
    {"egal": [{"champ": "dernier.theme"}, "cyber"]},
    {"renseigne": "absent.theme"},
    {"renseigne": "dernier.theme"},
    {"non": {"renseigne": "absent.theme"}},
    {"non": {"renseigne": "dernier.theme"}},
    {"non": {"renseigne": "dernier.absent"}},
    {"non": {"renseigne": "exercices.theme"}},
    {"egal": [{"champ": "absent.theme", "defaut": "x"}, "x"]},
])
def test_une_preuve_nommee_est_resolue_par_le_chemin_rapide_comme_par_l_interprete(expr):
    fichiers = exercices(("2025-01-01", "cyber"), ("2025-02-01", "cyber"))
    liaisons = {"exercices": {"fichiers": "exercices/*.yaml"}, "dernier": {"fichier": "exercices/1.yaml"},
                "absent": {"fichier": "absent.yaml"}}
    interprete, compile_ = (contexte(fichiers, liaisons=liaisons) for _ in range(2))
    interprete.muet = compile_.muet = True
    assert _issue(lambda: filtre_compile(expr)(compile_)) == _issue(lambda: condition(expr, interprete).ok)
    assert list(compile_.lus) == list(interprete.lus)


def test_un_element_garde_par_un_filtre_est_un_noeud_a_lui_avec_sa_ligne():
    """Le filtre lit les rangées par un seul nœud déplacé : ce qu'il garde doit être un nœud propre."""
    registre = ("identifiant;actif;criticite;source;detectee_le;corrigee_le\nV-3;a;critique;s;2025-01-01;\n"
                "V-1;a;critique;s;2025-06-01;\nV-2;a;faible;s;2025-06-02;\n")
    lues = preuves.charger(SourceMemoire({"vulnerabilites/registre.csv": registre.encode()}))
    ctx = contexte({}).__class__(JOUR, lues, {}, {"registre": {"fichier": "vulnerabilites/registre.csv"}})
    cond = {"tous": {"dans": "registre", "comme": "v", "si": {"egal": [{"champ": "v.criticite"}, "critique"]},
                     "element": {"champ": "v.identifiant"},
                     "condition": {"dans_les_derniers": {"date": {"champ": "v.detectee_le"}, "jours": 30}}}}
    r = condition(cond, ctx)
    assert r.ok is False
    assert [(c.texte, str(c.ou)) for c in r.constats] == [
        ("« V-3 » : v.detectee_le : 2025-01-01, attendu entre 2025-05-31 et 2025-06-30", "vulnerabilites/registre.csv:2"),
    ]
    gardes = list(elements_gardes({"dans": "registre", "comme": "v", "si": {"egal": [{"champ": "v.criticite"}, "critique"]}}, ctx))
    assert [(e.valeur["identifiant"], str(e.ou)) for e in gardes] == [
        ("V-3", "vulnerabilites/registre.csv:2"), ("V-1", "vulnerabilites/registre.csv:3"),
    ]
