"""L'échéancier (`verificateur echeances`, docs/echeances.md) : chaque échéance annoncée est
vérifiée par une évaluation indépendante (la CLI `evaluer`, qui relit le dépôt) à L − 1 (la règle
n'est pas encore en échec) et à L (elle l'est) ; la première est comparée à une évaluation jour par
jour ; le calendrier ics est relu par icalendar."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE
from test_depot_git import environnement_git, git, nouveau_depot, remplacer  # noqa: F401 (fixture)

ECHECS = ("non_conforme", "preuve_manquante", "erreur")
D = date.fromisoformat(DATE_EXEMPLES)


def echeancier(lancer, chemin: Path | str, *options: str) -> dict:
    sortie = lancer("echeances", str(chemin), "--date", DATE_EXEMPLES, "--format", "json", *options)
    assert sortie.code == 0, sortie
    return json.loads(sortie.stdout)


@lru_cache(maxsize=4)
def _catalogue(politiques: tuple[str, ...]):
    from verificateur import politiques as module

    return module.charger([Path(p) for p in politiques] or None, None)


def statuts_au(lancer, chemin: Path | str, jour: date, *options: str) -> dict[str, str]:
    """Le dépôt relu et évalué par le pipeline d'`evaluer` (moteur.evaluer_source), comme une
    évaluation ordinaire à cette date ; `options` : `--politiques DOSSIER` seulement."""
    from verificateur.evaluation import moteur
    from verificateur.sources import SourceArbre

    politiques = tuple(b for a, b in zip(options, options[1:]) if a == "--politiques")
    rapport = moteur.evaluer_source(SourceArbre(str(chemin)), _catalogue(politiques), jour, fraicheur=False)
    return {r["regle"]: r["statut"] for r in rapport["resultats"]}


def verifier_a_l_et_l_moins_1(lancer, chemin: Path | str, doc: dict, *options: str) -> None:
    """Chaque échéance : à L − 1 la règle a encore un statut qui n'est pas un échec, à L elle est en
    échec avec le statut annoncé ; et elle était bien conforme ou en dérogation à D."""
    au_jour = statuts_au(lancer, chemin, date.fromisoformat(doc["date_evaluation"]), *options)
    for e in doc["echeances"]:
        le = date.fromisoformat(e["date"])
        avant, apres = statuts_au(lancer, chemin, le - timedelta(days=1), *options), statuts_au(lancer, chemin, le, *options)
        assert au_jour[e["regle"]] == e["statut"] in ("conforme", "derogation"), e
        assert avant[e["regle"]] not in ECHECS, (e, avant[e["regle"]])
        assert apres[e["regle"]] == e["devient"] and e["devient"] in ECHECS, (e, apres[e["regle"]])
        assert e["jours"] == (le - date.fromisoformat(doc["date_evaluation"])).days


def resume(doc: dict) -> list[tuple[str, str, str, str]]:
    return [(e["date"], e["regle"], e["devient"], f"{e['fait']['fichier']}:{e['fait']['ligne']}") for e in doc["echeances"]]


# --- les exemples ------------------------------------------------------------------------------


def test_echeances_de_chu_armorique(lancer):
    doc = echeancier(lancer, EXEMPLES / "chu-armorique")
    assert resume(doc) == [
        ("2027-04-01", "FOR-04", "non_conforme", "derogations.yaml:3"),  # dérogation jusqu'au 2027-03-31
        ("2027-04-15", "EXE-01", "non_conforme", "exercices/2026-04-14-rancongiciel-ght.yaml:2"),  # exercice du 2026-04-14
        ("2027-07-01", "PBN-05", "non_conforme", "crise/plan-blanc-numerique.yaml:5"),  # revue du 2026-06-30
        ("2027-09-08", "VUL-01", "non_conforme", "vulnerabilites/veille.yaml:8"),  # analyse d'exposition du 2026-09-07
    ]
    assert doc["format"] == "verificateur/echeances/1" and doc["jusqu_au"] == "2027-10-01" and doc["regles_suivies"] == 21
    (derogation,) = [e for e in doc["echeances"] if e["regle"] == "FOR-04"]
    assert derogation["statut"] == "derogation"
    assert derogation["fait"]["texte"] == "dérogation accordée par direction jusqu'au 2027-03-31"
    assert derogation["renouveler"] == ("renouveler la dérogation, ou rendre la règle conforme : une campagne "
                                        "d'hameçonnage simulé a été menée dans les 365 derniers jours")
    (plan,) = [e for e in doc["echeances"] if e["regle"] == "PBN-05"]
    # La branche qui tenait (la revue), pas la date de validation, déjà trop ancienne à D.
    assert plan["fait"]["texte"] == "« 3.1 » : date de dernière revue du plan : 2026-06-30, attendu entre 2026-06-30 et 2027-06-30"
    assert plan["explication"].startswith("le plan blanc numérique n'a été ni validé ni revu dans les 365 derniers jours")


@pytest.mark.parametrize("exemple", sorted(p.name for p in EXEMPLES.iterdir() if p.is_dir()))
def test_chaque_echeance_des_exemples_tient_a_l_moins_1_et_tombe_a_l(lancer, exemple):
    doc = echeancier(lancer, EXEMPLES / exemple, "--horizon", "730")
    assert doc["echeances"], "chaque exemple a au moins une échéance à deux ans"
    verifier_a_l_et_l_moins_1(lancer, EXEMPLES / exemple, doc)


def test_echeances_avec_la_politique_care(lancer):
    """ch-cote-d-opale avec les politiques plan-national et care : une dérogation CaRE qui expire, la
    fin de l'année 2027 (plus de budget ni de formation de l'année ou de la précédente)."""
    options = ("--politiques", str(RACINE / "politiques" / "plan-national"), "--politiques", str(RACINE / "politiques" / "care"))
    doc = echeancier(lancer, EXEMPLES / "ch-cote-d-opale", "--horizon", "730", *options)
    assert [(e["date"], e["regle"], e["devient"]) for e in doc["echeances"]][3:6] == [
        ("2027-07-01", "CARE-D2-08", "non_conforme"), ("2027-07-07", "VUL-01", "non_conforme"),
        ("2028-01-01", "BUD-01", "preuve_manquante"),
    ]
    verifier_a_l_et_l_moins_1(lancer, EXEMPLES / "ch-cote-d-opale", doc, *options)


@pytest.mark.parametrize("exemple, politiques, horizon, attendues", [
    ("chu-armorique", (), 200, {"FOR-04": (date(2027, 4, 1), "non_conforme"), "EXE-01": (date(2027, 4, 15), "non_conforme")}),
    ("ch-cote-d-opale", ("plan-national", "care"), 300, {
        "FOR-04": (date(2027, 2, 18), "non_conforme"), "EXE-01": (date(2027, 3, 25), "non_conforme"),
        "PBN-05": (date(2027, 6, 24), "non_conforme"), "CARE-D2-08": (date(2027, 7, 1), "non_conforme"),
        "VUL-01": (date(2027, 7, 7), "non_conforme")}),
])
def test_la_premiere_echeance_est_celle_d_une_evaluation_jour_par_jour(exemple, politiques, horizon, attendues):
    """Sur l'horizon, toutes les règles évaluées chaque jour par le moteur : la première date d'échec
    de chaque règle suivie est celle annoncée, et aucune autre règle suivie n'échoue."""
    from verificateur import evaluation, preuves
    from verificateur.evaluation import echeances
    from verificateur.sources import SourceArbre

    catalogue = _catalogue(tuple(str(RACINE / "politiques" / p) for p in politiques))
    lues = preuves.charger(SourceArbre(str(EXEMPLES / exemple)))
    au_jour = evaluation.evaluer(catalogue, lues, D)
    suivies = {v.regle.id for v in au_jour.verdicts if v.statut in ("conforme", "derogation")}
    premieres: dict[str, tuple[date, str]] = {}
    for n in range(1, horizon + 1):
        jour = D + timedelta(days=n)
        for v in evaluation.evaluer(catalogue, lues, jour).verdicts:
            if v.regle.id in suivies and v.statut in ECHECS:
                premieres.setdefault(v.regle.id, (jour, v.statut))
    calcul = echeances.calculer(catalogue, lues, au_jour, horizon)
    assert {e.regle: (e.date, e.devient) for e in calcul.echeances} == premieres == attendues
    assert calcul.evaluations < horizon / 4  # les dates candidates, pas chaque jour


