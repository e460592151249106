"""L'échéancier : pour chaque règle conforme (ou couverte par une dérogation) à la date D, la première
date L de l'horizon à laquelle elle ne le serait plus si rien n'était commité, le fait qui expire
(fichier:ligne) et ce qui la renouvelle (docs/echeances.md).

Aucune seconde implémentation des règles : les preuves déjà lues sont réévaluées par le moteur
(`evaluation.evaluer`, pur, la date en argument) à des dates choisies, sans relire le dépôt.

La méthode, et ce qu'elle garantit :
1. Dates candidates, règle par règle : là où son verdict peut changer. Chaque date des preuves
   qu'elle lit (et de la règle), décalée de 0 et de chaque durée qu'elle emploie (`plus`, `moins`,
   `dans_les_derniers`, y compris une durée tirée d'un paramètre), vers l'avant et vers l'arrière,
   et le lendemain de chacune (une comparaison stricte bascule un jour plus tard, une fin de mois
   raccourcie aussi) ; le 1er janvier (l'année de la date d'évaluation) ; la date d'entrée en
   vigueur de chaque valeur de paramètre de sa politique.
2. Chaque candidate de l'horizon est évaluée, dans l'ordre, pour les seules règles encore suivies
   qu'elle concerne.
3. Une règle trouvée hors de conforme/dérogation à une candidate C est réévaluée jour par jour
   depuis le lendemain de la dernière date où elle l'était encore : L est le premier jour où elle
   ne l'est plus. Par construction, elle l'est encore à L − 1 et ne l'est plus à L (les tests le
   vérifient en réévaluant chaque échéance annoncée à L − 1 et à L).
Ce qui n'est pas garanti : une défaillance qui commencerait et finirait entre deux candidates
consécutives, sans qu'aucune ne la voie (une durée lue dans une preuve plutôt que dans la règle ou
un paramètre, par exemple). Une dichotomie sur « encore conforme » ne conviendrait pas : un statut
peut redevenir conforme (une dérogation accordée plus tard, une fenêtre qui s'ouvre).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from verificateur import evaluation
from verificateur.evaluation import ECHECS, Evaluation, Verdict
from verificateur.langage import Emplacement, ErreurCalcul, motif_regex
from verificateur.langage.dates import decaler
from verificateur.politiques import Catalogue, Regle
from verificateur.preuves import Preuves
from verificateur.socle.problemes import ErreurVerificateur, lieu
from verificateur.sources import Source

FORMAT = "verificateur/echeances/1"
SUIVIS = ("conforme", "derogation")
# Une échéance : le premier jour où la règle serait en échec. Non applicable n'en est pas une : la
# règle ne s'applique plus (EXE-03 sans exercice dans l'année), il n'y a rien à renouveler.
HORIZON_DEFAUT = 365
HORIZON_MAX = 3660  # dix ans : au-delà, les règles et leurs paramètres auront changé (docs/echeances.md)
HORIZON_CROCHET = 30
# « À venir » du rapport HTML et compte du lot : le prochain trimestre (une ARS voit la vague qui vient).
HORIZON_A_VENIR = 90
_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_UNITES = ("jours", "mois", "ans")


@dataclass
class Echeance:
    regle: str
    titre: str
    gravite: str
    statut: str  # à la date d'évaluation : conforme ou derogation
    date: date  # le premier jour où la règle serait en échec (L)
    jours: int  # date − date d'évaluation
    devient: str  # son statut ce jour-là : non_conforme, preuve_manquante ou erreur
    fait: str  # ce qui expire
    fichier: str | None
    ligne: int | None
    explication: str  # l'explication du verdict ce jour-là
    renouveler: str

    @property
    def lieu(self) -> str:
        return lieu(self.fichier, self.ligne, sans_fichier="." if self.fichier is None else self.fichier)

    def en_dict(self) -> dict[str, Any]:
        return {
            "regle": self.regle, "titre": self.titre, "gravite": self.gravite, "statut": self.statut,
            "date": self.date.isoformat(), "jours": self.jours, "devient": self.devient,
            "fait": {"texte": self.fait, "fichier": self.fichier, "ligne": self.ligne},
            "explication": self.explication, "renouveler": self.renouveler,
        }


@dataclass
class Calcul:
    echeances: list[Echeance]
    suivies: int  # règles conformes ou en dérogation à la date d'évaluation
    candidates: int  # dates candidates dans l'horizon
    evaluations: int  # évaluations faites (une candidate ou un jour réévalué)


# --- dates candidates ----------------------------------------------------------------------------


def _date_lue(valeur: Any) -> date | None:
    """Une date écrite dans une preuve ou une règle (date, horodatage, texte ISO), sinon None."""
    if isinstance(valeur, datetime):
        return valeur.date()
    if isinstance(valeur, date):
        return valeur
    if isinstance(valeur, str) and _DATE_ISO.match(valeur):
        try:
            return date.fromisoformat(valeur[:10])
        except ValueError:
            return None
    return None


def _dates_dans(valeur: Any, dates: set[date]) -> None:
    pile = [valeur]
    while pile:  # itératif : une preuve imbriquée ne doit pas épuiser la pile Python
        v = pile.pop()
        if isinstance(v, dict):
            pile.extend(v.values())
        elif isinstance(v, (list, tuple)):
            pile.extend(v)
        else:
            lue = _date_lue(v)
            if lue is not None:
                dates.add(lue)


def _durees_dans(regle_arbre: Any, parametres: dict[str, Any], durees: set[tuple[tuple[str, int], ...]]) -> None:
    """Les durées d'une règle : chaque `plus`/`moins` et chaque `dans_les_derniers`, avec toutes les
    valeurs au fil du temps d'un paramètre qui en donne le nombre."""
    pile = [regle_arbre]
    while pile:
        v = pile.pop()
        if isinstance(v, list):
            pile.extend(v)
            continue
        if not isinstance(v, dict):
            continue
        specs = [v[cle] for cle in ("plus", "moins") if isinstance(v.get(cle), dict)]
        if isinstance(v.get("dans_les_derniers"), dict):
            specs.append({k: x for k, x in v["dans_les_derniers"].items() if k in _UNITES})
        for spec in specs:
            choix: list[list[tuple[str, int]]] = [[]]
            for unite, expr in spec.items():
                if unite not in _UNITES:
                    continue
                nombres = _nombres(expr, parametres)
                choix = [c + [(unite, n)] for c in choix for n in nombres] if nombres else choix
            for c in choix:
                if c:
                    durees.add(tuple(sorted(c)))
        pile.extend(v.values())


