"""La collecte : aller chercher un dépôt de preuves là où il est (URL git, paquet `git bundle`) dans
un **miroir** de l'auditeur, hors de tout dépôt de preuves, pour l'évaluer comme un dépôt nu.

Une source distante est hostile (docs/securite.md, « Sources distantes ») : son adresse vient du
manifeste, ses objets d'un serveur qu'on ne connaît pas. D'où :

- l'adresse est vérifiée **avant** que git soit lancé (`analyser`) : protocoles admis seulement
  (https, http, ssh, git, file ; jamais `ext::` ni `fd::`), aucun identifiant dans l'URL (ils
  viendraient du manifeste et finiraient dans les sorties) ;
- git est lancé par `processus.commande_collecte` : l'invocation durcie, le seul protocole de la
  source ouvert, objets vérifiés (fsck), aucune redirection, aucun crochet ; rien n'est écrit dans
  la configuration du miroir (l'URL n'y est jamais : `git fetch URL`, sans « remote ») ;
- chaque récupération est bornée en temps (`delai`) et en taille (`taille_max`, la taille du miroir
  sur le disque) : au-delà, git est arrêté (son groupe de processus entier) et la ligne du dépôt
  donne la raison en français ; le lot continue ;
- seulement ce que l'évaluation lit : la révision demandée, sans son histoire (`--depth 1`), sauf
  avec `--fraicheur` qui lit l'histoire ; une seconde campagne ne reçoit que les objets nouveaux
  (les révisions déjà reçues restent des références du miroir, que git annonce au serveur).

Le miroir d'une source : `DOSSIER/<sha256 de l'adresse normalisée>.git`, jamais l'adresse elle-même
comme chemin. Un verrou par miroir (`.verrou`) : deux lots simultanés ne le modifient pas ensemble.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from verificateur.socle import caches
from verificateur.socle.confinement import DELAI_DEFAUT, TAILLE_DEFAUT  # noqa: F401 (ré-exportés)
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.problemes import ErreurVerificateur

# Assez pour les messages de git ; un serveur bavard (« remote: … » sans fin) ne remplit pas la mémoire.
_STDERR_MAX = 64 * 1024
_ENTETES_PAQUET = (b"# v2 git bundle\n", b"# v3 git bundle\n")
_SCHEMA = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TRANSPORT = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)::")
# `utilisateur@hôte:chemin`, la forme courte de ssh (comme git : un « : » avant tout « / »).
_SCP = re.compile(r"^([^/@:\s]+)@([^/:\s]+):(.*)$")
# Une révision qu'un serveur peut donner : HEAD, un nom de branche ou d'étiquette, un sha complet.
_NOM_REF = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/+-]*$")
_SHA = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")
_ADMIS = "admis : https, http, ssh, git, file, utilisateur@hôte:chemin, ou un paquet git (.bundle)"


@dataclass(frozen=True)
class Adresse:
    """Une source à collecter : `affichee` (ce que disent les sorties, jamais d'identifiant),
    `url` (ce que reçoit git), `protocole`, `raison` (refusée avant tout git, en français)."""

    affichee: str
    url: str = ""
    protocole: str = ""
    raison: str | None = None


# Paquets gardés au plus dans le miroir d'une adresse avant de les réunir (un par campagne sinon).
PAQUETS_MAX_MIROIR = 4


def est_distante(chemin: str) -> bool:
    """Une adresse git plutôt qu'un chemin local : `schéma://…`, `transport::…`, `utilisateur@hôte:…`."""
    return bool(_SCHEMA.match(chemin) or _TRANSPORT.match(chemin) or _SCP.match(chemin))


def est_paquet(chemin: str) -> bool:
    """Un fichier paquet git (`git bundle`) : nommé `.bundle`, ou qui en a l'en-tête."""
    if not os.path.isfile(chemin):
        return False
    if chemin.endswith(".bundle"):
        return True
    try:
        with open(chemin, "rb") as fichier:
            return fichier.read(16) in _ENTETES_PAQUET
    except OSError:
        return False


def analyser(chemin: str) -> Adresse:
    """L'adresse d'une ligne de manifeste, vérifiée sans lancer git."""
    transport = _TRANSPORT.match(chemin)
    if transport:
        return Adresse(f"{transport.group(1)}::…",
                       raison=f"adresse refusée : le transport « {transport.group(1)}:: » n'est pas admis ({_ADMIS})")
    if any(ord(c) < 32 or c == "\x7f" for c in chemin) or " " in chemin:
        return Adresse(_sans_identifiants(chemin), raison="adresse refusée : espace ou caractère de contrôle")
    scp = _SCP.match(chemin)
    schema = _SCHEMA.match(chemin)
    if scp and not schema:
        utilisateur, hote, _ = scp.groups()
        if utilisateur.startswith("-") or hote.startswith("-"):
            return Adresse(chemin, raison="adresse refusée : un nom d'utilisateur ou d'hôte ne commence pas par « - »")
        return Adresse(chemin, chemin, "ssh")
    assert schema is not None
    protocole = schema.group(1).lower()
    affichee = _sans_identifiants(chemin)
    if protocole not in ("https", "http", "ssh", "git", "file"):
        return Adresse(affichee, raison=f"adresse refusée : le protocole « {protocole} » n'est pas admis ({_ADMIS})")
    try:
        morceaux = urlsplit(chemin)
        morceaux.port  # noqa: B018 — lève ValueError pour un port invalide
    except ValueError:
        return Adresse(affichee, raison="adresse refusée : URL mal formée")
    if morceaux.password is not None or (protocole in ("http", "https") and "@" in morceaux.netloc):
        # En HTTP, un nom seul peut être un jeton (https://JETON@hôte/…) : tout identifiant est refusé.
        return Adresse(affichee, raison=(
            "adresse refusée : identifiants dans l'URL (ils viendraient du manifeste) ; utilisez l'assistant "
            "d'identification de git (credential helper) ou l'agent SSH de l'auditeur"))
    if morceaux.query or morceaux.fragment:
        return Adresse(affichee, raison="adresse refusée : paramètres (« ? ») ou fragment (« # ») dans l'URL, qui peuvent porter un jeton")
    if protocole != "file":
        hote = morceaux.hostname or ""
        if not hote or hote.startswith("-") or (morceaux.username or "").startswith("-"):
            return Adresse(affichee, raison="adresse refusée : hôte absent, ou nom d'hôte ou d'utilisateur qui commence par « - »")
    elif morceaux.netloc not in ("", "localhost"):
        return Adresse(affichee, raison="adresse refusée : une URL file:// désigne un chemin de cette machine (file:///chemin)")
    # Admise : affichée telle quelle (un nom d'utilisateur ssh, « git@ », n'est pas un secret).
    return Adresse(chemin, chemin, protocole)


def _sans_identifiants(chemin: str) -> str:
    """L'adresse sans ce qui précède « @ » dans l'autorité, ni paramètres : ce que les sorties peuvent montrer."""
    schema = _SCHEMA.match(chemin)
    if not schema:
        return chemin
    reste = chemin[schema.end():]
    autorite, barre, suite = reste.partition("/")
    if "@" in autorite:
        autorite = "***@" + autorite.rpartition("@")[2]
    suite = re.split(r"[?#]", suite, maxsplit=1)[0]
    return f"{chemin[:schema.end()]}{autorite}{barre}{suite}"


def normaliser(url: str) -> str:
    """L'adresse dont le miroir porte le hachage : schéma et hôte en minuscules, sans « / » final."""
    schema = _SCHEMA.match(url)
    if schema:
        reste = url[schema.end():]
        autorite, barre, suite = reste.partition("/")
        utilisateur, arobase, hote = autorite.rpartition("@")
        url = f"{schema.group(1).lower()}://{utilisateur}{arobase}{hote.lower()}{barre}{suite}"
    return url.rstrip("/") or url


def dossier_miroirs_defaut() -> str:
    return str(caches.dossier("miroirs"))


@dataclass(frozen=True)
class Reglages:
    """Où sont les miroirs, et les bornes de chaque récupération."""

    miroirs: str
    delai: float = DELAI_DEFAUT
    taille_max: int = TAILLE_DEFAUT * 1024 * 1024  # octets
    histoire: bool = False  # --fraicheur : toute l'histoire de la révision


def _cle_revision(revision: str) -> str:
    return hashlib.sha256(revision.encode("utf-8")).hexdigest()[:24]


def _verifier_revision(revision: str) -> None:
    if revision == "HEAD" or _SHA.match(revision):
        return
    if (not _NOM_REF.match(revision) or ".." in revision or "//" in revision or revision.endswith((".", "/", ".lock"))
            or "@{" in revision):
        raise ErreurVerificateur(
            f"révision « {revision} » : d'un dépôt distant ou d'un paquet git, seuls HEAD, un nom de branche ou "
            "d'étiquette, ou un sha complet se récupèrent")


def rapatrier(chemin: str, revision: str | None, reglages: Reglages) -> tuple[str, str]:
    """Récupère `revision` (HEAD par défaut) de la source `chemin` (adresse ou paquet) dans son
    miroir : (dossier du miroir, sha du commit). ErreurVerificateur (une ligne en français, sans le
    chemin) si la source est refusée, injoignable, trop lente, trop grosse ou ne donne pas ce commit."""
    revision = revision or "HEAD"
    _verifier_revision(revision)
    surs: tuple[str, ...] = ()
    if est_distante(chemin):
        adresse = analyser(chemin)
        if adresse.raison:
            raise ErreurVerificateur(adresse.raison)
        url, protocole, paquet = adresse.url, adresse.protocole, False
        identite = normaliser(url)
        if protocole == "file":
            local = os.path.realpath(urlsplit(url).path)
            surs = (local, *(os.path.dirname(local),))
    else:
        local = os.path.realpath(chemin)
        _verifier_paquet(local)
        url, protocole, paquet, identite = local, "file", True, "paquet:" + local
        surs = (os.path.dirname(local),)
    try:
        os.makedirs(reglages.miroirs, exist_ok=True)
    except OSError as exc:
        raise ErreurVerificateur(f"dossier des miroirs « {reglages.miroirs} » inutilisable ({erreur_systeme(exc)})") from None
    nom = hashlib.sha256(identite.encode("utf-8")).hexdigest()
    miroir = os.path.join(reglages.miroirs, nom + ".git")
    with open(os.path.join(reglages.miroirs, nom + ".verrou"), "a+b") as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)
        nouveau = not os.path.isfile(os.path.join(miroir, "HEAD"))
        _initialiser(miroir)
        try:
            return _rapatrier(miroir, url, protocole, paquet, revision, reglages, surs)
        except ErreurVerificateur:
            if nouveau:
                shutil.rmtree(miroir, ignore_errors=True)  # une source jamais reçue ne laisse pas de miroir vide
            raise


