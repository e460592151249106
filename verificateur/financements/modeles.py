"""Les données d'une décision d'éligibilité, sans aucune lecture : le programme tel qu'il est écrit
(`Programme`, ses `Condition`), la forme de chaque élément du résultat « verificateur/eligibilite/1 »
(motif, candidature, doublon, synthèse…) dans l'ordre des clés du JSON livré (schéma
`schemas/eligibilite.schema.json`), les décisions et leurs mots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, cast

from verificateur.socle.lecture import Chemin, Document
from verificateur.socle.statuts import LIBELLES_STATUTS as MOTS_DU_RAPPORT

FORMAT = "verificateur/eligibilite/1"
DECISIONS = ("eligible", "non_eligible", "incomplet", "a_confirmer", "clos")
LIBELLES_DECISIONS = {"eligible": "éligible", "non_eligible": "non éligible", "incomplet": "incomplet",
                      "a_confirmer": "à confirmer", "clos": "programme clos"}
SATISFAIT, NON_SATISFAIT, INDETERMINE = "satisfait", "non_satisfait", "indetermine"
# Un fait non publié (date, seuil) : jamais « non satisfait » ; le motif nomme le fait qui manque.
A_CONFIRMER = "a_confirmer"
# Le programme est clos à la date de décision : on le dit, plutôt que de déclarer chacun non éligible.
CLOS = "clos"
# Les mots des statuts du rapport (l'unique table, statuts.LIBELLES_STATUTS), précisés pour un motif
# d'éligibilité : le lecteur d'une décision de financement n'a pas le rapport sous les yeux.
LIBELLES_STATUTS = {
    **MOTS_DU_RAPPORT,
    "erreur": f"preuve invalide ({MOTS_DU_RAPPORT['erreur']})",
    "non_applicable": f"{MOTS_DU_RAPPORT['non_applicable']}, condition sans objet",
    "derogation": f"{MOTS_DU_RAPPORT['derogation']} active",
}

Nombre = int | float  # un montant du JSON : entier quand il l'est, sinon décimal


def nombre(valeur: Decimal | Nombre) -> Nombre:
    """Un montant lu d'un programme (Decimal) en nombre JSON : entier quand il l'est, sinon décimal."""
    if isinstance(valeur, Decimal):
        return int(valeur) if valeur == valeur.to_integral_value() else float(valeur)
    return valeur


def euros(valeur: object) -> str:
    """250000 → « 250 000 € » (espace fine insécable entre milliers, centimes seulement s'il y en a)."""
    v = Decimal(str(valeur))
    texte = f"{v:,.2f}" if v != v.to_integral_value() else f"{v:,.0f}"
    return texte.replace(",", "\u202f").replace(".", ",") + " €"


# --- le résultat « verificateur/eligibilite/1 » --------------------------------------------------------


class Etablissement(TypedDict):
    chemin: str
    finess: str | None
    raison_sociale: str | None


class LieuProgramme(TypedDict):
    fichier: str
    ligne: int


class Motif(TypedDict):
    """Une condition jugée pour une candidature : son résultat, ce qui le fonde, où elle est écrite."""

    type: str  # fenetre | ght | candidat | doublon | prerequis | objectif
    condition: str
    resultat: str  # SATISFAIT | NON_SATISFAIT | INDETERMINE | A_CONFIRMER | CLOS
    bloquant: bool
    valeur: object  # la date de décision, une valeur du profil, le statut d'une règle, un FINESS…
    regle: str | None
    date: str | None
    etablissement: Etablissement | None
    explication: str | None
    preuves: list[dict[str, Any]]
    programme: LieuProgramme
    sources: list[str]
    hypothese_projet: bool
    hypothese: str | None
    message: str


class Montant(TypedDict):
    """Le montant plafond d'un établissement (None : non calculable, `detail` dit pourquoi)."""

    montant: Nombre | None
    detail: str
    sources: list[str]
    hypothese_projet: bool


class Membre(TypedDict):
    chemin: str
    finess: str | None
    raison_sociale: str | None
    categorie: str | None
    region: str | None
    statut_juridique: str | None
    depot: dict[str, Any] | None
    montant_plafond: Nombre | None
    montant_detail: str
    montant_sources: list[str]
    montant_hypothese_projet: bool


class Candidature(TypedDict):
    """Une candidature (un établissement, ou les établissements d'un GHT) et sa décision."""

    nom: str
    ght: str | None
    porteur: Etablissement
    decision: str  # l'un de DECISIONS
    montant_plafond: Nombre | None
    montant_raison: str | None
    membres: list[Membre]
    motifs: list[Motif]


class Doublon(TypedDict):
    """Un FINESS donné par plusieurs dépôts : le retenu, les écartés, ce qui diffère entre eux."""

    finess: str
    retenu: str
    ecartes: list[str]
    raison: str
    differences: list[str]
    message: str


class LigneRegion(TypedDict):
    cle: str  # code INSEE de la région, "" si inconnue
    eligible: int
    non_eligible: int
    incomplet: int
    a_confirmer: int
    clos: int
    montant_plafond_total: Nombre
    montants_inconnus: int
    enveloppe: Nombre | None


class Synthese(TypedDict):
    candidatures: dict[str, int]  # décision → nombre de candidatures
    etablissements: dict[str, int]  # décision → nombre d'établissements
    montant_plafond_total: Nombre
    montants_inconnus: int
    enveloppe: Nombre | None
    part_enveloppe: float | None


class Hypothese(TypedDict):
    element: str
    texte: str
    fichier: str
    ligne: int


class PolitiqueEvaluee(TypedDict):
    id: str
    version: str
    empreinte: str


class SourceCitee(TypedDict, total=False):
    """Un texte cité par le programme (les clés qu'il donne)."""

    id: str
    document: str
    emetteur: str
    date: str
    url: str
    confiance: str


class Enveloppe(TypedDict):
    montant: Nombre
    par_region: dict[str, Nombre]
    sources: list[str]
    hypothese_projet: bool


class Fenetre(TypedDict):
    ouverture: str
    cloture: str | None
    echeance_objectifs: str | None
    ouverture_objectifs: str | None
    echeance_inconnue: str | None
    fin: str | None


class DescriptionProgramme(TypedDict):
    """Le programme tel que le résultat le décrit (`Programme.en_dict`)."""

    id: str
    titre: str
    version: str
    fichier: str
    empreinte: str
    source: SourceCitee
    sources: list[SourceCitee]
    enveloppe: Enveloppe | None
    fenetre: Fenetre
    candidature: str  # individuelle | par_ght
    montant_calcul: str  # par_categorie | par_taille | non_defini


class Resultat(TypedDict):
    """Le résultat de `verificateur eligibilite` et la liste des financeurs d'un lot."""

    format: str
    outil: dict[str, str]
    date_decision: str
    programme: DescriptionProgramme
    politiques: list[PolitiqueEvaluee]
    hypotheses: list[Hypothese]
    synthese: Synthese
    par_region: list[LigneRegion]
    candidatures: list[Candidature]
    doublons: list[Doublon]
    empreinte: NotRequired[str]


# --- le programme -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """Une règle à respecter : prérequis (à une date) ou objectif (à l'échéance)."""

    nature: str  # "prerequis" | "objectif"
    regle: str
    a_la_date: str  # prérequis : candidature | ouverture | cloture | AAAA-MM-JJ ; objectifs : "echeance"
    derogation_acceptee: bool
    libelle: str | None
    sources: tuple[str, ...]
    hypothese: str | None
    ligne: int
    fait_inconnu: str | None = None


@dataclass
class Programme:
    """Un programme lu et validé par son schéma (`programmes.lire`) : `donnees` a la forme du schéma."""

    id: str
    titre: str
    version: str
    fichier: str
    donnees: dict[str, Any] = field(repr=False)
    document: Document = field(repr=False)
    empreinte: str = ""

    @property
    def candidature(self) -> dict[str, Any]:
        return self.donnees["fenetre"]["candidature"]

    @property
    def ouverture(self) -> date:
        return date.fromisoformat(self.candidature["ouverture"])

    @property
    def cloture(self) -> date | None:
        c = self.candidature.get("cloture")
        return date.fromisoformat(c) if c else None

    @property
    def fenetre_objectifs(self) -> dict[str, Any]:
        """La fenêtre des objectifs ({} si le programme n'en a pas)."""
        return self.donnees["fenetre"].get("objectifs") or {}

    @property
    def echeance(self) -> date | None:
        o = self.fenetre_objectifs
        return date.fromisoformat(o["echeance"]) if o.get("echeance") else None

    @property
    def echeance_inconnue(self) -> str | None:
        """Le fait qui manque quand l'échéance des objectifs n'est pas publiée (None si elle l'est)."""
        o = self.fenetre_objectifs
        return o.get("fait_inconnu") if o and not o.get("echeance") else None

    @property
    def ouverture_objectifs(self) -> date | None:
        o = self.fenetre_objectifs
        return date.fromisoformat(o["ouverture"]) if o.get("ouverture") else None

    @property
    def fin(self) -> date | None:
        f = self.donnees["fenetre"].get("fin")
        return date.fromisoformat(f["date"]) if f else None

    def phase_objectifs_inconnue(self, date_evaluation: date) -> bool:
        """Vrai quand les objectifs se vérifient maintenant mais que leur échéance n'est pas publiée :
        la déclaration est ouverte (ou, sans date d'ouverture connue, la candidature est close)."""
        if self.echeance_inconnue is None:
            return False
        if self.ouverture_objectifs is not None:
            return date_evaluation >= self.ouverture_objectifs
        return self.cloture is not None and date_evaluation > self.cloture

    @property
    def par_ght(self) -> bool:
        return bool(self.donnees["candidats"]["candidature"] == "par_ght")

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        return {s["id"]: s for s in self.donnees["sources"]}

    def ligne(self, chemin: Chemin) -> int:
        return self.document.ligne(chemin)

    def conditions(self) -> list[Condition]:
        tout = []
        for nature, cle in (("prerequis", "prerequis"), ("objectif", "objectifs")):
            for i, c in enumerate(self.donnees.get(cle) or []):
                tout.append(Condition(
                    nature, c["regle"], c.get("a_la_date", "candidature") if nature == "prerequis" else "echeance",
                    bool(c.get("derogation_acceptee", False)), c.get("libelle"), tuple(c.get("sources", [])),
                    c.get("hypothese_projet"), self.ligne((cle, i, "regle")), c.get("fait_inconnu"),
                ))
        return tout

    def hypotheses(self) -> list[Hypothese]:
        """Chaque hypothèse du projet écrite dans le programme, avec son lieu (reprise dans chaque rendu)."""
        trouvees: list[Hypothese] = []

        def parcourir(valeur: object, chemin: Chemin) -> None:
            if isinstance(valeur, dict):
                for cle, sous in valeur.items():
                    if cle == "hypothese_projet":
                        trouvees.append({"element": _nom_element(chemin, self.donnees), "texte": sous,
                                         "fichier": self.fichier, "ligne": self.ligne(chemin + (cle,))})
                    else:
                        parcourir(sous, chemin + (cle,))
            elif isinstance(valeur, list):
                for i, sous in enumerate(valeur):
                    parcourir(sous, chemin + (i,))

        parcourir(self.donnees, ())
        return trouvees

    def en_dict(self) -> DescriptionProgramme:
        d = self.donnees
        fondateur = self.sources.get(d["programme"]["source"], {})
        enveloppe = d.get("enveloppe")
        return {
            "id": self.id,
            "titre": self.titre,
            "version": self.version,
            "fichier": self.fichier,
            "empreinte": self.empreinte,
            "source": _source_dict(fondateur),
            "sources": [_source_dict(s) for s in d["sources"]],
            "enveloppe": None if enveloppe is None else {
                "montant": nombre(enveloppe["montant"]),
                "par_region": {k: nombre(v) for k, v in sorted((enveloppe.get("par_region") or {}).items())},
                "sources": list(enveloppe.get("sources", [])),
                "hypothese_projet": "hypothese_projet" in enveloppe,
            },
            "fenetre": {
                "ouverture": self.ouverture.isoformat(),
                "cloture": self.cloture.isoformat() if self.cloture else None,
                "echeance_objectifs": self.echeance.isoformat() if self.echeance else None,
                "ouverture_objectifs": self.ouverture_objectifs.isoformat() if self.ouverture_objectifs else None,
                "echeance_inconnue": self.echeance_inconnue,
                "fin": self.fin.isoformat() if self.fin else None,
            },
            "candidature": d["candidats"]["candidature"],
            "montant_calcul": d["montant_plafond"]["calcul"],
        }


def _nom_element(chemin: Chemin, donnees: dict[str, Any]) -> str:
    """« candidats », « prerequis VUL-01 », « montant_plafond.bareme[2] »…"""
    if len(chemin) >= 2 and chemin[0] in ("prerequis", "objectifs") and isinstance(chemin[1], int):
        return f"{'prérequis' if chemin[0] == 'prerequis' else 'objectif'} {donnees[chemin[0]][chemin[1]]['regle']}"
    texte = ""
    for c in chemin:
        texte += f"[{c + 1}]" if isinstance(c, int) else (("." if texte else "") + str(c))
    return texte or "programme"


def _source_dict(s: dict[str, Any]) -> SourceCitee:
    return cast(SourceCitee, {k: s[k] for k in ("id", "document", "emetteur", "date", "url", "confiance") if k in s})
