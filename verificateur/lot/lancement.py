"""Un lot de bout en bout : la demande (les options de `verificateur lot`) vérifiée et préparée
(`preparer` : partie, programme, catalogue), puis évaluée (`lancer` : verrou de --rapports, découverte,
exécution, contrat, éligibilité). La ligne de commande n'assemble rien : elle appelle ces deux fonctions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from verificateur.git.collecte import DELAI_DEFAUT, TAILLE_DEFAUT, analyser, est_distante
from verificateur.lot import contrat
from verificateur.lot.cache import Registre, dossier_cache_defaut
from verificateur.lot.contexte import Contexte
from verificateur.lot.decouverte import dans_partie, decouvrir, lire_partie
from verificateur.lot.execution import executer
from verificateur.lot.progression import Progression
from verificateur.lot.rapports import verrouiller_rapports
from verificateur.lot.stock import Stock
from verificateur.lot.tache import Resultat
from verificateur.socle.problemes import ErreurVerificateur

if TYPE_CHECKING:
    from verificateur.financements import Programme
    from verificateur.financements.dossiers import DonneesDossier
    from verificateur.politiques import Catalogue


def evaluer_lot(sources: list[str], catalogue: Catalogue, contexte: Contexte, jobs: int, revision: str | None = None,
                partie: tuple[int, int] | None = None, progression: bool = True) -> tuple[dict[str, Any], int]:
    """Le lot complet : (données du contrat « verificateur/lot/2 », code de sortie). Les entrées vont
    sur disque dès qu'elles arrivent (`stock.py`) ; les inscriptions du cache, dans son index."""
    taches = decouvrir(sources, revision)
    if not taches:
        raise ErreurVerificateur(f"aucun dépôt de preuves trouvé dans {', '.join(sources)}")
    if partie:
        taches = [t for t in taches if dans_partie(t, *partie)]
    stock, codes = Stock(), set()
    dossiers: dict[str, DonneesDossier] = {}
    registre = Registre.ouvrir(contexte.cache) if contexte.cache else None

    def recevoir(_indice: int, resultat: Resultat) -> None:
        stock.ajouter(resultat.entree.en_dict())
        codes.add(resultat.code)
        if resultat.dossier is not None:
            dossiers[resultat.entree.chemin] = resultat.dossier
        if registre:
            registre.inscrire(resultat.inscriptions)

    barre = Progression(len(taches), active=progression)
    try:
        interrompu = executer(taches, contexte, jobs, catalogue, recevoir, barre)
    finally:
        barre.terminer()
        if registre:
            registre.fermer()
    # Une adresse donnée en SOURCE n'est recopiée que sans identifiants (docs/lot.md §9).
    montrees = [analyser(source).affichee if est_distante(source) else source for source in sources]
    tete = contrat.entete(catalogue, contexte.date_evaluation, montrees, partie, revision, contexte.seuil_echec, contexte.fraicheur)
    donnees = contrat.assembler(tete, stock.triees(), interrompu)
    code = contrat.code_sortie(donnees, sorted(codes))
    if contexte.programme is not None:
        from verificateur import financements

        donnees["etablissements"] = donnees["etablissements"].en_liste()  # l'éligibilité complète chaque entrée sur place
        financements.completer_lot(donnees, contexte.programme, contexte.date_evaluation, dossiers)
        contrat.sceller(donnees)
    return donnees, code


@dataclass(frozen=True)
class Demande:
    """Les options de `verificateur lot SOURCE…` (hors rendu et observatoire), telles que données."""

    sources: list[str]
    date_evaluation: date
    politiques: tuple[str, ...] = ()
    referentiels: tuple[str, ...] = ()
    revision: str | None = None
    jobs: int = 1
    rapports: str | None = None
    reprendre: bool = False
    cache: str | None = None
    sans_cache: bool = False
    partie: str | None = None
    seuil_echec: str = "mineure"
    fraicheur: bool = False
    progression: bool = True
    programme: str | None = None
    programmes: tuple[str, ...] = ()
    liste: str | None = None
    miroirs: str | None = None
    delai_collecte: float = DELAI_DEFAUT
    taille_collecte: int = TAILLE_DEFAUT
    base_liens: str | None = None  # dossier du fichier --sortie, vers lequel pointent les liens des rapports


