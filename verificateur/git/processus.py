"""Lancer git sans que rien d'un dépôt ne s'exécute : l'invocation durcie, des processus bornés, les
erreurs dites en français.

C'est le seul module du paquet qui importe subprocess (tests/hostiles/test_code_sur.py). Un dépôt de
preuves est une entrée hostile : sa configuration (`.git/config` et ce qu'elle inclut) peut nommer des
commandes (fsmonitor, crochets, filtres, textconv, ssh, upload-pack d'un clone partiel…). Chaque appel
porte donc les mêmes options `-c`, aucune variable GIT_* héritée, et le dossier et l'arbre de travail
imposés par l'outil (`Invocation.commande`, docs/depot.md §4). Ce que les autres modules lancent par
là : la découverte et les révisions (`depot`), les objets (`objets`), l'histoire (`historique`).

Seule exception à « ne faire que lire » : la collecte d'un lot (`commande_collecte`, `lancer_collecte`,
appelées par verificateur/git/collecte.py) fait écrire git dans un miroir de l'auditeur, jamais dans un
dépôt de preuves (docs/depot.md §7).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from verificateur.socle.problemes import ErreurVerificateur

# Au-delà, git est considéré comme bloqué (dépôt sur un disque réseau mort, objet gigantesque…).
DELAI_GIT = 300
GIT_INTROUVABLE = "git introuvable : installez git pour lire une révision ou l'index"

# Transports interdits : un clone partiel va chercher les objets absents chez son « promisor »,
# ce qui lance `remote.<nom>.uploadpack` ou `core.sshCommand` (essai : voir docs/depot.md).
# La ligne de commande l'emporte sur la configuration du dépôt, clé par clé : chaque protocole est
# donc fermé explicitement, pas seulement `protocol.allow`.
_PROTOCOLES = ("file", "git", "ssh", "http", "https", "ftp", "ftps", "ext")

# Un processus git dont la sortie est lue en octets (cat-file --batch, log en flux).
Processus = subprocess.Popen[bytes]


class Invocation:
    """La façon durcie de lancer git dans `dossier` (chemin réel), avec `arbre_de_travail` imposé
    s'il est connu. `chemin` est celui que disent les messages ; `index` : transmettre
    GIT_INDEX_FILE (l'index du commit en cours)."""

    def __init__(self, chemin: str, dossier: str, index: bool = False) -> None:
        self.chemin = chemin
        self.index = index
        self.dossier = dossier
        self.arbre_de_travail: str | None = None
        # safe.directory ne se donne qu'en chemin exact (git 2.39) : le dossier et chacun de ses
        # parents, puisque git remonte de l'un à l'autre pour trouver le dépôt désigné.
        self._surs = [dossier, *(str(p) for p in Path(dossier).parents)]

    def environnement(self) -> dict[str, str]:
        """L'environnement, sans aucune variable GIT_* héritée (GIT_DIR, GIT_WORK_TREE,
        GIT_CONFIG_PARAMETERS…), sauf GIT_INDEX_FILE pour lire l'index en cours de commit."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        if self.index and os.environ.get("GIT_INDEX_FILE"):
            # Relatif au dossier où git a lancé le crochet, qui est le nôtre : rendu absolu avant -C.
            env["GIT_INDEX_FILE"] = os.path.abspath(os.environ["GIT_INDEX_FILE"])
        env.update(
            GIT_TERMINAL_PROMPT="0",
            GIT_CONFIG_NOSYSTEM="1",
            GIT_NO_LAZY_FETCH="1",
            LC_ALL="C",
        )
        return env

    def commande(self, arguments: list[str]) -> list[str]:
        commande = [
            "git",
            "-c", "core.fsmonitor=false",
            "-c", "core.hooksPath=/dev/null",
        ]
        for sur in self._surs:
            commande += ["-c", f"safe.directory={sur}"]
        commande += ["-c", "protocol.allow=never"]
        for protocole in _PROTOCOLES:
            commande += ["-c", f"protocol.{protocole}.allow=never"]
        commande += ["--no-pager", "--no-optional-locks", "--no-replace-objects", "-C", self.dossier]
        if self.arbre_de_travail is not None:
            commande += ["--work-tree", self.arbre_de_travail]
        return commande + arguments

    def lancer(self, arguments: list[str], entree: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Lance une commande git (liste d'arguments, jamais de shell) ; stderr est écarté."""
        try:
            return subprocess.run(
                self.commande(arguments), input=entree, stdin=None if entree is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.environnement(), timeout=DELAI_GIT,
                check=False,
            )
        except FileNotFoundError:
            raise ErreurVerificateur(GIT_INTROUVABLE) from None
        except subprocess.TimeoutExpired:
            raise ErreurVerificateur(f"{self.chemin}: git n'a pas répondu en {DELAI_GIT} s") from None

    def executer(self, arguments: list[str], echec: str) -> bytes:
        """La sortie d'une commande git ; si elle échoue, ErreurVerificateur(`echec`)."""
        fini = self.lancer(arguments)
        if fini.returncode != 0:
            raise ErreurVerificateur(echec)
        return fini.stdout

    def ouvrir(self, arguments: list[str], ecrire: bool = False) -> Processus:
        """Une commande git dont la sortie se lit en flux (et, si `ecrire`, qui lit des demandes sur
        son entrée) ; stderr est écarté. À l'appelant de la borner et de la fermer (`fermer_processus`)."""
        try:
            return subprocess.Popen(
                self.commande(arguments), stdin=subprocess.PIPE if ecrire else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.environnement(),
            )
        except FileNotFoundError:
            raise ErreurVerificateur(GIT_INTROUVABLE) from None


def fermer_processus(processus: Processus) -> None:
    if processus.poll() is None:
        try:
            if processus.stdin:
                processus.stdin.close()
            processus.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            processus.kill()
            processus.wait()
    for flux in (processus.stdin, processus.stdout):
        if flux:
            with contextlib.suppress(OSError):
                flux.close()


# -- collecte : la seule écriture de git, dans un miroir de l'auditeur (verificateur/git/collecte.py) -----

# Protocoles qu'une collecte peut ouvrir, un seul par appel (celui de la source) ; jamais `ext::`
# (une commande arbitraire), `fd::`, ni ftp. Tous les autres restent fermés nommément (_PROTOCOLES).
PROTOCOLES_COLLECTE = ("https", "http", "ssh", "git", "file")

# Ce qu'une collecte impose, en plus de l'invocation durcie : objets vérifiés à la réception (un
# objet mal formé, un chemin « .git » ou « .. » dans un arbre, refusés par fsck) ; aucune
# redirection HTTP (elle mènerait ailleurs que là où l'auditeur l'a dit) ; ni entretien automatique
# (gc, maintenance), ni graphe de commits, ni sous-modules : fetch ne fait que recevoir des objets.
_OPTIONS_COLLECTE = (
    "transfer.fsckObjects=true", "fetch.fsckObjects=true", "http.followRedirects=false", "gc.auto=0",
    "maintenance.auto=false", "fetch.writeCommitGraph=false", "fetch.recurseSubmodules=false",
    "submodule.recurse=false", "fetch.prune=false", "core.askPass=", "credential.interactive=false",
    # Chaque réception reste un paquet (pas d'objets épars) : des milliers de miroirs restent peu de fichiers.
    "fetch.unpackLimit=1", "transfer.unpackLimit=1",
)


def commande_collecte(miroir: str, protocole: str, arguments: list[str], surs: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """La commande (et son environnement) qui fait écrire git dans un miroir de l'auditeur (`init`,
    `fetch`) : l'invocation durcie, avec le seul `protocole` de la source ouvert (ligne de
    commande et GIT_ALLOW_PROTOCOL). `surs` : dossiers d'une source locale (`file://`, paquet) que git
    doit accepter quel qu'en soit le propriétaire. Rien n'est lu de la configuration de la source ; la
    configuration de l'auditeur (~/.gitconfig : assistant d'identification, ssh) s'applique, comme pour
    git lui-même."""
    if protocole not in PROTOCOLES_COLLECTE:
        raise ErreurVerificateur(f"protocole « {protocole} » refusé")
    invocation = Invocation(miroir, os.path.realpath(miroir))
    invocation._surs += [s for s in surs if s not in invocation._surs]
    commande = invocation.commande([]) + ["-c", f"protocol.{protocole}.allow=always"]
    for option in _OPTIONS_COLLECTE:
        commande += ["-c", option]
    env = invocation.environnement()
    env["GIT_ALLOW_PROTOCOL"] = protocole
    return commande + arguments, env


def lancer_collecte(miroir: str, protocole: str, arguments: list[str], surs: tuple[str, ...] = (),
                    surveiller: Callable[[], str | None] | None = None, maximum: int = 64 * 1024) -> tuple[int, bytes, bytes]:
    """Lance git dans un miroir (`commande_collecte`) : (code, début de stdout, début de stderr), au
    plus `maximum` octets de chaque (un serveur bavard ne remplit pas la mémoire). `surveiller` est
    appelée toutes les 0,2 s : si elle rend une raison (délai, taille), git et tout ce qu'il a lancé
    (remote-https, ssh, index-pack : son groupe de processus) sont arrêtés, et ErreurVerificateur(raison).
    Sans terminal et dans son propre groupe : ssh ne peut demander aucun mot de passe."""
    # tempfile (random, shutil, bz2, lzma) ne sert qu'à la collecte : pas importé sur le chemin du crochet.
    import tempfile

    commande, env = commande_collecte(miroir, protocole, arguments, surs)
    with tempfile.TemporaryFile() as sortie, tempfile.TemporaryFile() as erreurs:
        try:
            processus = subprocess.Popen(commande, stdin=subprocess.DEVNULL, stdout=sortie, stderr=erreurs, env=env,
                                         start_new_session=True)
        except FileNotFoundError:
            raise ErreurVerificateur("git introuvable : installez git pour collecter un dépôt") from None
        raison = None
        fin = time.monotonic() + DELAI_GIT  # sans surveillance (init, rev-parse) : la borne de tout appel à git
        try:
            while raison is None:
                try:
                    code = processus.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    raison = surveiller() if surveiller else (
                        f"git n'a pas répondu en {DELAI_GIT} s dans le miroir" if time.monotonic() > fin else None)
        finally:
            if processus.poll() is None:  # arrêt demandé, ou exception (Ctrl-C) pendant l'attente
                with contextlib.suppress(OSError):
                    os.killpg(processus.pid, signal.SIGKILL)
                processus.wait()
        if raison is not None:
            raise ErreurVerificateur(raison)
        sortie.seek(0)
        erreurs.seek(0)
        return code, sortie.read(maximum), erreurs.read(maximum)
