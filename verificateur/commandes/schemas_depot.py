"""Les schémas des preuves copiés dans le dépôt de preuves, pour que la ligne
`# yaml-language-server: $schema=…` de chaque fichier soit portable : un chemin relatif au fichier,
vers `.verificateur/schemas/<type>.schema.json` à la racine du dépôt, valable sur toute machine qui a
cloné le dépôt, quelle que soit l'installation de l'outil (un chemin absolu vers l'outil installé
cassait dès que le dépôt était partagé ou l'outil réinstallé).

Un modèle de `modeles/` est un dossier plus profond que sa place finale (`modeles/budget/AAAA.yaml`
→ `budget/2026.yaml`) : il porte la ligne de sa place finale (`../.verificateur/schemas/…`), et une
copie des schémas sous `modeles/.verificateur/schemas/` la fait aboutir aussi depuis le modèle. Copié à
sa place, un modèle garde une ligne juste sans qu'on y touche.

Seuls `init` et `verificateur preuves schema --ecrire`, commandes explicites, écrivent ces fichiers ;
le crochet dit seulement quand ceux de l'index diffèrent de ceux de l'outil installé (docs/preuves.md)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from verificateur.socle.problemes import ErreurVerificateur, lieu

if TYPE_CHECKING:
    from verificateur.sources import Source

DOSSIER = ".verificateur/schemas"
MODELES = "modeles"
# Le crochet compare l'index (ce qui sera commité et partagé) : d'où le « puis ajoutez-les au commit ».
LIGNE_PERIMES = ("information : schémas du dépôt périmés : lancez « verificateur preuves schema --ecrire », "
                 "puis ajoutez-les au commit")


def attendus() -> dict[str, bytes]:
    """Nom de fichier → octets du schéma installé, pour chaque type de preuve qui a un schéma."""
    from verificateur.preuves import TYPES

    dossier = resources.files("verificateur") / "schemas"
    return {
        f"{t.nom}.schema.json": dossier.joinpath(*f"{t.schema}.schema.json".split("/")).read_bytes()
        for t in TYPES if t.schema is not None
    }


def modeline(forme: str, nom: str) -> str:
    """La ligne de schéma d'un fichier à sa place finale `forme` (« budget/AAAA.yaml ») : relative à ce fichier."""
    return f"# yaml-language-server: $schema={'../' * forme.count('/')}{DOSSIER}/{nom}.schema.json"


def dossiers(racine: Path | str, avec_modeles: bool | None = None) -> list[str]:
    """Les dossiers de schémas d'un dépôt, relatifs à sa racine : `.verificateur/schemas`, et sa copie
    sous `modeles/` si le dépôt a des modèles."""
    if avec_modeles is None:  # un `modeles` lien symbolique n'est pas suivi (_dossier_sur)
        modeles = os.path.join(racine, MODELES)
        avec_modeles = os.path.isdir(modeles) and not os.path.islink(modeles)
    return [DOSSIER, f"{MODELES}/{DOSSIER}"] if avec_modeles else [DOSSIER]


def fichiers(avec_modeles: bool) -> dict[str, bytes]:
    """Chemin relatif à la racine du dépôt → octets, pour tous les schémas à écrire."""
    schemas = attendus()
    return {f"{d}/{nom}": contenu for d in dossiers("", avec_modeles) for nom, contenu in schemas.items()}


def _dossier_sur(racine: Path, relatif: str) -> Path:
    """Crée `relatif` sous `racine`, composant par composant, sans jamais suivre un lien symbolique :
    un dépôt reçu ne doit pas pouvoir faire écrire l'outil hors de lui."""
    courant = racine
    for composant in relatif.split("/"):
        courant = courant / composant
        if courant.is_symlink():
            raise ErreurVerificateur(f"{courant}: lien symbolique, refusé : les schémas ne sont écrits que dans le dépôt")
        if courant.exists() and not courant.is_dir():
            raise ErreurVerificateur(f"{courant}: existe et n'est pas un dossier")
        courant.mkdir(exist_ok=True)
    return courant


