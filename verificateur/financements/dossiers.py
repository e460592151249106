"""Ce que la décision sait de chaque dépôt (les seules lectures de l'éligibilité) : le `Dossier` d'un
établissement, évalué par le moteur unique une fois par date distincte dont le programme a besoin
(`evaluer_depot` : ce qu'appellent la commande `eligibilite` et chaque processus du lot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from verificateur.financements.modeles import Condition, Programme
from verificateur.politiques import Catalogue
from verificateur.socle import lecture
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.sources import Source


class Verdict(TypedDict):
    statut: str
    explication: str
    preuves: list[dict[str, Any]]


class DonneesDossier(TypedDict):
    """Un `Dossier` en données simples (il passe d'un processus du lot à l'autre)."""

    chemin: str
    depot: dict[str, Any] | None
    profil: dict[str, Any] | None
    lignes_profil: dict[str, int]
    verdicts: dict[str, dict[str, Verdict]]
    echec: str | None


@dataclass
class Dossier:
    """Ce que la décision sait d'un établissement : son profil et ses verdicts aux dates voulues
    (`dossiers.evaluer_depot`) ; en données simples (`en_dict`) il passe d'un processus du lot à l'autre."""

    chemin: str
    depot: dict[str, Any] | None = None
    profil: dict[str, Any] | None = None
    lignes_profil: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, dict[str, Verdict]] = field(default_factory=dict)  # date → règle → verdict
    echec: str | None = None

    def en_dict(self) -> DonneesDossier:
        return {"chemin": self.chemin, "depot": self.depot, "profil": self.profil, "lignes_profil": self.lignes_profil,
                "verdicts": self.verdicts, "echec": self.echec}

    @classmethod
    def depuis_dict(cls, d: DonneesDossier) -> Dossier:
        return cls(**d)


def date_de(condition: Condition, programme: Programme, date_evaluation: date) -> date:
    """La date à laquelle une condition s'évalue, jamais après la date de décision (on ne lit pas l'avenir)."""
    if condition.nature == "objectif":
        echeance = programme.echeance
        return echeance if echeance is not None and date_evaluation >= echeance else date_evaluation
    cloture = programme.cloture
    if condition.a_la_date == "candidature":
        voulue = min(date_evaluation, cloture) if cloture else date_evaluation
    elif condition.a_la_date == "ouverture":
        voulue = programme.ouverture
    elif condition.a_la_date == "cloture":
        voulue = cloture or date_evaluation
    else:
        voulue = date.fromisoformat(condition.a_la_date)
    return min(voulue, date_evaluation)


def dates_a_evaluer(programme: Programme, date_evaluation: date) -> list[date]:
    return sorted({date_de(c, programme, date_evaluation) for c in programme.conditions()})


def _verdicts(rapport: dict[str, Any], regles: set[str]) -> dict[str, Verdict]:
    """Les verdicts des seules règles que le programme cite (le lot les fait passer d'un processus à l'autre)."""
    return {r["regle"]: {"statut": r["statut"], "explication": r["explication"], "preuves": r["preuves"]}
            for r in rapport["resultats"] if r["regle"] in regles}


def evaluer_depot(source: Source, catalogue: Catalogue, programme: Programme, date_evaluation: date,
                  seuil_echec: str = "mineure", deja: dict[date, dict[str, Any]] | None = None) -> Dossier:
    """Évalue un dépôt par le moteur unique, une fois par date distincte du programme ; `deja` : des
    rapports déjà calculés (le lot a celui de sa date d'évaluation)."""
    from verificateur.evaluation import moteur

    deja = deja or {}
    dossier = Dossier(source.chemin)
    regles = {c.regle for c in programme.conditions()}
    for date_condition in dates_a_evaluer(programme, date_evaluation) or [date_evaluation]:
        rapport = deja.get(date_condition) or moteur.evaluer_source(source, catalogue, date_condition, seuil_echec, fraicheur=False)
        dossier.verdicts[date_condition.isoformat()] = _verdicts(rapport, regles)
        dossier.profil = rapport["etablissement"]
        dossier.depot = rapport["depot"]
    dossier.lignes_profil = _lignes_profil(source)
    return dossier


def _lignes_profil(source: Source) -> dict[str, int]:
    """Ligne de chaque clé de etablissement.yaml (les motifs citent fichier:ligne)."""
    try:
        if "etablissement.yaml" not in source.lister():
            return {}
        document = lecture.lire_yaml("etablissement.yaml", source.lire(["etablissement.yaml"])["etablissement.yaml"])
    except (OSError, KeyError, ErreurVerificateur):
        return {}
    return {str(c[0]): n for c, n in document.lignes.items() if len(c) == 1}
