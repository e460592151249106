"""Le contrat JSON « verificateur/lot/2 » (docs/lot.md §3, schéma `schemas/lot.schema.json`) : l'en-tête,
les entrées triées, la synthèse et les agrégats (`agregats.py`), l'empreinte ; le code de sortie ; la
fusion des parties d'un lot réparti (`lot fusionner`), qui redonne le lot unique octet pour octet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verificateur import __version__
from verificateur.lot.entree import CODE_ECHEC_DEPOT, cle_tri
from verificateur.lot.stock import EntreesTriees
from verificateur.socle import donnees_personnelles
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.problemes import ErreurVerificateur

if TYPE_CHECKING:
    from verificateur.politiques import Catalogue

FORMAT = "verificateur/lot/2"  # /2 : les échéances des 90 prochains jours (docs/lot.md §3)
CODE_INTERRUPTION = 130


def entete(catalogue: Catalogue, date_evaluation: date, sources: list[str], partie: tuple[int, int] | None,
           revision: str | None, seuil_echec: str, fraicheur: bool) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "outil": {"version": __version__},
        "date_evaluation": date_evaluation.isoformat(),
        "politiques": [{"id": p.id, "version": p.version, "empreinte": p.empreinte} for p in catalogue.politiques],
        "regles": [{"regle": r.id, "titre": r.titre, "gravite": r.gravite} for r in catalogue.regles.values()],
        "partie": {"indice": partie[0], "total": partie[1]} if partie else None,
        "sources": donnees_personnelles.assainir(list(sources)),
        "options": {"revision": revision, "seuil_echec": seuil_echec, "fraicheur": fraicheur},
    }


def sceller(donnees: dict[str, Any]) -> dict[str, Any]:
    """(Re)calcule l'empreinte : sha256 du JSON canonique sans elle (comme rapport.empreinte)."""
    donnees.pop("empreinte", None)
    donnees["empreinte"] = empreinte_en_flux(donnees)
    return donnees


