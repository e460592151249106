"""La décision (pure : aucune lecture) : les dépôts d'un même FINESS écartés (`ecarter_doublons`), les
candidatures formées (une par GHT quand le programme le dit), chacune décidée d'après ses motifs
(`eligible`, `non_eligible`, `incomplet`, `a_confirmer`, `clos`) avec son montant plafond (`decider`) ;
`statuer` enchaîne les deux, pour la commande `eligibilite` comme pour le lot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from verificateur.financements.dossiers import Dossier, date_de
from verificateur.financements.modeles import (
    A_CONFIRMER,
    CLOS,
    INDETERMINE,
    LIBELLES_DECISIONS,
    NON_SATISFAIT,
    SATISFAIT,
    Candidature,
    Condition,
    Doublon,
    Membre,
    Montant,
    Motif,
    Nombre,
    Programme,
    euros,
    nombre,
)
from verificateur.financements.motifs import (
    etablissement,
    motif,
    motif_doublon,
    motif_fenetre,
    motif_regle,
    motifs_profil,
    nom,
    preuve_profil,
)


def ecarter_doublons(dossiers: list[Dossier], raison: str = "premier dépôt donné") -> tuple[list[Dossier], list[Doublon]]:
    """Un établissement (un FINESS) donné par plusieurs dépôts n'est décidé, compté et sommé qu'une
    fois : le premier dans l'ordre donné est retenu (`raison` le dit : ordre de la ligne de commande,
    ou du lot), les autres sont écartés ; (dossiers retenus, doublons). Chaque doublon dit ce qui
    diffère entre les dépôts (profil, verdicts) : s'ils diffèrent, `decider` rend la candidature
    incomplète plutôt que de choisir en silence. Un dépôt sans profil lisible n'a pas de FINESS connu."""
    par_finess: dict[str, list[Dossier]] = {}
    for d in dossiers:
        finess = (d.profil or {}).get("finess")
        if finess:
            par_finess.setdefault(str(finess), []).append(d)
    ecartes: set[str] = set()
    doublons: list[Doublon] = []
    for finess, memes in par_finess.items():
        if len(memes) < 2:
            continue
        retenu, autres = memes[0], memes[1:]
        ecartes.update(a.chemin for a in autres)
        differences = _differences(retenu, autres)
        message = (f"FINESS {finess} donné par {len(memes)} dépôts : {retenu.chemin} retenu ({raison}), "
                   f"{', '.join(a.chemin for a in autres)} {'écartés' if len(autres) > 1 else 'écarté'} ; l'établissement n'est décidé, "
                   "compté et sommé qu'une fois")
        if differences:
            # Le message reste lisible ; la liste complète est dans `differences`.
            cites = " ; ".join(differences[:5]) + (f" ; et {len(differences) - 5} autre(s)" if len(differences) > 5 else "")
            message += f" ; les dépôts diffèrent ({cites}) : candidature incomplète, donnez un seul dépôt"
        else:
            message += " ; mêmes profil et verdicts"
        doublons.append({"finess": finess, "retenu": retenu.chemin, "ecartes": [a.chemin for a in autres],
                         "raison": raison, "differences": differences, "message": message})
    return [d for d in dossiers if d.chemin not in ecartes], doublons


def _differences(retenu: Dossier, autres: list[Dossier]) -> list[str]:
    """Ce qui diffère entre dépôts d'un même FINESS : champs du profil, puis statut des règles par date."""
    differences = []
    profil = retenu.profil or {}
    champs = sorted({c for a in autres for c in set(profil) | set(a.profil or {})
                     if c != "finess" and profil.get(c) != (a.profil or {}).get(c)})
    if champs:
        differences.append(f"profil : {', '.join(champs)}")
    for a_la_date in sorted({j for d in (retenu, *autres) for j in d.verdicts}):
        for regle in sorted({r for d in (retenu, *autres) for r in d.verdicts.get(a_la_date, {})}):
            verdicts = [d.verdicts.get(a_la_date, {}).get(regle) for d in (retenu, *autres)]
            statuts = [v.get("statut") if v else None for v in verdicts]
            if len(set(statuts)) > 1:
                differences.append(f"{regle} au {a_la_date} : {' / '.join(str(s) for s in statuts)}")
    return differences


