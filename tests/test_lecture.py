"""Lecture YAML, CSV et Markdown : messages exacts et lignes exactes pour chaque entrée mal formée."""

from decimal import Decimal

import pytest

from verificateur.lecture import lire_csv, lire_markdown, lire_yaml, normaliser_titre


def problemes(document):
    return [str(p) for p in document.problemes]


def test_yaml_valeurs_et_lignes():
    d = lire_yaml("a.yaml", b"a: 1\nb:\n  - x: 2023-05-31\n    y: 61728.39\nc: oui\nd: true\n")
    assert d.donnees == {"a": 1, "b": [{"x": "2023-05-31", "y": Decimal("61728.39")}], "c": "oui", "d": True}
    assert d.lignes[("b", 0, "y")] == 4
    assert d.problemes == []


@pytest.mark.parametrize(
    "contenu, attendu",
    [
        (b"a: 1\na: 2\n", "a.yaml:2: clé « a » en double (déjà vue ligne 1) (cle-dupliquee)"),
        (b"a: &x [1]\nb: *x\n", "a.yaml:1: ancres et alias YAML (« & », « * ») non acceptés dans une preuve (alias-yaml)"),
        (b"a: b: c\n", "a.yaml:1: syntaxe YAML invalide : « : » inattendu (une valeur qui contient « : » doit être entre guillemets) (syntaxe-yaml)"),
        (b"a:\n\t- 1\n", "a.yaml:2: syntaxe YAML invalide : tabulation interdite, indentez avec des espaces (syntaxe-yaml)"),
        (b"a: !!python/object:os.system x\n", "a.yaml:1: étiquette YAML « tag:yaml.org,2002:python/object:os.system » non acceptée (etiquette-yaml)"),
        (b"", "a.yaml:1: fichier vide (fichier-vide)"),
        (b"a: 1\nb: \xe9t\xe9\n", "a.yaml:2: caractère non UTF-8 (fichier enregistré en Latin-1 ou Windows-1252 ?), attendu un texte UTF-8 (encodage)"),
        ("a: 1\n".encode("utf-16"), "a.yaml:1: fichier binaire ou UTF-16, attendu un texte UTF-8 (encodage)"),
        (b"a: 1\n---\nb: 2\n", "a.yaml:2: syntaxe YAML invalide : un seul document YAML attendu (pas de « --- » supplémentaire) (syntaxe-yaml)"),
        (b"<<: {a: 1}\n", "a.yaml:1: fusion YAML « << » non acceptée dans une preuve (alias-yaml)"),
    ],
)
def test_yaml_mal_forme(contenu, attendu):
    assert problemes(lire_yaml("a.yaml", contenu)) == [attendu]


def test_yaml_imbrication_excessive():
    contenu = ("a: " + "[" * 100 + "]" * 100 + "\n").encode()
    assert problemes(lire_yaml("a.yaml", contenu)) == ["a.yaml:1: imbrication de plus de 64 niveaux, refusée (imbrication)"]


def test_yaml_bombe_d_alias_refusee_sans_exploser():
    lignes = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lignes += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 10)]
    d = lire_yaml("a.yaml", "\n".join(lignes).encode())
    assert [p.code for p in d.problemes] == ["alias-yaml"]


def test_yaml_nombres_exacts_et_textes():
    d = lire_yaml("a.yaml", b"montant: 1234567.80\ncode: 011\nregion: '011'\nexposant: 1e3\n")
    assert d.donnees == {"montant": Decimal("1234567.80"), "code": 9, "region": "011", "exposant": "1e3"}


def test_csv_point_virgule_bom_et_cellules_vides():
    contenu = "\ufeffidentifiant;actif;criticite;corrigee_le\nCVE-1;DPI;critique;\n\nCVE-2;PACS;haute;2026-01-02\n".encode()
    d = lire_csv("r.csv", contenu)
    assert d.donnees == [
        {"identifiant": "CVE-1", "actif": "DPI", "criticite": "critique"},
        {"identifiant": "CVE-2", "actif": "PACS", "criticite": "haute", "corrigee_le": "2026-01-02"},
    ]
    assert d.lignes[(1, "actif")] == 4


def test_csv_virgule_et_ligne_incomplete():
    d = lire_csv("r.csv", b"identifiant,actif,criticite\nCVE-1,DPI\n")
    assert problemes(d) == ["r.csv:2: 2 cellules, attendu 3 comme l'en-tête (séparateur « , ») (csv-colonnes)"]


def test_markdown_titres_hors_blocs_de_code():
    texte = "# Plan\n\n```\n# pas un titre\n```\nAnalyse d'impact\n----------------\n## 2. Mode dégradé :\n"
    d = lire_markdown("p.md", texte.encode())
    assert d.donnees["titres"] == [
        {"texte": "Plan", "niveau": 1, "ligne": 1},
        {"texte": "Analyse d'impact", "niveau": 2, "ligne": 6},
        {"texte": "2. Mode dégradé :", "niveau": 2, "ligne": 8},
    ]


@pytest.mark.parametrize(
    "titre, normal",
    [("2. Mode dégradé :", "mode degrade"), ("ANALYSE D'IMPACT", "analyse d impact"), ("II - Retour à la normale", "retour a la normale")],
)
def test_normaliser_titre(titre, normal):
    assert normaliser_titre(titre) == normal
