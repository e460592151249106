"""Éligibilité aux programmes de financement : décisions, motifs, GHT, dérogations, fenêtres, montants,
rendus et codes de sortie, sur les dépôts d'exemple et de petits dépôts écrits ici (docs/financements.md)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE
from test_depot_git import environnement_git, nouveau_depot, sha  # noqa: F401 (fixture)

CHU = str(EXEMPLES / "chu-armorique")
LYS = str(EXEMPLES / "ch-vallee-du-lys")
EHPAD = str(EXEMPLES / "ehpad-les-tilleuls")
EXEMPLE = str(EXEMPLES / "programme-exemple.yaml")
PAR_TAILLE = str(EXEMPLES / "programme-exemple-par-taille.yaml")
# Programme fictif des tests (l'ancien « segur-securite-2021 », retiré des programmes livrés : aucun critère
# d'éligibilité n'a été publié pour l'invitation de 2021 à consacrer 5 % à 10 % à la cybersécurité).
BUDGET = str(RACINE / "tests" / "donnees" / "programme-budget-fictif.yaml")
NOM_CHU = "Centre hospitalier universitaire d'Armorique"
NOM_LYS = "Centre hospitalier de la Vallée du Lys"


@lru_cache(maxsize=1)
def _validateur():
    from jsonschema import Draft202012Validator

    schema = json.loads((RACINE / "verificateur" / "schemas" / "eligibilite.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_les_types_du_resultat_sont_ceux_du_schema_livre():
    """#14.4 : chaque TypedDict de financements.modeles a exactement les clés de son objet dans le schéma
    livré (additionalProperties: false) : une clé ajoutée d'un côté seulement fait échouer ce test."""
    from verificateur.financements import modeles

    schema = json.loads((RACINE / "verificateur" / "schemas" / "eligibilite.schema.json").read_text(encoding="utf-8"))
    p = schema["properties"]
    candidature, programme = p["candidatures"]["items"]["properties"], p["programme"]["properties"]
    paires = [
        (modeles.Resultat, schema), (modeles.DescriptionProgramme, p["programme"]),
        (modeles.SourceCitee, programme["source"]), (modeles.Enveloppe, programme["enveloppe"]["oneOf"][1]),
        (modeles.Fenetre, programme["fenetre"]), (modeles.PolitiqueEvaluee, p["politiques"]["items"]),
        (modeles.Hypothese, p["hypotheses"]["items"]), (modeles.Synthese, p["synthese"]),
        (modeles.LigneRegion, p["par_region"]["items"]), (modeles.Candidature, p["candidatures"]["items"]),
        (modeles.Etablissement, candidature["porteur"]), (modeles.Membre, candidature["membres"]["items"]),
        (modeles.Motif, candidature["motifs"]["items"]), (modeles.LieuProgramme, candidature["motifs"]["items"]["properties"]["programme"]),
        (modeles.Doublon, p["doublons"]["items"]),
    ]
    for type_, objet in paires:
        assert objet.get("additionalProperties") is False, type_.__name__
        assert type_.__required_keys__ | type_.__optional_keys__ == set(objet["properties"]), type_.__name__
    assert set(p["synthese"]["properties"]["candidatures"]["properties"]) == set(modeles.DECISIONS)


def decision_json(lancer, *args: str) -> tuple[int, dict]:
    """Lance `eligibilite … --format json` ; le JSON produit est validé contre le schéma livré."""
    sortie = lancer("eligibilite", *args, "--format", "json")
    assert sortie.code in (0, 1, 4), sortie
    donnees = json.loads(sortie.stdout)
    erreurs = [f"{list(e.absolute_path)}: {e.message}" for e in _validateur().iter_errors(donnees)]
    assert not erreurs, erreurs
    return sortie.code, donnees


def messages(candidature: dict) -> list[str]:
    return [m["message"] for m in candidature["motifs"]]


def programme_modifie(tmp_path: Path, avant: str, apres: str, nom: str = "variante.yaml", source: str = EXEMPLE) -> str:
    texte = Path(source).read_text(encoding="utf-8")
    assert avant in texte, avant
    cible = tmp_path / nom
    cible.write_text(texte.replace(avant, apres), encoding="utf-8")
    return str(cible)


def copie(tmp_path: Path, exemple: str, nom: str, avant: str | None = None, apres: str | None = None) -> str:
    cible = tmp_path / nom
    shutil.copytree(exemple, cible)
    if avant is not None:
        fichier = cible / "etablissement.yaml"
        texte = fichier.read_text(encoding="utf-8")
        assert avant in texte
        fichier.write_text(texte.replace(avant, apres), encoding="utf-8")
    return str(cible)


# --- les trois décisions -----------------------------------------------------------------------------


