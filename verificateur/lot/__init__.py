"""L'évaluation en lot (`verificateur lot`) : des centaines ou des milliers de dépôts de preuves, pour une ARS.

Le flux : découverte des dépôts (`decouvrir`) → une tâche par dépôt → évaluation par le moteur commun
(`moteur.charger_et_evaluer`, jamais dupliqué, puis l'échéancier sur les mêmes preuves), dans le processus (`--jobs 1`) ou dans un groupe de
processus (`executer`) → une entrée par établissement (des valeurs, pas les rapports entiers : la
mémoire ne dépend pas de la taille des rapports) → tri, agrégats (`agregats.py`) → contrat JSON
« verificateur/lot/2 » (docs/lot.md, schéma `schemas/lot.schema.json`).

Robustesse (CONCEPTION §7) : un dépôt illisible coûte sa ligne, jamais le lot. Un processus
d'évaluation qui meurt (signal, os._exit) ne coûte que la tâche qu'il évaluait : chaque processus a
son propre canal, le processus principal sait quelles tâches il lui a confiées, dans l'ordre.

Point d'injection de test (documenté dans docs/lot.md) : la variable d'environnement
`VERIFICATEUR_TEST_LOT` vaut `arret:NOM` (le processus d'évaluation qui reçoit le dépôt dont le
dernier composant du chemin est NOM se tue par SIGKILL ; sans effet avec --jobs 1) ou
`interruption:NOM` (un vrai SIGINT est envoyé au processus principal, comme un Ctrl-C).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import signal
import sys
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, TextIO

from verificateur import __version__

from verificateur.socle import donnees_personnelles
from verificateur.git.collecte import DELAI_DEFAUT, TAILLE_DEFAUT, analyser, est_distante, est_paquet
from verificateur.socle.fichiers import ecrire_atomique
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.socle.problemes import lieu as situer

FORMAT = "verificateur/lot/2"  # /2 : les échéances des 90 prochains jours (docs/lot.md §3)
INJECTION = "VERIFICATEUR_TEST_LOT"
# Tâches confiées d'avance à chaque processus : il ne reste jamais à vide entre deux tâches.
PROFONDEUR = 2
CODE_ECHEC_DEPOT = 4  # au moins un dépôt n'a pas pu être évalué (docs/lot.md)
CODE_INTERRUPTION = 130
_FINESS = re.compile(r"^(\d{9}|2[AB]\d{7})$")
_SUR = re.compile(r"[^A-Za-z0-9._-]+")
_NOM = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")  # un nom de rapport : jamais un chemin


# -- découverte ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tache:
    """Un dépôt à évaluer, tel que découvert. `raison` : échec connu dès la découverte (ligne de
    manifeste invalide) ; `finess` : celui qu'annonce le manifeste, vérifié contre etablissement.yaml."""

    chemin: str
    finess: str | None = None
    revision: str | None = None
    raison: str | None = None


def _est_nu(dossier: Path) -> bool:
    """Un dépôt git nu, reconnu à sa forme (aucun git lancé pendant la découverte)."""
    return (dossier / "HEAD").is_file() and (dossier / "objects").is_dir() and (dossier / "refs").is_dir()


def _joindre(source: str, nom: str) -> str:
    return source + nom if source.endswith("/") else f"{source}/{nom}"


def decouvrir(sources: list[str], revision: str | None = None) -> list[Tache]:
    """Les tâches, triées par chemin, sans doublon. Un dossier SOURCE est un dépôt s'il contient
    etablissement.yaml ou s'il est un dépôt nu ; sinon chacun de ses sous-dossiers (hors dossiers
    cachés) est un dépôt. Un fichier SOURCE est un manifeste `finess;chemin[;revision]`."""
    taches: dict[str, Tache] = {}
    for source in sources:
        dossier = Path(source)
        if est_distante(source) or est_paquet(source):
            # Une adresse git ou un paquet (docs/lot.md, « Collecter ») : une tâche, collectée par son processus.
            adresse = analyser(source) if est_distante(source) else None
            trouvees = [Tache(adresse.affichee if adresse else source, revision=revision, raison=adresse.raison if adresse else None)]
        elif dossier.is_dir():
            if (dossier / "etablissement.yaml").exists() or _est_nu(dossier):
                trouvees = [Tache(source, revision=revision)]
            else:
                try:
                    noms = sorted(e.name for e in os.scandir(dossier) if not e.name.startswith(".") and e.is_dir())
                except OSError as exc:
                    raise ErreurVerificateur(f"{source}: dossier illisible ({erreur_systeme(exc)})") from None
                trouvees = [Tache(_joindre(source, nom), revision=revision) for nom in noms]
        elif dossier.is_file():
            trouvees = lire_manifeste(source, revision)
        else:
            raise ErreurVerificateur(f"{source}: introuvable, attendu un dossier de dépôts ou un manifeste CSV")
        for tache in trouvees:
            taches.setdefault(tache.chemin, tache)
    return sorted(taches.values(), key=lambda t: t.chemin)


def lire_manifeste(chemin: str, revision: str | None = None) -> list[Tache]:
    """Manifeste CSV `finess;chemin[;revision]` (UTF-8, BOM admis, en-tête facultatif, lignes vides
    et commentaires `#` ignorés) ; chemins relatifs au dossier du manifeste. Une ligne invalide
    devient une tâche en échec nommée `manifeste:ligne`."""
    try:
        texte = Path(chemin).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ErreurVerificateur(f"{chemin}: manifeste illisible ({erreur_systeme(exc)})") from None
    except UnicodeDecodeError:
        raise ErreurVerificateur(f"{chemin}: manifeste illisible, attendu du texte UTF-8") from None
    base = os.path.dirname(chemin)
    taches = []
    premiere = True
    for numero, ligne in enumerate(texte.splitlines(), 1):
        if not ligne.strip() or ligne.lstrip().startswith("#"):
            continue
        lieu = situer(chemin, numero)
        try:
            champs = [c.strip() for c in next(csv.reader([ligne], delimiter=";", strict=True))]
        except csv.Error:
            champs = []
        if premiere and champs and champs[0].lower() == "finess":
            premiere = False
            continue
        premiere = False
        if len(champs) not in (2, 3):
            taches.append(Tache(lieu, raison=f"ligne de manifeste invalide : attendu « finess;chemin[;revision] », lu {len(champs)} champ(s)"))
            continue
        finess, dossier, rev = champs[0], champs[1], (champs[2] if len(champs) == 3 else "")
        if not _FINESS.match(finess):
            taches.append(Tache(lieu, raison=f"ligne de manifeste invalide : FINESS « {finess} » mal formé (9 chiffres, ou 2A/2B et 7 chiffres)"))
        elif not dossier:
            taches.append(Tache(lieu, finess, raison="ligne de manifeste invalide : chemin vide"))
        elif est_distante(dossier):
            # Vérifiée ici, avant tout git : une adresse refusée (ext::, identifiants…) n'est jamais lancée
            # et n'est affichée que sans ses identifiants.
            adresse = analyser(dossier)
            taches.append(Tache(adresse.affichee, finess, rev or revision, raison=adresse.raison))
        else:
            complet = dossier if os.path.isabs(dossier) else os.path.normpath(os.path.join(base, dossier))
            taches.append(Tache(complet, finess, rev or revision))
    return taches