# --- des dépôts construits pour l'occasion -----------------------------------------------------


def copie(tmp_path: Path, nom: str = "chu-armorique") -> Path:
    cible = tmp_path / nom
    shutil.copytree(EXEMPLES / nom, cible)
    return cible


DEROGATION = """\
  - regle: FOR-04
    motif: "Campagne reportée"
    risque_accepte: "Risque atténué par le filtrage"
    accordee_par: direction
    accordee_le: {accordee}
    expire_le: {expire}
"""


def test_une_defaillance_qui_cesse_n_efface_pas_la_premiere_echeance(lancer, tmp_path):
    """Dérogation jusqu'au 2026-10-20, puis une autre à partir du 2026-11-01 : FOR-04 est en échec du
    2026-10-21 au 2026-10-31, puis de nouveau en dérogation. L'échéance est le 2026-10-21 (une
    dichotomie sur « encore en dérogation » entre D et D + 365 jours pourrait ne pas la voir)."""
    depot = copie(tmp_path)
    (depot / "derogations.yaml").write_text(
        "derogations:\n" + DEROGATION.format(accordee="2026-03-01", expire="2026-10-20")
        + DEROGATION.format(accordee="2026-11-01", expire="2027-06-30"), encoding="utf-8")
    doc = echeancier(lancer, depot)
    assert [(e["date"], e["regle"]) for e in doc["echeances"] if e["regle"] == "FOR-04"] == [("2026-10-21", "FOR-04")]
    assert statuts_au(lancer, depot, date(2026, 11, 1))["FOR-04"] == "derogation"  # la défaillance cesse
    verifier_a_l_et_l_moins_1(lancer, depot, doc)


