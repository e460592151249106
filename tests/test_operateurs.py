"""Un enregistrement par opérateur du langage des règles (#14.1) : contrôle exhaustif.

Chaque opérateur du schéma `regles.schema.json` (une propriété de `condition` ou de `valeur`) a son
enregistrement `Operateur` complet — évaluation, sous-expressions, types, texte pour une valeur — et
chaque enregistrement est dans le schéma. Au-delà de la présence : pour chaque opérateur, une
expression construite d'après le schéma, dont chaque emplacement de sous-expression porte une
marque, doit voir toutes ses marques rendues par `enfants` (parcours de validation) et visitées par
le contrôle des types. Un opérateur ajouté au schéma sans ces parties, ou dont une sous-expression
serait oubliée, fait échouer ce test au lieu de laisser des sous-expressions sans contrôle.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from verificateur import langage
from verificateur.langage import CONDITION, MODIFICATEURS_VALEUR, OPERATEURS_CONDITION, OPERATEURS_VALEUR, VALEUR
from verificateur.politiques import typage

RACINE = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((RACINE / "verificateur" / "schemas" / "regles.schema.json").read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]
CLES_DE_CONDITION = {"libelle"}  # une clé de table de condition qui n'est pas un opérateur

OPS_CONDITION = sorted(set(DEFS["condition"]["properties"]) - CLES_DE_CONDITION)
OPS_VALEUR = sorted(set(DEFS["valeur"]["properties"]) - MODIFICATEURS_VALEUR)


def test_chaque_operateur_du_schema_a_son_enregistrement_et_reciproquement():
    assert sorted(OPERATEURS_CONDITION) == OPS_CONDITION
    assert sorted(OPERATEURS_VALEUR) == OPS_VALEUR
    # une liste calculée (`dans:`) est une valeur : mêmes opérateurs, mêmes modificateurs
    assert set(DEFS["liste"]["properties"]) == set(DEFS["valeur"]["properties"])
    assert set(DEFS["valeur"]["properties"]) >= MODIFICATEURS_VALEUR


def test_chaque_enregistrement_est_complet():
    for table, nature in ((OPERATEURS_CONDITION, CONDITION), (OPERATEURS_VALEUR, VALEUR)):
        for nom, op in table.items():
            assert op.nom == nom and op.nature == nature, nom
            assert callable(op.evaluer) and callable(op.enfants) and callable(op.typer), nom
            if nature == VALEUR:
                assert callable(op.texte), f"{nom} : texte manquant (nom lisible dans les explications)"
    # l'évaluation n'a pas d'autre table que celles dérivées des enregistrements
    assert {n: o.evaluer for n, o in OPERATEURS_CONDITION.items()} == langage.CONDITIONS
    assert {n: o.evaluer for n, o in OPERATEURS_VALEUR.items()} == langage.VALEURS


def test_un_operateur_qui_nomme_quelque_chose_le_fait_verifier():
    """Un argument texte nomme un champ ou un paramètre : la validation doit vérifier qu'il existe."""
    for nature, noms, defs in ((CONDITION, OPS_CONDITION, DEFS["condition"]), (VALEUR, OPS_VALEUR, DEFS["valeur"])):
        table = OPERATEURS_CONDITION if nature == CONDITION else OPERATEURS_VALEUR
        for nom in noms:
            if defs["properties"][nom].get("type") == "string":
                assert callable(table[nom].controler), f"{nom} : contrôle de validation manquant"
    probleme = []
    OPERATEURS_CONDITION["renseigne"].controler("plan.contacts", ("condition", "renseigne"), {"etablissement"}, {},
                                                lambda *p: probleme.append(p))
    OPERATEURS_VALEUR["parametre"].controler("delai", ("condition", "parametre"), set(), {"seuil": None},
                                             lambda *p: probleme.append(p))
    assert probleme == [
        (("condition", "renseigne"), "nom-inconnu",
         "« plan » n'est ni une preuve de la règle ni un élément parcouru ; connus : etablissement"),
        (("condition", "parametre"), "parametre-inconnu", "paramètre « delai » inconnu ; paramètres de la politique : seuil"),
    ]


