"""Les motifs d'une décision (purs : aucune lecture) : chaque condition du programme jugée pour un
établissement — la fenêtre à la date de décision, le profil (catégorie, statut juridique, région),
chaque prérequis et objectif d'après le verdict du moteur, le doublon d'un FINESS —, avec son résultat
(`satisfait`, `non_satisfait`, `indetermine`, `a_confirmer`, `clos`), ce qui le fonde et où il est écrit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from verificateur.financements.dossiers import Dossier
from verificateur.financements.modeles import (
    A_CONFIRMER,
    CLOS,
    INDETERMINE,
    LIBELLES_STATUTS,
    NON_SATISFAIT,
    SATISFAIT,
    Condition,
    Doublon,
    Etablissement,
    Motif,
    Programme,
)
from verificateur.socle.lecture import Chemin


def nom(dossier: Dossier) -> str:
    return str((dossier.profil or {}).get("raison_sociale") or dossier.chemin)


def etablissement(dossier: Dossier) -> Etablissement:
    p = dossier.profil or {}
    return {"chemin": dossier.chemin, "finess": p.get("finess"), "raison_sociale": p.get("raison_sociale")}


def motif(programme: Programme, type_: str, condition: str, resultat: str, message: str, *, chemin_programme: Chemin,
          bloquant: bool = True, valeur: object = None, regle: str | None = None, date_motif: date | None = None,
          dossier: Dossier | None = None, preuves: list[dict[str, Any]] | None = None,
          element: dict[str, Any] | None = None, explication: str | None = None) -> Motif:
    """Un motif ; `element` : l'élément du programme qui pose la condition (ses sources, son hypothèse)."""
    element = element or {}
    hypothese = element.get("hypothese_projet")
    return {
        "type": type_,
        "condition": condition,
        "resultat": resultat,
        "bloquant": bloquant,
        "valeur": valeur,
        "regle": regle,
        "date": date_motif.isoformat() if date_motif else None,
        "etablissement": etablissement(dossier) if dossier else None,
        "explication": explication,
        "preuves": preuves or [],
        "programme": {"fichier": programme.fichier, "ligne": programme.ligne(chemin_programme)},
        "sources": list(element.get("sources", [])),
        "hypothese_projet": hypothese is not None,
        "hypothese": hypothese,
        "message": message,
    }


def motif_fenetre(programme: Programme, date_evaluation: date) -> Motif:
    """La date de décision dans la fenêtre du programme : avant l'ouverture, pendant, à l'échéance des
    objectifs (connue ou non), ou après la clôture ou la fin (`clos`)."""
    o, c, e = programme.ouverture, programme.cloture, programme.echeance
    d = date_evaluation.isoformat()
    element = programme.candidature
    if date_evaluation < o:
        return motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", NON_SATISFAIT,
                     f"candidature pas encore ouverte : la fenêtre ouvre le {o.isoformat()} (date de décision {d})",
                     chemin_programme=("fenetre", "candidature", "ouverture"), valeur=d, date_motif=date_evaluation, element=element)
    fin = programme.fin
    if fin is not None and date_evaluation > fin:
        f = programme.donnees["fenetre"]["fin"]
        quoi = f" ({f['libelle']})" if f.get("libelle") else ""
        return motif(programme, "fenetre", "programme en cours à la date de décision", CLOS,
                     f"programme clos le {fin.isoformat()}{quoi} : aucune décision d'éligibilité après cette date (date de décision {d})",
                     chemin_programme=("fenetre", "fin", "date"), valeur=d, date_motif=date_evaluation, element=f)
    if programme.phase_objectifs_inconnue(date_evaluation):
        objectifs = programme.donnees["fenetre"]["objectifs"]
        oo = programme.ouverture_objectifs
        if oo:
            depuis = f"déclaration des objectifs ouverte depuis le {oo.isoformat()}"
        else:
            depuis = f"candidature close le {c.isoformat() if c else ''}"
        return motif(programme, "fenetre", "échéance des objectifs connue", A_CONFIRMER,
                     f"{depuis} ; échéance inconnue : {programme.echeance_inconnue} ; "
                     f"objectifs vérifiés à la date de décision {d}, décision à confirmer",
                     chemin_programme=("fenetre", "objectifs", "fait_inconnu"), valeur=d, date_motif=date_evaluation, element=objectifs)
    if e is not None and date_evaluation >= e:
        return motif(programme, "fenetre", "échéance des objectifs atteinte", SATISFAIT,
                     f"échéance des objectifs du {e.isoformat()} atteinte à la date de décision {d} : prérequis et objectifs vérifiés",
                     chemin_programme=("fenetre", "objectifs", "echeance"), valeur=d, date_motif=date_evaluation,
                     element=programme.donnees["fenetre"]["objectifs"])
    if c is not None and date_evaluation > c:
        return _motif_clos_aux_candidatures(programme, date_evaluation)
    if c is None and element.get("fait_inconnu"):
        # Une clôture non publiée : le guichet est peut-être clos, la décision ne peut pas être « éligible ».
        return motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", A_CONFIRMER,
                     f"date de décision {d} après l'ouverture du guichet le {o.isoformat()} ; clôture inconnue : "
                     f"{element['fait_inconnu']} ; décision à confirmer",
                     chemin_programme=("fenetre", "candidature", "fait_inconnu"), valeur=d, date_motif=date_evaluation, element=element)
    texte = f"du {o.isoformat()} au {c.isoformat()}" if c else f"ouverte depuis le {o.isoformat()}, sans clôture"
    return motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", SATISFAIT,
                 f"date de décision {d} dans la fenêtre de candidature {texte}",
                 chemin_programme=("fenetre", "candidature"), valeur=d, date_motif=date_evaluation, element=element)