def test_un_parametre_qui_change_fait_une_echeance(lancer, tmp_path):
    """Une nouvelle valeur de paramètre en vigueur le 2027-01-01 (couverture minimale 90 %) : FOR-01
    (88 % à D) tombe ce jour-là, et le fait cité est la couverture lue dans la preuve."""
    politique = tmp_path / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", politique)
    texte = (politique / "politique.yaml").read_text(encoding="utf-8")
    ancre = "  delai_correction_critique_jours:"
    nouvelle = ("      - depuis: 2027-01-01\n        valeur: 0.90\n        source: Valeur d'essai.\n\n")
    assert ancre in texte
    (politique / "politique.yaml").write_text(texte.replace(ancre, nouvelle + ancre, 1), encoding="utf-8")
    doc = echeancier(lancer, EXEMPLES / "chu-armorique", "--politiques", str(politique))
    (for01,) = [e for e in doc["echeances"] if e["regle"] == "FOR-01"]
    assert (for01["date"], for01["devient"]) == ("2027-01-01", "non_conforme")
    assert for01["fait"]["texte"] == "part du personnel sensibilisé : 88 %, attendu ≥ 90 % (couverture_formation_minimale)"
    verifier_a_l_et_l_moins_1(lancer, EXEMPLES / "chu-armorique", doc, "--politiques", str(politique))


