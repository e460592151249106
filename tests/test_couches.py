"""Les couches du paquet, vérifiées sur son vrai graphe d'imports (#14.5 ; docs/architecture.md).

Chaque module de `verificateur/` est rangé dans une couche de `COUCHES` ; chaque couche dit les couches
qu'elle peut importer (les siennes en plus). Le graphe est lu dans le source de chaque module avec `ast` :
`import verificateur.x`, `from verificateur.x import …`, `from verificateur import x`, les imports
relatifs, ceux écrits dans une fonction (chargement paresseux), `importlib.import_module("verificateur.x…")`
et le module d'un enregistrement de format (`Format("html", "verificateur.x:rendre", …)`) comptent tous. Un module nouveau doit être rangé dans une couche (le test le nomme sinon), et le tableau
de docs/architecture.md doit rester celui-ci.

Un module est désigné par son nom sous `verificateur` : `cli` pour cli.py, `rendus` pour tout le
paquet verificateur/rendus/ (un paquet est rangé d'un bloc).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PAQUET = RACINE / "verificateur"

# Du bas vers le haut, dans l'ordre du flux : (couche, ses unités, les couches qu'elle peut importer).
# Une unité est un sous-paquet (`socle` : tout verificateur/socle/) ou un module (`evaluation.rapport`) ;
# un module appartient à l'unité la plus longue qui le préfixe (`evaluation.moteur` avant `evaluation`).
# Ranger un module nouveau : rien à faire s'il est dans un sous-paquet rangé ; une couche nouvelle : une
# ligne, et la même dans docs/architecture.md.
COUCHES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("socle", ("__init__", "socle"), ()),
    ("git", ("git",), ("socle",)),
    ("sources", ("sources",), ("socle", "git")),
    ("preuves", ("preuves",), ("socle", "sources")),
    ("langage", ("langage",), ("socle", "preuves")),
    ("politiques", ("politiques",), ("socle", "preuves", "langage")),
    ("evaluation", ("evaluation",), ("socle", "preuves", "langage", "politiques")),
    ("rapport", ("evaluation.rapport",), ("socle", "preuves", "langage", "politiques", "evaluation")),
    ("moteur", ("evaluation.moteur",), ("socle", "sources", "preuves", "langage", "politiques", "evaluation", "rapport")),
    ("auteurs", ("auteurs",), ("socle", "sources", "preuves", "langage", "politiques", "evaluation", "rapport", "moteur")),
    ("financements", ("financements",), ("socle", "sources", "preuves", "langage", "politiques", "evaluation", "rapport", "moteur")),
    ("echeances", ("evaluation.echeances",), ("socle", "sources", "preuves", "langage", "politiques", "evaluation", "rapport", "moteur")),
    ("rendus", ("rendus",), ("socle", "politiques", "rapport", "auteurs", "financements")),
    ("lot", ("lot",), ("socle", "git", "sources", "preuves", "langage", "politiques", "evaluation", "rapport", "moteur",
                      "auteurs", "financements", "echeances", "rendus")),
    ("observatoire", ("observatoire",), ("socle", "git", "sources", "preuves", "langage", "politiques", "evaluation", "rapport",
                                        "moteur", "auteurs", "financements", "echeances", "rendus", "lot")),
    ("commandes", ("commandes",), ("socle", "git", "sources", "preuves", "langage", "politiques", "evaluation", "rapport",
                                   "moteur", "auteurs", "financements", "echeances", "rendus")),
    ("cli", ("cli", "__main__"), ("socle", "git", "sources", "preuves", "langage", "politiques", "evaluation", "rapport",
                                 "moteur", "auteurs", "financements", "echeances", "rendus", "lot", "observatoire", "commandes")),
)

UNITES = {unite: couche for couche, unites, _ in COUCHES for unite in unites}
PERMISES = {couche: {couche, *permises} for couche, _, permises in COUCHES}


def _nom_de(fichier: Path) -> str:
    """verificateur/socle/lecture.py → `socle.lecture` ; verificateur/lot/__init__.py → `lot` ;
    verificateur/__init__.py → `__init__`."""
    parties = list(fichier.relative_to(PAQUET).with_suffix("").parts)
    if parties[-1] == "__init__" and len(parties) > 1:
        parties.pop()
    return ".".join(parties)


MODULES: dict[str, Path] = {_nom_de(f): f for f in sorted(PAQUET.rglob("*.py"))}


def unite_de(module: str) -> str | None:
    """L'unité de COUCHES la plus longue qui préfixe le module, ou None."""
    parties = module.split(".")
    for n in range(len(parties), 0, -1):
        if ".".join(parties[:n]) in UNITES:
            return ".".join(parties[:n])
    return None


