"""L'entrée d'un établissement dans un lot : une valeur typée (`Entree`), écrite au contrat
« verificateur/lot/2 » par `en_dict` (les clés dans l'ordre du contrat, docs/lot.md §3) et relue
du cache ou d'une reprise par `depuis_dict`, qui refuse ce qui n'a pas la forme attendue.

Deux façons d'en obtenir une : `entree_de` (un rapport évalué, et son échéancier à 90 jours) et
`echec` (un dépôt qui n'a pas pu être évalué). Toutes deux assainissent ce qui vient du dépôt."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from verificateur.lot.decouverte import Tache
from verificateur.socle import donnees_personnelles

CODE_ECHEC_DEPOT = 4  # au moins un dépôt n'a pas pu être évalué (docs/lot.md)
ETATS = ("evalue", "echec")


@dataclass(frozen=True, slots=True)
class Depot:
    """Ce qui a été lu : le chemin du dépôt, la source du rapport (arbre, révision…), la révision lue, s'il est nu."""

    chemin: str
    source: str | None = None
    revision: str | None = None
    nu: bool = False

    def en_dict(self) -> dict[str, Any]:
        return {"chemin": self.chemin, "source": self.source, "revision": self.revision, "nu": self.nu}


@dataclass(frozen=True, slots=True)
class Entree:
    """Un établissement du lot. `synthese` est celle du rapport (docs/rapport.md) ; `resultats` :
    règle → statut ; `echeances` : les règles qui seraient en échec dans les 90 jours ; `rapports` :
    les chemins de ses rapports JSON et HTML (--rapports)."""

    chemin: str
    depot: Depot
    etat: str  # « evalue » ou « echec »
    raison: str | None
    finess: str | None
    raison_sociale: str | None
    categorie: str | None
    region: str | None
    ght: dict[str, Any] | None  # le GHT d'etablissement.yaml (nom, établissement support…)
    synthese: dict[str, Any] | None
    resultats: dict[str, str]
    echeances_90_jours: int | None
    echeances: list[dict[str, Any]]
    problemes: int
    empreinte: str | None
    rapports: dict[str, str] | None

    def en_dict(self) -> dict[str, Any]:
        """L'entrée du contrat, clés dans l'ordre du contrat (le JSON du lot en dépend octet pour octet)."""
        return {
            "chemin": self.chemin,
            "depot": self.depot.en_dict(),
            "etat": self.etat,
            "raison": self.raison,
            "finess": self.finess,
            "raison_sociale": self.raison_sociale,
            "categorie": self.categorie,
            "region": self.region,
            "ght": self.ght,
            "synthese": self.synthese,
            "resultats": self.resultats,
            "echeances_90_jours": self.echeances_90_jours,
            "echeances": self.echeances,
            "problemes": self.problemes,
            "empreinte": self.empreinte,
            "rapports": self.rapports,
        }

    def avec_rapports(self, rapports: dict[str, str]) -> Entree:
        return replace(self, rapports=rapports)


def _construire(d: dict[str, Any]) -> Entree:
    depot = d["depot"]
    return Entree(
        chemin=d["chemin"], depot=Depot(depot["chemin"], depot["source"], depot["revision"], depot["nu"]),
        etat=d["etat"], raison=d["raison"], finess=d["finess"], raison_sociale=d["raison_sociale"],
        categorie=d["categorie"], region=d["region"], ght=d["ght"], synthese=d["synthese"], resultats=d["resultats"],
        echeances_90_jours=d["echeances_90_jours"], echeances=d["echeances"], problemes=d["problemes"],
        empreinte=d["empreinte"], rapports=d["rapports"],
    )


def _textes(d: dict[str, Any], cles: tuple[str, ...]) -> bool:
    return all(d[c] is None or isinstance(d[c], str) for c in cles)


