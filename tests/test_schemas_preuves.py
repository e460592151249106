"""Schémas des preuves (CONCEPTION §3) et leur documentation, docs/preuves.md.

Les schémas sont vérifiés pour eux-mêmes (méta-schéma, conventions du moteur), contre la documentation (chaque
champ documenté, exactement, dans la section de son fichier ; les exemples de la documentation valides), puis
sur de petites instances valides et invalides.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from verificateur.preuves import TYPES

RACINE = Path(__file__).resolve().parent.parent
DOSSIER_SCHEMAS = RACINE / "verificateur" / "schemas" / "preuves"
DOC = RACINE / "docs" / "preuves.md"

# Nom du schéma → titre de sa section dans docs/preuves.md, tirés du registre des types de preuve : un
# type nouveau sans section, sans schéma ou sans ligne dans l'arborescence fait échouer ces tests.
SECTIONS = {t.nom: t.forme.replace("<nom>", "*") for t in TYPES}
NOMS = sorted(SECTIONS)

# Mots-clés permis : ceux que le moteur sait traduire en message français, la structure, les annotations.
# Pas de oneOf/anyOf/if : ils donnent de mauvais messages d'erreur.
MOTS_CLES = {
    "$schema", "$id", "title", "description", "default", "x-message",
    "type", "properties", "items", "additionalProperties", "required", "enum", "const", "format", "pattern",
    "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
    "minLength", "maxLength", "minProperties",
}
FONCTIONS = ["direction", "dsi", "rssi", "medical", "soignant", "communication", "logistique", "ars", "prestataire", "autre"]


def charger_schema(nom: str) -> dict[str, Any]:
    return json.loads((DOSSIER_SCHEMAS / f"{nom}.schema.json").read_text(encoding="utf-8"))


def validateur(nom: str) -> Draft202012Validator:
    return Draft202012Validator(charger_schema(nom), format_checker=Draft202012Validator.FORMAT_CHECKER)


def sous_schemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Tous les sous-schémas (dictionnaires) d'un schéma, lui compris."""
    if isinstance(schema, dict):
        yield schema
        for cle, valeur in schema.items():
            if cle == "properties":
                for sous in valeur.values():
                    yield from sous_schemas(sous)
            elif cle in ("items", "additionalProperties") and isinstance(valeur, dict):
                yield from sous_schemas(valeur)


