"""Éligibilité aux programmes de financement (docs/financements.md).

Un programme (`politiques/financements/*.yaml`) dit qui peut candidater, quand, à quelles conditions
(prérequis : règles respectées à une date ; objectifs : règles respectées à l'échéance) et comment se
calcule le montant plafond. Ce module :

- charge et valide les programmes (schéma `programme.schema.json`, puis contrôles sémantiques) ;
- évalue un dépôt par le moteur unique (`moteur.evaluer_source`), une fois par date distincte dont le
  programme a besoin (`evaluer_depot` : ce qu'appelle aussi le travailleur du lot) ;
- décide, sans aucune lecture (`decider`) : `eligible`, `non_eligible`, `incomplet`, `a_confirmer` (la
  décision dépend d'un fait non publié : une date, un seuil ; le motif le nomme) ou `clos` (programme clos à
  la date de décision), avec chaque motif ;
- regroupe en candidatures (une par GHT quand le programme le dit) et totalise par région.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from verificateur import __version__

from verificateur.socle import donnees_personnelles

from verificateur.socle import lecture

from verificateur.socle import validation
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.lecture import Chemin, Document
from verificateur.politiques import _affiche  # chemins montrés comme ceux des politiques
from verificateur.socle.problemes import ErreurVerificateur, Probleme, trier
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
    def echeance(self) -> date | None:
        o = self.donnees["fenetre"].get("objectifs")
        return date.fromisoformat(o["echeance"]) if o and o.get("echeance") else None

    @property
    def echeance_inconnue(self) -> str | None:
        """Le fait qui manque quand l'échéance des objectifs n'est pas publiée (None si elle l'est)."""
        o = self.donnees["fenetre"].get("objectifs")
        return o.get("fait_inconnu") if o and not o.get("echeance") else None

    @property
    def ouverture_objectifs(self) -> date | None:
        o = self.donnees["fenetre"].get("objectifs")
        return date.fromisoformat(o["ouverture"]) if o and o.get("ouverture") else None

    @property
    def fin(self) -> date | None:
        f = self.donnees["fenetre"].get("fin")
        return date.fromisoformat(f["date"]) if f else None

    def phase_objectifs_inconnue(self, jour: date) -> bool:
        """Vrai quand les objectifs se vérifient maintenant mais que leur échéance n'est pas publiée :
        la déclaration est ouverte (ou, sans date d'ouverture connue, la candidature est close)."""
        if self.echeance_inconnue is None:
            return False
        if self.ouverture_objectifs is not None:
            return jour >= self.ouverture_objectifs
        return self.cloture is not None and jour > self.cloture

    @property
    def par_ght(self) -> bool:
        return self.donnees["candidats"]["candidature"] == "par_ght"

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

    def hypotheses(self) -> list[dict[str, Any]]:
        """Chaque hypothèse du projet écrite dans le programme, avec son lieu (reprise dans chaque rendu)."""
        trouvees: list[dict[str, Any]] = []

        def parcourir(valeur: Any, chemin: Chemin) -> None:
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

    def en_dict(self) -> dict[str, Any]:
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
                "montant": _nombre(enveloppe["montant"]),
                "par_region": {k: _nombre(v) for k, v in sorted((enveloppe.get("par_region") or {}).items())},
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


def _source_dict(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s[k] for k in ("id", "document", "emetteur", "date", "url", "confiance") if k in s}


def _nombre(valeur: Any) -> Any:
    if isinstance(valeur, Decimal):
        return int(valeur) if valeur == valeur.to_integral_value() else float(valeur)
    return valeur


def dossiers_par_defaut() -> list[Path]:
    from verificateur.politiques import dossier_donnees

    return [dossier_donnees("politiques") / "financements"]


def lire(fichier: Path) -> tuple[Programme | None, list[Probleme]]:
    """Lecture et schéma ; les contrôles qui ont besoin du catalogue sont dans `verifier`."""
    affiche = _affiche(fichier)
    try:
        contenu = fichier.read_bytes()
    except OSError as exc:
        return None, [Probleme(affiche, 0, "fichier-illisible", f"programme illisible : {erreur_systeme(exc)}")]
    document = lecture.lire_yaml(affiche, contenu)
    if document.lisible:
        validation.valider(document, "programme")
    if not document.lisible:
        return None, trier(document.problemes)
    d = document.donnees
    entete = d["programme"]
    programme = Programme(entete["id"], entete["titre"], entete["version"], affiche, d, document,
                          "sha256:" + hashlib.sha256(contenu).hexdigest())
    return programme, []


def verifier(programme: Programme, catalogue: Any) -> list[Probleme]:
    """Contrôles sémantiques : sources citées, fondement de chaque condition, règles connues du
    catalogue chargé, dates ordonnées, barème cohérent."""
    d = programme.donnees
    problemes: list[Probleme] = []

    def probleme(chemin: Chemin, code: str, message: str) -> None:
        problemes.append(Probleme(programme.fichier, programme.ligne(chemin), code, message))

    ids: dict[str, int] = {}
    for i, s in enumerate(d["sources"]):
        if s["id"] in ids:
            probleme(("sources", i, "id"), "id-duplique", f"source « {s['id']} » déjà définie (source n° {ids[s['id']] + 1})")
        ids.setdefault(s["id"], i)
    if d["programme"]["source"] not in ids:
        probleme(("programme", "source"), "source-inconnue", f"texte fondateur « {d['programme']['source']} » absent de la liste des sources")

    def fondement(element: dict[str, Any], chemin: Chemin, nom: str) -> None:
        for j, ref in enumerate(element.get("sources", [])):
            if ref not in ids:
                probleme(chemin + ("sources", j), "source-inconnue", f"{nom} : source « {ref} » absente de la liste des sources")
        if not element.get("sources") and not element.get("hypothese_projet"):
            probleme(chemin, "fondement-manquant", f"{nom} : ni « sources » ni « hypothese_projet » ; citez la source, ou écrivez que c'est une hypothèse du projet")

    if "enveloppe" in d:
        fondement(d["enveloppe"], ("enveloppe",), "enveloppe")
        par_region = d["enveloppe"].get("par_region") or {}
        for region in par_region:
            if not (len(region) == 2 and region.isdigit()):
                probleme(("enveloppe", "par_region", region), "format", f"enveloppe : région « {region} » invalide, attendu un code de région INSEE à 2 chiffres")
        if par_region and sum(Decimal(str(v)) for v in par_region.values()) > Decimal(str(d["enveloppe"]["montant"])):
            probleme(("enveloppe", "par_region"), "montant-incoherent", "enveloppe : la somme des enveloppes régionales dépasse l'enveloppe nationale")
    fondement(programme.candidature, ("fenetre", "candidature"), "fenêtre de candidature")
    if "objectifs" in d["fenetre"]:
        objectifs = d["fenetre"]["objectifs"]
        fondement(objectifs, ("fenetre", "objectifs"), "échéance des objectifs")
        if ("echeance" in objectifs) == ("fait_inconnu" in objectifs):
            probleme(("fenetre", "objectifs"), "echeance-ou-fait-inconnu", "échéance des objectifs : « echeance » ou « fait_inconnu » attendu (l'un ou l'autre, pas les deux) ; une échéance non publiée se déclare par « fait_inconnu », qui la nomme")
    if "cloture" in programme.candidature and "fait_inconnu" in programme.candidature:
        probleme(("fenetre", "candidature"), "echeance-ou-fait-inconnu", "fenêtre de candidature : « cloture » ou « fait_inconnu » attendu, pas les deux ; une clôture non publiée se déclare par « fait_inconnu », qui la nomme")
    if "fin" in d["fenetre"]:
        fondement(d["fenetre"]["fin"], ("fenetre", "fin"), "fin du programme")
    fondement(d["candidats"], ("candidats",), "candidats")
    # Dates réelles (le schéma l'a vérifié) : ordre ouverture ≤ clôture ≤ échéance.
    ouverture, cloture, echeance = programme.ouverture, programme.cloture, programme.echeance
    if cloture and cloture < ouverture:
        probleme(("fenetre", "candidature", "cloture"), "dates-desordonnees", f"fenêtre : clôture le {cloture.isoformat()} avant l'ouverture le {ouverture.isoformat()}")
    if echeance and echeance < (cloture or ouverture):
        borne = "la clôture" if cloture else "l'ouverture"
        probleme(("fenetre", "objectifs", "echeance"), "dates-desordonnees", f"fenêtre : échéance des objectifs le {echeance.isoformat()} avant {borne} le {(cloture or ouverture).isoformat()}")
    fin = programme.fin
    derniere = max(x for x in (ouverture, cloture, echeance, programme.ouverture_objectifs) if x is not None)
    if fin and fin < derniere:
        probleme(("fenetre", "fin", "date"), "dates-desordonnees", f"fenêtre : fin du programme le {fin.isoformat()} avant le {derniere.isoformat()}, date de la fenêtre")
    regles = getattr(catalogue, "regles", {})
    politiques = ", ".join(p.id for p in getattr(catalogue, "politiques", [])) or "aucune"
    demandees = d["programme"].get("politiques") or []
    manquantes = [p for p in demandees if p not in {x.id for x in getattr(catalogue, "politiques", [])}]
    if manquantes:
        politiques += f" ; le programme demande aussi : {', '.join(manquantes)}"
    vues: dict[tuple[str, str, str], int] = {}
    for cle, nature in (("prerequis", "prérequis"), ("objectifs", "objectif")):
        for i, c in enumerate(d.get(cle) or []):
            chemin: Chemin = (cle, i)
            nom = f"{nature} {c['regle']}"
            fondement(c, chemin, nom)
            if c["regle"] not in regles:
                probleme(chemin + ("regle",), "regle-inconnue", f"{nom} : règle « {c['regle']} » inconnue des politiques chargées ({politiques})")
            a_la_date = c.get("a_la_date")
            if cle == "objectifs" and a_la_date is not None:
                probleme(chemin + ("a_la_date",), "date-sans-effet", f"{nom} : « a_la_date » sans effet, un objectif est évalué à l'échéance des objectifs")
            elif a_la_date == "cloture" and cloture is None:
                probleme(chemin + ("a_la_date",), "date-inconnue", f"{nom} : « cloture » demandée, mais la fenêtre de candidature n'a pas de clôture")
            elif a_la_date and a_la_date[0].isdigit():
                try:
                    date.fromisoformat(a_la_date)
                except ValueError:
                    probleme(chemin + ("a_la_date",), "date-invalide", f"{nom} : date invalide « {a_la_date} », attendu une date réelle AAAA-MM-JJ")
            cle_unique = (cle, c["regle"], a_la_date or "candidature")
            if cle_unique in vues:
                probleme(chemin + ("regle",), "condition-dupliquee", f"{nom} : déjà demandé (n° {vues[cle_unique] + 1})")
            vues.setdefault(cle_unique, i)
    _verifier_montant(d["montant_plafond"], fondement, probleme)
    return trier(problemes)


def _verifier_montant(m: dict[str, Any], fondement: Any, probleme: Any) -> None:
    calcul = m["calcul"]
    chemin: Chemin = ("montant_plafond",)
    if calcul == "non_defini":
        if "raison" not in m:
            probleme(chemin, "cle-manquante", "montant_plafond : « raison » attendue quand le calcul est non_defini")
        if "bareme" in m:
            probleme(chemin + ("bareme",), "bareme-sans-effet", "montant_plafond : barème donné alors que le calcul est non_defini")
        return
    bareme = m.get("bareme") or []
    if not bareme:
        probleme(chemin, "cle-manquante", f"montant_plafond : « bareme » attendu pour le calcul {calcul}")
    if calcul == "par_taille" and "taille" not in m:
        probleme(chemin, "cle-manquante", "montant_plafond : « taille » attendue (effectif ou lits_places) pour le calcul par_taille")
    vues: dict[str, int] = {}
    tranches = []
    for i, ligne in enumerate(bareme):
        sous = chemin + ("bareme", i)
        fondement(ligne, sous, f"barème, ligne {i + 1}")
        if calcul == "par_categorie":
            if "categories" not in ligne or "de" in ligne or "a" in ligne:
                probleme(sous, "bareme-invalide", f"barème, ligne {i + 1} : « categories » attendu (et ni « de » ni « a ») pour le calcul par_categorie")
            for cat in ligne.get("categories", []):
                if cat in vues:
                    probleme(sous + ("categories",), "bareme-invalide", f"barème, ligne {i + 1} : catégorie « {cat} » déjà à la ligne {vues[cat] + 1}")
                vues.setdefault(cat, i)
        else:
            if "de" not in ligne or "categories" in ligne:
                probleme(sous, "bareme-invalide", f"barème, ligne {i + 1} : « de » attendu (et pas « categories ») pour le calcul par_taille")
                continue
            if "a" in ligne and ligne["a"] < ligne["de"]:
                probleme(sous + ("a",), "bareme-invalide", f"barème, ligne {i + 1} : tranche de {ligne['de']} à {ligne['a']}, bornes inversées")
            tranches.append((ligne["de"], ligne.get("a"), i))
    tranches.sort()
    for (de1, a1, i1), (de2, _a2, i2) in zip(tranches, tranches[1:]):
        if a1 is None or a1 >= de2:
            probleme(chemin + ("bareme", i2), "bareme-invalide", f"barème, ligne {i2 + 1} : la tranche chevauche la ligne {i1 + 1}")


def disponibles(dossiers: Iterable[Path]) -> dict[str, Path]:
    """Identifiant → fichier, pour chaque programme des dossiers (le nom du fichier sans .yaml)."""
    trouves: dict[str, Path] = {}
    for dossier in dossiers:
        if dossier.is_dir():
            for fichier in sorted(dossier.glob("*.yaml")):
                trouves.setdefault(fichier.stem, fichier)
    return trouves


def trouver(reference: str, dossiers: list[Path] | None = None) -> Path:
    """Le fichier d'un programme : un chemin de fichier, ou un identifiant cherché dans les dossiers
    donnés puis dans les programmes livrés ; ErreurVerificateur (code 2) sinon."""
    chemin = Path(reference)
    if reference.endswith((".yaml", ".yml")) or chemin.is_file():
        if not chemin.is_file():
            raise ErreurVerificateur(f"{reference}: fichier de programme introuvable")
        return chemin
    connus = disponibles((dossiers or []) + dossiers_par_defaut())
    if reference not in connus:
        raise ErreurVerificateur(f"programme de financement « {reference} » introuvable ; programmes disponibles : {', '.join(sorted(connus)) or 'aucun'} (ajoutez un dossier avec --programmes, ou donnez le chemin du fichier)")
    return connus[reference]


def politiques_demandees(fichier: Path) -> tuple[str, ...]:
    """Les dossiers des politiques livrées que le programme déclare (`programme.politiques`) ; () s'il
    n'en déclare pas ou s'il est illisible (ses problèmes seront alors donnés par `charger`)."""
    programme, _ = lire(fichier)
    return _dossiers_livres(tuple(programme.donnees["programme"].get("politiques", ()))) if programme else ()


def _dossiers_livres(noms: tuple[str, ...]) -> tuple[str, ...]:
    """Le dossier livré de chaque politique nommée (jamais un dossier du même nom dans le dossier courant)."""
    from verificateur.politiques import dossier_donnees

    livrees = dossier_donnees("politiques")
    return tuple(str(livrees / n) if (livrees / n / "politique.yaml").is_file() else n for n in noms)


def charger(reference: str, catalogue: Any, dossiers: list[Path] | None = None) -> Programme:
    """Un programme par identifiant (dans les dossiers de programmes) ou par chemin de fichier ;
    ErreurVerificateur (code 2) s'il est inconnu ou invalide, avec chaque problème `fichier:ligne`."""
    fichier = trouver(reference, dossiers)
    chemin = Path(reference)
    programme, problemes = lire(fichier)
    if programme is not None:
        problemes = verifier(programme, catalogue)
        if programme.id != fichier.stem and not reference.endswith((".yaml", ".yml")) and not chemin.is_file():
            problemes.append(Probleme(programme.fichier, programme.ligne(("programme", "id")), "id-fichier", f"identifiant « {programme.id} » différent du nom du fichier « {fichier.stem} »"))
    if problemes:
        raise ErreurVerificateur(f"programme « {reference} » invalide", 2, problemes)
    assert programme is not None
    return programme


@lru_cache(maxsize=8)
def catalogue_de(politiques: tuple[str, ...]) -> Any:
    """Le catalogue des politiques livrées nommées (« care », « plan-national »)."""
    from verificateur import politiques as module

    return module.charger([Path(p) for p in _dossiers_livres(politiques)])


def valider_dossier(dossier: Path, catalogue: Any, selon_programme: bool = False) -> tuple[int, list[Probleme]]:
    """Pour `politiques valider` : chaque programme d'un dossier, lu et vérifié ; (nombre, problèmes).
    `selon_programme` : vérifier un programme qui déclare ses politiques contre elles."""
    problemes: list[Probleme] = []
    fichiers = sorted(dossier.glob("*.yaml")) if dossier.is_dir() else []
    for fichier in fichiers:
        programme, erreurs = lire(fichier)
        problemes.extend(erreurs)
        if programme is not None:
            demandees = tuple(programme.donnees["programme"].get("politiques", ()))
            problemes.extend(verifier(programme, catalogue_de(demandees) if selon_programme and demandees else catalogue))
            if programme.id != fichier.stem:
                problemes.append(Probleme(programme.fichier, programme.ligne(("programme", "id")), "id-fichier", f"identifiant « {programme.id} » différent du nom du fichier « {fichier.stem} »"))
    return len(fichiers), trier(problemes)


def valider_programmes(dossiers: list[Path], catalogue: Any, livres: bool = True) -> tuple[int, list[Probleme]]:
    """Les programmes des dossiers donnés (et ceux livrés si `livres`) : (nombre, problèmes).

    `livres` : le catalogue est celui par défaut ; un programme qui déclare ses politiques
    (`programme.politiques`) est alors vérifié contre elles, chargées par leur nom."""
    nombre, problemes = 0, []
    for dossier in dossiers + (dossiers_par_defaut() if livres else []):
        if not dossier.is_dir():
            raise ErreurVerificateur(f"{dossier}: dossier de programmes introuvable")
        n, p = valider_dossier(dossier, catalogue, livres)
        nombre += n
        problemes.extend(p)
    return nombre, trier(problemes)


# --- les dates et l'évaluation (les seules lectures) -----------------------------------------------


def date_de(condition: Condition, programme: Programme, jour: date) -> date:
    """La date à laquelle une condition s'évalue, jamais après la date de décision (on ne lit pas l'avenir)."""
    if condition.nature == "objectif":
        echeance = programme.echeance
        return echeance if echeance is not None and jour >= echeance else jour
    cloture = programme.cloture
    if condition.a_la_date == "candidature":
        voulue = min(jour, cloture) if cloture else jour
    elif condition.a_la_date == "ouverture":
        voulue = programme.ouverture
    elif condition.a_la_date == "cloture":
        voulue = cloture or jour
    else:
        voulue = date.fromisoformat(condition.a_la_date)
    return min(voulue, jour)


def dates_a_evaluer(programme: Programme, jour: date) -> list[date]:
    return sorted({date_de(c, programme, jour) for c in programme.conditions()})


@dataclass
class Dossier:
    """Ce que la décision sait d'un établissement : son profil et ses verdicts aux dates voulues."""

    chemin: str
    depot: dict[str, Any] | None = None
    profil: dict[str, Any] | None = None
    lignes_profil: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # date → règle → verdict
    echec: str | None = None

    def en_dict(self) -> dict[str, Any]:
        return {"chemin": self.chemin, "depot": self.depot, "profil": self.profil, "lignes_profil": self.lignes_profil,
                "verdicts": self.verdicts, "echec": self.echec}

    @classmethod
    def depuis_dict(cls, d: dict[str, Any]) -> Dossier:
        return cls(**d)


def _verdicts(rapport: dict[str, Any], regles: set[str]) -> dict[str, dict[str, Any]]:
    """Les verdicts des seules règles que le programme cite (le lot les fait passer d'un processus à l'autre)."""
    return {r["regle"]: {"statut": r["statut"], "explication": r["explication"], "preuves": r["preuves"]}
            for r in rapport["resultats"] if r["regle"] in regles}


def evaluer_depot(source: Any, catalogue: Any, programme: Programme, jour: date, seuil: str = "mineure",
                  deja: dict[date, dict[str, Any]] | None = None) -> Dossier:
    """Évalue un dépôt par le moteur unique, une fois par date distincte du programme ; `deja` : des
    rapports déjà calculés (le lot a celui de sa date d'évaluation)."""
    from verificateur.evaluation import moteur

    deja = deja or {}
    dossier = Dossier(source.chemin)
    regles = {c.regle for c in programme.conditions()}
    for jour_eval in dates_a_evaluer(programme, jour) or [jour]:
        rapport = deja.get(jour_eval) or moteur.evaluer_source(source, catalogue, jour_eval, seuil, fraicheur=False)
        dossier.verdicts[jour_eval.isoformat()] = _verdicts(rapport, regles)
        dossier.profil = rapport["etablissement"]
        dossier.depot = rapport["depot"]
    dossier.lignes_profil = _lignes_profil(source)
    return dossier


def _lignes_profil(source: Any) -> dict[str, int]:
    """Ligne de chaque clé de etablissement.yaml (les motifs citent fichier:ligne)."""
    try:
        if "etablissement.yaml" not in source.lister():
            return {}
        document = lecture.lire_yaml("etablissement.yaml", source.lire(["etablissement.yaml"])["etablissement.yaml"])
    except (OSError, KeyError, ErreurVerificateur):
        return {}
    return {str(c[0]): n for c, n in document.lignes.items() if len(c) == 1}


# --- la décision (pure) ----------------------------------------------------------------------------


def euros(valeur: Any) -> str:
    """250000 → « 250 000 € » (espace fine insécable entre milliers, centimes seulement s'il y en a)."""
    v = Decimal(str(valeur))
    texte = f"{v:,.2f}" if v != v.to_integral_value() else f"{v:,.0f}"
    return texte.replace(",", "\u202f").replace(".", ",") + " €"


def _nom(dossier: Dossier) -> str:
    return str((dossier.profil or {}).get("raison_sociale") or dossier.chemin)


def _etab(dossier: Dossier) -> dict[str, Any]:
    p = dossier.profil or {}
    return {"chemin": dossier.chemin, "finess": p.get("finess"), "raison_sociale": p.get("raison_sociale")}


def _motif(programme: Programme, type_: str, condition: str, resultat: str, message: str, *, chemin_programme: Chemin,
           bloquant: bool = True, valeur: Any = None, regle: str | None = None, jour: date | None = None,
           dossier: Dossier | None = None, preuves: list[dict[str, Any]] | None = None,
           element: dict[str, Any] | None = None, explication: str | None = None) -> dict[str, Any]:
    element = element or {}
    hypothese = element.get("hypothese_projet")
    return {
        "type": type_,
        "condition": condition,
        "resultat": resultat,
        "bloquant": bloquant,
        "valeur": valeur,
        "regle": regle,
        "date": jour.isoformat() if jour else None,
        "etablissement": _etab(dossier) if dossier else None,
        "explication": explication,
        "preuves": preuves or [],
        "programme": {"fichier": programme.fichier, "ligne": programme.ligne(chemin_programme)},
        "sources": list(element.get("sources", [])),
        "hypothese_projet": hypothese is not None,
        "hypothese": hypothese,
        "message": message,
    }


def _motif_fenetre(programme: Programme, jour: date) -> dict[str, Any]:
    o, c, e = programme.ouverture, programme.cloture, programme.echeance
    d = jour.isoformat()
    element = programme.candidature
    if jour < o:
        return _motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", NON_SATISFAIT,
                      f"candidature pas encore ouverte : la fenêtre ouvre le {o.isoformat()} (date de décision {d})",
                      chemin_programme=("fenetre", "candidature", "ouverture"), valeur=d, jour=jour, element=element)
    fin = programme.fin
    if fin is not None and jour > fin:
        f = programme.donnees["fenetre"]["fin"]
        quoi = f" ({f['libelle']})" if f.get("libelle") else ""
        return _motif(programme, "fenetre", "programme en cours à la date de décision", CLOS,
                      f"programme clos le {fin.isoformat()}{quoi} : aucune décision d'éligibilité après cette date (date de décision {d})",
                      chemin_programme=("fenetre", "fin", "date"), valeur=d, jour=jour, element=f)
    if programme.phase_objectifs_inconnue(jour):
        objectifs = programme.donnees["fenetre"]["objectifs"]
        oo = programme.ouverture_objectifs
        depuis = f"déclaration des objectifs ouverte depuis le {oo.isoformat()}" if oo else f"candidature close le {c.isoformat() if c else ''}"
        return _motif(programme, "fenetre", "échéance des objectifs connue", A_CONFIRMER,
                      f"{depuis} ; échéance inconnue : {programme.echeance_inconnue} ; objectifs vérifiés à la date de décision {d}, décision à confirmer",
                      chemin_programme=("fenetre", "objectifs", "fait_inconnu"), valeur=d, jour=jour, element=objectifs)
    if e is not None and jour >= e:
        return _motif(programme, "fenetre", "échéance des objectifs atteinte", SATISFAIT,
                      f"échéance des objectifs du {e.isoformat()} atteinte à la date de décision {d} : prérequis et objectifs vérifiés",
                      chemin_programme=("fenetre", "objectifs", "echeance"), valeur=d, jour=jour,
                      element=programme.donnees["fenetre"]["objectifs"])
    if c is not None and jour > c:
        # Close aux candidatures : le dire, plutôt que de déclarer chaque établissement non éligible.
        suite = ""
        if e is not None:
            suite = f" ; objectifs vérifiés à leur échéance du {e.isoformat()}"
        elif programme.ouverture_objectifs is not None:
            suite = f" ; déclaration des objectifs à partir du {programme.ouverture_objectifs.isoformat()}"
        return _motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", CLOS,
                      f"programme clos aux candidatures le {c.isoformat()}{suite} (date de décision {d})",
                      chemin_programme=("fenetre", "candidature", "cloture"), valeur=d, jour=jour, element=element)
    if c is None and element.get("fait_inconnu"):
        # Une clôture non publiée : le guichet est peut-être clos, la décision ne peut pas être « éligible ».
        return _motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", A_CONFIRMER,
                      f"date de décision {d} après l'ouverture du guichet le {o.isoformat()} ; clôture inconnue : "
                      f"{element['fait_inconnu']} ; décision à confirmer",
                      chemin_programme=("fenetre", "candidature", "fait_inconnu"), valeur=d, jour=jour, element=element)
    texte = f"du {o.isoformat()} au {c.isoformat()}" if c else f"ouverte depuis le {o.isoformat()}, sans clôture"
    return _motif(programme, "fenetre", "date de décision dans la fenêtre de candidature", SATISFAIT,
                  f"date de décision {d} dans la fenêtre de candidature {texte}",
                  chemin_programme=("fenetre", "candidature"), valeur=d, jour=jour, element=element)


