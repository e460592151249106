"""Le parcours d'une décision de financement, écrit une fois : dépôts → dossiers (`dossiers.evaluer_depot`)
→ doublons écartés et candidatures décidées (`decision.statuer`) → résultat (`listes.resultat`).

`decider_candidatures` le parcourt d'un trait pour la commande `eligibilite` ; le lot (`lot --programme`)
le parcourt en deux temps : chaque processus évalue son dépôt (`dossier_pour_lot`), puis le lot assemblé
est décidé et complété (`completer_lot`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from verificateur.financements.decision import statuer
from verificateur.financements.dossiers import DonneesDossier, Dossier, evaluer_depot
from verificateur.financements.listes import politiques_de, resultat
from verificateur.financements.modeles import Programme, Resultat
from verificateur.politiques import Catalogue
from verificateur.sources import Source


def decider_candidatures(programme: Programme, sources: Iterable[Source], catalogue: Catalogue,
                         date_evaluation: date) -> Resultat:
    """La décision sur les dépôts donnés, dans leur ordre (le premier d'un FINESS donné deux fois est
    retenu) : le résultat « verificateur/eligibilite/1 », assaini, avec ses `doublons`. Chaque source
    est évaluée à son tour (un itérable : ouverte au moment de l'évaluer)."""
    dossiers = [evaluer_depot(source, catalogue, programme, date_evaluation) for source in sources]
    candidatures, doublons = statuer(programme, date_evaluation, dossiers)
    return resultat(programme, date_evaluation, candidatures, politiques_de(catalogue), doublons)


def dossier_pour_lot(source: Source, catalogue: Catalogue, programme: Programme, date_evaluation: date,
                     seuil_echec: str = "mineure", chemin: str | None = None,
                     deja: dict[date, dict[str, Any]] | None = None) -> DonneesDossier:
    """Ce que le travailleur du lot calcule pour un dépôt (dans son processus : le parallélisme du lot
    sert aussi l'éligibilité) : le Dossier aux dates du programme, en données simples ; `chemin` : celui
    de l'établissement dans le lot (la clé de `completer_lot`) ; `deja` : les rapports que le lot a déjà
    construits, par date (`evaluer_depot`)."""
    dossier = evaluer_depot(source, catalogue, programme, date_evaluation, seuil_echec, deja=deja)
    dossier.chemin = chemin or dossier.chemin
    return dossier.en_dict()


def completer_lot(lot: dict[str, Any], programme: Programme, date_evaluation: date,
                  dossiers: dict[str, DonneesDossier]) -> Resultat:
    """Ajoute au JSON du lot (contrat verificateur/lot/2) la décision de chaque établissement et, à la
    racine, `programme` et `eligibilite` (décisions, totaux par région contre l'enveloppe, candidatures).
    `dossiers` : chemin → `dossier_pour_lot(...)` ; un établissement en échec du lot (ou sans dossier)
    est une candidature `incomplet` dont le motif donne la raison. Renvoie la liste des financeurs au
    format verificateur/eligibilite/1 (rendue en texte, CSV ou HTML par `rendus.eligibilite`)."""
    liste = []
    for e in lot["etablissements"]:
        brut = dossiers.get(e["chemin"])
        if brut is None or e.get("etat") != "evalue":
            liste.append(Dossier(e["chemin"], depot=e.get("depot"), echec=e.get("raison") or "dépôt non évalué"))
        else:
            dossier = Dossier.depuis_dict(brut)
            dossier.chemin, dossier.depot = e["chemin"], e.get("depot") or dossier.depot
            liste.append(dossier)
    candidatures, doublons = statuer(programme, date_evaluation, liste, "premier dans l'ordre du lot")
    par_chemin = {m["chemin"]: (c, m) for c in candidatures for m in c["membres"]}
    ecarte_par = {chemin: d for d in doublons for chemin in d["ecartes"]}
    for e in lot["etablissements"]:
        if e["chemin"] in ecarte_par:  # ni décidé ni compté : son FINESS l'est par le dépôt retenu
            d = ecarte_par[e["chemin"]]
            e["eligibilite"] = {"decision": None, "candidature": None, "doublon_de": d["retenu"], "motifs": [],
                                "montant_plafond": None, "montant_detail": d["message"]}
            continue
        c, m = par_chemin[e["chemin"]]
        e["eligibilite"] = {"decision": c["decision"], "candidature": c["nom"], "motifs": c["motifs"],
                            "montant_plafond": m["montant_plafond"], "montant_detail": m["montant_detail"]}
    sortie = resultat(programme, date_evaluation, candidatures, lot.get("politiques", []), doublons)
    lot["programme"] = sortie["programme"]
    lot["eligibilite"] = {
        "decisions": sortie["synthese"]["etablissements"],
        "synthese": sortie["synthese"],
        "hypotheses": sortie["hypotheses"],
        "par_region": sortie["par_region"],
        "doublons": doublons,
        "candidatures": [
            {k: c[k] for k in ("nom", "ght", "porteur", "decision", "montant_plafond", "montant_raison")}
            | {"membres": [m["chemin"] for m in c["membres"]]}
            for c in candidatures
        ],
    }
    return sortie