def proprietes(schema: dict[str, Any], prefixe: str = "") -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(chemin documenté, sous-schéma, obligatoire dans son objet) de chaque propriété, récursivement.

    Chemins : `a.b` pour une clé d'une table, `a[].b` pour une clé des éléments d'une liste."""
    requis = set(schema.get("required", []))
    for nom, sous in schema.get("properties", {}).items():
        chemin = prefixe + nom
        yield chemin, sous, nom in requis
        if "properties" in sous:
            yield from proprietes(sous, chemin + ".")
        items = sous.get("items")
        if isinstance(items, dict) and "properties" in items:
            yield from proprietes(items, chemin + "[].")


# --- les schémas eux-mêmes --------------------------------------------------------------------------


def test_un_schema_par_type_de_preuve() -> None:
    assert sorted(p.name for p in DOSSIER_SCHEMAS.glob("*.schema.json")) == sorted(f"{n}.schema.json" for n in NOMS)


@pytest.mark.parametrize("nom", NOMS)
def test_schema_conforme_au_meta_schema(nom: str) -> None:
    schema = charger_schema(nom)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:verificateur:preuves:{nom}:1"
    assert schema["type"] == "object"


@pytest.mark.parametrize("nom", NOMS)
def test_titre_et_description_en_francais_partout(nom: str) -> None:
    schema = charger_schema(nom)
    assert schema.get("title") and schema.get("description")
    for chemin, sous, _ in proprietes(schema):
        assert sous.get("title"), f"{nom} : « {chemin} » sans title"
        assert sous.get("description"), f"{nom} : « {chemin} » sans description"


@pytest.mark.parametrize("nom", NOMS)
def test_tout_objet_est_ferme(nom: str) -> None:
    for sous in sous_schemas(charger_schema(nom)):
        if sous.get("type") == "object" or "properties" in sous:
            assert sous.get("additionalProperties") is False, f"{nom} : objet ouvert {sous.get('title')}"


@pytest.mark.parametrize("nom", NOMS)
def test_tout_motif_a_son_message(nom: str) -> None:
    for sous in sous_schemas(charger_schema(nom)):
        if "pattern" in sous:
            assert isinstance(sous.get("x-message"), str) and sous["x-message"], f"{nom} : motif {sous['pattern']} sans x-message"


@pytest.mark.parametrize("nom", NOMS)
def test_mots_cles_traduisibles_seulement(nom: str) -> None:
    for sous in sous_schemas(charger_schema(nom)):
        assert set(sous) <= MOTS_CLES, f"{nom} : mots-clés non permis {sorted(set(sous) - MOTS_CLES)}"


@pytest.mark.parametrize("nom", NOMS)
def test_valeurs_par_defaut_valides(nom: str) -> None:
    for chemin, sous, obligatoire in proprietes(charger_schema(nom)):
        if "default" in sous:
            assert not obligatoire, f"{nom} : « {chemin} » obligatoire et pourvu d'une valeur par défaut"
            sans_defaut = {k: v for k, v in sous.items() if k != "default"}
            assert not list(Draft202012Validator(sans_defaut).iter_errors(sous["default"])), chemin


# --- la documentation --------------------------------------------------------------------------------


def section(titre: str) -> str:
    """Le texte entre `## <titre>` et le `## ` suivant."""
    texte = DOC.read_text(encoding="utf-8")
    motif = re.compile(rf"^## {re.escape(titre)}[ \t]*\n(.*?)(?=^## |\Z)", re.S | re.M)
    trouve = motif.search(texte)
    assert trouve, f"section « ## {titre} » absente de docs/preuves.md"
    return trouve.group(1)


def lignes_du_tableau(texte: str) -> dict[str, tuple[str, str, str]]:
    """Le tableau des champs d'une section : champ → (type, obligatoire, sens)."""
    lignes = {}
    for ligne in texte.splitlines():
        if not ligne.startswith("| `"):
            continue
        cellules = [c.strip() for c in ligne.strip().strip("|").split(" | ")]
        assert len(cellules) == 4, f"ligne de tableau mal formée : {ligne}"
        champ = cellules[0].strip("`")
        assert champ not in lignes, f"champ « {champ} » documenté deux fois"
        lignes[champ] = (cellules[1], cellules[2], cellules[3])
    return lignes


# Début attendu de la colonne « type » de la documentation, selon le schéma.
def mots_de_type(sous: dict[str, Any]) -> tuple[str, ...]:
    if sous.get("format") == "date":
        return ("date",)
    if "pattern" in sous and sous["pattern"].startswith(r"^\d{4}-\d{2}-\d{2}[T ]"):
        return ("date et heure",)
    if sous.get("enum") == FONCTIONS:
        return ("fonction",)
    return {
        "string": ("texte", "chemin"), "integer": ("entier",), "number": ("nombre",), "boolean": ("booléen",),
        "object": ("table",), "array": ("liste",),
    }[sous["type"]]


def test_sections_de_la_documentation() -> None:
    texte = DOC.read_text(encoding="utf-8")
    titres = re.findall(r"^## (.+?)[ \t]*$", texte, re.M)
    for titre in [*SECTIONS.values(), "crise/plan-blanc-numerique.md"]:
        assert titres.count(titre) == 1, f"section « ## {titre} » absente ou en double"


def test_arborescence_de_la_documentation() -> None:
    """Chaque type de preuve du registre a sa ligne dans le bloc « Arborescence », et rien d'autre n'y est."""
    (arbre,) = blocs(section("Arborescence"), "")
    chemins = [ligne.split()[0] for ligne in arbre.splitlines() if ligne and not ligne.endswith(":")]
    assert sorted(chemins) == sorted([*SECTIONS.values(), "crise/plan-blanc-numerique.md"])


