"""Ce que plusieurs rendus partagent : les mots des statuts, l'ordre des gravités, la façon de
citer une preuve. Aucun import lourd ici : ce module est chargé par tous les rendus."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

# Ré-exportés, les rendus les prennent ici : l'unique façon d'écrire « fichier:ligne@révision » et
# l'unique table des mots des statuts (verificateur.socle.statuts, sous ces noms courts).
from verificateur.socle.problemes import lieu as lieu
from verificateur.socle.statuts import ECHECS as ECHECS, GRAVITES, LIBELLES_STATUTS as LIBELLES, PLURIELS_STATUTS as PLURIELS  # noqa: F401 — PLURIELS ré-exporté

if TYPE_CHECKING:
    from verificateur.politiques import Catalogue, Regle
    from verificateur.rendus.registre import Options

# Ordre d'affichage des statuts dans les bilans : les échecs d'abord.
ORDRE_STATUTS = ("non_conforme", "preuve_manquante", "erreur", "derogation", "conforme", "non_applicable")
# Par ordre décroissant : les plus graves d'abord.
GRAVITES_DECROISSANTES = tuple(reversed(GRAVITES))

# Caractères interdits en XML 1.0 (et sans sens dans un rapport) : remplacés par U+FFFD.
_CONTROLES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def sans_controles(texte: str) -> str:
    return _CONTROLES.sub("\ufffd", texte)


def avec_statut(resultat: dict[str, Any]) -> str:
    """L'explication précédée du statut en mots, sauf si elle commence déjà par lui."""
    libelle = LIBELLES.get(resultat["statut"], resultat["statut"])
    explication = resultat["explication"]
    return explication if explication.lower().startswith(libelle) else f"{libelle} : {explication}"


def provenance(depot: dict[str, Any]) -> str:
    """« arbre de travail », « révision 0123456789ab », « index git (HEAD 0123456789ab) »."""
    revision = (depot.get("revision") or "")[:12]
    if depot["source"] == "revision":
        return f"révision {revision}"
    if depot["source"] == "index":
        return f"index git (HEAD {revision})" if revision else "index git"
    return "arbre de travail"


def nom_etablissement(rapport: dict[str, Any]) -> str:
    etab = rapport.get("etablissement") or {}
    return str(etab.get("raison_sociale") or "établissement inconnu (etablissement.yaml absent ou invalide)")


def pourcentage(taux: float, decimales: int = 1) -> str:
    """0.90476 → « 90,5 % » (virgule décimale, espace insécable fine avant %)."""
    return f"{taux * 100:.{decimales}f}".replace(".", ",") + "\u202f%"


def pourcentage_texte(taux: float | None, absent: str = "—") -> str:
    """0.90476 → « 90,5 % » avec une espace ordinaire (les tableaux en texte brut d'un lot, de
    l'historique, de l'observatoire) ; `absent` quand il n'y a pas de taux."""
    return absent if taux is None else f"{taux * 100:.1f}".replace(".", ",") + " %"


def tableau(lignes: list[list[Any]], entetes: list[str]) -> str:
    """Un tableau en texte brut (tabulate, importé seulement ici), les nombres laissés tels quels."""
    from tabulate import tabulate

    return tabulate(lignes, headers=entetes, tablefmt="simple", disable_numparse=True)


def sous_le_seuil(resultat: dict[str, Any], seuil_echec: str) -> bool:
    """Un échec d'une gravité inférieure au seuil d'échec : signalé, sans effet sur le statut global."""
    return rang_gravite(resultat["gravite"]) > rang_gravite(seuil_echec)


def rang_gravite(gravite: str) -> int:
    return GRAVITES_DECROISSANTES.index(gravite) if gravite in GRAVITES_DECROISSANTES else len(GRAVITES_DECROISSANTES)


def echecs(rapport: dict[str, Any]) -> list[dict[str, Any]]:
    """Les règles en échec, les plus graves d'abord, puis par identifiant."""
    return sorted(
        (r for r in rapport["resultats"] if r["statut"] in ECHECS),
        key=lambda r: (rang_gravite(r["gravite"]), r["regle"]),
    )


def derogations(rapport: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in rapport["resultats"] if r.get("derogation")]


def lieu_principal(resultat: dict[str, Any]) -> tuple[str, int | None] | None:
    """Là où regarder d'abord : le premier constat situé, sinon la première preuve qui n'est pas la
    dérogation elle-même, sinon la première preuve ; None si le verdict ne cite aucun fichier."""
    for d in resultat.get("details", []):
        if d.get("fichier"):
            return d["fichier"], d.get("ligne")
    derog = resultat.get("derogation") or {}
    preuves = resultat.get("preuves", [])
    autres = [p for p in preuves if (p["fichier"], p.get("ligne")) != (derog.get("fichier"), derog.get("ligne"))]
    for p in autres or preuves:
        return p["fichier"], p.get("ligne")
    return None


def preuves_lues(regle: Regle) -> list[str]:
    """Les fichiers (ou motifs) que lit une règle, triés : la colonne « preuves » des listes du catalogue."""
    # Chaque liaison a « fichier » ou « fichiers » (un motif) : les politiques le vérifient au chargement.
    return sorted(cast("set[str]", {l.get("fichier") or l.get("fichiers") for l in regle.preuves.values()}))


def catalogue_des(options: Options | None) -> Catalogue:
    """Le catalogue d'une liste d'exigences ou de la couverture, que l'appelant passe dans les options."""
    if not options or "catalogue" not in options:
        raise ValueError('liste du catalogue rendue sans options["catalogue"]')
    return options["catalogue"]
