"""Le programme CaRE (docs/care.md) : référentiel, politique chargée sur demande, extensions du format,
cas de test de chaque règle, rétrocompatibilité avec les dépôts du format 1, et l'exemple ch-cote-d-opale."""

import json

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE, ecrire_depot
from verificateur import politiques
from verificateur.auteurs import cas as module_cas, couverture

CARE = RACINE / "politiques" / "care"
PLAN = RACINE / "politiques" / "plan-national"
CATALOGUE = politiques.charger([PLAN, CARE])
CAS_CARE, PROBLEMES_CARE = module_cas.lire_cas(CARE)
REGLES_CARE = [f"CARE-D1-0{i}" for i in range(1, 5)] + [f"CARE-D2-{i:02d}" for i in range(1, 14)]
AVEC_CARE = ("--politiques", str(PLAN), "--politiques", str(CARE))


def evaluer_json(lancer, chemin, *options):
    sortie = lancer("evaluer", str(chemin), "--date", DATE_EXEMPLES, "--format", "json", *options)
    return sortie, json.loads(sortie.stdout)


# --- chargement : la politique care n'est pas chargée par défaut -------------------------------------


def test_par_defaut_seuls_plan_national_et_son_referentiel():
    defaut = politiques.charger()
    assert [p.id for p in defaut.politiques] == ["plan-national"]
    assert sorted(defaut.referentiels) == ["plan-national"]
    assert not any(e.startswith("CARE-") for e in defaut.exigences)


def test_la_politique_care_se_charge_nommee():
    assert sorted(r for r in CATALOGUE.regles if r.startswith("CARE-")) == REGLES_CARE
    assert sorted(CATALOGUE.referentiels) == ["care", "plan-national"]
    tout = politiques.charger([RACINE / "politiques"])  # un dossier de politiques : toutes, care comprise
    assert {"care", "plan-national"} <= {p.id for p in tout.politiques}
    seule = politiques.charger([CARE])  # référentiels par défaut : seulement ceux que cite care
    assert sorted(seule.referentiels) == ["care"] and len(seule.regles) == 17