def montant_etablissement(programme: Programme, dossier: Dossier) -> Montant:
    """Le montant plafond d'un établissement : {montant (ou None), detail, sources, hypothese_projet}."""
    m = programme.donnees["montant_plafond"]
    nom_ = nom(dossier)

    def sans_montant(detail: str) -> Montant:
        return {"montant": None, "sources": list(m.get("sources", [])), "hypothese_projet": "hypothese_projet" in m,
                "detail": detail}

    def au_bareme(ligne: dict[str, Any], detail: str) -> Montant:
        return {"montant": nombre(ligne["montant"]), "detail": f"{detail} : {euros(ligne['montant'])}",
                "sources": list(ligne.get("sources", [])), "hypothese_projet": "hypothese_projet" in ligne}

    if m["calcul"] == "non_defini":
        return sans_montant(m["raison"])
    if dossier.profil is None:
        return sans_montant(f"{nom_} : profil inconnu, montant non calculable")
    if m["calcul"] == "par_categorie":
        categorie = dossier.profil.get("categorie")
        for ligne in m["bareme"]:
            if categorie in ligne.get("categories", []):
                return au_bareme(ligne, f"{nom_} : catégorie « {categorie} »")
        return sans_montant(f"{nom_} : aucun montant au barème pour la catégorie « {categorie} »")
    taille = m["taille"]
    mesure = dossier.profil.get(taille)
    mot = "effectif" if taille == "effectif" else "lits et places"
    if mesure is None:
        return sans_montant(f"{nom_} : « {taille} » absent de etablissement.yaml, montant non calculable")
    for ligne in m["bareme"]:
        if ligne["de"] <= mesure and ("a" not in ligne or mesure <= ligne["a"]):
            tranche = f"de {ligne['de']} à {ligne['a']}" if "a" in ligne else f"{ligne['de']} et plus"
            return au_bareme(ligne, f"{nom_} : {mot} {mesure}, tranche {tranche}")
    return sans_montant(f"{nom_} : {mot} {mesure} hors de toutes les tranches du barème")


def _groupes(programme: Programme, dossiers: list[Dossier]) -> list[tuple[str | None, list[Dossier]]]:
    """(nom du GHT ou None, membres) : une candidature par GHT quand le programme le dit."""
    individuels: list[tuple[str | None, list[Dossier]]] = []
    par_ght: dict[str, list[Dossier]] = {}
    for d in dossiers:
        ght = (d.profil or {}).get("ght")
        if programme.par_ght and ght and d.echec is None:
            par_ght.setdefault(ght["nom"], []).append(d)
        else:
            individuels.append((None, [d]))
    groupes = individuels + [(nom, membres) for nom, membres in par_ght.items()]

    def cle_membre(d: Dossier) -> tuple[bool, str, str]:
        return (not ((d.profil or {}).get("ght") or {}).get("support", False), str((d.profil or {}).get("finess") or ""), d.chemin)

    ordonnes = [(nom, sorted(membres, key=cle_membre)) for nom, membres in groupes]
    return sorted(ordonnes, key=lambda g: (str((g[1][0].profil or {}).get("finess") or ""), g[1][0].chemin))


def _motif_ght(programme: Programme, ght: str, membres: list[Dossier]) -> Motif:
    """La candidature d'un GHT est portée par son établissement support, un seul, parmi les dépôts donnés."""
    condition = "candidature portée par l'établissement support du GHT"
    candidats = programme.donnees["candidats"]
    supports = [m for m in membres if (m.profil or {}).get("ght", {}).get("support")]
    if len(supports) == 1:
        return motif(programme, "ght", condition, SATISFAIT,
                     f"candidature du GHT « {ght} » portée par l'établissement support {nom(supports[0])} "
                     f"({len(membres)} établissement(s))",
                     chemin_programme=("candidats", "candidature"), valeur=ght, dossier=supports[0],
                     preuves=preuve_profil(supports[0], "ght"), element=candidats)
    if not supports:
        return motif(programme, "ght", condition, INDETERMINE,
                     f"candidature du GHT « {ght} » : aucun établissement support parmi les {len(membres)} dépôt(s) donné(s) ; le support "
                     "porte la candidature",
                     chemin_programme=("candidats", "candidature"), valeur=ght, element=candidats)
    return motif(programme, "ght", condition, INDETERMINE,
                 f"candidature du GHT « {ght} » : {len(supports)} établissements se déclarent support "
                 f"({', '.join(nom(s) for s in supports)}) ; un seul attendu",
                 chemin_programme=("candidats", "candidature"), valeur=ght, element=candidats)