# --- expressions d'exemple, construites d'après le schéma -------------------------------------------

_compteur = itertools.count()


def _marque(nature: str) -> dict[str, Any]:
    n = next(_compteur)
    return {"renseigne": f"marque{n}"} if nature == CONDITION else {"champ": f"marque{n}"}


def _nature_ref(ref: str) -> str:
    return CONDITION if ref == "#/$defs/condition" else VALEUR  # valeur ou liste


def _types(schema: dict[str, Any]) -> list[str]:
    t = schema.get("type", [])
    return t if isinstance(t, list) else [t]


def _formes(schema: dict[str, Any], requis: bool = True) -> list[Any]:
    """Chaque forme d'argument que le schéma permet, les sous-expressions remplacées par des marques.
    Une liste vide : un emplacement facultatif qui n'est pas une sous-expression (laissé absent)."""
    formes: list[Any] = []
    types = _types(schema)
    if "$ref" in schema:
        formes.append(_marque(_nature_ref(schema["$ref"])))
    if "array" in types:
        items = schema.get("items", {})
        if "$ref" in items:
            formes.append([_marque(_nature_ref(items["$ref"])) for _ in range(max(2, schema.get("minItems", 0)))])
        elif requis:
            formes.append(["x"])
    if "object" in types and "$ref" not in schema:
        if "properties" in schema:
            par_cle = []
            for cle, sous in schema["properties"].items():
                possibles = _formes(sous, cle in schema.get("required", []))
                if possibles:
                    par_cle.append([(cle, f) for f in possibles])
            for combinaison in itertools.product(*par_cle):
                formes.append(dict(combinaison))
        else:  # une table libre d'emplacement de valeur (la liste d'`appartient`)
            formes.append(_marque(VALEUR))
    if not formes and requis:
        formes.append(1 if "integer" in types else "x")
    return formes


def _marque_de(x: Any) -> str | None:
    """Le nom de la marque si `x` en est une."""
    if isinstance(x, dict) and len(x) == 1:
        (v,) = x.values()
        if isinstance(v, str) and v.startswith("marque"):
            return v
    return None


def _marques(x: Any) -> list[str]:
    """Les marques d'une expression d'exemple, à sa surface (pas dans les marques elles-mêmes)."""
    if isinstance(x, dict):
        if _marque_de(x):
            return [_marque_de(x)]
        return [m for v in x.values() for m in _marques(v)]
    if isinstance(x, list):
        return [m for v in x for m in _marques(v)]
    return []


def _exemples() -> list[tuple[str, str, Any]]:
    exemples = []
    for nature, noms, defs in ((CONDITION, OPS_CONDITION, DEFS["condition"]), (VALEUR, OPS_VALEUR, DEFS["valeur"])):
        for nom in noms:
            for arg in _formes(defs["properties"][nom]):
                exemples.append((nature, nom, arg))
    return exemples


EXEMPLES = _exemples()


def test_les_exemples_couvrent_chaque_operateur():
    assert {nom for _, nom, _ in EXEMPLES} == set(OPS_CONDITION) | set(OPS_VALEUR)
    # les opérateurs à sous-expressions en ont bien reçu (sinon le test ne prouverait rien)
    avec = {nom for _, nom, arg in EXEMPLES if _marques(arg)}
    assert avec >= {"non", "tous", "somme", "nombre", "appartient", "date", "annee", "fichier_existe", "correspond"}


@pytest.mark.parametrize(("nature", "nom", "arg"), EXEMPLES, ids=[f"{n}-{i}" for i, (_, n, _) in enumerate(EXEMPLES)])
def test_enfants_rend_chaque_sous_expression_avec_sa_nature(nature, nom, arg):
    table = OPERATEURS_CONDITION if nature == CONDITION else OPERATEURS_VALEUR
    rendus = {}
    for chemin, sous, est_condition, _portee in table[nom].enfants(arg, (nom,), set()):
        assert chemin[:1] == (nom,)
        assert _marque_de(sous), f"{nom} : sous-expression rendue qui n'est pas un emplacement du schéma : {sous}"
        rendus[_marque_de(sous)] = est_condition
    attendues = {}
    for marque in _marques(arg):
        attendues[marque] = _nature_de(arg, marque) == CONDITION
    assert rendus == attendues


