"""Lecture YAML, CSV et Markdown : messages exacts et lignes exactes pour chaque entrée mal formée."""

from decimal import Decimal

import pytest

from verificateur.socle.lecture import lire_csv, lire_markdown, lire_yaml, normaliser_titre


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
    # YAML 1.2 (schéma « core ») : « 011 » est onze, pas l'octal neuf de YAML 1.1 ; « 1e3 » est un nombre.
    d = lire_yaml("a.yaml", b"montant: 1234567.80\ncode: 011\nregion: '011'\nexposant: 1e3\nnegatif: -2\n")
    assert d.donnees == {
        "montant": Decimal("1234567.80"), "code": 11, "region": "011", "exposant": Decimal("1E+3"), "negatif": -2,
    }


@pytest.mark.parametrize(
    "ecrit",
    ["1:30:00", "0x1F", "0o17", "0b101", "1_000", "1_000.5", ".inf", "-.inf", ".nan", "190:20:30.15"],
)
def test_yaml_ecritures_de_yaml_1_1_restent_des_textes(ecrit):
    # YAML 1.1 lisait « 1:30:00 » comme 5400 (base 60), « 0x1F » comme 31, « 1_000 » comme 1000 :
    # un effectif qui n'est pas celui qu'on lit. Ils restent des textes, que le schéma refuse.
    d = lire_yaml("a.yaml", f"effectif: {ecrit}\n".encode())
    assert d.problemes == []
    assert d.donnees == {"effectif": ecrit}


@pytest.mark.parametrize("etiquette", ["!!int 0x1F", "!!int 1:30:00", "!!float 1_0.5"])
def test_yaml_etiquette_explicite_ne_ressuscite_pas_yaml_1_1(etiquette):
    d = lire_yaml("a.yaml", f"effectif: {etiquette}\n".encode())
    assert d.donnees == {"effectif": etiquette.split(" ", 1)[1]}


@pytest.mark.parametrize(
    ("ecrit", "message"),
    [
        ("1" * 400, "nombre de 400 chiffres, au-delà de la limite de 15 (docs/limites.md)"),
        ("-" + "9" * 16, "nombre de 16 chiffres, au-delà de la limite de 15 (docs/limites.md)"),
        ("1" * 10 + "." + "1" * 10, "nombre de 20 chiffres, au-delà de la limite de 15 (docs/limites.md)"),
        ("1" * 5000, "nombre de 5000 chiffres, au-delà de la limite de 15 (docs/limites.md)"),
        ("1e999999999", "nombre d'ordre de grandeur 10^999999999, au-delà de la limite de 10^±15 (docs/limites.md)"),
        ("1.5e-40", "nombre d'ordre de grandeur 10^-40, au-delà de la limite de 10^±15 (docs/limites.md)"),
    ],
)
def test_yaml_nombre_demesure_refuse_sans_etre_recopie(ecrit, message):
    d = lire_yaml("a.yaml", f"titre: x\neffectif: {ecrit}\n".encode())
    assert problemes(d) == [f"a.yaml:2: {message} (nombre-demesure)"]
    assert d.donnees is None


def test_yaml_plus_grand_nombre_accepte():
    d = lire_yaml("a.yaml", b"budget: 999999999999999\ntaux: 0.000000000000001\n")
    assert d.donnees == {"budget": 999_999_999_999_999, "taux": Decimal("1E-15")}


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


