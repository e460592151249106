"""Les rapports d'un lot (`--rapports DOSSIER`, docs/lot.md §5) : le rapport JSON et HTML de chaque
établissement évalué, sous un nom sûr ; la reprise (`--reprendre`, `DOSSIER/.reprise/`) ; le verrou
qui interdit à deux lots d'écrire dans le même dossier."""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from verificateur.lot.contexte import Contexte
from verificateur.lot.decouverte import FINESS, Tache
from verificateur.lot.entree import Entree, depuis_dict
from verificateur.socle import donnees_personnelles
from verificateur.socle.fichiers import ecrire_atomique
from verificateur.socle.problemes import ErreurVerificateur

_SUR = re.compile(r"[^A-Za-z0-9._-]+")
_NOM = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")  # un nom de rapport : jamais un chemin


def nom_rapport(tache: Tache, entree: dict[str, Any]) -> str:
    """Nom de fichier sûr et unique : le FINESS (ou le nom du dossier) et 8 chiffres du hachage du chemin."""
    h = hashlib.sha256(tache.chemin.encode("utf-8")).hexdigest()[:8]
    finess = entree.get("finess")
    if finess and FINESS.match(finess):
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


def repris(contexte: Contexte, tache: Tache, cle: str) -> tuple[Entree, int] | None:
    """L'entrée d'une évaluation précédente, si rien n'a changé et que ses rapports sont là."""
    try:
        donnees = json.loads(_reprise(contexte, tache).read_bytes())
        entree, nom, code = depuis_dict(donnees["entree"]), donnees["nom"], donnees["code"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(code, int) or not isinstance(nom, str) or not _NOM.fullmatch(nom):
        return None
    if donnees.get("cle") != cle or not all((Path(contexte.rapports or ".") / f"{nom}.{f}").is_file() for f in ("json", "html")):
        return None
    return entree.avec_rapports(_liens(contexte, nom)), code


def ecrire_rapports(contexte: Contexte, tache: Tache, cle: str, entree: Entree, code: int, rapport_complet: dict[str, Any]) -> Entree:
    """Les rapports JSON et HTML d'un établissement évalué, et sa reprise ; l'entrée qui pointe vers eux."""
    from verificateur.rendus import FORMATS

    nom = nom_rapport(tache, {"finess": entree.finess})
    dossier = Path(contexte.rapports or ".")
    ecrire_atomique(dossier / f"{nom}.json", FORMATS["json"].rendre(rapport_complet))
    from verificateur.evaluation.echeances import HORIZON_A_VENIR

    a_venir = {"horizon_jours": HORIZON_A_VENIR, "jusqu_au": (contexte.date_evaluation + timedelta(days=HORIZON_A_VENIR)).isoformat(),
               "echeances": entree.echeances}
    ecrire_atomique(dossier / f"{nom}.html", FORMATS["html"].rendre(rapport_complet, {"a_venir": a_venir}))
    ecrire_atomique(_reprise(contexte, tache), json.dumps({"cle": cle, "nom": nom, "code": code, "entree": entree.en_dict()},
                                                          ensure_ascii=False).encode("utf-8"))
    return entree.avec_rapports(_liens(contexte, nom))


def verrouiller_rapports(dossier: str, date_evaluation: date) -> IO[str]:
    """Crée le dossier de --rapports et le verrouille pour ce lot (`DOSSIER/.verrou`, flock exclusif).

    Les noms des rapports ne dépendent que du dépôt : deux lots lancés ensemble sur le même dossier
    (deux dates) écriraient les mêmes fichiers, et le tableau de bord de l'un pointerait vers les
    rapports de l'autre. Le second est donc refusé (code 2). Le verrou est tenu par le fichier ouvert
    que renvoie cette fonction : le système le lâche à la fin du processus, même tué (aucun verrou
    périmé à effacer à la main). Sans flock (Windows), le dossier est créé, sans verrou."""
    from verificateur.socle.francais import erreur_systeme

    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]

    chemin = Path(dossier) / ".verrou"
    try:
        Path(dossier).mkdir(parents=True, exist_ok=True)
        verrou = open(chemin, "a+", encoding="utf-8")  # noqa: SIM115 — gardé ouvert : il tient le verrou
    except OSError as exc:
        raise ErreurVerificateur(f"--rapports « {dossier} » : {erreur_systeme(exc)}") from None
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
        raise ErreurVerificateur(f"--rapports « {dossier} » : verrou impossible ({erreur_systeme(exc)})") from None
    verrou.seek(0)
    verrou.truncate()
    verrou.write(f"processus {os.getpid()}, lot du {date_evaluation.isoformat()}\n")
    verrou.flush()
    return verrou