def ecrire(racine: Path | str, avec_modeles: bool | None = None) -> dict[str, str]:
    """Écrit (ou rafraîchit) les schémas dans le dépôt ; renvoie chemin relatif → « créé »,
    « mis à jour » ou « à jour ». Un fichier déjà identique n'est pas touché (ni contenu ni date)."""
    racine = Path(racine)
    if not racine.is_dir():
        raise ErreurVerificateur(f"{racine}: pas un dossier")
    schemas = attendus()
    etats: dict[str, str] = {}
    for dossier in dossiers(racine, avec_modeles):
        cible = _dossier_sur(racine, dossier)
        for nom, contenu in schemas.items():
            fichier = cible / nom
            if fichier.is_symlink() or (fichier.exists() and not fichier.is_file()):
                raise ErreurVerificateur(f"{fichier}: pas un fichier ordinaire, refusé")
            if fichier.is_file() and fichier.read_bytes() == contenu:
                etats[f"{dossier}/{nom}"] = "à jour"
                continue
            etats[f"{dossier}/{nom}"] = "mis à jour" if fichier.exists() else "créé"
            # Écrit à côté puis renommé : jamais un schéma à moitié écrit, et un lien posé entre-temps
            # à la place du fichier serait remplacé, pas suivi.
            descripteur, temporaire = tempfile.mkstemp(dir=cible, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(descripteur, "wb") as f:
                    f.write(contenu)
                os.chmod(temporaire, 0o644)
                os.replace(temporaire, fichier)
            except BaseException:
                if os.path.exists(temporaire):
                    os.unlink(temporaire)
                raise
    return etats


def perimes(source: Source) -> bool:
    """Les schémas d'une source (l'index, pour le crochet) manquent ou diffèrent de ceux de l'outil installé.
    Les tailles d'abord (sans lecture) ; le contenu seulement si toutes concordent."""
    presents = source.lister()
    avec_modeles = any(c.startswith(f"{MODELES}/") and not c.startswith(f"{MODELES}/{DOSSIER}/") for c in presents)
    voulus = fichiers(avec_modeles)
    if any(presents.get(chemin) != len(contenu) for chemin, contenu in voulus.items()):
        return True
    if hasattr(source, "identifiants"):
        # Une source git connaît déjà le nom d'objet de chaque fichier : le calculer pour le contenu
        # attendu suffit, sans processus git de plus à chaque commit.
        ids = source.identifiants(sorted(voulus))
        return any(ids[chemin] != _nom_objet_git(contenu, len(ids[chemin])) for chemin, contenu in voulus.items())
    lus = source.lire(sorted(voulus))
    return any(lus[chemin] != contenu for chemin, contenu in voulus.items())


def _nom_objet_git(contenu: bytes, longueur: int) -> str:
    """Le nom qu'un blob de ce contenu a dans git : SHA-1 (40 chiffres hexadécimaux) ou SHA-256 (64)."""
    empreinte = hashlib.sha256 if longueur == 64 else hashlib.sha1
    return empreinte(b"blob %d\0" % len(contenu) + contenu).hexdigest()


def lignes_ecrire(chemin: str) -> list[str]:
    """`verificateur preuves schema --ecrire CHEMIN` : une ligne par schéma créé ou mis à jour, puis un bilan."""
    etats = ecrire(chemin)
    lignes = [f"{os.path.normpath(os.path.join(chemin, c))}: {etat}" for c, etat in sorted(etats.items()) if etat != "à jour"]
    lignes += lignes_a_remplacer(chemin)
    compte = {etat: sum(1 for e in etats.values() if e == etat) for etat in ("créé", "mis à jour", "à jour")}
    lignes.append(f"{len(etats)} schéma(s) dans {', '.join(d + '/' for d in dossiers(chemin))} : {compte['créé']} créé(s), "
                  f"{compte['mis à jour']} mis à jour, {compte['à jour']} déjà à jour")
    return lignes


def resume(etats: list[str]) -> str:
    """« 14 schéma(s) créé(s) » ; les états présents seulement, pour la ligne d'init d'un dossier de schémas."""
    libelles = {"créé": "créé(s)", "mis à jour": "mis à jour", "à jour": "déjà à jour"}
    parties = [f"{n} schéma(s) {libelle}" for etat, libelle in libelles.items() if (n := etats.count(etat))]
    return ", ".join(parties)


_MODELINE = re.compile(r"#\s*yaml-language-server:.*?\$schema=(\S+)")
LIGNES_LUES = 10  # la ligne de schéma est en tête de fichier (les modèles d'init : la première)


def lignes_a_remplacer(chemin: str) -> list[str]:
    """Les fichiers de preuve YAML (et les modèles de `modeles/`) dont la ligne de schéma ne désigne pas
    celui du dépôt par le chemin relatif attendu — un dépôt créé avant les schémas portables désigne l'outil
    installé par un chemin absolu. Dit seulement : le contenu d'une preuve n'est jamais réécrit par l'outil."""
    from verificateur.preuves import TYPES, type_de
    from verificateur.sources import SourceArbre

    modeles = {f"{MODELES}/{t.modele}": t for t in TYPES}  # le modèle que porte chaque type (preuves.TYPES)
    source = SourceArbre(chemin)
    a_voir = {}
    for fichier in source.lister():
        type_preuve = modeles.get(fichier) or type_de(fichier)
        if fichier.endswith(".yaml") and type_preuve is not None and type_preuve.schema is not None:
            a_voir[fichier] = type_preuve
    lignes = []
    contenus = source.lire(sorted(a_voir))
    for fichier, type_preuve in sorted(a_voir.items()):
        place = fichier.removeprefix(f"{MODELES}/") if fichier in modeles else fichier
        attendue = modeline(place, type_preuve.nom)
        texte = contenus[fichier].decode("utf-8", "replace").splitlines()[:LIGNES_LUES]
        for numero, ligne in enumerate(texte, 1):
            trouve = _MODELINE.match(ligne.strip())
            if trouve:
                if ligne.strip() != attendue:
                    lignes.append(f"{lieu(os.path.normpath(os.path.join(chemin, fichier)), numero)}: information : la ligne de "
                                  f"schéma ne désigne pas celui du dépôt par un chemin relatif ; remplacez-la par « {attendue} »")
                break
    return lignes
