"""Les cas de test des règles (docs/regles.md § 7) : un dépôt de base modifié, une date, un statut
attendu. Exécutés par `verificateur politiques tester` et par la suite pytest."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from verificateur import evaluation, preuves
from verificateur.politiques import Catalogue, Regle
from verificateur.socle import lecture, validation
from verificateur.socle.problemes import Probleme, lieu
from verificateur.sources import SourceArbre, SourceMemoire

DATE_PAR_DEFAUT = date(2025, 6, 30)


@dataclass
class Cas:
    regle: str
    nom: str
    fichier: str
    ligne: int
    date_evaluation: date
    fichiers: dict[str, Any]  # chemin → texte brut, ou valeurs (table YAML, lignes CSV)
    supprimer: list[str]
    attendu: dict[str, str]
    base: Path


@dataclass(frozen=True)
class Inatteignable:
    """Un statut qu'une règle ne peut pas prendre, déclaré avec sa raison dans son fichier de cas."""

    regle: str
    statut: str
    raison: str
    fichier: str
    ligne: int


@dataclass
class Echec:
    cas: Cas
    message: str

    def __str__(self) -> str:
        return f"{lieu(self.cas.fichier, self.cas.ligne, ligne_toujours=True)}: {self.cas.regle} « {self.cas.nom} » : {self.message}"


def lire_cas(dossier_politique: Path, inatteignables: list[Inatteignable] | None = None,
             regles: Iterable[str] | None = None) -> tuple[list[Cas], list[Probleme]]:
    """Les cas des fichiers tests/*.yaml ; `inatteignables` reçoit les statuts déclarés impossibles ;
    avec `regles`, un fichier qui teste une règle absente est signalé."""
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
        if regles is not None and donnees["regle"] not in regles:
            problemes.append(Probleme(affiche, document.ligne(("regle",)), "regle-inconnue",
                                      f"règle « {donnees['regle']} » absente des politiques chargées"))
        for statut, raison in (donnees.get("statuts_inatteignables") or {}).items():
            if inatteignables is not None:
                ligne = document.ligne(("statuts_inatteignables", statut))
                inatteignables.append(Inatteignable(donnees["regle"], statut, raison, affiche, ligne))
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
        source = SourceArbre(str(dossier), liens_physiques_admis=True)
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
    for chemin, contenu in cas.fichiers.items():
        contenus[chemin] = (contenu if isinstance(contenu, str) else _texte(chemin, contenu)).encode("utf-8")
    lues = preuves.charger(SourceMemoire(contenus))
    # L'évaluation complète, réduite à la règle testée : les dérogations s'appliquent comme partout.
    resultat = evaluation.evaluer(_sous_catalogue(catalogue, cas.regle), lues, cas.date_evaluation).verdicts[0]
    if resultat.statut != cas.attendu["statut"]:
        return Echec(cas, f"statut {resultat.statut}, attendu {cas.attendu['statut']} — {resultat.explication}")
    if "explication" in cas.attendu and resultat.explication != cas.attendu["explication"]:
        return Echec(cas, f"explication différente :\n  obtenue : {resultat.explication}\n  attendue : {cas.attendu['explication']}")
    return None


def _texte(chemin: str, valeur: object) -> str:
    """Un fichier donné par ses valeurs dans le cas : CSV (une table par ligne) ou YAML, écrit ici."""
    if chemin.endswith(".csv") and isinstance(valeur, list):
        colonnes = list(dict.fromkeys(c for ligne in valeur for c in ligne))
        tampon = io.StringIO()
        ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\n")
        ecrivain.writerow(colonnes)
        ecrivain.writerows([_scalaire(ligne.get(c)) for c in colonnes] for ligne in valeur)
        return tampon.getvalue()
    return _json(valeur, 0) + "\n"  # JSON est du YAML : pas de piège de guillemets