@pytest.mark.parametrize("nom", NOMS)
def test_chaque_champ_du_schema_est_documente_dans_sa_section(nom: str) -> None:
    texte = section(SECTIONS[nom])
    for chemin, _, _ in proprietes(charger_schema(nom)):
        feuille = re.split(r"\.|\[\]\.", chemin)[-1]
        assert feuille in texte, f"« {feuille} » absent de la section {SECTIONS[nom]}"
        assert f"`{chemin}`" in texte, f"« {chemin} » absent de la section {SECTIONS[nom]}"


@pytest.mark.parametrize("nom", NOMS)
def test_tableau_de_la_documentation_identique_au_schema(nom: str) -> None:
    tableau = lignes_du_tableau(section(SECTIONS[nom]))
    schema = {chemin: (sous, obligatoire) for chemin, sous, obligatoire in proprietes(charger_schema(nom))}
    assert set(tableau) == set(schema), "champs documentés ≠ champs du schéma"
    for chemin, (type_doc, obligatoire_doc, sens) in tableau.items():
        sous, obligatoire = schema[chemin]
        assert obligatoire_doc.split(",")[0].split(" ")[0] == ("oui" if obligatoire else "non"), chemin
        assert type_doc.startswith(mots_de_type(sous)), f"{chemin} : type documenté « {type_doc} »"
        for valeur in sous.get("enum", []) if sous.get("enum") != FONCTIONS else []:
            assert f"`{valeur}`" in type_doc or f'`"{valeur}"`' in type_doc, f"{chemin} : valeur {valeur} non documentée"
        assert sens


class _ChargeurMoteur(yaml.SafeLoader):
    """Comme le moteur : dates laissées en texte, décimaux exacts."""


