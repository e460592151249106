"""Textes de 2023 à 2026 (#13.3) : référentiel reglementaire-2026, politique nis2-hds chargée sur demande, clés
nis2 et oiv de etablissement.yaml et registre contrats/hebergeurs.csv, rétrocompatibilité des dépôts d'avant,
l'exemple clinique-de-l-estuaire (exemples/ATTENDUS.md) et les programmes CaRE de 2026."""

import json
import shutil

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, ecrire_depot
from verificateur import politiques
from verificateur.auteurs import cas as module_cas, couverture

NIS2_HDS = RACINE / "politiques" / "nis2-hds"
PLAN = RACINE / "politiques" / "plan-national"
CATALOGUE = politiques.charger([PLAN, NIS2_HDS])
CAS, PROBLEMES = module_cas.lire_cas(NIS2_HDS)
REGLES = ["HDS-01", "HDS-02", "NIS2-01", "OIV-01"]
AVEC = ("--politiques", str(PLAN), "--politiques", str(NIS2_HDS))
# Statuts que chaque règle peut prendre (OIV-01 ne peut pas être non conforme : statuts_inatteignables).
STATUTS = {
    "NIS2-01": {"conforme", "non_conforme", "preuve_manquante", "erreur", "non_applicable"},
    "OIV-01": {"conforme", "preuve_manquante", "erreur"},
    "HDS-01": {"conforme", "non_conforme", "preuve_manquante", "erreur"},
    "HDS-02": {"conforme", "non_conforme", "preuve_manquante", "erreur", "non_applicable"},
}


def evaluer_json(lancer, chemin, *options):
    sortie = lancer("evaluer", str(chemin), "--date", DATE_EXEMPLES, "--format", "json", *options)
    return sortie, json.loads(sortie.stdout)


# --- chargement ---------------------------------------------------------------------------------------


def test_non_chargee_par_defaut_chargee_nommee():
    defaut = politiques.charger()
    assert [p.id for p in defaut.politiques] == ["plan-national"]
    assert not set(REGLES) & set(defaut.regles)
    assert sorted(r for r in CATALOGUE.regles if r in REGLES) == REGLES
    assert sorted(CATALOGUE.referentiels) == ["plan-national", "reglementaire-2026"]


# --- les cas de test du pack : chaque règle, chaque statut -------------------------------------------


def test_les_cas_sont_valides_et_couvrent_chaque_statut():
    assert [str(p) for p in PROBLEMES] == []
    tous, echecs, problemes = module_cas.tester(politiques.charger([NIS2_HDS]), [NIS2_HDS])
    assert (len(tous), [str(e) for e in echecs], [str(p) for p in problemes]) == (len(CAS), [], [])
    statuts: dict[str, set[str]] = {}
    for c in CAS:
        statuts.setdefault(c.regle, set()).add(c.attendu["statut"])
    assert statuts == STATUTS


@pytest.mark.parametrize("cas", CAS, ids=[f"{c.regle}:{c.nom}" for c in CAS])
def test_cas_nis2_hds(cas):
    echec = module_cas.executer(cas, CATALOGUE)
    assert echec is None, str(echec)


def test_politiques_tester_en_ligne_de_commande(lancer):
    sortie = lancer("politiques", "tester", str(NIS2_HDS))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == f"{len(CAS)} cas réussi(s), 0 en échec, sur {len(CAS)} ; 0 règle(s) sans cas pour certains statuts"


# --- couverture : DNS/2025/12 non vérifiable, avec sa raison -----------------------------------------


def test_couverture_du_referentiel_reglementaire():
    lignes = {l.exigence: l for l in couverture.matrice(CATALOGUE) if l.referentiel == "reglementaire-2026"}
    assert sorted(lignes) == ["DNS-2025-12", "LEG-HDS", "LEG-NIS2", "LEG-OIV-SANTE"]
    assert lignes["LEG-NIS2"].regles == ("NIS2-01",)
    assert lignes["LEG-OIV-SANTE"].regles == ("OIV-01",)
    assert lignes["LEG-HDS"].regles == ("HDS-01", "HDS-02")
    assert lignes["LEG-HDS"].preuves == ("contrats/hebergeurs.csv",)
    dns = lignes["DNS-2025-12"]
    assert not dns.verifiable and not dns.couverte
    assert dns.remarque.startswith("non vérifiable sur les preuves d'un établissement : Non vérifiable en l'état : seule la fiche")


# --- rétrocompatibilité : les dépôts d'avant 2026 ----------------------------------------------------