def _motif_clos_aux_candidatures(programme: Programme, date_evaluation: date) -> Motif:
    # Close aux candidatures : le dire, plutôt que de déclarer chaque établissement non éligible.
    c, e, d = programme.cloture, programme.echeance, date_evaluation.isoformat()
    assert c is not None
    suite = ""
    if e is not None:
        suite = f" ; objectifs vérifiés à leur échéance du {e.isoformat()}"
    elif programme.ouverture_objectifs is not None:
        suite = f" ; déclaration des objectifs à partir du {programme.ouverture_objectifs.isoformat()}"
    return motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", CLOS,
                 f"programme clos aux candidatures le {c.isoformat()}{suite} (date de décision {d})",
                 chemin_programme=("fenetre", "candidature", "cloture"), valeur=d, date_motif=date_evaluation,
                 element=programme.candidature)


def preuve_profil(dossier: Dossier, cle: str) -> list[dict[str, Any]]:
    revision = (dossier.depot or {}).get("revision")
    return [{"fichier": "etablissement.yaml", "ligne": dossier.lignes_profil.get(cle), "revision": revision}]


def motifs_profil(programme: Programme, dossier: Dossier) -> list[Motif]:
    """Le dépôt évalué, son profil connu, puis chaque critère des candidats (catégorie, statut, région)."""
    candidats = programme.donnees["candidats"]
    nom_ = nom(dossier)
    if dossier.echec is not None:
        return [motif(programme, "candidat", "dépôt évalué", INDETERMINE, f"{dossier.chemin} : dépôt non évalué ({dossier.echec})",
                      chemin_programme=("candidats",), dossier=dossier, element=candidats)]
    if dossier.profil is None:
        return [motif(programme, "candidat", "profil de l'établissement connu", INDETERMINE,
                      f"{dossier.chemin} : profil de l'établissement inconnu (etablissement.yaml absent ou invalide)",
                      chemin_programme=("candidats",), dossier=dossier, element=candidats,
                      preuves=[{"fichier": "etablissement.yaml", "ligne": None, "revision": (dossier.depot or {}).get("revision")}])]
    motifs = []
    for cle, champ, mot, feminin in (("categories", "categorie", "catégorie", True),
                                     ("statuts_juridiques", "statut_juridique", "statut juridique", False),
                                     ("regions", "region", "région", True)):
        if cle not in candidats:
            continue
        valeur = dossier.profil.get(champ)
        admis = candidats[cle]
        ok = valeur in admis
        accorde = "admise" if feminin else "admis"
        resultat = SATISFAIT if ok else NON_SATISFAIT
        if ok:
            message = f"{nom_} : {mot} « {valeur} » {accorde}"
        else:
            message = f"{nom_} : {mot} « {valeur} » non {accorde} ({'admises' if feminin else 'admis'} : {', '.join(admis)})"
            if candidats.get("fait_inconnu"):
                # Des critères non publiés : la liste des admis est une hypothèse, jamais « non éligible » sur elle.
                resultat = A_CONFIRMER
                message += f" ; à confirmer : {candidats['fait_inconnu']}"
        motifs.append(motif(programme, "candidat", f"{mot} parmi : {', '.join(admis)}", resultat, message,
                            chemin_programme=("candidats", cle), valeur=valeur, dossier=dossier,
                            preuves=preuve_profil(dossier, champ), element=candidats))
    if candidats.get("fait_inconnu") and all(m["resultat"] == SATISFAIT for m in motifs):
        # Ce qui est connu ne suffit pas à dire « éligible » quand les critères ne sont pas publiés.
        motifs.append(motif(programme, "candidat", "critères d'éligibilité connus", A_CONFIRMER,
                            f"{nom_} : critères d'éligibilité à confirmer : {candidats['fait_inconnu']}",
                            chemin_programme=("candidats", "fait_inconnu"), dossier=dossier, element=candidats))
    return motifs