def _rapatrier(miroir: str, url: str, protocole: str, paquet: bool, revision: str, reglages: Reglages,
               surs: tuple[str, ...]) -> tuple[str, str]:
    """Dans le miroir verrouillé : la révision, puis son sha."""
    ref = f"refs/verificateur/{_cle_revision(revision)}"
    arguments = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules"]
    if not paquet:
        if not reglages.histoire:
            arguments.append("--depth=1")
        elif os.path.exists(os.path.join(miroir, "shallow")):
            arguments.append("--unshallow")
    arguments += ["--", url, f"+{revision}:{ref}"]
    _recuperer(miroir, protocole, arguments, reglages, surs, revision, paquet)
    paquets = len([n for n in os.listdir(os.path.join(miroir, "objects", "pack")) if n.endswith(".pack")])
    if paquets > (1 if paquet else PAQUETS_MAX_MIROIR):
        # Un paquet remplacé arrive entier (git ne négocie pas avec un fichier) : ses objets déjà
        # reçus seraient gardés deux fois, campagne après campagne. Un seul paquet par miroir.
        # D'une adresse, chaque récupération garde un paquet, même vide pour un dépôt inchangé
        # (benchmarks/campagne.py) : au-delà de PAQUETS_MAX_MIROIR, les paquets sont réunis.
        _recuperer(miroir, protocole, ["repack", "-a", "-d", "-q"], reglages, surs, revision, paquet)
    code, sha, _ = _lancer(miroir, protocole, ["rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], surs)
    if code != 0 or not sha.strip():
        raise ErreurVerificateur(f"la révision « {revision} » ne désigne pas un commit")
    return miroir, sha.decode("ascii", "replace").strip()


def _verifier_paquet(chemin: str) -> None:
    try:
        with open(chemin, "rb") as fichier:
            entete = fichier.read(16)
    except OSError:
        raise ErreurVerificateur("paquet git (bundle) illisible") from None
    if entete not in _ENTETES_PAQUET:
        raise ErreurVerificateur("pas un paquet git (bundle) : l'en-tête « # v2 git bundle » (ou v3) manque")


def _initialiser(miroir: str) -> None:
    """Un dépôt nu vide, sans modèle (aucun crochet d'exemple copié) ; rien d'autre dans sa configuration."""
    if os.path.isfile(os.path.join(miroir, "HEAD")):
        return
    os.makedirs(miroir, exist_ok=True)
    code, _, _ = _lancer(miroir, "file", ["init", "--quiet", "--bare", "--template=", "."], ())
    if code != 0:
        raise ErreurVerificateur(f"miroir « {miroir} » : « git init » a échoué")


def _taille(dossier: str) -> int:
    total = 0
    for racine, _, fichiers in os.walk(dossier):
        for nom in fichiers:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(racine, nom)).st_size
    return total


def _lancer(miroir: str, protocole: str, arguments: list[str], surs: tuple[str, ...],
            surveiller: Callable[[], str | None] | None = None) -> tuple[int, bytes, bytes]:
    from verificateur.git.processus import lancer_collecte

    try:
        return lancer_collecte(miroir, protocole, arguments, surs, surveiller, _STDERR_MAX)
    except ErreurVerificateur:
        _nettoyer(miroir)
        raise


def _nettoyer(miroir: str) -> None:
    """Après un git arrêté ou en échec : ses verrous et paquets temporaires, sans quoi la prochaine
    récupération échouerait (nous tenons le verrou du miroir : personne d'autre n'y écrit)."""
    for racine, _, fichiers in os.walk(miroir):
        for nom in fichiers:
            if nom.endswith(".lock") or nom.startswith("tmp_"):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(racine, nom))


