"""Les rendus du rapport : sorties exactes (Markdown, CSV) sur un petit rapport écrit à la main,
assertions de structure (HTML, JUnit lu par junitparser, SARIF validé contre le schéma officiel
OASIS), échappement des preuves hostiles, et chaque format sur les trois exemples dans chaque mode
(dossier, révision, index), avec le rapport JSON validé contre son schéma."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE
from verificateur.evaluation import rapport as module_rapport
from verificateur.rendus import FORMATS
from verificateur.rendus.commun import ECHECS, sous_le_seuil

REV = "0123456789abcdef0123456789abcdef01234567"
SCHEMA_RAPPORT = RACINE / "verificateur" / "schemas" / "rapport.schema.json"
SCHEMA_SARIF = RACINE / "tests" / "donnees" / "sarif-schema-2.1.0.json"
EXEMPLES_NOMS = ("chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls")


# --- un petit rapport écrit à la main : les six statuts, deux problèmes -------------------------

EXIGENCE_BUDGET = {
    "id": "PN21-BUDGET-CYBER",
    "referentiel": "plan-national",
    "titre": "Part du budget numérique consacrée à la cybersécurité",
    "enonce": "Chaque programme numérique consacre au moins 5 % de son budget à la cybersécurité.",
    "confiance": "probable",
    "sources": [{"id": "S01", "document": "Plan du 18 février 2021", "emetteur": "Présidence", "date": "2021-02-18",
                 "url": "https://example.invalid/plan-2021"}],
}
EXIGENCE_EXERCICE = {
    "id": "PN22-EXERCICE-ANNUEL",
    "referentiel": "plan-national",
    "titre": "Exercice de crise cyber chaque année",
    "enonce": "Un exercice de crise cyber est joué chaque année.",
    "confiance": "sure",
    "sources": [{"id": "S02"}],
}


def _preuve(fichier, ligne=None):
    return {"fichier": fichier, "ligne": ligne, "revision": REV}


def rapport_main() -> dict:
    """Un rapport comme en produit rapport.construire, écrit à la main (une copie neuve à chaque appel)."""
    resultats = [
        {
            "regle": "BUD-01", "titre": "Part cybersécurité de chaque programme", "gravite": "majeure",
            "exigences": [EXIGENCE_BUDGET], "statut": "conforme",
            "explication": "chaque programme consacre au moins 5 % — DPI : 7 %, attendu ≥ 5 %",
            "preuves": [_preuve("budget/2026.yaml", 5)],
            "details": [{"texte": "DPI : 7 %, attendu ≥ 5 %", "fichier": "budget/2026.yaml", "ligne": 5}],
            "parametres": [{"nom": "part_cyber_minimale", "valeur": 0.05, "depuis": "2021-02-18", "source": "Plan du 18 février 2021"}],
        },
        {
            "regle": "BUD-02", "titre": "Part cybersécurité globale", "gravite": "mineure",
            "exigences": [EXIGENCE_BUDGET], "statut": "non_conforme",
            "explication": "part globale 3 % | attendu ≥ 5 %\nsur deux ans",
            "preuves": [_preuve("budget/2025.yaml"), _preuve("budget/2026.yaml", 2)],
            "details": [{"texte": "part globale 3 %, attendu ≥ 5 %", "fichier": "budget/2026.yaml", "ligne": 2}],
            "parametres": [],
        },
        {
            "regle": "BUD-03", "titre": "Part cybersécurité cible", "gravite": "info",
            "exigences": [EXIGENCE_BUDGET], "statut": "non_conforme",
            "explication": "part globale 3 %, attendu ≥ 10 %",
            "preuves": [_preuve("budget/2026.yaml", 2)],
            "details": [], "parametres": [],
        },
        {
            "regle": "EXE-01", "titre": "Exercice de crise cyber dans l'année", "gravite": "majeure",
            "exigences": [EXIGENCE_EXERCICE], "statut": "preuve_manquante",
            "explication": "preuve manquante : exercices de crise (exercices/*.yaml)",
            "preuves": [], "details": [{"texte": "preuve manquante : exercices de crise (exercices/*.yaml)", "fichier": None, "ligne": None}],
            "parametres": [],
        },
        {
            "regle": "EXE-02", "titre": "Exercice des établissements prioritaires", "gravite": "critique",
            "exigences": [EXIGENCE_EXERCICE], "statut": "erreur",
            "explication": "=preuve invalide : exercices/a.yaml:4: « date » invalide",
            "preuves": [_preuve("exercices/a.yaml", 4)],
            "details": [{"texte": "=preuve invalide : exercices/a.yaml:4: « date » invalide", "fichier": "exercices/a.yaml", "ligne": 4}],
            "parametres": [],
        },
        {
            "regle": "EXE-03", "titre": "Retour d'expérience", "gravite": "mineure",
            "exigences": [EXIGENCE_EXERCICE], "statut": "non_applicable",
            "explication": "établissement non prioritaire",
            "preuves": [], "details": [], "parametres": [],
        },
        {
            "regle": "FOR-04", "titre": "Campagne d'hameçonnage", "gravite": "mineure",
            "exigences": [EXIGENCE_EXERCICE, EXIGENCE_BUDGET], "statut": "derogation",
            "explication": "dérogation accordée par direction le 2026-03-01 jusqu'au 2027-03-31 (campagne reportée) — non conforme : aucune campagne",
            "preuves": [_preuve("derogations.yaml", 3), _preuve("formation/2026.yaml")],
            "details": [], "parametres": [],
            "derogation": {
                "motif": "campagne reportée", "risque_accepte": "faible", "accordee_par": "direction",
                "accordee_le": "2026-03-01", "expire_le": "2027-03-31", "statut_initial": "non_conforme",
                "fichier": "derogations.yaml", "ligne": 3,
            },
        },
    ]
    rapport = {
        "format": "verificateur/rapport/1",
        "outil": {"version": "0.1.0"},
        "etablissement": {
            "finess": "350042131", "raison_sociale": "CH d'essai", "categorie": "ch", "statut_juridique": "public",
            "region": "53", "prioritaire": False, "effectif": 900,
        },
        "depot": {"chemin": "depots/essai", "source": "revision", "revision": REV},
        "date_evaluation": "2026-10-01",
        "politiques": [{"id": "plan-national", "version": "1.0.0", "empreinte": "sha256:" + "a" * 64}],
        "synthese": module_rapport.synthese(resultats, "mineure"),
        "resultats": copy.deepcopy(resultats),
        "problemes": [
            {"fichier": "derogations.yaml", "ligne": 9, "code": "derogation-expiree", "message": "dérogation pour HYG-01 expirée le 2026-06-30 : non appliquée", "niveau": "avertissement"},
            {"fichier": "exercices/a.yaml", "ligne": 4, "code": "format-date", "message": "« date » : date invalide", "niveau": "erreur"},
        ],
    }
    rapport["empreinte"] = module_rapport.empreinte(rapport)
    return rapport


def _schema_rapport():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_RAPPORT.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def valider_rapport(rapport: dict) -> None:
    erreurs = [f"{list(e.absolute_path)}: {e.message}" for e in _schema_rapport().iter_errors(rapport)]
    assert not erreurs, erreurs


def valider_sarif(texte: str) -> dict:
    """Le journal SARIF contre le schéma officiel OASIS 2.1.0 (tests/donnees/sarif-schema-2.1.0.LISEZMOI.md)."""
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA_SARIF.read_text(encoding="utf-8"))
    classe = validator_for(schema)
    classe.check_schema(schema)
    journal = json.loads(texte)
    erreurs = [f"{list(e.absolute_path)}: {e.message}" for e in classe(schema, format_checker=FormatChecker()).iter_errors(journal)]
    assert not erreurs, erreurs
    return journal


def lire_junit(texte: str):
    from junitparser import JUnitXml

    return JUnitXml.fromstring(texte.encode("utf-8"))


# --- le registre et la ligne de commande --------------------------------------------------------


def test_registre_des_formats_et_option_de_la_cli(lancer):
    from verificateur.cli.evaluation import FORMATS_EVALUER

    assert set(FORMATS) == {"texte", "json", "html", "markdown", "csv", "xlsx", "junit", "sarif"}
    assert tuple(FORMATS) == FORMATS_EVALUER
    aide = lancer("evaluer", "--help")
    assert aide.code == 0
    assert all(f in aide.stdout for f in FORMATS)
    assert "--csv-standard" in aide.stdout and "--details" in aide.stdout


def test_les_imports_lourds_restent_dans_les_rendus():
    # La collecte et les rendus de l'observatoire non plus : la ligne de commande (et donc le crochet
    # pre-commit) ne lit au démarrage que les bornes et les registres des formats.
    modules = ('jinja2', 'xml.etree.ElementTree', 'csv', 'tabulate', 'verificateur.git.collecte', 'verificateur.observatoire.rendus')
    code = f"import sys, verificateur.cli; print(sorted(m for m in {modules!r} if m in sys.modules))"
    fini = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=RACINE, check=True)
    assert fini.stdout.strip() == "[]"


@pytest.mark.parametrize("format_", sorted(FORMATS))
def test_chaque_rendu_est_deterministe_et_ne_modifie_pas_le_rapport(format_):
    rapport = rapport_main()
    avant = copy.deepcopy(rapport)
    premier = FORMATS[format_].rendre(rapport, {})
    assert FORMATS[format_].rendre(rapport_main(), {}) == premier
    assert rapport == avant


# --- json ---------------------------------------------------------------------------------------


def test_json_valide_contre_son_schema_et_empreinte():
    rapport = rapport_main()
    valider_rapport(rapport)
    texte = FORMATS["json"].rendre(rapport, {})
    relu = json.loads(texte)
    assert relu == rapport
    assert module_rapport.empreinte(relu) == relu["empreinte"]


def test_le_schema_refuse_une_cle_inconnue_a_chaque_niveau():
    validateur = _schema_rapport()
    for chemin in ([], ["synthese"], ["depot"], ["resultats", 0], ["resultats", 0, "preuves", 0],
                   ["resultats", 0, "exigences", 0], ["resultats", 0, "parametres", 0], ["problemes", 0],
                   ["resultats", 6, "derogation"], ["etablissement"]):
        rapport = rapport_main()
        cible = rapport
        for cle in chemin:
            cible = cible[cle]
        cible["cle_inconnue"] = 1
        assert not validateur.is_valid(rapport), chemin


def test_le_schema_lie_statut_et_derogation():
    validateur = _schema_rapport()
    rapport = rapport_main()
    del rapport["resultats"][6]["derogation"]
    assert not validateur.is_valid(rapport)
    rapport = rapport_main()
    rapport["resultats"][0]["derogation"] = rapport_main()["resultats"][6]["derogation"]
    assert not validateur.is_valid(rapport)


def _proprietes(schema) -> set[str]:
    noms: set[str] = set()
    if isinstance(schema, dict):
        noms |= set(schema.get("properties", {}))
        for valeur in schema.values():
            noms |= _proprietes(valeur)
    elif isinstance(schema, list):
        for valeur in schema:
            noms |= _proprietes(valeur)
    return noms


def test_chaque_cle_du_schema_est_decrite_et_documentee():
    schema = json.loads(SCHEMA_RAPPORT.read_text(encoding="utf-8"))
    doc = (RACINE / "docs" / "rapport.md").read_text(encoding="utf-8")
    noms = _proprietes(schema)
    assert {"empreinte", "taux_conformite", "risque_accepte", "statut_initial", "niveau"} <= noms
    absents = sorted(n for n in noms if f"`{n}`" not in doc)
    assert not absents, f"clés du schéma absentes de docs/rapport.md : {absents}"

    def sans_description(noeud, chemin):
        if isinstance(noeud, dict):
            for nom, sous in noeud.get("properties", {}).items():
                if "description" not in sous:
                    yield f"{chemin}/{nom}"
            for cle, sous in noeud.items():
                if cle != "if":  # une condition sur une clé déjà décrite, pas une clé
                    yield from sans_description(sous, f"{chemin}/{cle}")
        elif isinstance(noeud, list):
            for i, sous in enumerate(noeud):
                yield from sans_description(sous, f"{chemin}/{i}")

    assert not list(sans_description(schema, "")), "chaque clé du schéma a une description"

    def objets_ouverts(noeud, chemin):
        if isinstance(noeud, dict):
            if noeud.get("type") == "object" and noeud.get("additionalProperties") is not False:
                yield chemin
            for cle, sous in noeud.items():
                yield from objets_ouverts(sous, f"{chemin}/{cle}")
        elif isinstance(noeud, list):
            for i, sous in enumerate(noeud):
                yield from objets_ouverts(sous, f"{chemin}/{i}")

    assert not list(objets_ouverts(schema, "")), "additionalProperties: false partout"


def test_chaque_format_est_documente():
    doc = (RACINE / "docs" / "rapport.md").read_text(encoding="utf-8")
    for format_ in FORMATS:
        assert f"## `{format_}`" in doc
    assert "scripts/capture_html.sh" in doc and (RACINE / "scripts" / "capture_html.sh").is_file()


# --- markdown -----------------------------------------------------------------------------------

MARKDOWN_ATTENDU = """\
### Conformité cybersécurité — CH d'essai (FINESS 350042131)

