"""Les rendus de l'échéancier (`verificateur echeances`) : texte, JSON (le contrat
« verificateur/echeances/1 », docs/echeances.md) et calendrier iCalendar (RFC 5545).

Chaque rendu ne lit que le document de `echeances.document` ; icalendar n'est importé que pour `ics`.
Le registre des formats est `echeances.py`, à part pour que la ligne de commande (et le crochet
pre-commit, qui passe par le même module) construise ses choix sans charger ces rendus.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from verificateur.rendus.commun import LIBELLES, lieu, sans_controles
from verificateur.rendus.registre import Options

# Le rappel d'un événement du calendrier : 30 jours avant, le délai des lignes d'information du crochet.
RAPPEL_JOURS = 30
PRODID = "-//verificateur//Echeancier de conformite//FR"


def _lieu(fait: dict[str, Any]) -> str:
    return lieu(fait["fichier"], fait["ligne"], sans_fichier="." if fait["fichier"] is None else fait["fichier"])


def _entete(doc: dict[str, Any]) -> list[str]:
    etab = doc["etablissement"] or {}
    nom = etab.get("raison_sociale", "établissement inconnu (etablissement.yaml absent ou invalide)")
    finess = f" — FINESS {etab['finess']}" if "finess" in etab else ""
    depot = doc["depot"]
    revision = f" @ {depot['revision'][:12]}" if depot.get("revision") else ""
    return [
        f"{nom}{finess}",
        f"dépôt {depot['chemin']} ({depot['source']}{revision}), évalué au {doc['date_evaluation']} ; "
        f"échéances jusqu'au {doc['jusqu_au']} ({doc['horizon_jours']} jours)",
    ]


def rendre_texte(doc: dict[str, Any], options: Options | None = None) -> str:
    lignes = _entete(doc)
    for e in doc["echeances"]:
        lignes += [
            "",
            f"{e['date']}  dans {e['jours']} jour(s)  {e['regle']} ({e['gravite']}) : {LIBELLES[e['statut']]} → {LIBELLES[e['devient']]}",
            f"  {e['titre']}",
            f"  fait : {e['fait']['texte']} ({_lieu(e['fait'])})",
            f"  pour la renouveler : {e['renouveler']}",
        ]
    n = len(doc["echeances"])
    stables = doc["regles_suivies"] - n
    lignes.append("")
    if n:
        lignes.append(f"{n} échéance(s) d'ici le {doc['jusqu_au']} ; "
                      f"{stables} règle(s) conforme(s) ou en dérogation sans échéance dans l'horizon")
    else:
        lignes.append(f"aucune échéance d'ici le {doc['jusqu_au']} : "
                      f"les {doc['regles_suivies']} règle(s) conforme(s) ou en dérogation le restent")
    return "\n".join(sans_controles(l) for l in lignes) + "\n"


def rendre_json(doc: dict[str, Any], options: Options | None = None) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def uid(doc: dict[str, Any], echeance: dict[str, Any]) -> str:
    """Le même pour les mêmes entrées, d'une exécution à l'autre (et d'un poste à l'autre : le FINESS,
    pas le chemin du dépôt) : un calendrier réimporté met à jour ses événements au lieu de les doubler."""
    etab = doc["etablissement"] or {}
    qui = etab.get("finess") or doc["depot"]["chemin"]
    brut = "\x1f".join((str(qui), echeance["regle"], echeance["date"])).encode("utf-8")
    return f"{hashlib.sha256(brut).hexdigest()[:32]}@verificateur"


def rendre_ics(doc: dict[str, Any], options: Options | None = None) -> str:
    """Un événement d'une journée par échéance, avec un rappel RAPPEL_JOURS avant. DTSTAMP est la date
    d'évaluation à minuit UTC (et non l'heure de l'exécution) : mêmes entrées, mêmes octets."""
    from icalendar import Alarm, Calendar, Event

    etab = doc["etablissement"] or {}
    nom = etab.get("raison_sociale") or doc["depot"]["chemin"]
    calendrier = Calendar()
    calendrier.add("prodid", PRODID)
    calendrier.add("version", "2.0")
    calendrier.add("calscale", "GREGORIAN")
    calendrier.add("method", "PUBLISH")
    calendrier.add("x-wr-calname", sans_controles(f"Échéances de conformité — {nom}"))
    evalue = date.fromisoformat(doc["date_evaluation"])
    estampille = datetime(evalue.year, evalue.month, evalue.day, tzinfo=UTC)
    for e in doc["echeances"]:
        le = date.fromisoformat(e["date"])
        resume = f"{e['regle']} : {e['titre']} — {LIBELLES[e['devient']]} le {e['date']}"
        description = "\n".join((
            f"{e['regle']} ({e['gravite']}) : {LIBELLES[e['statut']]} jusqu'au {(le - timedelta(days=1)).isoformat()}, "
            f"{LIBELLES[e['devient']]} le {e['date']} si rien n'est commité.",
            f"Fait : {e['fait']['texte']} ({_lieu(e['fait'])})",
            f"Pour la renouveler : {e['renouveler']}",
            f"Évalué au {doc['date_evaluation']} sur {doc['depot']['chemin']}.",
        ))
        evenement = Event()
        evenement.add("uid", uid(doc, e))
        evenement.add("dtstamp", estampille)
        evenement.add("dtstart", le)
        if le < date.max:  # sans DTEND, un événement à la journée dure un jour (RFC 5545 §3.6.1)
            evenement.add("dtend", le + timedelta(days=1))
        evenement.add("summary", sans_controles(resume))
        evenement.add("description", sans_controles(description))
        evenement.add("categories", ["conformité", e["gravite"]])
        evenement.add("transp", "TRANSPARENT")
        rappel = Alarm()
        rappel.add("action", "DISPLAY")
        rappel.add("description", sans_controles(f"Dans {RAPPEL_JOURS} jours : {resume}"))
        rappel.add("trigger", timedelta(days=-RAPPEL_JOURS))
        evenement.add_component(rappel)
        calendrier.add_component(evenement)
    return calendrier.to_ical().decode("utf-8")

