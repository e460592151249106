"""docs/politiques.md suivi à la lettre : chaque bloc de fichier (```yaml fichier=CHEMIN) est écrit
dans un dossier vide, chaque commande (```console, code de sortie attendu en `code=N`) y est lancée,
et sa sortie (stdout puis stderr) doit être exactement celle que montre le guide."""

from __future__ import annotations

import re
import shlex

from conftest import RACINE

GUIDE = RACINE / "docs" / "politiques.md"
_OUVERTURE = re.compile(r"^```(\S*)(.*)$")


def etapes(texte: str) -> list[tuple]:
    """("fichier", chemin, contenu) ou ("commande", code, arguments, sortie attendue, ligne du guide)."""
    resultat: list[tuple] = []
    lignes = texte.splitlines()
    i = 0
    while i < len(lignes):
        ouverture = _OUVERTURE.match(lignes[i])
        if not ouverture or lignes[i] == "```":
            i += 1
            continue
        langage, options = ouverture.group(1), dict(o.split("=", 1) for o in ouverture.group(2).split())
        fin = lignes.index("```", i + 1)
        bloc = lignes[i + 1:fin]
        if "fichier" in options:
            resultat.append(("fichier", options["fichier"], "\n".join(bloc) + "\n"))
        elif langage == "console":
            assert bloc and bloc[0].startswith("$ verificateur "), f"docs/politiques.md:{i + 2}: « $ verificateur … » attendu"
            arguments = shlex.split(bloc[0].removeprefix("$ verificateur "))
            resultat.append(("commande", int(options.get("code", 0)), arguments, bloc[1:], i + 2))
        i = fin + 1
    return resultat


def test_le_guide_montre_des_fichiers_et_des_commandes():
    genres = [e[0] for e in etapes(GUIDE.read_text(encoding="utf-8"))]
    assert genres.count("fichier") >= 7 and genres.count("commande") >= 6


def test_le_guide_du_regulateur_dit_vrai(tmp_path, monkeypatch, lancer):
    monkeypatch.chdir(tmp_path)
    for etape in etapes(GUIDE.read_text(encoding="utf-8")):
        if etape[0] == "fichier":
            cible = tmp_path / etape[1]
            cible.parent.mkdir(parents=True, exist_ok=True)
            cible.write_text(etape[2], encoding="utf-8")
            continue
        _, code, arguments, attendu, ligne = etape
        sortie = lancer(*arguments)
        obtenu = (sortie.stdout + sortie.stderr).rstrip("\n").splitlines()
        assert (sortie.code, obtenu) == (code, attendu), f"docs/politiques.md:{ligne}: {' '.join(arguments)}\n{sortie}"


def test_l_exemple_de_cas_par_valeurs_de_regles_md_dit_vrai(tmp_path):
    """Le second cas de l'exemple du § 7 de docs/regles.md (fichiers donnés par leurs valeurs)."""
    import shutil

    import yaml

    from verificateur import politiques
    from verificateur.auteurs import cas as module_cas

    texte = (RACINE / "docs" / "regles.md").read_text(encoding="utf-8")
    bloc = texte.split("## 7. Les cas de test", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    exemple = yaml.safe_load(bloc)
    exemple["cas"] = [c for c in exemple["cas"] if c["nom"] == "un fichier donné par ses valeurs"]
    assert len(exemple["cas"]) == 1
    (tmp_path / "tests").mkdir()
    shutil.copytree(RACINE / "politiques" / "plan-national" / "tests" / "base", tmp_path / "tests" / "base")
    (tmp_path / "tests" / "BUD-01.yaml").write_text(yaml.safe_dump(exemple, allow_unicode=True), encoding="utf-8")
    (cas,), problemes = module_cas.lire_cas(tmp_path)
    assert problemes == [] and cas.fichiers["vulnerabilites/registre.csv"][0]["actif"] == "messagerie"
    assert module_cas.executer(cas, politiques.charger()) is None