❌ **NON CONFORME** au 2026-10-01 — dépôt `depots/essai` (révision 0123456789ab) ; seuil d'échec : mineure

| non conformes | preuves manquantes | erreurs | dérogations | conformes | non applicables | taux de conformité |
|---:|---:|---:|---:|---:|---:|---:|
| 2 | 1 | 1 | 1 | 1 | 1 | 16,7 % |

#### Règles en échec (4)

| règle | gravité | statut | explication | preuves |
|---|---|---|---|---|
| EXE-02 | critique | erreur | =preuve invalide : exercices/a.yaml:4: « date » invalide | exercices/a.yaml:4 |
| EXE-01 | majeure | preuve manquante | preuve manquante : exercices de crise (exercices/\\*.yaml) |  |
| BUD-02 | mineure | non conforme | part globale 3 % \\| attendu ≥ 5 %<br>sur deux ans | budget/2025.yaml, budget/2026.yaml:2 |
| BUD-03 | info (sous le seuil) | non conforme | part globale 3 %, attendu ≥ 10 % | budget/2026.yaml:2 |

#### Dérogations actives (1)

| règle | statut couvert | accordée par | le | expire le | motif |
|---|---|---|---|---|---|
| FOR-04 | non conforme | direction | 2026-03-01 | 2027-03-31 | campagne reportée |

