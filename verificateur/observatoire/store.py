"""La base de l'observatoire : un fichier SQLite (bibliothèque standard), sans serveur.

- **Schéma versionné** : `PRAGMA user_version` porte la version, `PRAGMA application_id` reconnaît
  un observatoire parmi les bases SQLite. Une base d'un schéma plus ancien est migrée à l'ouverture
  (`MIGRATIONS`, dans une transaction) ; une base d'un schéma plus récent est refusée avec un message.
- **Écrivains concurrents** : journal WAL (les lecteurs ne bloquent pas l'écrivain), chaque écriture
  dans une transaction `BEGIN IMMEDIATE` (le verrou d'écriture est pris d'emblée, jamais en cours de
  route), et `busy_timeout` : un second écrivain attend son tour jusqu'à `ATTENTE_S` secondes, puis
  reçoit un message, jamais une base à moitié écrite.
- **Idempotence** : un lot est reconnu à son empreinte (celle du JSON « verificateur/lot/1 ») ;
  l'enregistrer deux fois dans la même campagne ne change rien.
- Toute erreur de SQLite devient une `ErreurVerificateur` en français qui nomme le fichier.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verificateur import __version__
from verificateur.socle.problemes import ErreurVerificateur
from verificateur.socle.statuts import STATUTS

VERSION = 1
APPLICATION_ID = int.from_bytes(b"VrOb", "big")  # « verificateur, observatoire » dans l'en-tête du fichier
ATTENTE_S = 30.0  # un écrivain attend au plus ce temps qu'un autre ait fini

# Une liste d'instructions par version : la migration vers la version v exécute MIGRATIONS[v].
MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE campagnes (
            id INTEGER PRIMARY KEY,
            nom TEXT NOT NULL UNIQUE,
            date_evaluation TEXT NOT NULL
        )""",
        # Un lot enregistré dans une campagne (une campagne nationale réunit les lots de plusieurs ARS).
        """CREATE TABLE lots (
            id INTEGER PRIMARY KEY,
            campagne INTEGER NOT NULL REFERENCES campagnes(id),
            empreinte TEXT NOT NULL,
            outil_version TEXT NOT NULL,
            date_evaluation TEXT NOT NULL,
            sources TEXT NOT NULL,
            politiques TEXT NOT NULL,
            options TEXT NOT NULL,
            partie TEXT,
            enregistre_le TEXT NOT NULL,
            UNIQUE (campagne, empreinte)
        )""",
        """CREATE TABLE regles (
            lot INTEGER NOT NULL REFERENCES lots(id),
            regle TEXT NOT NULL,
            titre TEXT NOT NULL,
            gravite TEXT NOT NULL,
            PRIMARY KEY (lot, regle)
        ) WITHOUT ROWID""",
        """CREATE TABLE etablissements (
            id INTEGER PRIMARY KEY,
            campagne INTEGER NOT NULL REFERENCES campagnes(id),
            lot INTEGER NOT NULL REFERENCES lots(id),
            cle TEXT NOT NULL,
            finess TEXT,
            raison_sociale TEXT,
            region TEXT,
            categorie TEXT,
            chemin TEXT NOT NULL,
            etat TEXT NOT NULL,
            statut_global TEXT,
            taux_conformite REAL,
            seuil_echec TEXT,
            conforme INTEGER, non_conforme INTEGER, preuve_manquante INTEGER, erreur INTEGER,
            non_applicable INTEGER, derogation INTEGER, total INTEGER,
            problemes INTEGER NOT NULL,
            empreinte TEXT,
            rapport TEXT,
            UNIQUE (campagne, cle)
        )""",
        "CREATE INDEX etablissements_lot ON etablissements(lot)",
        """CREATE TABLE resultats (
            etablissement INTEGER NOT NULL REFERENCES etablissements(id),
            regle TEXT NOT NULL,
            statut TEXT NOT NULL,
            PRIMARY KEY (etablissement, regle)
        ) WITHOUT ROWID""",
    ],
}

COLONNES_ETABLISSEMENT = (
    "cle", "finess", "raison_sociale", "region", "categorie", "chemin", "etat", "statut_global", "taux_conformite",
    "seuil_echec", *STATUTS, "total", "problemes", "empreinte", "rapport",
)