def _bloquant(programme: Programme, condition: Condition, date_evaluation: date) -> bool:
    """Un prérequis bloque toujours ; un objectif, seulement une fois son échéance atteinte (ou, échéance
    inconnue, une fois la déclaration des objectifs ouverte)."""
    if condition.nature == "prerequis":
        return True
    if programme.echeance_inconnue is not None:
        return programme.phase_objectifs_inconnue(date_evaluation)
    echeance = programme.echeance
    return echeance is None or date_evaluation >= echeance


def _jugement(condition: Condition, statut: str) -> tuple[str, str]:
    """(résultat, texte) d'un verdict du moteur pour cette condition."""
    texte = LIBELLES_STATUTS.get(statut, statut)
    if statut in ("conforme", "non_applicable"):
        resultat = SATISFAIT
    elif statut == "derogation":
        resultat = SATISFAIT if condition.derogation_acceptee else NON_SATISFAIT
        texte += ", acceptée par le programme" if condition.derogation_acceptee else ", non acceptée par le programme (attendu conforme)"
    elif statut == "non_conforme":
        resultat = NON_SATISFAIT
        texte += " (attendu conforme)"
    else:  # preuve_manquante, erreur : on ne peut pas décider
        resultat = INDETERMINE
    return resultat, texte


def motif_regle(programme: Programme, condition: Condition, indice: int, dossier: Dossier, date_condition: date,
                date_evaluation: date) -> Motif:
    """Un prérequis ou un objectif (le `indice`-ième de sa liste), jugé sur le verdict du moteur à `date_condition`."""
    cle = "prerequis" if condition.nature == "prerequis" else "objectifs"
    element = programme.donnees[cle][indice]
    nature = "prérequis" if condition.nature == "prerequis" else "objectif"
    inconnue = programme.echeance_inconnue
    bloquant = _bloquant(programme, condition, date_evaluation)
    attendu = "conforme" + (" (dérogation acceptée)" if condition.derogation_acceptee else "")
    libelle = f"{condition.regle} {attendu} au {date_condition.isoformat()}"
    if condition.libelle:
        libelle += f" : {condition.libelle}"
    verdict = (dossier.verdicts.get(date_condition.isoformat()) or {}).get(condition.regle)
    debut = f"{nature} {condition.regle} au {date_condition.isoformat()} — {nom(dossier)} : "
    communs: dict[str, Any] = {"chemin_programme": (cle, indice, "regle"), "bloquant": bloquant, "regle": condition.regle,
                               "date_motif": date_condition, "dossier": dossier, "element": element}
    if dossier.echec is not None or dossier.profil is None and verdict is None:
        return motif(programme, condition.nature, libelle, INDETERMINE, debut + "non évalué (dépôt illisible)", **communs)
    if verdict is None:
        return motif(programme, condition.nature, libelle, INDETERMINE, debut + "règle absente du rapport", **communs)
    statut = verdict["statut"]
    resultat, texte = _jugement(condition, statut)
    if condition.fait_inconnu and resultat != INDETERMINE:
        # La règle applique une lecture du projet là où le texte se tait : ni oui ni non.
        resultat = A_CONFIRMER
        texte += f" ; à confirmer : {condition.fait_inconnu}"
    elif resultat == NON_SATISFAIT and condition.nature == "objectif" and inconnue is not None and bloquant:
        resultat = A_CONFIRMER
        texte += f" ; peut encore être atteint avant l'échéance, inconnue ({inconnue})"
    if not bloquant:
        if inconnue is not None:
            texte += f" ; objectif à atteindre avant l'échéance, inconnue ({inconnue}), non bloquant avant"
        else:
            echeance = programme.echeance
            texte += f" ; objectif à atteindre au plus tard le {echeance.isoformat() if echeance else ''}, non bloquant avant"
    return motif(programme, condition.nature, libelle, resultat, debut + texte, valeur=statut, preuves=verdict["preuves"],
                 explication=verdict["explication"], **communs)


def motif_doublon(programme: Programme, doublon: Doublon, dossier: Dossier) -> Motif:
    """Le doublon dit dans la candidature : pour information s'ils sont identiques, bloquant sinon."""
    identiques = not doublon["differences"]
    return motif(programme, "doublon", "un seul dépôt par établissement (FINESS)", SATISFAIT if identiques else INDETERMINE,
                 doublon["message"], chemin_programme=("candidats",), bloquant=not identiques, valeur=doublon["finess"],
                 dossier=dossier, element={})
