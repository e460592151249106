"""L'évaluation d'une tâche (un dépôt), dans un processus d'évaluation ou dans le processus principal :
ouvrir ou collecter le dépôt, calculer sa clé, reprendre ou relire le cache, sinon évaluer par le
moteur commun (`moteur.charger_et_evaluer`, jamais dupliqué, puis l'échéancier sur les mêmes preuves),
écrire ses rapports ; et, avec --programme, son dossier d'éligibilité. Toute erreur ne coûte que ce dépôt.

Point d'injection de test (documenté dans docs/lot.md) : la variable d'environnement
`VERIFICATEUR_TEST_LOT` vaut `arret:NOM` (le processus d'évaluation qui reçoit le dépôt dont le
dernier composant du chemin est NOM se tue par SIGKILL ; sans effet avec --jobs 1) ou
`interruption:NOM` (un vrai SIGINT est envoyé au processus principal, comme un Ctrl-C)."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from verificateur.git.collecte import est_distante, est_paquet
from verificateur.lot import rapports
from verificateur.lot.cache import Inscription
from verificateur.lot.cle import ArbreLu, cle as cle_du_depot
from verificateur.lot.contexte import Contexte, EtatProcessus
from verificateur.lot.decouverte import Tache
from verificateur.lot.entree import CODE_ECHEC_DEPOT, Entree, echec, entree_de
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.sources import est_nu

if TYPE_CHECKING:
    from verificateur.financements.dossiers import DonneesDossier
    from verificateur.preuves import Preuves
    from verificateur.sources import Source

INJECTION = "VERIFICATEUR_TEST_LOT"


class Resultat(NamedTuple):
    """Ce qu'une tâche renvoie au processus principal."""

    entree: Entree
    code: int  # code de sortie de l'établissement (rapport.code_sortie), CODE_ECHEC_DEPOT pour un échec
    dossier: DonneesDossier | None = None  # --programme : le dossier d'éligibilité, en données simples
    inscriptions: tuple[Inscription, ...] = ()  # à inscrire dans l'index du cache (cache.Registre)


def _injection(tache: Tache, etat: EtatProcessus) -> None:
    valeur = os.environ.get(INJECTION, "")
    action, _, nom = valeur.partition(":")
    if not nom or os.path.basename(tache.chemin.rstrip("/")) != nom:
        return
    if action == "arret" and etat.ouvrier:
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "interruption":
        os.kill(os.getppid() if etat.ouvrier else os.getpid(), signal.SIGINT)
        time.sleep(60)  # le processus principal arrête celui-ci ; dans le processus principal : KeyboardInterrupt


def _raison(message: str, chemin: str) -> str:
    """Le message d'une erreur sans le chemin qui le préfixe (la ligne nomme déjà le dépôt)."""
    for prefixe in (f"{chemin}: ", f"{os.path.realpath(chemin)}: "):
        if message.startswith(prefixe):
            return message[len(prefixe):]
    return message


def ouvrir(tache: Tache) -> tuple[Source, bool]:
    """La source du dépôt et s'il est nu ; ErreurVerificateur (une ligne) s'il ne peut pas être lu."""
    dossier = Path(tache.chemin)
    if not dossier.exists():
        raise ErreurVerificateur("dossier introuvable")
    if not dossier.is_dir():
        raise ErreurVerificateur("pas un dossier, attendu un dépôt de preuves")
    try:
        os.listdir(dossier)
    except PermissionError:
        raise ErreurVerificateur("dossier illisible (permission refusée)") from None
    nu = est_nu(dossier)
    git = nu or os.path.lexists(dossier / ".git")
    if nu or (git and tache.revision):
        from verificateur.git.depot_git import SourceRevision

        return SourceRevision(tache.chemin, tache.revision or "HEAD"), nu
    if tache.revision:
        raise ErreurVerificateur(f"pas un dépôt git : la révision « {tache.revision} » ne peut pas y être lue")
    if not git and not (dossier / "etablissement.yaml").exists():
        raise ErreurVerificateur("pas un dépôt de preuves (ni dépôt git, ni etablissement.yaml)")
    from verificateur.sources import SourceArbre

    return SourceArbre(tache.chemin), False