def _preuve_profil(dossier: Dossier, cle: str) -> list[dict[str, Any]]:
    revision = (dossier.depot or {}).get("revision")
    return [{"fichier": "etablissement.yaml", "ligne": dossier.lignes_profil.get(cle), "revision": revision}]


def _motifs_profil(programme: Programme, dossier: Dossier) -> list[dict[str, Any]]:
    candidats = programme.donnees["candidats"]
    nom = _nom(dossier)
    if dossier.echec is not None:
        return [_motif(programme, "candidat", "dépôt évalué", INDETERMINE, f"{dossier.chemin} : dépôt non évalué ({dossier.echec})",
                       chemin_programme=("candidats",), dossier=dossier, element=candidats)]
    if dossier.profil is None:
        return [_motif(programme, "candidat", "profil de l'établissement connu", INDETERMINE,
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
            message = f"{nom} : {mot} « {valeur} » {accorde}"
        else:
            message = f"{nom} : {mot} « {valeur} » non {accorde} ({'admises' if feminin else 'admis'} : {', '.join(admis)})"
            if candidats.get("fait_inconnu"):
                # Des critères non publiés : la liste des admis est une hypothèse, jamais « non éligible » sur elle.
                resultat = A_CONFIRMER
                message += f" ; à confirmer : {candidats['fait_inconnu']}"
        motifs.append(_motif(programme, "candidat", f"{mot} parmi : {', '.join(admis)}", resultat, message,
                             chemin_programme=("candidats", cle), valeur=valeur, dossier=dossier,
                             preuves=_preuve_profil(dossier, champ), element=candidats))
    if candidats.get("fait_inconnu") and all(m["resultat"] == SATISFAIT for m in motifs):
        # Ce qui est connu ne suffit pas à dire « éligible » quand les critères ne sont pas publiés.
        motifs.append(_motif(programme, "candidat", "critères d'éligibilité connus", A_CONFIRMER,
                             f"{nom} : critères d'éligibilité à confirmer : {candidats['fait_inconnu']}",
                             chemin_programme=("candidats", "fait_inconnu"), dossier=dossier, element=candidats))
    return motifs


def _motif_regle(programme: Programme, condition: Condition, indice: int, dossier: Dossier, jour: date,
                 jour_decision: date) -> dict[str, Any]:
    cle = "prerequis" if condition.nature == "prerequis" else "objectifs"
    element = programme.donnees[cle][indice]
    nature = "prérequis" if condition.nature == "prerequis" else "objectif"
    echeance = programme.echeance
    inconnue = programme.echeance_inconnue
    if condition.nature == "prerequis":
        bloquant = True
    elif inconnue is not None:
        bloquant = programme.phase_objectifs_inconnue(jour_decision)
    else:
        bloquant = echeance is None or jour_decision >= echeance
    attendu = "conforme" + (" (dérogation acceptée)" if condition.derogation_acceptee else "")
    libelle = f"{condition.regle} {attendu} au {jour.isoformat()}"
    if condition.libelle:
        libelle += f" : {condition.libelle}"
    verdict = (dossier.verdicts.get(jour.isoformat()) or {}).get(condition.regle)
    debut = f"{nature} {condition.regle} au {jour.isoformat()} — {_nom(dossier)} : "
    if dossier.echec is not None or dossier.profil is None and verdict is None:
        return _motif(programme, condition.nature, libelle, INDETERMINE, debut + "non évalué (dépôt illisible)",
                      chemin_programme=(cle, indice, "regle"), bloquant=bloquant, regle=condition.regle, jour=jour,
                      dossier=dossier, element=element)
    if verdict is None:
        return _motif(programme, condition.nature, libelle, INDETERMINE, debut + "règle absente du rapport",
                      chemin_programme=(cle, indice, "regle"), bloquant=bloquant, regle=condition.regle, jour=jour,
                      dossier=dossier, element=element)
    statut = verdict["statut"]
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
            texte += f" ; objectif à atteindre au plus tard le {echeance.isoformat() if echeance else ''}, non bloquant avant"
    return _motif(programme, condition.nature, libelle, resultat, debut + texte, chemin_programme=(cle, indice, "regle"),
                  bloquant=bloquant, valeur=statut, regle=condition.regle, jour=jour, dossier=dossier,
                  preuves=verdict["preuves"], element=element, explication=verdict["explication"])


def montant_etablissement(programme: Programme, dossier: Dossier) -> dict[str, Any]:
    """Le montant plafond d'un établissement : {montant (ou None), detail, sources, hypothese_projet}."""
    m = programme.donnees["montant_plafond"]
    nom = _nom(dossier)
    vide = {"montant": None, "sources": list(m.get("sources", [])), "hypothese_projet": "hypothese_projet" in m}
    if m["calcul"] == "non_defini":
        return {**vide, "detail": m["raison"]}
    if dossier.profil is None:
        return {**vide, "detail": f"{nom} : profil inconnu, montant non calculable"}
    if m["calcul"] == "par_categorie":
        categorie = dossier.profil.get("categorie")
        for ligne in m["bareme"]:
            if categorie in ligne.get("categories", []):
                return {"montant": _nombre(ligne["montant"]), "detail": f"{nom} : catégorie « {categorie} » : {euros(ligne['montant'])}",
                        "sources": list(ligne.get("sources", [])), "hypothese_projet": "hypothese_projet" in ligne}
        return {**vide, "detail": f"{nom} : aucun montant au barème pour la catégorie « {categorie} »"}
    taille = m["taille"]
    mesure = dossier.profil.get(taille)
    mot = "effectif" if taille == "effectif" else "lits et places"
    if mesure is None:
        return {**vide, "detail": f"{nom} : « {taille} » absent de etablissement.yaml, montant non calculable"}
    for ligne in m["bareme"]:
        if ligne["de"] <= mesure and ("a" not in ligne or mesure <= ligne["a"]):
            tranche = f"de {ligne['de']} à {ligne['a']}" if "a" in ligne else f"{ligne['de']} et plus"
            return {"montant": _nombre(ligne["montant"]), "detail": f"{nom} : {mot} {mesure}, tranche {tranche} : {euros(ligne['montant'])}",
                    "sources": list(ligne.get("sources", [])), "hypothese_projet": "hypothese_projet" in ligne}
    return {**vide, "detail": f"{nom} : {mot} {mesure} hors de toutes les tranches du barème"}


def ecarter_doublons(dossiers: list[Dossier], raison: str = "premier dépôt donné") -> tuple[list[Dossier], list[dict[str, Any]]]:
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
    doublons = []
    for finess, memes in par_finess.items():
        if len(memes) < 2:
            continue
        retenu, autres = memes[0], memes[1:]
        ecartes.update(a.chemin for a in autres)
        differences = _differences(retenu, autres)
        message = (f"FINESS {finess} donné par {len(memes)} dépôts : {retenu.chemin} retenu ({raison}), "
                   f"{', '.join(a.chemin for a in autres)} {'écartés' if len(autres) > 1 else 'écarté'} ; l'établissement n'est décidé, compté et sommé qu'une fois")
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
    for jour in sorted({j for d in (retenu, *autres) for j in d.verdicts}):
        for regle in sorted({r for d in (retenu, *autres) for r in d.verdicts.get(jour, {})}):
            statuts = [(d.verdicts.get(jour, {}).get(regle) or {}).get("statut") for d in (retenu, *autres)]
            if len(set(statuts)) > 1:
                differences.append(f"{regle} au {jour} : {' / '.join(str(s) for s in statuts)}")
    return differences


def _motif_doublon(programme: Programme, doublon: dict[str, Any], dossier: Dossier) -> dict[str, Any]:
    """Le doublon dit dans la candidature : pour information s'ils sont identiques, bloquant sinon."""
    identiques = not doublon["differences"]
    return _motif(programme, "doublon", "un seul dépôt par établissement (FINESS)", SATISFAIT if identiques else INDETERMINE,
                  doublon["message"], chemin_programme=("candidats",), bloquant=not identiques, valeur=doublon["finess"],
                  dossier=dossier, element={})


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


def decider(programme: Programme, jour: date, dossiers: list[Dossier],
            doublons: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Les candidatures, chacune avec sa décision, tous ses motifs (dans l'ordre : fenêtre, GHT, puis
    pour chaque membre son profil, ses prérequis et ses objectifs) et son montant plafond.
    `doublons` (de `ecarter_doublons`, dont `dossiers` sont les retenus) : dits au membre retenu."""
    doublon_de = {d["retenu"]: d for d in doublons}
    candidatures = []
    conditions = programme.conditions()
    indices = {"prerequis": 0, "objectif": 0}
    numerotees = []
    for c in conditions:
        numerotees.append((c, indices[c.nature]))
        indices[c.nature] += 1
    for ght, membres in _groupes(programme, dossiers):
        motifs = [_motif_fenetre(programme, jour)]
        if ght is not None:
            supports = [m for m in membres if (m.profil or {}).get("ght", {}).get("support")]
            if len(supports) == 1:
                motifs.append(_motif(programme, "ght", "candidature portée par l'établissement support du GHT", SATISFAIT,
                                     f"candidature du GHT « {ght} » portée par l'établissement support {_nom(supports[0])} ({len(membres)} établissement(s))",
                                     chemin_programme=("candidats", "candidature"), valeur=ght, dossier=supports[0],
                                     preuves=_preuve_profil(supports[0], "ght"), element=programme.donnees["candidats"]))
            elif not supports:
                motifs.append(_motif(programme, "ght", "candidature portée par l'établissement support du GHT", INDETERMINE,
                                     f"candidature du GHT « {ght} » : aucun établissement support parmi les {len(membres)} dépôt(s) donné(s) ; le support porte la candidature",
                                     chemin_programme=("candidats", "candidature"), valeur=ght, element=programme.donnees["candidats"]))
            else:
                motifs.append(_motif(programme, "ght", "candidature portée par l'établissement support du GHT", INDETERMINE,
                                     f"candidature du GHT « {ght} » : {len(supports)} établissements se déclarent support ({', '.join(_nom(s) for s in supports)}) ; un seul attendu",
                                     chemin_programme=("candidats", "candidature"), valeur=ght, element=programme.donnees["candidats"]))
        for membre in membres:
            motifs.extend(_motifs_profil(programme, membre))
            if membre.chemin in doublon_de:
                motifs.append(_motif_doublon(programme, doublon_de[membre.chemin], membre))
            if membre.echec is None and membre.profil is not None or membre.verdicts:
                for condition, indice in numerotees:
                    motifs.append(_motif_regle(programme, condition, indice, membre, date_de(condition, programme, jour), jour))
        if motifs[0]["resultat"] == CLOS:
            # Programme clos : aucun autre motif ne décide (ils restent lisibles, non bloquants).
            for m in motifs[1:]:
                m["bloquant"] = False
        bloquants = [m for m in motifs if m["bloquant"]]
        if motifs[0]["resultat"] == CLOS:
            decision = "clos"
        elif any(m["resultat"] == NON_SATISFAIT for m in bloquants):
            decision = "non_eligible"
        elif any(m["resultat"] == INDETERMINE for m in bloquants):
            decision = "incomplet"
        elif any(m["resultat"] == A_CONFIRMER for m in bloquants):
            decision = "a_confirmer"
        else:
            decision = "eligible"
        montants = [montant_etablissement(programme, m) for m in membres]
        calculables = all(x["montant"] is not None for x in montants)
        if calculables:
            total = sum((Decimal(str(x["montant"])) for x in montants), Decimal(0))
            montant = _nombre(total)
            raison = None
        else:
            montant = None
            raison = "; ".join(x["detail"] for x in montants if x["montant"] is None)
        if decision not in ("eligible", "a_confirmer"):
            # Un plafond affiché pour une candidature non éligible (ou incomplète, ou d'un programme clos)
            # se lirait comme une somme due : aucun montant, la raison le dit ; le barème reste par membre.
            montant = None
            raison = f"aucun montant : candidature {LIBELLES_DECISIONS[decision]}"
        porteur = membres[0]
        candidatures.append({
            "nom": f"GHT « {ght} »" if ght else _nom(porteur),
            "ght": ght,
            "porteur": _etab(porteur),
            "decision": decision,
            "montant_plafond": montant,
            "montant_raison": raison,
            "membres": [
                {**_etab(m), "categorie": (m.profil or {}).get("categorie"), "region": (m.profil or {}).get("region"),
                 "statut_juridique": (m.profil or {}).get("statut_juridique"), "depot": m.depot,
                 "montant_plafond": x["montant"], "montant_detail": x["detail"], "montant_sources": x["sources"],
                 "montant_hypothese_projet": x["hypothese_projet"]}
                for m, x in zip(membres, montants)
            ],
            "motifs": motifs,
        })
    return candidatures


def par_region(programme: Programme, candidatures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Par région de chaque établissement : décisions (de sa candidature), total des montants plafonds
    des éligibles, enveloppe de la région si le programme la donne."""
    enveloppe = programme.donnees.get("enveloppe") or {}
    regionales = enveloppe.get("par_region") or {}
    lignes: dict[str, dict[str, Any]] = {}
    for c in candidatures:
        for m in c["membres"]:
            cle = m["region"] or ""
            ligne = lignes.setdefault(cle, {"cle": cle, **{d: 0 for d in DECISIONS}, "montant_plafond_total": Decimal(0),
                                            "montants_inconnus": 0, "enveloppe": _nombre(regionales[cle]) if cle in regionales else None})
            ligne[c["decision"]] += 1
            if c["decision"] == "eligible":
                if m["montant_plafond"] is None:
                    ligne["montants_inconnus"] += 1
                else:
                    ligne["montant_plafond_total"] += Decimal(str(m["montant_plafond"]))
    for ligne in lignes.values():
        ligne["montant_plafond_total"] = _nombre(ligne["montant_plafond_total"])
    return [lignes[k] for k in sorted(lignes)]


def totaux(programme: Programme, candidatures: list[dict[str, Any]]) -> dict[str, Any]:
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
        "montant_plafond_total": _nombre(total),
        "montants_inconnus": inconnus,
        "enveloppe": _nombre(enveloppe) if enveloppe is not None else None,
        "part_enveloppe": round(float(total / Decimal(str(enveloppe))), 4) if enveloppe else None,
    }


def politiques_de(catalogue: Any) -> list[dict[str, Any]]:
    return [{"id": p.id, "version": p.version, "empreinte": p.empreinte} for p in catalogue.politiques]


def resultat(programme: Programme, jour: date, candidatures: list[dict[str, Any]], politiques: list[dict[str, Any]],
             doublons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Le résultat de `verificateur eligibilite` (format verificateur/eligibilite/1, schéma livré) ;
    `politiques` : [{id, version, empreinte}] des politiques évaluées (`politiques_de`) ; `doublons` :
    les dépôts écartés parce que leur FINESS était déjà donné (`ecarter_doublons`)."""
    sortie = {
        "format": FORMAT,
        "outil": {"version": __version__},
        "date_decision": jour.isoformat(),
        "programme": programme.en_dict(),
        "politiques": politiques,
        "hypotheses": programme.hypotheses(),
        "synthese": totaux(programme, candidatures),
        "par_region": par_region(programme, candidatures),
        "candidatures": candidatures,
        "doublons": doublons or [],
    }
    # Les motifs citent des valeurs et des chemins des dépôts : assainis avant l'empreinte et tout rendu.
    sortie = donnees_personnelles.assainir(sortie)
    sortie["empreinte"] = empreinte(sortie)
    return sortie


def empreinte(donnees: dict[str, Any]) -> str:
    sans = {k: v for k, v in donnees.items() if k != "empreinte"}
    texte = json.dumps(sans, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(texte.encode("utf-8")).hexdigest()


CODE_A_CONFIRMER = 4


def code_sortie(sortie: dict[str, Any]) -> int:
    """0 : toutes les candidatures éligibles ; 1 : au moins une non éligible ou incomplète (ou aucune
    candidature) ; 4 : sinon, au moins une à confirmer (fait non publié) ou programme clos."""
    decisions = {c["decision"] for c in sortie["candidatures"]}
    if not decisions or decisions & {"non_eligible", "incomplet"}:
        return 1
    return 0 if decisions == {"eligible"} else CODE_A_CONFIRMER


# --- le lot (verificateur lot … --programme ID) ------------------------------------------------------


def dossier_pour_lot(source: Any, catalogue: Any, programme: Programme, jour: date, seuil: str = "mineure",
                     chemin: str | None = None) -> dict[str, Any]:
    """Ce que le travailleur du lot calcule pour un dépôt (dans son processus : le parallélisme du lot
    sert aussi l'éligibilité) : le Dossier aux dates du programme, en données simples ; `chemin` : celui
    de l'établissement dans le lot (la clé de `completer_lot`)."""
    dossier = evaluer_depot(source, catalogue, programme, jour, seuil)
    dossier.chemin = chemin or dossier.chemin
    return dossier.en_dict()


def completer_lot(lot: dict[str, Any], programme: Programme, jour: date, dossiers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Ajoute au JSON du lot (contrat verificateur/lot/2) la décision de chaque établissement et, à la
    racine, `programme` et `eligibilite` (décisions, totaux par région contre l'enveloppe, candidatures).
    `dossiers` : chemin → `dossier_pour_lot(...)` ; un établissement en échec du lot (ou sans dossier)
    est une candidature `incomplet` dont le motif donne la raison. Renvoie la liste des financeurs au
    format verificateur/eligibilite/1 (rendue en texte, CSV ou HTML par `rendus_eligibilite`)."""
    liste = []
    for e in lot["etablissements"]:
        brut = dossiers.get(e["chemin"])
        if brut is None or e.get("etat") != "evalue":
            liste.append(Dossier(e["chemin"], depot=e.get("depot"), echec=e.get("raison") or "dépôt non évalué"))
        else:
            dossier = Dossier.depuis_dict(brut)
            dossier.chemin, dossier.depot = e["chemin"], e.get("depot") or dossier.depot
            liste.append(dossier)
    liste, doublons = ecarter_doublons(liste, "premier dans l'ordre du lot")
    candidatures = decider(programme, jour, liste, doublons)
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
    sortie = resultat(programme, jour, candidatures, lot.get("politiques", []), doublons)
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


def liste_depuis_lot(lot: dict[str, Any]) -> dict[str, Any]:
    """La liste des financeurs (format verificateur/eligibilite/1) tirée d'un lot évalué avec
    --programme, même relu d'un fichier : une candidature par entrée de `eligibilite.candidatures`,
    ses membres et ses motifs pris des établissements du lot."""
    if "eligibilite" not in lot or "programme" not in lot:
        raise ErreurVerificateur("lot évalué sans --programme : aucune décision d'éligibilité à lister")
    par_chemin = {e["chemin"]: e for e in lot["etablissements"]}
    candidatures = []
    for c in lot["eligibilite"]["candidatures"]:
        membres = [par_chemin[chemin] for chemin in c["membres"] if chemin in par_chemin]
        if not membres:
            continue
        candidatures.append({
            **{k: c[k] for k in ("nom", "ght", "porteur", "decision", "montant_plafond", "montant_raison")},
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
    sortie = {
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
    sortie = donnees_personnelles.assainir(sortie)  # un lot relu d'un fichier est une entrée comme une autre
    sortie["empreinte"] = empreinte(sortie)
    return sortie
