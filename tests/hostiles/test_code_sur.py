"""Le code lui-même : aucune construction qui exécuterait une entrée (eval, exec, chargeur YAML non
sûr, shell, pickle), et git n'est lancé que par `verificateur/git/processus.py` (l'invocation durcie).
Vérifié sur l'arbre syntaxique de chaque module du paquet, pas sur du texte."""

from __future__ import annotations

import ast

import pytest

from conftest import RACINE

MODULES = sorted((RACINE / "verificateur").rglob("*.py"))
APPELS_INTERDITS = {"eval", "exec", "compile", "__import__", "breakpoint"}
ATTRIBUTS_INTERDITS = {("yaml", "load"), ("yaml", "unsafe_load"), ("yaml", "full_load"), ("yaml", "load_all"),
                       ("yaml", "Loader"), ("yaml", "UnsafeLoader"), ("yaml", "FullLoader"), ("os", "system"),
                       ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "spawnv")}
MODULES_INTERDITS = {"pickle", "marshal", "shelve"}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.relative_to(RACINE).as_posix())
def test_aucune_construction_qui_executerait_une_entree(module):
    arbre = ast.parse(module.read_text(encoding="utf-8"))
    nom = module.relative_to(RACINE).as_posix()
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Call) and isinstance(noeud.func, ast.Name):
            assert noeud.func.id not in APPELS_INTERDITS, f"{nom}:{noeud.lineno}: {noeud.func.id}()"
        if isinstance(noeud, ast.Attribute) and isinstance(noeud.value, ast.Name):
            assert (noeud.value.id, noeud.attr) not in ATTRIBUTS_INTERDITS, f"{nom}:{noeud.lineno}: {noeud.value.id}.{noeud.attr}"
        if isinstance(noeud, ast.keyword) and noeud.arg == "shell":
            assert isinstance(noeud.value, ast.Constant) and noeud.value.value is False, f"{nom}:{noeud.lineno}: shell="
        if isinstance(noeud, (ast.Import, ast.ImportFrom)):
            importes = {a.name.split(".")[0] for a in noeud.names} if isinstance(noeud, ast.Import) else {(noeud.module or "").split(".")[0]}
            assert not importes & MODULES_INTERDITS, f"{nom}:{noeud.lineno}: {importes}"
            if "subprocess" in importes:
                assert nom == "verificateur/git/processus.py", f"{nom}:{noeud.lineno}: subprocess hors de processus.py"
