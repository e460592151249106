"""L'historique de conformité d'un dépôt git : à la fin de chaque mois (ou trimestre), la révision en
vigueur ce jour-là (le dernier commit de premier parent daté de ce jour ou avant) est évaluée à
cette date, par le même moteur qu'`evaluer` (preuves.charger, evaluation.evaluer, rapport.construire).

Coût : un `git log` donne les commits et leurs dates ; un `git log --raw`, lu en flux, donne par rejeu
des changements le contenu {chemin: blob} de chaque commit voulu (la mémoire ne dépend pas de la taille
de l'histoire) ; un seul `cat-file --batch` lit les blobs nécessaires ; chaque preuve est lue et validée
une seule fois par (chemin, blob) pour toute l'histoire (docs/performances.md).
"""

from __future__ import annotations

import bisect
import calendar
import functools
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from verificateur import evaluation, preuves

from verificateur.socle import donnees_personnelles

from verificateur.evaluation import rapport
from verificateur.git.depot_git import MODE_LIEN, MODE_SOUS_MODULE, Commit, Journal
from verificateur.politiques import Catalogue
from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme
from verificateur.sources import (
    NOMBRE_MAX_FICHIERS, TAILLE_MAX_FICHIER, TAILLE_MAX_PREUVES, chemin_confine, dossier_trop_profond, probleme_trop_profond,
)

PAS = ("mois", "trimestre")
AUCUNE = "aucune révision"
# Chaque étape est une évaluation : au-delà, refusé avant de lire l'histoire (50 ans par mois ;
# 12 000 étapes coûtaient plus de deux minutes). Octets de preuves lus pour toute l'histoire
# (docs/limites.md).
ETAPES_MAX = 600
TAILLE_MAX_HISTOIRE = 2 * TAILLE_MAX_PREUVES


def etapes(depuis: date, jusqu_a: date, pas: str) -> list[date]:
    """Les fins de mois (ou de trimestre : mars, juin, septembre, décembre) de `depuis` à `jusqu_a`
    inclus, puis `jusqu_a` lui-même s'il n'en est pas une (l'état d'aujourd'hui)."""
    dates = []
    annee, mois = depuis.year, depuis.month
    while (annee, mois) <= (jusqu_a.year, jusqu_a.month):  # jamais au-delà de l'an 9999
        fin = date(annee, mois, calendar.monthrange(annee, mois)[1])
        if fin > jusqu_a:
            break
        if pas == "mois" or mois % 3 == 0:
            dates.append(fin)
        annee, mois = (annee + 1, 1) if mois == 12 else (annee, mois + 1)
    if not dates or dates[-1] != jusqu_a:
        dates.append(jusqu_a)
    return [d for d in dates if d >= depuis]


@dataclass
class _SourceEtat:
    """Le dépôt tel qu'il était à un commit, reconstitué du journal (l'interface `Source`)."""

    chemin: str
    revision: str
    fichiers: dict[str, int]
    blobs: dict[str, str]
    contenus: dict[str, bytes]
    refus: list[Probleme] = field(default_factory=list)
    nature: str = "revision"

    def lister(self) -> dict[str, int]:
        return self.fichiers

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        return {c: self.contenus[self.blobs[c]] for c in chemins}

    def problemes(self) -> list[Probleme]:
        return list(self.refus)


class CachePreuves:
    """Preuves lues et validées, par (chemin, blob) : un même contenu n'est lu qu'une fois.
    (Le chemin compte : le type et les contrôles en dépendent, ex. budget/2025.yaml.)"""

    def __init__(self, chemin: str = "") -> None:
        self._preuves: dict[tuple[str, str], preuves.Preuve] = {}
        self.blobs: dict[str, str] = {}
        self._budget = preuves.Budget(chemin)  # toute l'histoire : chaque contenu compté une fois

    def lecteur(self, blobs: dict[str, str]):
        def lire(chemin: str, type_preuve: preuves.TypePreuve, contenu: bytes) -> preuves.Preuve:
            cle = (chemin, blobs[chemin])
            if cle not in self._preuves:
                self._preuves[cle] = preuves.lire_preuve(chemin, type_preuve, contenu)
                self._budget.compter(self._preuves[cle].document)
            return self._preuves[cle]

        return lire


