"""Le cache d'un lot (docs/lot.md §5) : la clé d'un dépôt (`cle` : son contenu, les politiques, la date,
le seuil, la fraîcheur, le code de l'outil) et les résultats gardés par clé, hors des dépôts (`Cache`).
Pour une copie de travail, les métadonnées de chaque preuve (comme l'index de git) évitent de relire
une preuve inchangée ; la justesse prime : un index faux coûte une relecture, jamais un résultat périmé."""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verificateur.lot.contexte import EtatProcessus
from verificateur.lot.decouverte import Tache
from verificateur.lot.entree import Entree, depuis_dict
from verificateur.socle.fichiers import ecrire_atomique

if TYPE_CHECKING:
    from verificateur.socle.problemes import Probleme
    from verificateur.sources import Source


class ArbreLu:
    """Un arbre de travail dont les preuves sont déjà lues (pour la clé du cache) : l'évaluation ne
    les relit pas. `contenus` None : la clé vient des métadonnées (`Cache.empreintes_connues`), rien
    n'a été lu ; une évaluation relit alors tout et recalcule la clé (`cle(..., relire=True)`)."""

    nature: str = "arbre"
    revision: str | None = None

    def __init__(self, arbre: Source, contenus: dict[str, bytes] | None):
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

    def problemes(self) -> list[Probleme]:
        return self.arbre.problemes()


def cle(source: Source, tache: Tache, etat: EtatProcessus, relire: bool = False) -> tuple[str, Source]:
    """La clé du résultat : contenu du dépôt (commit lu ; ou noms, tailles et contenu des preuves
    d'un arbre de travail), empreinte des politiques, date, seuil, fraîcheur, version de l'outil.
    Pour un arbre de travail, le sha256 de chaque preuve est relu dans l'index du cache quand ses
    métadonnées n'ont pas bougé (`Cache.empreintes_connues`) ; sinon, ou avec `relire`, les preuves
    sont lues et hachées. La clé est la même dans les deux cas."""
    contexte = etat.contexte
    parties: dict[str, Any] = {
        "outil": etat.empreinte_outil, "politiques": etat.empreinte_politiques, "date": contexte.date_evaluation.isoformat(),
        "seuil": contexte.seuil_echec, "fraicheur": contexte.fraicheur, "chemin": tache.chemin,
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
        source = ArbreLu(getattr(source, "arbre", source), contenus)
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
    """Résultats par clé (`cle`), hors des dépôts : un résumé (l'entrée) et, pour --rapports, le
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

    def lire_resume(self, cle: str) -> tuple[Entree, int] | None:
        """L'entrée et le code gardés pour cette clé ; None si absents, illisibles ou d'une autre forme."""
        try:
            resume = json.loads(self._fichier(cle, "json").read_bytes())
            if not isinstance(resume, dict) or resume.get("cle") != cle or not isinstance(resume.get("code"), int):
                return None
            return depuis_dict(resume.get("entree")), resume["code"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def lire_rapport(self, cle: str, empreinte: str) -> dict[str, Any] | None:
        from verificateur.evaluation import rapport

        try:
            donnees = json.loads(zlib.decompress(self._fichier(cle, "rapport.z").read_bytes()))
        except (OSError, ValueError, zlib.error):
            return None
        if not isinstance(donnees, dict) or donnees.get("empreinte") != empreinte or rapport.empreinte(donnees) != empreinte:
            return None
        return donnees

    def ecrire(self, cle: str, entree: Entree, code: int, rapport_complet: dict[str, Any] | None) -> None:
        """`rapport_complet` : seulement avec --rapports, seul à s'en servir ; sans lui, une relance avec
        --rapports réévalue ce dépôt (une fois : elle l'inscrit alors)."""
        try:
            if rapport_complet is not None:
                brut = json.dumps(rapport_complet, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                ecrire_atomique(self._fichier(cle, "rapport.z"), zlib.compress(brut, 1))
            resume = {"cle": cle, "entree": entree.en_dict(), "code": code}
            ecrire_atomique(self._fichier(cle, "json"), json.dumps(resume, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # un cache qu'on ne peut pas écrire ralentit la relance, sans rien fausser


def dossier_cache_defaut() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "verificateur", "lot")