def test_nom_d_une_politique_livree(lancer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # aucun dossier « care » ici : le nom désigne la politique livrée
    sortie = lancer("politiques", "lister", "care")
    assert sortie.code == 0, sortie
    assert sum(1 for l in sortie.stdout.splitlines() if l.startswith("CARE-")) == 17
    absente = lancer("politiques", "lister", "inconnue")
    assert (absente.code, absente.stderr) == (2, "verificateur : inconnue: dossier de politiques introuvable\n")


# --- les cas de test du pack, exécutés par pytest ---------------------------------------------------


def test_les_cas_de_care_sont_valides_et_couvrent_chaque_statut():
    assert [str(p) for p in PROBLEMES_CARE] == []
    assert len(CAS_CARE) >= 14 * 4
    tous, echecs, problemes = module_cas.tester(politiques.charger([CARE]), [CARE])
    assert (len(tous), [str(e) for e in echecs], [str(p) for p in problemes]) == (len(CAS_CARE), [], [])
    statuts = {(c.regle, c.attendu["statut"]) for c in CAS_CARE}
    for regle in REGLES_CARE:
        for statut in ("conforme", "non_conforme", "preuve_manquante", "erreur"):
            assert (regle, statut) in statuts, (regle, statut)


@pytest.mark.parametrize("cas", CAS_CARE, ids=[f"{c.regle}:{c.nom}" for c in CAS_CARE])
def test_cas_care(cas):
    echec = module_cas.executer(cas, CATALOGUE)
    assert echec is None, str(echec)


def test_politiques_tester_care_en_ligne_de_commande(lancer):
    sortie = lancer("politiques", "tester", str(CARE))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == f"{len(CAS_CARE)} cas réussi(s), 0 en échec, sur {len(CAS_CARE)} ; 0 règle(s) sans cas pour certains statuts"


# --- couverture du référentiel CaRE ----------------------------------------------------------------


def test_chaque_exigence_care_couverte_ou_non_verifiable_avec_sa_raison():
    lignes = [l for l in couverture.matrice(CATALOGUE) if l.referentiel == "care"]
    assert len(lignes) == 28
    assert [l.exigence for l in lignes if l.verifiable and not l.couverte] == []
    assert all(l.remarque.startswith("non vérifiable sur les preuves d'un établissement : ") and len(l.remarque) > 60
               for l in lignes if not l.couverte)
    par_id = {l.exigence: l for l in lignes}
    assert par_id["CARE-D1-EXPOSITION-INTERNET"].regles == ("CARE-D1-03", "CARE-D1-04")
    assert par_id["CARE-D2-O3C-3-2-1"].preuves == ("securite/mesures.yaml",)
    # Le prérequis P1 et l'objectif O2.B ont désormais leur règle (présence et dates seulement).
    assert (par_id["CARE-D2-P1-PSSI"].regles, par_id["CARE-D2-O2B-PLANS-SAUVEGARDE"].regles) == (("CARE-D2-11",), ("CARE-D2-12",))


def test_les_13_noeuds_evaluables_du_domaine_2_ont_leur_exigence_et_leur_regle():
    (d2,) = couverture.correspondances(CATALOGUE)
    assert (d2.referentiel, d2.id) == ("care", "ciso-assistant-care-d2")
    assert "7c1652c69f56e74f06a8e51545d630c749949618" in d2.version
    assert [n.noeud for n in d2.noeuds] == ["d2.p1", "d2.p2", "d2.o1.a", "d2.o1.b", "d2.o1.c", "d2.o1.d", "d2.o2.a",
                                            "d2.o2.b", "d2.o3.a", "d2.o3.b", "d2.o3.c", "d2.o3.d", "d2.o4"]
    assert all(n.couvert and n.exigences for n in d2.noeuds)
    par_noeud = {n.noeud: n for n in d2.noeuds}
    assert (par_noeud["d2.p1"].regles, par_noeud["d2.p1"].portee) == (("CARE-D2-11",), "presence")
    assert (par_noeud["d2.o2.b"].regles, par_noeud["d2.o2.b"].portee) == (("CARE-D2-12",), "presence")
    assert (par_noeud["d2.o1.c"].regles, par_noeud["d2.o1.c"].portee) == (("CARE-D2-02", "CARE-D2-03"), "partielle")
    assert d2.bilan() == "ciso-assistant-care-d2 : 13/13 nœuds couverts par une règle (0 complète(s), 6 partielle(s), 7 « document présent et daté »)"


def test_correspondance_vers_un_noeud_ou_un_catalogue_inconnu(tmp_path, lancer):
    import shutil

    referentiels = tmp_path / "referentiels"
    referentiels.mkdir()
    texte = (RACINE / "referentiels" / "care.yaml").read_text(encoding="utf-8")
    texte = texte.replace("        noeud: d2.o4\n", "        noeud: d2.o5\n", 1).replace("      - catalogue: ciso-assistant-care-d2\n        noeud: d2.p1\n",
                                                                                    "      - catalogue: autre-grille\n        noeud: d2.p1\n", 1)
    (referentiels / "care.yaml").write_text(texte, encoding="utf-8")
    shutil.copy(RACINE / "referentiels" / "plan-national.yaml", referentiels / "plan-national.yaml")
    sortie = lancer("referentiels", "couverture", "--referentiels", str(referentiels), "--politiques", str(CARE))
    assert sortie.code == 2
    assert "exigence « CARE-D2-P1-PSSI » : catalogue « autre-grille » absent de la liste des catalogues (ciso-assistant-care-d2) (catalogue-inconnu)" in sortie.stderr
    assert "exigence « CARE-D2-O4-TEST-RESTAURATION » : nœud « d2.o5 » absent du catalogue « ciso-assistant-care-d2 » (noeud-inconnu)" in sortie.stderr


def test_couverture_care_en_ligne_de_commande(lancer):
    sortie = lancer("referentiels", "couverture", "--politiques", str(CARE))
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert "28 exigence(s) : 15 couverte(s) par au moins une règle, 0 vérifiable(s) non couverte(s), 13 non vérifiable(s)" in lignes
    assert lignes[-1] == "ciso-assistant-care-d2 : 13/13 nœuds couverts par une règle (0 complète(s), 6 partielle(s), 7 « document présent et daté »)"
    assert any(l.startswith("Catalogue externe ciso-assistant-care-d2 (référentiel care) : ") for l in lignes)
    assert any(l.split()[:4] == ["d2.p1", "CARE-D2-P1-PSSI", "CARE-D2-11", "document"] for l in lignes)
    csv = lancer("referentiels", "couverture", "--politiques", str(CARE), "--format", "csv").stdout
    assert "ciso-assistant-care-d2:d2.o3.c (presence)" in csv
    html = lancer("referentiels", "couverture", "--politiques", str(CARE), "--format", "html").stdout
    assert '<section class="referentiel" id="catalogue-ciso-assistant-care-d2">' in html and "13/13 nœuds couverts" in html
    assert not [l for l in sortie.stdout.splitlines() if l.startswith(("PN2", "LEG-"))]  # référentiel plan-national non chargé
    tout = lancer("referentiels", "couverture", "--referentiels", str(RACINE / "referentiels"), "--politiques", str(RACINE / "politiques"))
    assert "50 exigence(s) : 31 couverte(s) par au moins une règle, 0 vérifiable(s) non couverte(s), 19 non vérifiable(s)" in tout.stdout.splitlines()


# --- rétrocompatibilité : un dépôt du format 1 sans les extensions ----------------------------------


@pytest.mark.parametrize("exemple", ["chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls"])
def test_format_1_sans_extension_preuve_manquante_sur_care_seulement(lancer, exemple):
    _, seul = evaluer_json(lancer, EXEMPLES / exemple)
    _, avec = evaluer_json(lancer, EXEMPLES / exemple, *AVEC_CARE)
    statuts = {r["regle"]: r["statut"] for r in avec["resultats"]}
    assert {r: s for r, s in statuts.items() if r.startswith("CARE-")} == {r: "preuve_manquante" for r in REGLES_CARE}
    assert {r: s for r, s in statuts.items() if not r.startswith("CARE-")} == {r["regle"]: r["statut"] for r in seul["resultats"]}
    assert avec["synthese"]["erreur"] == 0
    assert [p for p in avec["problemes"] if p["niveau"] == "erreur"] == []


# --- l'exemple ch-cote-d-opale (exemples/ATTENDUS.md) -----------------------------------------------

PLAN_NATIONAL_OPALE = {
    **{r: "conforme" for r in ("BUD-01", "BUD-02", "EXE-01", "EXE-03", "EXE-04", "PBN-01", "PBN-02", "PBN-03", "PBN-04",
                               "PBN-05", "FOR-01", "FOR-02", "FOR-03", "FOR-04", "VUL-01", "HYG-01", "HYG-02", "HYG-03", "INC-01")},
    "BUD-03": "non_conforme", "VUL-02": "non_conforme", "EXE-02": "non_applicable",
}
CARE_OPALE = {
    **{r: "conforme" for r in ("CARE-D1-01", "CARE-D1-02", "CARE-D1-03", "CARE-D2-01", "CARE-D2-02", "CARE-D2-04",
                               "CARE-D2-05", "CARE-D2-06", "CARE-D2-07", "CARE-D2-09", "CARE-D2-10", "CARE-D2-11",
                               "CARE-D2-12", "CARE-D2-13")},
    "CARE-D1-04": "non_conforme", "CARE-D2-03": "non_conforme", "CARE-D2-08": "derogation",
}


def test_verdicts_exacts_de_ch_cote_d_opale(lancer):
    sortie, rapport = evaluer_json(lancer, EXEMPLES / "ch-cote-d-opale", *AVEC_CARE)
    assert {r["regle"]: r["statut"] for r in rapport["resultats"]} == {**PLAN_NATIONAL_OPALE, **CARE_OPALE}
    assert sortie.code == 1
    s = rapport["synthese"]
    assert (s["conforme"], s["non_conforme"], s["derogation"], s["non_applicable"], s["total"], s["taux_conformite"]) == (33, 4, 1, 1, 39, 0.8684)
    assert s["statut_global"] == "non_conforme"
    assert rapport["problemes"] == []
    assert sorted(p["id"] for p in rapport["politiques"]) == ["care", "plan-national"]
    par_regle = {r["regle"]: r for r in rapport["resultats"]}
    assert par_regle["CARE-D1-04"]["explication"] == (
        "le dernier audit d'exposition est trop ancien ou n'atteint pas le niveau minimum — date du dernier audit "
        "d'exposition : 2026-07-06, attendu entre 2026-08-02 et 2026-10-01")
    assert par_regle["CARE-D2-03"]["explication"] == (
        "les BIA et PCRA couvrent moins de 66 % de l'activité — part de l'activité couverte : 58 %, attendu ≥ 66 % "
        "(part_activite_minimale_pcra)")
    assert par_regle["CARE-D2-08"]["derogation"]["expire_le"] == "2027-06-30"
    assert par_regle["CARE-D2-08"]["derogation"]["statut_initial"] == "non_conforme"


def test_ch_cote_d_opale_avec_la_politique_par_defaut(lancer):
    sortie, rapport = evaluer_json(lancer, EXEMPLES / "ch-cote-d-opale")
    assert {r["regle"]: r["statut"] for r in rapport["resultats"]} == PLAN_NATIONAL_OPALE
    assert sortie.code == 1
    assert [(p["code"], p["niveau"]) for p in rapport["problemes"]] == [("derogation-regle-inconnue", "avertissement")]


def test_ch_cote_d_opale_preuves_valides(lancer):
    sortie = lancer("preuves", "valider", str(EXEMPLES / "ch-cote-d-opale"))
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == "37 fichier(s) de preuve lu(s), 37 valide(s) ; 0 erreur(s), 0 avertissement(s)"


def test_ght_de_l_exemple_distinct_des_autres_exemples():
    import yaml

    noms = {}
    for fichier in sorted(EXEMPLES.glob("*/etablissement.yaml")):
        ght = yaml.safe_load(fichier.read_text(encoding="utf-8")).get("ght")
        if ght:
            noms.setdefault(ght["nom"], []).append(fichier.parent.name)
    assert noms["GHT Littoral Côte d'Opale"] == ["ch-cote-d-opale"]


# --- contrôles des nouvelles preuves -----------------------------------------------------------------

ETABLISSEMENT = (RACINE / "politiques" / "care" / "tests" / "base" / "etablissement.yaml").read_text(encoding="utf-8")
EXPO = "date: {date}\noutil: SILENE\nservices_exposes: 3\nvulnerabilites: {{critique: 0, haute: 0, moyenne: 1, faible: 2}}\nniveau_minimum_atteint: true\n"


def test_controles_des_extensions_care(lancer, tmp_path):
    depot = ecrire_depot(tmp_path / "depot", {
        "etablissement.yaml": ETABLISSEMENT,
        "annuaire/audit-ad-2025.yaml": "date: 2024-12-20\noutil: ORADAD\nrealise_par: interne\nniveau_anssi: 3\n",
        "annuaire/audit-ad.yaml": "date: 2025-01-10\n",
        "exposition/audit-2026-03-02.yaml": EXPO.format(date="2026-03-03"),
        "continuite/pca-pra.yaml": (
            "version: \"1.0\"\nvalide_le: 2025-11-12\nvalide_par: direction\ngouvernance: {responsable: rssi}\n"
            "perimetres:\n  - {nom: Urgences, type: soins, bia_le: 2025-09-15, pcra: continuite/pcra/urgences.md, rto_heures: 4, rpo_heures: 1}\n"
            "tests_pca:\n  - {date: 2026-02-10, perimetre: Réanimation, type: exercice_terrain, resultat: reussi}\n"
        ),
    })
    sortie = lancer("preuves", "valider", str(depot))
    assert sortie.code == 1
    assert sortie.stdout.splitlines() == [
        "annuaire/audit-ad-2025.yaml:1: audit du 2024-12-20 mais le fichier est nommé audit-ad-2025.yaml (annee-fichier)",
        "annuaire/audit-ad.yaml: avertissement : fichier non reconnu, ignoré ; attendu : annuaire/audit-ad-AAAA.yaml (fichier-non-reconnu)",
        "continuite/pca-pra.yaml:8: test du 2026-02-10 : périmètre « Réanimation » absent de perimetres (incoherence)",
        "exposition/audit-2026-03-02.yaml:1: audit du 2026-03-03 mais le fichier est nommé audit-2026-03-02.yaml (date-fichier)",
        "4 fichier(s) de preuve lu(s), 1 valide(s) ; 3 erreur(s), 1 avertissement(s)",
    ]
