"""L'exécution des tâches d'un lot : dans le processus (`--jobs 1`), ou par un groupe de processus
d'évaluation (`executer`).

Robustesse (CONCEPTION §7) : un dépôt illisible coûte sa ligne, jamais le lot. Un processus
d'évaluation qui meurt (signal, os._exit) ne coûte que la tâche qu'il évaluait : chaque processus a
son propre canal, le processus principal sait quelles tâches il lui a confiées, dans l'ordre."""

from __future__ import annotations

import signal
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from verificateur.lot.contexte import Contexte, initialiser
from verificateur.lot.decouverte import Tache
from verificateur.lot.entree import CODE_ECHEC_DEPOT, echec
from verificateur.lot.tache import Resultat, evaluer_tache
from verificateur.socle.problemes import ErreurVerificateur

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from verificateur.politiques import Catalogue

# Tâches confiées d'avance à chaque processus : il ne reste jamais à vide entre deux tâches.
PROFONDEUR = 2
Rappel = Callable[[Tache, bool], None]
# Reçoit chaque résultat dès qu'il arrive (indice de la tâche, résultat) : rien n'est gardé ici.
Recevoir = Callable[[int, Resultat], None]


def _boucle(canal: Connection, contexte: Contexte, catalogue: Catalogue) -> None:
    """Un processus d'évaluation : reçoit une fois les politiques chargées et validées par le processus
    principal (héritées par fork, ou transmises : ~70 Ko, moins d'une ms, contre ~0,4 s pour les
    recharger), puis évalue ce qu'on lui envoie."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C est l'affaire du processus principal
    # Arrêté par le processus principal (Ctrl-C) : sortir par SystemExit, pour que l'écriture en cours
    # efface son fichier temporaire.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        etat = initialiser(contexte, catalogue, ouvrier=True)
    except Exception as exc:  # noqa: BLE001 — dit au processus principal pourquoi, au lieu de mourir en silence
        canal.send((-1, f"processus d'évaluation impossible à démarrer ({type(exc).__name__})"))
        return
    while True:
        try:
            message = canal.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        indice, tache = message
        canal.send((indice, evaluer_tache(tache, etat)))


def raison_arret(code: int | None) -> str:
    if code is not None and code < 0:
        return f"le processus d'évaluation s'est arrêté (signal {-code})"
    return f"le processus d'évaluation s'est arrêté (code {code})"


def executer(taches: list[Tache], contexte: Contexte, jobs: int, catalogue: Catalogue, recevoir: Recevoir,
             rappel: Rappel | None = None) -> bool:
    """Évalue les tâches et passe chaque résultat à `recevoir` ; renvoie vrai si le lot est
    interrompu. `rappel(tache, finie)` est appelé au début (finie=False, dans le processus principal
    seulement) et à la fin de chaque tâche."""
    rappel = rappel or (lambda tache, finie: None)
    if jobs <= 1 or len(taches) <= 1:
        etat = initialiser(contexte, catalogue)
        try:
            for i, tache in enumerate(taches):
                rappel(tache, False)
                recevoir(i, evaluer_tache(tache, etat))
                rappel(tache, True)
        except KeyboardInterrupt:
            return True
        return False
    return _Groupe(taches, contexte, catalogue, rappel, recevoir).executer(jobs)


@dataclass
class _Ouvrier:
    processus: BaseProcess
    canal: Connection
    confiees: deque[int] = field(default_factory=deque)


class _Groupe:
    """Un groupe de processus d'évaluation, chacun avec son canal et la file des tâches qu'on lui a
    confiées (dans l'ordre : la première est celle qu'il évalue)."""

    def __init__(self, taches: list[Tache], contexte: Contexte, catalogue: Catalogue, rappel: Rappel, recevoir: Recevoir):
        import multiprocessing

        self.mp = multiprocessing.get_context()
        self.taches, self.contexte, self.catalogue, self.rappel, self._recevoir = taches, contexte, catalogue, rappel, recevoir
        self.finies = bytearray(len(taches))  # 1 : le résultat de la tâche est reçu
        self.nombre_finies = 0
        self.a_faire = deque(range(len(taches)))
        self.ouvriers: list[_Ouvrier] = []

    def demarrer(self) -> _Ouvrier:
        parent, enfant = self.mp.Pipe()
        processus = self.mp.Process(target=_boucle, args=(enfant, self.contexte, self.catalogue), daemon=True)
        processus.start()
        enfant.close()
        return _Ouvrier(processus, parent)

    def alimenter(self, ouvrier: _Ouvrier) -> None:
        while len(ouvrier.confiees) < PROFONDEUR and self.a_faire:
            i = self.a_faire.popleft()
            ouvrier.canal.send((i, self.taches[i]))
            ouvrier.confiees.append(i)

    def recevoir(self, ouvrier: _Ouvrier) -> None:
        while ouvrier.canal.poll():
            try:
                indice, valeur = ouvrier.canal.recv()
            except (EOFError, OSError):
                return
            if indice == -1:
                raise ErreurVerificateur(valeur, 3)
            if ouvrier.confiees and ouvrier.confiees[0] == indice:
                ouvrier.confiees.popleft()
            self.finir(indice, valeur)

    def finir(self, indice: int, resultat: Resultat) -> None:
        if self.finies[indice]:
            return
        self.finies[indice] = 1
        self.nombre_finies += 1
        self._recevoir(indice, resultat)
        self.rappel(self.taches[indice], True)

    def remplacer(self, ouvrier: _Ouvrier) -> _Ouvrier:
        """Mort du processus : la première tâche confiée est celle qu'il évaluait ; les suivantes
        retournent dans la file. Un nouveau processus prend sa place."""
        ouvrier.processus.join()
        if ouvrier.confiees:
            i = ouvrier.confiees.popleft()
            self.finir(i, Resultat(echec(self.taches[i], raison_arret(ouvrier.processus.exitcode)), CODE_ECHEC_DEPOT))
            self.a_faire.extendleft(reversed(ouvrier.confiees))
        ouvrier.canal.close()
        return self.demarrer()

    def executer(self, jobs: int) -> bool:
        from multiprocessing.connection import wait

        interrompu = False
        try:
            self.ouvriers = [self.demarrer() for _ in range(min(jobs, len(self.taches)))]
            for ouvrier in self.ouvriers:
                self.alimenter(ouvrier)
            while self.nombre_finies < len(self.taches):
                prets = set(wait([o.canal for o in self.ouvriers] + [o.processus.sentinel for o in self.ouvriers]))
                for n, ouvrier in enumerate(list(self.ouvriers)):
                    if ouvrier.canal in prets or ouvrier.processus.sentinel in prets:
                        self.recevoir(ouvrier)
                    if ouvrier.processus.sentinel in prets:
                        self.ouvriers[n] = ouvrier = self.remplacer(ouvrier)
                    self.alimenter(ouvrier)
        except KeyboardInterrupt:
            interrompu = True
        finally:
            self.arreter()
        return interrompu

    def arreter(self) -> None:
        for ouvrier in self.ouvriers:
            if ouvrier.processus.is_alive():
                ouvrier.processus.terminate()
        for ouvrier in self.ouvriers:
            ouvrier.processus.join()
            ouvrier.canal.close()
