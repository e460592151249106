"""Rendu texte : la décision de chaque candidature et chacun de ses motifs, puis les totaux et les
hypothèses du projet (ce que les sources ne disent pas, répété à chaque lecture)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verificateur.financements.modeles import Candidature, Fenetre, LigneRegion, Resultat, Synthese
from verificateur.rendus.eligibilite.commun import (
    LIBELLES_DECISIONS,
    PLURIELS_DECISIONS,
    SYMBOLES,
    compte_decisions,
    euros,
    lieu,
    lieux,
    montant,
    part,
    source_texte,
)

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options


def _fenetre(f: Fenetre) -> str:
    texte = f"fenêtre de candidature du {f['ouverture']}" + (f" au {f['cloture']}" if f["cloture"] else ", sans clôture")
    if f["echeance_objectifs"]:
        texte += f" ; objectifs à atteindre au plus tard le {f['echeance_objectifs']}"
    elif f.get("echeance_inconnue"):
        ouverture = f" (déclaration ouverte le {f['ouverture_objectifs']})" if f.get("ouverture_objectifs") else ""
        texte += f" ; échéance des objectifs inconnue{ouverture} : {f['echeance_inconnue']}"
    if f.get("fin"):
        texte += f" ; programme clos après le {f['fin']}"
    return texte


def _candidature(c: Candidature) -> list[str]:
    """La décision d'une candidature, chacun de ses motifs (✓ ✗ ? ~ ∅, « · » s'il ne bloque pas) et ses montants."""
    sans_montant = c["decision"] not in ("eligible", "a_confirmer")
    plafond = "aucun montant" if sans_montant else f"montant plafond : {montant(c['montant_plafond'])}"
    lignes = [f"{c['nom']} — {LIBELLES_DECISIONS[c['decision']].upper()} — {plafond}"]
    if c["ght"]:
        lignes.append(f"  membres : {', '.join((m['raison_sociale'] or m['chemin']) for m in c['membres'])}")
    for m in c["motifs"]:
        marque = SYMBOLES[m["resultat"]] if m["bloquant"] else "·"
        texte = f"  {marque} {m['message']}"
        preuves = lieux(m)
        if preuves:
            texte += f" [{preuves}]"
        if m["hypothese_projet"]:
            texte += " (hypothèse du projet)"
        lignes.append(texte)
    if c["montant_plafond"] is not None:
        for membre in c["membres"]:
            lignes.append(f"  € {membre['montant_detail']}")
    elif not sans_montant:
        lignes.append(f"  € montant non calculable : {c['montant_raison']}")
    return lignes


def _total(calcul: str, s: Synthese) -> str:
    """Le montant plafond total des éligibles, contre l'enveloppe du programme."""
    if calcul == "non_defini":
        total = "montant plafond : non calculé, le programme ne définit pas de barème"
        if s["enveloppe"] is not None:
            total += f" ; enveloppe du programme : {euros(s['enveloppe'])}"
    elif s["montants_inconnus"] and not s["montant_plafond_total"]:
        total = f"montant plafond total des éligibles : non calculable ({s['montants_inconnus']} établissement(s) éligible(s) sans montant)"
        if s["enveloppe"] is not None:
            total += f" ; enveloppe du programme : {euros(s['enveloppe'])}"
    else:
        total = f"montant plafond total des éligibles : {euros(s['montant_plafond_total'])}"
        if s["montants_inconnus"]:
            total += f" (+ {s['montants_inconnus']} établissement(s) éligible(s) sans montant calculable)"
        if s["enveloppe"] is not None:
            total += f", soit {part(s['montant_plafond_total'], s['enveloppe'])}"
    return total


def _regions(par_region: list[LigneRegion]) -> str:
    from tabulate import tabulate

    # « à confirmer » et « programme clos » : des colonnes seulement s'il y en a.
    en_plus = [d for d in ("a_confirmer", "clos") if any(r.get(d) for r in par_region)]
    tableau = [
        [r["cle"] or "?", r["eligible"], r["non_eligible"], r["incomplet"], *(r.get(d) for d in en_plus),
         euros(r["montant_plafond_total"]), "—" if r["enveloppe"] is None else euros(r["enveloppe"])]
        for r in par_region
    ]
    entetes = ["région", "éligibles", "non éligibles", "incomplets", *(PLURIELS_DECISIONS[d] for d in en_plus),
               "plafonds éligibles", "enveloppe"]
    return tabulate(tableau, headers=entetes, tablefmt="simple", disable_numparse=True)


def rendre(donnees: Resultat, options: Options | None = None) -> str:
    p = donnees["programme"]
    lignes = [
        f"Programme {p['id']} — {p['titre']} (version {p['version']})",
        f"source : {source_texte(p['source'])}",
        f"date de décision {donnees['date_decision']} ; {_fenetre(p['fenetre'])}",
        *(f"avertissement : {d['message']}" for d in donnees.get("doublons", [])),
        "",
    ]
    for c in donnees["candidatures"]:
        lignes += [*_candidature(c), ""]
    s = donnees["synthese"]
    bilan = f"{compte_decisions(s['candidatures'])} (candidatures)"
    if s["candidatures"] != s["etablissements"]:
        bilan += f" ; établissements : {compte_decisions(s['etablissements'])}"
    lignes += [bilan, _total(p["montant_calcul"], s)]
    if donnees["par_region"]:
        lignes += ["", _regions(donnees["par_region"])]
    if donnees["hypotheses"]:
        lignes += ["", "Hypothèses du projet (les sources se taisent) :"]
        for h in donnees["hypotheses"]:
            lignes.append(f"  - {h['element']} ({lieu(h['fichier'], h['ligne'], ligne_toujours=True)}) : {h['texte']}")
    return "\n".join(lignes) + "\n"
