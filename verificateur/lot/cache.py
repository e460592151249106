"""Le cache d'un lot (docs/lot.md §5) : les résultats gardés par clé de dépôt (`cle.py`), hors des
dépôts, dans un seul index par dossier de cache (`Cache` pour lire, `Registre` pour écrire). Pour une
copie de travail, les métadonnées de chaque preuve (comme l'index de git) évitent de relire une
preuve inchangée ; la justesse prime : un index faux coûte une relecture, jamais un résultat périmé."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from verificateur.lot.entree import Entree, depuis_dict
from verificateur.socle import caches
from verificateur.socle.fichiers import ecrire_atomique

# Métadonnées d'une preuve, comme l'index de git : (taille, mtime_ns, ctime_ns, inode, périphérique).
Metadonnees = tuple[int, int, int, int, int]
# Une preuve dont mtime ou ctime est à moins de MARGE_NS de l'instant du relevé n'est pas inscrite
# dans l'index : une écriture dans le même « tic » d'horloge pourrait laisser des métadonnées
# identiques à un contenu différent (le « racy git »). 2 s couvrent la granularité des horloges de
# fichiers (2 s en FAT, un tic d'horloge grossière ailleurs).
MARGE_NS = 2_000_000_000


def relever_metadonnees(racine: str, chemins: list[str], tailles: dict[str, int],
                        deja: Mapping[str, os.stat_result] | None = None) -> dict[str, Metadonnees] | None:
    """Métadonnées de chaque preuve, relevées avant toute lecture ; None si un relevé échoue ou
    contredit la liste (le dépôt change sous nos yeux : on lit tout). `deja` : les relevés que la liste
    des fichiers vient de faire (`SourceArbre.releves`, le contenu d'un lien interne compris)."""
    releve = {}
    for chemin in chemins:
        try:
            infos = (deja or {}).get(chemin) or os.stat(os.path.join(racine, chemin))  # suit un lien interne : l'inode lu
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


INDEX = "index.sqlite"
FORMAT_INDEX = 1  # PRAGMA user_version : un index d'une autre forme est recréé (le lot repart à froid)
VALIDER_TOUS = 256  # inscriptions gardées en mémoire au plus avant d'être validées sur disque
# Une inscription dans l'index : (nature, clé, valeur JSON). Nature « resume » : l'entrée et le code
# d'une clé de dépôt ; « arbre » : les métadonnées et le sha256 des preuves d'une copie de travail.
Inscription = tuple[str, str, bytes]


class Cache:
    """Résultats par clé (`cle`), hors des dépôts, dans **un seul index par dossier de cache**
    (`index.sqlite`) : un résumé (l'entrée et le code) par clé, et, par arbre de travail, les
    métadonnées de ses preuves ; pour --rapports, le rapport compressé à part (`xx/<clé>.rapport.z`).

    Un processus d'évaluation ne fait que lire l'index (connexion en lecture seule, ouverte une fois) ;
    ce qu'il faudrait y écrire est mis de côté (`prendre`) et inscrit par le processus principal
    (`Registre`), par transactions : jamais deux écrivains, et un lot interrompu garde ce qui est fait.
    Un index illisible, d'une autre forme ou altéré est ignoré (jamais fatal) : le lot repart à froid."""

    def __init__(self, dossier: str):
        self.dossier = Path(dossier)
        self._connexion: sqlite3.Connection | None = None
        self._ouvert = False
        self._inscriptions: list[Inscription] = []

    def _fichier(self, cle: str, suffixe: str) -> Path:
        return self.dossier / cle[:2] / f"{cle}.{suffixe}"

    def _lire(self, nature: str, cle: str) -> Any:
        if not self._ouvert:
            self._ouvert = True
            fichier = self.dossier / INDEX
            if fichier.is_file():
                try:
                    self._connexion = sqlite3.connect(f"{fichier.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
                except sqlite3.Error:
                    self._connexion = None
        if self._connexion is None:
            return None
        try:
            ligne = self._connexion.execute("SELECT valeur FROM valeurs WHERE nature = ? AND cle = ?", (nature, cle)).fetchone()
            return json.loads(ligne[0]) if ligne else None
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def prendre(self) -> list[Inscription]:
        """Ce qu'il faut inscrire dans l'index pour le dépôt évalué (le processus principal l'inscrit)."""
        inscriptions, self._inscriptions = self._inscriptions, []
        return inscriptions

    def _inscrire(self, nature: str, cle: str, valeur: dict[str, Any]) -> None:
        self._inscriptions.append((nature, cle, json.dumps(valeur, ensure_ascii=False, separators=(",", ":")).encode("utf-8")))

    def empreintes_connues(self, racine: str, metadonnees: dict[str, Metadonnees]) -> dict[str, str] | None:
        """Le sha256 de chaque preuve, lu dans l'index de l'arbre, si toutes y figurent avec les mêmes
        métadonnées ; sinon None (il faut lire). Un index illisible ou d'une autre forme : None."""
        h = _hache(os.path.abspath(racine))
        try:
            index = self._lire("arbre", h)
            connus = index["fichiers"]
            if index.get("racine") != h or not isinstance(connus, dict):
                return None
            empreintes = {}
            for chemin, releve in metadonnees.items():
                inscrit = connus.get(_hache(chemin))
                if not isinstance(inscrit, list) or len(inscrit) != 6 or tuple(inscrit[:5]) != releve or not isinstance(inscrit[5], str):
                    return None
                empreintes[chemin] = inscrit[5]
            return empreintes
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def ecrire_index(self, racine: str, metadonnees: dict[str, Metadonnees], empreintes: dict[str, str], debut_ns: int) -> None:
        """Inscrit les preuves dont les métadonnées sont assez anciennes pour être crues (MARGE_NS)."""
        stables = {_hache(c): [*m, empreintes[c]] for c, m in metadonnees.items() if max(m[1], m[2]) < debut_ns - MARGE_NS}
        if len(stables) != len(metadonnees):
            return  # une preuve trop récente : l'index ne servirait pas (il les faut toutes), on relira
        h = _hache(os.path.abspath(racine))
        self._inscrire("arbre", h, {"racine": h, "fichiers": stables})

    def lire_resume(self, cle: str) -> tuple[Entree, int] | None:
        """L'entrée et le code gardés pour cette clé ; None si absents, illisibles ou d'une autre forme."""
        try:
            resume = self._lire("resume", cle)
            if not isinstance(resume, dict) or resume.get("cle") != cle or not isinstance(resume.get("code"), int):
                return None
            return depuis_dict(resume.get("entree")), resume["code"]
        except (ValueError, KeyError, TypeError):
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
        --rapports réévalue ce dépôt (une fois : elle l'inscrit alors). Le rapport est écrit avant que
        le résumé ne soit inscrit : un résumé inscrit a toujours son rapport."""
        try:
            if rapport_complet is not None:
                brut = json.dumps(rapport_complet, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                ecrire_atomique(self._fichier(cle, "rapport.z"), zlib.compress(brut, 1))
        except OSError:
            return  # un cache qu'on ne peut pas écrire ralentit la relance, sans rien fausser
        self._inscrire("resume", cle, {"cle": cle, "entree": entree.en_dict(), "code": code})


class Registre:
    """L'écrivain de l'index, dans le processus principal seulement : les inscriptions des dépôts
    évalués, validées par transactions (toutes les VALIDER_TOUS, et à la fin, même interrompu).
    Une transaction SQLite est atomique : un lot tué laisse l'index d'avant ou d'après, jamais à
    moitié écrit. Un index illisible ou d'une autre forme est remplacé par un index vide ; si rien ne
    peut être écrit, le lot continue sans cache (plus lent, jamais faux)."""

    def __init__(self, connexion: sqlite3.Connection):
        self._connexion: sqlite3.Connection | None = connexion
        self._en_attente = 0

    @classmethod
    def ouvrir(cls, dossier: str) -> Registre | None:
        fichier = Path(dossier) / INDEX
        for essai in range(2):
            try:
                fichier.parent.mkdir(parents=True, exist_ok=True)
                connexion = sqlite3.connect(fichier, timeout=5, check_same_thread=False)
                try:
                    version = connexion.execute("PRAGMA user_version").fetchone()[0]
                    if version not in (0, FORMAT_INDEX):
                        raise sqlite3.DatabaseError("autre forme")
                    connexion.execute("PRAGMA journal_mode=WAL")  # les lecteurs ne bloquent pas l'écrivain
                    connexion.execute("PRAGMA synchronous=NORMAL")
                    connexion.execute("CREATE TABLE IF NOT EXISTS valeurs (nature TEXT NOT NULL, cle TEXT NOT NULL, "
                                      "valeur BLOB NOT NULL, PRIMARY KEY (nature, cle)) WITHOUT ROWID")
                    connexion.execute(f"PRAGMA user_version = {FORMAT_INDEX}")
                    connexion.commit()
                    return cls(connexion)
                except sqlite3.Error:
                    connexion.close()
                    raise
            except sqlite3.DatabaseError:
                if essai:
                    return None
                for suffixe in ("", "-wal", "-shm", "-journal"):  # illisible : on repart d'un index vide
                    with contextlib.suppress(OSError):
                        os.unlink(f"{fichier}{suffixe}")
            except (sqlite3.Error, OSError):
                return None
        return None

    def inscrire(self, inscriptions: Sequence[Inscription]) -> None:
        if self._connexion is None or not inscriptions:
            return
        try:
            self._connexion.executemany("INSERT OR REPLACE INTO valeurs (nature, cle, valeur) VALUES (?, ?, ?)", inscriptions)
            self._en_attente += len(inscriptions)
            if self._en_attente >= VALIDER_TOUS:
                self.valider()
        except sqlite3.Error:
            self._abandonner()

    def valider(self) -> None:
        if self._connexion is None:
            return
        try:
            self._connexion.commit()
            self._en_attente = 0
        except sqlite3.Error:
            self._abandonner()

    def _abandonner(self) -> None:
        """Un index qu'on ne peut plus écrire (disque plein, base abîmée) : le lot continue sans lui."""
        if self._connexion is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connexion.close()
        self._connexion = None

    def fermer(self) -> None:
        self.valider()
        self._abandonner()


def dossier_cache_defaut() -> str:
    return str(caches.dossier("lot"))