_ChargeurMoteur.yaml_implicit_resolvers = {
    premier: [(tag, motif) for tag, motif in resolveurs if tag != "tag:yaml.org,2002:timestamp"]
    for premier, resolveurs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ChargeurMoteur.add_constructor("tag:yaml.org,2002:float", lambda chargeur, noeud: Decimal(noeud.value))


def charger_yaml(texte: str) -> Any:
    return yaml.load(texte, Loader=_ChargeurMoteur)  # noqa: S506 - sous-classe de SafeLoader


def blocs(texte: str, langage: str) -> list[str]:
    return re.findall(rf"^```{langage}\n(.*?)^```", texte, re.S | re.M)


@pytest.mark.parametrize("nom", NOMS)
def test_exemples_de_la_documentation_valides(nom: str) -> None:
    texte = section(SECTIONS[nom])
    v = validateur(nom)
    if nom in ("registre_vulnerabilites", "hebergeurs"):
        (exemple,) = blocs(texte, "csv")
        premiere = exemple.split("\n", 1)[0]
        lecteur = csv.DictReader(io.StringIO(exemple), delimiter=";" if ";" in premiere else ",")
        lignes = [{c: x.strip() for c, x in ligne.items() if x.strip()} for ligne in lecteur]
        assert lignes
        for ligne in lignes:
            assert not list(v.iter_errors(ligne)), ligne
        return
    (exemple,) = blocs(texte, "yaml")
    # La ligne de schéma portable (#17.4) : relative à la place du fichier, vers .verificateur/schemas/ du dépôt.
    assert exemple.startswith(f"# yaml-language-server: $schema={'../' * SECTIONS[nom].count('/')}.verificateur/schemas/{nom}.schema.json\n")
    erreurs = [e.message for e in v.iter_errors(charger_yaml(exemple))]
    assert not erreurs


def test_documentation_plan_blanc_markdown() -> None:
    texte = section("crise/plan-blanc-numerique.md")
    for titre in ("Activation de la cellule de crise", "Analyse d'impact", "Mode dégradé", "Signalement", "Retour à la normale"):
        assert titre in texte
    assert "yaml-language-server" in DOC.read_text(encoding="utf-8")


# --- instances valides et invalides ------------------------------------------------------------------

VALIDES: dict[str, Any] = {
    "etablissement": {
        "finess": "380009993", "raison_sociale": "CH du Val d'Aurance", "categorie": "ch",
        "statut_juridique": "public", "region": "84", "ght": {"nom": "GHT Aurance", "support": False},
        "prioritaire": False, "ose": True, "oiv": False, "effectif": 1150, "lits_places": 0,
        "nis2": {"statut_declare": "essentielle", "exercice": 2025, "effectif": 1150, "chiffre_affaires": 98000000,
                 "total_bilan": Decimal("87000000.50"), "designee": False},
    },
    "budget": {
        "annee": 2026, "budget_numerique": 2900000,
        "programmes": [{"nom": "DPI", "budget": Decimal("1234567.80"), "dont_cybersecurite": Decimal("61728.39")}],
        "cybersecurite_hors_programmes": 0,
    },
    "exercice": {
        "date": "2026-04-14", "theme": "cyber", "type": "simulation", "scenario": "Rançongiciel",
        "cellule_de_crise_activee": True, "participants": ["direction", "dsi"],
        "retex": {"date": "2026-05-07", "actions": [{"libelle": "Imprimer les procédures", "echeance": "2026-06-30", "statut": "a_faire"}]},
    },
    "plan_blanc_numerique": {
        "version": "2.1", "valide_le": "2025-11-18", "valide_par": "direction",
        "cellule_de_crise": {"criteres_declenchement": ["Rançongiciel"], "membres": ["direction", "dsi"]},
        "applications_critiques": [{"nom": "DPI", "dmia_heures": Decimal("0.5"), "pdma_heures": 0, "mode_degrade": "crise/dpi.md"}],
        "contacts": {},
        "mutualisation_regionale": {"convention": False},
    },
    "formation": {
        "annee": 2026, "effectif_total": 100, "sensibilises_total": 0,
        "par_population": [{"population": "paramedical", "effectif": 100, "sensibilises": 0}],
        "hameconnage": [{"date": "2026-03-10", "cibles": 90, "clics": 0}], "module_accueil": False,
    },
    "veille": {
        "inscription_cert_sante": {"date": "2023-02-06", "services": ["Veille"]},
        "derniere_analyse_exposition": "2026-06-02",
    },
    "registre_vulnerabilites": {
        "identifiant": "CVE-2024-21762", "actif": "Pare-feu", "criticite": "critique", "detectee_le": "2024-02-12",
    },
    "hebergeurs": {
        "prestataire": "Nuage Santé Exemple SAS", "service": "DPI", "donnees_de_sante": "oui", "debut": "2023-01-01",
        "certificat": "HDS-EX-0001", "referentiel_hds": "2024", "certifie_jusqu_au": "2028-06-30",
    },
    "mesures": {
        "mfa": {"acces_distants": True}, "mots_de_passe": {"longueur_minimale": 12},
        "sauvegardes": {"dernier_test_restauration": "2026-05-28"},
    },
    "incident": {"detecte_le": "2026-01-20T07:55", "gravite": "majeure", "resume": "Poste infecté, isolé."},
    "derogations": {
        "derogations": [{
            "regle": "HYG-01", "motif": "Déploiement en cours", "risque_accepte": "Mot de passe seul",
            "accordee_par": "direction", "accordee_le": "2026-03-02", "expire_le": "2026-09-30",
        }],
    },
    "audit_ad": {"date": "2025-05-27", "outil": "ORADAD", "realise_par": "prestataire", "niveau_anssi": 1, "comptes_privilegies": 0},
    "audit_exposition": {
        "date": "2026-07-06", "outil": "SILENE", "services_exposes": 0,
        "vulnerabilites": {"critique": 0, "haute": 0, "moyenne": 3, "faible": 8}, "niveau_minimum_atteint": False,
    },
    "pca_pra": {
        "version": "1.1", "valide_le": "2025-12-09", "valide_par": "direction", "gouvernance": {"responsable": "rssi"},
        "perimetres": [{"nom": "Urgences", "type": "soins", "bia_le": "2025-10-02", "pcra": "continuite/pcra/urgences.md",
                        "rto_heures": Decimal("0.5"), "rpo_heures": 0}],
        "part_activite_couverte": 1,
        "tests_pca": [{"date": "2026-05-19", "perimetre": "Urgences", "type": "exercice_terrain", "resultat": "echec"}],
        "restaurations": [{"date": "2026-06-11", "systeme": "DPI", "resultat": "reussie", "remise_en_production": True, "referent_metier": False}],
    },
}

# (schéma, chemin, nouvelle valeur ; None = supprimer la clé) → mot-clé JSON Schema attendu en erreur.
_SUPPRIMER = object()
INVALIDES: list[tuple[str, tuple[Any, ...], Any, str]] = [
    ("etablissement", ("raison_social",), "CH", "additionalProperties"),
    ("etablissement", ("ght", "supports"), True, "additionalProperties"),
    ("etablissement", ("categorie",), "hopital", "enum"),
    ("etablissement", ("region",), "99", "enum"),
    ("etablissement", ("region",), 84, "type"),
    ("etablissement", ("finess",), "38000999", "pattern"),
    ("etablissement", ("finess",), 380009993, "type"),
    ("etablissement", ("ose",), "oui", "type"),
    ("etablissement", ("effectif",), 0, "minimum"),
    ("etablissement", ("prioritaire",), _SUPPRIMER, "required"),
    ("etablissement", ("ght", "support"), _SUPPRIMER, "required"),
    ("budget", ("programmes", 0, "cyber"), 1, "additionalProperties"),
    ("budget", ("budget_numerique",), 0, "exclusiveMinimum"),
    ("budget", ("programmes", 0, "dont_cybersecurite"), -1, "minimum"),
    ("budget", ("programmes",), [], "minItems"),
    ("budget", ("annee",), 1999, "minimum"),
    ("budget", ("annee",), "2026", "type"),
    ("exercice", ("date",), "2023-02-30", "format"),
    ("exercice", ("theme",), "cyberattaque", "enum"),
    ("exercice", ("participants",), ["dsi", "dsi"], "uniqueItems"),
    ("exercice", ("participants",), ["chef_de_pole"], "enum"),
    ("exercice", ("participants",), [], "minItems"),
    ("exercice", ("retex", "auteur"), "rssi", "additionalProperties"),
    ("exercice", ("retex", "actions", 0, "statut"), "fait", "enum"),
    ("exercice", ("retex", "actions", 0, "echeance"), "2023-02-30", "format"),
    ("exercice", ("retex", "actions"), _SUPPRIMER, "required"),
    ("plan_blanc_numerique", ("valide_le",), "2023-02-30", "format"),
    ("plan_blanc_numerique", ("valide_par",), "directeur", "enum"),
    ("plan_blanc_numerique", ("version",), Decimal("2.1"), "type"),
    ("plan_blanc_numerique", ("contacts", "police"), "17", "additionalProperties"),
    ("plan_blanc_numerique", ("applications_critiques", 0, "dmia_heures"), 0, "exclusiveMinimum"),
    ("plan_blanc_numerique", ("applications_critiques", 0, "mode_degrade"), "", "minLength"),
    ("plan_blanc_numerique", ("cellule_de_crise", "membres"), ["dsi", "dsi"], "uniqueItems"),
    ("plan_blanc_numerique", ("mutualisation_regionale", "convention"), _SUPPRIMER, "required"),
    ("plan_blanc_numerique", ("contacts",), _SUPPRIMER, "required"),
    ("formation", ("hameconnage", 0, "date"), "2023-02-30", "format"),
    ("formation", ("par_population", 0, "population"), "infirmier", "enum"),
    ("formation", ("hameconnage", 0, "cibles"), 0, "minimum"),
    ("formation", ("effectif_total",), 0, "minimum"),
    ("formation", ("effectif_total",), Decimal("100.5"), "type"),
    ("formation", ("module_acceuil",), True, "additionalProperties"),
    ("veille", ("inscription_cert_sante", "date"), "2023-02-30", "format"),
    ("veille", ("derniere_analyse_exposition",), "2026-06", "format"),
    ("veille", ("inscription_cert_sante", "services"), [], "minItems"),
    ("veille", ("inscription_cert_sante", "services"), ["Veille", "Veille"], "uniqueItems"),
    ("veille", ("inscription_cert_sante", "abonnement"), "oui", "additionalProperties"),
    ("veille", ("derniere_analyse_exposition",), _SUPPRIMER, "required"),
    ("registre_vulnerabilites", ("criticite",), "Critique", "enum"),
    ("registre_vulnerabilites", ("detectee_le",), "2023-02-30", "format"),
    ("registre_vulnerabilites", ("corrigee_le",), "12/02/2024", "format"),
    ("registre_vulnerabilites", ("commentaire",), "à voir", "additionalProperties"),
    ("registre_vulnerabilites", ("actif",), _SUPPRIMER, "required"),
    ("hebergeurs", ("donnees_de_sante",), "true", "enum"),
    ("hebergeurs", ("referentiel_hds",), "2021", "enum"),
    ("hebergeurs", ("certifie_jusqu_au",), "2027-02-30", "format"),
    ("hebergeurs", ("debut",), _SUPPRIMER, "required"),
    ("hebergeurs", ("titulaire",), "Jean Dupont", "additionalProperties"),
    ("etablissement", ("oiv",), "oui", "type"),
    ("etablissement", ("nis2", "statut_declare"), "essentiel", "enum"),
    ("etablissement", ("nis2", "total_bilan"), _SUPPRIMER, "required"),
    ("etablissement", ("nis2", "effectif"), -1, "minimum"),
    ("etablissement", ("nis2", "designee"), "non", "type"),
    ("mesures", ("mfa", "vpn"), True, "additionalProperties"),
    ("mesures", ("antivirus",), {}, "additionalProperties"),
    ("mesures", ("mfa", "messagerie"), "oui", "type"),
    ("mesures", ("mots_de_passe", "longueur_minimale"), 0, "minimum"),
    ("mesures", ("sauvegardes", "dernier_test_restauration"), "2023-02-30", "format"),
    ("incident", ("detecte_le",), "2026-01-20", "pattern"),
    ("incident", ("declare_le",), "20/01/2026 11:30", "pattern"),
    ("incident", ("gravite",), "grave", "enum"),
    ("incident", ("declare_a",), "cnil", "enum"),
    ("incident", ("victime",), "x", "additionalProperties"),
    ("incident", ("resume",), "", "minLength"),
    ("incident", ("gravite",), _SUPPRIMER, "required"),
    ("derogations", ("derogations", 0, "regle"), "hyg-01", "pattern"),
    ("derogations", ("derogations", 0, "accordee_par"), "dg", "enum"),
    ("derogations", ("derogations", 0, "expire_le"), "2023-02-30", "format"),
    ("derogations", ("derogations", 0, "signataire"), "direction", "additionalProperties"),
    ("derogations", ("derogations", 0, "risque_accepte"), _SUPPRIMER, "required"),
    ("audit_ad", ("niveau_anssi",), 6, "maximum"),
    ("audit_ad", ("niveau_anssi",), 0, "minimum"),
    ("audit_ad", ("realise_par",), "editeur", "enum"),
    ("audit_ad", ("rapport_empreinte",), "sha1:abc", "pattern"),
    ("audit_ad", ("comptes",), ["admin"], "additionalProperties"),
    ("audit_ad", ("outil",), _SUPPRIMER, "required"),
    ("audit_exposition", ("vulnerabilites", "critique"), -1, "minimum"),
    ("audit_exposition", ("vulnerabilites", "haute"), _SUPPRIMER, "required"),
    ("audit_exposition", ("niveau_minimum_atteint",), "oui", "type"),
    ("audit_exposition", ("adresses",), ["192.0.2.1"], "additionalProperties"),
    ("pca_pra", ("valide_par",), "directeur", "enum"),
    ("pca_pra", ("gouvernance", "responsable"), _SUPPRIMER, "required"),
    ("pca_pra", ("perimetres",), [], "minItems"),
    ("pca_pra", ("perimetres", 0, "type"), "finances", "enum"),
    ("pca_pra", ("perimetres", 0, "rto_heures"), 0, "exclusiveMinimum"),
    ("pca_pra", ("part_activite_couverte",), 72, "maximum"),
    ("pca_pra", ("tests_pca", 0, "type"), "simulation", "enum"),
    ("pca_pra", ("restaurations", 0, "resultat"), "ok", "enum"),
    ("pca_pra", ("restaurations", 0, "referent_metier"), _SUPPRIMER, "required"),
    ("mesures", ("sauvegardes", "niveau_anssi_annuaire_dedie"), 6, "maximum"),
    ("mesures", ("sauvegardes", "supports"), 0, "minimum"),
    ("mesures", ("sauvegardes", "politique_mise_a_jour_le"), "30/09/2025", "format"),
]


def modifier(instance: Any, chemin: tuple[Any, ...], valeur: Any) -> Any:
    copie = copy.deepcopy(instance)
    cible = copie
    for cle in chemin[:-1]:
        cible = cible[cle]
    if valeur is _SUPPRIMER:
        del cible[chemin[-1]]
    else:
        cible[chemin[-1]] = valeur
    return copie


@pytest.mark.parametrize("nom", NOMS)
def test_instance_valide(nom: str) -> None:
    assert [e.message for e in validateur(nom).iter_errors(VALIDES[nom])] == []


@pytest.mark.parametrize(
    ("nom", "chemin", "valeur", "mot_cle"), INVALIDES,
    ids=[f"{n}-{'.'.join(map(str, c))}-{m}" for n, c, _, m in INVALIDES],
)
def test_instance_invalide(nom: str, chemin: tuple[Any, ...], valeur: Any, mot_cle: str) -> None:
    erreurs = list(validateur(nom).iter_errors(modifier(VALIDES[nom], chemin, valeur)))
    assert erreurs, "instance invalide acceptée"
    assert mot_cle in {e.validator for e in erreurs}, [(e.validator, e.message) for e in erreurs]


@pytest.mark.parametrize("valeur", ["2026-01-20T07:55", "2026-01-20 07:55:00", "2026-01-20T07:55:00Z", "2026-01-20T07:55:00+01:00"])
def test_dates_heures_acceptees(valeur: str) -> None:
    instance = modifier(VALIDES["incident"], ("declare_le",), valeur)
    assert not list(validateur("incident").iter_errors(instance))


@pytest.mark.parametrize("finess", ["2A0000012", "2B1234567", "010003820"])
def test_finess_formats_acceptes(finess: str) -> None:
    assert not list(validateur("etablissement").iter_errors(modifier(VALIDES["etablissement"], ("finess",), finess)))


def test_mesures_et_derogations_vides_acceptees() -> None:
    assert not list(validateur("mesures").iter_errors({}))
    assert not list(validateur("derogations").iter_errors({"derogations": []}))
    assert list(validateur("derogations").iter_errors([]))  # une liste nue n'est pas le format attendu


def test_etablissement_minimal() -> None:
    minimal = {k: v for k, v in VALIDES["etablissement"].items() if k not in ("ght", "ose", "oiv", "lits_places", "nis2")}
    assert not list(validateur("etablissement").iter_errors(minimal))


def test_tous_les_schemas_du_paquet_conformes_au_meta_schema() -> None:
    """validation.validateur ne les revérifie pas à chaque lancement (coût de démarrage) : ce test le fait."""
    import json

    tous = sorted((Path(__file__).resolve().parent.parent / "verificateur" / "schemas").rglob("*.schema.json"))
    assert len(tous) >= 15
    for fichier in tous:
        Draft202012Validator.check_schema(json.loads(fichier.read_text(encoding="utf-8")))