def couche_de(module: str) -> str | None:
    unite = unite_de(module)
    return UNITES[unite] if unite else None


def _module_vise(nom_complet: str) -> str | None:
    """`verificateur.rendus.html` → `rendus.html` ; `verificateur.socle.lecture.Chemin` → `socle.lecture` (le
    plus long module existant) ; `verificateur` seul → `__init__` ; hors du paquet → None."""
    parties = nom_complet.split(".")
    if parties[0] != "verificateur":
        return None
    parties = [p for p in parties[1:] if p]
    for n in range(len(parties), 0, -1):
        if ".".join(parties[:n]) in MODULES:
            return ".".join(parties[:n])
    return "__init__"


def _paquet_courant(fichier: Path) -> list[str]:
    """Le paquet d'un fichier (celui d'où partent ses imports relatifs) : verificateur/rendus/html.py et
    verificateur/rendus/__init__.py → verificateur.rendus."""
    return ["verificateur", *fichier.relative_to(PAQUET).parts[:-1]]


def imports(fichier: Path) -> set[tuple[str, int]]:
    """Les modules de verificateur qu'importe un fichier, avec la ligne de chaque import."""
    arbre = ast.parse(fichier.read_text(encoding="utf-8"), str(fichier))
    trouves: set[tuple[str, int]] = set()

    def noter(nom_complet: str, ligne: int) -> None:
        module = _module_vise(nom_complet)
        if module is not None:
            trouves.add((module, ligne))

    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                noter(alias.name, noeud.lineno)
        elif isinstance(noeud, ast.ImportFrom):
            if noeud.level:  # relatif : depuis le paquet du fichier
                paquet = _paquet_courant(fichier)
                base = paquet[: len(paquet) - (noeud.level - 1)]
                origine = ".".join([*base, *(noeud.module.split(".") if noeud.module else [])])
            else:
                origine = noeud.module or ""
            for alias in noeud.names:  # from verificateur.socle import lecture : le module lecture, ou un nom de socle
                noter(f"{origine}.{alias.name}", noeud.lineno)
        elif isinstance(noeud, ast.Call) and noeud.args:
            fonction = noeud.func
            nom = fonction.attr if isinstance(fonction, ast.Attribute) else getattr(fonction, "id", None)
            if nom in ("import_module", "__import__"):
                argument = noeud.args[0]
                if isinstance(argument, ast.JoinedStr) and argument.values and isinstance(argument.values[0], ast.Constant):
                    argument = argument.values[0]  # f"verificateur.rendus.{format}" : son préfixe fixe
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    noter(argument.value, noeud.lineno)
            elif nom == "Format" and len(noeud.args) > 1:  # Format("html", "verificateur.rendus.html:rendre", …) : importé à l'usage
                argument = noeud.args[1]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    noter(argument.value.partition(":")[0], noeud.lineno)
    return trouves


@functools.cache
def graphe_lu() -> dict[str, dict[str, list[str]]]:
    """Module → module importé → lieux (`verificateur/x.py:ligne`) ; sans les imports d'un module en lui-même."""
    aretes: dict[str, dict[str, list[str]]] = {}
    for module, fichier in MODULES.items():
        for cible, ligne in sorted(imports(fichier)):
            if cible != module:
                aretes.setdefault(module, {}).setdefault(cible, []).append(f"{fichier.relative_to(RACINE)}:{ligne}")
    return aretes


def graphe() -> dict[str, dict[str, list[str]]]:
    return {module: dict(cibles) for module, cibles in graphe_lu().items()}


