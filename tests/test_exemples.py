"""Les trois établissements d'exemple, évalués au 2026-10-01 : verdicts exacts (exemples/ATTENDUS.md),
rapport JSON déterministe, codes de sortie."""

import json

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES

ATTENDUS = {
    "chu-armorique": {
        **{r: "conforme" for r in ("BUD-01", "BUD-02", "EXE-01", "EXE-02", "EXE-03", "EXE-04", "PBN-01", "PBN-02", "PBN-03",
                                   "PBN-04", "PBN-05", "FOR-01", "FOR-02", "FOR-03", "VUL-01", "VUL-02", "HYG-01", "HYG-02", "HYG-03", "INC-01")},
        "BUD-03": "non_conforme", "FOR-04": "derogation",
    },
    "ch-vallee-du-lys": {
        **{r: "conforme" for r in ("BUD-02", "BUD-03", "PBN-01", "PBN-04", "PBN-05", "FOR-01", "FOR-02", "FOR-03", "FOR-04", "VUL-01", "HYG-02", "HYG-03")},
        **{r: "non_conforme" for r in ("BUD-01", "EXE-01", "PBN-02", "PBN-03", "VUL-02", "HYG-01", "INC-01")},
        **{r: "non_applicable" for r in ("EXE-02", "EXE-03", "EXE-04")},
    },
    "ehpad-les-tilleuls": {
        **{r: "preuve_manquante" for r in ("BUD-01", "BUD-02", "BUD-03", "EXE-01", "FOR-02", "PBN-01", "PBN-02", "PBN-03", "PBN-04", "PBN-05", "VUL-02")},
        **{r: "non_applicable" for r in ("EXE-02", "EXE-03", "EXE-04")},
        **{r: "conforme" for r in ("FOR-03", "HYG-01", "HYG-02", "HYG-03", "INC-01", "VUL-01")},
        **{r: "non_conforme" for r in ("FOR-01", "FOR-04")},
    },
}
CODES = {"chu-armorique": 0, "ch-vallee-du-lys": 1, "ehpad-les-tilleuls": 1}


def evaluer_json(lancer, exemple, *options):
    sortie = lancer("evaluer", str(EXEMPLES / exemple), "--date", DATE_EXEMPLES, "--format", "json", *options)
    return sortie, json.loads(sortie.stdout)


@pytest.mark.parametrize("exemple", sorted(ATTENDUS))
def test_verdicts_des_exemples(lancer, exemple):
    sortie, rapport = evaluer_json(lancer, exemple)
    assert {r["regle"]: r["statut"] for r in rapport["resultats"]} == ATTENDUS[exemple]
    assert sortie.code == CODES[exemple]
    assert rapport["synthese"]["statut_global"] == ("conforme" if CODES[exemple] == 0 else "non_conforme")


def test_contrat_du_rapport_json(lancer):
    _, rapport = evaluer_json(lancer, "chu-armorique")
    assert list(rapport) == ["format", "outil", "etablissement", "depot", "date_evaluation", "politiques", "synthese", "resultats", "problemes", "empreinte"]
    assert rapport["format"] == "verificateur/rapport/1"
    assert rapport["depot"] == {"chemin": str(EXEMPLES / "chu-armorique"), "source": "arbre", "revision": None}
    assert [r["regle"] for r in rapport["resultats"]] == sorted(r["regle"] for r in rapport["resultats"])
    s = rapport["synthese"]
    assert (s["conforme"], s["non_conforme"], s["derogation"], s["total"], s["taux_conformite"]) == (20, 1, 1, 22, 0.9091)
    derogation = next(r for r in rapport["resultats"] if r["regle"] == "FOR-04")
    assert derogation["derogation"]["expire_le"] == "2027-03-31"
    assert derogation["derogation"]["statut_initial"] == "non_conforme"


def test_rapport_identique_octet_pour_octet_et_empreinte(lancer):
    from verificateur.evaluation.rapport import empreinte

    premier, rapport = evaluer_json(lancer, "ch-vallee-du-lys")
    second, _ = evaluer_json(lancer, "ch-vallee-du-lys")
    assert premier.stdout == second.stdout
    assert rapport["empreinte"] == empreinte(rapport)
    rapport["synthese"]["conforme"] += 1
    assert rapport["empreinte"] != empreinte(rapport)