2 problème(s) dans les preuves (1 erreur(s), 1 avertissement(s)) : voir le rapport complet.

<sub>verificateur 0.1.0 — politiques : plan-national 1.0.0 — empreinte `{empreinte}`</sub>
"""


def test_markdown_exact():
    rapport = rapport_main()
    assert FORMATS["markdown"].rendre(rapport, {}) == MARKDOWN_ATTENDU.replace("{empreinte}", rapport["empreinte"])


def test_markdown_neutralise_les_cellules():
    from verificateur.rendus.markdown import cellule

    assert cellule("a | b\r\nc\nd") == "a \\| b<br>c<br>d"
    assert cellule("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert cellule("`code` et \\") == "\\`code\\` et \\\\"
    rapport = rapport_main()
    rapport["etablissement"]["raison_sociale"] = "<b>CH</b>\n# titre"
    rapport["resultats"][1]["explication"] = "| fin de tableau |\n\n| nouvelle | ligne |"
    texte = FORMATS["markdown"].rendre(rapport, {})
    assert "<b>" not in texte and "\n# titre" not in texte
    ligne = next(l for l in texte.splitlines() if l.startswith("| BUD-02 "))
    assert ligne.count(" | ") == 4 and "\\| fin de tableau \\|<br><br>\\| nouvelle \\| ligne \\|" in ligne


def test_markdown_conforme_sans_echec_ni_derogation():
    rapport = rapport_main()
    rapport["resultats"] = [rapport["resultats"][0]]
    rapport["problemes"] = []
    rapport["synthese"] = module_rapport.synthese(rapport["resultats"], "mineure")
    texte = FORMATS["markdown"].rendre(rapport, {})
    assert "✅ **CONFORME**" in texte and "Aucune règle en échec." in texte
    assert "Dérogations" not in texte and "problème" not in texte


# --- csv ----------------------------------------------------------------------------------------

CSV_ENTETE = "finess;raison_sociale;date_evaluation;revision;regle;titre;gravite;statut;exigences;explication;preuves;derogation_expire_le;taux_conformite\r\n"
CSV_ATTENDU = "\ufeff" + CSV_ENTETE + (
    f"350042131;CH d'essai;2026-10-01;{REV};BUD-01;Part cybersécurité de chaque programme;majeure;conforme;PN21-BUDGET-CYBER;chaque programme consacre au moins 5 % — DPI : 7 %, attendu ≥ 5 %;budget/2026.yaml:5;;0,1667\r\n"
    f'350042131;CH d\'essai;2026-10-01;{REV};BUD-02;Part cybersécurité globale;mineure;non_conforme;PN21-BUDGET-CYBER;"part globale 3 % | attendu ≥ 5 %\nsur deux ans";budget/2025.yaml, budget/2026.yaml:2;;0,1667\r\n'
    f"350042131;CH d'essai;2026-10-01;{REV};BUD-03;Part cybersécurité cible;info;non_conforme;PN21-BUDGET-CYBER;part globale 3 %, attendu ≥ 10 %;budget/2026.yaml:2;;0,1667\r\n"
    f"350042131;CH d'essai;2026-10-01;{REV};EXE-01;Exercice de crise cyber dans l'année;majeure;preuve_manquante;PN22-EXERCICE-ANNUEL;preuve manquante : exercices de crise (exercices/*.yaml);;;0,1667\r\n"
    f"350042131;CH d'essai;2026-10-01;{REV};EXE-02;Exercice des établissements prioritaires;critique;erreur;PN22-EXERCICE-ANNUEL;'=preuve invalide : exercices/a.yaml:4: « date » invalide;exercices/a.yaml:4;;0,1667\r\n"
    f"350042131;CH d'essai;2026-10-01;{REV};EXE-03;Retour d'expérience;mineure;non_applicable;PN22-EXERCICE-ANNUEL;établissement non prioritaire;;;0,1667\r\n"
    f"350042131;CH d'essai;2026-10-01;{REV};FOR-04;Campagne d'hameçonnage;mineure;derogation;PN22-EXERCICE-ANNUEL, PN21-BUDGET-CYBER;dérogation accordée par direction le 2026-03-01 jusqu'au 2027-03-31 (campagne reportée) — non conforme : aucune campagne;derogations.yaml:3, formation/2026.yaml;2027-03-31;0,1667\r\n"
)


def test_csv_exact_conventions_francaises():
    assert FORMATS["csv"].rendre(rapport_main(), {}) == CSV_ATTENDU


def test_csv_standard():
    texte = FORMATS["csv"].rendre(rapport_main(), {"csv_standard": True})
    assert not texte.startswith("\ufeff")
    lignes = texte.split("\r\n")
    assert lignes[0] == CSV_ENTETE.strip().replace(";", ",")
    assert lignes[1] == (
        f"350042131,CH d'essai,2026-10-01,{REV},BUD-01,Part cybersécurité de chaque programme,majeure,conforme,"
        "PN21-BUDGET-CYBER,\"chaque programme consacre au moins 5 % — DPI : 7 %, attendu ≥ 5 %\",budget/2026.yaml:5,,0.1667"
    )
    import csv
    import io

    relues = list(csv.DictReader(io.StringIO(texte, newline="")))
    assert [r["regle"] for r in relues] == ["BUD-01", "BUD-02", "BUD-03", "EXE-01", "EXE-02", "EXE-03", "FOR-04"]
    assert relues[1]["explication"] == "part globale 3 % | attendu ≥ 5 %\nsur deux ans"
    assert relues[6]["exigences"] == "PN22-EXERCICE-ANNUEL, PN21-BUDGET-CYBER"


@pytest.mark.parametrize("debut", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_injection_de_formule(debut):
    rapport = rapport_main()
    rapport["etablissement"]["raison_sociale"] = f"{debut}HYPERLINK(\"https://x.invalid\")"
    rapport["resultats"][0]["explication"] = f"{debut}1+1"
    rapport["resultats"][0]["preuves"] = [_preuve(f"{debut}cmd|' /C calc'!A0.yaml", 1)]
    import csv
    import io

    for options in ({}, {"csv_standard": True}):
        texte = FORMATS["csv"].rendre(rapport, options).lstrip("\ufeff")
        lignes = list(csv.reader(io.StringIO(texte, newline=""), delimiter="," if options else ";"))
        cellules = [c for ligne in lignes[1:] for c in ligne]
        assert not [c for c in cellules if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert lignes[1][1] == f"'{debut}HYPERLINK(\"https://x.invalid\")"
        assert lignes[1][9] == f"'{debut}1+1"
        assert lignes[1][10].startswith(f"'{debut}cmd")


# --- html ---------------------------------------------------------------------------------------


class _Analyse(HTMLParser):
    """Les balises et attributs effectivement produits (ce qu'un navigateur verrait)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.balises: list[tuple[str, dict]] = []
        self.texte: list[str] = []
        self.ouvertes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.balises.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texte.append(data)


def analyser(html: str) -> _Analyse:
    analyse = _Analyse()
    analyse.feed(html)
    analyse.close()
    return analyse


def _autonome(html: str, analyse: _Analyse) -> None:
    """Aucun script, aucun gestionnaire d'événement, aucune ressource externe à charger."""
    noms = {b for b, _ in analyse.balises}
    assert not noms & {"script", "iframe", "object", "embed", "img", "link", "base", "form", "input", "video", "audio"}
    for balise, attributs in analyse.balises:
        assert not [a for a in attributs if a.startswith("on")], (balise, attributs)
        assert "src" not in attributs and "srcset" not in attributs, balise
        if "href" in attributs:
            assert attributs["href"].startswith(("#", "https://", "http://")), attributs["href"]
            assert balise == "a"
    assert "@import" not in html and "url(" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_html_autonome_et_complet():
    rapport = rapport_main()
    html = FORMATS["html"].rendre(rapport, {})
    analyse = analyser(html)
    _autonome(html, analyse)
    texte = " ".join(" ".join(analyse.texte).split())
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    # en-tête : établissement, révision, date
    assert "CH d'essai" in texte and "FINESS 350042131" in texte and REV in texte and "2026-10-01" in texte
    assert "NON CONFORME" in texte
    # graphiques en SVG en ligne, avec un texte pour les lecteurs d'écran
    svgs = [a for b, a in analyse.balises if b == "svg"]
    assert len(svgs) >= 2 and all(a.get("role") == "img" for a in svgs)
    assert "Règles par statut : 2 non conformes, 1 preuve manquante, 1 erreur, 1 dérogation, 1 conforme, 1 non applicable" in texte
    # chaque règle : identifiant, statut en mots (pas seulement en couleur), explication, preuves situées
    for r in rapport["resultats"]:
        assert f'id="regle-{r["regle"]}"' in html
        assert r["titre"] in texte
    for mot in ("✓ conforme", "✗ non conforme", "? preuve manquante", "! erreur", "– non applicable", "≈ dérogation"):
        assert mot in texte, mot
    assert "budget/2026.yaml:5@0123456789ab" in texte and "exercices/a.yaml:4@0123456789ab" in texte
    assert "DPI : 7 %, attendu ≥ 5 %" in texte  # valeurs comparées
    # paramètres avec leur source ; exigences avec énoncé et sources
    assert "part_cyber_minimale" in texte and "0.05" in texte and "Plan du 18 février 2021" in texte
    assert EXIGENCE_BUDGET["enonce"] in texte and "Présidence" in texte
    assert '<a href="https://example.invalid/plan-2021"' in html
    # conformité par exigence, dérogations (expiration, jours restants), problèmes
    assert "Référentiel plan-national" in texte and "PN22-EXERCICE-ANNUEL" in texte
    assert "2027-03-31" in texte and "dans 181 jour(s)" in texte and "campagne reportée" in texte
    assert "derogation-expiree" in texte and "« date » : date invalide" in texte
    # impression : pas de règle ni de ligne de tableau coupée, saut de page avant le détail
    assert "@media print" in html and "break-inside: avoid" in html and "break-before: page" in html
    assert "sous le seuil d'échec" in texte  # BUD-03 (info) sous le seuil mineure


HOSTILES = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)")


