"""`verificateur init` : un dépôt de preuves prêt à remplir — `etablissement.yaml` (obligatoire, valeurs
d'exemple valides), un modèle commenté par type de fichier du format 1 sous `modeles/` (hors des
chemins lus comme preuves), un `.pre-commit-config.yaml` qui lance le crochet, un README, et les
schémas des preuves sous `.verificateur/schemas/` (schemas_depot : aucun chemin absolu n'est écrit).

N'écrase jamais un fichier existant ; lance `git init` (invocation durcie de depot_git) si le
dossier n'est pas déjà dans un dépôt git."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from verificateur.commandes import schemas_depot
from verificateur.preuves import TYPES
from verificateur.socle.problemes import ErreurVerificateur

_CONFIG_PRE_COMMIT = """\
# Crochet pre-commit de verificateur : chaque commit est vérifié sur ce qui sera commité (l'index).
# Refusé : une règle qui régresse, une preuve invalide ou une donnée personnelle. Voir docs/crochet.md.
# Installation (verificateur n'est pas sur PyPI) : pip install /chemin/vers/verificateur (ou sa roue .whl),
# pip install pre-commit, puis « pre-commit install ». « language: system » lance le verificateur installé.
repos:
  - repo: local
    hooks:
      - id: verificateur
        name: verificateur (conformité cybersécurité)
        entry: verificateur crochet
        language: system
        pass_filenames: false
        always_run: true
        require_serial: true
        stages: [pre-commit]
"""


def _modeles() -> dict[str, str]:
    """Chemin dans le dépôt créé → contenu, le `$schema` relatif à la place finale du fichier
    (schemas_depot.modeline : juste aussi depuis le modèle, grâce à la copie des schémas sous `modeles/`)."""
    racine = resources.files("verificateur") / "modeles"
    fichiers: dict[str, str] = {}
    for type_preuve in TYPES:
        if type_preuve.modele is None:  # un type sans modèle : init n'en écrit pas
            continue
        source = racine.joinpath(*type_preuve.modele.split("/"))
        texte = source.read_text(encoding="utf-8")
        if type_preuve.schema is not None:
            modeline = schemas_depot.modeline(type_preuve.forme, type_preuve.nom)
            texte = texte.replace("# yaml-language-server: $schema=__SCHEMA__", modeline, 1)
        cible = type_preuve.forme if type_preuve.nom == "etablissement" else "modeles/" + type_preuve.modele
        fichiers[cible] = texte
    fichiers[".pre-commit-config.yaml"] = _CONFIG_PRE_COMMIT
    fichiers["README.md"] = (racine / "README.md").read_text(encoding="utf-8")
    return fichiers


def creer(chemin: str) -> list[str]:
    """Crée le dépôt ; renvoie les lignes à afficher. Refus (code 2) si un fichier existe déjà."""
    dossier = Path(chemin)
    if dossier.exists() and not dossier.is_dir():
        raise ErreurVerificateur(f"{chemin}: existe et n'est pas un dossier")
    fichiers = _modeles()
    # Les schémas de `.verificateur/schemas/` n'y sont pas : fichiers de l'outil, ils sont écrits (ou
    # rafraîchis, un schéma identique n'est pas touché) comme par « preuves schema --ecrire ».
    existants = [c for c in fichiers if (dossier / c).exists() or (dossier / c).is_symlink()]
    if existants:
        raise ErreurVerificateur(
            f"{chemin}: fichier(s) existant(s), init n'écrase rien : {', '.join(sorted(existants))}"
        )
    dossier.mkdir(parents=True, exist_ok=True)
    lignes = []
    if _initialiser_git(str(dossier)):
        lignes.append(f"{chemin}: dépôt git créé")
    for relatif, texte in sorted(fichiers.items()):
        cible = dossier / relatif
        cible.parent.mkdir(parents=True, exist_ok=True)
        with open(cible, "x", encoding="utf-8", newline="\n") as f:  # « x » : jamais d'écrasement
            f.write(texte)
        lignes.append(f"{chemin}/{relatif}: créé")
    # Les schémas par la fonction de « preuves schema --ecrire » : une ligne par dossier, pas par schéma.
    etats = schemas_depot.ecrire(dossier, avec_modeles=True)
    for dossier_schemas in schemas_depot.dossiers(dossier, avec_modeles=True):
        dedans = [e for c, e in etats.items() if c.startswith(dossier_schemas + "/")]
        lignes.append(f"{chemin}/{dossier_schemas}/: {schemas_depot.resume(dedans)}")
    crees = len(fichiers) + sum(1 for e in etats.values() if e == "créé")
    lignes.append(f"{crees} fichier(s) créé(s) ; complétez etablissement.yaml, puis voir README.md")
    return lignes


def _initialiser_git(dossier: str) -> bool:
    """`git init` avec l'invocation durcie de depot_git, si le dossier n'est dans aucun dépôt."""
    from verificateur.git.depot_git import initialiser

    return initialiser(dossier)