POLITIQUE_MOIS = """\
politique:
  id: essai-mois
  titre: Essai des durées en mois
  version: "1.0.0"
  referentiels: [plan-national]
parametres:
  revue_mois:
    description: Ancienneté maximale du plan, en mois.
    unite: mois
    valeurs:
      - depuis: 2021-01-01
        valeur: 12
        source: Valeur d'essai.
      - depuis: 2027-03-01
        valeur: 6
        source: Valeur d'essai.
"""
REGLE_MOIS = """\
regles:
  - id: TST-01
    titre: Plan validé dans les derniers mois
    exigences: [PN22-PLAN-BLANC-NUMERIQUE]
    gravite: mineure
    description: Essai d'une durée en mois tirée d'un paramètre qui change.
    preuves:
      plan:
        fichier: crise/plan-blanc-numerique.yaml
    condition:
      toutes_ces_conditions:
        - dans_les_derniers: {date: {champ: plan.valide_le}, mois: {parametre: revue_mois}}
          libelle: date de validation du plan
        - inferieur: [{date: evaluation, moins: {mois: 1}}, {date: {champ: plan.valide_le}, plus: {ans: 1, jours: 10}}]
          libelle: fin de la tolérance
    messages:
      conforme: le plan a été validé dans les derniers mois
      non_conforme: le plan est trop ancien
"""


@pytest.mark.parametrize("valide_le", ["2026-01-31", "2026-02-28", "2026-03-31", "2026-08-31", "2026-09-30", "2024-02-29"])
def test_durees_en_mois_exactes_au_jour(tmp_path, valide_le):
    """Fins de mois raccourcies, années bissextiles, durée tirée d'un paramètre qui change : la
    première échéance est celle d'une évaluation jour par jour sur 800 jours."""
    from verificateur import evaluation, politiques, preuves
    from verificateur.evaluation import echeances
    from verificateur.sources import SourceArbre

    politique = tmp_path / "essai-mois"
    (politique / "regles").mkdir(parents=True)
    (politique / "politique.yaml").write_text(POLITIQUE_MOIS, encoding="utf-8")
    (politique / "regles" / "essai.yaml").write_text(REGLE_MOIS, encoding="utf-8")
    catalogue = politiques.charger([politique], None)
    assert not catalogue.problemes and list(catalogue.regles) == ["TST-01"]
    depot = copie(tmp_path)
    fichier = depot / "crise" / "plan-blanc-numerique.yaml"
    fichier.write_text(fichier.read_text(encoding="utf-8").replace("valide_le: 2025-11-20", f"valide_le: {valide_le}"), encoding="utf-8")
    lues = preuves.charger(SourceArbre(str(depot)))
    jour = date(2026, 9, 30) if valide_le != "2024-02-29" else date(2024, 3, 1)
    au_jour = evaluation.evaluer(catalogue, lues, jour)
    assert au_jour.verdicts[0].statut == "conforme"
    premiere = next((jour + timedelta(days=n) for n in range(1, 801)
                     if evaluation.evaluer(catalogue, lues, jour + timedelta(days=n)).verdicts[0].statut in ECHECS), None)
    calcul = echeances.calculer(catalogue, lues, au_jour, 800)
    assert [e.date for e in calcul.echeances] == [premiere]


REGLE_DUREE_LUE = """\
regles:
  - id: TST-02
    titre: Plan validé dans un délai lu dans une preuve
    exigences: [PN22-PLAN-BLANC-NUMERIQUE]
    gravite: mineure
    description: Essai d'une durée que les dates candidates ne connaissent pas (lue dans etablissement.yaml).
    preuves:
      plan:
        fichier: crise/plan-blanc-numerique.yaml
    condition:
      dans_les_derniers: {date: {champ: plan.valide_le}, jours: {champ: etablissement.effectif}}
      libelle: date de validation du plan
    messages:
      conforme: le plan a été validé dans le délai
      non_conforme: le plan est trop ancien
"""