def _nombres(expr: Any, parametres: dict[str, Any]) -> list[int]:
    if isinstance(expr, bool):
        return []
    if isinstance(expr, int):
        return [expr]
    if isinstance(expr, dict) and isinstance(expr.get("parametre"), str) and expr["parametre"] in parametres:
        valeurs = []
        for _, v, _ in parametres[expr["parametre"]].valeurs:
            try:
                n = int(v)
            except (TypeError, ValueError, ArithmeticError):
                continue
            if not isinstance(v, bool) and n == v and 0 <= n <= 100_000:
                valeurs.append(n)
        return valeurs
    return []


def _fichiers_lus(regle: Regle, preuves: Preuves) -> list[str]:
    """Les preuves qu'une règle peut lire : celles de ses liaisons (toutes, même écartées par un
    filtre), le profil, les dérogations. Un document cité par chemin (`fichier_existe`,
    `titres_presents`) ne compte que par sa présence et ses titres, jamais par une date."""
    lus = ["etablissement.yaml", "derogations.yaml"]
    for liaison in regle.preuves.values():
        if "fichier" in liaison:
            lus.append(liaison["fichier"])
        elif isinstance(liaison.get("fichiers"), str):
            regex = motif_regex(liaison["fichiers"])
            lus += [c for c in preuves.preuves if regex.fullmatch(c)]
    return lus


def _et_lendemain(le: date) -> tuple[date, ...]:
    return (le,) if le == date.max else (le, le + timedelta(days=1))


def candidates_par_regle(catalogue: Catalogue, preuves: Preuves, date_evaluation: date, fin: date, ids: list[str]) -> dict[str, list[date]]:
    """Pour chaque règle, les dates de ]date_evaluation, fin] où son verdict peut changer (méthode : docstring
    du module) : tirées des seules preuves qu'elle lit et des seules durées qu'elle emploie, pour
    ne réévaluer à une date que les règles que cette date concerne."""
    dates_par_fichier: dict[str, set[date]] = {}
    for chemin, preuve in preuves.preuves.items():
        if preuve.valide:
            dates_par_fichier[chemin] = set()
            _dates_dans(preuve.valeurs, dates_par_fichier[chemin])
    janviers = {date(annee, 1, 1) for annee in range(date_evaluation.year + 1, fin.year + 1)}
    resultat = {}
    for id_regle in ids:
        regle = catalogue.regles[id_regle]
        parametres = catalogue.politique(regle.politique).parametres
        arbre = [regle.condition, regle.applicable, regle.preuves]
        bases: set[date] = set()
        _dates_dans(arbre, bases)  # dates écrites dans la règle (« 2023-06-01 »)
        for chemin in _fichiers_lus(regle, preuves):
            bases |= dates_par_fichier.get(chemin, set())
        durees: set[tuple[tuple[str, int], ...]] = set()
        _durees_dans(arbre, parametres, durees)
        candidates = set(janviers)
        for parametre in parametres.values():
            candidates.update(depuis for depuis, _, _ in parametre.valeurs)
        for base in bases:
            candidates.update(_et_lendemain(base))
            for duree in durees:
                d = dict(duree)
                for signe in (1, -1):
                    try:
                        decale = decaler(base, d, signe)
                    except ErreurCalcul:
                        continue  # hors du calendrier (an 1 ou 9999) : rien à échoir
                    # Le lendemain : une comparaison stricte, ou une fin de mois raccourcie (31 janvier
                    # + 1 mois = 28 février ; « date − 1 mois > 31 janvier » dès le 1er mars).
                    duo = _et_lendemain(decale)
                    if duo[-1] >= date_evaluation and decale <= fin:  # hors de ]date_evaluation, fin], inutile
                        candidates.update(duo)
        resultat[id_regle] = sorted(c for c in candidates if date_evaluation < c <= fin)
    return resultat