def _etat(chemin: str, commit_sha: str, arbre: dict[str, tuple[str, str]]) -> tuple[dict[str, str], list[Probleme]]:
    """Les fichiers réguliers lisibles (chemin → blob) et ce qui est refusé."""
    blobs: dict[str, str] = {}
    refus: list[Probleme] = []
    profonds: set[str] = set()
    for c, (mode, blob) in arbre.items():
        profond = dossier_trop_profond(c)
        if profond is not None:
            profonds.add(profond)
        elif chemin_confine(c) != c or ".git" in c.lower().split("/"):
            refus.append(Probleme(c, 0, "chemin-hors-depot", "chemin invalide dans l'arbre git, refusé"))
        elif mode == MODE_LIEN:
            refus.append(Probleme(c, 0, "lien-non-suivi", "lien symbolique, non suivi par l'historique", AVERTISSEMENT))
        elif mode == MODE_SOUS_MODULE:
            refus.append(Probleme(c, 0, "sous-module", "sous-module git, non lu", AVERTISSEMENT))
        elif mode.startswith("100"):
            blobs[c] = blob
    return blobs, refus + [probleme_trop_profond(d) for d in sorted(profonds)]


def historique(chemin: str, catalogue: Catalogue, depuis: date | None, jusqu_a: date, pas: str = "mois",
               seuil: str = "mineure", journal: Journal | None = None) -> dict[str, Any]:
    if depuis is not None:
        _limiter_etapes(etapes(depuis, jusqu_a, pas), pas)
    journal = journal or Journal(chemin)
    commits = journal.commits
    if depuis is None:
        depuis = commits[0].date if commits else jusqu_a
    jours = etapes(depuis, jusqu_a, pas)
    _limiter_etapes(jours, pas)

    # Quel commit est en vigueur à chaque étape : le dernier (ordre de l'histoire) daté de ce jour ou avant.
    # Les commits triés par date, avec le plus grand indice vu jusque-là : une dichotomie par étape.
    ordre = sorted(range(len(commits)), key=lambda i: commits[i].date)
    dates_triees = [commits[i].date for i in ordre]
    plus_grand = list(itertools.accumulate(ordre, max))
    en_vigueur: list[int | None] = []
    for jour in jours:
        k = bisect.bisect_right(dates_triees, jour)
        en_vigueur.append(plus_grand[k - 1] if k else None)
    voulus = {i for i in en_vigueur if i is not None}

    # Rejeu des changements, en flux (jamais toute l'histoire en mémoire) : l'arbre courant, et la
    # date de premier ajout de chaque preuve. Chaque étape est évaluée quand son commit est atteint
    # (les commits en vigueur croissent avec les étapes) ; le rejeu s'arrête au dernier voulu.
    cache = CachePreuves(chemin)
    contenus: dict[str, bytes] = {}  # blobs de preuve, lus par un seul cat-file --batch (borné)
    resultats_etapes: list[dict[str, Any]] = []
    precedents: dict[str, str] | None = None
    arbre: dict[str, tuple[str, str]] = {}
    premier_ajout: dict[str, date] = {}
    prochaine = 0  # la première étape pas encore évaluée
    # Le type d'un chemin, demandé à chaque étape pour chaque fichier : mémorisé (borné).
    type_de = functools.lru_cache(maxsize=1 << 16)(preuves.type_de)

    def etapes_du_commit(indice: int | None) -> None:
        nonlocal prochaine, precedents
        while prochaine < len(jours) and en_vigueur[prochaine] == indice:
            jour = jours[prochaine]
            prochaine += 1
            if indice is None:
                resultats_etapes.append({"date": jour.isoformat(), "revision": None, "statut_global": AUCUNE,
                                         "taux_conformite": None, "synthese": None, "changements": [], "problemes": 0})
                precedents = None
                continue
            blobs, refus = _etat(chemin, commits[indice].sha, arbre)
            a_lire = sorted({b for c, b in blobs.items() if b not in contenus and type_de(c)})
            if a_lire:
                contenus.update(journal.lire(a_lire, TAILLE_MAX_HISTOIRE))
            ajouts = {c: premier_ajout[c] for c in blobs if c in premier_ajout}
            fichiers = {c: (len(contenus[b]) if b in contenus else 0) for c, b in blobs.items()}
            source = _SourceEtat(chemin, commits[indice].sha, fichiers, blobs, contenus, refus)
            lues = preuves.charger(source, lire=cache.lecteur(blobs))
            resultat = evaluation.evaluer(catalogue, lues, jour, ajouts)
            construit = rapport.construire(resultat, lues, catalogue, seuil)
            statuts = {r["regle"]: r["statut"] for r in construit["resultats"]}
            changements = []
            if precedents is not None:
                for regle in sorted(set(statuts) | set(precedents)):
                    avant, apres = precedents.get(regle), statuts.get(regle)
                    if avant != apres:
                        changements.append({"regle": regle, "avant": avant, "apres": apres})
            resultats_etapes.append({
                "date": jour.isoformat(),
                "revision": commits[indice].sha,
                "statut_global": construit["synthese"]["statut_global"],
                "taux_conformite": construit["synthese"]["taux_conformite"],
                "synthese": construit["synthese"],
                "changements": changements,
                "problemes": len(construit["problemes"]),
            })
            precedents = statuts

    etapes_du_commit(None)
    try:
        if voulus:
            dernier = max(voulus)
            courant: Commit | None = None
            i = -1
            fini = False
            for paquet in journal.rejouer():
                for evenement in paquet:
                    if isinstance(evenement, Commit):
                        if i >= 0 and i in voulus:
                            etapes_du_commit(i)
                        if i == dernier:
                            fini = True
                            break
                        courant, i = evenement, i + 1
                        continue
                    c, entree = evenement
                    if entree is None:
                        arbre.pop(c, None)
                        continue
                    if c not in arbre:
                        if len(arbre) >= NOMBRE_MAX_FICHIERS:
                            raise ErreurVerificateur(
                                f"{chemin}: plus de {NOMBRE_MAX_FICHIERS} fichiers au commit {courant.sha if courant else ''}, refusé (voir docs/limites.md)"
                            )
                        if c not in premier_ajout and type_de(c):
                            premier_ajout[c] = courant.date if courant else jusqu_a
                    arbre[c] = entree
                if fini:
                    break
            if not fini and i == dernier:
                etapes_du_commit(i)
            if prochaine < len(jours):
                raise ErreurVerificateur(f"{chemin}: histoire git illisible ; vérifiez le dépôt avec « git fsck »")
    finally:
        journal.fermer()
    return donnees_personnelles.assainir({
        "depot": {"chemin": chemin, "source": "historique"},
        "depuis": depuis.isoformat(),
        "jusqu_a": jusqu_a.isoformat(),
        "pas": pas,
        "commits": len(commits),
        "etapes": resultats_etapes,
    })


def _limiter_etapes(jours: list[date], pas: str) -> None:
    if len(jours) > ETAPES_MAX:
        conseil = "raccourcissez la période (--depuis, --jusqu-a)" + (" ou passez à --pas trimestre" if pas == "mois" else "")
        raise ErreurVerificateur(
            f"{len(jours)} étapes du {jours[0].isoformat()} au {jours[-1].isoformat()}, au-delà de la limite de {ETAPES_MAX} (docs/limites.md) : {conseil}"
        )