def lire_partie(texte: str) -> tuple[int, int]:
    """« i/n » → (i, n), 1 ≤ i ≤ n."""
    morceaux = texte.split("/")
    if len(morceaux) == 2 and all(m.isdigit() for m in morceaux):
        indice, total = int(morceaux[0]), int(morceaux[1])
        if 1 <= indice <= total:
            return indice, total
    raise ErreurVerificateur(f"--partie « {texte} » invalide : attendu i/n avec 1 ≤ i ≤ n (ex. 2/4)")


def dans_partie(tache: Tache, indice: int, total: int) -> bool:
    """Répartition stable : sha256 du chemin tel que découvert, modulo le nombre de parties."""
    return int(hashlib.sha256(tache.chemin.encode("utf-8")).hexdigest(), 16) % total == indice - 1


# -- évaluation d'une tâche (dans un processus d'évaluation, ou dans le processus principal) --------


@dataclass(frozen=True)
class Contexte:
    """Ce que chaque processus d'évaluation reçoit une fois, avec le catalogue (valeurs : picklable)."""

    jour: date
    seuil: str = "mineure"
    fraicheur: bool = False
    cache: str | None = None
    rapports: str | None = None
    base_liens: str | None = None  # dossier par rapport auquel les chemins des rapports sont écrits
    reprendre: bool = False
    programme: Any = None  # --programme : un financements.Programme (verificateur/financements/modeles.py)
    # La collecte des adresses git et des paquets (verificateur/git/collecte.py, docs/lot.md « Collecter »).
    miroirs: str | None = None  # None : collecte.dossier_miroirs_defaut()
    delai_collecte: float = DELAI_DEFAUT  # secondes
    taille_collecte: int = TAILLE_DEFAUT  # Mio


_ETAT: dict[str, Any] = {}