@dataclass(frozen=True)
class Preparation:
    """Une demande vérifiée : la partie lue, le catalogue et le programme chargés."""

    demande: Demande
    catalogue: Catalogue
    partie: tuple[int, int] | None
    programme: Programme | None


@dataclass(frozen=True)
class Lancement:
    """Un lot évalué. `verrou` : celui du dossier --rapports, à garder jusqu'à la fin du processus
    (après l'écriture du résultat qui pointe vers les rapports)."""

    donnees: dict[str, Any]
    code: int
    contexte: Contexte
    verrou: IO[str] | None


def _catalogue(politiques: tuple[str, ...], referentiels: tuple[str, ...], sans_cache: bool) -> Catalogue:
    """Le catalogue validé ; sauf --sans-cache, relu du cache des catalogues (politiques/cache_catalogue.py,
    clé : les octets des politiques et le code), comme pour le crochet : un lot relancé ne recharge
    ni ne revalide les politiques (≈ 0,2 à 1 s, autant qu'évaluer des centaines de dépôts inchangés)."""
    dossiers_politiques, dossiers_referentiels = [Path(p) for p in politiques] or None, [Path(r) for r in referentiels] or None
    if not sans_cache:
        from verificateur.politiques import cache_catalogue

        return cache_catalogue.charger(dossiers_politiques, dossiers_referentiels)
    from verificateur import politiques as module

    return module.charger(dossiers_politiques, dossiers_referentiels)


def preparer(demande: Demande) -> Preparation:
    """Les options incompatibles refusées (code 2), dans l'ordre où la ligne de commande les a
    toujours dites ; puis le programme et le catalogue chargés (les politiques du programme par défaut)."""
    if demande.reprendre and not demande.rapports:
        raise ErreurVerificateur("--reprendre demande --rapports DOSSIER : c'est là que sont les évaluations précédentes")
    if demande.cache and demande.sans_cache:
        raise ErreurVerificateur("--cache et --sans-cache s'excluent")
    partie = lire_partie(demande.partie) if demande.partie else None
    if demande.programme is None:
        if demande.liste or demande.programmes:
            raise ErreurVerificateur("--liste et --programmes demandent --programme ID")
        return Preparation(demande, _catalogue(demande.politiques, demande.referentiels, demande.sans_cache), partie, None)
    from verificateur import financements

    if partie:
        raise ErreurVerificateur("--programme et --partie s'excluent : une candidature de GHT demande tous ses établissements dans le "
                                 "même lot")
    # Le fichier du programme lu et validé une fois, comme pour la commande eligibilite.
    catalogue, programme = financements.charger_selon(demande.programme, [Path(p) for p in demande.programmes], demande.politiques,
                                                      lambda p: _catalogue(p, demande.referentiels, demande.sans_cache))
    return Preparation(demande, catalogue, partie, programme)


def lancer(preparation: Preparation) -> Lancement:
    """Le lot évalué : le dossier --rapports verrouillé, puis `evaluer_lot`."""
    demande = preparation.demande
    verrou = verrouiller_rapports(demande.rapports, demande.date_evaluation) if demande.rapports else None
    contexte = Contexte(
        date_evaluation=demande.date_evaluation, seuil_echec=demande.seuil_echec, fraicheur=demande.fraicheur,
        cache=None if demande.sans_cache else (demande.cache or dossier_cache_defaut()), rapports=demande.rapports,
        base_liens=demande.base_liens if demande.rapports else None, reprendre=demande.reprendre,
        programme=preparation.programme, miroirs=demande.miroirs, delai_collecte=demande.delai_collecte,
        taille_collecte=demande.taille_collecte,
    )
    donnees, code = evaluer_lot(demande.sources, preparation.catalogue, contexte, demande.jobs, demande.revision,
                                preparation.partie, progression=demande.progression)
    return Lancement(donnees, code, contexte, verrou)