def test_chaque_module_est_range_dans_une_couche():
    sans_couche = sorted(m for m in MODULES if couche_de(m) is None)
    assert not sans_couche, (
        f"module(s) sans couche : {', '.join(sans_couche)} ; rangez chacun dans une couche de COUCHES "
        "(tests/test_couches.py) et dans le tableau de docs/architecture.md"
    )
    disparus = sorted(u for u in UNITES if u not in MODULES)
    assert not disparus, f"unité(s) rangées mais absentes de verificateur/ : {', '.join(disparus)}"
    assert len(UNITES) == sum(len(unites) for _, unites, _ in COUCHES), "une unité rangée dans deux couches"
    for couche, _, permises in COUCHES:
        assert set(permises) <= set(PERMISES), f"couche {couche} : couche permise inconnue"


def imports_interdits(aretes: dict[str, dict[str, list[str]]]) -> list[str]:
    interdits = []
    for module, cibles in aretes.items():
        couche = couche_de(module)
        for cible, lieux in cibles.items():
            if couche is None or couche_de(cible) is None:
                continue  # signalé par test_chaque_module_est_range_dans_une_couche
            if couche_de(cible) not in PERMISES[couche]:
                interdits.append(f"{lieux[0]} : {module} (couche {couche}) importe {cible} (couche {couche_de(cible)})")
    return interdits


def test_chaque_import_respecte_les_couches():
    interdits = imports_interdits(graphe())
    assert not interdits, "imports hors des couches permises (docs/architecture.md) :\n" + "\n".join(interdits)


def test_aucun_cycle_entre_modules():
    aretes = {m: set(c) for m, c in graphe().items()}
    cycles = []

    def parcourir(module: str, pile: list[str], vus: set[str]) -> None:
        for cible in sorted(aretes.get(module, ())):
            if cible in pile:
                cycles.append(" → ".join([*pile[pile.index(cible):], cible]))
            elif cible not in vus:
                vus.add(cible)
                parcourir(cible, [*pile, cible], vus)

    vus: set[str] = set()
    for module in sorted(aretes):
        if module not in vus:
            vus.add(module)
            parcourir(module, [module], vus)
    assert not cycles, "cycle(s) d'imports, même dans une fonction :\n" + "\n".join(cycles)


def test_le_graphe_lit_chaque_forme_d_import(tmp_path):
    """Le lecteur d'imports lui-même : chaque forme compte, dans une fonction comme en tête."""
    assert ("rendus.commun", 15) in imports(PAQUET / "rendus" / "html.py")  # from verificateur.rendus.commun import (…)
    assert "rendus.html" in {m for m, _ in imports(PAQUET / "rendus" / "__init__.py")}  # Format("html", "verificateur.rendus.html:…")
    vus_cli = {m for fichier in (PAQUET / "cli").glob("*.py") for m, _ in imports(fichier)}
    assert {"__init__", "cli.click_fr", "socle.problemes", "rendus", "evaluation.moteur", "lot"} <= vus_cli
    faux = tmp_path / "faux.py"
    faux.write_text(
        "import verificateur.sources\n"
        "from verificateur import __version__, preuves\n"
        "from verificateur.socle import lecture\n"
        "from verificateur.socle.problemes import Probleme\n"
        "\n"
        "def _paresseux():\n"
        "    from verificateur.rendus import html\n"
        "    from verificateur import cli\n"
        "    import json\n",
        encoding="utf-8",
    )
    assert imports(faux) == {
        ("sources", 1), ("__init__", 2), ("preuves", 2), ("socle.lecture", 3), ("socle.problemes", 4), ("rendus.html", 7), ("cli", 8),
    }
    enregistrement = tmp_path / "enregistrement.py"
    enregistrement.write_text('FORMATS = registre(Format("texte", "verificateur.commandes.historique:rendre", ".txt"))\n', encoding="utf-8")
    assert imports(enregistrement) == {("commandes.historique", 1)}
    assert [couche_de(m) for m in ("socle.lecture", "evaluation", "evaluation.moteur", "rendus.lot.html", "__main__")] == [
        "socle", "evaluation", "moteur", "rendus", "cli",
    ]


