"""Rendus HTML du catalogue (`referentiels couverture`, `politiques lister`) : un fichier autonome,
mêmes gabarits Jinja2 (échappement automatique) et même feuille de style que le rapport."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur import __version__
from verificateur.rendus.commun import ORDRE_STATUTS, catalogue_des, preuves_lues
from verificateur.rendus.html import environnement

if TYPE_CHECKING:
    from verificateur.auteurs.couverture import Ligne
    from verificateur.politiques import Catalogue, Exigence
    from verificateur.rendus.registre import Options

_ETATS = {  # état d'une exigence → (couleur de statut, libellé)
    "couverte": ("conforme", "couverte"),
    "orpheline": ("non_conforme", "non couverte"),
    "non_verifiable": ("non_applicable", "non vérifiable"),
}


_PREFIXE = "non vérifiable sur les preuves d'un établissement : "  # déjà dit par le badge


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _entete(catalogue: Catalogue) -> dict[str, Any]:
    return {
        "version": __version__,
        "statuts": ORDRE_STATUTS,
        "politiques": [{"id": p.id, "version": p.version} for p in catalogue.politiques],
        "referentiels": sorted(catalogue.referentiels),
    }


def couverture(lignes: list[Ligne], options: Options | None = None) -> str:
    from verificateur.auteurs.couverture import bilan

    catalogue = catalogue_des(options)

    groupes: dict[str, list[dict[str, Any]]] = {}
    for l in lignes:
        etat = "couverte" if l.couverte else "orpheline" if l.verifiable else "non_verifiable"
        couleur, libelle = _ETATS[etat]
        regles = [catalogue.regles[r] for r in l.regles]
        groupes.setdefault(l.referentiel, []).append({
            "exigence": l.exigence, "titre": l.titre, "etat": couleur, "libelle": libelle,
            "remarque": _majuscule(l.remarque.removeprefix(_PREFIXE)) if etat == "non_verifiable" else l.remarque,
            "regles": [{"id": r.id, "titre": r.titre, "gravite": r.gravite} for r in regles], "preuves": list(l.preuves),
        })
    couvertes = sum(l.couverte for l in lignes)
    orphelines = sum(1 for l in lignes if not l.couverte and l.verifiable)
    return environnement().get_template("catalogue.html.j2").render(
        mode="couverture", titre="Couverture des référentiels", surtitre="Matrice exigence → règles → preuves",
        groupes=[{"id": ref, "lignes": groupes[ref]} for ref in sorted(groupes)],
        total=len(lignes), couvertes=couvertes, orphelines=orphelines, non_verifiables=len(lignes) - couvertes - orphelines,
        bilan=bilan(lignes), externes=(options or {}).get("correspondances", []), portees=_portees(), **_entete(catalogue),
    )


def _portees() -> dict[str, str]:
    from verificateur.auteurs.couverture import LIBELLES_PORTEES

    return LIBELLES_PORTEES


def regles(catalogue: Catalogue, options: Options | None = None) -> str:
    groupes = []
    for p in catalogue.politiques:
        liste = [
            {"id": r.id, "titre": r.titre, "gravite": r.gravite, "exigences": list(r.exigences), "preuves": preuves_lues(r),
             "fichier": "/".join(r.fichier.split("/")[-2:]), "ligne": r.ligne}  # regles/x.yaml : dans sa politique
            for r in catalogue.regles.values() if r.politique == p.id
        ]
        groupes.append({"id": p.id, "version": p.version, "titre": p.titre, "regles": liste})
    return environnement().get_template("catalogue.html.j2").render(
        mode="regles", titre="Règles des politiques chargées", surtitre="Catalogue des règles", groupes=groupes,
        **_entete(catalogue),
    )


def exigences(liste: list[Exigence], options: Options | None = None) -> str:
    catalogue = catalogue_des(options)
    groupes: dict[str, list[dict[str, Any]]] = {}
    for e in liste:
        groupes.setdefault(e.referentiel, []).append({
            "id": e.id, "titre": e.titre, "enonce": e.enonce, "verifiable": e.verifiable, "confiance": e.confiance,
            "verification": e.donnees.get("verification", ""),
            "sources": [{"document": s.get("document", ""), "emetteur": s.get("emetteur", ""), "date": s.get("date"),
                         "url": s.get("url")} for s in e.sources],
            "regles": [r.id for r in catalogue.regles.values() if e.id in r.exigences],
        })
    return environnement().get_template("catalogue.html.j2").render(
        mode="exigences", titre="Exigences des référentiels", surtitre="Catalogue des exigences",
        groupes=[{"id": ref, "titre": catalogue.referentiels[ref]["referentiel"]["titre"], "exigences": groupes[ref]}
                 for ref in sorted(groupes)],
        **_entete(catalogue),
    )