def test_html_echappe_les_preuves_hostiles():
    rapport = rapport_main()
    rapport["etablissement"]["raison_sociale"] = HOSTILES[0]
    rapport["depot"]["chemin"] = HOSTILES[1]
    r = rapport["resultats"][1]
    r["explication"] = HOSTILES[1] + " " + HOSTILES[0]
    r["titre"] = HOSTILES[0]
    r["details"][0]["texte"] = HOSTILES[1]
    r["details"][0]["fichier"] = HOSTILES[1]
    r["preuves"][0]["fichier"] = HOSTILES[0]
    r["exigences"] = [{**EXIGENCE_BUDGET, "enonce": HOSTILES[0], "sources": [{"id": "S9", "document": HOSTILES[1], "url": HOSTILES[2]}]}]
    rapport["resultats"][6]["derogation"]["motif"] = HOSTILES[1]
    rapport["problemes"][0]["message"] = HOSTILES[0]
    rapport["problemes"][0]["code"] = HOSTILES[1]
    html = FORMATS["html"].rendre(rapport, {})
    analyse = analyser(html)
    _autonome(html, analyse)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    texte = "".join(analyse.texte)
    assert HOSTILES[0] in texte and HOSTILES[1] in texte  # affichés tels quels, comme du texte
    assert texte.count(HOSTILES[2]) == 1  # l'adresse douteuse est montrée, jamais liée