def _scalaire(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return format(v, "f") if isinstance(v, Decimal) else str(v)


def _json(v: object, retrait: int) -> str:
    marge = "  " * (retrait + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        membres = (f"{marge}{json.dumps(str(k), ensure_ascii=False)}: {_json(x, retrait + 1)}" for k, x in v.items())
        return "{\n" + ",\n".join(membres) + "\n" + "  " * retrait + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[\n" + ",\n".join(f"{marge}{_json(x, retrait + 1)}" for x in v) + "\n" + "  " * retrait + "]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return "null" if v is None else _scalaire(v)


def _sous_catalogue(catalogue: Catalogue, id_regle: str) -> Catalogue:
    return Catalogue(catalogue.politiques, {id_regle: catalogue.regles[id_regle]}, catalogue.exigences, catalogue.referentiels)


def statuts_possibles(regle: Regle) -> set[str]:
    """Les statuts qu'une règle peut prendre (docs/politiques.md, « Les cas de test ») : conforme et
    non_conforme toujours ; non_applicable si elle a une condition `applicable` ; preuve_manquante et
    erreur si elle lit au moins une preuve (elle peut manquer ou être invalide). `derogation` ne
    dépend pas de la règle : aucun cas n'est exigé."""
    possibles = {"conforme", "non_conforme"}
    if regle.applicable is not None:
        possibles.add("non_applicable")
    if regle.preuves:
        possibles |= {"preuve_manquante", "erreur"}
    return possibles


def regles_sans_cas(catalogue: Catalogue, cas: list[Cas], inatteignables: Iterable[Inatteignable] = ()) -> dict[str, list[str]]:
    """Pour chaque règle, les statuts qu'aucun cas n'atteint parmi ceux qu'elle peut prendre,
    hors ceux que son fichier de cas déclare inatteignables."""
    vus: dict[str, set[str]] = {}
    for c in cas:
        vus.setdefault(c.regle, set()).add(c.attendu["statut"])
    declares: dict[str, set[str]] = {}
    for i in inatteignables:
        declares.setdefault(i.regle, set()).add(i.statut)
    manques = {}
    for regle in catalogue.regles.values():
        absents = sorted(statuts_possibles(regle) - vus.get(regle.id, set()) - declares.get(regle.id, set()))
        if absents:
            manques[regle.id] = absents
    return manques


def contradictions(cas: list[Cas], inatteignables: list[Inatteignable]) -> list[Probleme]:
    """Un statut déclaré inatteignable qu'un cas attend pourtant."""
    attendus = {(c.regle, c.attendu["statut"]) for c in cas}
    return [
        Probleme(i.fichier, i.ligne, "cas-contradictoire", f"{i.regle} : statut {i.statut} déclaré inatteignable, mais un cas l'attend")
        for i in inatteignables if (i.regle, i.statut) in attendus
    ]


def manques_situes(catalogue: Catalogue, manques: dict[str, list[str]]) -> list[Probleme]:
    """Chaque règle sans cas pour un statut qu'elle peut prendre, à la ligne de son id."""
    return [
        Probleme(catalogue.regles[r].fichier, catalogue.regles[r].ligne, "cas-manquant",
                 f"règle « {r} » : aucun cas pour le(s) statut(s) {', '.join(statuts)} (ajoutez des cas, ou déclarez le statut "
                 "dans « statuts_inatteignables » avec la raison)")
        for r, statuts in manques.items()
    ]


def tester(catalogue: Catalogue, dossiers: list[Path]) -> tuple[list[Cas], list[Echec], list[Probleme]]:
    """Exécute les cas ; les problèmes comprennent les fichiers de cas invalides, les règles sans cas
    pour un statut qu'elles peuvent prendre et les déclarations contradictoires."""
    tous: list[Cas] = []
    problemes: list[Probleme] = []
    inatteignables: list[Inatteignable] = []
    for dossier in dossiers:
        cas, probs = lire_cas(dossier, inatteignables)
        tous.extend(cas)
        problemes.extend(probs)
    echecs = [e for e in (executer(c, catalogue) for c in tous) if e is not None]
    problemes.extend(contradictions(tous, inatteignables))
    problemes.extend(manques_situes(catalogue, regles_sans_cas(catalogue, tous, inatteignables)))
    return tous, echecs, problemes


def verifier_fichiers(catalogue: Catalogue) -> list[Probleme]:
    """Les problèmes des fichiers de cas (schéma, règle inconnue), sans exécuter les cas."""
    problemes: list[Probleme] = []
    for dossier in dossiers_de(catalogue):
        problemes.extend(lire_cas(dossier, None, catalogue.regles)[1])
    return problemes


def dossiers_de(catalogue: Catalogue) -> list[Path]:
    return [p.dossier for p in catalogue.politiques]