def _collecter(tache: Tache, contexte: Contexte) -> tuple[Source, bool]:
    """Une adresse git ou un paquet : récupéré dans son miroir (verificateur/git/collecte.py), puis lu
    comme un dépôt nu à la révision reçue. Le rapport nomme la source, jamais le miroir."""
    from verificateur.git import collecte
    from verificateur.git.depot_git import SourceRevision

    reglages = collecte.Reglages(contexte.miroirs or collecte.dossier_miroirs_defaut(), contexte.delai_collecte,
                                 contexte.taille_collecte * 1024 * 1024, histoire=contexte.fraicheur)
    miroir, sha = collecte.rapatrier(tache.chemin, tache.revision, reglages)
    try:
        source = SourceRevision(miroir, sha)
    except ErreurVerificateur as exc:
        raise ErreurVerificateur(_raison(exc.message, miroir)) from None
    source.nommer(tache.chemin)
    return source, True


def _evaluer(tache: Tache, etat: EtatProcessus) -> Resultat:
    contexte = etat.contexte
    if tache.raison is not None:
        return Resultat(echec(tache, tache.raison), CODE_ECHEC_DEPOT)
    _injection(tache, etat)
    source, nu = _collecter(tache, contexte) if est_distante(tache.chemin) or est_paquet(tache.chemin) else ouvrir(tache)
    try:
        cle, source = cle_du_depot(source, tache, etat)
        evalue = _entree(etat, tache, cle, source, nu)
        dossier = None
        if contexte.programme is not None and evalue.entree.etat == "evalue":
            # L'éligibilité évalue le même dépôt aux dates du programme, dans ce même processus.
            dossier = _dossier_eligibilite(etat, tache, evalue.source, evalue.lues, evalue.rapport)
    finally:
        fermer = getattr(source, "fermer", None)
        if fermer:
            fermer()
    return Resultat(evalue.entree, evalue.code, dossier)


class _Evalue(NamedTuple):
    """L'entrée d'un dépôt et, s'il vient d'être évalué, ce que l'éligibilité peut reprendre : la source
    lue, ses preuves chargées et le rapport à la date du lot (sinon None : repris ou tiré du cache)."""

    entree: Entree
    code: int
    source: Source
    lues: Preuves | None = None
    rapport: dict[str, Any] | None = None


def _entree(etat: EtatProcessus, tache: Tache, cle: str, source: Source, nu: bool) -> _Evalue:
    """Reprise, sinon cache, sinon évaluation par le moteur (et l'échéancier des 90 prochains jours,
    sur les mêmes preuves chargées) ; puis les rapports de --rapports."""
    from verificateur.evaluation import echeances, moteur, rapport

    contexte = etat.contexte
    if contexte.reprendre and contexte.rapports:
        repris = rapports.repris(contexte, tache, cle)
        if repris is not None:
            return _Evalue(*repris, source)
    cache = etat.cache
    resume = cache.lire_resume(cle) if cache else None
    rapport_complet, lues = None, None
    if resume is not None and contexte.rapports and resume[0].etat == "evalue":
        rapport_complet = cache.lire_rapport(cle, resume[0].empreinte or "") if cache else None
        if rapport_complet is None:
            resume = None
    if resume is not None:
        entree, code = resume
    else:
        if isinstance(source, ArbreLu) and source.par_metadonnees:
            # Clé tirée des métadonnées et pas de résultat : lire, et la clé du contenu réellement évalué.
            cle, source = cle_du_depot(source, tache, etat)
        lues, au_jour = moteur.charger_et_evaluer(source, etat.catalogue, contexte.date_evaluation, contexte.fraicheur)
        rapport_complet = rapport.construire(au_jour, lues, etat.catalogue, contexte.seuil_echec)
        horizon = echeances.HORIZON_A_VENIR
        a_venir = echeances.document(echeances.calculer(etat.catalogue, lues, au_jour, horizon), lues, au_jour, horizon)
        entree = entree_de(tache, rapport_complet, nu, a_venir)
        code = rapport.code_sortie(rapport_complet) if entree.etat == "evalue" else CODE_ECHEC_DEPOT
        if cache:
            cache.ecrire(cle, entree, code, rapport_complet if contexte.rapports else None)
    if contexte.rapports and entree.etat == "evalue" and rapport_complet is not None:
        entree = rapports.ecrire_rapports(contexte, tache, cle, entree, code, rapport_complet)
    return _Evalue(entree, code, source, lues, rapport_complet if lues is not None else None)