def _recuperer(miroir: str, protocole: str, arguments: list[str], reglages: Reglages, surs: tuple[str, ...],
               revision: str, paquet: bool) -> None:
    debut = time.monotonic()

    def surveiller() -> str | None:
        if time.monotonic() - debut > reglages.delai:
            return f"délai dépassé : la source n'a pas tout envoyé en {_nombre(reglages.delai)} s (--delai-collecte)"
        if _taille(miroir) > reglages.taille_max:
            return _trop_gros(reglages)
        return None

    try:
        code, _, erreurs = _lancer(miroir, protocole, arguments, surs, surveiller)
    except ErreurVerificateur as exc:
        if exc.message == _trop_gros(reglages):
            shutil.rmtree(miroir, ignore_errors=True)  # trop gros : rien n'en est gardé
        raise
    if _taille(miroir) > reglages.taille_max:
        shutil.rmtree(miroir, ignore_errors=True)
        raise ErreurVerificateur(_trop_gros(reglages))
    if code != 0:
        _nettoyer(miroir)
        raise ErreurVerificateur(_raison(erreurs.decode("utf-8", "replace"), revision, paquet))


def _nombre(valeur: float) -> str:
    return str(int(valeur)) if float(valeur).is_integer() else str(valeur).replace(".", ",")


