"""Le format xlsx (#17.2) : relu avec openpyxl, chaque cellule a le type de sa colonne — FINESS et
région restent des textes (zéros de tête compris), les dates des dates, les taux des nombres au
format pourcentage —, l'en-tête est figé et filtré, et les mêmes entrées donnent les mêmes octets."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import DATE_EXEMPLES, EXEMPLES

PROGRAMME = EXEMPLES / "programme-exemple.yaml"


@pytest.fixture
def depots(tmp_path) -> Path:
    """Les exemples, plus un EHPAD de l'Ain (FINESS 010000115) en région « 01 » : les zéros de tête
    que perd un CSV ouvert dans un tableur."""
    dossier = tmp_path / "depots"
    for exemple in ("chu-armorique", "ehpad-les-tilleuls"):
        shutil.copytree(EXEMPLES / exemple, dossier / exemple)
    ain = dossier / "ehpad-de-l-ain"
    shutil.copytree(EXEMPLES / "ehpad-les-tilleuls", ain)
    fiche = ain / "etablissement.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace('"690035449"', '"010000115"').replace('region: "84"', 'region: "01"')
                     .replace("EHPAD Les Tilleuls", "EHPAD de l'Ain"), encoding="utf-8")
    return dossier


def lire(chemin: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(chemin)


def lignes(feuille) -> list[dict]:
    entete = [c.value for c in feuille[1]]
    return [dict(zip(entete, ligne)) for ligne in feuille.iter_rows(min_row=2)]


def verifier_feuille(feuille, colonnes: int, lignes_attendues: int) -> None:
    """En-tête figé (volet sous la ligne 1), filtres sur toutes les colonnes et toutes les lignes."""
    assert feuille.freeze_panes == "A2", feuille.title
    derniere = openpyxl.utils.get_column_letter(colonnes)
    assert feuille.auto_filter.ref == f"A1:{derniere}{lignes_attendues + 1}", feuille.title
    assert feuille.max_column == colonnes and feuille.max_row == lignes_attendues + 1, feuille.title


def verifier_texte(cellule, valeur: str) -> None:
    assert (cellule.value, cellule.data_type) == (valeur, "s")


def verifier_date(cellule, jour: str) -> None:
    assert cellule.value == datetime.fromisoformat(jour) and cellule.is_date and cellule.number_format == "yyyy-mm-dd"


def verifier_taux(cellule, valeur: float) -> None:
    assert (cellule.value, cellule.data_type, cellule.number_format) == (valeur, "n", "0.0%")


def test_rapport_xlsx(depots, tmp_path, lancer):
    sortie = tmp_path / "rapport.xlsx"
    fin = lancer("evaluer", str(depots / "ehpad-de-l-ain"), "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(sortie))
    assert (fin.code, fin.stdout, fin.stderr) == (1, "", "")
    classeur = lire(sortie)
    assert classeur.sheetnames == ["Résultats", "Synthèse", "Problèmes"]
    resultats = classeur["Résultats"]
    verifier_feuille(resultats, 15, 22)
    premiere = lignes(resultats)[0]
    verifier_texte(premiere["finess"], "010000115")
    verifier_texte(premiere["region"], "01")
    assert premiere["finess"].number_format == "@"
    verifier_date(premiere["date_evaluation"], DATE_EXEMPLES)
    verifier_taux(premiere["taux_conformite"], 0.3158)
    assert [(l["regle"].value, l["statut"].value) for l in lignes(resultats)][:3] == [
        ("BUD-01", "preuve_manquante"), ("BUD-02", "preuve_manquante"), ("BUD-03", "preuve_manquante")]
    synthese = classeur["Synthèse"]
    verifier_feuille(synthese, 16, 1)
    bilan = lignes(synthese)[0]
    assert {k: v.value for k, v in bilan.items() if k in ("statut_global", "conforme", "preuve_manquante", "total")} == {
        "statut_global": "non_conforme", "conforme": 6, "preuve_manquante": 11, "total": 22}
    verifier_taux(bilan["taux_conformite"], 0.3158)
    verifier_feuille(classeur["Problèmes"], 5, 0)
    assert classeur.properties.created == classeur.properties.modified == datetime(2026, 10, 1)


def test_meme_entree_memes_octets(depots, tmp_path, lancer):
    """Deux écritures, à des instants différents, du même rapport : mêmes octets ; les entrées de
    l'archive et le classeur sont datés, non de l'instant, mais du 1er janvier 1980 et de l'évaluation."""
    premier, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    for sortie in (premier, second):
        lancer("lot", str(depots), "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(sortie), "--sans-cache", "--jobs", "1")
        os.utime(depots / "chu-armorique" / "etablissement.yaml")  # le temps passe : rien n'en dépend
    assert premier.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(premier) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        proprietes = archive.read("docProps/core.xml").decode("utf-8")
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-10-01T00:00:00Z</dcterms:created>' in proprietes
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-10-01T00:00:00Z</dcterms:modified>' in proprietes
    lancer("lot", str(depots), "--date", "2026-10-02", "--format", "xlsx", "--sortie", str(second), "--sans-cache", "--jobs", "1")
    assert premier.read_bytes() != second.read_bytes()  # une autre date d'évaluation : un autre classeur


def test_lot_xlsx(depots, tmp_path, lancer):
    sortie = tmp_path / "lot.xlsx"
    fin = lancer("lot", str(depots), "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(sortie), "--sans-cache", "--jobs", "1")
    assert (fin.code, fin.stdout, fin.stderr) == (1, "", "")
    classeur = lire(sortie)
    assert classeur.sheetnames == ["Établissements", "Résultats", "Par région", "Par catégorie", "Par règle", "Échecs"]
    etablissements = classeur["Établissements"]
    verifier_feuille(etablissements, 18, 3)
    par_finess = {l["finess"].value: l for l in lignes(etablissements)}
    assert sorted(par_finess) == ["010000115", "350042131", "690035449"]
    ain = par_finess["010000115"]
    verifier_texte(ain["finess"], "010000115")
    verifier_texte(ain["region"], "01")
    verifier_date(ain["date_evaluation"], DATE_EXEMPLES)
    verifier_taux(ain["taux_conformite"], 0.3158)
    assert (ain["preuve_manquante"].value, ain["preuve_manquante"].data_type) == (11, "n")
    resultats = classeur["Résultats"]
    verifier_feuille(resultats, 14, 66)
    verifier_texte(lignes(resultats)[0]["finess"], "010000115")
    regions = classeur["Par région"]
    verifier_feuille(regions, 12, 3)
    assert [l["region"].value for l in lignes(regions)] == ["01", "53", "84"]
    assert all(l["region"].data_type == "s" for l in lignes(regions))
    verifier_taux(lignes(regions)[1]["taux_etablissements_conformes"], 1)
    verifier_taux(lignes(regions)[1]["taux_conformite_moyen"], 0.9091)
    verifier_feuille(classeur["Par catégorie"], 12, 2)
    par_regle = classeur["Par règle"]
    verifier_feuille(par_regle, 11, 22)
    assert lignes(par_regle)[0]["regle"].value == "BUD-01"
    verifier_taux(lignes(par_regle)[0]["taux_conformite"], 0.3333)
    verifier_feuille(classeur["Échecs"], 2, 0)


def test_lot_xlsx_dit_ses_echecs(tmp_path, lancer):
    depots = tmp_path / "depots"
    shutil.copytree(EXEMPLES / "chu-armorique", depots / "chu-armorique")
    (depots / "vide").mkdir()
    sortie = tmp_path / "lot.xlsx"
    fin = lancer("lot", str(depots), "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(sortie), "--sans-cache", "--jobs", "1")
    assert fin.code == 4
    echecs = lignes(lire(sortie)["Échecs"])
    assert [(l["chemin"].value, l["raison"].value) for l in echecs] == [
        (str(depots / "vide"), fin.stderr.split(" : ", 2)[2].strip())]


def test_eligibilite_et_liste_xlsx(depots, tmp_path, lancer):
    decision = tmp_path / "decision.xlsx"
    fin = lancer("eligibilite", str(depots / "chu-armorique"), str(depots / "ehpad-de-l-ain"), "--programme", str(PROGRAMME),
                 "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(decision))
    assert fin.code == 1, fin
    classeur = lire(decision)
    assert classeur.sheetnames == ["Établissements", "Par région", "Total", "Doublons"]
    etablissements = classeur["Établissements"]
    verifier_feuille(etablissements, 14, 2)
    ain = {l["finess"].value: l for l in lignes(etablissements)}["010000115"]
    verifier_texte(ain["finess"], "010000115")
    verifier_texte(ain["region"], "01")
    verifier_date(ain["date_decision"], DATE_EXEMPLES)
    assert ain["decision"].value == "non_eligible"
    chu = {l["finess"].value: l for l in lignes(etablissements)}["350042131"]
    assert (chu["montant_plafond"].value, chu["montant_plafond"].data_type, chu["montant_plafond"].number_format) == (400000, "n", '#,##0 "€"')
    total = lignes(classeur["Total"])[0]
    verifier_taux(total["part_enveloppe"], 0.2)
    assert [l["region"].value for l in lignes(classeur["Par région"])] == ["01", "53"]

    liste = tmp_path / "liste.xlsx"
    fin = lancer("lot", str(depots), "--date", DATE_EXEMPLES, "--programme", str(PROGRAMME), "--liste", str(liste),
                 "--sans-cache", "--jobs", "1")
    assert fin.code == 1, fin
    classeur = lire(liste)
    assert classeur.sheetnames == ["Établissements", "Par région", "Total", "Doublons"]
    verifier_feuille(classeur["Établissements"], 14, 3)
    verifier_texte({l["finess"].value: l for l in lignes(classeur["Établissements"])}["010000115"]["region"], "01")


def test_une_formule_reste_un_texte(tmp_path, lancer):
    depot = tmp_path / "formule"
    shutil.copytree(EXEMPLES / "ehpad-les-tilleuls", depot)
    fiche = depot / "etablissement.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace('"EHPAD Les Tilleuls"', '"=HYPERLINK(\\"http://x\\")"'), encoding="utf-8")
    sortie = tmp_path / "r.xlsx"
    lancer("evaluer", str(depot), "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(sortie))
    cellule = lignes(lire(sortie)["Résultats"])[0]["raison_sociale"]
    assert (cellule.value, cellule.data_type) == ('=HYPERLINK("http://x")', "s")


def _commande(*args: str) -> list[str]:
    return [sys.executable, "-m", "verificateur", *args]


def test_xlsx_vers_un_terminal_est_refuse(tmp_path):
    """Des octets binaires n'ont rien à faire dans un terminal : refusé (code 2), avant toute évaluation."""
    maitre, esclave = pty.openpty()
    try:
        fin = subprocess.run(_commande("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "xlsx"),
                             stdout=esclave, stderr=subprocess.PIPE, text=True, check=False)
        os.close(esclave)
        lu = b""
        while True:
            try:
                morceau = os.read(maitre, 4096)
            except OSError:  # Linux : EIO quand le terminal n'a plus d'écrivain
                break
            if not morceau:
                break
            lu += morceau
    finally:
        os.close(maitre)
    assert (fin.returncode, lu, fin.stderr) == (2, b"", (
        "verificateur : --format xlsx produit un fichier binaire, illisible dans un terminal : "
        "donnez --sortie FICHIER.xlsx ou redirigez la sortie (> FICHIER.xlsx)\n"))


@pytest.mark.parametrize("commande", [
    ("evaluer", str(EXEMPLES / "chu-armorique")),
    ("lot", str(EXEMPLES), "--sans-cache", "--sans-progression"),
    ("eligibilite", str(EXEMPLES / "chu-armorique"), "--programme", str(PROGRAMME)),
])
def test_xlsx_vers_un_tube_ou_un_fichier(tmp_path, commande):
    """Vers un tube ou un fichier, le classeur s'écrit tel quel ; les mêmes octets qu'avec --sortie."""
    redirige = tmp_path / "redirige.xlsx"
    with redirige.open("wb") as f:
        fin = subprocess.run(_commande(*commande, "--date", DATE_EXEMPLES, "--format", "xlsx"), stdout=f, stderr=subprocess.PIPE,
                             check=False)
    assert fin.returncode in (0, 1), fin.stderr
    sortie = tmp_path / "sortie.xlsx"
    subprocess.run(_commande(*commande, "--date", DATE_EXEMPLES, "--format", "xlsx", "--sortie", str(sortie)), check=False,
                   capture_output=True)
    assert redirige.read_bytes() == sortie.read_bytes()
    assert openpyxl.load_workbook(io.BytesIO(redirige.read_bytes())).sheetnames[0] in ("Résultats", "Établissements")


def test_une_feuille_pleine_continue_et_un_texte_trop_long_le_dit(tmp_path, monkeypatch):
    """Les limites du format (1 048 576 lignes, 32 767 caractères par cellule), ici réduites : rien ne se
    perd sans le dire — la feuille continue dans « Nom (2) », le texte tronqué dit sa longueur."""
    from verificateur.rendus import classeur

    monkeypatch.setattr(classeur, "LIGNES_MAX", 3)
    monkeypatch.setattr(classeur, "TEXTE_MAX", 60)
    long = "é" * 25 + "😀" * 20  # 45 caractères, 65 unités UTF-16 : l'emoji en compte deux
    octets = classeur.ecrire([classeur.Feuille("Résultats", classeur.colonnes("finess:identifiant", "texte:long"),
                                               [[f"0{i}", long if i == 4 else "x"] for i in range(5)])], "2026-10-01", "essai")
    chemin = tmp_path / "c.xlsx"
    chemin.write_bytes(octets)
    lu = lire(chemin)
    assert lu.sheetnames == ["Résultats", "Résultats (2)", "Résultats (3)"]
    assert [[c.value for c in ligne] for f in lu for ligne in f.iter_rows()] == [
        ["finess", "texte"], ["00", "x"], ["01", "x"],
        ["finess", "texte"], ["02", "x"], ["03", "x"],
        ["finess", "texte"], ["04", "é" * 25 + " […] (tronqué : 45 caractères)"],
    ]
    for feuille, lignes_ecrites in zip(lu, (2, 2, 1)):
        verifier_feuille(feuille, 2, lignes_ecrites)