def _dossier_eligibilite(etat: EtatProcessus, tache: Tache, source: Source, lues: Preuves | None,
                         rapport_du_jour: dict[str, Any] | None) -> DonneesDossier:
    """Le dossier d'éligibilité d'un établissement (`financements.evaluer_depot`), sur les preuves déjà
    chargées pour le lot : chargées et validées une fois, pas une fois de plus par date du programme.
    À chaque date du programme, seules les règles que le programme cite (seules lues par la décision)
    sont évaluées sur ces preuves (sans fraîcheur, comme `evaluer_depot`), et leur rapport construit ;
    à la date du lot, sans --fraicheur, le rapport du lot sert tel quel."""
    from verificateur import evaluation, financements, preuves
    from verificateur.evaluation import rapport
    from verificateur.financements.dossiers import dates_a_evaluer

    contexte, catalogue = etat.contexte, etat.catalogue
    programme = contexte.programme
    assert programme is not None
    lues = lues or preuves.charger(source)
    regles = {c.regle for c in programme.conditions()}
    # Chaque règle s'évalue seule (ses preuves, ses paramètres, sa dérogation) : ses verdicts sont les
    # mêmes dans un catalogue réduit aux règles citées, qui n'évalue que ce que la décision lit.
    citees = replace(catalogue, regles={i: r for i, r in catalogue.regles.items() if i in regles})
    deja: dict[date, dict[str, Any]] = {}
    for date_condition in dates_a_evaluer(programme, contexte.date_evaluation) or [contexte.date_evaluation]:
        if date_condition == contexte.date_evaluation and rapport_du_jour is not None and not contexte.fraicheur:
            deja[date_condition] = rapport_du_jour
            continue
        resultat = evaluation.evaluer(citees, lues, date_condition)
        resultat.problemes = []  # la décision ne lit que les verdicts, le profil et le dépôt
        deja[date_condition] = rapport.construire(resultat, lues, citees, contexte.seuil_echec)
    return financements.dossier_pour_lot(source, catalogue, programme, contexte.date_evaluation, contexte.seuil_echec,
                                         chemin=tache.chemin, deja=deja)


def evaluer_tache(tache: Tache, etat: EtatProcessus) -> Resultat:
    """(entrée, code de sortie, dossier d'éligibilité ou None) ; toute erreur devient l'échec de ce seul dépôt."""
    try:
        resultat = _evaluer(tache, etat)
        return resultat._replace(inscriptions=tuple(etat.cache.prendre())) if etat.cache else resultat
    except ErreurVerificateur as exc:
        raison = _raison(exc.message, tache.chemin)
    except OSError as exc:
        raison = f"lecture impossible ({erreur_systeme(exc)})"
    except RecursionError:
        raison = "preuve trop imbriquée, évaluation impossible"
    except Exception as exc:  # noqa: BLE001 — un dépôt ne doit jamais coûter le lot
        raison = f"erreur interne ({type(exc).__name__}) ; relancez « verificateur evaluer » sur ce dépôt avec --debug"
    if etat.cache:
        etat.cache.prendre()  # rien d'un dépôt en échec n'est inscrit
    return Resultat(echec(tache, raison), CODE_ECHEC_DEPOT)