def dates_candidates(catalogue: Catalogue, preuves: Preuves, date_evaluation: date, fin: date) -> list[date]:
    """Toutes les dates candidates de ]date_evaluation, fin], toutes règles confondues."""
    par_regle = candidates_par_regle(catalogue, preuves, date_evaluation, fin, list(catalogue.regles))
    return sorted({c for dates in par_regle.values() for c in dates})


# --- évaluation aux dates candidates -------------------------------------------------------------


def _evaluer(catalogue: Catalogue, ids: list[str], preuves: Preuves, a_la_date: date) -> dict[str, Verdict]:
    """Les verdicts des seules règles `ids` à une date candidate, par le moteur (dérogations comprises : elles
    s'appliquent règle par règle). Statuts seuls : seuls les verdicts d'une échéance sont lus en entier
    (`_echeance`), et leur explication n'est rédigée qu'alors."""
    sous = replace(catalogue, regles={i: catalogue.regles[i] for i in ids})
    return {v.regle.id: v for v in evaluation.evaluer(sous, preuves, a_la_date, expliquer=False).verdicts}


def calculer(catalogue: Catalogue, preuves: Preuves, au_jour: Evaluation, horizon: int) -> Calcul:
    """Les échéances des règles conformes ou en dérogation de `au_jour` (l'évaluation à la date D),
    dans ]D, D + horizon], triées par date puis règle."""
    date_evaluation = au_jour.date
    fin = _fin(date_evaluation, horizon)
    derniers_ok = {v.regle.id: (date_evaluation, v) for v in au_jour.verdicts if v.statut in SUIVIS}
    par_regle = candidates_par_regle(catalogue, preuves, date_evaluation, fin, sorted(derniers_ok))
    par_date: dict[date, list[str]] = {}
    for id_regle, dates in par_regle.items():
        for c in dates:
            par_date.setdefault(c, []).append(id_regle)
    evaluations = 0
    echeances: list[Echeance] = []
    for candidate in sorted(par_date):
        a_evaluer = [r for r in par_date[candidate] if r in derniers_ok]
        if not a_evaluer:
            continue
        verdicts = _evaluer(catalogue, a_evaluer, preuves, candidate)
        evaluations += 1
        for regle, verdict in verdicts.items():
            if verdict.statut not in ECHECS:
                derniers_ok[regle] = (candidate, verdict)
                continue
            # En échec à la candidate : le premier jour d'échec, jour par jour depuis la dernière date où elle ne l'était pas.
            depuis, avant = derniers_ok.pop(regle)
            courant = depuis + timedelta(days=1)
            while courant < candidate:
                essai = _evaluer(catalogue, [regle], preuves, courant)[regle]
                evaluations += 1
                if essai.statut in ECHECS:
                    verdict = essai
                    break
                avant = essai
                courant += timedelta(days=1)
            echeances.append(_echeance(au_jour, avant, verdict, courant))
    echeances.sort(key=lambda e: (e.date, e.regle))
    suivies = sum(1 for v in au_jour.verdicts if v.statut in SUIVIS)
    return Calcul(echeances, suivies, len(par_date), evaluations)


def _fin(date_evaluation: date, horizon: int) -> date:
    if not 1 <= horizon <= HORIZON_MAX:
        raise ErreurVerificateur(f"horizon de {horizon} jour(s) : attendu entre 1 et {HORIZON_MAX} jours (docs/echeances.md)", 2)
    try:
        return date_evaluation + timedelta(days=horizon)
    except OverflowError:
        return date.max