def test_un_import_hors_des_couches_est_nomme():
    """Ce que le test des couches attrape : un rendu importé par l'évaluation, cli par le moteur."""
    aretes = {
        "evaluation": {"rendus.html": ["verificateur/evaluation/__init__.py:1"], "langage": ["verificateur/evaluation/__init__.py:2"]},
        "evaluation.moteur": {"cli": ["verificateur/evaluation/moteur.py:1"]},
    }
    assert sorted(imports_interdits(aretes)) == [
        "verificateur/evaluation/__init__.py:1 : evaluation (couche evaluation) importe rendus.html (couche rendus)",
        "verificateur/evaluation/moteur.py:1 : evaluation.moteur (couche moteur) importe cli (couche cli)",
    ]


def tableau_des_couches() -> str:
    """Le tableau de docs/architecture.md, tel que COUCHES le dit."""
    lignes = ["| couche | sous-paquets et modules de `verificateur/` | peut importer |", "|---|---|---|"]
    for couche, modules, permises in reversed(COUCHES):
        noms = ", ".join(f"`{m.replace('.', '/')}/`" if (PAQUET / m.replace(".", "/")).is_dir() else f"`{m.replace('.', '/')}.py`" for m in modules)
        lignes.append(f"| {couche} | {noms} | {', '.join(permises) or '—'} |")
    return "\n".join(lignes)


def test_docs_architecture_montre_ce_tableau():
    texte = (RACINE / "docs" / "architecture.md").read_text(encoding="utf-8")
    attendu = tableau_des_couches()
    assert attendu in texte, f"docs/architecture.md doit contenir exactement ce tableau :\n{attendu}"
    assert "(docs/architecture.md)" in (RACINE / "README.md").read_text(encoding="utf-8")


# La maison (#14.4) : un module se lit d'une traite, une fonction tient sur un écran. Au-delà, c'est
# qu'un module a plusieurs métiers ou qu'une fonction en cache plusieurs : les découper, pas relever
# ces bornes.
LIGNES_PAR_MODULE = 400
LIGNES_PAR_FONCTION = 60


def trop_longs(fichiers: dict[str, Path]) -> list[str]:
    """Les modules de plus de LIGNES_PAR_MODULE lignes et les fonctions de plus de LIGNES_PAR_FONCTION
    lignes (décorateurs non compris), avec leur lieu."""
    trouves = []
    for fichier in fichiers.values():
        texte = fichier.read_text(encoding="utf-8")
        relatif = fichier.relative_to(RACINE) if fichier.is_relative_to(RACINE) else fichier.name
        lignes = texte.count("\n")
        if lignes > LIGNES_PAR_MODULE:
            trouves.append(f"{relatif} : {lignes} lignes (au plus {LIGNES_PAR_MODULE})")
        for noeud in ast.walk(ast.parse(texte, str(fichier))):
            if isinstance(noeud, (ast.FunctionDef, ast.AsyncFunctionDef)):
                longueur = (noeud.end_lineno or noeud.lineno) - noeud.lineno + 1
                if longueur > LIGNES_PAR_FONCTION:
                    trouves.append(f"{relatif}:{noeud.lineno} : {noeud.name} fait {longueur} lignes (au plus {LIGNES_PAR_FONCTION})")
    return trouves


def test_modules_et_fonctions_restent_courts():
    trouves = trop_longs(MODULES)
    assert not trouves, "à découper :\n" + "\n".join(trouves)


def test_un_module_ou_une_fonction_trop_long_est_nomme(tmp_path):
    corps = "\n".join(f"    x{i} = {i}" for i in range(LIGNES_PAR_FONCTION - 1))
    court = tmp_path / "court.py"
    court.write_text(f"@decorateur\ndef juste():\n{corps}\n", encoding="utf-8")  # 60 lignes, décorateur à part
    long = tmp_path / "long.py"
    long.write_text(f"def longue():\n{corps}\n    return 1\n" + "\n" * (LIGNES_PAR_MODULE - LIGNES_PAR_FONCTION), encoding="utf-8")
    assert trop_longs({"court": court, "long": long}) == [
        "long.py : 401 lignes (au plus 400)",
        "long.py:1 : longue fait 61 lignes (au plus 60)",
    ]