def test_budget_eligible_code_0(lancer):
    sortie = lancer("eligibilite", CHU, "--programme", BUDGET, "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    assert f"{NOM_CHU} — ÉLIGIBLE — montant plafond : non calculable" in sortie.stdout
    assert f"  ✓ prérequis BUD-01 au 2026-10-01 — {NOM_CHU} : conforme [budget/2025.yaml, budget/2026.yaml] (hypothèse du projet)" in sortie.stdout
    assert "Hypothèses du projet (les sources se taisent) :" in sortie.stdout
    assert "montant plafond : non calculé, le programme ne définit pas de barème ; enveloppe du programme : 350\u202f000\u202f000 €" in sortie.stdout


def test_budget_non_eligible_code_1(lancer):
    code, d = decision_json(lancer, LYS, "--programme", BUDGET, "--date", DATE_EXEMPLES)
    assert code == 1
    (c,) = d["candidatures"]
    assert c["decision"] == "non_eligible"
    motif = c["motifs"][1]
    assert motif["message"] == f"prérequis BUD-01 au 2026-10-01 — {NOM_LYS} : non conforme (attendu conforme)"
    assert (motif["type"], motif["resultat"], motif["valeur"], motif["regle"]) == ("prerequis", "non_satisfait", "non_conforme", "BUD-01")
    assert {"fichier": "budget/2026.yaml", "ligne": 13, "revision": None} in motif["preuves"]
    # Le verdict derrière le motif, tel que le moteur l'explique (la valeur trouvée et le seuil).
    assert motif["explication"].endswith("« Imagerie médicale (PACS mutualisé du GHT) » : part cybersécurité du programme : 3 %, attendu ≥ 5 % (part_cyber_minimale)")
    assert motif["programme"]["fichier"].endswith("tests/donnees/programme-budget-fictif.yaml")
    assert motif["hypothese_projet"] is True and "lecture du projet" in motif["hypothese"]


def test_budget_incomplet_quand_la_preuve_manque(lancer):
    code, d = decision_json(lancer, EHPAD, "--programme", BUDGET, "--date", DATE_EXEMPLES)
    assert code == 1
    (c,) = d["candidatures"]
    assert c["decision"] == "incomplet"
    assert messages(c)[1] == "prérequis BUD-01 au 2026-10-01 — EHPAD Les Tilleuls : preuve manquante"
    assert c["motifs"][1]["resultat"] == "indetermine"


def test_plusieurs_candidatures_code_1_si_une_n_est_pas_eligible(lancer):
    code, d = decision_json(lancer, CHU, LYS, EHPAD, "--programme", BUDGET, "--date", DATE_EXEMPLES)
    assert code == 1
    assert [(c["nom"], c["decision"]) for c in d["candidatures"]] == [
        (NOM_CHU, "eligible"), (NOM_LYS, "non_eligible"), ("EHPAD Les Tilleuls", "incomplet"),
    ]
    assert d["synthese"]["candidatures"] == {"eligible": 1, "non_eligible": 1, "incomplet": 1, "a_confirmer": 0, "clos": 0}
    assert [(r["cle"], r["eligible"], r["non_eligible"], r["incomplet"]) for r in d["par_region"]] == [
        ("32", 0, 1, 0), ("53", 1, 0, 0), ("84", 0, 0, 1),
    ]


def test_categorie_non_admise(lancer):
    code, d = decision_json(lancer, EHPAD, "--programme", "care-domaine-1", "--date", "2024-04-01")
    (c,) = d["candidatures"]
    assert c["decision"] == "non_eligible"
    assert "EHPAD Les Tilleuls : catégorie « ehpad » non admise (admises : chu, ch, chs, espic, clinique, had, smr)" in messages(c)
    motif = next(m for m in c["motifs"] if m["type"] == "candidat" and m["valeur"] == "ehpad")
    assert motif["preuves"] == [{"fichier": "etablissement.yaml", "ligne": 4, "revision": None}]
    assert motif["hypothese_projet"] is True


# --- candidature de GHT ------------------------------------------------------------------------------


def test_ght_un_membre_conforme_et_un_non_conforme_une_seule_decision(lancer, tmp_path):
    support = copie(tmp_path, CHU, "chu")
    membre = copie(tmp_path, LYS, "lys", 'nom: "GHT Lys et Flandres"', 'nom: "GHT Haute-Bretagne"')
    code, d = decision_json(lancer, membre, support, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    assert code == 1
    (c,) = d["candidatures"]
    assert c["nom"] == "GHT « GHT Haute-Bretagne »" and c["ght"] == "GHT Haute-Bretagne"
    assert c["porteur"]["raison_sociale"] == NOM_CHU
    assert [m["raison_sociale"] for m in c["membres"]] == [NOM_CHU, NOM_LYS]
    assert c["decision"] == "non_eligible"
    assert f"candidature du GHT « GHT Haute-Bretagne » portée par l'établissement support {NOM_CHU} (2 établissement(s))" in messages(c)
    echecs = [m for m in c["motifs"] if m["bloquant"] and m["resultat"] != "satisfait"]
    assert [m["message"] for m in echecs] == [f"prérequis EXE-01 au 2026-09-01 — {NOM_LYS} : non conforme (attendu conforme)"]
    assert echecs[0]["etablissement"]["finess"] == "590028718"
    # Non éligible : aucun montant pour la candidature (il se lirait comme une somme due) ; le barème de
    # chaque membre reste lisible : 400 000 (chu) + 150 000 (ch).
    assert (c["montant_plafond"], c["montant_raison"]) == (None, "aucun montant : candidature non éligible")
    assert sum(m["montant_plafond"] for m in c["membres"]) == 550000
    # Le membre conforme seul : éligible.
    code, d = decision_json(lancer, support, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    assert code == 0 and d["candidatures"][0]["decision"] == "eligible"


def test_ght_sans_etablissement_support_incomplet(lancer, tmp_path):
    membre = copie(tmp_path, CHU, "chu", "support: true", "support: false")
    code, d = decision_json(lancer, membre, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    (c,) = d["candidatures"]
    assert code == 1 and c["decision"] == "incomplet"
    assert messages(c)[1] == "candidature du GHT « GHT Haute-Bretagne » : aucun établissement support parmi les 1 dépôt(s) donné(s) ; le support porte la candidature"


def test_par_etablissement_les_membres_d_un_ght_sont_decides_separement(lancer, tmp_path):
    support = copie(tmp_path, CHU, "chu")
    membre = copie(tmp_path, LYS, "lys", 'nom: "GHT Lys et Flandres"', 'nom: "GHT Haute-Bretagne"')
    code, d = decision_json(lancer, support, membre, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES)
    assert code == 0
    assert [(c["nom"], c["ght"], c["decision"]) for c in d["candidatures"]] == [(NOM_CHU, None, "eligible"), (NOM_LYS, None, "eligible")]


# --- dérogations ---------------------------------------------------------------------------------------


def test_derogation_acceptee_par_un_programme_refusee_par_un_autre(lancer, tmp_path):
    code, d = decision_json(lancer, CHU, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    assert code == 0
    assert f"prérequis FOR-04 au 2026-10-01 — {NOM_CHU} : dérogation active, acceptée par le programme" in messages(d["candidatures"][0])
    refus = programme_modifie(tmp_path, "  - regle: FOR-04\n    derogation_acceptee: true", "  - regle: FOR-04\n    derogation_acceptee: false")
    code, d = decision_json(lancer, CHU, "--programme", refus, "--date", DATE_EXEMPLES)
    (c,) = d["candidatures"]
    assert code == 1 and c["decision"] == "non_eligible"
    motif = next(m for m in c["motifs"] if m["regle"] == "FOR-04")
    assert motif["message"] == f"prérequis FOR-04 au 2026-10-01 — {NOM_CHU} : dérogation active, non acceptée par le programme (attendu conforme)"
    assert motif["valeur"] == "derogation" and motif["resultat"] == "non_satisfait"
    assert {"fichier": "derogations.yaml", "ligne": 3, "revision": None} in motif["preuves"]


# --- fenêtre de candidature et échéance des objectifs ---------------------------------------------------


@pytest.mark.parametrize(("jour", "decision", "message"), [
    ("2026-08-31", "non_eligible", "candidature pas encore ouverte : la fenêtre ouvre le 2026-09-01 (date de décision 2026-08-31)"),
    ("2026-09-01", "eligible", "date de décision 2026-09-01 dans la fenêtre de candidature du 2026-09-01 au 2026-10-15"),
    ("2026-10-15", "eligible", "date de décision 2026-10-15 dans la fenêtre de candidature du 2026-09-01 au 2026-10-15"),
    # Close aux candidatures : « programme clos », pas « non éligible » (code 4, ni 0 ni 1).
    ("2026-10-16", "clos", "programme clos aux candidatures le 2026-10-15 ; objectifs vérifiés à leur échéance du 2027-06-30 (date de décision 2026-10-16)"),
])
def test_fenetre_de_candidature(lancer, jour, decision, message):
    code, d = decision_json(lancer, CHU, "--programme", EXEMPLE, "--date", jour)
    (c,) = d["candidatures"]
    assert (c["decision"], c["motifs"][0]["message"]) == (decision, message)
    assert c["motifs"][0]["type"] == "fenetre" and c["motifs"][0]["date"] == jour
    assert code == {"eligible": 0, "non_eligible": 1, "clos": 4}[decision]
    if decision == "clos":
        assert c["motifs"][0]["resultat"] == "clos" and not any(m["bloquant"] for m in c["motifs"][1:])


# --- faits non publiés (a_confirmer) et programme clos ------------------------------------------------


def test_care_d2_a_confirmer_la_cloture_de_la_declaration_est_inconnue(lancer):
    """Le 16 janvier 2026 ouvre la déclaration des objectifs du domaine 2 ; sa clôture n'est pas publiée :
    un objectif non atteint à la date de décision ne rend pas « non éligible », la décision est à confirmer."""
    code, d = decision_json(lancer, str(EXEMPLES / "ch-cote-d-opale"), "--programme", "care-domaine-2", "--date", "2026-03-01")
    (c,) = d["candidatures"]
    assert code == 4 and c["decision"] == "a_confirmer"
    assert c["motifs"][0]["message"] == (
        "déclaration des objectifs ouverte depuis le 2026-01-16 ; échéance inconnue : clôture du guichet de déclaration "
        "des objectifs du domaine 2, non publiée ; objectifs vérifiés à la date de décision 2026-03-01, décision à confirmer")
    assert c["motifs"][0]["resultat"] == "a_confirmer" and c["motifs"][0]["bloquant"] is True
    assert d["programme"]["fenetre"] == {"ouverture": "2025-09-02", "cloture": "2025-10-31", "echeance_objectifs": None,
                                         "ouverture_objectifs": "2026-01-16",
                                         "echeance_inconnue": "clôture du guichet de déclaration des objectifs du domaine 2, non publiée",
                                         "fin": None}
    assert not [m for m in c["motifs"] if m["resultat"] == "non_satisfait"]
    texte = lancer("eligibilite", str(EXEMPLES / "ch-cote-d-opale"), "--programme", "care-domaine-2", "--date", "2026-03-01")
    assert texte.code == 4
    assert "— À CONFIRMER — montant plafond : non calculable" in texte.stdout
    assert "0 éligible, 0 non éligible, 0 incomplet, 1 à confirmer (candidatures)" in texte.stdout
    assert "échéance des objectifs inconnue (déclaration ouverte le 2026-01-16) : clôture du guichet" in texte.stdout
    html = lancer("eligibilite", str(EXEMPLES / "ch-cote-d-opale"), "--programme", "care-domaine-2", "--date", "2026-03-01",
                  "--format", "html").stdout
    assert '<span class="badge decision-a_confirmer">à confirmer</span>' in html
    assert "<strong>inconnue</strong> (déclaration ouverte le 2026-01-16) : clôture du guichet" in html


def test_care_d2_entre_candidature_et_declaration_programme_clos_aux_candidatures(lancer):
    code, d = decision_json(lancer, str(EXEMPLES / "ch-cote-d-opale"), "--programme", "care-domaine-2", "--date", "2025-12-01")
    (c,) = d["candidatures"]
    assert code == 4 and c["decision"] == "clos"
    assert c["motifs"][0]["message"] == ("programme clos aux candidatures le 2025-10-31 ; déclaration des objectifs à partir "
                                         "du 2026-01-16 (date de décision 2025-12-01)")


def test_care_d1_programme_clos_apres_la_fin_des_paiements(lancer):
    code, d = decision_json(lancer, CHU, LYS, "--programme", "care-domaine-1", "--date", "2026-12-04")
    assert code == 4 and {c["decision"] for c in d["candidatures"]} == {"clos"}
    assert d["candidatures"][0]["motifs"][0]["message"] == (
        "programme clos le 2026-06-30 (fin des paiements du domaine 1) : aucune décision d'éligibilité après cette date "
        "(date de décision 2026-12-04)")
    assert d["synthese"]["candidatures"]["clos"] == 2 and d["synthese"]["candidatures"]["non_eligible"] == 0
    csv_ = lancer("eligibilite", CHU, "--programme", "care-domaine-1", "--date", "2026-12-04", "--format", "csv").stdout
    assert ";clos;" in csv_.split("\r\n")[1] and "programme clos le 2026-06-30" in csv_.split("\r\n")[1]
    html = lancer("eligibilite", CHU, "--programme", "care-domaine-1", "--date", "2026-12-04", "--format", "html").stdout
    assert '<span class="badge decision-clos">programme clos</span>' in html


@pytest.mark.parametrize(("statut", "resultat", "decision"), [
    ("conforme", "a_confirmer", "a_confirmer"), ("non_conforme", "a_confirmer", "a_confirmer"),
    ("non_applicable", "a_confirmer", "a_confirmer"), ("derogation", "a_confirmer", "a_confirmer"),
    ("preuve_manquante", "indetermine", "incomplet"), ("erreur", "indetermine", "incomplet"),
])
def test_condition_qui_depend_d_un_fait_inconnu(tmp_path, statut, resultat, decision):
    """Un prérequis marqué « fait_inconnu » (seuil non publié) n'est jamais « non satisfait »."""
    from verificateur import politiques
    from verificateur.financements import programmes
    from verificateur.financements.decision import decider

    fichier = programme_modifie(tmp_path, "    a_la_date: candidature\n    derogation_acceptee: false\n",
                                "    a_la_date: candidature\n    derogation_acceptee: false\n    fait_inconnu: seuil officiel non publié\n",
                                source=BUDGET)
    programme = programmes.charger(fichier, politiques.charger())
    (c,) = decider(programme, date(2026, 10, 1), [_dossier({"BUD-01": statut})])
    motif = next(m for m in c["motifs"] if m["regle"] == "BUD-01")
    assert (motif["resultat"], c["decision"]) == (resultat, decision)
    if resultat == "a_confirmer":
        assert motif["message"].endswith("; à confirmer : seuil officiel non publié")


def test_echeance_ou_fait_inconnu_mais_pas_les_deux(tmp_path, lancer):
    fichier = programme_modifie(tmp_path, "    echeance: 2027-06-30\n", "    echeance: 2027-06-30\n    fait_inconnu: clôture\n")
    sortie = lancer("eligibilite", CHU, "--programme", fichier)
    assert sortie.code == 2
    assert "variante.yaml:45: échéance des objectifs : « echeance » ou « fait_inconnu » attendu (l'un ou l'autre, pas les deux)" in sortie.stderr


def test_fin_du_programme_avant_l_echeance_refusee(tmp_path, lancer):
    fichier = programme_modifie(tmp_path, "    echeance: 2027-06-30\n    sources: [S1]\n",
                                "    echeance: 2027-06-30\n    sources: [S1]\n  fin:\n    date: 2027-01-31\n    sources: [S1]\n")
    sortie = lancer("eligibilite", CHU, "--programme", fichier)
    assert sortie.code == 2
    assert "variante.yaml:49: fenêtre : fin du programme le 2027-01-31 avant le 2027-06-30, date de la fenêtre (dates-desordonnees)" in sortie.stderr


def test_code_de_sortie_des_decisions():
    from verificateur.financements.listes import code_sortie

    def code(*decisions):
        return code_sortie({"candidatures": [{"decision": x} for x in decisions]})

    assert (code("eligible"), code("eligible", "a_confirmer"), code("clos"), code("a_confirmer", "incomplet"),
            code("non_eligible", "clos"), code()) == (0, 4, 4, 1, 1, 1)


def test_objectifs_non_bloquants_avant_l_echeance_bloquants_apres(lancer):
    _, d = decision_json(lancer, CHU, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    objectif = next(m for m in d["candidatures"][0]["motifs"] if m["type"] == "objectif" and m["regle"] == "EXE-01")
    assert objectif["bloquant"] is False and objectif["date"] == "2026-10-01"
    code, d = decision_json(lancer, CHU, "--programme", EXEMPLE, "--date", "2027-07-01")
    (c,) = d["candidatures"]
    assert code == 1 and c["decision"] == "non_eligible"
    assert messages(c)[0] == "échéance des objectifs du 2027-06-30 atteinte à la date de décision 2027-07-01 : prérequis et objectifs vérifiés"
    # Prérequis « à la candidature » : au plus tard la clôture ; objectifs : à l'échéance.
    assert f"prérequis PBN-01 au 2026-10-15 — {NOM_CHU} : conforme" in messages(c)
    echecs = [m["message"] for m in c["motifs"] if m["resultat"] != "satisfait"]
    assert echecs == [f"objectif EXE-01 au 2027-06-30 — {NOM_CHU} : non conforme (attendu conforme)"]


def test_une_evaluation_par_date_distincte(monkeypatch):
    from verificateur import politiques
    from verificateur.evaluation import moteur
    from verificateur.financements import dossiers, programmes
    from verificateur.sources import SourceArbre

    catalogue = politiques.charger()
    programme = programmes.charger(EXEMPLE, catalogue)
    dates = []
    original = moteur.evaluer_source

    def compter(source, catalogue, jour, *args, **kwargs):
        dates.append(jour)
        return original(source, catalogue, jour, *args, **kwargs)

    monkeypatch.setattr(moteur, "evaluer_source", compter)
    dossiers.evaluer_depot(SourceArbre(CHU), catalogue, programme, date(2026, 10, 1))
    # PBN-01, FOR-04 et les objectifs au 2026-10-01, EXE-01 à l'ouverture, HYG-02 au 2026-09-15.
    assert dates == [date(2026, 9, 1), date(2026, 9, 15), date(2026, 10, 1)]


# --- montants -----------------------------------------------------------------------------------------


def test_montant_par_categorie_et_totaux_par_region(lancer):
    code, d = decision_json(lancer, CHU, LYS, EHPAD, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    montants = {c["nom"]: c["montant_plafond"] for c in d["candidatures"]}
    assert montants == {"GHT « GHT Haute-Bretagne »": 400000, "GHT « GHT Lys et Flandres »": None, "EHPAD Les Tilleuls": None}
    membre = d["candidatures"][0]["membres"][0]
    assert membre["montant_detail"] == f"{NOM_CHU} : catégorie « chu » : 400\u202f000 €"
    assert membre["montant_sources"] == ["S2"] and membre["montant_hypothese_projet"] is False
    ehpad = d["candidatures"][2]["membres"][0]
    assert ehpad["montant_hypothese_projet"] is True
    assert d["par_region"] == [
        {"cle": "32", "eligible": 0, "non_eligible": 1, "incomplet": 0, "a_confirmer": 0, "clos": 0, "montant_plafond_total": 0, "montants_inconnus": 0, "enveloppe": 700000},
        {"cle": "53", "eligible": 1, "non_eligible": 0, "incomplet": 0, "a_confirmer": 0, "clos": 0, "montant_plafond_total": 400000, "montants_inconnus": 0, "enveloppe": 800000},
        {"cle": "84", "eligible": 0, "non_eligible": 1, "incomplet": 0, "a_confirmer": 0, "clos": 0, "montant_plafond_total": 0, "montants_inconnus": 0, "enveloppe": 500000},
    ]
    assert (d["synthese"]["montant_plafond_total"], d["synthese"]["enveloppe"], d["synthese"]["part_enveloppe"]) == (400000, 2000000, 0.2)


def test_montant_par_tranche_de_taille(lancer):
    code, d = decision_json(lancer, CHU, LYS, EHPAD, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES)
    assert [(c["membres"][0]["montant_detail"], c["membres"][0]["montant_plafond"], c["montant_plafond"]) for c in d["candidatures"]] == [
        (f"{NOM_CHU} : effectif 8500, tranche 2000 et plus : 60\u202f000 €", 60000, 60000),
        (f"{NOM_LYS} : effectif 1400, tranche de 100 à 1999 : 25\u202f000,50 €", 25000.5, 25000.5),
        ("EHPAD Les Tilleuls : effectif 85, tranche de 0 à 99 : 5\u202f000 €", 5000, None),  # non éligible : aucun montant
    ]
    # L'EHPAD n'est pas éligible (FOR-01) : son montant n'entre pas dans le total.
    assert d["synthese"]["montant_plafond_total"] == 85000.5


def test_montant_non_calculable_donne_la_raison(lancer):
    _, d = decision_json(lancer, CHU, "--programme", "care-domaine-1", "--date", "2024-04-01")
    (c,) = d["candidatures"]
    assert c["montant_plafond"] is None
    assert c["montant_raison"].startswith("Les dépenses réelles sont remboursées dans la limite d'un plafond fixé par l'arrêté du 18 mars 2024, que le projet n'a pas transcrit")


def test_csv_aux_conventions_francaises(lancer):
    sortie = lancer("eligibilite", CHU, LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES, "--format", "csv")
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.split("\r\n")
    assert lignes[0].startswith("\ufeffligne;programme;date_decision;finess;")
    assert lignes[2].startswith(f"etablissement;programme-exemple-par-taille;2026-10-01;590028718;{NOM_LYS};")
    assert ";eligible;25000,50;" in lignes[2]
    assert lignes[-2] == "total;programme-exemple-par-taille;2026-10-01;;;;;;;;;;85000,50;2;0;0;0;0;500000,00;;non"
    standard = lancer("eligibilite", LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES, "--format", "csv", "--csv-standard")
    assert ",eligible,25000.50," in standard.stdout and not standard.stdout.startswith("\ufeff")


def test_csv_motifs_bloquants_du_membre(lancer):
    sortie = lancer("eligibilite", LYS, "--programme", BUDGET, "--date", DATE_EXEMPLES, "--format", "csv")
    ligne = sortie.stdout.split("\r\n")[1]
    assert ligne.endswith(f";non_eligible;;;;;;;;prérequis BUD-01 au 2026-10-01 — {NOM_LYS} : non conforme (attendu conforme);oui")


# --- rendus ---------------------------------------------------------------------------------------------


def test_html_autonome_et_echappe(lancer, tmp_path):
    depot = copie(tmp_path, CHU, "chu", "raison_sociale: \"Centre hospitalier universitaire d'Armorique\"", 'raison_sociale: "CHU <script>alert(1)</script>"')
    sortie = lancer("eligibilite", depot, "--programme", EXEMPLE, "--date", DATE_EXEMPLES, "--format", "html")
    assert sortie.code == 0, sortie
    html = sortie.stdout
    assert html.startswith("<!DOCTYPE html>") and "<script>" not in html and "CHU &lt;script&gt;" in html
    assert 'class="badge decision-eligible">éligible</span>' in html
    assert "Hypothèses du projet" in html and "<link" not in html and 'src="' not in html
    assert '<a href="https://exemple.invalid/arrete-resilience-cyber-2026">' in html  # les sources, en liens http(s) seulement


def test_json_identique_d_un_lancement_a_l_autre(lancer):
    premier = lancer("eligibilite", CHU, LYS, "--programme", EXEMPLE, "--date", DATE_EXEMPLES, "--format", "json").stdout
    second = lancer("eligibilite", CHU, LYS, "--programme", EXEMPLE, "--date", DATE_EXEMPLES, "--format", "json").stdout
    assert premier == second and json.loads(premier)["empreinte"].startswith("sha256:")


def test_revision_git_citee_dans_les_motifs(lancer, tmp_path, environnement_git):  # noqa: F811
    depot = nouveau_depot(tmp_path / "depot")
    _, d = decision_json(lancer, str(depot), "--programme", BUDGET, "--date", DATE_EXEMPLES, "--revision", "HEAD")
    motif = d["candidatures"][0]["motifs"][1]
    assert motif["preuves"][0]["revision"] == sha(depot)
    assert d["candidatures"][0]["membres"][0]["depot"] == {"chemin": str(depot), "source": "revision", "revision": sha(depot)}


# --- programmes inconnus ou invalides : code 2 ------------------------------------------------------------


def test_programme_inconnu_code_2(lancer):
    sortie = lancer("eligibilite", CHU, "--programme", "nulle-part")
    assert sortie.code == 2
    assert sortie.stderr == (
        "verificateur : programme de financement « nulle-part » introuvable ; programmes disponibles : "
        "care-domaine-1, care-domaine-1-bis, care-domaine-2, care-hospiconnect-2026 (ajoutez un dossier avec --programmes, ou donnez le chemin du fichier)\n"
    )


def test_programme_citant_une_regle_inconnue_code_2_avec_fichier_et_ligne(lancer, tmp_path):
    fichier = programme_modifie(tmp_path, "  - regle: HYG-02\n", "  - regle: HYG-99\n", nom="programme-exemple.yaml")
    sortie = lancer("eligibilite", CHU, "--programme", "programme-exemple", "--programmes", str(tmp_path), "--date", DATE_EXEMPLES)
    assert sortie.code == 2, sortie
    ligne = Path(fichier).read_text(encoding="utf-8").splitlines().index("  - regle: HYG-99") + 1
    premiere = sortie.stderr.splitlines()[0]
    assert premiere.startswith(f"{fichier}:{ligne}: prérequis HYG-99 : règle « HYG-99 » inconnue des politiques chargées (")
    assert premiere.endswith(") (regle-inconnue)")
    assert sortie.stderr.splitlines()[-1] == "verificateur : programme « programme-exemple » invalide"
    assert "Traceback" not in sortie.stderr


@pytest.mark.parametrize(("avant", "apres", "attendu"), [
    ("    cloture: 2026-10-15\n", "    cloture: 2026-08-15\n",
     "fenêtre : clôture le 2026-08-15 avant l'ouverture le 2026-09-01 (dates-desordonnees)"),
    ("    echeance: 2027-06-30\n", "    echeance: 2026-10-01\n",
     "fenêtre : échéance des objectifs le 2026-10-01 avant la clôture le 2026-10-15 (dates-desordonnees)"),
    ("  - regle: EXE-01\n    a_la_date: ouverture\n    sources: [S1]\n", "  - regle: EXE-01\n    a_la_date: ouverture\n",
     "prérequis EXE-01 : ni « sources » ni « hypothese_projet » ; citez la source, ou écrivez que c'est une hypothèse du projet (fondement-manquant)"),
    ("    - categories: [ch, chs]\n", "    - categories: [ch, chu]\n",
     "barème, ligne 2 : catégorie « chu » déjà à la ligne 1 (bareme-invalide)"),
    ("  candidature: par_ght\n", "  candidature: par_groupement\n",
     "« candidature » : valeur « par_groupement » non permise ; valeurs permises : par_ght, par_etablissement (valeur-non-permise)"),
    ("  sources: [S1]\n\nfenetre:", "  sources: [S9]\n\nfenetre:",
     "enveloppe : source « S9 » absente de la liste des sources (source-inconnue)"),
    ("    a_la_date: ouverture\n", "    a_la_date: 2026-02-30\n",
     "prérequis EXE-01 : date invalide « 2026-02-30 », attendu une date réelle AAAA-MM-JJ (date-invalide)"),
])
def test_programme_invalide_message_exact(lancer, tmp_path, avant, apres, attendu):
    fichier = programme_modifie(tmp_path, avant, apres)
    sortie = lancer("eligibilite", CHU, "--programme", fichier, "--date", DATE_EXEMPLES)
    assert sortie.code == 2, sortie
    assert any(l.startswith(f"{fichier}:") and l.endswith(attendu) for l in sortie.stderr.splitlines()), sortie.stderr


def test_tranches_qui_se_chevauchent(lancer, tmp_path):
    fichier = programme_modifie(tmp_path, "    - de: 100\n", "    - de: 90\n", source=PAR_TAILLE)
    sortie = lancer("eligibilite", CHU, "--programme", fichier)
    assert sortie.code == 2
    assert "barème, ligne 2 : la tranche chevauche la ligne 1 (bareme-invalide)" in sortie.stderr


def test_depot_donne_deux_fois(lancer):
    sortie = lancer("eligibilite", CHU, CHU, "--programme", BUDGET)
    assert sortie.code == 2 and f"dépôt donné plusieurs fois : {CHU}" in sortie.stderr


# --- les programmes livrés ------------------------------------------------------------------------------


def test_programmes_livres_valides_et_sources():
    from verificateur import politiques
    from verificateur.financements import programmes

    catalogue = politiques.charger()
    dossier = programmes.dossiers_par_defaut()[0]
    nombre, problemes = programmes.valider_dossier(dossier, catalogue, selon_programme=True)
    assert nombre >= 2 and problemes == []
    for nom in ("care-domaine-1", "care-domaine-2"):
        programme = programmes.charger(nom, programmes.catalogue_de(programmes.politiques_demandees(programmes.trouver(nom))))
        assert programme.en_dict()["source"]["emetteur"]
        assert programme.hypotheses(), nom  # ce que les sources ne disent pas est dit
    care = programmes.charger("care-domaine-1", programmes.catalogue_de(("plan-national", "care")))
    assert (care.ouverture, care.cloture, care.echeance, care.fin) == (date(2024, 3, 18), date(2024, 4, 19), date(2025, 6, 30), date(2026, 6, 30))
    assert care.donnees["enveloppe"]["montant"] == 65000000 and care.par_ght
    d2 = programmes.charger("care-domaine-2", programmes.catalogue_de(("plan-national", "care")))
    assert (d2.echeance, d2.ouverture_objectifs) == (None, date(2026, 1, 16))
    assert d2.echeance_inconnue == "clôture du guichet de déclaration des objectifs du domaine 2, non publiée"


def test_le_segur_2021_n_est_plus_un_programme_de_financement():
    """L'invitation de 2021 (5 % à 10 %) n'a ni guichet ni critère publié : elle reste une règle du rapport
    (BUD-01, BUD-03), pas une décision d'éligibilité sous un vrai nom de programme."""
    from verificateur.financements import programmes

    assert "segur-securite-2021" not in programmes.disponibles(programmes.dossiers_par_defaut())
    budget = programmes.charger(BUDGET, programmes.catalogue_de(("plan-national",)))
    assert budget.id == "programme-budget-fictif" and "fictif" in budget.titre


def test_l_exemple_montre_chaque_construction():
    from verificateur import politiques
    from verificateur.financements import programmes

    catalogue = politiques.charger()
    d = programmes.charger(EXEMPLE, catalogue).donnees
    assert {c.get("a_la_date", "candidature") for c in d["prerequis"]} >= {"candidature", "ouverture", "2026-09-15"}
    assert {c.get("derogation_acceptee", False) for c in d["prerequis"]} == {True, False}
    assert d["objectifs"] and d["enveloppe"]["par_region"] and d["candidats"]["regions"]
    assert d["montant_plafond"]["calcul"] == "par_categorie"
    assert programmes.charger(PAR_TAILLE, catalogue).donnees["montant_plafond"]["calcul"] == "par_taille"


# --- la décision pure ------------------------------------------------------------------------------------


def _dossier(statuts: dict[str, str], profil: dict | None = None):
    from verificateur.financements.dossiers import Dossier

    profil = profil if profil is not None else {"finess": "350042131", "raison_sociale": "CH d'essai", "categorie": "ch",
                                                "statut_juridique": "public", "region": "53", "effectif": 900}
    verdicts = {regle: {"statut": s, "explication": "", "preuves": []} for regle, s in statuts.items()}
    return Dossier("essai", {"chemin": "essai", "source": "arbre", "revision": None}, profil, {}, {"2026-10-01": verdicts})


@pytest.mark.parametrize(("statut", "decision"), [
    ("conforme", "eligible"), ("non_applicable", "eligible"), ("non_conforme", "non_eligible"),
    ("preuve_manquante", "incomplet"), ("erreur", "incomplet"), ("derogation", "non_eligible"),
])
def test_statut_d_un_prerequis_et_decision(statut, decision):
    from verificateur import politiques
    from verificateur.financements import programmes
    from verificateur.financements.decision import decider

    programme = programmes.charger(BUDGET, politiques.charger())
    (c,) = decider(programme, date(2026, 10, 1), [_dossier({"BUD-01": statut})])
    assert c["decision"] == decision


def test_profil_inconnu_incomplet():
    from verificateur import politiques
    from verificateur.financements import decision, programmes

    programme = programmes.charger(EXEMPLE, politiques.charger())
    dossier = _dossier({"PBN-01": "conforme"}, profil=None)
    dossier.profil = None
    (c,) = decision.decider(programme, date(2026, 10, 1), [dossier])
    assert c["decision"] == "incomplet"
    assert "essai : profil de l'établissement inconnu (etablissement.yaml absent ou invalide)" in messages(c)


# --- politiques valider valide aussi les programmes ----------------------------------------------------


def test_politiques_valider_inclut_les_programmes(lancer, tmp_path):
    sortie = lancer("politiques", "valider")
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1].endswith("programme(s) de financement : valides")
    assert lancer("politiques", "valider", "--programmes", str(EXEMPLES)).code == 0
    fichier = programme_modifie(tmp_path, "  - regle: HYG-02\n", "  - regle: HYG-77\n", nom="programme-exemple.yaml")
    sortie = lancer("politiques", "valider", "--programmes", str(tmp_path))
    assert sortie.code == 2
    ligne = Path(fichier).read_text(encoding="utf-8").splitlines().index("  - regle: HYG-77") + 1
    assert sortie.stderr.splitlines()[0].startswith(f"{fichier}:{ligne}: prérequis HYG-77 : règle « HYG-77 » inconnue des politiques chargées (")
    assert sortie.stderr.splitlines()[-1].startswith("verificateur : 1 programme(s) de financement invalide(s) sur ")


def test_identifiant_different_du_nom_de_fichier(lancer, tmp_path):
    programme_modifie(tmp_path, "  id: programme-exemple\n", "  id: autre-nom\n", nom="programme-exemple.yaml")
    sortie = lancer("politiques", "valider", "--programmes", str(tmp_path))
    assert sortie.code == 2
    assert "identifiant « autre-nom » différent du nom du fichier « programme-exemple » (id-fichier)" in sortie.stderr


# --- le lot : décision par établissement, totaux par région (partie pure) ---------------------------------


def test_completer_lot_ajoute_les_cles_du_contrat():
    from verificateur import politiques
    from verificateur.financements import listes, parcours, programmes
    from verificateur.sources import SourceArbre

    catalogue = politiques.charger()
    programme = programmes.charger(EXEMPLE, catalogue)
    jour = date(2026, 10, 1)
    etablissements, dossiers = [], {}
    for chemin in (CHU, LYS, EHPAD):
        depot = {"chemin": chemin, "source": "arbre", "revision": None, "nu": False}
        etablissements.append({"chemin": chemin, "etat": "evalue", "depot": depot, "raison": None})
        dossiers[chemin] = parcours.dossier_pour_lot(SourceArbre(chemin), catalogue, programme, jour, chemin=chemin)
    etablissements.append({"chemin": "depots/casse", "etat": "echec", "depot": None, "raison": "pas un dépôt git"})
    lot = {"date_evaluation": "2026-10-01", "etablissements": etablissements, "politiques": listes.politiques_de(catalogue)}
    liste = parcours.completer_lot(lot, programme, jour, json.loads(json.dumps(dossiers)))  # comme après un processus
    assert [(e["chemin"], e["eligibilite"]["decision"], e["eligibilite"]["montant_plafond"]) for e in lot["etablissements"]] == [
        (CHU, "eligible", 400000), (LYS, "non_eligible", 150000), (EHPAD, "non_eligible", 20000), ("depots/casse", "incomplet", None),
    ]
    casse = lot["etablissements"][3]["eligibilite"]
    assert casse["motifs"][1]["message"] == "depots/casse : dépôt non évalué (pas un dépôt git)"
    assert lot["programme"]["id"] == "programme-exemple" and lot["programme"]["enveloppe"]["montant"] == 2000000
    assert lot["eligibilite"]["decisions"] == {"eligible": 1, "non_eligible": 2, "incomplet": 1, "a_confirmer": 0, "clos": 0}
    assert [(r["cle"], r["montant_plafond_total"], r["enveloppe"]) for r in lot["eligibilite"]["par_region"]] == [
        ("", 0, None), ("32", 0, 700000), ("53", 400000, 800000), ("84", 0, 500000),
    ]
    assert [c["nom"] for c in lot["eligibilite"]["candidatures"]] == [
        "depots/casse", "GHT « GHT Haute-Bretagne »", "GHT « GHT Lys et Flandres »", "EHPAD Les Tilleuls",
    ]
    erreurs = [e.message for e in _validateur().iter_errors(liste)]
    assert not erreurs, erreurs
    # La liste se relit d'un lot écrit en JSON : mêmes candidatures, mêmes décisions, mêmes motifs.
    relue = listes.liste_depuis_lot(json.loads(json.dumps(lot)))
    assert not [e.message for e in _validateur().iter_errors(relue)]
    assert [(c["nom"], c["decision"], c["montant_plafond"]) for c in relue["candidatures"]] == [
        (c["nom"], c["decision"], c["montant_plafond"]) for c in liste["candidatures"]]
    assert [c["motifs"] for c in relue["candidatures"]] == [c["motifs"] for c in liste["candidatures"]]
    assert relue["par_region"] == liste["par_region"] and relue["synthese"] == liste["synthese"]


def test_care_d1_le_prerequis_du_projet_n_est_jamais_non_eligible(lancer):
    """Le prérequis VUL-01 du domaine 1 est une lecture du projet (l'annexe n'a pas été lue) : quel que soit son
    verdict (ici conforme), la décision qui en dépend est « à confirmer », jamais « non éligible »."""
    code, d = decision_json(lancer, CHU, "--programme", "care-domaine-1", "--date", "2024-04-01")
    (c,) = d["candidatures"]
    motif = next(m for m in c["motifs"] if m["regle"] == "VUL-01")
    assert motif["resultat"] == "a_confirmer" and motif["hypothese_projet"] is True
    assert motif["message"].endswith("; à confirmer : prérequis de l'annexe de l'arrêté du 18 mars 2024, non lus "
                                     "(l'inscription au CERT Santé est une lecture du projet)")
    assert code == 4 and c["decision"] == "a_confirmer"


def test_le_programme_charge_les_politiques_qu_il_declare(lancer):
    # care-domaine-1 déclare plan-national et care (politique livrée non chargée par défaut).
    _, d = decision_json(lancer, CHU, "--programme", "care-domaine-1", "--date", "2026-10-01")
    assert [p["id"] for p in d["politiques"]] == ["plan-national", "care"] or [p["id"] for p in d["politiques"]] == ["care", "plan-national"]
    motifs = {m["regle"]: m for m in d["candidatures"][0]["motifs"] if m["type"] == "objectif"}
    assert motifs["CARE-D1-01"]["message"] == f"objectif CARE-D1-01 au 2025-06-30 — {NOM_CHU} : preuve manquante"
    # Avec --politiques, ce sont celles données : la règle absente est une erreur claire.
    sortie = lancer("eligibilite", CHU, "--programme", "care-domaine-1", "--politiques", "plan-national")
    assert sortie.code == 2
    assert ": objectif CARE-D1-01 : règle « CARE-D1-01 » inconnue des politiques chargées (plan-national ; le programme demande aussi : care) (regle-inconnue)" in sortie.stderr


def test_montant_hors_bareme_et_taille_absente():
    from verificateur import politiques
    from verificateur.financements import decision, listes, programmes

    catalogue = politiques.charger()
    par_categorie = programmes.charger(EXEMPLE, catalogue)
    profil = {"finess": "350042131", "raison_sociale": "Centre d'essai", "categorie": "autre", "statut_juridique": "public", "region": "53", "effectif": 900}
    (c,) = decision.decider(par_categorie, date(2026, 10, 1), [_dossier({}, profil)])
    assert (c["montant_plafond"], c["montant_raison"]) == (None, "aucun montant : candidature non éligible")
    assert c["membres"][0]["montant_detail"] == "Centre d'essai : aucun montant au barème pour la catégorie « autre »"
    assert "Centre d'essai : catégorie « autre » non admise (admises : chu, ch, chs, espic, clinique, had, smr, ehpad)" in messages(c)
    par_taille = programmes.charger(PAR_TAILLE, catalogue)
    sans_taille = {k: v for k, v in profil.items() if k != "effectif"}
    (c,) = decision.decider(par_taille, date(2026, 10, 1), [_dossier({"FOR-01": "conforme"}, sans_taille)])
    assert c["decision"] == "eligible" and c["montant_plafond"] is None
    assert c["montant_raison"] == "Centre d'essai : « effectif » absent de etablissement.yaml, montant non calculable"
    totaux = listes.totaux(par_taille, [c])
    assert (totaux["montant_plafond_total"], totaux["montants_inconnus"]) == (0, 1)


# --- verificateur lot … --programme : la liste des financeurs -----------------------------------------------


def test_lot_avec_programme_decision_par_etablissement_et_liste(lancer, tmp_path):
    lot_json, liste_csv, liste_html, liste_json = (tmp_path / n for n in ("lot.json", "liste.csv", "liste.html", "liste.json"))
    for liste in (liste_csv, liste_html, liste_json):
        sortie = lancer("lot", CHU, LYS, EHPAD, "--date", DATE_EXEMPLES, "--programme", EXEMPLE, "--sans-cache", "--sans-progression",
                        "--jobs", "2", "--format", "json", "--sortie", str(lot_json), "--liste", str(liste))
        assert sortie.code == 1, sortie  # le code du lot reste celui de la conformité
    lot = json.loads(lot_json.read_text(encoding="utf-8"))
    assert {e["chemin"]: (e["eligibilite"]["decision"], e["eligibilite"]["montant_plafond"]) for e in lot["etablissements"]} == {
        CHU: ("eligible", 400000), LYS: ("non_eligible", 150000), EHPAD: ("non_eligible", 20000),
    }
    assert lot["programme"]["id"] == "programme-exemple"
    assert [(r["cle"], r["eligible"], r["montant_plafond_total"], r["enveloppe"]) for r in lot["eligibilite"]["par_region"]] == [
        ("32", 0, 0, 700000), ("53", 1, 400000, 800000), ("84", 0, 0, 500000),
    ]
    donnees = json.loads(liste_json.read_text(encoding="utf-8"))
    assert not [e.message for e in _validateur().iter_errors(donnees)]
    assert [(c["nom"], c["decision"]) for c in donnees["candidatures"]] == [
        ("GHT « GHT Haute-Bretagne »", "eligible"), ("GHT « GHT Lys et Flandres »", "non_eligible"), ("EHPAD Les Tilleuls", "non_eligible"),
    ]
    csv_ = liste_csv.read_bytes().decode("utf-8")
    assert csv_.startswith("\ufeffligne;programme;") and "\r\nregion;programme-exemple;2026-10-01;;;;;53;;;;;400000,00;1;0;0;0;0;800000,00;;\r\n" in csv_
    assert liste_html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_lot_care_d2_a_confirmer_dans_chaque_sortie(lancer, tmp_path):
    """Le domaine 2 de CaRE, après l'ouverture de sa déclaration : « à confirmer » dans le lot JSON, la liste
    CSV et le tableau de bord HTML, jamais « non éligible » sur la seule clôture inconnue."""
    opale = str(EXEMPLES / "ch-cote-d-opale")
    lot_json, liste_csv = tmp_path / "lot.json", tmp_path / "liste.csv"
    sortie = lancer("lot", opale, "--date", "2026-03-01", "--programme", "care-domaine-2", "--sans-cache", "--sans-progression",
                    "--jobs", "1", "--format", "json", "--sortie", str(lot_json), "--liste", str(liste_csv))
    assert sortie.code in (0, 1), sortie
    lot = json.loads(lot_json.read_text(encoding="utf-8"))
    (e,) = lot["etablissements"]
    assert e["eligibilite"]["decision"] == "a_confirmer"
    assert e["eligibilite"]["motifs"][0]["message"].startswith("déclaration des objectifs ouverte depuis le 2026-01-16 ; échéance inconnue : ")
    assert lot["eligibilite"]["decisions"] == {"eligible": 0, "non_eligible": 0, "incomplet": 0, "a_confirmer": 1, "clos": 0}
    lignes = liste_csv.read_bytes().decode("utf-8").split("\r\n")
    assert lignes[0].endswith(";eligibles;non_eligibles;incomplets;a_confirmer;clos;enveloppe;motifs;hypotheses_projet")
    assert ";a_confirmer;" in lignes[1] and "échéance inconnue : clôture du guichet de déclaration des objectifs du domaine 2, non publiée" in lignes[1]
    html = lancer("lot", opale, "--date", "2026-03-01", "--programme", "care-domaine-2", "--sans-cache", "--sans-progression",
                  "--jobs", "1", "--format", "html").stdout
    assert "0 éligible(s), 0 non éligible(s), 0 dossier(s) incomplet(s), 1 à confirmer (fait non publié)." in html
    assert '<th scope="col" class="nombre">à confirmer</th>' in html


def test_lot_programme_options_incompatibles(lancer):
    sortie = lancer("lot", CHU, "--programme", EXEMPLE, "--partie", "1/2", "--sans-cache")
    assert sortie.code == 2
    assert "verificateur : --programme et --partie s'excluent : une candidature de GHT demande tous ses établissements dans le même lot" in sortie.stderr
    sortie = lancer("lot", CHU, "--liste", "liste.csv", "--sans-cache")
    assert sortie.code == 2 and "verificateur : --liste et --programmes demandent --programme ID" in sortie.stderr


# --- un même FINESS donné deux fois (#12.5) ------------------------------------------------------------------

FINESS_CHU = "350042131"


def _doublon(retenu: str, ecarte: str, raison: str = "premier dépôt donné", differences: tuple[str, ...] = ()) -> str:
    message = (f"FINESS {FINESS_CHU} donné par 2 dépôts : {retenu} retenu ({raison}), {ecarte} écarté ; "
               "l'établissement n'est décidé, compté et sommé qu'une fois")
    if differences:
        return message + f" ; les dépôts diffèrent ({' ; '.join(differences)}) : candidature incomplète, donnez un seul dépôt"
    return message + " ; mêmes profil et verdicts"


def test_meme_finess_deux_chemins_compte_et_somme_une_fois(lancer, tmp_path):
    double = copie(tmp_path, CHU, "chu-copie")
    sortie = lancer("eligibilite", CHU, double, LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES, "--format", "json")
    code, d = decision_json(lancer, CHU, double, LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES)
    message = _doublon(CHU, double)
    assert sortie.stderr == f"avertissement : {message}\n"
    assert d["doublons"] == [{"finess": FINESS_CHU, "retenu": CHU, "ecartes": [double], "raison": "premier dépôt donné",
                              "differences": [], "message": message}]
    assert [(c["nom"], c["decision"], c["montant_plafond"]) for c in d["candidatures"]] == [
        (NOM_CHU, "eligible", 60000), (NOM_LYS, "eligible", 25000.5)]
    assert d["synthese"]["montant_plafond_total"] == 85000.5 and d["synthese"]["etablissements"]["eligible"] == 2
    assert [(r["cle"], r["eligible"], r["montant_plafond_total"]) for r in d["par_region"]] == [("32", 1, 25000.5), ("53", 1, 60000)]
    (doublon,) = [m for m in d["candidatures"][0]["motifs"] if m["type"] == "doublon"]
    assert (doublon["resultat"], doublon["bloquant"], doublon["message"]) == ("satisfait", False, message)

    texte = lancer("eligibilite", CHU, double, LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES)
    assert texte.stdout.splitlines()[3] == f"avertissement : {message}" and texte.stderr == ""
    assert "montant plafond total des éligibles : 85\u202f000,50 €" in texte.stdout
    assert f"  · {message}" in texte.stdout.splitlines()
    csv_ = lancer("eligibilite", CHU, double, LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES, "--format", "csv").stdout
    assert f'\r\ndoublon;programme-exemple-par-taille;2026-10-01;{FINESS_CHU};;{double};;;;;;;;;;;;"{message}";\r\n' in csv_
    assert "\r\ntotal;programme-exemple-par-taille;2026-10-01;;;;;;;;;;85000,50;2;0;0;0;0;500000,00;;non\r\n" in csv_
    html = lancer("eligibilite", CHU, double, LYS, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES, "--format", "html").stdout
    assert '<section id="doublons">' in html and f"<li>{message}</li>".replace("'", "&#39;") in html


def test_meme_finess_support_de_ght_une_seule_candidature(lancer, tmp_path):
    """Deux copies du support d'un GHT : avant, « 2 établissements se déclarent support », incomplet."""
    double = copie(tmp_path, CHU, "chu-copie")
    code, d = decision_json(lancer, double, CHU, "--programme", EXEMPLE, "--date", DATE_EXEMPLES)
    assert code == 0 and [(c["nom"], c["decision"], c["montant_plafond"]) for c in d["candidatures"]] == [
        ("GHT « GHT Haute-Bretagne »", "eligible", 400000)]
    assert [m["chemin"] for m in d["candidatures"][0]["membres"]] == [double]
    assert d["doublons"][0]["message"] == _doublon(double, CHU)


def test_meme_finess_depots_differents_candidature_incomplete(lancer, tmp_path):
    double = copie(tmp_path, CHU, "chu-ancien", "effectif: 8500", "effectif: 1500")
    shutil.rmtree(Path(double) / "formation")  # FOR-01, seule règle du programme, sans preuve
    code, d = decision_json(lancer, CHU, double, "--programme", PAR_TAILLE, "--date", DATE_EXEMPLES)
    differences = ("profil : effectif", "FOR-01 au 2026-10-01 : conforme / preuve_manquante")
    message = _doublon(CHU, double, differences=differences)
    assert code == 1 and d["doublons"][0]["differences"] == list(differences)
    (c,) = d["candidatures"]
    assert (c["decision"], c["montant_plafond"]) == ("incomplet", None)
    (doublon,) = [m for m in c["motifs"] if m["type"] == "doublon"]
    assert (doublon["resultat"], doublon["bloquant"], doublon["message"]) == ("indetermine", True, message)


def test_lot_liste_meme_finess_deux_chemins(lancer, tmp_path):
    double = copie(tmp_path, CHU, "chu-copie")  # /tmp/… avant /work/… : premier dans l'ordre du lot
    lot_json, liste_json, liste_csv = tmp_path / "lot.json", tmp_path / "liste.json", tmp_path / "liste.csv"
    for liste in (liste_json, liste_csv):
        sortie = lancer("lot", CHU, double, LYS, "--date", DATE_EXEMPLES, "--programme", PAR_TAILLE, "--sans-cache", "--sans-progression",
                        "--jobs", "1", "--format", "json", "--sortie", str(lot_json), "--liste", str(liste))
    premier, second = sorted((CHU, double))
    message = _doublon(premier, second, raison="premier dans l'ordre du lot")
    assert f"avertissement : {message}" in sortie.stderr.splitlines()
    lot = json.loads(lot_json.read_text(encoding="utf-8"))
    assert lot["eligibilite"]["doublons"][0]["message"] == message
    assert {e["chemin"]: (e["eligibilite"]["decision"], e["eligibilite"]["montant_plafond"]) for e in lot["etablissements"]} == {
        premier: ("eligible", 60000), second: (None, None), LYS: ("eligible", 25000.5)}
    assert lot["eligibilite"]["decisions"] == {"eligible": 2, "non_eligible": 0, "incomplet": 0, "a_confirmer": 0, "clos": 0}
    assert lot["eligibilite"]["synthese"]["montant_plafond_total"] == 85000.5
    donnees = json.loads(liste_json.read_text(encoding="utf-8"))
    assert not [e.message for e in _validateur().iter_errors(donnees)]
    assert donnees["doublons"] == lot["eligibilite"]["doublons"] and len(donnees["candidatures"]) == 2
    assert f"\r\ndoublon;programme-exemple-par-taille;2026-10-01;{FINESS_CHU};;{second};" in liste_csv.read_bytes().decode("utf-8")
    tableau = tmp_path / "lot.html"
    lancer("lot", CHU, double, LYS, "--date", DATE_EXEMPLES, "--programme", PAR_TAILLE, "--sans-cache", "--sans-progression",
           "--jobs", "1", "--format", "html", "--sortie", str(tableau))
    assert f"<li>avertissement : {message}</li>".replace("'", "&#39;") in tableau.read_text(encoding="utf-8")


def test_financements_md_montre_le_vrai_avertissement(lancer, tmp_path, monkeypatch):
    for dossier in ("exemples/chu-armorique", "copie/chu-armorique"):
        shutil.copytree(CHU, tmp_path / dossier)
    monkeypatch.chdir(tmp_path)
    sortie = lancer("eligibilite", "exemples/chu-armorique", "copie/chu-armorique", "--programme", PAR_TAILLE,
                    "--date", DATE_EXEMPLES, "--format", "json")
    texte = (RACINE / "docs" / "financements.md").read_text(encoding="utf-8")
    assert sortie.stderr.startswith("avertissement : ") and f"```text\n{sortie.stderr}```" in texte
    differences = "les dépôts diffèrent (profil : effectif ; FOR-01 au 2026-10-01 : conforme / preuve_manquante) : candidature incomplète, donnez un seul dépôt"
    assert differences in " ".join(texte.split())  # le message du test des dépôts qui diffèrent


def test_ecarter_doublons_trois_depots_et_message_borne():
    from verificateur.financements.decision import ecarter_doublons
    from verificateur.financements.dossiers import Dossier

    def dossier(chemin: str, statut: str, finess: str = FINESS_CHU) -> Dossier:
        verdicts = {"2026-10-01": {f"R-{i}": {"statut": statut} for i in range(7)}}
        return Dossier(chemin, profil={"finess": finess, "categorie": "chu"}, verdicts=verdicts)

    retenus, (doublon,) = ecarter_doublons([dossier("b", "conforme"), dossier("autre", "conforme", "590028718"),
                                            dossier("a", "non_conforme"), dossier("c", "conforme")])
    assert [d.chemin for d in retenus] == ["b", "autre"]
    assert (doublon["retenu"], doublon["ecartes"], len(doublon["differences"])) == ("b", ["a", "c"], 7)
    assert doublon["message"] == (
        f"FINESS {FINESS_CHU} donné par 3 dépôts : b retenu (premier dépôt donné), a, c écartés ; l'établissement n'est "
        "décidé, compté et sommé qu'une fois ; les dépôts diffèrent (R-0 au 2026-10-01 : conforme / non_conforme / conforme ; "
        + " ; ".join(f"R-{i} au 2026-10-01 : conforme / non_conforme / conforme" for i in range(1, 5))
        + " ; et 2 autre(s)) : candidature incomplète, donnez un seul dépôt")


def test_un_programme_livre_est_montre_par_son_nom_pas_par_le_chemin_d_installation(lancer, tmp_path, monkeypatch):
    """Lancé d'ailleurs (ou installé dans un environnement), un programme livré est cité
    « politiques/financements/… », jamais par le chemin absolu de l'installation (#17.4)."""
    monkeypatch.chdir(tmp_path)
    sortie = lancer("eligibilite", str(EXEMPLES / "chu-armorique"), "--programme", "care-domaine-2", "--date", DATE_EXEMPLES)
    assert "  - candidats (politiques/financements/care-domaine-2.yaml:" in sortie.stdout
    assert str(RACINE / "politiques") not in sortie.stdout and "_donnees" not in sortie.stdout