@pytest.mark.parametrize("exemple", ["chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls", "ch-cote-d-opale"])
def test_depots_d_avant_preuve_manquante_ou_non_applicable_jamais_erreur(lancer, exemple):
    _, seul = evaluer_json(lancer, EXEMPLES / exemple)
    _, avec = evaluer_json(lancer, EXEMPLES / exemple, *AVEC)
    statuts = {r["regle"]: r["statut"] for r in avec["resultats"]}
    attendu = {r: "preuve_manquante" for r in REGLES}
    if exemple == "ehpad-les-tilleuls":
        attendu["NIS2-01"] = "non_applicable"  # choix du projet : établissements sanitaires seulement
    assert {r: statuts[r] for r in REGLES} == attendu
    assert {r: s for r, s in statuts.items() if r not in REGLES} == {r["regle"]: r["statut"] for r in seul["resultats"]}
    assert avec["synthese"]["erreur"] == 0
    assert [p for p in avec["problemes"] if p["niveau"] == "erreur"] == []


# --- l'exemple clinique-de-l-estuaire (exemples/ATTENDUS.md) -----------------------------------------

PLAN_NATIONAL_ESTUAIRE = {
    **{r: "preuve_manquante" for r in ("BUD-01", "BUD-02", "BUD-03", "EXE-01", "FOR-01", "FOR-02", "FOR-03", "FOR-04",
                                       "PBN-01", "PBN-02", "PBN-03", "PBN-04", "PBN-05", "VUL-02")},
    **{r: "non_applicable" for r in ("EXE-02", "EXE-03", "EXE-04")},
    **{r: "conforme" for r in ("VUL-01", "HYG-01", "HYG-02", "HYG-03", "INC-01")},
}
NIS2_HDS_ESTUAIRE = {"NIS2-01": "non_conforme", "OIV-01": "conforme", "HDS-01": "conforme", "HDS-02": "non_conforme"}


def test_verdicts_exacts_de_clinique_de_l_estuaire(lancer):
    sortie, rapport = evaluer_json(lancer, EXEMPLES / "clinique-de-l-estuaire", *AVEC)
    assert {r["regle"]: r["statut"] for r in rapport["resultats"]} == {**PLAN_NATIONAL_ESTUAIRE, **NIS2_HDS_ESTUAIRE}
    assert sortie.code == 1
    s = rapport["synthese"]
    assert (s["conforme"], s["non_conforme"], s["preuve_manquante"], s["non_applicable"], s["total"], s["taux_conformite"]) == (7, 2, 14, 3, 26, 0.3043)
    assert s["statut_global"] == "non_conforme"
    assert rapport["problemes"] == []
    par_regle = {r["regle"]: r for r in rapport["resultats"]}
    assert par_regle["NIS2-01"]["gravite"] == "info"
    assert par_regle["NIS2-01"]["explication"].startswith(
        "le statut NIS 2 déclaré ne correspond pas aux seuils de taille de l'entité juridique (indicatif : loi de transposition non promulguée au dernier état trouvé, 10 septembre 2025) — "
        "statut déclaré : « importante », attendu = « essentielle »")
    assert "effectif de l'entité juridique : 312, attendu ≥ 250 (nis2_effectif_entite_essentielle)" in par_regle["NIS2-01"]["explication"]
    assert par_regle["HDS-02"]["explication"] == (
        "un hébergeur de données de santé sous contrat n'est pas certifié selon le référentiel HDS de 2024 — "
        "« Imagerie Atlantique Hébergement SA » : référentiel du certificat HDS : « 2018 », attendu = « 2024 »")
    assert [p["fichier"] for p in par_regle["HDS-02"]["preuves"]] == ["contrats/hebergeurs.csv"]


def test_clinique_de_l_estuaire_avec_la_politique_par_defaut(lancer):
    sortie, rapport = evaluer_json(lancer, EXEMPLES / "clinique-de-l-estuaire")
    assert {r["regle"]: r["statut"] for r in rapport["resultats"]} == PLAN_NATIONAL_ESTUAIRE
    assert sortie.code == 1
    assert rapport["problemes"] == []


def test_clinique_de_l_estuaire_preuves_valides(lancer):
    sortie = lancer("preuves", "valider", str(EXEMPLES / "clinique-de-l-estuaire"))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == "5 fichier(s) de preuve lu(s), 5 valide(s) ; 0 erreur(s), 0 avertissement(s)"


# --- le registre des hébergeurs : contrôles et messages ------------------------------------------------


def test_registre_incoherent_ligne_citee(lancer, tmp_path):
    depot = ecrire_depot(tmp_path / "d", {
        "etablissement.yaml": (EXEMPLES / "clinique-de-l-estuaire" / "etablissement.yaml").read_text(encoding="utf-8"),
        "contrats/hebergeurs.csv": (
            "prestataire;service;donnees_de_sante;debut;fin;certificat;referentiel_hds;certifie_jusqu_au\n"
            "Nuage Fictif SAS;DPI;oui;2024-06-01;2024-01-01;HDS-1;2024;2027-03-31\n"
            "Archives Fictives SA;PACS;oui;2024-06-01;;;2024;2027-03-31\n"
        ),
    })
    sortie = lancer("preuves", "valider", str(depot))
    assert sortie.code == 1
    assert sortie.stdout.splitlines()[:-1] == [
        "contrats/hebergeurs.csv:2: contrat « Nuage Fictif SAS » (DPI) : fin le 2024-01-01, avant son début le 2024-06-01 (incoherence)",
        "contrats/hebergeurs.csv:3: contrat « Archives Fictives SA » (PACS) : « certifie_jusqu_au » renseigné sans numéro de certificat (colonne « certificat ») (incoherence)",
        "contrats/hebergeurs.csv:3: contrat « Archives Fictives SA » (PACS) : « referentiel_hds » renseigné sans numéro de certificat (colonne « certificat ») (incoherence)",
    ]