def _message(exc: sqlite3.Error, chemin: str) -> str:
    """Le message français d'une erreur de SQLite (aucun texte anglais de la bibliothèque ne sort)."""
    code = getattr(exc, "sqlite_errorcode", None)
    base = code & 0xFF if isinstance(code, int) else None
    if base in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return (f"{chemin}: base de l'observatoire occupée par un autre processus depuis plus de {ATTENTE_S:g} s ; "
                "réessayez quand il aura fini")
    if base in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return (f"{chemin}: base de l'observatoire corrompue, ou fichier qui n'est pas une base SQLite ; "
                "restaurez une sauvegarde ou désignez un autre fichier avec --observatoire")
    if base == 8:  # SQLITE_READONLY
        return f"{chemin}: base de l'observatoire en lecture seule (permission refusée) ; impossible d'y enregistrer"
    if base in (3, 14, 23):  # SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH
        return f"{chemin}: impossible d'ouvrir la base de l'observatoire (dossier absent, ou permission refusée)"
    if base == 13:  # SQLITE_FULL
        return f"{chemin}: disque plein, la campagne n'a pas été enregistrée"
    if base == 10:  # SQLITE_IOERR
        return f"{chemin}: erreur d'entrée-sortie sur la base de l'observatoire ({getattr(exc, 'sqlite_errorname', 'SQLITE_IOERR')})"
    nom = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return f"{chemin}: base de l'observatoire inutilisable (erreur SQLite {nom})"


@contextmanager
def traduire(chemin: str) -> Iterator[None]:
    """Toute erreur SQLite du bloc devient une ErreurVerificateur française nommant le fichier."""
    try:
        yield
    except sqlite3.Error as exc:
        raise ErreurVerificateur(_message(exc, chemin)) from None