def test_une_duree_lue_dans_une_preuve_est_trouvee_au_jour_pres(tmp_path):
    """Aucune candidate ne tombe le jour de l'échéance (valide_le + 377 jours + 1, la durée vient de
    la preuve) : la réévaluation jour par jour depuis la dernière candidate conforme la trouve."""
    from verificateur import evaluation, politiques, preuves
    from verificateur.evaluation import echeances
    from verificateur.sources import SourceArbre

    politique = tmp_path / "essai-duree"
    (politique / "regles").mkdir(parents=True)
    (politique / "politique.yaml").write_text(POLITIQUE_MOIS.replace("essai-mois", "essai-duree"), encoding="utf-8")
    (politique / "regles" / "essai.yaml").write_text(REGLE_DUREE_LUE, encoding="utf-8")
    catalogue = politiques.charger([politique], None)
    assert not catalogue.problemes
    depot = copie(tmp_path)
    remplacer(depot / "etablissement.yaml", "effectif: 8500", "effectif: 377")
    lues = preuves.charger(SourceArbre(str(depot)))
    au_jour = evaluation.evaluer(catalogue, lues, D)
    calcul = echeances.calculer(catalogue, lues, au_jour, 365)
    attendu = date(2025, 11, 20) + timedelta(days=378)
    assert attendu not in echeances.dates_candidates(catalogue, lues, D, D + timedelta(days=365))
    assert [(e.date, e.devient) for e in calcul.echeances] == [(attendu, "non_conforme")]
    assert [evaluation.evaluer(catalogue, lues, j).verdicts[0].statut for j in (attendu - timedelta(days=1), attendu)] == ["conforme", "non_conforme"]


# --- la commande ---------------------------------------------------------------------------------


def test_texte_de_la_commande(lancer):
    sortie = lancer("echeances", str(EXEMPLES / "ehpad-les-tilleuls"), "--date", DATE_EXEMPLES, "--horizon", "400")
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert lignes[1].endswith("évalué au 2026-10-01 ; échéances jusqu'au 2027-11-05 (400 jours)")
    assert "2027-05-29  dans 240 jour(s)  VUL-01 (majeure) : conforme → non conforme" in lignes
    assert lignes[-1] == "1 échéance(s) d'ici le 2027-11-05 ; 5 règle(s) conforme(s) ou en dérogation sans échéance dans l'horizon"


@pytest.mark.parametrize("options, message", [
    (("--horizon", "0"), "verificateur : horizon de 0 jour(s) : attendu entre 1 et 3660 jours (docs/echeances.md)"),
    (("--horizon", "3661"), "verificateur : horizon de 3661 jour(s) : attendu entre 1 et 3660 jours (docs/echeances.md)"),
    (("--revision", "HEAD", "--index"), "verificateur : --revision et --index s'excluent : choisissez une révision ou l'index"),
    (("--horizon", "abc"), "Usage : verificateur echeances [OPTIONS] [CHEMIN]\nEssayez « verificateur echeances --help » pour l'aide.\n\n"
                           "Erreur : Valeur invalide pour '--horizon' : nombre de jours attendu, trouvé « abc »"),
])
def test_options_refusees(lancer, options, message):
    sortie = lancer("echeances", str(EXEMPLES / "chu-armorique"), *options)
    assert sortie.code == 2 and sortie.stderr.strip() == message, sortie


def test_index_et_revision_git(lancer, tmp_path, environnement_git):  # noqa: F811
    """L'index (ce qui sera commité) : la revue du plan ajoutée mais pas commitée compte avec
    --index, pas avec --revision HEAD."""
    depot = nouveau_depot(tmp_path / "depot")
    remplacer(depot / "crise" / "plan-blanc-numerique.yaml", "derniere_revue: 2026-06-30", "derniere_revue: 2026-09-15")
    git(depot, "add", "crise/plan-blanc-numerique.yaml")
    index = echeancier(lancer, depot, "--index")
    head = echeancier(lancer, depot, "--revision", "HEAD")
    pbn = {d["depot"]["source"]: [e["date"] for e in d["echeances"] if e["regle"] == "PBN-05"] for d in (index, head)}
    assert pbn == {"index": ["2027-09-16"], "revision": ["2027-07-01"]}