def test_fichier_non_reconnu_dans_contrats(lancer, tmp_path):
    depot = ecrire_depot(tmp_path / "d", {
        "etablissement.yaml": (EXEMPLES / "clinique-de-l-estuaire" / "etablissement.yaml").read_text(encoding="utf-8"),
        "contrats/hebergeur.csv": "prestataire\n",
    })
    sortie = lancer("preuves", "valider", str(depot))
    assert "contrats/hebergeur.csv: avertissement : fichier non reconnu, ignoré ; attendu : contrats/hebergeurs.csv (fichier-non-reconnu)" in sortie.stdout


def test_init_fournit_un_modele_de_registre_valide(lancer, tmp_path):
    cible = tmp_path / "nouveau"
    assert lancer("init", str(cible)).code == 0
    modele = cible / "modeles" / "contrats" / "hebergeurs.csv"
    assert modele.is_file()
    (cible / "contrats").mkdir()
    shutil.copy(modele, cible / "contrats" / "hebergeurs.csv")
    sortie = lancer("preuves", "valider", str(cible))
    assert sortie.code == 0, sortie


# --- programmes CaRE de 2026 ------------------------------------------------------------------------


@pytest.mark.parametrize("programme", ["care-hospiconnect-2026", "care-domaine-1-bis"])
def test_programmes_2026_decisions_et_hypotheses(lancer, programme):
    def decision(exemple, date=DATE_EXEMPLES):
        sortie = lancer("eligibilite", str(EXEMPLES / exemple), "--programme", programme, "--date", date, "--format", "json")
        return sortie, json.loads(sortie.stdout)

    sortie, rapport = decision("clinique-de-l-estuaire")
    # Ni la clôture du guichet ni les critères détaillés ne sont publiés : « à confirmer » (code 4), en les
    # nommant ; jamais « éligible » sur un guichet peut-être clos.
    assert sortie.code == 4
    (candidature,) = rapport["candidatures"]
    assert candidature["decision"] == "a_confirmer"
    assert candidature["montant_plafond"] is None
    a_confirmer = [m["message"] for m in candidature["motifs"] if m["resultat"] == "a_confirmer"]
    assert len(a_confirmer) == 2
    assert "clôture inconnue : clôture du guichet de candidature" in a_confirmer[0]
    assert "critères d'éligibilité à confirmer : critères d'éligibilité" in a_confirmer[1]
    assert any(h["element"] == "fenetre.candidature" and "clôture" in h["texte"] for h in rapport["hypotheses"])
    assert all(m["hypothese_projet"] for m in candidature["motifs"])
    # La catégorie « ehpad » n'est exclue que par l'hypothèse du projet : à confirmer, pas « non éligible ».
    sortie, rapport = decision("ehpad-les-tilleuls")
    (candidature,) = rapport["candidatures"]
    assert (sortie.code, candidature["decision"]) == (4, "a_confirmer")
    (categorie,) = [m for m in candidature["motifs"] if m["condition"].startswith("catégorie")]
    assert categorie["resultat"] == "a_confirmer" and "« ehpad » non admise" in categorie["message"]


def test_programme_cloture_et_fait_inconnu_s_excluent(lancer, tmp_path):
    source = (RACINE / "politiques" / "financements" / "care-hospiconnect-2026.yaml").read_text(encoding="utf-8")
    fichier = tmp_path / "p.yaml"
    fichier.write_text(source.replace("    ouverture: 2026-01-20\n", "    ouverture: 2026-01-20\n    cloture: 2026-12-31\n"), encoding="utf-8")
    sortie = lancer("eligibilite", str(EXEMPLES / "clinique-de-l-estuaire"), "--programme", str(fichier), "--date", DATE_EXEMPLES)
    assert sortie.code == 2
    assert "fenêtre de candidature : « cloture » ou « fait_inconnu » attendu, pas les deux" in sortie.stderr


def test_d1_bis_pas_encore_ouvert_le_12_fevrier_2026(lancer):
    sortie = lancer("eligibilite", str(EXEMPLES / "clinique-de-l-estuaire"), "--programme", "care-domaine-1-bis",
                    "--date", "2026-02-12", "--format", "json")
    rapport = json.loads(sortie.stdout)
    assert rapport["candidatures"][0]["decision"] == "non_eligible"