def empreinte_en_flux(donnees: dict[str, Any]) -> str:
    """`rapport.empreinte(donnees)`, mêmes octets hachés, mais sans tenir tout le JSON canonique en
    mémoire : les listes de premier niveau (les établissements) sont hachées élément par élément."""
    def canon(valeur: Any) -> bytes:
        return json.dumps(valeur, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    h = hashlib.sha256(b"{")
    for i, cle in enumerate(sorted(c for c in donnees if c != "empreinte")):
        h.update((b"," if i else b"") + canon(cle) + b":")
        valeur = donnees[cle]
        if isinstance(valeur, (list, EntreesTriees)):
            h.update(b"[")
            for j, element in enumerate(valeur):
                h.update((b"," if j else b"") + canon(element))
            h.update(b"]")
        else:
            h.update(canon(valeur))
    h.update(b"}")
    return "sha256:" + h.hexdigest()


def assembler(tete: dict[str, Any], etablissements: Iterable[dict[str, Any]], interrompu: bool) -> dict[str, Any]:
    """Le lot complet et scellé. `etablissements` : des entrées (triées ici), ou les entrées d'un lot
    déjà triées sur disque (`stock.EntreesTriees`), parcourues une fois pour la synthèse et les agrégats."""
    from verificateur.lot import agregats

    triees: Sequence[dict[str, Any]] = etablissements if isinstance(etablissements, EntreesTriees) else sorted(etablissements, key=cle_tri)
    agregateur = agregats.accumuler(triees, tete["regles"])
    donnees = {
        **tete,
        "synthese": agregateur.synthese(),
        "etablissements": triees,
        "agregats": agregateur.agreger(),
        "echecs": agregateur.echecs,
        "interrompu": interrompu,
    }
    return sceller(donnees)


def code_sortie(donnees: dict[str, Any], codes: list[int] | None = None) -> int:
    """130 interrompu ; 4 au moins un dépôt en échec ; 1 au moins un établissement non conforme
    (ou, pour un lot évalué, une preuve invalide) ; 0 sinon."""
    if donnees["interrompu"]:
        return CODE_INTERRUPTION
    if donnees["synthese"]["echecs"]:
        return CODE_ECHEC_DEPOT
    if donnees["synthese"]["non_conformes"] or any(c == 1 for c in codes or []):
        return 1
    return 0


def lire_json(fichier: str) -> Any:
    """Le JSON d'un résultat de lot relu (une partie à fusionner, un lot à enregistrer dans
    l'observatoire) ; un fichier illisible ou qui n'est pas du JSON, dit en français."""
    try:
        return json.loads(Path(fichier).read_bytes())
    except OSError as exc:
        raise ErreurVerificateur(f"{fichier}: illisible ({erreur_systeme(exc)})") from None
    except ValueError:
        raise ErreurVerificateur(f"{fichier}: JSON illisible, attendu la sortie de « verificateur lot --format json »") from None


def fusionner(fichiers: list[str]) -> dict[str, Any]:
    """Réunit les parties d'un lot partitionné (`--partie i/n`) : mêmes date, politiques, sources et
    options ; parties complémentaires (1 à n, chacune une fois) ; aucun dépôt en double. Le résultat
    est celui du lot unique, octet pour octet (agrégats et empreinte recalculés)."""
    parties = []
    for fichier in fichiers:
        donnees = lire_json(fichier)
        if not isinstance(donnees, dict) or donnees.get("format") != FORMAT:
            raise ErreurVerificateur(f"{fichier}: pas un lot au format {FORMAT}")
        erreurs = valider(donnees)
        if erreurs:
            raise ErreurVerificateur(f"{fichier}: lot hors schéma : {erreurs[0]}")
        if donnees["empreinte"] != empreinte_en_flux(donnees):
            raise ErreurVerificateur(f"{fichier}: empreinte invalide, le fichier a été modifié depuis son écriture")
        if "programme" in donnees or "eligibilite" in donnees:
            raise ErreurVerificateur(f"{fichier}: lot évalué avec un programme ; fusionnez les lots sans --programme")
        if donnees["partie"] is None:
            raise ErreurVerificateur(f"{fichier}: lot complet (sans --partie), rien à fusionner")
        parties.append((fichier, donnees))
    if not parties:
        raise ErreurVerificateur("fusionner : au moins un fichier JSON de lot attendu (pour évaluer un dossier nommé « fusionner » : "
                                 "./fusionner)")
    premier_fichier, premier = parties[0]
    for cle, libelle in (("outil", "version de l'outil"), ("date_evaluation", "date d'évaluation"), ("politiques", "politiques"),
                         ("regles", "règles"), ("sources", "sources"), ("options", "options")):
        for fichier, donnees in parties[1:]:
            if donnees[cle] != premier[cle]:
                raise ErreurVerificateur(f"{fichier}: {libelle} différente(s) de {premier_fichier} ; seules les parties d'un même lot se "
                                         "fusionnent")
    total = premier["partie"]["total"]
    vues: dict[int, str] = {}
    for fichier, donnees in parties:
        if donnees["partie"]["total"] != total:
            raise ErreurVerificateur(f"{fichier}: partie {donnees['partie']['indice']}/{donnees['partie']['total']}, alors que "
                                     f"{premier_fichier} compte {total} parties")
        indice = donnees["partie"]["indice"]
        if indice in vues:
            raise ErreurVerificateur(f"{fichier}: partie {indice}/{total} déjà donnée par {vues[indice]}")
        vues[indice] = fichier
    manquantes = sorted(set(range(1, total + 1)) - set(vues))
    if manquantes:
        raise ErreurVerificateur(f"parties manquantes : {', '.join(f'{i}/{total}' for i in manquantes)}")
    etablissements: list[dict[str, Any]] = []
    origine: dict[str, str] = {}
    for fichier, donnees in parties:
        for entree in donnees["etablissements"]:
            if entree["chemin"] in origine:
                raise ErreurVerificateur(f"{fichier}: dépôt {entree['chemin']} en double (déjà dans {origine[entree['chemin']]})")
            origine[entree["chemin"]] = fichier
            etablissements.append(donnees_personnelles.assainir(entree))  # une partie écrite par une version antérieure
    tete = {k: premier[k] for k in ("format", "outil", "date_evaluation", "politiques", "regles", "partie", "sources", "options")}
    tete["partie"] = None
    return assembler(tete, etablissements, any(d["interrompu"] for _, d in parties))


def valider(donnees: dict[str, Any]) -> list[str]:
    """Les écarts au schéma livré `schemas/lot.schema.json` (vide si conforme)."""
    from verificateur.socle import validation

    return [f"{'/'.join(str(p) for p in chemin) or '(racine)'}: {message}" for chemin, message in validation.ecarts("lot", donnees)]
