"""Le chargement des preuves d'une source : lister ses fichiers, reconnaître le type de chaque fichier
(`preuves.types`), refuser avant toute lecture un dépôt démesuré (docs/limites.md), lire chaque preuve
(`preuves.lecture`), y chercher les données personnelles, puis vérifier les chemins qu'elles nomment.
Le résultat, des `Preuves`, est tout ce que l'évaluation saura du dépôt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verificateur.preuves.lecture import lire_preuve
from verificateur.preuves.types import DOSSIERS, MARKDOWN, TYPES, TYPES_PAR_NOM, TypePreuve, type_de
from verificateur.socle import donnees_personnelles
from verificateur.socle.donnees import Chemin, Document, Preuve, Preuves
from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme
from verificateur.sources import NOMBRE_MAX_PREUVES, TAILLE_MAX_FICHIER, TAILLE_MAX_PREUVES, VALEURS_MAX_DEPOT, Source, chemin_confine

# .verificateur : schémas copiés (schemas_depot)
_RACINE_PERMIS = {".pre-commit-config.yaml", ".yamllint.yaml", ".gitlab-ci.yml", ".github", ".verificateur"}


def _non_reconnu(chemin: str) -> Probleme | None:
    if not chemin.endswith((".yaml", ".yml", ".csv")) or chemin.split("/")[0] in _RACINE_PERMIS:
        return None
    if chemin.endswith(".yml"):
        return Probleme(chemin, 0, "fichier-non-reconnu", "extension « .yml » : renommez le fichier en « .yaml »", AVERTISSEMENT)
    dossier = chemin.split("/")[0] + "/" if "/" in chemin else ""
    if dossier and dossier not in DOSSIERS:
        return None
    formes = [t.forme for t in TYPES if t.forme.startswith(dossier) and ("/" in t.forme) == bool(dossier)]
    return Probleme(
        chemin, 0, "fichier-non-reconnu",
        f"fichier non reconnu, ignoré ; attendu : {', '.join(formes)}", AVERTISSEMENT,
    )


class Budget:
    """Les valeurs lues (nœuds YAML, cellules CSV, titres Markdown) dans tout un dépôt, ou toute son
    histoire : au-delà de VALEURS_MAX_DEPOT, le dépôt est refusé (docs/limites.md)."""

    def __init__(self, chemin: str):
        self.chemin = chemin
        self.valeurs = 0

    def compter(self, document: Document) -> None:
        self.valeurs += len(document.lignes)
        if document.format == "markdown" and isinstance(document.donnees, dict):
            self.valeurs += len(document.donnees.get("titres", ()))
        if self.valeurs > VALEURS_MAX_DEPOT:
            raise ErreurVerificateur(
                f"{self.chemin}: plus de {VALEURS_MAX_DEPOT} valeurs dans les preuves, dépôt refusé (voir docs/limites.md)"
            )


def limiter(chemin: str, tailles: list[int]) -> None:
    """Refuse, avant toute lecture, un dépôt qui a trop de fichiers de preuve ou trop d'octets à lire."""
    if len(tailles) > NOMBRE_MAX_PREUVES:
        raise ErreurVerificateur(
            f"{chemin}: {len(tailles)} fichiers de preuve, au-delà de la limite de {NOMBRE_MAX_PREUVES}, "
            "dépôt refusé (voir docs/limites.md)"
        )
    if sum(tailles) > TAILLE_MAX_PREUVES:
        raise ErreurVerificateur(
            f"{chemin}: {sum(tailles)} octets de preuves à lire, au-delà de la limite de {TAILLE_MAX_PREUVES}, "
            "dépôt refusé (voir docs/limites.md)"
        )


def charger(source: Source, lire: Callable[[str, TypePreuve, bytes], Preuve] | None = None) -> Preuves:
    """Lit toutes les preuves d'une source : une seule lecture groupée, puis validation. `lire`
    remplace `lire_preuve` (l'historique y met son cache par blob)."""
    fichiers = source.lister()
    preuves = Preuves(source.chemin, source.nature, source.revision, fichiers, problemes_source=source.problemes())
    a_lire = _reconnaitre(fichiers, preuves)
    limiter(source.chemin, [fichiers[c] for c in a_lire])
    contenus = source.lire(sorted(a_lire))
    budget = Budget(source.chemin) if lire is None else None  # l'historique compte dans son cache
    for chemin, type_preuve in a_lire.items():
        preuves.preuves[chemin] = (lire or lire_preuve)(chemin, type_preuve, contenus[chemin])
        if budget is not None:
            budget.compter(preuves.preuves[chemin].document)
        _chercher_nir(preuves, chemin, contenus[chemin])
    if "etablissement.yaml" not in fichiers:
        preuves.problemes_source.append(
            Probleme("etablissement.yaml", 0, "preuve-manquante", "fichier obligatoire absent : il décrit l'établissement")
        )
    for preuve in preuves.preuves.values():
        if preuve.valide:
            _controler_chemins(preuve, preuves)
    return preuves