def _echeance(au_jour: Evaluation, avant: Verdict, apres: Verdict, le: date) -> Echeance:
    """`avant` : le verdict à L − 1 (pas en échec), `apres` : à L (en échec)."""
    regle = apres.regle
    initial = next(v.statut for v in au_jour.verdicts if v.regle.id == regle.id)
    condition = regle.messages.get("conforme") or regle.titre
    d = avant.derogation
    if d is not None and apres.statut != "derogation" and d["expire_le"] < le.isoformat():
        fait = f"dérogation accordée par {d['accordee_par']} jusqu'au {d['expire_le']}"
        fichier, ligne = d["fichier"], d["ligne"]
        renouveler = f"renouveler la dérogation, ou rendre la règle conforme : {condition}"
    else:
        fait, fichier, ligne = _fait(avant, apres)
        renouveler = f"une preuve à jour avant le {le.isoformat()} : {condition}"
    return Echeance(
        regle.id, regle.titre, regle.gravite, initial, le, (le - au_jour.date).days, apres.statut,
        fait, fichier, ligne, " ".join(apres.explication.split()), renouveler,
    )


def _fait(avant: Verdict, apres: Verdict) -> tuple[str, str | None, int | None]:
    """Ce qui expire : ce que le verdict à L reproche à une ligne qui, à L − 1, rendait la règle
    conforme ; sinon ce qui la rendait conforme à L − 1 (la branche qui tenait d'une
    `une_de_ces_conditions`, l'élément qui satisfaisait un `existe`) ; sinon ce que le verdict à L
    reproche ; sinon le premier fichier lu."""
    tenait = {c.ou for c in avant.constats if c.ou is not None and c.ou.ligne}
    for c in apres.constats:
        if c.ou in tenait:
            return c.texte, c.ou.fichier, c.ou.ligne
    for verdict in (avant, apres):
        for c in verdict.constats:
            if c.ou is not None and c.ou.ligne:
                return c.texte, c.ou.fichier, c.ou.ligne
    for verdict in (apres, avant):
        for c in verdict.constats:
            if c.ou is not None:
                return c.texte, c.ou.fichier, None
    premier: Emplacement | None = next(iter(avant.preuves), None)
    texte = " ".join(apres.explication.split())
    return (texte, premier.fichier, premier.ligne or None) if premier else (texte, None, None)


# --- le document de l'échéancier -----------------------------------------------------------------


def document(calcul: Calcul, preuves: Preuves, au_jour: Evaluation, horizon: int) -> dict[str, Any]:
    """Le JSON de `verificateur echeances --format json` (docs/echeances.md)."""
    from verificateur import __version__
    from verificateur.evaluation.rapport import identite

    return {
        "format": FORMAT,
        "outil": {"version": __version__},
        **identite(preuves, preuves.revision),
        "date_evaluation": au_jour.date.isoformat(),
        "horizon_jours": horizon,
        "jusqu_au": _fin(au_jour.date, horizon).isoformat(),
        "regles_suivies": calcul.suivies,
        "methode": {"dates_candidates": calcul.candidates, "evaluations": calcul.evaluations},
        "echeances": [e.en_dict() for e in calcul.echeances],
    }


def echeancier(source: Source, catalogue: Catalogue, date_evaluation: date, horizon: int = HORIZON_DEFAUT) -> dict[str, Any]:
    """Le dépôt lu une fois, évalué à D par le moteur commun, puis aux dates candidates."""
    from verificateur.evaluation import moteur

    _fin(date_evaluation, horizon)  # un horizon invalide est refusé avant toute lecture
    lues, au_jour = moteur.charger_et_evaluer(source, catalogue, date_evaluation, fraicheur=False)
    return document(calculer(catalogue, lues, au_jour, horizon), lues, au_jour, horizon)


def rapport_et_echeances(source: Source, catalogue: Catalogue, date_evaluation: date, seuil_echec: str = "mineure",
                         horizon: int = HORIZON_A_VENIR, fraicheur: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """Le rapport d'`evaluer` et l'échéancier, d'une seule lecture du dépôt (rapport HTML, lot)."""
    from verificateur.evaluation import moteur, rapport

    lues, au_jour = moteur.charger_et_evaluer(source, catalogue, date_evaluation, fraicheur)
    return (rapport.construire(au_jour, lues, catalogue, seuil_echec),
            document(calculer(catalogue, lues, au_jour, horizon), lues, au_jour, horizon))


def lignes_crochet(calcul: Calcul) -> list[str]:
    """Les lignes d'information du crochet pre-commit (jamais bloquantes) : une par échéance."""
    etats = {"conforme": "conforme", "derogation": "couverte par une dérogation"}
    return [
        f"information : {e.regle} ({e.titre}) ne sera plus {etats[e.statut]} dans {e.jours} jour(s), "
        f"le {e.date.isoformat()} ({e.lieu})"
        for e in calcul.echeances
    ]
