"""Les cas de test des règles (docs/regles.md § 7) : un dépôt de base modifié, une date, un statut
attendu. Exécutés par `verificateur politiques tester` et par la suite pytest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from verificateur import evaluation, lecture, preuves, validation
from verificateur.politiques import Catalogue
from verificateur.problemes import Probleme
from verificateur.sources import SourceArbre, SourceMemoire

DATE_PAR_DEFAUT = date(2025, 6, 30)


@dataclass
class Cas:
    regle: str
    nom: str
    fichier: str
    ligne: int
    jour: date
    fichiers: dict[str, str]
    supprimer: list[str]
    attendu: dict[str, str]
    base: Path


@dataclass
class Echec:
    cas: Cas
    message: str

    def __str__(self) -> str:
        return f"{self.cas.fichier}:{self.cas.ligne}: {self.cas.regle} « {self.cas.nom} » : {self.message}"


def lire_cas(dossier_politique: Path) -> tuple[list[Cas], list[Probleme]]:
    cas: list[Cas] = []
    problemes: list[Probleme] = []
    for fichier in sorted((dossier_politique / "tests").glob("*.yaml")):
        affiche = fichier.as_posix()
        document = lecture.lire_yaml(affiche, fichier.read_bytes())
        if document.lisible:
            validation.valider(document, "cas")
        if not document.lisible:
            problemes.extend(document.problemes)
            continue
        donnees = document.donnees
        base = dossier_politique / "tests" / donnees.get("base", "base")
        for i, c in enumerate(donnees["cas"]):
            cas.append(Cas(
                donnees["regle"], c["nom"], affiche, document.ligne(("cas", i)),
                date.fromisoformat(c["date"]) if "date" in c else DATE_PAR_DEFAUT,
                c.get("fichiers", {}), c.get("supprimer", []), c["attendu"], base,
            ))
    return cas, problemes


_bases: dict[Path, dict[str, bytes]] = {}


def _base(dossier: Path) -> dict[str, bytes]:
    if dossier not in _bases:
        source = SourceArbre(str(dossier))
        fichiers = source.lister()
        _bases[dossier] = source.lire(list(fichiers))
    return _bases[dossier]


def executer(cas: Cas, catalogue: Catalogue) -> Echec | None:
    if cas.regle not in catalogue.regles:
        return Echec(cas, "règle inconnue des politiques chargées")
    contenus = dict(_base(cas.base)) if cas.base.is_dir() else {}
    for chemin in cas.supprimer:
        if chemin not in contenus:
            return Echec(cas, f"« supprimer » : {chemin} n'est pas dans le dépôt de base")
        del contenus[chemin]
    for chemin, texte in cas.fichiers.items():
        contenus[chemin] = texte.encode("utf-8")
    lues = preuves.charger(SourceMemoire(contenus))
    # L'évaluation complète, réduite à la règle testée : les dérogations s'appliquent comme partout.
    resultat = evaluation.evaluer(_sous_catalogue(catalogue, cas.regle), lues, cas.jour).verdicts[0]
    if resultat.statut != cas.attendu["statut"]:
        return Echec(cas, f"statut {resultat.statut}, attendu {cas.attendu['statut']} — {resultat.explication}")
    if "explication" in cas.attendu and resultat.explication != cas.attendu["explication"]:
        return Echec(cas, f"explication différente :\n  obtenue : {resultat.explication}\n  attendue : {cas.attendu['explication']}")
    return None


def _sous_catalogue(catalogue: Catalogue, id_regle: str) -> Catalogue:
    return Catalogue(catalogue.politiques, {id_regle: catalogue.regles[id_regle]}, catalogue.exigences, catalogue.referentiels)


def regles_sans_cas(catalogue: Catalogue, cas: list[Cas]) -> dict[str, list[str]]:
    """Pour chaque règle, les statuts qu'aucun cas n'atteint parmi ceux qu'elle peut prendre."""
    vus: dict[str, set[str]] = {}
    for c in cas:
        vus.setdefault(c.regle, set()).add(c.attendu["statut"])
    manques = {}
    for regle in catalogue.regles.values():
        possibles = {"conforme", "non_conforme", "preuve_manquante", "erreur"}
        if regle.applicable is not None:
            possibles.add("non_applicable")
        if not regle.preuves:
            possibles -= {"preuve_manquante", "erreur"}
        absents = sorted(possibles - vus.get(regle.id, set()))
        if absents:
            manques[regle.id] = absents
    return manques


def tester(catalogue: Catalogue, dossiers: list[Path]) -> tuple[list[Cas], list[Echec], list[Probleme]]:
    tous: list[Cas] = []
    problemes: list[Probleme] = []
    for dossier in dossiers:
        cas, probs = lire_cas(dossier)
        tous.extend(cas)
        problemes.extend(probs)
    echecs = [e for e in (executer(c, catalogue) for c in tous) if e is not None]
    return tous, echecs, problemes


def dossiers_de(catalogue: Catalogue) -> list[Path]:
    return [p.dossier for p in catalogue.politiques]