def _motifs(programme: Programme, date_evaluation: date, ght: str | None, membres: list[Dossier],
            doublon_de: dict[str, Doublon]) -> list[Motif]:
    """Dans l'ordre : fenêtre, GHT, puis pour chaque membre son profil, son doublon, ses prérequis et objectifs."""
    motifs = [motif_fenetre(programme, date_evaluation)]
    if ght is not None:
        motifs.append(_motif_ght(programme, ght, membres))
    numerotees: list[tuple[Condition, int]] = []
    indices = {"prerequis": 0, "objectif": 0}
    for c in programme.conditions():
        numerotees.append((c, indices[c.nature]))
        indices[c.nature] += 1
    for membre in membres:
        motifs.extend(motifs_profil(programme, membre))
        if membre.chemin in doublon_de:
            motifs.append(motif_doublon(programme, doublon_de[membre.chemin], membre))
        if membre.echec is None and membre.profil is not None or membre.verdicts:
            for condition, indice in numerotees:
                motifs.append(motif_regle(programme, condition, indice, membre,
                                          date_de(condition, programme, date_evaluation), date_evaluation))
    if motifs[0]["resultat"] == CLOS:
        # Programme clos : aucun autre motif ne décide (ils restent lisibles, non bloquants).
        for m in motifs[1:]:
            m["bloquant"] = False
    return motifs


def _decision(motifs: list[Motif]) -> str:
    bloquants = [m for m in motifs if m["bloquant"]]
    if motifs[0]["resultat"] == CLOS:
        return "clos"
    if any(m["resultat"] == NON_SATISFAIT for m in bloquants):
        return "non_eligible"
    if any(m["resultat"] == INDETERMINE for m in bloquants):
        return "incomplet"
    if any(m["resultat"] == A_CONFIRMER for m in bloquants):
        return "a_confirmer"
    return "eligible"


def _montant_candidature(decision: str, montants: list[Montant]) -> tuple[Nombre | None, str | None]:
    """(montant plafond, raison de son absence) : la somme des membres, si chacun se calcule."""
    if decision not in ("eligible", "a_confirmer"):
        # Un plafond affiché pour une candidature non éligible (ou incomplète, ou d'un programme clos)
        # se lirait comme une somme due : aucun montant, la raison le dit ; le barème reste par membre.
        return None, f"aucun montant : candidature {LIBELLES_DECISIONS[decision]}"
    if all(x["montant"] is not None for x in montants):
        return nombre(sum((Decimal(str(x["montant"])) for x in montants), Decimal(0))), None
    return None, "; ".join(x["detail"] for x in montants if x["montant"] is None)


def _membre(dossier: Dossier, montant: Montant) -> Membre:
    profil = dossier.profil or {}
    return {**etablissement(dossier), "categorie": profil.get("categorie"), "region": profil.get("region"),
            "statut_juridique": profil.get("statut_juridique"), "depot": dossier.depot,
            "montant_plafond": montant["montant"], "montant_detail": montant["detail"], "montant_sources": montant["sources"],
            "montant_hypothese_projet": montant["hypothese_projet"]}


def decider(programme: Programme, date_evaluation: date, dossiers: list[Dossier],
            doublons: Iterable[Doublon] = ()) -> list[Candidature]:
    """Les candidatures, chacune avec sa décision, tous ses motifs (dans l'ordre : fenêtre, GHT, puis
    pour chaque membre son profil, ses prérequis et ses objectifs) et son montant plafond.
    `doublons` (de `ecarter_doublons`, dont `dossiers` sont les retenus) : dits au membre retenu."""
    doublon_de = {d["retenu"]: d for d in doublons}
    candidatures: list[Candidature] = []
    for ght, membres in _groupes(programme, dossiers):
        motifs = _motifs(programme, date_evaluation, ght, membres, doublon_de)
        decision = _decision(motifs)
        montants = [montant_etablissement(programme, m) for m in membres]
        montant, raison = _montant_candidature(decision, montants)
        porteur = membres[0]
        candidatures.append({
            "nom": f"GHT « {ght} »" if ght else nom(porteur),
            "ght": ght,
            "porteur": etablissement(porteur),
            "decision": decision,
            "montant_plafond": montant,
            "montant_raison": raison,
            "membres": [_membre(m, x) for m, x in zip(membres, montants)],
            "motifs": motifs,
        })
    return candidatures


def statuer(programme: Programme, date_evaluation: date, dossiers: list[Dossier],
            raison_doublons: str = "premier dépôt donné") -> tuple[list[Candidature], list[Doublon]]:
    """Les candidatures décidées sur les dossiers donnés, un FINESS n'étant jamais décidé ni sommé deux
    fois (`ecarter_doublons`, `raison_doublons` : l'ordre qui retient le premier) ; (candidatures, doublons)."""
    retenus, doublons = ecarter_doublons(dossiers, raison_doublons)
    return decider(programme, date_evaluation, retenus, doublons), doublons