# Chaque faute de syntaxe a son message français ; aucun texte anglais de libyaml n'atteint l'utilisateur.
FAUTES_YAML = {
    b"a: [1, 2\n": "a.yaml:2: syntaxe YAML invalide : crochet « [ » ou accolade « { » non fermé",
    b"a: b: c\n": "a.yaml:1: syntaxe YAML invalide : « : » inattendu (une valeur qui contient « : » doit être entre guillemets)",
    b"a: *x\n": "a.yaml:1: syntaxe YAML invalide : alias YAML inconnu",
    b'a: "\\xZZ"\n': "a.yaml:1: syntaxe YAML invalide : séquence d'échappement « \\u » ou « \\x » incomplète dans un texte entre guillemets",
    b"%YAML 1.1\n%YAML 1.1\n---\na: 1\n": "a.yaml:2: syntaxe YAML invalide : directive « % » non acceptée dans une preuve",
    b"a: !<tag\n": "a.yaml:1: syntaxe YAML invalide : étiquette YAML « ! » mal formée",
    b"a: &\n": "a.yaml:1: syntaxe YAML invalide : ancre YAML « & » mal formée",
    b"a: |0\n  x\n": "a.yaml:1: syntaxe YAML invalide : bloc de texte « | » ou « > » mal formé",
    b"a: &x 1\nb: &x 2\n": "a.yaml:2: syntaxe YAML invalide : ancre YAML « & » en double",
    b"a: 1\n...\nb\n": "a.yaml:3: syntaxe YAML invalide : un seul document YAML attendu (pas de « --- » ou « ... » supplémentaire)",
    b"a: \x07\n": "a.yaml:1: syntaxe YAML invalide : caractère de contrôle interdit",
}


@pytest.mark.parametrize("contenu", FAUTES_YAML)
def test_yaml_faute_de_syntaxe_en_francais(contenu):
    assert problemes(lire_yaml("a.yaml", contenu)) == [f"{FAUTES_YAML[contenu]} (syntaxe-yaml)"]


def test_yaml_message_inconnu_de_libyaml_jamais_recopie():
    import yaml

    from verificateur.socle.lecture_yaml import _message_yaml

    marque = yaml.Mark("a.yaml", 12, 0, 11, None, None)
    erreur = yaml.MarkedYAMLError("while doing something new", marque, "found a brand new problem", marque)
    assert _message_yaml(erreur) == "syntaxe YAML invalide à la colonne 12"


@pytest.mark.parametrize(
    ("contenu", "ligne"),
    [
        # « [[[[… » : libyaml lit d'avance et peut atteindre sa propre limite avant notre compte ;
        # le refus est le même, avec notre code et notre message, quelle que soit sa version.
        (b"a: " + b"[" * 2_000 + b"]" * 2_000 + b"\n", 1),
        (b"a:\n  b: " + b"{c: " * 2_000 + b"1" + b"}" * 2_000 + b"\n", 2),
        (b"a:\n" + b"".join(b"  " * i + b"b:\n" for i in range(1, 80)) + b"  " * 80 + b"c: 1\n", 65),
    ],
)
def test_yaml_imbrication_refusee_par_notre_limite(contenu, ligne):
    assert problemes(lire_yaml("a.yaml", contenu)) == [f"a.yaml:{ligne}: imbrication de plus de 64 niveaux, refusée (imbrication)"]


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b'identifiant;actif\n"CVE-1"x;DPI\n', "r.csv:2: CSV invalide : une cellule entre guillemets doit être suivie du séparateur ou d'une fin de ligne (syntaxe-csv)"),
        (b'identifiant;actif\n"CVE-1;DPI\n', "r.csv:2: CSV invalide : guillemet non fermé à la fin du fichier (syntaxe-csv)"),
        (b"identifiant;actif\n" + b"x" * 200_000 + b";DPI\n", "r.csv:2: CSV invalide : cellule de plus de 131072 caractères (syntaxe-csv)"),
    ],
)
def test_csv_fautes_en_francais(contenu, attendu):
    assert problemes(lire_csv("r.csv", contenu)) == [attendu]


@pytest.mark.parametrize(
    ("numero", "attendu"),
    [(2, "dossier ou fichier introuvable"), (13, "permission refusée"), (28, "plus de place sur le disque"), (30, "système de fichiers en lecture seule"), (121, "erreur du système EREMOTEIO")],
)
def test_erreurs_du_systeme_en_francais(numero, attendu):
    from verificateur.socle.francais import erreur_systeme

    assert erreur_systeme(OSError(numero, "English text from the system")) == attendu