def test_explications_exactes(lancer):
    _, rapport = evaluer_json(lancer, "ch-vallee-du-lys")
    par_regle = {r["regle"]: r for r in rapport["resultats"]}
    assert par_regle["HYG-01"]["details"] == [
        {"texte": "authentification multifacteur des comptes à privilèges : false, attendu true", "fichier": "securite/mesures.yaml", "ligne": 4},
    ]
    assert par_regle["PBN-02"]["details"][0]["texte"] == "titre(s) absent(s) de crise/plan-blanc-numerique.md : « Retour à la normale »"
    assert rapport["problemes"] == [{
        "fichier": "derogations.yaml", "ligne": 3, "code": "derogation-expiree",
        "message": "dérogation pour HYG-01 expirée le 2026-06-30 : non appliquée", "niveau": "avertissement",
    }]


def test_seuil_d_echec(lancer):
    sortie, rapport = evaluer_json(lancer, "chu-armorique", "--echec-a", "info")
    assert (sortie.code, rapport["synthese"]["statut_global"]) == (1, "non_conforme")  # BUD-03 (info) compte alors


def test_texte_une_ligne_par_regle_puis_bilan(lancer):
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES)
    lignes = sortie.stdout.splitlines()
    assert lignes[0] == "Centre hospitalier universitaire d'Armorique — FINESS 350042131"
    assert sum(1 for l in lignes if l[:4] in {"BUD-", "EXE-", "PBN-", "FOR-", "VUL-", "HYG-", "INC-"}) == 22
    assert lignes[-1] == "CONFORME — 1 non conforme, 1 dérogation, 20 conformes ; taux de conformité 90,9 % (seuil d'échec : mineure)"


@pytest.mark.parametrize(
    "arguments, code, message",
    [
        (["evaluer", "dossier-absent"], 2, "verificateur : dossier-absent: dossier introuvable, attendu un dépôt de preuves\n"),
        (["evaluer", str(EXEMPLES / "chu-armorique"), "--politiques", "nulle-part"], 2, "verificateur : nulle-part: dossier de politiques introuvable\n"),
    ],
)
def test_erreurs_d_utilisation(lancer, arguments, code, message):
    sortie = lancer(*arguments)
    assert (sortie.code, sortie.stderr) == (code, message)


def test_date_invalide(lancer):
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", "2026-02-30")
    assert sortie.code == 2
    assert "date invalide « 2026-02-30 », attendu une date réelle AAAA-MM-JJ" in sortie.stderr


@pytest.mark.parametrize(
    "remplacer, ligne",
    [
        (("gravite: mineure", "gravite: grave"), "« gravite » : valeur « grave » non permise ; valeurs permises : critique, majeure, mineure, info (valeur-non-permise)"),
        (("id: HYG-02", "id: HYG-01"), "règle « HYG-01 » déjà définie"),
        (("exigences: [PN21-PIECES-JOINTES]", "exigences: [PN21-PIECES-JOINTE]"), "règle « HYG-02 » : exigence « PN21-PIECES-JOINTE » inconnue des référentiels chargés (exigence-inconnue)"),
        (("fichier: securite/mesures.yaml", "fichier: securite/mesure.yaml"), "preuve « mesures » : « securite/mesure.yaml » ne peut désigner aucun fichier de preuve du format 1 (voir docs/preuves.md) (motif-sans-preuve)"),
    ],
)
def test_politique_invalide_refusee_avec_sa_ligne(tmp_path, lancer, remplacer, ligne):
    import shutil

    from conftest import RACINE

    copie = tmp_path / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", copie, ignore=shutil.ignore_patterns("tests"))
    regles = copie / "regles" / "hygiene.yaml"
    texte = regles.read_text(encoding="utf-8")
    assert remplacer[0] in texte
    regles.write_text(texte.replace(*remplacer, 1), encoding="utf-8")
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--politiques", str(copie))
    assert sortie.code == 2
    lignes = sortie.stderr.splitlines()
    assert lignes[-1] == "verificateur : politiques invalides"
    assert len(lignes) == 2 and lignes[0].startswith(f"{regles}:") and ligne in lignes[0], sortie


def test_erreur_interne_une_ligne_sans_trace(lancer, monkeypatch):
    from verificateur.evaluation import moteur

    def panne(*_args, **_kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(moteur, "evaluer_source", panne)
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES)
    assert (sortie.code, sortie.stderr) == (3, "verificateur : erreur interne (RuntimeError) ; relancez avec --debug et signalez-la\n")