def test_le_crochet_annonce_les_echeances_des_30_jours_sans_refuser(lancer, tmp_path, environnement_git):  # noqa: F811
    depot = nouveau_depot(tmp_path / "depot")
    sortie = lancer("crochet", str(depot), "--date", "2027-03-20")
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert [l for l in lignes if "ne sera plus" in l] == [
        "information : FOR-04 (Campagne d'hameçonnage simulé dans l'année) ne sera plus couverte par une dérogation "
        "dans 12 jour(s), le 2027-04-01 (derogations.yaml:3)",
        "information : EXE-01 (Exercice de crise cyber dans l'année) ne sera plus conforme dans 26 jour(s), "
        "le 2027-04-15 (exercices/2026-04-14-rancongiciel-ght.yaml:2)",
    ]
    assert lignes[-1].startswith("verificateur : commit accepté — 0 régression(s)")
    # Au-delà de 30 jours, rien.
    plus_tot = lancer("crochet", str(depot), "--date", "2027-02-01")
    assert plus_tot.code == 0 and "ne sera plus" not in plus_tot.stdout, plus_tot


def test_rapport_html_a_venir(lancer):
    import re

    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", "2027-02-01", "--format", "html")
    assert sortie.code == 0, sortie
    (section,) = re.findall(r'<section id="a-venir">.*?</section>', sortie.stdout, re.S)
    assert "<h2>À venir (2)</h2>" in section and "d'ici le 2027-05-02 (90 jours)" in section
    lignes = re.findall(r"<strong>([\d-]+)</strong><br><span class=\"discret\">dans (\d+) jour\(s\)</span></td>\s*"
                        r"<td class=\"insecable\"><a href=\"#regle-([A-Z0-9-]+)\">.*?<code>([^<]+)</code></td>", section, re.S)
    assert lignes == [("2027-04-01", "59", "FOR-04", "derogations.yaml:3"),
                      ("2027-04-15", "73", "EXE-01", "exercices/2026-04-14-rancongiciel-ght.yaml:2")]
    assert '<a href="#a-venir">À venir</a>' in sortie.stdout
    vide = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "html").stdout
    assert "<h2>À venir (0)</h2>" in vide and "Aucune échéance d'ici le 2026-12-30." in vide
    # Le contrat JSON du rapport ne change pas : l'échéancier a sa propre commande.
    assert "echeances" not in json.loads(lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", "2027-02-01", "--format", "json").stdout)


def test_lot_compte_les_echeances_a_90_jours_par_etablissement_et_par_region(lancer, tmp_path, monkeypatch):
    """Au 2027-01-15 : chu-armorique (région 53) a FOR-04 (2027-04-01) et EXE-01 (2027-04-15) dans les
    90 jours ; ch-cote-d-opale (32) FOR-04 (2027-02-18), EXE-01 (2027-03-25) ; ch-vallee-du-lys (32)
    PBN-05 (2027-02-06), FOR-04 (2027-03-18) ; ehpad-les-tilleuls (84) et clinique-de-l-estuaire (52) aucune."""
    from test_lot import lot_json

    monkeypatch.chdir(tmp_path)
    _, donnees = lot_json(lancer, str(EXEMPLES), "--date", "2027-01-15", "--sans-cache", "--jobs", "1")
    assert donnees["format"] == "verificateur/lot/2"
    par_finess = {e["raison_sociale"]: (e["echeances_90_jours"], [(x["regle"], x["date"], x["devient"]) for x in e["echeances"]])
                  for e in donnees["etablissements"]}
    assert par_finess == {
        "Centre hospitalier universitaire d'Armorique": (2, [("FOR-04", "2027-04-01", "non_conforme"), ("EXE-01", "2027-04-15", "non_conforme")]),
        "Centre hospitalier de la Côte d'Opale": (2, [("FOR-04", "2027-02-18", "non_conforme"), ("EXE-01", "2027-03-25", "non_conforme")]),
        "Centre hospitalier de la Vallée du Lys": (2, [("PBN-05", "2027-02-06", "non_conforme"), ("FOR-04", "2027-03-18", "non_conforme")]),
        "EHPAD Les Tilleuls": (0, []),
        "Clinique mutualiste de l'Estuaire": (0, []),
    }
    assert [(g["cle"], g["echeances_90_jours"]) for g in donnees["agregats"]["par_region"]] == [("32", 4), ("52", 0), ("53", 2), ("84", 0)]
    texte = lancer("lot", str(EXEMPLES), "--date", "2027-01-15", "--sans-cache", "--jobs", "1").stdout
    assert "échéances à 90 j" in texte.splitlines()[5]
    csv = lancer("lot", str(EXEMPLES), "--date", "2027-01-15", "--sans-cache", "--jobs", "1", "--format", "csv").stdout
    assert [l.rsplit(";", 1)[1] for l in csv.splitlines() if ";PBN-05;" in l and l.startswith(("590028718", "\ufeff590028718"))] == ["2027-02-06"]
    rapports = lancer("lot", str(EXEMPLES), "--date", "2027-01-15", "--sans-cache", "--jobs", "1", "--rapports", "r")
    assert rapports.code in (0, 1), rapports
    html = next((tmp_path / "r").glob("350042131-*.html")).read_text(encoding="utf-8")
    assert "<h2>À venir (2)</h2>" in html and '<a href="#regle-EXE-01"><code>EXE-01</code></a>' in html


# --- le calendrier ics ---------------------------------------------------------------------------


def test_calendrier_ics_relu_par_icalendar(lancer, tmp_path):
    from icalendar import Calendar

    fichier = tmp_path / "echeances.ics"
    sortie = lancer("echeances", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "ics", "--sortie", str(fichier))
    assert sortie.code == 0 and sortie.stdout == "", sortie
    brut = fichier.read_bytes()
    # RFC 5545 §3.1 : lignes terminées par CRLF, d'au plus 75 octets.
    assert brut.endswith(b"END:VCALENDAR\r\n") and b"\n" not in brut.replace(b"\r\n", b"")
    assert max(len(l) for l in brut.split(b"\r\n")) <= 75
    calendrier = Calendar.from_ical(brut)
    assert (str(calendrier["version"]), str(calendrier["prodid"])) == ("2.0", "-//verificateur//Echeancier de conformite//FR")
    evenements = calendrier.walk("VEVENT")
    doc = echeancier(lancer, EXEMPLES / "chu-armorique")
    assert len(evenements) == len(doc["echeances"]) == 4
    for evenement, e in zip(evenements, doc["echeances"]):
        assert evenement.decoded("dtstart") == date.fromisoformat(e["date"])
        assert evenement.decoded("dtend") == date.fromisoformat(e["date"]) + timedelta(days=1)
        assert evenement.decoded("dtstamp").isoformat() == "2026-10-01T00:00:00+00:00"  # la date d'évaluation, pas l'heure
        assert str(evenement["summary"]).startswith(f"{e['regle']} : {e['titre']} — non conforme le {e['date']}")
        assert f"({e['fait']['fichier']}:{e['fait']['ligne']})" in str(evenement["description"])
        (alarme,) = evenement.walk("VALARM")
        assert str(alarme["action"]) == "DISPLAY" and alarme.decoded("trigger") == timedelta(days=-30)
    uids = [str(ev["uid"]) for ev in evenements]
    assert len(set(uids)) == 4 and all(u.endswith("@verificateur") for u in uids)


def test_calendrier_ics_memes_entrees_memes_octets_et_uid_stable(lancer):
    def ics(jour: str) -> str:
        sortie = lancer("echeances", str(EXEMPLES / "chu-armorique"), "--date", jour, "--format", "ics")
        assert sortie.code == 0, sortie
        return sortie.stdout

    premier = ics(DATE_EXEMPLES)
    assert ics(DATE_EXEMPLES) == premier
    uid = [l for l in premier.splitlines() if l.startswith("UID:")]
    # Un mois plus tard, rien commité : les mêmes échéances gardent le même UID (l'agenda les met à jour).
    plus_tard = ics("2026-11-01")
    assert [l for l in plus_tard.splitlines() if l.startswith("UID:")] == uid
    assert "DTSTAMP:20261101T000000Z" in plus_tard.splitlines()


def test_calendrier_sans_echeance(lancer):
    sortie = lancer("echeances", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--horizon", "30", "--format", "ics")
    assert sortie.code == 0 and "BEGIN:VEVENT" not in sortie.stdout and sortie.stdout.startswith("BEGIN:VCALENDAR\r\n")


def test_le_calendrier_montre_dans_la_documentation_est_reel(lancer, monkeypatch):
    """Le bloc ```ics de docs/echeances.md est la sortie de la commande du § 2, aux CRLF près."""
    import re

    monkeypatch.chdir(RACINE)
    texte = (RACINE / "docs" / "echeances.md").read_text(encoding="utf-8")
    (bloc,) = re.findall(r"```ics\n(.*?)```", texte, flags=re.S)
    sortie = lancer("echeances", "exemples/ch-vallee-du-lys", "--date", "2026-10-01", "--horizon", "150", "--format", "ics")
    assert sortie.code == 0 and sortie.stdout.replace("\r\n", "\n") == bloc


@pytest.mark.parametrize("jour", ["9999-12-20", "0001-01-02"])
def test_date_d_evaluation_hors_de_la_plage_refusee(lancer, jour):
    sortie = lancer("echeances", str(EXEMPLES / "chu-armorique"), "--date", jour)
    assert sortie.code == 2 and sortie.stdout == ""
    assert sortie.stderr.splitlines()[-1] == (
        f"Erreur : Valeur invalide pour '--date' : date « {jour} » hors de la plage acceptée, du 1900-01-01 au 2999-12-31 (docs/limites.md)"
    )


@pytest.mark.parametrize("jour, horizon", [("2999-12-20", "3660"), ("2026-10-01", "3660")])
def test_dates_aux_bornes_du_calendrier(lancer, tmp_path, jour, horizon):
    """Des dates extrêmes dans les preuves (an 1, an 9999) et une date d'évaluation au bout du
    calendrier : aucune trace, un échéancier (éventuellement vide) dans chaque format."""
    depot = copie(tmp_path)
    remplacer(depot / "crise" / "plan-blanc-numerique.yaml", "derniere_revue: 2026-06-30", "derniere_revue: 9999-12-31")
    remplacer(depot / "derogations.yaml", "expire_le: 2027-03-31", "expire_le: 9999-12-25")
    remplacer(depot / "vulnerabilites" / "veille.yaml", "2026-09-07", "0001-01-01")
    for format_ in ("texte", "json", "ics"):
        sortie = lancer("echeances", str(depot), "--date", jour, "--horizon", horizon, "--format", format_)
        assert sortie.code == 0 and sortie.stderr == "", sortie
    doc = json.loads(lancer("echeances", str(depot), "--date", jour, "--horizon", horizon, "--format", "json").stdout)
    if jour == "2999-12-20":
        # La date d'évaluation la plus tardive acceptée, un horizon de dix ans au-delà de 2999 : rien ne
        # tombe (la dérogation court jusqu'en 9999), et aucune trace.
        assert doc["jusqu_au"] == "3009-12-28"
        assert doc["echeances"] == []
