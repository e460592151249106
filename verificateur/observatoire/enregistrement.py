"""D'un lot « verificateur/lot/1 » à la base : on ne garde que des identifiants, des codes et des statuts.

Ce qui est gardé de chaque établissement : FINESS, raison sociale, région, catégorie (les champs du
profil), le chemin du dépôt, l'état (évalué ou en échec), la synthèse (statut global, taux, décompte
par statut, seuil), le nombre de problèmes, l'empreinte du rapport, le chemin de son rapport HTML, et
le statut de chaque règle. Jamais la raison d'un échec de lecture ni une explication : ces textes
peuvent citer le contenu d'une preuve.
"""

from __future__ import annotations

import os
from typing import Any

from verificateur.observatoire.store import STATUTS, Observatoire
from verificateur.socle import donnees_personnelles
from verificateur.socle.problemes import ErreurVerificateur, sans_controle

# Le masquage des données personnelles des sorties (s'il est livré) s'applique aussi aux textes gardés.
_MASQUER = getattr(donnees_personnelles, "masquer", None)


def _texte(valeur: object) -> str | None:
    """Un texte gardé : contrôles rendus visibles (rien de brut vers un terminal), données personnelles masquées."""
    if valeur is None:
        return None
    texte = sans_controle(str(valeur))
    return _MASQUER(texte) if _MASQUER is not None else texte


def lire_lot(fichier: str) -> dict[str, Any]:
    """Le JSON d'un lot, vérifié : format, schéma, empreinte ; sinon un message qui nomme le fichier."""
    from verificateur import lot
    from verificateur.socle import validation

    donnees = lot.lire_json(fichier)
    if not isinstance(donnees, dict) or "format" not in donnees:
        raise ErreurVerificateur(f"{fichier}: pas un lot de verificateur (aucune clé « format ») ; "
                                 "attendu la sortie de « verificateur lot --format json »")
    if donnees["format"] != lot.FORMAT:
        format_lu = sans_controle(str(donnees["format"]))[:80]
        raise ErreurVerificateur(f"{fichier}: lot au format « {format_lu} » ; "
                                 f"cette version de verificateur enregistre le format {lot.FORMAT}")
    ecarts = validation.ecarts("lot", donnees)
    if ecarts:
        chemin, message = ecarts[0]
        lieu = "/".join(str(p) for p in chemin) or "(racine)"
        raise ErreurVerificateur(f"{fichier}: lot hors schéma (verificateur/schemas/lot.schema.json), à {lieu} : {message}")
    if donnees["empreinte"] != lot.empreinte_en_flux(donnees):
        raise ErreurVerificateur(f"{fichier}: empreinte invalide, le fichier a été modifié depuis son écriture")
    return donnees


def normaliser(donnees: dict[str, Any], base_liens: str | None) -> dict[str, Any]:
    """Le lot tel qu'il est gardé. `base_liens` : le dossier auquel les chemins de rapports du lot sont
    relatifs ; ils sont gardés absolus, pour que la page de l'observatoire les retrouve d'où qu'on l'écrive."""
    if donnees.get("interrompu"):
        raise ErreurVerificateur("lot interrompu : une campagne partielle ferait croire que des établissements ne répondent plus ; "
                                 "terminez le lot (--reprendre) avant de l'enregistrer")
    etablissements = []
    vues: set[str] = set()
    for e in donnees["etablissements"]:
        cle = e["finess"] or f"chemin:{e['chemin']}"
        if cle in vues:  # deux dépôts du même FINESS dans un lot : le second est distingué par son chemin
            cle = f"{cle} ({e['chemin']})"
        vues.add(cle)
        synthese = e["synthese"] or {}
        rapport = (e.get("rapports") or {}).get("html")
        if rapport and base_liens is not None:
            rapport = os.path.normpath(os.path.join(base_liens, rapport))
        etablissements.append({
            "cle": _texte(cle), "finess": e["finess"], "raison_sociale": _texte(e["raison_sociale"]),
            "region": _texte(e["region"]), "categorie": _texte(e["categorie"]), "chemin": _texte(e["chemin"]), "etat": e["etat"],
            "statut_global": synthese.get("statut_global"), "taux_conformite": synthese.get("taux_conformite"),
            "seuil_echec": synthese.get("seuil_echec"), **{s: synthese.get(s) for s in STATUTS}, "total": synthese.get("total"),
            "problemes": e["problemes"], "empreinte": e["empreinte"], "rapport": rapport,
            "resultats": {_texte(regle): statut for regle, statut in e["resultats"].items()},
        })
    partie = donnees.get("partie")
    return {
        "empreinte": donnees["empreinte"],
        "outil_version": donnees["outil"]["version"],
        "date_evaluation": donnees["date_evaluation"],
        "sources": [_texte(source) for source in donnees["sources"]],
        "politiques": [{"id": _texte(p["id"]), "version": _texte(p["version"]), "empreinte": p["empreinte"]}
                       for p in donnees["politiques"]],
        "options": dict(donnees["options"]),
        "partie": f"{partie['indice']}/{partie['total']}" if partie else None,
        "regles": [{"regle": _texte(r["regle"]), "titre": _texte(r["titre"]), "gravite": r["gravite"]} for r in donnees["regles"]],
        "etablissements": etablissements,
    }


def verifier_nom(nom: str) -> str:
    nom = nom.strip()
    if not nom or not nom.isprintable() or len(nom) > 100:
        raise ErreurVerificateur("--campagne : nom de campagne attendu, de 1 à 100 caractères imprimables (ex. 2026-T3)")
    return nom


def bilan(nom: str, lot: dict[str, Any], nouveau: bool, chemin: str) -> str:
    n = len(lot["etablissements"])
    if not nouveau:
        return f"campagne « {nom} » : ce lot (même empreinte) est déjà enregistré dans {chemin}, rien à ajouter"
    return f"campagne « {nom} » ({lot['date_evaluation']}) : {n} établissement(s) enregistré(s) dans {chemin}"


def enregistrer(chemin: str, nom: str, donnees: dict[str, Any], base_liens: str | None) -> str:
    """Enregistre un lot (déjà vérifié) dans la campagne `nom` ; rend la ligne de bilan."""
    lot = normaliser(donnees, base_liens)
    with Observatoire(chemin, creer=True) as obs:
        [(_, _, nouveau)] = obs.enregistrer([(nom, lot)])
    return bilan(nom, lot, nouveau, chemin)


def importer(chemin: str, autre: str) -> list[str]:
    """Réunit dans `chemin` les campagnes d'un autre observatoire (une ARS vers le national), en une
    transaction : tout ou rien. Un lot déjà présent (même campagne, même empreinte) n'est pas recopié."""
    from verificateur.observatoire.store import meme_fichier

    if os.path.exists(chemin) and meme_fichier(chemin, autre):
        raise ErreurVerificateur(f"importer : {autre} est l'observatoire lui-même")
    with Observatoire(autre) as source:
        lots = source.lots_complets()
    if not lots:
        return [f"{autre}: aucune campagne à importer"]
    with Observatoire(chemin, creer=True) as obs:
        resultat = obs.enregistrer(lots)
    return [bilan(nom, lot, nouveau, chemin) for nom, lot, nouveau in resultat]