def test_html_sans_etablissement_ni_revision():
    rapport = rapport_main()
    rapport["etablissement"] = None
    rapport["depot"] = {"chemin": "depots/essai", "source": "arbre", "revision": None}
    for r in rapport["resultats"]:
        for p in r["preuves"]:
            p["revision"] = None
    html = FORMATS["html"].rendre(rapport, {})
    texte = " ".join(" ".join(analyser(html).texte).split())
    assert "établissement inconnu" in texte and "aucune (dossier lu tel quel)" in texte
    assert "budget/2026.yaml:5" in texte and "@" not in re.sub(r"@media|@page", "", html)


# --- junit --------------------------------------------------------------------------------------


def test_junit_lu_par_junitparser():
    from junitparser import Error, Failure, Skipped

    xml = lire_junit(FORMATS["junit"].rendre(rapport_main(), {}))
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    assert suite.name == "CH d'essai (FINESS 350042131) au 2026-10-01"
    # BUD-03 (info) est non conforme sous le seuil d'échec « mineure » : sauté, pas en échec.
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (7, 2, 1, 3)
    cas = {c.name.split(" — ")[0]: c for c in suite}
    assert list(cas) == ["BUD-01", "BUD-02", "BUD-03", "EXE-01", "EXE-02", "EXE-03", "FOR-04"]
    assert cas["BUD-01"].name == "BUD-01 — Part cybersécurité de chaque programme"
    assert {c.classname for c in suite} == {"plan-national"}
    assert cas["BUD-01"].is_passed
    assert [type(x) for x in cas["BUD-02"].result] == [Failure]
    assert cas["BUD-02"].result[0].type == "non_conforme"
    manquante = cas["EXE-01"].result
    assert [type(x) for x in manquante] == [Failure]
    assert "exercices de crise (exercices/*.yaml)" in manquante[0].message  # nomme la preuve absente
    assert [type(x) for x in cas["EXE-02"].result] == [Error]
    assert "exercices/a.yaml:4" in cas["EXE-02"].result[0].text
    assert [type(x) for x in cas["BUD-03"].result] == [Skipped]
    assert cas["BUD-03"].result[0].message.startswith(
        "sous le seuil d'échec (mineure), sans effet sur le statut global — non conforme : "
    )
    assert cas["BUD-03"].result[0].type == "non_conforme"
    assert [type(x) for x in cas["EXE-03"].result] == [Skipped]
    assert [type(x) for x in cas["FOR-04"].result] == [Skipped]
    assert "expire le 2027-03-31" in cas["FOR-04"].result[0].message
    proprietes = {p.name: p.value for p in suite.properties()}
    assert proprietes["revision"] == REV and proprietes["statut_global"] == "non_conforme"


@pytest.mark.parametrize(
    ("seuil", "compteurs", "en_echec"),
    [
        ("info", (7, 3, 1, 2), {"BUD-02", "BUD-03", "EXE-01", "EXE-02"}),
        ("mineure", (7, 2, 1, 3), {"BUD-02", "EXE-01", "EXE-02"}),
        ("majeure", (7, 1, 1, 4), {"EXE-01", "EXE-02"}),
        ("critique", (7, 0, 1, 5), {"EXE-02"}),
    ],
)
def test_junit_echoue_exactement_selon_le_seuil(seuil, compteurs, en_echec):
    """L'intégration continue échoue exactement quand `evaluer --echec-a SEUIL` sort avec 1."""
    from junitparser import Error, Failure

    rapport = rapport_main()
    rapport["synthese"]["seuil_echec"] = seuil
    suite = next(iter(lire_junit(FORMATS["junit"].rendre(rapport, {}))))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == compteurs
    assert {c.name.split(" — ")[0] for c in suite if any(isinstance(x, (Failure, Error)) for x in c.result)} == en_echec


def test_junit_caracteres_interdits_en_xml():
    rapport = rapport_main()
    rapport["resultats"][1]["explication"] = "contrôle\x01\x1b[31m <&> ]]>"
    texte = FORMATS["junit"].rendre(rapport, {})
    xml = lire_junit(texte)
    cas = next(c for c in next(iter(xml)) if c.name.startswith("BUD-02"))
    assert cas.result[0].message == "non conforme : contrôle\ufffd\ufffd[31m <&> ]]>"


# --- sarif --------------------------------------------------------------------------------------


