"""Le crochet pre-commit : compare l'index (ce qui sera commité) à HEAD et ne refuse que ce qui
empire — une règle conforme ou non applicable à HEAD qui ne l'est plus dans l'index — ou une preuve
invalide de l'index (fichier mal formé ou invalide, donnée personnelle). Le reste est dit, à titre
d'information ; `strict` refuse aussi toute non-conformité au seuil ou au-dessus.

Une règle qui passe à `derogation` n'est pas une régression : l'évaluation n'applique une dérogation
que si elle est valide, active à la date, pour cette règle et sur un statut dérogeable ; le passage
est montré (« dérogation : ») et compté dans le bilan, jamais tu.

Chemin rapide : ni tabulate ni jinja, aucun rendu ; une ligne par constat, puis un bilan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from verificateur.evaluation import ECHECS, echeances, moteur, rapport
from verificateur.politiques import GRAVITES, Catalogue
from verificateur.socle.problemes import ErreurVerificateur, lieu

if TYPE_CHECKING:
    from verificateur.git.sources import SourceIndex

BONS = ("conforme", "non_applicable")


@dataclass
class Verdict:
    refus: list[str] = field(default_factory=list)
    informations: list[str] = field(default_factory=list)
    derogees: list[str] = field(default_factory=list)  # passages à « derogation », dits juste après les refus
    regressions: int = 0
    erreurs: int = 0
    non_conformites: int = 0

    @property
    def accepte(self) -> bool:
        return not self.refus

    def lignes(self) -> list[str]:
        bilan = (f"{self.regressions} régression(s), {self.erreurs} erreur(s) de preuve, "
                 f"{self.non_conformites} non-conformité(s)")
        if self.derogees:
            bilan += f", {len(self.derogees)} dérogation(s) nouvelle(s)"
        fin = "commit accepté" if self.accepte else "commit refusé"
        return [*self.refus, *self.derogees, *self.informations, f"verificateur : {fin} — {bilan}"]


def _lieu(resultat: dict[str, Any], avant: dict[str, Any] | None) -> str:
    """Le premier emplacement de preuve d'une règle (fichier:ligne), dans l'index, sinon à HEAD."""
    for r in (resultat, avant):
        if r is None:
            continue
        for d in r["details"]:
            if d["fichier"] and d["ligne"]:
                return lieu(d["fichier"], d["ligne"])
        for p in r["preuves"]:
            return lieu(p["fichier"], p["ligne"], sans_fichier=p["fichier"])
    return "."


def verifier(chemin: str, catalogue: Catalogue, date_evaluation: date, seuil_echec: str = "mineure", strict: bool = False) -> Verdict:
    index = _index(chemin)
    lues, evaluee = moteur.charger_et_evaluer(index, catalogue, date_evaluation)
    apres = rapport.construire(evaluee, lues, catalogue, seuil_echec)
    avant_par_regle: dict[str, dict[str, Any]] = {}
    head = index.head()  # le dépôt déjà trouvé et confiné, HEAD déjà résolu : aucun rev-parse de plus
    if head is not None:  # pas de HEAD avant le premier commit : rien à comparer
        # HEAD ne sert qu'à comparer les verdicts : pas de seconde lecture de l'historique git.
        avant = moteur.evaluer_source(head, catalogue, date_evaluation, seuil_echec, fraicheur=False)
        avant_par_regle = {r["regle"]: r for r in avant["resultats"]}
    verdict = Verdict()
    _noter_problemes(verdict, apres["problemes"])
    for r in apres["resultats"]:
        _noter_regle(verdict, r, avant_par_regle.get(r["regle"]), GRAVITES.index(seuil_echec), strict)
    # Ce qui expire dans les 30 jours si rien n'est commité (docs/echeances.md) : jamais un refus.
    verdict.informations += echeances.lignes_crochet(echeances.calculer(catalogue, lues, evaluee, echeances.HORIZON_CROCHET))
    # Les schémas du dépôt (docs/preuves.md) : dits périmés, jamais écrits par le crochet (rien n'est écrit
    # dans un dépôt de preuves hors des commandes explicites init et « preuves schema --ecrire »).
    from verificateur.commandes import schemas_depot

    if schemas_depot.perimes(index):
        verdict.informations.append(schemas_depot.LIGNE_PERIMES)
    return verdict


def _index(chemin: str) -> SourceIndex:
    from verificateur.git.depot_git import PasUnDepotGit, SourceIndex

    try:
        return SourceIndex(chemin)
    except PasUnDepotGit:
        # Le message générique parle de --revision et --index, que le crochet n'a pas.
        raise ErreurVerificateur(
            f"{chemin}: pas un dépôt git ; le crochet vérifie ce qui sera commité (l'index git) : lancez-le "
            "dans un dépôt git (git init), ou évaluez le dossier tel quel avec « verificateur evaluer »"
        ) from None


def _noter_problemes(verdict: Verdict, problemes: list[dict[str, Any]]) -> None:
    """Une erreur de lecture refuse le commit ; un avertissement est dit."""
    for p in problemes:
        ou = lieu(p["fichier"], p["ligne"], sans_fichier=p["fichier"])
        if p["niveau"] == "erreur":
            verdict.erreurs += 1
            verdict.refus.append(f"{ou}: {p['message']} ({p['code']})")
        else:
            verdict.informations.append(f"{ou}: information : {p['message']} ({p['code']})")


def _noter_regle(verdict: Verdict, r: dict[str, Any], precedent: dict[str, Any] | None, rang: int, strict: bool) -> None:
    """Le verdict d'une règle dans l'index, comparé à celui de HEAD : dérogation nouvelle, régression,
    non-conformité (refusée si --strict et au seuil), sinon rien."""
    regle, statut = r["regle"], r["statut"]
    if precedent is not None and precedent["statut"] != "derogation" and statut == "derogation":
        # Couvert par une dérogation accordée dans ce commit ou avant (docs/crochet.md) : accepté, et
        # dit au lieu de la dérogation pour que le RSSI voie ce qu'il fait entrer dans l'historique —
        # qu'il s'agisse d'une règle qui était bonne ou d'une non-conformité qui cesse d'être comptée.
        derogation = r.get("derogation") or {}
        ou = (lieu(derogation["fichier"], derogation["ligne"], ligne_toujours=True) if derogation.get("fichier")
              else _lieu(r, precedent))
        verdict.derogees.append(
            f"{ou}: dérogation : {regle} était {precedent['statut']}, devient {statut} — {_ligne(r['explication'])} ({regle})"
        )
    elif precedent is not None and precedent["statut"] in BONS and statut not in BONS:
        verdict.regressions += 1
        verdict.refus.append(
            f"{_lieu(r, precedent)}: régression : {regle} était {precedent['statut']}, devient {statut} — "
            f"{_ligne(r['explication'])} ({regle})"
        )
    elif statut in ECHECS:
        verdict.non_conformites += 1
        if strict and GRAVITES.index(r["gravite"]) >= rang:
            verdict.refus.append(f"{_lieu(r, precedent)}: non-conformité : {regle} est {statut} (gravité {r['gravite']}) — "
                                 f"{_ligne(r['explication'])} ({regle})")
        else:
            verdict.informations.append(f"information : {regle} est {statut} (gravité {r['gravite']}) — {_ligne(r['explication'])}")


def _ligne(texte: str) -> str:
    return " ".join(texte.split())