def _nature_de(x: Any, marque: str) -> str | None:
    if isinstance(x, dict):
        if len(x) == 1 and next(iter(x.values())) == marque:
            return CONDITION if "renseigne" in x else VALEUR
        for v in x.values():
            n = _nature_de(v, marque)
            if n:
                return n
    if isinstance(x, list):
        for v in x:
            n = _nature_de(v, marque)
            if n:
                return n
    return None


class _Visiteur(typage.Verificateur):
    """Le vérificateur de types, qui note chaque sous-expression qu'il visite."""

    def __init__(self) -> None:
        super().__init__({}, lambda chemin, code, message: None)
        self.visites: list[str] = []

    def valeur(self, expr, portee, chemin):
        if _marque_de(expr):
            self.visites.append(_marque_de(expr))
        return super().valeur(expr, portee, chemin)

    def condition(self, expr, portee, chemin):
        if _marque_de(expr):
            self.visites.append(_marque_de(expr))
        return super().condition(expr, portee, chemin)


@pytest.mark.parametrize(("nature", "nom", "arg"), EXEMPLES, ids=[f"{n}-{i}" for i, (_, n, _) in enumerate(EXEMPLES)])
def test_le_controle_des_types_visite_chaque_sous_expression(nature, nom, arg):
    v = _Visiteur()
    expr = {nom: arg}
    if nature == CONDITION:
        v.condition(expr, {}, ())
    else:
        v.valeur(expr, {}, ())
    assert sorted(set(v.visites)) == sorted(_marques(arg))


def test_texte_valeur_passe_par_l_enregistrement():
    assert langage.texte_valeur({"champ": "budget.total", "defaut": 0}) == "budget.total"
    assert langage.texte_valeur({"defaut": 0, "champ": "budget.total"}) == "budget.total"
    assert langage.texte_valeur({"ratio": [{"champ": "a"}, {"parametre": "p"}]}) == "a / p"
    assert langage.texte_valeur({"date": "evaluation"}) == "date d'évaluation"
    assert langage.texte_valeur({"date": "evaluation", "moins": {"jours": 1}}) == "valeur calculée"
    assert langage.texte_valeur({"somme": {"dans": "b.programmes", "valeur": {"champ": "element.montant"}}}) == \
        "somme de element.montant sur « b.programmes »"
    assert langage.texte_valeur({"somme": [1, 2]}) == "valeur calculée"
    assert langage.texte_valeur({"nombre": {"dans": {"champ": "b.l"}}}) == "nombre d'éléments de b.l"
    assert langage.texte_valeur({}) == "valeur calculée"
    assert langage.texte_valeur(3) == "3"


def test_un_operateur_est_dans_une_seule_famille_et_le_guide_dit_laquelle():
    """Chaque enregistrement vient d'une famille (`operateurs_*.py`) ; le § 9 de docs/regles.md dit où."""
    from verificateur.langage import operateurs, registre

    familles = {famille.__name__.rsplit(".", 1)[1] + ".py": {op.nom for op in famille.OPERATEURS} for famille in operateurs.FAMILLES}
    noms = [op.nom for famille in operateurs.FAMILLES for op in famille.OPERATEURS]
    assert sorted(noms) == sorted([*OPERATEURS_CONDITION, *OPERATEURS_VALEUR])  # aucun en double, aucun hors famille
    with pytest.raises(ValueError, match="« egal » enregistré deux fois"):
        registre.enregistrer(OPERATEURS_CONDITION["egal"])
    guide = (RACINE / "docs" / "regles.md").read_text(encoding="utf-8").split("## 9.")[1]
    dans_le_guide = {}
    for ligne in guide.splitlines():
        cellules = [c.strip() for c in ligne.strip("|").split("|")]
        if ligne.startswith("| ") and len(cellules) == 3 and cellules[1].startswith("`operateurs_"):
            dans_le_guide[cellules[1].strip("`")] = {n.strip(" `") for n in cellules[2].split(",")}
    assert dans_le_guide == familles