def depuis_dict(donnees: Any) -> Entree:
    """L'entrée relue d'un fichier (cache, reprise) ; TypeError ou KeyError si elle n'en a pas la forme
    (un fichier altéré est alors ignoré par l'appelant, jamais cru)."""
    if not isinstance(donnees, dict) or not isinstance(donnees["depot"], dict):
        raise TypeError("objet attendu")
    d, depot = donnees, donnees["depot"]
    if d["etat"] not in ETATS or (d["etat"] == "evalue" and not isinstance(d["empreinte"], str)):
        raise TypeError("état ou empreinte invalide")
    if not isinstance(d["chemin"], str) or not isinstance(depot["chemin"], str) or not isinstance(depot["nu"], bool):
        raise TypeError("chemin invalide")
    textes = ("raison", "finess", "raison_sociale", "categorie", "region", "empreinte")
    if not _textes(d, textes) or not _textes(depot, ("source", "revision")):
        raise TypeError("texte attendu")
    if not isinstance(d["resultats"], dict) or not isinstance(d["echeances"], list) or not isinstance(d["problemes"], int):
        raise TypeError("résultats, échéances ou problèmes invalides")
    facultatifs = ((d["echeances_90_jours"], int), (d["ght"], dict), (d["synthese"], dict), (d["rapports"], dict))
    if not all(v is None or isinstance(v, t) for v, t in facultatifs):
        raise TypeError("GHT, synthèse, échéances ou rapports invalides")
    return _construire(d)


def _assainie(donnees: dict[str, Any]) -> Entree:
    """L'unique passage vers une sortie (donnees_personnelles.assainir) : le chemin, la raison, les
    noms viennent du dépôt."""
    return _construire(donnees_personnelles.assainir(donnees))


def echec(tache: Tache, raison: str, depot: Depot | None = None) -> Entree:
    """L'entrée d'un dépôt qui n'a pas pu être évalué (assainie : le chemin et la raison viennent du dépôt)."""
    return _assainie({
        "chemin": tache.chemin,
        "depot": (depot or Depot(tache.chemin)).en_dict(),
        "etat": "echec",
        "raison": raison,
        "finess": tache.finess,
        "raison_sociale": None,
        "categorie": None,
        "region": None,
        "ght": None,
        "synthese": None,
        "resultats": {},
        "echeances_90_jours": None,
        "echeances": [],
        "problemes": 0,
        "empreinte": None,
        "rapports": None,
    })


def entree_de(tache: Tache, rapport: dict[str, Any], nu: bool, a_venir: dict[str, Any] | None = None) -> Entree:
    """L'entrée d'un établissement évalué, tirée de son rapport (et de son échéancier à 90 jours) ;
    un échec si etablissement.yaml manque, est invalide, ou ne porte pas le FINESS annoncé par le
    manifeste."""
    depot = Depot(tache.chemin, rapport["depot"]["source"], rapport["depot"]["revision"], nu)
    etab = rapport["etablissement"]
    if etab is None:
        fichier = [p for p in rapport["problemes"] if p["fichier"] == "etablissement.yaml" and p["niveau"] == "erreur"]
        if any(p["code"] == "preuve-manquante" for p in fichier):
            return echec(tache, "etablissement.yaml absent", depot)
        premier = fichier[0] if fichier else None
        if premier and premier["ligne"]:
            detail = f" : ligne {premier['ligne']} : {premier['message']}"
        else:
            detail = f" : {premier['message']}" if premier else ""
        return echec(tache, f"etablissement.yaml invalide{detail}", depot)
    if tache.finess is not None and etab.get("finess") != tache.finess:
        return echec(tache, f"FINESS du manifeste ({tache.finess}) différent de celui d'etablissement.yaml ({etab.get('finess')})", depot)
    # Le rapport est déjà assaini ; le chemin du dépôt ne l'est pas encore.
    return _assainie({
        "chemin": tache.chemin,
        "depot": depot.en_dict(),
        "etat": "evalue",
        "raison": None,
        "finess": etab.get("finess"),
        "raison_sociale": etab.get("raison_sociale"),
        "categorie": etab.get("categorie"),
        "region": etab.get("region"),
        "ght": etab.get("ght"),
        "synthese": rapport["synthese"],
        "resultats": {r["regle"]: r["statut"] for r in rapport["resultats"]},
        **_echeances(a_venir),
        "problemes": len(rapport["problemes"]),
        "empreinte": rapport["empreinte"],
        "rapports": None,
    })


def _echeances(a_venir: dict[str, Any] | None) -> dict[str, Any]:
    """Les échéances des 90 prochains jours d'un établissement (la règle, le jour où elle serait en
    échec, son statut ce jour-là) et leur nombre : la vague du prochain trimestre (docs/echeances.md)."""
    liste = [{k: e[k] for k in ("regle", "date", "jours", "devient")} for e in (a_venir or {}).get("echeances", [])]
    return {"echeances_90_jours": len(liste), "echeances": liste}


def cle_tri(entree: dict[str, Any]) -> tuple[str, str]:
    return entree.get("finess") or "", entree["chemin"]
