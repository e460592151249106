"""Les agrégats d'un lot (verificateur/lot/agregats.py) : fonctions pures, testées sur des entrées écrites
à la main, sans processus ni dépôt."""

from __future__ import annotations

from verificateur.lot import agregats

REGLES = [
    {"regle": "BUD-01", "titre": "Budget", "gravite": "majeure"},
    {"regle": "EXE-01", "titre": "Exercice", "gravite": "majeure"},
    {"regle": "FOR-04", "titre": "Hameçonnage", "gravite": "mineure"},
]


def etab(chemin, finess, region, categorie, resultats, taux, statut_global, echeances=0):
    return {
        "chemin": chemin, "etat": "evalue", "finess": finess, "raison_sociale": f"Établissement {finess}",
        "region": region, "categorie": categorie, "resultats": resultats,
        "synthese": {"taux_conformite": taux, "statut_global": statut_global}, "echeances_90_jours": echeances,
    }


def echec(chemin):
    return {"chemin": chemin, "etat": "echec", "finess": None, "raison_sociale": None, "region": None,
            "categorie": None, "resultats": {}, "synthese": None, "echeances_90_jours": None}


A = etab("d/a", "350000001", "53", "chu", {"BUD-01": "conforme", "EXE-01": "conforme", "FOR-04": "derogation"}, 0.6667, "conforme", 2)
B = etab("d/b", "350000002", "53", "ch", {"BUD-01": "non_conforme", "EXE-01": "preuve_manquante", "FOR-04": "non_applicable"}, 0.0, "non_conforme")
C = etab("d/c", "690000003", "84", "ch", {"BUD-01": "conforme", "EXE-01": "erreur", "FOR-04": "conforme"}, 0.6667, "non_conforme", 1)
X = echec("d/x")
LOT = [X, A, B, C]


def test_synthese():
    assert agregats.synthese(LOT) == {
        "depots": 4, "evalues": 3, "echecs": 1, "conformes": 1, "non_conformes": 2, "taux_conformite_moyen": 0.4445,
    }
    assert agregats.synthese([X])["taux_conformite_moyen"] is None


def test_par_region_et_par_categorie():
    assert agregats.par_region(LOT) == [
        {"cle": "53", "evalues": 2, "conformes": 1, "non_conformes": 1, "taux_etablissements_conformes": 0.5,
         "taux_conformite_moyen": 0.3333,  # 0,33335 en binaire : un peu moins
         "statuts": {"conforme": 2, "non_conforme": 1, "preuve_manquante": 1, "erreur": 0, "non_applicable": 1, "derogation": 1},
         "echeances_90_jours": 2},  # A : 2, B : 0 (l'échec X n'est dans aucun groupe)
        {"cle": "84", "evalues": 1, "conformes": 0, "non_conformes": 1, "taux_etablissements_conformes": 0.0,
         "taux_conformite_moyen": 0.6667,
         "statuts": {"conforme": 2, "non_conforme": 0, "preuve_manquante": 0, "erreur": 1, "non_applicable": 0, "derogation": 0},
         "echeances_90_jours": 1},
    ]
    assert [(g["cle"], g["evalues"], g["conformes"]) for g in agregats.par_categorie(LOT)] == [("ch", 2, 0), ("chu", 1, 1)]
    sans_region = {**A, "region": None}
    assert agregats.par_region([sans_region])[0]["cle"] == "inconnue"


def test_par_regle_une_derogation_n_est_pas_une_conformite():
    lignes = {l["regle"]: l for l in agregats.par_regle(LOT, REGLES)}
    assert lignes["BUD-01"]["taux_conformite"] == 0.6667 and lignes["BUD-01"]["evalues"] == 3
    # FOR-04 : conforme, dérogation, non applicable → 1 conforme sur 2 applicables.
    assert lignes["FOR-04"]["taux_conformite"] == 0.5
    assert lignes["FOR-04"]["statuts"] == {"conforme": 1, "non_conforme": 0, "preuve_manquante": 0, "erreur": 0, "non_applicable": 1, "derogation": 1}
    # Une règle qui ne s'applique nulle part n'a pas de taux.
    seule = etab("d/z", "350000009", "53", "chu", {"BUD-01": "non_applicable"}, 1.0, "conforme")
    assert agregats.par_regle([seule], REGLES[:1])[0]["taux_conformite"] is None


def test_regles_les_plus_echouees():
    lignes = agregats.par_regle(LOT, REGLES)
    # EXE-01 : preuve manquante + erreur = 2 échecs ; BUD-01 : 1 ; FOR-04 : aucun (la dérogation est à part).
    assert agregats.regles_les_plus_echouees(lignes) == [{"regle": "EXE-01", "echecs": 2}, {"regle": "BUD-01", "echecs": 1}]
    assert agregats.regles_les_plus_echouees(lignes, limite=1) == [{"regle": "EXE-01", "echecs": 2}]


def test_etablissements_les_plus_en_difficulte():
    assert agregats.etablissements_les_plus_en_difficulte(LOT) == [
        {"chemin": "d/b", "finess": "350000002", "raison_sociale": "Établissement 350000002", "taux_conformite": 0.0, "echecs": 2},
        {"chemin": "d/c", "finess": "690000003", "raison_sociale": "Établissement 690000003", "taux_conformite": 0.6667, "echecs": 1},
    ]
    nombreux = [etab(f"d/{i:02d}", f"3500000{i:02d}", "53", "ch", {"BUD-01": "non_conforme"}, 0.5, "non_conforme") for i in range(15)]
    assert [l["chemin"] for l in agregats.etablissements_les_plus_en_difficulte(nombreux)] == [f"d/{i:02d}" for i in range(10)]


def test_agreger_ne_depend_pas_de_l_ordre_des_entrees():
    assert agregats.agreger(LOT, REGLES) == agregats.agreger([C, B, X, A], REGLES)
