"""Rendu SARIF 2.1.0 (OASIS) : pour les vues « analyse de code » de GitHub et GitLab, et pour tout
outil qui lit SARIF.

Une `rule` par règle du rapport, un `result` par verdict, situé au fichier et à la ligne de la preuve
(`uri` relative à la racine du dépôt de preuves ; pas de `locations` si le verdict ne cite aucun
fichier). `kind` vient du statut, `level` de la gravité (seulement pour `fail` : SARIF 2.1.0 §3.27.9
impose `none` pour tout autre `kind`). Chaque statut en échec — une preuve manquante aussi — est donc
`fail`, au niveau de sa gravité : une preuve critique absente est une `error` pour les vues d'analyse
de code, pas une simple revue ; le statut exact reste dans `properties.statut`. Une dérogation est un
résultat `informational` avec une `suppression` externe justifiée. Les problèmes d'entrée deviennent
des notifications de l'invocation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from verificateur.rendus.commun import avec_statut, lieu, lieu_principal

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
KINDS = {
    "conforme": "pass",
    "non_conforme": "fail",
    "erreur": "fail",
    "preuve_manquante": "fail",
    "non_applicable": "notApplicable",
    "derogation": "informational",
}
NIVEAUX = {"critique": "error", "majeure": "error", "mineure": "warning", "info": "note"}
# Échelle de GitHub (« security-severity », de 0 à 10) pour trier les alertes.
SEVERITES = {"critique": "9.5", "majeure": "7.5", "mineure": "5.0", "info": "2.0"}


def _uri(fichier: str) -> str:
    return quote(fichier, safe="/")


def _emplacement(fichier: str, ligne: int | None, message: str | None = None) -> dict[str, Any]:
    physique: dict[str, Any] = {"artifactLocation": {"uri": _uri(fichier)}}
    if isinstance(ligne, int) and ligne >= 1:
        physique["region"] = {"startLine": ligne}
    emplacement: dict[str, Any] = {"physicalLocation": physique}
    if message:
        emplacement["message"] = {"text": message}
    return emplacement


def _url(source: dict[str, Any]) -> str | None:
    url = source.get("url")
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) and " " not in url else None


def _source(source: dict[str, Any]) -> str:
    morceaux = [str(source[k]) for k in ("document", "emetteur", "date") if source.get(k)]
    return ", ".join(morceaux) or str(source.get("id", ""))


def _regle(resultat: dict[str, Any]) -> dict[str, Any]:
    exigences = resultat["exigences"]
    texte = " ".join(f"{e['id']} ({e['referentiel']}) : {e['enonce']}" for e in exigences) or resultat["titre"]
    aide, aide_md = [], []
    for e in exigences:
        aide.append(f"{e['id']} — {e['titre']} ({e['referentiel']}) : {e['enonce']}")
        aide_md.append(f"**{e['id']}** — {e['titre']} ({e['referentiel']})\n\n{e['enonce']}\n")
        for s in e["sources"]:
            url = _url(s)
            aide.append(f"  source : {_source(s)}" + (f" {url}" if url else ""))
            aide_md.append(f"- source : {_source(s)}" + (f" <{url}>" if url else ""))
    regle: dict[str, Any] = {
        "id": resultat["regle"],
        "name": resultat["titre"],
        "shortDescription": {"text": resultat["titre"]},
        "fullDescription": {"text": texte},
        "help": {"text": "\n".join(aide) or resultat["titre"], "markdown": "\n".join(aide_md) or resultat["titre"]},
        "defaultConfiguration": {"level": NIVEAUX.get(resultat["gravite"], "warning")},
        "properties": {
            "gravite": resultat["gravite"],
            "exigences": [e["id"] for e in exigences],
            "referentiels": sorted({e["referentiel"] for e in exigences}),
            "tags": ["conformite", "cybersecurite", resultat["gravite"]],
            "security-severity": SEVERITES.get(resultat["gravite"], "5.0"),
        },
    }
    urls = [u for e in exigences for s in e["sources"] if (u := _url(s))]
    if urls:
        regle["helpUri"] = urls[0]
    return regle


def _resultat(resultat: dict[str, Any], index: int) -> dict[str, Any]:
    statut = resultat["statut"]
    kind = KINDS[statut]
    sortie: dict[str, Any] = {
        "ruleId": resultat["regle"],
        "ruleIndex": index,
        "kind": kind,
        "level": NIVEAUX.get(resultat["gravite"], "warning") if kind == "fail" else "none",
        "message": {"text": avec_statut(resultat)},
    }
    principal = lieu_principal(resultat)
    if principal is not None:
        sortie["locations"] = [_emplacement(*principal)]
        autres = [
            _emplacement(p["fichier"], p.get("ligne"), "preuve lue")
            for p in resultat["preuves"]
            if (p["fichier"], p.get("ligne")) != principal
        ]
        if autres:
            sortie["relatedLocations"] = [{"id": i, **e} for i, e in enumerate(autres)]
    derog = resultat.get("derogation")
    if derog:
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": (
                f"dérogation accordée par {derog['accordee_par']} le {derog['accordee_le']}, expire le "
                f"{derog['expire_le']} : {derog['motif']} (risque accepté : {derog['risque_accepte']})"
            ),
            "properties": {"expire_le": derog["expire_le"], "statut_initial": derog["statut_initial"]},
        }
        if derog.get("fichier"):
            suppression["location"] = _emplacement(derog["fichier"], derog.get("ligne"))
        sortie["suppressions"] = [suppression]
    proprietes: dict[str, Any] = {"statut": statut, "gravite": resultat["gravite"]}
    if resultat.get("parametres"):
        proprietes["parametres"] = resultat["parametres"]
    if resultat.get("details"):
        proprietes["constats"] = [
            d["texte"] + (f" ({lieu(d['fichier'], d.get('ligne'))})" if d.get("fichier") else "") for d in resultat["details"]
        ]
    sortie["properties"] = proprietes
    return sortie


def _notification(probleme: dict[str, Any]) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error" if probleme["niveau"] == "erreur" else "warning",
        "message": {"text": probleme["message"]},
        "descriptor": {"id": probleme["code"]},
    }
    if probleme.get("fichier"):
        notification["locations"] = [_emplacement(probleme["fichier"], probleme.get("ligne"))]
    return notification


def journal(rapport: dict[str, Any]) -> dict[str, Any]:
    """Le journal SARIF (un dict JSON) du rapport."""
    resultats = rapport["resultats"]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if rapport["problemes"]:
        invocation["toolExecutionNotifications"] = [_notification(p) for p in rapport["problemes"]]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "verificateur",
                "version": rapport["outil"]["version"],
                "semanticVersion": rapport["outil"]["version"],
                "language": "fr-FR",
                "rules": [_regle(r) for r in resultats],
            }
        },
        "language": "fr-FR",
        "invocations": [invocation],
        "results": [_resultat(r, i) for i, r in enumerate(resultats)],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "etablissement": rapport["etablissement"],
            "date_evaluation": rapport["date_evaluation"],
            "depot": rapport["depot"],
            "politiques": rapport["politiques"],
            "synthese": rapport["synthese"],
            "empreinte_rapport": rapport["empreinte"],
        },
    }
    etab = rapport["etablissement"] or {}
    if etab.get("finess"):
        run["automationDetails"] = {"id": f"verificateur/{etab['finess']}/{rapport['date_evaluation']}"}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    return json.dumps(journal(rapport), ensure_ascii=False, indent=2) + "\n"