def test_sarif_valide_contre_le_schema_officiel():
    journal = valider_sarif(FORMATS["sarif"].rendre(rapport_main(), {}))
    assert journal["version"] == "2.1.0"
    run = journal["runs"][0]
    regles = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in regles] == ["BUD-01", "BUD-02", "BUD-03", "EXE-01", "EXE-02", "EXE-03", "FOR-04"]
    bud01 = regles[0]
    assert bud01["name"] == "Part cybersécurité de chaque programme"
    assert bud01["shortDescription"]["text"] == "Part cybersécurité de chaque programme"
    assert EXIGENCE_BUDGET["enonce"] in bud01["fullDescription"]["text"]
    assert bud01["helpUri"] == "https://example.invalid/plan-2021"
    assert bud01["properties"]["gravite"] == "majeure" and bud01["properties"]["exigences"] == ["PN21-BUDGET-CYBER"]
    resultats = {r["ruleId"]: r for r in run["results"]}
    attendus = {
        "BUD-01": ("pass", "none"), "BUD-02": ("fail", "warning"), "BUD-03": ("fail", "note"),
        "EXE-01": ("fail", "error"), "EXE-02": ("fail", "error"), "EXE-03": ("notApplicable", "none"),
        "FOR-04": ("informational", "none"),
    }
    assert {k: (r["kind"], r["level"]) for k, r in resultats.items()} == attendus
    for i, r in enumerate(run["results"]):
        assert regles[r["ruleIndex"]]["id"] == r["ruleId"] and r["ruleIndex"] == i
    # situé à la preuve : uri relative, ligne
    lieu = resultats["BUD-02"]["locations"][0]["physicalLocation"]
    assert lieu == {"artifactLocation": {"uri": "budget/2026.yaml"}, "region": {"startLine": 2}}
    assert "locations" not in resultats["EXE-01"] and "locations" not in resultats["EXE-03"]
    # dérogation : suppression externe justifiée, située dans derogations.yaml
    derog = resultats["FOR-04"]
    assert derog["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "formation/2026.yaml"
    (suppression,) = derog["suppressions"]
    assert suppression["kind"] == "external" and "campagne reportée" in suppression["justification"]
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 3
    assert all("suppressions" not in r for k, r in resultats.items() if k != "FOR-04")
    # problèmes d'entrée : notifications de l'invocation
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["descriptor"]["id"]) for n in notifications] == [("warning", "derogation-expiree"), ("error", "format-date")]