class Observatoire:
    """Une base ouverte. `creer` : créer le fichier s'il n'existe pas (enregistrer, importer) ; les
    commandes de lecture refusent un fichier absent plutôt que d'en créer un vide."""

    def __init__(self, chemin: str, creer: bool = False):
        self.chemin = str(chemin)
        existe = os.path.exists(self.chemin)
        if not existe and not creer:
            raise ErreurVerificateur(
                f"{self.chemin}: observatoire introuvable ; enregistrez d'abord une campagne "
                "(verificateur lot … --campagne NOM, ou verificateur observatoire enregistrer LOT.json --campagne NOM)")
        if existe and os.path.isdir(self.chemin):
            raise ErreurVerificateur(f"{self.chemin}: est un dossier, attendu le fichier de la base de l'observatoire")
        if not existe:
            dossier = os.path.dirname(os.path.abspath(self.chemin))
            try:
                os.makedirs(dossier, exist_ok=True)
            except OSError:
                raise ErreurVerificateur(f"{self.chemin}: impossible de créer le dossier {dossier}") from None
        with traduire(self.chemin):
            # isolation_level=None : les transactions sont écrites ici (BEGIN IMMEDIATE), jamais implicites.
            self.connexion = sqlite3.connect(self.chemin, timeout=ATTENTE_S, isolation_level=None)
            try:
                self._preparer()
            except BaseException:
                self.connexion.close()
                raise

    def _preparer(self) -> None:
        c = self.connexion
        c.execute(f"PRAGMA busy_timeout = {int(ATTENTE_S * 1000)}")
        version = self._verifier_en_tete()
        if version == 0:
            c.execute("PRAGMA journal_mode = WAL")  # persistant : écrit une fois dans le fichier
        c.execute("PRAGMA foreign_keys = ON")
        c.execute("PRAGMA synchronous = NORMAL")  # sûr en WAL : une coupure perd au plus la dernière transaction
        if version < VERSION:
            with self.ecriture():
                # Un autre écrivain a pu migrer entre-temps : on relit sous le verrou.
                version = self._verifier_en_tete()
                for v in range(version + 1, VERSION + 1):
                    for instruction in MIGRATIONS[v]:
                        c.execute(instruction)
                    c.execute(f"PRAGMA user_version = {v}")
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _verifier_en_tete(self) -> int:
        c = self.connexion
        version = c.execute("PRAGMA user_version").fetchone()[0]
        application = c.execute("PRAGMA application_id").fetchone()[0]
        if application not in (0, APPLICATION_ID) or (
                application == 0 and c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]):
            raise ErreurVerificateur(f"{self.chemin}: base SQLite qui n'est pas un observatoire de verificateur")
        if version > VERSION:
            raise ErreurVerificateur(
                f"{self.chemin}: observatoire au schéma {version}, écrit par une version plus récente de verificateur "
                f"(la version {__version__} lit jusqu'au schéma {VERSION}) ; mettez verificateur à jour")
        return int(version)

    def fermer(self) -> None:
        self.connexion.close()

    def __enter__(self) -> Observatoire:
        return self

    def __exit__(self, *_: object) -> None:
        self.fermer()

    @contextmanager
    def ecriture(self) -> Iterator[sqlite3.Connection]:
        """Une transaction d'écriture : tout ou rien ; le verrou est pris dès le début (BEGIN IMMEDIATE)."""
        c = self.connexion
        with traduire(self.chemin):
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    @contextmanager
    def lecture(self) -> Iterator[sqlite3.Connection]:
        """Une transaction de lecture : une vue cohérente, même si un écrivain enregistre en même temps."""
        c = self.connexion
        with traduire(self.chemin):
            c.execute("BEGIN")
            try:
                yield c
            finally:
                c.execute("COMMIT")

    # -- écriture ----------------------------------------------------------------------------------

    def enregistrer(self, lots: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any], bool]]:
        """Enregistre chaque (campagne, lot normalisé) en une seule transaction ; rend, pour chacun, s'il
        était nouveau (False : déjà enregistré, rien n'a changé)."""
        bilan = []
        with self.ecriture() as c:
            for nom, lot in lots:
                bilan.append((nom, lot, self._inserer(c, nom, lot)))
        return bilan

    def _inserer(self, c: sqlite3.Connection, nom: str, lot: dict[str, Any]) -> bool:
        ligne = c.execute("SELECT id, date_evaluation FROM campagnes WHERE nom = ?", (nom,)).fetchone()
        if ligne is None:
            insertion = c.execute("INSERT INTO campagnes (nom, date_evaluation) VALUES (?, ?)", (nom, lot["date_evaluation"]))
            assert insertion.lastrowid is not None  # une insertion faite a son identifiant
            campagne = insertion.lastrowid
        else:
            campagne, date_evaluation = ligne
            if c.execute("SELECT 1 FROM lots WHERE campagne = ? AND empreinte = ?", (campagne, lot["empreinte"])).fetchone():
                return False
            if date_evaluation != lot["date_evaluation"]:
                raise ErreurVerificateur(
                    f"campagne « {nom} » évaluée au {date_evaluation}, ce lot l'est au {lot['date_evaluation']} ; "
                    "les lots d'une campagne partagent leur date d'évaluation (choisissez un autre nom de campagne)")
        cles = [e["cle"] for e in lot["etablissements"]]
        deja = _deja_enregistres(c, campagne, cles)
        if deja:
            exemples = ", ".join(deja[:3]) + (" …" if len(deja) > 3 else "")
            raise ErreurVerificateur(
                f"campagne « {nom} » : {len(deja)} établissement(s) déjà enregistré(s) par un autre lot ({exemples}) ; "
                "un établissement ne figure qu'une fois par campagne (enregistrez ce lot sous un autre nom de campagne)")
        lot_id = c.execute(
            "INSERT INTO lots (campagne, empreinte, outil_version, date_evaluation, sources, politiques, options, partie, enregistre_le) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (campagne, lot["empreinte"], lot["outil_version"], lot["date_evaluation"], _json(lot["sources"]),
             _json(lot["politiques"]), _json(lot["options"]), lot["partie"],
             datetime.now(UTC).isoformat(timespec="seconds"))).lastrowid
        c.executemany("INSERT INTO regles (lot, regle, titre, gravite) VALUES (?, ?, ?, ?)",
                      [(lot_id, r["regle"], r["titre"], r["gravite"]) for r in lot["regles"]])
        # Identifiants attribués ici (le verrou d'écriture est à nous) : une seule insertion groupée.
        premier = (c.execute("SELECT coalesce(max(id), 0) FROM etablissements").fetchone()[0]) + 1
        marques = ", ".join("?" for _ in COLONNES_ETABLISSEMENT)
        c.executemany(
            f"INSERT INTO etablissements (id, campagne, lot, {', '.join(COLONNES_ETABLISSEMENT)}) VALUES (?, ?, ?, {marques})",
            [(premier + i, campagne, lot_id, *(e[k] for k in COLONNES_ETABLISSEMENT)) for i, e in enumerate(lot["etablissements"])])
        c.executemany("INSERT INTO resultats (etablissement, regle, statut) VALUES (?, ?, ?)",
                      [(premier + i, regle, statut) for i, e in enumerate(lot["etablissements"])
                       for regle, statut in sorted(e["resultats"].items())])
        return True

    # -- lecture -----------------------------------------------------------------------------------

    def campagnes(self) -> list[dict[str, Any]]:
        """Les campagnes, par date puis nom, avec leurs lots et leurs totaux."""
        with self.lecture() as c:
            campagnes = [{"id": i, "nom": n, "date_evaluation": d} for i, n, d in
                         c.execute("SELECT id, nom, date_evaluation FROM campagnes ORDER BY date_evaluation, nom")]
            lots: dict[int, list[dict[str, Any]]] = {}
            for campagne, empreinte, version, sources, politiques, options, partie in c.execute(
                    "SELECT campagne, empreinte, outil_version, sources, politiques, options, partie FROM lots ORDER BY id"):
                lots.setdefault(campagne, []).append({
                    "empreinte": empreinte, "outil": {"version": version}, "sources": json.loads(sources),
                    "politiques": json.loads(politiques), "options": json.loads(options), "partie": partie})
            totaux = {ligne[0]: ligne[1:] for ligne in c.execute(
                "SELECT campagne, count(*), sum(etat = 'evalue'), sum(etat = 'echec'), sum(statut_global = 'conforme'), "
                "avg(taux_conformite) FROM etablissements GROUP BY campagne")}
        for campagne in campagnes:
            n, evalues, echecs, conformes, moyenne = totaux.get(campagne["id"], (0, 0, 0, 0, None))
            campagne.update({
                "lots": lots.get(campagne["id"], []), "etablissements": n, "evalues": evalues or 0, "echecs": echecs or 0,
                "conformes": conformes or 0, "taux_conformite_moyen": None if moyenne is None else round(moyenne, 4)})
        return campagnes

    def lots_complets(self) -> list[tuple[str, dict[str, Any]]]:
        """Chaque lot enregistré, sous la forme normalisée qu'`enregistrer` reçoit (pour `importer`)."""
        sortie = []
        with self.lecture() as c:
            regles: dict[int, list[dict[str, str]]] = {}
            for lot, regle, titre, gravite in c.execute("SELECT lot, regle, titre, gravite FROM regles ORDER BY lot, regle"):
                regles.setdefault(lot, []).append({"regle": regle, "titre": titre, "gravite": gravite})
            resultats: dict[int, dict[str, str]] = {}
            for etablissement, regle, statut in c.execute("SELECT etablissement, regle, statut FROM resultats"):
                resultats.setdefault(etablissement, {})[regle] = statut
            etablissements: dict[int, list[dict[str, Any]]] = {}
            for ligne in c.execute(f"SELECT id, lot, {', '.join(COLONNES_ETABLISSEMENT)} FROM etablissements ORDER BY id"):
                entree = dict(zip(COLONNES_ETABLISSEMENT, ligne[2:]))
                entree["resultats"] = resultats.get(ligne[0], {})
                etablissements.setdefault(ligne[1], []).append(entree)
            for lot, nom, empreinte, version, date_evaluation, sources, politiques, options, partie in c.execute(
                    "SELECT l.id, c.nom, l.empreinte, l.outil_version, l.date_evaluation, l.sources, l.politiques, l.options, l.partie "
                    "FROM lots l JOIN campagnes c ON c.id = l.campagne ORDER BY c.date_evaluation, c.nom, l.id"):
                sortie.append((nom, {
                    "empreinte": empreinte, "outil_version": version, "date_evaluation": date_evaluation, "sources": json.loads(sources),
                    "politiques": json.loads(politiques), "options": json.loads(options), "partie": partie,
                    "regles": regles.get(lot, []), "etablissements": etablissements.get(lot, [])}))
        return sortie


def _deja_enregistres(c: sqlite3.Connection, campagne: int, cles: list[str]) -> list[str]:
    deja = {cle for (cle,) in c.execute("SELECT cle FROM etablissements WHERE campagne = ?", (campagne,))}
    return sorted(deja.intersection(cles))


def _json(valeur: object) -> str:
    return json.dumps(valeur, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def meme_fichier(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve() or os.path.samefile(a, b)
    except OSError:
        return False