def _reconnaitre(fichiers: dict[str, int], preuves: Preuves) -> dict[str, TypePreuve]:
    """Le type de chaque fichier, avant toute lecture : les fichiers de preuve à lire. Un fichier non
    reconnu ou trop gros est signalé dans `preuves` (un trop gros y figure, illisible, sans être lu)."""
    a_lire: dict[str, TypePreuve] = {}
    for chemin, taille in fichiers.items():
        # Un NIR dans le nom d'un fichier (lu ou non) : une erreur, le chemin masqué partout où il paraît.
        if donnees_personnelles.dans_chemin(chemin):
            preuves.problemes_source.append(
                Probleme(chemin, 0, donnees_personnelles.CODE, donnees_personnelles.MESSAGE_CHEMIN)
            )
        type_preuve = type_de(chemin)
        if type_preuve is None:
            probleme = _non_reconnu(chemin)
            if probleme:
                preuves.problemes_source.append(probleme)
            continue
        if taille > TAILLE_MAX_FICHIER:
            document = Document(chemin, type_preuve.format)
            document.problemes.append(
                Probleme(chemin, 0, "fichier-trop-gros",
                         f"fichier de {taille} octets, au-delà de la limite de {TAILLE_MAX_FICHIER} (docs/limites.md)")
            )
            preuves.preuves[chemin] = Preuve(chemin, type_preuve.nom, document)
            continue
        a_lire[chemin] = type_preuve
    return a_lire


def _chercher_nir(preuves: Preuves, chemin: str, contenu: bytes) -> None:
    """Aucune donnée personnelle (NIR) dans les preuves : une erreur située, le numéro jamais recopié ;
    cherchée dans les octets et dans ce que le fichier signifie (valeurs, clés, échappements, plis)."""
    preuve = preuves.preuves[chemin]
    trouves = [
        Probleme(chemin, n, donnees_personnelles.CODE, donnees_personnelles.MESSAGE)
        for n in donnees_personnelles.lignes_nir(chemin, contenu, preuve.document)
    ]
    preuves.problemes_source.extend(trouves)
    if trouves and preuve.valide and donnees_personnelles.nombre_nir(preuve.valeurs):
        # Un NIR écrit comme un nombre serait recopié tel quel (un nombre ne se masque pas) : refusé.
        preuve.document.problemes.extend(trouves)
        preuve.valide, preuve.valeurs = False, None


def _valeurs_a(valeurs: Any, motif: tuple[str | int | None, ...], chemin: Chemin = ()) -> list[tuple[Chemin, Any]]:
    """Les valeurs qu'un champ désigne (`TypePreuve.chemins` ; None : chaque élément d'une liste), avec leur chemin."""
    if not motif:
        return [(chemin, valeurs)]
    tete, reste = motif[0], motif[1:]
    if tete is None and isinstance(valeurs, list):
        return [r for i, v in enumerate(valeurs) for r in _valeurs_a(v, reste, chemin + (i,))]
    if isinstance(valeurs, dict) and tete is not None and tete in valeurs:  # (une clé lue n'est jamais None)
        return _valeurs_a(valeurs[tete], reste, chemin + (tete,))
    return []


def _controler_chemins(preuve: Preuve, preuves: Preuves) -> None:
    """Un chemin nommé par une preuve reste dans le dépôt ; sinon la preuve devient invalide."""
    for motif in TYPES_PAR_NOM.get(preuve.type, MARKDOWN).chemins:
        for chemin, valeur in _valeurs_a(preuve.valeurs, motif):
            if chemin_confine(valeur) is None:
                preuve.document.probleme(chemin, "chemin-hors-depot",
                                         f"chemin « {valeur} » hors du dépôt, attendu un chemin relatif à la racine du dépôt")
                preuve.valide = False
                preuve.valeurs = None
                return