def _trop_gros(reglages: Reglages) -> str:
    return f"trop gros : le miroir dépasse {reglages.taille_max // (1024 * 1024)} Mio (--taille-max-collecte), récupération arrêtée"


# Les messages de git (en anglais, parfois écrits par le serveur : « remote: … ») ne sont jamais
# recopiés : ils sont reconnus et dits en français.
_RAISONS = (
    (("connection refused",), "connexion refusée : aucun serveur git ne répond à cette adresse (serveur arrêté ou port fermé)"),
    (("could not resolve host", "name or service not known", "could not resolve hostname", "temporary failure in name resolution"),
     "hôte inconnu : le nom du serveur ne se résout pas"),
    (("timed out", "connection timed out"), "délai de connexion dépassé : le serveur ne répond pas"),
    (("network is unreachable", "no route to host"), "réseau injoignable"),
    (("authentication failed", "could not read username", "could not read password", "permission denied (publickey",
      "host key verification failed", "http 401", "http 403", "returned error: 401", "returned error: 403"),
     "authentification refusée ou requise : identifiants de l'auditeur (assistant d'identification git, agent SSH) absents ou refusés"),
    (("lacks these prerequisite commits", "prerequisite commits"),
     "paquet git incomplet : il suppose des commits absents (paquet incrémental) ; "
     "demandez un paquet complet (git bundle create preuves.bundle --all)"),
    (("fsck", "bad object", "badtree", "hasdot", "hasdotgit", "object corrupt", "missing blob", "missing tree",
      "invalid object", "did not send all necessary objects"),
     "objets refusés à la vérification (fsck) : envoi corrompu ou fabriqué"),
    (("not allowed", "unsupported protocol"), "protocole refusé"),
    (("redirect", "returned error: 301", "returned error: 302", "returned error: 303", "returned error: 307",
      "returned error: 308"), "redirection refusée : le serveur renvoie ailleurs ; donnez l'adresse finale"),
    (("returned error: 404", "repository not found", "repository not exported", "does not appear to be a git repository", "not found",
      "no such file or directory", "not a git repository"),
     "dépôt introuvable à cette adresse"),
    (("early eof", "unexpected end of file", "truncated", "premature end", "index-pack failed", "unpack-objects failed",
      "pack has", "remote end hung up", "protocol error", "bad pack header", "packfile"),
     "réception interrompue ou paquet illisible (tronqué ou corrompu)"),
)


def _raison(stderr: str, revision: str, paquet: bool) -> str:
    texte = stderr.lower()
    if "couldn't find remote ref" in texte or "no such remote ref" in texte or "not our ref" in texte or (
            paquet and "is not a valid" not in texte and "invalid refspec" not in texte and "couldn't find" in texte):
        lieu = "dans le paquet git (bundle)" if paquet else "sur le serveur"
        return f"révision « {revision} » introuvable {lieu}"
    for indices, raison in _RAISONS:
        if any(indice in texte for indice in indices):
            if paquet and raison.startswith("réception interrompue"):
                return "paquet git (bundle) tronqué ou corrompu"
            return raison
    return "paquet git (bundle) illisible" if paquet else "récupération impossible (git fetch a échoué)"