def empreinte_catalogue(catalogue: Any) -> str:
    """Empreinte des politiques (leurs fichiers) et des référentiels chargés : clé du cache."""
    donnees = {
        "politiques": [[p.id, p.version, p.empreinte] for p in catalogue.politiques],
        "referentiels": catalogue.referentiels,
    }
    brut = json.dumps(donnees, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return "sha256:" + hashlib.sha256(brut).hexdigest()


def empreinte_outil() -> str:
    """La version et le contenu du code et des schémas du paquet : un outil modifié sans changer de
    version (installation en développement) ne relit pas un résultat d'avant sa modification."""
    racine = Path(__file__).parent.parent  # le paquet verificateur entier
    h = hashlib.sha256(__version__.encode("utf-8"))
    for fichier in sorted([*racine.rglob("*.py"), *racine.rglob("*.json")]):
        h.update(fichier.relative_to(racine).as_posix().encode("utf-8") + b"\0" + fichier.read_bytes())
    return h.hexdigest()


def initialiser(contexte: Contexte, catalogue: Any) -> None:
    """L'état d'un processus d'évaluation : le catalogue chargé et validé une fois par le processus
    principal (les validateurs de preuves se construisent au premier dépôt, une fois par processus)."""
    _ETAT.update(contexte=contexte, catalogue=catalogue, empreinte=empreinte_catalogue(catalogue), outil=empreinte_outil())


def _injection(tache: Tache) -> None:
    valeur = os.environ.get(INJECTION, "")
    action, _, nom = valeur.partition(":")
    if not nom or os.path.basename(tache.chemin.rstrip("/")) != nom:
        return
    if action == "arret" and _ETAT.get("ouvrier"):
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "interruption":
        os.kill(os.getppid() if _ETAT.get("ouvrier") else os.getpid(), signal.SIGINT)
        time.sleep(60)  # le processus principal arrête celui-ci ; dans le processus principal : KeyboardInterrupt


def _raison(message: str, chemin: str) -> str:
    """Le message d'une erreur sans le chemin qui le préfixe (la ligne nomme déjà le dépôt)."""
    for prefixe in (f"{chemin}: ", f"{os.path.realpath(chemin)}: "):
        if message.startswith(prefixe):
            return message[len(prefixe):]
    return message


def _depot(chemin: str, source: str | None = None, revision: str | None = None, nu: bool = False) -> dict[str, Any]:
    return {"chemin": chemin, "source": source, "revision": revision, "nu": nu}


def echec(tache: Tache, raison: str, depot: dict[str, Any] | None = None) -> dict[str, Any]:
    """L'entrée d'un dépôt qui n'a pas pu être évalué (assainie : le chemin et la raison viennent du dépôt)."""
    return donnees_personnelles.assainir({
        "chemin": tache.chemin,
        "depot": depot or _depot(tache.chemin),
        "etat": "echec",
        "raison": raison,
        "finess": tache.finess,
        "raison_sociale": None,
        "categorie": None,
        "region": None,
        "ght": None,
        "synthese": None,
        "resultats": {},
        "echeances_90_jours": None,
        "echeances": [],
        "problemes": 0,
        "empreinte": None,
        "rapports": None,
    })


class _ArbreLu:
    """Un arbre de travail dont les preuves sont déjà lues (pour la clé du cache) : l'évaluation ne
    les relit pas. `contenus` None : la clé vient des métadonnées (`Cache.empreintes_connues`), rien
    n'a été lu ; une évaluation relit alors tout et recalcule la clé (`_cle(..., relire=True)`)."""

    nature = "arbre"
    revision = None

    def __init__(self, arbre: Any, contenus: dict[str, bytes] | None):
        self.chemin = arbre.chemin
        self.arbre = arbre
        self._contenus = contenus

    @property
    def par_metadonnees(self) -> bool:
        return self._contenus is None

    def lister(self) -> dict[str, int]:
        return self.arbre.lister()

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        if self._contenus is None:
            return self.arbre.lire(chemins)
        return {c: self._contenus[c] for c in chemins}

    def problemes(self) -> list[Any]:
        return self.arbre.problemes()


def _ouvrir(tache: Tache) -> tuple[Any, bool]:
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
    nu = _est_nu(dossier)
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


def _collecter(tache: Tache, contexte: Contexte) -> tuple[Any, bool]:
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


def _cle(source: Any, tache: Tache, relire: bool = False) -> tuple[str, Any]:
    """La clé du résultat : contenu du dépôt (commit lu ; ou noms, tailles et contenu des preuves
    d'un arbre de travail), empreinte des politiques, date, seuil, fraîcheur, version de l'outil.
    Pour un arbre de travail, le sha256 de chaque preuve est relu dans l'index du cache quand ses
    métadonnées n'ont pas bougé (`Cache.empreintes_connues`) ; sinon, ou avec `relire`, les preuves
    sont lues et hachées. La clé est la même dans les deux cas."""
    contexte: Contexte = _ETAT["contexte"]
    parties: dict[str, Any] = {
        "outil": _ETAT["outil"], "politiques": _ETAT["empreinte"], "date": contexte.jour.isoformat(),
        "seuil": contexte.seuil, "fraicheur": contexte.fraicheur, "chemin": tache.chemin,
        "finess": tache.finess, "nature": source.nature, "revision": source.revision,
    }
    if source.nature == "arbre":
        from verificateur import preuves
        from verificateur.sources import TAILLE_MAX_FICHIER

        debut_ns = time.time_ns()  # avant tout stat : borne l'âge des métadonnées qu'on pourra croire
        fichiers = source.lister()
        a_lire = [c for c, taille in fichiers.items() if taille <= TAILLE_MAX_FICHIER and preuves.type_de(c)]
        preuves.limiter(source.chemin, [fichiers[c] for c in a_lire])  # avant de lire (docs/limites.md)
        cache = Cache(contexte.cache) if contexte.cache else None
        metadonnees = _metadonnees(source.chemin, a_lire, fichiers) if cache else None
        connues = cache.empreintes_connues(source.chemin, metadonnees) if cache and metadonnees and not relire else None
        if connues is not None:
            empreintes, contenus = connues, None
        else:
            contenus = source.lire(a_lire)
            empreintes = {c: hashlib.sha256(v).hexdigest() for c, v in contenus.items()}
            if cache and metadonnees:
                cache.ecrire_index(source.chemin, metadonnees, empreintes, debut_ns)
        parties["fichiers"] = sorted(fichiers.items())
        parties["contenus"] = empreintes
        parties["refus"] = [str(p) for p in source.problemes()]
        source = _ArbreLu(getattr(source, "arbre", source), contenus)
    brut = json.dumps(parties, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(brut).hexdigest(), source


# Métadonnées d'une preuve, comme l'index de git : (taille, mtime_ns, ctime_ns, inode, périphérique).
Metadonnees = tuple[int, int, int, int, int]
# Une preuve dont mtime ou ctime est à moins de MARGE_NS de l'instant du relevé n'est pas inscrite
# dans l'index : une écriture dans le même « tic » d'horloge pourrait laisser des métadonnées
# identiques à un contenu différent (le « racy git »). 2 s couvrent la granularité des horloges de
# fichiers (2 s en FAT, un tic d'horloge grossière ailleurs).
MARGE_NS = 2_000_000_000


def _metadonnees(racine: str, chemins: list[str], tailles: dict[str, int]) -> dict[str, Metadonnees] | None:
    """Métadonnées de chaque preuve, relevées avant toute lecture ; None si un relevé échoue ou
    contredit la liste (le dépôt change sous nos yeux : on lit tout)."""
    releve = {}
    for chemin in chemins:
        try:
            infos = os.stat(os.path.join(racine, chemin))  # suit un lien interne : l'inode du contenu lu
        except OSError:
            return None
        if infos.st_size != tailles[chemin]:
            return None
        releve[chemin] = (infos.st_size, infos.st_mtime_ns, infos.st_ctime_ns, infos.st_ino, infos.st_dev)
    return releve


def _hache(chemin: str) -> str:
    """Un chemin dans l'index du cache : son sha256, jamais le nom lui-même (un nom de dossier ou de
    fichier peut porter une donnée personnelle ; le cache est un fichier écrit comme un autre)."""
    return hashlib.sha256(chemin.encode("utf-8", "surrogateescape")).hexdigest()


class Cache:
    """Résultats par clé (`_cle`), hors des dépôts : un résumé (l'entrée) et, pour --rapports, le
    rapport compressé ; par arbre de travail, l'index des métadonnées de ses preuves (`arbres/`).
    Écriture atomique ; un fichier illisible ou altéré est ignoré (jamais fatal)."""

    def __init__(self, dossier: str):
        self.dossier = Path(dossier)

    def _fichier(self, cle: str, suffixe: str) -> Path:
        return self.dossier / cle[:2] / f"{cle}.{suffixe}"

    def _index(self, racine: str) -> Path:
        h = _hache(os.path.abspath(racine))
        return self.dossier / "arbres" / h[:2] / f"{h}.json"

    def empreintes_connues(self, racine: str, metadonnees: dict[str, Metadonnees]) -> dict[str, str] | None:
        """Le sha256 de chaque preuve, lu dans l'index de l'arbre, si toutes y figurent avec les mêmes
        métadonnées ; sinon None (il faut lire). Un index illisible ou d'une autre forme : None."""
        try:
            index = json.loads(self._index(racine).read_bytes())
            connus = index["fichiers"]
            if index.get("racine") != _hache(os.path.abspath(racine)) or not isinstance(connus, dict):
                return None
            empreintes = {}
            for chemin, releve in metadonnees.items():
                inscrit = connus.get(_hache(chemin))
                if not isinstance(inscrit, list) or len(inscrit) != 6 or tuple(inscrit[:5]) != releve or not isinstance(inscrit[5], str):
                    return None
                empreintes[chemin] = inscrit[5]
            return empreintes
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def ecrire_index(self, racine: str, metadonnees: dict[str, Metadonnees], empreintes: dict[str, str], debut_ns: int) -> None:
        """Inscrit les preuves dont les métadonnées sont assez anciennes pour être crues (MARGE_NS)."""
        stables = {_hache(c): [*m, empreintes[c]] for c, m in metadonnees.items() if max(m[1], m[2]) < debut_ns - MARGE_NS}
        if len(stables) != len(metadonnees):
            return  # une preuve trop récente : l'index ne servirait pas (il les faut toutes), on relira
        try:
            ecrire_atomique(self._index(racine), json.dumps({"racine": _hache(os.path.abspath(racine)), "fichiers": stables},
                                                            ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass  # un index qu'on ne peut pas écrire ralentit la relance, sans rien fausser

    def lire_resume(self, cle: str) -> dict[str, Any] | None:
        try:
            resume = json.loads(self._fichier(cle, "json").read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(resume, dict):
            return None
        entree = resume.get("entree")
        if resume.get("cle") != cle or not isinstance(entree, dict) or not isinstance(resume.get("code"), int):
            return None
        if entree.get("etat") not in ("evalue", "echec") or (entree["etat"] == "evalue" and not isinstance(entree.get("empreinte"), str)):
            return None
        return resume

    def lire_rapport(self, cle: str, empreinte: str) -> dict[str, Any] | None:
        from verificateur.evaluation import rapport

        try:
            donnees = json.loads(zlib.decompress(self._fichier(cle, "rapport.z").read_bytes()))
        except (OSError, ValueError, zlib.error):
            return None
        if not isinstance(donnees, dict) or donnees.get("empreinte") != empreinte or rapport.empreinte(donnees) != empreinte:
            return None
        return donnees

    def ecrire(self, cle: str, entree: dict[str, Any], code: int, rapport_complet: dict[str, Any] | None) -> None:
        """`rapport_complet` : seulement avec --rapports, seul à s'en servir ; sans lui, une relance avec
        --rapports réévalue ce dépôt (une fois : elle l'inscrit alors)."""
        try:
            if rapport_complet is not None:
                brut = json.dumps(rapport_complet, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                ecrire_atomique(self._fichier(cle, "rapport.z"), zlib.compress(brut, 1))
            resume = {"cle": cle, "entree": entree, "code": code}
            ecrire_atomique(self._fichier(cle, "json"), json.dumps(resume, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # un cache qu'on ne peut pas écrire ralentit la relance, sans rien fausser


def dossier_cache_defaut() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "verificateur", "lot")


def entree_de(tache: Tache, rapport: dict[str, Any], nu: bool, a_venir: dict[str, Any] | None = None) -> dict[str, Any]:
    """L'entrée d'un établissement évalué, tirée de son rapport (et de son échéancier à 90 jours) ;
    un échec si etablissement.yaml manque, est invalide, ou ne porte pas le FINESS annoncé par le
    manifeste."""
    depot = _depot(tache.chemin, rapport["depot"]["source"], rapport["depot"]["revision"], nu)
    etab = rapport["etablissement"]
    if etab is None:
        fichier = [p for p in rapport["problemes"] if p["fichier"] == "etablissement.yaml" and p["niveau"] == "erreur"]
        if any(p["code"] == "preuve-manquante" for p in fichier):
            return echec(tache, "etablissement.yaml absent", depot)
        premier = fichier[0] if fichier else None
        detail = f" : ligne {premier['ligne']} : {premier['message']}" if premier and premier["ligne"] else (f" : {premier['message']}" if premier else "")
        return echec(tache, f"etablissement.yaml invalide{detail}", depot)
    if tache.finess is not None and etab.get("finess") != tache.finess:
        return echec(tache, f"FINESS du manifeste ({tache.finess}) différent de celui d'etablissement.yaml ({etab.get('finess')})", depot)
    # Le rapport est déjà assaini ; le chemin du dépôt ne l'est pas encore.
    return donnees_personnelles.assainir({
        "chemin": tache.chemin,
        "depot": depot,
        "etat": "evalue",
        "raison": None,
        "finess": etab.get("finess"),
        "raison_sociale": etab.get("raison_sociale"),
        "categorie": etab.get("categorie"),
        "region": etab.get("region"),
        "ght": etab.get("ght"),
        "synthese": rapport["synthese"],
        "resultats": {r["regle"]: r["statut"] for r in rapport["resultats"]},
        **_echeances(a_venir),
        "problemes": len(rapport["problemes"]),
        "empreinte": rapport["empreinte"],
        "rapports": None,
    })


def _echeances(a_venir: dict[str, Any] | None) -> dict[str, Any]:
    """Les échéances des 90 prochains jours d'un établissement (la règle, le jour où elle serait en
    échec, son statut ce jour-là) et leur nombre : la vague du prochain trimestre (docs/echeances.md)."""
    liste = [{k: e[k] for k in ("regle", "date", "jours", "devient")} for e in (a_venir or {}).get("echeances", [])]
    return {"echeances_90_jours": len(liste), "echeances": liste}


def nom_rapport(tache: Tache, entree: dict[str, Any]) -> str:
    """Nom de fichier sûr et unique : le FINESS (ou le nom du dossier) et 8 chiffres du hachage du chemin."""
    h = hashlib.sha256(tache.chemin.encode("utf-8")).hexdigest()[:8]
    finess = entree.get("finess")
    if finess and _FINESS.match(finess):
        return f"{finess}-{h}"
    # Un nom de fichier écrit : le nom du dossier masqué d'abord (il peut porter un NIR).
    nom = _SUR.sub("_", donnees_personnelles.masquer(os.path.basename(tache.chemin.rstrip("/"))) or "depot").strip("._")[:60]
    return f"{nom or 'depot'}-{h}"


def _liens(contexte: Contexte, nom: str) -> dict[str, str]:
    liens = {}
    for format_ in ("json", "html"):
        fichier = os.path.join(contexte.rapports or "", f"{nom}.{format_}")
        if contexte.base_liens is not None:
            fichier = os.path.relpath(os.path.abspath(fichier), contexte.base_liens)
        liens[format_] = fichier.replace(os.sep, "/")
    return liens


def _reprise(contexte: Contexte, tache: Tache) -> Path:
    return Path(contexte.rapports or ".") / ".reprise" / (hashlib.sha256(tache.chemin.encode("utf-8")).hexdigest()[:32] + ".json")


def _repris(contexte: Contexte, tache: Tache, cle: str) -> tuple[dict[str, Any], int] | None:
    """L'entrée d'une évaluation précédente, si rien n'a changé et que ses rapports sont là."""
    try:
        donnees = json.loads(_reprise(contexte, tache).read_bytes())
        entree, nom, code = donnees["entree"], donnees["nom"], donnees["code"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(entree, dict) or not isinstance(code, int) or not isinstance(nom, str) or not _NOM.fullmatch(nom):
        return None
    if donnees.get("cle") != cle or not all((Path(contexte.rapports or ".") / f"{nom}.{f}").is_file() for f in ("json", "html")):
        return None
    return {**entree, "rapports": _liens(contexte, nom)}, code


def _ecrire_rapports(contexte: Contexte, tache: Tache, cle: str, entree: dict[str, Any], code: int, rapport_complet: dict[str, Any]) -> dict[str, Any]:
    from verificateur.rendus import rendu

    nom = nom_rapport(tache, entree)
    dossier = Path(contexte.rapports or ".")
    ecrire_atomique(dossier / f"{nom}.json", rendu("json")(rapport_complet, {}).encode("utf-8"))
    from verificateur.evaluation.echeances import HORIZON_A_VENIR

    a_venir = {"horizon_jours": HORIZON_A_VENIR, "jusqu_au": (contexte.jour + timedelta(days=HORIZON_A_VENIR)).isoformat(),
               "echeances": entree.get("echeances", [])}
    ecrire_atomique(dossier / f"{nom}.html", rendu("html")(rapport_complet, {"a_venir": a_venir}).encode("utf-8"))
    ecrire_atomique(_reprise(contexte, tache), json.dumps({"cle": cle, "nom": nom, "code": code, "entree": entree}, ensure_ascii=False).encode("utf-8"))
    return {**entree, "rapports": _liens(contexte, nom)}


def verrouiller_rapports(dossier: str, jour: date) -> Any:
    """Crée le dossier de --rapports et le verrouille pour ce lot (`DOSSIER/.verrou`, flock exclusif).

    Les noms des rapports ne dépendent que du dépôt : deux lots lancés ensemble sur le même dossier
    (deux dates) écriraient les mêmes fichiers, et le tableau de bord de l'un pointerait vers les
    rapports de l'autre. Le second est donc refusé (code 2). Le verrou est tenu par le fichier ouvert
    que renvoie cette fonction : le système le lâche à la fin du processus, même tué (aucun verrou
    périmé à effacer à la main). Sans flock (Windows), le dossier est créé, sans verrou."""
    from verificateur.socle.fichiers import raison

    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]

    chemin = Path(dossier) / ".verrou"
    try:
        Path(dossier).mkdir(parents=True, exist_ok=True)
        verrou = open(chemin, "a+", encoding="utf-8")
    except OSError as exc:
        raise ErreurVerificateur(f"--rapports « {dossier} » : {raison(exc)}") from None
    if fcntl is None:
        return verrou
    try:
        fcntl.flock(verrou.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        verrou.seek(0)
        autre = verrou.read(200).strip()
        verrou.close()
        if isinstance(exc, BlockingIOError):
            raise ErreurVerificateur(
                f"--rapports « {dossier} » : un autre « verificateur lot » y écrit déjà ({autre or 'verrou .verrou'}) ; "
                "attendez qu'il finisse ou choisissez un autre dossier (deux lots y mêleraient leurs rapports)"
            ) from None
        raise ErreurVerificateur(f"--rapports « {dossier} » : verrou impossible ({raison(exc)})") from None
    verrou.seek(0)
    verrou.truncate()
    verrou.write(f"processus {os.getpid()}, lot du {jour.isoformat()}\n")
    verrou.flush()
    return verrou


Resultat = tuple[dict[str, Any], int, Any]  # (entrée, code de sortie de l'établissement, dossier d'éligibilité)


def _evaluer(tache: Tache) -> Resultat:
    contexte: Contexte = _ETAT["contexte"]
    if tache.raison is not None:
        return echec(tache, tache.raison), CODE_ECHEC_DEPOT, None
    _injection(tache)
    source, nu = _collecter(tache, contexte) if est_distante(tache.chemin) or est_paquet(tache.chemin) else _ouvrir(tache)
    try:
        cle, source = _cle(source, tache)
        entree, code = _entree(contexte, tache, cle, source, nu)
        dossier = None
        if contexte.programme is not None and entree["etat"] == "evalue":
            # L'éligibilité évalue le même dépôt aux dates du programme, dans ce même processus.
            from verificateur import financements

            dossier = financements.dossier_pour_lot(source, _ETAT["catalogue"], contexte.programme, contexte.jour,
                                                    contexte.seuil, chemin=tache.chemin)
    finally:
        fermer = getattr(source, "fermer", None)
        if fermer:
            fermer()
    return entree, code, dossier


def _entree(contexte: Contexte, tache: Tache, cle: str, source: Any, nu: bool) -> tuple[dict[str, Any], int]:
    """Reprise, sinon cache, sinon évaluation par le moteur (et l'échéancier des 90 prochains jours,
    sur la même lecture) ; puis les rapports de --rapports."""
    from verificateur.evaluation import echeances
    from verificateur.evaluation import rapport

    if contexte.reprendre and contexte.rapports:
        repris = _repris(contexte, tache, cle)
        if repris is not None:
            return repris
    cache = Cache(contexte.cache) if contexte.cache else None
    resume = cache.lire_resume(cle) if cache else None
    rapport_complet = None
    if resume is not None and contexte.rapports and resume["entree"]["etat"] == "evalue":
        rapport_complet = cache.lire_rapport(cle, resume["entree"]["empreinte"]) if cache else None
        if rapport_complet is None:
            resume = None
    if resume is not None:
        entree, code = resume["entree"], resume["code"]
    else:
        if isinstance(source, _ArbreLu) and source.par_metadonnees:
            # Clé tirée des métadonnées et pas de résultat : lire, et la clé du contenu réellement évalué.
            cle, source = _cle(source.arbre, tache, relire=True)
        rapport_complet, a_venir = echeances.rapport_et_echeances(source, _ETAT["catalogue"], contexte.jour, contexte.seuil,
                                                                  echeances.HORIZON_A_VENIR, contexte.fraicheur)
        entree = entree_de(tache, rapport_complet, nu, a_venir)
        code = rapport.code_sortie(rapport_complet) if entree["etat"] == "evalue" else CODE_ECHEC_DEPOT
        if cache:
            cache.ecrire(cle, entree, code, rapport_complet if contexte.rapports else None)
    if contexte.rapports and entree["etat"] == "evalue" and rapport_complet is not None:
        entree = _ecrire_rapports(contexte, tache, cle, entree, code, rapport_complet)
    return entree, code


def evaluer_tache(tache: Tache) -> Resultat:
    """(entrée, code de sortie, dossier d'éligibilité ou None) ; toute erreur devient l'échec de ce seul dépôt."""
    try:
        return _evaluer(tache)
    except ErreurVerificateur as exc:
        raison = _raison(exc.message, tache.chemin)
    except OSError as exc:
        raison = f"lecture impossible ({erreur_systeme(exc)})"
    except RecursionError:
        raison = "preuve trop imbriquée, évaluation impossible"
    except Exception as exc:  # noqa: BLE001 — un dépôt ne doit jamais coûter le lot
        raison = f"erreur interne ({type(exc).__name__}) ; relancez « verificateur evaluer » sur ce dépôt avec --debug"
    return echec(tache, raison), CODE_ECHEC_DEPOT, None


# -- exécution : dans le processus, ou par un groupe de processus ----------------------------------


def _boucle(canal: Any, contexte: Contexte, catalogue: Any) -> None:
    """Un processus d'évaluation : reçoit une fois les politiques chargées et validées par le processus
    principal (héritées par fork, ou transmises : ~70 Ko, moins d'une ms, contre ~0,4 s pour les
    recharger), puis évalue ce qu'on lui envoie."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C est l'affaire du processus principal
    # Arrêté par le processus principal (Ctrl-C) : sortir par SystemExit, pour que l'écriture en cours
    # efface son fichier temporaire.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    _ETAT["ouvrier"] = True
    try:
        initialiser(contexte, catalogue)
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
        canal.send((indice, evaluer_tache(tache)))


def _interner(valeur: Any) -> Any:
    if isinstance(valeur, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _interner(v) for k, v in valeur.items()}
    if isinstance(valeur, str) and len(valeur) <= 32:
        return sys.intern(valeur)
    return valeur


def _compacter(resultat: Resultat) -> Resultat:
    """Le processus principal garde toutes les entrées jusqu'au tri : leurs clés et valeurs courtes
    (règles, statuts, régions…), identiques d'une entrée à l'autre, sont partagées (≈ 3× moins de mémoire)."""
    entree, code, dossier = resultat
    return _interner(entree), code, dossier


def raison_arret(code: int | None) -> str:
    if code is not None and code < 0:
        return f"le processus d'évaluation s'est arrêté (signal {-code})"
    return f"le processus d'évaluation s'est arrêté (code {code})"


@dataclass
class _Ouvrier:
    processus: Any
    canal: Any
    confiees: deque[int] = field(default_factory=deque)


def executer(taches: list[Tache], contexte: Contexte, jobs: int, catalogue: Any,
             rappel: Callable[[Tache, bool], None] | None = None) -> tuple[dict[int, Resultat], bool]:
    """Évalue les tâches ; renvoie (indice → (entrée, code), interrompu). `rappel(tache, finie)` est
    appelé au début (finie=False, dans le processus principal seulement) et à la fin de chaque tâche."""
    rappel = rappel or (lambda tache, finie: None)
    resultats: dict[int, Resultat] = {}
    if jobs <= 1 or len(taches) <= 1:
        initialiser(contexte, catalogue)
        try:
            for i, tache in enumerate(taches):
                rappel(tache, False)
                resultats[i] = _compacter(evaluer_tache(tache))
                rappel(tache, True)
        except KeyboardInterrupt:
            return resultats, True
        return resultats, False
    return _executer_groupe(taches, contexte, jobs, catalogue, rappel, resultats)


def _executer_groupe(taches: list[Tache], contexte: Contexte, jobs: int, catalogue: Any, rappel: Callable[[Tache, bool], None],
                     resultats: dict[int, Resultat]) -> tuple[dict[int, Resultat], bool]:
    import multiprocessing
    from multiprocessing.connection import wait

    mp = multiprocessing.get_context()
    a_faire = deque(range(len(taches)))
    ouvriers: list[_Ouvrier] = []

    def demarrer() -> _Ouvrier:
        parent, enfant = mp.Pipe()
        processus = mp.Process(target=_boucle, args=(enfant, contexte, catalogue), daemon=True)
        processus.start()
        enfant.close()
        return _Ouvrier(processus, parent)

    def alimenter(ouvrier: _Ouvrier) -> None:
        while len(ouvrier.confiees) < PROFONDEUR and a_faire:
            i = a_faire.popleft()
            ouvrier.canal.send((i, taches[i]))
            ouvrier.confiees.append(i)

    def recevoir(ouvrier: _Ouvrier) -> None:
        while ouvrier.canal.poll():
            try:
                indice, valeur = ouvrier.canal.recv()
            except (EOFError, OSError):
                return
            if indice == -1:
                raise ErreurVerificateur(valeur, 3)
            if ouvrier.confiees and ouvrier.confiees[0] == indice:
                ouvrier.confiees.popleft()
            resultats[indice] = _compacter(valeur)
            rappel(taches[indice], True)

    interrompu = False
    try:
        ouvriers = [demarrer() for _ in range(min(jobs, len(taches)))]
        for ouvrier in ouvriers:
            alimenter(ouvrier)
        while len(resultats) < len(taches):
            prets = set(wait([o.canal for o in ouvriers] + [o.processus.sentinel for o in ouvriers]))
            for n, ouvrier in enumerate(list(ouvriers)):
                if ouvrier.canal in prets or ouvrier.processus.sentinel in prets:
                    recevoir(ouvrier)
                if ouvrier.processus.sentinel in prets:
                    # Mort du processus : la première tâche confiée est celle qu'il évaluait ; les
                    # suivantes retournent dans la file.
                    ouvrier.processus.join()
                    if ouvrier.confiees:
                        i = ouvrier.confiees.popleft()
                        resultats[i] = echec(taches[i], raison_arret(ouvrier.processus.exitcode)), CODE_ECHEC_DEPOT, None
                        rappel(taches[i], True)
                        a_faire.extendleft(reversed(ouvrier.confiees))
                    ouvrier.canal.close()
                    ouvriers[n] = ouvrier = demarrer()
                alimenter(ouvrier)
    except KeyboardInterrupt:
        interrompu = True
    finally:
        for ouvrier in ouvriers:
            if ouvrier.processus.is_alive():
                ouvrier.processus.terminate()
        for ouvrier in ouvriers:
            ouvrier.processus.join()
            ouvrier.canal.close()
    return resultats, interrompu


# -- progression ------------------------------------------------------------------------------------


def ligne_progression(faits: int, total: int, ecoule: float, courant: str, largeur: int = 100) -> str:
    """« 120/3000 (4 %) · 52,3 dépôts/s · reste ≈ 55 s · exemples/chu-armorique », coupée à `largeur`."""
    debit = faits / ecoule if ecoule > 0 else 0.0
    pourcent = faits * 100 // total if total else 100
    morceaux = [f"{faits}/{total} ({pourcent} %)", f"{debit:.1f} dépôts/s".replace(".", ",")]
    if debit > 0 and faits < total:
        reste = (total - faits) / debit
        morceaux.append(f"reste ≈ {int(reste // 60)} min {int(reste % 60):02d} s" if reste >= 60 else f"reste ≈ {int(reste)} s")
    morceaux.append(donnees_personnelles.assainir(courant))  # un nom de dossier va au terminal
    texte = " · ".join(morceaux)
    return texte if len(texte) <= largeur else texte[: max(largeur - 1, 0)] + "…"


class Progression:
    """Barre de progression sur stderr, seulement vers un terminal ; rien n'est écrit sur stdout."""

    def __init__(self, total: int, flux: TextIO | None = None, active: bool = True):
        self.flux = flux or sys.stderr
        self.active = active and self.flux.isatty()
        self.total = total
        self.faits = 0
        self.debut = time.monotonic()
        self._dernier = 0.0

    def __call__(self, tache: Tache, finie: bool) -> None:
        if finie:
            self.faits += 1
        if not self.active:
            return
        maintenant = time.monotonic()
        if maintenant - self._dernier < 0.1 and self.faits < self.total:
            return
        self._dernier = maintenant
        import shutil

        largeur = shutil.get_terminal_size((100, 20)).columns - 1
        self.flux.write("\r\x1b[K" + ligne_progression(self.faits, self.total, maintenant - self.debut, tache.chemin, largeur))
        self.flux.flush()

    def terminer(self) -> None:
        if self.active:
            self.flux.write("\r\x1b[K")
            self.flux.flush()


# -- assemblage, fusion, code de sortie -------------------------------------------------------------


def cle_tri(entree: dict[str, Any]) -> tuple[str, str]:
    return entree.get("finess") or "", entree["chemin"]


def entete(catalogue: Any, jour: date, sources: list[str], partie: tuple[int, int] | None,
           revision: str | None, seuil: str, fraicheur: bool) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "outil": {"version": __version__},
        "date_evaluation": jour.isoformat(),
        "politiques": [{"id": p.id, "version": p.version, "empreinte": p.empreinte} for p in catalogue.politiques],
        "regles": [{"regle": r.id, "titre": r.titre, "gravite": r.gravite} for r in catalogue.regles.values()],
        "partie": {"indice": partie[0], "total": partie[1]} if partie else None,
        "sources": donnees_personnelles.assainir(list(sources)),
        "options": {"revision": revision, "seuil_echec": seuil, "fraicheur": fraicheur},
    }


def sceller(donnees: dict[str, Any]) -> dict[str, Any]:
    """(Re)calcule l'empreinte : sha256 du JSON canonique sans elle (comme rapport.empreinte)."""
    donnees.pop("empreinte", None)
    donnees["empreinte"] = empreinte_en_flux(donnees)
    return donnees


def empreinte_en_flux(donnees: dict[str, Any]) -> str:
    """`rapport.empreinte(donnees)`, mêmes octets hachés, mais sans tenir tout le JSON canonique en
    mémoire : les listes de premier niveau (les établissements) sont hachées élément par élément."""
    def canon(valeur: Any) -> bytes:
        return json.dumps(valeur, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    h = hashlib.sha256(b"{")
    for i, cle in enumerate(sorted(c for c in donnees if c != "empreinte")):
        h.update((b"," if i else b"") + canon(cle) + b":")
        valeur = donnees[cle]
        if isinstance(valeur, list):
            h.update(b"[")
            for j, element in enumerate(valeur):
                h.update((b"," if j else b"") + canon(element))
            h.update(b"]")
        else:
            h.update(canon(valeur))
    h.update(b"}")
    return "sha256:" + h.hexdigest()


def assembler(tete: dict[str, Any], etablissements: list[dict[str, Any]], interrompu: bool) -> dict[str, Any]:
    from verificateur.lot import agregats

    etablissements = sorted(etablissements, key=cle_tri)
    donnees = {
        **tete,
        "synthese": agregats.synthese(etablissements),
        "etablissements": etablissements,
        "agregats": agregats.agreger(etablissements, tete["regles"]),
        "echecs": [{"chemin": e["chemin"], "raison": e["raison"]} for e in etablissements if e["etat"] == "echec"],
        "interrompu": interrompu,
    }
    return sceller(donnees)


def code_sortie(donnees: dict[str, Any], codes: list[int] | None = None) -> int:
    """130 interrompu ; 4 au moins un dépôt en échec ; 1 au moins un établissement non conforme
    (ou, pour un lot évalué, une preuve invalide) ; 0 sinon."""
    if donnees["interrompu"]:
        return CODE_INTERRUPTION
    if donnees["synthese"]["echecs"]:
        return CODE_ECHEC_DEPOT
    if donnees["synthese"]["non_conformes"] or any(c == 1 for c in codes or []):
        return 1
    return 0


def evaluer_lot(sources: list[str], catalogue: Any, contexte: Contexte, jobs: int, revision: str | None = None,
                partie: tuple[int, int] | None = None, progression: bool = True) -> tuple[dict[str, Any], int]:
    """Le lot complet : (données du contrat « verificateur/lot/2 », code de sortie)."""
    taches = decouvrir(sources, revision)
    if not taches:
        raise ErreurVerificateur(f"aucun dépôt de preuves trouvé dans {', '.join(sources)}")
    if partie:
        taches = [t for t in taches if dans_partie(t, *partie)]
    barre = Progression(len(taches), active=progression)
    try:
        resultats, interrompu = executer(taches, contexte, jobs, catalogue, barre)
    finally:
        barre.terminer()
    # Une adresse donnée en SOURCE n'est recopiée que sans identifiants (docs/lot.md §9).
    montrees = [analyser(source).affichee if est_distante(source) else source for source in sources]
    tete = entete(catalogue, contexte.jour, montrees, partie, revision, contexte.seuil, contexte.fraicheur)
    donnees = assembler(tete, [entree for entree, _, _ in resultats.values()], interrompu)
    code = code_sortie(donnees, [code for _, code, _ in resultats.values()])
    if contexte.programme is not None:
        from verificateur import financements

        dossiers = {entree["chemin"]: dossier for entree, _, dossier in resultats.values() if dossier is not None}
        financements.completer_lot(donnees, contexte.programme, contexte.jour, dossiers)
        sceller(donnees)
    return donnees, code


def lire_json(fichier: str) -> Any:
    """Le JSON d'un résultat de lot relu (une partie à fusionner, un lot à enregistrer dans
    l'observatoire) ; un fichier illisible ou qui n'est pas du JSON, dit en français."""
    try:
        return json.loads(Path(fichier).read_bytes())
    except OSError as exc:
        raise ErreurVerificateur(f"{fichier}: illisible ({erreur_systeme(exc)})") from None
    except ValueError:
        raise ErreurVerificateur(f"{fichier}: JSON illisible, attendu la sortie de « verificateur lot --format json »") from None


def fusionner(fichiers: list[str]) -> dict[str, Any]:
    """Réunit les parties d'un lot partitionné (`--partie i/n`) : mêmes date, politiques, sources et
    options ; parties complémentaires (1 à n, chacune une fois) ; aucun dépôt en double. Le résultat
    est celui du lot unique, octet pour octet (agrégats et empreinte recalculés)."""
    parties = []
    for fichier in fichiers:
        donnees = lire_json(fichier)
        if not isinstance(donnees, dict) or donnees.get("format") != FORMAT:
            raise ErreurVerificateur(f"{fichier}: pas un lot au format {FORMAT}")
        erreurs = valider(donnees)
        if erreurs:
            raise ErreurVerificateur(f"{fichier}: lot hors schéma : {erreurs[0]}")
        if donnees["empreinte"] != empreinte_en_flux(donnees):
            raise ErreurVerificateur(f"{fichier}: empreinte invalide, le fichier a été modifié depuis son écriture")
        if "programme" in donnees or "eligibilite" in donnees:
            raise ErreurVerificateur(f"{fichier}: lot évalué avec un programme ; fusionnez les lots sans --programme")
        if donnees["partie"] is None:
            raise ErreurVerificateur(f"{fichier}: lot complet (sans --partie), rien à fusionner")
        parties.append((fichier, donnees))
    if not parties:
        raise ErreurVerificateur("fusionner : au moins un fichier JSON de lot attendu (pour évaluer un dossier nommé « fusionner » : ./fusionner)")
    premier_fichier, premier = parties[0]
    for cle, libelle in (("outil", "version de l'outil"), ("date_evaluation", "date d'évaluation"), ("politiques", "politiques"),
                         ("regles", "règles"), ("sources", "sources"), ("options", "options")):
        for fichier, donnees in parties[1:]:
            if donnees[cle] != premier[cle]:
                raise ErreurVerificateur(f"{fichier}: {libelle} différente(s) de {premier_fichier} ; seules les parties d'un même lot se fusionnent")
    total = premier["partie"]["total"]
    vues: dict[int, str] = {}
    for fichier, donnees in parties:
        if donnees["partie"]["total"] != total:
            raise ErreurVerificateur(f"{fichier}: partie {donnees['partie']['indice']}/{donnees['partie']['total']}, alors que {premier_fichier} compte {total} parties")
        indice = donnees["partie"]["indice"]
        if indice in vues:
            raise ErreurVerificateur(f"{fichier}: partie {indice}/{total} déjà donnée par {vues[indice]}")
        vues[indice] = fichier
    manquantes = sorted(set(range(1, total + 1)) - set(vues))
    if manquantes:
        raise ErreurVerificateur(f"parties manquantes : {', '.join(f'{i}/{total}' for i in manquantes)}")
    etablissements: list[dict[str, Any]] = []
    origine: dict[str, str] = {}
    for fichier, donnees in parties:
        for entree in donnees["etablissements"]:
            if entree["chemin"] in origine:
                raise ErreurVerificateur(f"{fichier}: dépôt {entree['chemin']} en double (déjà dans {origine[entree['chemin']]})")
            origine[entree["chemin"]] = fichier
            etablissements.append(donnees_personnelles.assainir(entree))  # une partie écrite par une version antérieure
    tete = {k: premier[k] for k in ("format", "outil", "date_evaluation", "politiques", "regles", "partie", "sources", "options")}
    tete["partie"] = None
    return assembler(tete, etablissements, any(d["interrompu"] for _, d in parties))


def valider(donnees: dict[str, Any]) -> list[str]:
    """Les écarts au schéma livré `schemas/lot.schema.json` (vide si conforme)."""
    from verificateur.socle import validation

    return [f"{'/'.join(str(p) for p in chemin) or '(racine)'}: {message}" for chemin, message in validation.ecarts("lot", donnees)]
