"""L'historique de conformité d'un dépôt git : à la fin de chaque mois (ou trimestre), la révision en
vigueur ce jour-là (le dernier commit de premier parent daté de ce jour ou avant) est évaluée à
cette date par le moteur d'`evaluer` (`moteur.evaluer_source` : preuves, évaluation, rapport), sur
une source qui est le dépôt à ce commit.

Coût : un `git log` donne les commits et leurs dates ; un `git log --raw`, lu en flux, donne par rejeu
des changements le contenu {chemin: blob} de chaque commit voulu (la mémoire ne dépend pas de la taille
de l'histoire) ; un seul `cat-file --batch` lit les blobs nécessaires ; chaque preuve est lue et validée
une seule fois par (chemin, blob) pour toute l'histoire (docs/performances.md). Relancé, il reprend
du cache de l'historique (`cache_historique`, hors du dépôt) le point de chaque étape déjà évaluée.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verificateur.commandes import cache_historique
from verificateur.commandes.cache_historique import Point
from verificateur.git.depot_git import MODE_LIEN, MODE_SOUS_MODULE, Commit, Journal
from verificateur.socle import donnees_personnelles
from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme
from verificateur.sources import NOMBRE_MAX_FICHIERS, TAILLE_MAX_PREUVES, chemin_confine, dossier_trop_profond, probleme_trop_profond

if TYPE_CHECKING:
    from verificateur import preuves
    from verificateur.evaluation import moteur
    from verificateur.politiques import Catalogue

# Les preuves, les politiques et le moteur ne sont importés que si une étape est à évaluer : la
# relance servie par le cache n'en a pas besoin (≈ 60 ms d'imports, plus que tout le reste).

AUCUNE = "aucune révision"
# Chaque étape est une évaluation : au-delà, refusé avant de lire l'histoire (50 ans par mois ;
# 12 000 étapes coûtaient plus de deux minutes). Octets de preuves lus pour toute l'histoire
# (docs/limites.md).
ETAPES_MAX = 600
TAILLE_MAX_HISTOIRE = 2 * TAILLE_MAX_PREUVES

# L'arbre d'un commit : chemin → (mode, blob).
Arbre = dict[str, tuple[str, str]]


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
    revision: str | None
    fichiers: dict[str, int]
    blobs: dict[str, str]
    contenus: dict[str, bytes]
    refus: list[Probleme] = field(default_factory=list)
    nature: str = "revision"
    ajouts: dict[str, date] = field(default_factory=dict)

    def lister(self) -> dict[str, int]:
        return self.fichiers

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        return {c: self.contenus[self.blobs[c]] for c in chemins}

    def problemes(self) -> list[Probleme]:
        return list(self.refus)

    def dates_ajout(self) -> dict[str, date]:
        """La date du premier commit de chaque preuve (« déclaré a posteriori »), tirée du rejeu."""
        return self.ajouts


class CachePreuves:
    """Preuves lues et validées, par (chemin, blob) : un même contenu n'est lu qu'une fois.
    (Le chemin compte : le type et les contrôles en dépendent, ex. budget/2025.yaml.)"""

    def __init__(self, chemin: str = "") -> None:
        from verificateur import preuves

        self._preuves: dict[tuple[str, str], preuves.Preuve] = {}
        self.blobs: dict[str, str] = {}
        self._budget = preuves.Budget(chemin)  # toute l'histoire : chaque contenu compté une fois

    def lecteur(self, blobs: dict[str, str]) -> moteur.Lecteur:
        from verificateur import preuves

        def lire(chemin: str, type_preuve: preuves.TypePreuve, contenu: bytes) -> preuves.Preuve:
            cle = (chemin, blobs[chemin])
            if cle not in self._preuves:
                self._preuves[cle] = preuves.lire_preuve(chemin, type_preuve, contenu)
                self._budget.compter(self._preuves[cle].document)
            return self._preuves[cle]

        return lire


def _etat(chemin: str, commit_sha: str, arbre: Arbre) -> tuple[dict[str, str], list[Probleme]]:
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


@dataclass
class CatalogueALaDemande:
    """Les politiques demandées (`--politiques`, `--referentiels`) et de quoi les charger : avec un
    cache, leur empreinte se lit sur leurs fichiers, et elles ne sont chargées que si une étape doit
    être évaluée (ou si ces fichiers n'ont encore jamais donné de catalogue valide)."""

    politiques: tuple[str, ...]
    referentiels: tuple[str, ...]
    charger: Callable[[], Catalogue]


def historique(chemin: str, catalogue: Catalogue | CatalogueALaDemande, depuis: date | None, jusqu_a: date,
               pas: str = "mois", seuil_echec: str = "mineure", journal: Journal | None = None,
               cache: Path | None = None) -> dict[str, Any]:
    """Chaque étape de `depuis` (par défaut : la date du premier commit) à `jusqu_a`, par `pas` : la
    révision en vigueur, sa synthèse à cette date, et les règles dont le statut a changé. `cache` : le
    dossier des points déjà évalués (`cache_historique`) ; sans lui, tout est évalué."""
    if depuis is not None:
        _limiter_etapes(etapes(depuis, jusqu_a, pas), pas)  # avant de lire l'histoire
    politiques = _Politiques(catalogue, cache)
    journal = journal or Journal(chemin)
    commits = journal.commits
    if depuis is None:
        depuis = commits[0].date if commits else jusqu_a
    jours = etapes(depuis, jusqu_a, pas)
    _limiter_etapes(jours, pas)
    vigueur = en_vigueur(commits, jours)
    revisions = [None if i is None else commits[i].sha for i in vigueur]
    try:
        cles = _cles(politiques.empreinte, seuil_echec, journal.prefixe, jours, revisions) if cache else {}
        points = {d: p for d, k in cles.items() if (p := cache_historique.lire(cache, k)) is not None} if cache else {}
        if len(points) < len(cles) or not cache:
            politiques.charger()  # une étape à évaluer : les politiques sont chargées (leur empreinte revérifiée)
        if politiques.empreinte is None:
            points, cles = {}, {}  # politiques modifiées pendant le lancement : rien du cache, rien d'inscrit
        manquants = _par_commit([d for d in jours if d not in points], [i for d, i in zip(jours, vigueur) if d not in points])
        nouveaux = _evaluer(chemin, politiques.charger(), journal, jusqu_a, manquants, seuil_echec) if manquants else {}
    finally:
        journal.fermer()
    if cache is not None:
        # Seulement après un lancement réussi : une histoire refusée (limite, git illisible) n'inscrit rien.
        for date_evaluation in nouveaux.keys() & cles.keys():
            cache_historique.ecrire(cache, cles[date_evaluation], nouveaux[date_evaluation])
    return donnees_personnelles.assainir({
        "depot": {"chemin": chemin, "source": "historique"},
        "depuis": depuis.isoformat(),
        "jusqu_a": jusqu_a.isoformat(),
        "pas": pas,
        "commits": len(commits),
        "etapes": _etapes_rendues(jours, revisions, points | nouveaux),
    })


class _Politiques:
    """Le catalogue, chargé au plus une fois, et son empreinte pour la clé du cache (None : pas de
    cache). Sans cache, ou si ces fichiers de politiques n'ont jamais donné de catalogue valide, il
    est chargé d'abord, comme sans cache : une politique invalide est dite avant toute lecture du dépôt."""

    def __init__(self, catalogue: Catalogue | CatalogueALaDemande, cache: Path | None) -> None:
        self._demande = catalogue if isinstance(catalogue, CatalogueALaDemande) else None
        self._catalogue = None if isinstance(catalogue, CatalogueALaDemande) else catalogue
        self._cache = cache
        self.empreinte: str | None = None
        if cache is None:
            self.charger()
        elif self._catalogue is not None:
            self.empreinte = cache_historique.empreinte_catalogue(self._catalogue)
        else:
            self.empreinte = self._empreinte_fichiers()
            if self.empreinte is None or not cache_historique.politiques_valides(cache, self.empreinte):
                self.charger()

    def _empreinte_fichiers(self) -> str | None:
        assert self._demande is not None
        return cache_historique.empreinte_fichiers(self._demande.politiques, self._demande.referentiels)

    def charger(self) -> Catalogue:
        if self._catalogue is None:
            assert self._demande is not None
            self._catalogue = self._demande.charger()
            # Comme le cache du catalogue : l'empreinte revérifiée après le chargement ; des fichiers
            # modifiés pendant la lecture ne sont pas inscrits (et le cache n'est pas lu).
            if self.empreinte is not None and self._empreinte_fichiers() != self.empreinte:
                self.empreinte = None
            if self.empreinte is not None and self._cache is not None:
                cache_historique.noter_politiques_valides(self._cache, self.empreinte)
        return self._catalogue


def _cles(empreinte_politiques: str | None, seuil_echec: str, dossier_lu: str, jours: list[date],
          revisions: list[str | None]) -> dict[date, str]:
    """La clé du point de chaque étape qui a une révision (aucune sans empreinte des politiques)."""
    if empreinte_politiques is None:
        return {}
    commune = cache_historique.cle_commune(empreinte_politiques, seuil_echec, dossier_lu)
    return {d: cache_historique.cle(commune, r, d) for d, r in zip(jours, revisions) if r is not None}


def en_vigueur(commits: list[Commit], jours: list[date]) -> list[int | None]:
    """Pour chaque jour, l'indice du commit en vigueur : le dernier (ordre de l'histoire) daté de ce
    jour ou avant ; None avant le premier. Les commits triés par date, avec le plus grand indice vu
    jusque-là : une dichotomie par jour."""
    ordre = sorted(range(len(commits)), key=lambda i: commits[i].date)
    dates_triees = [commits[i].date for i in ordre]
    plus_grand = list(itertools.accumulate(ordre, max))
    vigueur: list[int | None] = []
    for jour in jours:
        k = bisect.bisect_right(dates_triees, jour)
        vigueur.append(plus_grand[k - 1] if k else None)
    return vigueur


def _par_commit(jours: list[date], vigueur: list[int | None]) -> dict[int, list[date]]:
    """Les dates d'évaluation de chaque commit en vigueur à au moins une étape."""
    par_commit: dict[int, list[date]] = {}
    for date_evaluation, indice in zip(jours, vigueur):
        if indice is not None:
            par_commit.setdefault(indice, []).append(date_evaluation)
    return par_commit


def _evaluer(chemin: str, catalogue: Catalogue, journal: Journal, jusqu_a: date, par_commit: dict[int, list[date]],
             seuil_echec: str) -> dict[date, Point]:
    """Le point de chaque date de `par_commit`, évalué quand le rejeu atteint son commit (les commits
    en vigueur croissent avec les étapes ; le rejeu s'arrête au dernier voulu)."""
    rejeu = _Rejeu(chemin, journal, jusqu_a)
    cache = CachePreuves(chemin)
    points: dict[date, Point] = {}
    for indice in rejeu.commits_voulus(set(par_commit)):
        source = rejeu.source(journal.commits[indice])
        for date_evaluation in par_commit[indice]:
            points[date_evaluation] = point(source, catalogue, date_evaluation, seuil_echec, cache)
    if len(points) < sum(len(dates) for dates in par_commit.values()):
        raise ErreurVerificateur(f"{chemin}: histoire git illisible ; vérifiez le dépôt avec « git fsck »")
    return points


def point(source: _SourceEtat, catalogue: Catalogue, date_evaluation: date, seuil_echec: str, cache: CachePreuves) -> Point:
    """Le dépôt à un commit, évalué à une date par le moteur d'`evaluer` ; assaini aussitôt (c'est
    ce que garde le cache de l'historique)."""
    from verificateur.evaluation import moteur

    construit = moteur.evaluer_source(source, catalogue, date_evaluation, seuil_echec, lire=cache.lecteur(source.blobs))
    resultat: Point = donnees_personnelles.assainir({
        "statut_global": construit["synthese"]["statut_global"],
        "taux_conformite": construit["synthese"]["taux_conformite"],
        "synthese": construit["synthese"],
        "problemes": len(construit["problemes"]),
        "statuts": {r["regle"]: r["statut"] for r in construit["resultats"]},
    })
    return resultat


class _Rejeu:
    """Le rejeu des changements du journal, en flux (jamais toute l'histoire en mémoire) : l'arbre
    courant, la date de premier ajout de chaque preuve, et les blobs de preuve déjà lus (par un seul
    cat-file --batch, borné pour toute l'histoire)."""

    def __init__(self, chemin: str, journal: Journal, jusqu_a: date) -> None:
        from verificateur import preuves

        self.chemin, self.journal, self.jusqu_a = chemin, journal, jusqu_a
        self.arbre: Arbre = {}
        self.premier_ajout: dict[str, date] = {}
        self.contenus: dict[str, bytes] = {}
        # Le type d'un chemin, demandé à chaque étape pour chaque fichier : mémorisé (borné).
        self.type_de = functools.lru_cache(maxsize=1 << 16)(preuves.type_de)

    def commits_voulus(self, voulus: set[int]) -> Iterator[int]:
        """Chaque indice de `voulus`, dans l'ordre de l'histoire, quand l'arbre est celui de ce commit."""
        if not voulus:
            return
        dernier = max(voulus)
        arbre, premier_ajout, type_de = self.arbre, self.premier_ajout, self.type_de
        courant: Commit | None = None
        i = -1
        for paquet in self.journal.rejouer():
            for evenement in paquet:  # la boucle chaude (un million de changements) : sans appel de méthode
                if isinstance(evenement, Commit):
                    if i in voulus:
                        yield i
                    if i == dernier:
                        return
                    courant, i = evenement, i + 1
                    continue
                c, entree = evenement
                if entree is None:
                    arbre.pop(c, None)
                    continue
                if c not in arbre:
                    if len(arbre) >= NOMBRE_MAX_FICHIERS:
                        raise ErreurVerificateur(
                            f"{self.chemin}: plus de {NOMBRE_MAX_FICHIERS} fichiers au commit {courant.sha if courant else ''}, "
                            "refusé (voir docs/limites.md)"
                        )
                    if c not in premier_ajout and type_de(c):
                        premier_ajout[c] = courant.date if courant else self.jusqu_a
                arbre[c] = entree
        if i == dernier:
            yield i

    def source(self, commit: Commit) -> _SourceEtat:
        """Le dépôt au commit que le rejeu vient d'atteindre ; les blobs de preuve pas encore lus le sont."""
        blobs, refus = _etat(self.chemin, commit.sha, self.arbre)
        a_lire = sorted({b for c, b in blobs.items() if b not in self.contenus and self.type_de(c)})
        if a_lire:
            self.contenus.update(self.journal.lire(a_lire, TAILLE_MAX_HISTOIRE))
        ajouts = {c: self.premier_ajout[c] for c in blobs if c in self.premier_ajout}
        fichiers = {c: (len(self.contenus[b]) if b in self.contenus else 0) for c, b in blobs.items()}
        return _SourceEtat(self.chemin, commit.sha, fichiers, blobs, self.contenus, refus, ajouts=ajouts)


def _etapes_rendues(jours: list[date], revisions: list[str | None], points: dict[date, Point]) -> list[dict[str, Any]]:
    """Les étapes dans l'ordre, chacune avec les règles dont le statut a changé depuis la précédente."""
    rendues: list[dict[str, Any]] = []
    precedents: dict[str, str] | None = None
    for date_evaluation, revision in zip(jours, revisions):
        if revision is None:
            rendues.append({"date": date_evaluation.isoformat(), "revision": None, "statut_global": AUCUNE,
                            "taux_conformite": None, "synthese": None, "changements": [], "problemes": 0})
            precedents = None
            continue
        p = points[date_evaluation]
        rendues.append({
            "date": date_evaluation.isoformat(),
            "revision": revision,
            "statut_global": p["statut_global"],
            "taux_conformite": p["taux_conformite"],
            "synthese": p["synthese"],
            "changements": [] if precedents is None else changements(precedents, p["statuts"]),
            "problemes": p["problemes"],
        })
        precedents = p["statuts"]
    return rendues


def changements(avant: dict[str, str], apres: dict[str, str]) -> list[dict[str, str | None]]:
    """Les règles dont le statut diffère, par identifiant (None : règle absente d'un côté)."""
    return [{"regle": regle, "avant": avant.get(regle), "apres": apres.get(regle)}
            for regle in sorted(set(avant) | set(apres)) if avant.get(regle) != apres.get(regle)]


def _limiter_etapes(jours: list[date], pas: str) -> None:
    if len(jours) > ETAPES_MAX:
        conseil = "raccourcissez la période (--depuis, --jusqu-a)" + (" ou passez à --pas trimestre" if pas == "mois" else "")
        raise ErreurVerificateur(
            f"{len(jours)} étapes du {jours[0].isoformat()} au {jours[-1].isoformat()}, "
            f"au-delà de la limite de {ETAPES_MAX} (docs/limites.md) : {conseil}"
        )
