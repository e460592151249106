"""Le résultat d'une décision (format « verificateur/eligibilite/1 », schéma livré) et ce que le
financeur en lit : totaux par décision et par région contre l'enveloppe (`resultat`), code de sortie
(`code_sortie`), et la liste des financeurs tirée d'un lot évalué avec --programme (`liste_depuis_lot`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from verificateur import __version__
from verificateur.financements.modeles import (
    DECISIONS,
    FORMAT,
    Candidature,
    Doublon,
    LigneRegion,
    PolitiqueEvaluee,
    Programme,
    Resultat,
    Synthese,
    nombre,
)
from verificateur.politiques import Catalogue
from verificateur.socle import donnees_personnelles
from verificateur.socle.problemes import ErreurVerificateur


def par_region(programme: Programme, candidatures: list[Candidature]) -> list[LigneRegion]:
    """Par région de chaque établissement : décisions (de sa candidature), total des montants plafonds
    des éligibles, enveloppe de la région si le programme la donne."""
    enveloppe = programme.donnees.get("enveloppe") or {}
    regionales = enveloppe.get("par_region") or {}
    comptes: dict[str, dict[str, int]] = {}  # région → décision → établissements
    totaux_: dict[str, Decimal] = {}
    inconnus: dict[str, int] = {}
    for c in candidatures:
        for m in c["membres"]:
            cle = m["region"] or ""
            comptes.setdefault(cle, dict.fromkeys(DECISIONS, 0))[c["decision"]] += 1
            totaux_.setdefault(cle, Decimal(0))
            inconnus.setdefault(cle, 0)
            if c["decision"] == "eligible":
                if m["montant_plafond"] is None:
                    inconnus[cle] += 1
                else:
                    totaux_[cle] += Decimal(str(m["montant_plafond"]))
    return [{"cle": cle, "eligible": comptes[cle]["eligible"], "non_eligible": comptes[cle]["non_eligible"],
             "incomplet": comptes[cle]["incomplet"], "a_confirmer": comptes[cle]["a_confirmer"], "clos": comptes[cle]["clos"],
             "montant_plafond_total": nombre(totaux_[cle]), "montants_inconnus": inconnus[cle],
             "enveloppe": nombre(regionales[cle]) if cle in regionales else None}
            for cle in sorted(comptes)]


def totaux(programme: Programme, candidatures: list[Candidature]) -> Synthese:
    etablissements = {d: 0 for d in DECISIONS}
    par_candidature = {d: 0 for d in DECISIONS}
    total = Decimal(0)
    inconnus = 0
    for c in candidatures:
        par_candidature[c["decision"]] += 1
        etablissements[c["decision"]] += len(c["membres"])
        if c["decision"] == "eligible":
            for m in c["membres"]:
                if m["montant_plafond"] is None:
                    inconnus += 1
                else:
                    total += Decimal(str(m["montant_plafond"]))
    enveloppe = (programme.donnees.get("enveloppe") or {}).get("montant")
    return {
        "candidatures": par_candidature,
        "etablissements": etablissements,
        "montant_plafond_total": nombre(total),
        "montants_inconnus": inconnus,
        "enveloppe": nombre(enveloppe) if enveloppe is not None else None,
        "part_enveloppe": round(float(total / Decimal(str(enveloppe))), 4) if enveloppe else None,
    }


def politiques_de(catalogue: Catalogue) -> list[PolitiqueEvaluee]:
    return [{"id": p.id, "version": p.version, "empreinte": p.empreinte} for p in catalogue.politiques]


def resultat(programme: Programme, date_evaluation: date, candidatures: list[Candidature],
             politiques: list[PolitiqueEvaluee], doublons: list[Doublon] | None = None) -> Resultat:
    """Le résultat de `verificateur eligibilite` (format verificateur/eligibilite/1, schéma livré) ;
    `politiques` : [{id, version, empreinte}] des politiques évaluées (`politiques_de`) ; `doublons` :
    les dépôts écartés parce que leur FINESS était déjà donné (`decision.ecarter_doublons`)."""
    sortie: Resultat = {
        "format": FORMAT,
        "outil": {"version": __version__},
        "date_decision": date_evaluation.isoformat(),
        "programme": programme.en_dict(),
        "politiques": politiques,
        "hypotheses": programme.hypotheses(),
        "synthese": totaux(programme, candidatures),
        "par_region": par_region(programme, candidatures),
        "candidatures": candidatures,
        "doublons": doublons or [],
    }
    return _assaini(sortie)


def _assaini(sortie: Resultat) -> Resultat:
    # Les motifs citent des valeurs et des chemins des dépôts : assainis avant l'empreinte et tout rendu.
    propre: Resultat = donnees_personnelles.assainir(sortie)
    propre["empreinte"] = empreinte(propre)
    return propre


def empreinte(donnees: Resultat) -> str:
    sans = {k: v for k, v in donnees.items() if k != "empreinte"}
    texte = json.dumps(sans, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(texte.encode("utf-8")).hexdigest()


CODE_A_CONFIRMER = 4


def code_sortie(sortie: Resultat) -> int:
    """0 : toutes les candidatures éligibles ; 1 : au moins une non éligible ou incomplète (ou aucune
    candidature) ; 4 : sinon, au moins une à confirmer (fait non publié) ou programme clos."""
    decisions = {c["decision"] for c in sortie["candidatures"]}
    if not decisions or decisions & {"non_eligible", "incomplet"}:
        return 1
    return 0 if decisions == {"eligible"} else CODE_A_CONFIRMER


def liste_depuis_lot(lot: dict[str, Any]) -> Resultat:
    """La liste des financeurs (format verificateur/eligibilite/1) tirée d'un lot évalué avec
    --programme, même relu d'un fichier : une candidature par entrée de `eligibilite.candidatures`,
    ses membres et ses motifs pris des établissements du lot."""
    if "eligibilite" not in lot or "programme" not in lot:
        raise ErreurVerificateur("lot évalué sans --programme : aucune décision d'éligibilité à lister")
    par_chemin = {e["chemin"]: e for e in lot["etablissements"]}
    candidatures: list[Candidature] = []
    for c in lot["eligibilite"]["candidatures"]:
        membres = [par_chemin[chemin] for chemin in c["membres"] if chemin in par_chemin]
        if not membres:
            continue
        candidatures.append({
            "nom": c["nom"], "ght": c["ght"], "porteur": c["porteur"], "decision": c["decision"],
            "montant_plafond": c["montant_plafond"], "montant_raison": c["montant_raison"],
            "membres": [
                {"chemin": e["chemin"], "finess": e.get("finess"), "raison_sociale": e.get("raison_sociale"),
                 "categorie": e.get("categorie"), "region": e.get("region"), "statut_juridique": e.get("statut_juridique"),
                 "depot": e.get("depot"), "montant_plafond": e["eligibilite"]["montant_plafond"],
                 "montant_detail": e["eligibilite"].get("montant_detail") or "", "montant_sources": [],
                 "montant_hypothese_projet": False}
                for e in membres
            ],
            "motifs": membres[0]["eligibilite"]["motifs"],
        })
    synthese = lot["eligibilite"]["synthese"]
    sortie: Resultat = {
        "format": FORMAT,
        "outil": lot.get("outil", {"version": __version__}),
        "date_decision": lot["date_evaluation"],
        "programme": lot["programme"],
        "politiques": lot.get("politiques", []),
        "hypotheses": lot["eligibilite"]["hypotheses"],
        "synthese": synthese,
        "par_region": lot["eligibilite"]["par_region"],
        "candidatures": candidatures,
        "doublons": lot["eligibilite"].get("doublons", []),
    }
    return _assaini(sortie)  # un lot relu d'un fichier est une entrée comme une autre