def test_sarif_uri_encodee():
    rapport = rapport_main()
    rapport["resultats"][1]["details"][0]["fichier"] = "exercices/2026 03 été #1.yaml"
    journal = valider_sarif(FORMATS["sarif"].rendre(rapport, {}))
    uri = journal["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "exercices/2026%2003%20%C3%A9t%C3%A9%20%231.yaml"


# --- texte --------------------------------------------------------------------------------------


def test_texte_couleurs_seulement_sur_demande():
    rapport = rapport_main()
    assert "\x1b[" not in FORMATS["texte"].rendre(rapport, {})
    assert "\x1b[31mnon conforme\x1b[0m" in FORMATS["texte"].rendre(rapport, {"couleur": True})
    long = rapport_main()
    long["resultats"][0]["explication"] = "x " * 80
    assert "…" in FORMATS["texte"].rendre(long, {}) and "…" not in FORMATS["texte"].rendre(long, {"details": True})


def test_cli_pas_de_couleur_hors_terminal(lancer, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")
    sortie = lancer("evaluer", str(EXEMPLES / "ch-vallee-du-lys"), "--date", DATE_EXEMPLES)
    assert "\x1b[" not in sortie.stdout


# --- les trois exemples, dans chaque mode -------------------------------------------------------


def _env_git(maison: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(maison), GIT_CONFIG_NOSYSTEM="1")
    for role in ("AUTHOR", "COMMITTER"):
        env.update({f"GIT_{role}_NAME": "Équipe RSSI", f"GIT_{role}_EMAIL": "rssi@exemple.invalid",
                    f"GIT_{role}_DATE": "2026-09-01T10:00:00+02:00"})
    return env


def _depot_git(source: Path, cible: Path, env: dict[str, str]) -> Path:
    shutil.copytree(source, cible)
    for commande in (["-c", "init.defaultBranch=main", "init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Preuves"]):
        subprocess.run(["git", "-C", str(cible), *commande], check=True, capture_output=True, env=env)
    return cible


@pytest.fixture(scope="module")
def rapports_des_exemples(tmp_path_factory):
    """Chaque exemple : dossier au 2026-10-01, dossier au 2027-03-15 (seuil critique), révision, index."""
    from verificateur import politiques
    from verificateur.evaluation import moteur
    from verificateur.sources import SourceArbre, SourceMemoire

    if not (RACINE / "politiques" / "plan-national" / "politique.yaml").is_file():
        pytest.skip("politique plan-national absente")
    catalogue = politiques.charger()
    jour = date.fromisoformat(DATE_EXEMPLES)
    rapports: dict[tuple[str, str], dict] = {}
    for nom in EXEMPLES_NOMS:
        rapports[(nom, "arbre")] = moteur.evaluer_source(SourceArbre(str(EXEMPLES / nom)), catalogue, jour)
        rapports[(nom, "arbre-2027-critique")] = moteur.evaluer_source(SourceArbre(str(EXEMPLES / nom)), catalogue, date(2027, 3, 15), "critique")
    # Un dépôt sans etablissement.yaml valide et avec une preuve invalide : établissement null, statut erreur.
    fichiers = {
        chemin.relative_to(EXEMPLES / "ch-vallee-du-lys").as_posix(): chemin.read_bytes()
        for chemin in sorted((EXEMPLES / "ch-vallee-du-lys").rglob("*")) if chemin.is_file()
    }
    fichiers["etablissement.yaml"] = b"finess: 123\n"
    fichiers["budget/2026.yaml"] = b"annee: 2026\nbudget_numerique: -1\n"
    rapports[("invalide", "memoire")] = moteur.evaluer_source(SourceMemoire(fichiers, "depots/invalide", "revision", REV), catalogue, jour)
    if shutil.which("git"):
        from verificateur.git.depot_git import SourceIndex, SourceRevision

        racine = tmp_path_factory.mktemp("depots")
        maison = racine / "maison"
        maison.mkdir()
        env = _env_git(maison)
        for nom in EXEMPLES_NOMS:
            depot = _depot_git(EXEMPLES / nom, racine / nom, env)
            rapports[(nom, "revision")] = moteur.evaluer_source(SourceRevision(str(depot), "HEAD"), catalogue, jour)
            rapports[(nom, "index")] = moteur.evaluer_source(SourceIndex(str(depot)), catalogue, jour)
    return rapports


def test_les_modes_atteints(rapports_des_exemples):
    modes = {mode for _, mode in rapports_des_exemples}
    sources = {r["depot"]["source"] for r in rapports_des_exemples.values()}
    if shutil.which("git"):
        assert sources == {"arbre", "revision", "index"}
    invalide = rapports_des_exemples[("invalide", "memoire")]
    assert invalide["etablissement"] is None and invalide["synthese"]["erreur"] >= 1
    assert {"arbre", "arbre-2027-critique", "memoire"} <= modes
    statuts = {r["statut"] for rapport in rapports_des_exemples.values() for r in rapport["resultats"]}
    assert statuts == {"conforme", "non_conforme", "preuve_manquante", "erreur", "non_applicable", "derogation"}


def test_chaque_rapport_des_exemples_valide_son_schema(rapports_des_exemples):
    for cle, rapport in rapports_des_exemples.items():
        try:
            valider_rapport(rapport)
        except AssertionError as echec:
            raise AssertionError(f"{cle}: {echec}") from None
        assert module_rapport.empreinte(rapport) == rapport["empreinte"], cle


def test_chaque_format_sur_chaque_exemple(rapports_des_exemples):
    from junitparser import Error, Failure, Skipped

    for cle, rapport in rapports_des_exemples.items():
        sorties = {f: FORMATS[f].rendre(rapport, {}) for f in FORMATS}
        assert json.loads(sorties["json"]) == rapport, cle
        journal = valider_sarif(sorties["sarif"])
        assert len(journal["runs"][0]["results"]) == rapport["synthese"]["total"], cle
        suite = next(iter(lire_junit(sorties["junit"])))
        compte = {Failure: 0, Error: 0, Skipped: 0}
        for cas in suite:
            for resultat in cas.result:
                compte[type(resultat)] += 1
        s = rapport["synthese"]
        tolere = [r for r in rapport["resultats"] if r["statut"] in ECHECS and sous_le_seuil(r, s["seuil_echec"])]
        assert (compte[Failure], compte[Error], compte[Skipped]) == (
            s["non_conforme"] + s["preuve_manquante"] - sum(r["statut"] != "erreur" for r in tolere),
            s["erreur"] - sum(r["statut"] == "erreur" for r in tolere),
            s["non_applicable"] + s["derogation"] + len(tolere)), cle
        # Le JUnit échoue exactement quand le statut global est non conforme.
        assert (compte[Failure] + compte[Error] > 0) == (s["statut_global"] == "non_conforme"), cle
        html = sorties["html"]
        _autonome(html, analyser(html))
        for r in rapport["resultats"]:
            assert f'id="regle-{r["regle"]}"' in html, cle
        import csv
        import io

        lignes = list(csv.reader(io.StringIO(sorties["csv"].lstrip("\ufeff"), newline=""), delimiter=";"))
        assert len(lignes) == 1 + s["total"], cle
        assert sorties["markdown"].count("\n| ") >= 1, cle


def test_json_identique_octet_pour_octet_dans_chaque_mode(rapports_des_exemples, tmp_path_factory):
    """Deux évaluations des mêmes entrées : les mêmes octets (et la même empreinte), quel que soit le mode."""
    from verificateur import politiques
    from verificateur.evaluation import moteur
    from verificateur.sources import SourceArbre

    catalogue = politiques.charger()
    jour = date.fromisoformat(DATE_EXEMPLES)
    for nom in EXEMPLES_NOMS:
        encore = moteur.evaluer_source(SourceArbre(str(EXEMPLES / nom)), catalogue, jour)
        assert FORMATS["json"].rendre(encore, {}) == FORMATS["json"].rendre(rapports_des_exemples[(nom, "arbre")], {})
        for f in FORMATS:
            assert FORMATS[f].rendre(encore, {}) == FORMATS[f].rendre(rapports_des_exemples[(nom, "arbre")], {}), (nom, f)
    if shutil.which("git"):
        for nom in EXEMPLES_NOMS:
            revision, index = rapports_des_exemples[(nom, "revision")], rapports_des_exemples[(nom, "index")]
            assert revision["depot"]["revision"] == index["depot"]["revision"]
            assert re.fullmatch(r"[0-9a-f]{40}", revision["depot"]["revision"])
            assert all(p["revision"] == revision["depot"]["revision"] for r in revision["resultats"] for p in r["preuves"])


# xlsx est binaire : la sortie standard capturée ici est du texte (tests/test_classeurs.py l'écrit vers un tube).
@pytest.mark.parametrize("format_", sorted(f for f in FORMATS if f != "xlsx"))
def test_cli_chaque_format_vers_un_fichier(lancer, tmp_path, format_):
    cible = tmp_path / f"rapport.{format_}"
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", format_, "--sortie", str(cible))
    assert sortie.code == 0, sortie
    assert sortie.stdout == ""
    contenu = cible.read_bytes()
    encore = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", format_)
    assert encore.stdout.encode("utf-8") == contenu  # fichier et sortie standard : les mêmes octets
    if format_ == "csv":
        assert contenu.startswith(b"\xef\xbb\xbffiness;")
    if format_ == "json":
        relu = json.loads(contenu)
        assert module_rapport.empreinte(relu) == relu["empreinte"]


def test_cli_csv_standard(lancer):
    sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "csv", "--csv-standard")
    assert sortie.stdout.startswith("finess,raison_sociale,")
    assert sortie.stdout.splitlines()[1].endswith(",0.9091")


def test_le_schema_sarif_est_la_copie_officielle():
    import hashlib

    lisezmoi = (SCHEMA_SARIF.parent / "sarif-schema-2.1.0.LISEZMOI.md").read_text(encoding="utf-8")
    empreinte = hashlib.sha256(SCHEMA_SARIF.read_bytes()).hexdigest()
    assert f"sha256 : `{empreinte}`" in lisezmoi
    schema = json.loads(SCHEMA_SARIF.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def test_sarif_resume_d_un_ehpad_compte_chaque_echec_a_sa_gravite(lancer):
    """Un visualiseur SARIF compte les résultats par `level` : les 13 règles en échec de l'EHPAD d'exemple
    (dont 11 preuves manquantes) y sont toutes, au niveau de leur gravité, pas une seule erreur."""
    from collections import Counter

    sortie = lancer("evaluer", str(EXEMPLES / "ehpad-les-tilleuls"), "--date", DATE_EXEMPLES, "--format", "sarif")
    assert sortie.code == 1
    run = valider_sarif(sortie.stdout)["runs"][0]
    niveaux = Counter(r["level"] for r in run["results"] if r["kind"] == "fail")
    assert niveaux == {"error": 8, "warning": 4, "note": 1}
    statuts = Counter(r["properties"]["statut"] for r in run["results"] if r["kind"] == "fail")
    assert statuts == {"preuve_manquante": 11, "non_conforme": 2}


def test_un_seul_lieu_fichier_ligne():
    """#14.3 : « fichier:ligne » s'écrit en un seul endroit ; chaque appelant garde sa forme."""
    from verificateur.rendus.commun import lieu as lieu_des_rendus
    from verificateur.socle.problemes import lieu

    assert lieu_des_rendus is lieu
    assert lieu("preuves/a.yaml", 12) == "preuves/a.yaml:12"
    assert lieu("preuves/a.yaml", 0) == lieu("preuves/a.yaml", None) == "preuves/a.yaml"
    assert lieu("preuves/a.yaml", 0, ligne_toujours=True) == "preuves/a.yaml:0"
    assert lieu("preuves/a.yaml", 3, "0123456789abcdef") == "preuves/a.yaml:3@0123456789ab"
    assert lieu(None, 3) == ""
    assert lieu(None, 3, sans_fichier=".") == "."


def test_une_seule_table_des_mots_des_statuts():
    """#14.3 : les mots des statuts viennent d'une table (verificateur.socle.statuts) ; l'éligibilité les précise."""
    from verificateur.evaluation import STATUTS
    from verificateur.financements import modeles as eligibilite
    from verificateur.rendus import commun
    from verificateur.socle import statuts

    assert commun.LIBELLES is statuts.LIBELLES_STATUTS and commun.PLURIELS is statuts.PLURIELS_STATUTS
    assert set(statuts.LIBELLES_STATUTS) == set(statuts.PLURIELS_STATUTS) == set(eligibilite.LIBELLES_STATUTS) == set(STATUTS)
    assert eligibilite.LIBELLES_STATUTS == {
        "conforme": "conforme",
        "non_conforme": "non conforme",
        "preuve_manquante": "preuve manquante",
        "erreur": "preuve invalide (erreur)",
        "non_applicable": "non applicable, condition sans objet",
        "derogation": "dérogation active",
    }
    for statut, mot in eligibilite.LIBELLES_STATUTS.items():
        assert statuts.LIBELLES_STATUTS[statut] in mot


def test_chaque_format_offert_par_la_cli_est_celui_de_son_registre():
    """#14.3 : un format = un enregistrement ; --format de chaque commande offre exactement son registre,
    dans son ordre (celui de l'aide), et chaque enregistrement se charge. Une seule signature : chaque
    fonction de rendu est `rendre(donnees, options=None)` (et `morceaux`, la variante au fil de l'eau, aussi)."""
    import importlib
    import inspect

    import click

    from verificateur import cli, rendus
    from verificateur.observatoire import formats as rendus_observatoire
    from verificateur.rendus import (
        catalogue as rendus_catalogue,
        echeances as rendus_echeances,
        eligibilite as rendus_eligibilite,
        historique as rendus_historique,
        lot as rendus_lot,
    )

    registres = {
        "evaluer": rendus.FORMATS,
        "historique": rendus_historique.FORMATS,
        "echeances": rendus_echeances.FORMATS,
        "eligibilite": rendus_eligibilite.FORMATS,
        "lot": rendus_lot.FORMATS,
        "observatoire campagnes": rendus_observatoire.CAMPAGNES,
        "observatoire evolution": rendus_observatoire.EVOLUTION,
        "observatoire comparer": rendus_observatoire.COMPARAISON,
        "politiques lister": rendus_catalogue.REGLES,
        "referentiels lister": rendus_catalogue.EXIGENCES,
        "referentiels couverture": rendus_catalogue.COUVERTURE,
    }

    offerts = {}

    def parcourir(commande: click.Command, chemin: str) -> None:
        for option in commande.params:
            if option.name == "format_":
                offerts[chemin] = tuple(option.type.choices)
        if isinstance(commande, click.Group):  # list_commands/get_command : les commandes chargées à la demande aussi
            contexte = click.Context(commande)
            for nom in commande.list_commands(contexte):
                parcourir(commande.get_command(contexte, nom), f"{chemin} {nom}".strip())

    parcourir(cli.cli, "")
    assert set(offerts) == set(registres)
    for commande, registre in registres.items():
        assert offerts[commande] == tuple(registre), commande
        for nom, format_ in registre.items():
            assert format_.nom == nom and format_.extension.startswith(".")
            assert callable(format_.rendu()), f"{commande} --format {nom}"
            module = importlib.import_module(format_.fonction.partition(":")[0])
            for fonction in [format_.rendu()] + ([module.morceaux] if hasattr(module, "morceaux") else []):
                parametres = list(inspect.signature(fonction).parameters.values())
                assert len(parametres) == 2 and parametres[1].name == "options" and parametres[1].default is None, (commande, nom)
    binaires = {(c, n) for c, r in registres.items() for n, f in r.items() if f.binaire}
    assert binaires == {("evaluer", "xlsx"), ("eligibilite", "xlsx"), ("lot", "xlsx")}


def test_un_format_enregistre_deux_fois_est_refuse():
    from verificateur.rendus.registre import Format, registre

    with pytest.raises(ValueError, match="format enregistré deux fois"):
        registre(Format("texte", "verificateur.rendus.texte:rendre", ".txt"), Format("texte", "verificateur.rendus.json_:rendre", ".json"))


def test_une_surcouche_jinja_garde_l_environnement_du_rapport_intact():
    """#14.3 : l'environnement Jinja public des rendus HTML ; une famille y ajoute ses gabarits et ses filtres."""
    from verificateur.rendus.html import environnement, surcouche
    from verificateur.rendus.lot import html as rendu_lot

    base = environnement()
    assert base is environnement() and base.autoescape
    lot = rendu_lot._environnement()
    assert "region" in lot.filters and "region" not in base.filters
    assert lot.filters["lieu"] is base.filters["lieu"]
    observatoire = surcouche(lot, "verificateur.observatoire", {"essai": str.upper})
    assert "essai" not in lot.filters and observatoire.filters["region"] is lot.filters["region"]
    assert observatoire.get_template("rapport.css") is not None  # les gabarits du rapport restent accessibles
