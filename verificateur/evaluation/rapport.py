"""Le rapport : des données simples (dict JSON) construites à partir d'une évaluation, selon le
contrat de CONCEPTION §5. Les rendus (texte, JSON, HTML…) ne lisent que ce dict."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from verificateur import __version__
from verificateur.evaluation import ECHECS, STATUTS, Evaluation
from verificateur.politiques import GRAVITES, Catalogue
from verificateur.preuves import Preuves
from verificateur.socle import donnees_personnelles

FORMAT = "verificateur/rapport/1"


def en_json(valeur: Any) -> Any:
    """Valeurs des preuves en JSON : dates ISO, décimaux en nombres."""
    if isinstance(valeur, dict):
        return {k: en_json(v) for k, v in valeur.items()}
    if isinstance(valeur, list):
        return [en_json(v) for v in valeur]
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return int(valeur) if valeur == valeur.to_integral_value() else float(valeur)
    return valeur


def identite(preuves: Preuves, revision: str | None) -> dict[str, Any]:
    """L'établissement (son fichier valide, en JSON) et le dépôt lu, tels que le rapport et l'échéancier
    les écrivent."""
    etablissement = preuves.etablissement
    return {
        "etablissement": en_json(etablissement.valeurs) if etablissement and etablissement.valide else None,
        "depot": {"chemin": preuves.chemin, "source": preuves.nature, "revision": revision},
    }


def synthese(resultats: list[dict[str, Any]], seuil_echec: str) -> dict[str, Any]:
    comptes = {s: 0 for s in STATUTS}
    for r in resultats:
        comptes[r["statut"]] += 1
    applicables = len(resultats) - comptes["non_applicable"]
    taux = round(comptes["conforme"] / applicables, 4) if applicables else 1.0
    rang = GRAVITES.index(seuil_echec)
    echec = any(r["statut"] in ECHECS and GRAVITES.index(r["gravite"]) >= rang for r in resultats)
    return {
        **comptes,
        "total": len(resultats),
        "taux_conformite": taux,
        "seuil_echec": seuil_echec,
        "statut_global": "non_conforme" if echec else "conforme",
    }


def construire(evaluation: Evaluation, preuves: Preuves, catalogue: Catalogue, seuil_echec: str = "mineure") -> dict[str, Any]:
    revision = preuves.revision
    resultats = []
    for v in sorted(evaluation.verdicts, key=lambda v: v.regle.id):
        resultat: dict[str, Any] = {
            "regle": v.regle.id,
            "titre": v.regle.titre,
            "gravite": v.regle.gravite,
            "exigences": [catalogue.exigences[e].en_dict() for e in v.regle.exigences],
            "statut": v.statut,
            "explication": v.explication,
            "preuves": [{"fichier": e.fichier, "ligne": e.ligne or None, "revision": revision} for e in v.preuves],
            "details": [
                {"texte": c.texte, "fichier": c.ou.fichier if c.ou else None, "ligne": (c.ou.ligne or None) if c.ou else None}
                for c in v.constats
            ],
            "parametres": [
                {"nom": nom, "valeur": en_json(val), "depuis": depuis.isoformat(), "source": source}
                for nom, (depuis, val, source) in sorted(v.parametres.items())
            ],
        }
        if v.derogation is not None:
            resultat["derogation"] = v.derogation
        resultats.append(resultat)
    rapport = {
        "format": FORMAT,
        "outil": {"version": __version__},
        **identite(preuves, revision),
        "date_evaluation": evaluation.date.isoformat(),
        "politiques": [{"id": p.id, "version": p.version, "empreinte": p.empreinte} for p in catalogue.politiques],
        "synthese": synthese(resultats, seuil_echec),
        "resultats": resultats,
        "problemes": [p.en_dict() for p in evaluation.problemes],
    }
    # L'unique passage vers les sorties (rendus, lot, éligibilité, historique, crochet) : NIR masqués,
    # caractères de contrôle rendus visibles ; l'empreinte porte sur le rapport assaini.
    rapport = donnees_personnelles.assainir(rapport)
    rapport["empreinte"] = empreinte(rapport)
    return rapport


def canonique(rapport: dict[str, Any]) -> bytes:
    sans = {k: v for k, v in rapport.items() if k != "empreinte"}
    return json.dumps(sans, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def empreinte(rapport: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonique(rapport)).hexdigest()


def code_sortie(rapport: dict[str, Any]) -> int:
    """0 conforme ; 1 non conforme, ou preuve invalide (CONCEPTION §4)."""
    invalide = any(p["niveau"] == "erreur" for p in rapport["problemes"])
    return 1 if invalide or rapport["synthese"]["statut_global"] != "conforme" else 0
