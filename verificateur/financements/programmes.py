"""Trouver, lire et vérifier les programmes de financement (`politiques/financements/*.yaml`).

Un programme est lu et validé par son schéma (`programme.schema.json`, `lire`), puis vérifié contre le
catalogue chargé (`verifier` : sources citées, fondement de chaque condition, règles connues, dates
ordonnées, barème cohérent). `charger` le fait pour `eligibilite` et `lot --programme` (code 2 s'il est
invalide), `charger_selon` aussi, en chargeant d'abord le catalogue des politiques que le programme
déclare, sans le relire ; `valider_programmes` pour `politiques valider`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from verificateur.financements.modeles import Programme
from verificateur.politiques import Catalogue, _affiche  # chemins montrés comme ceux des politiques
from verificateur.socle import lecture, validation
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.lecture import Chemin
from verificateur.socle.problemes import ErreurVerificateur, Probleme, trier


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


class _Controles:
    """Les problèmes d'un programme, chacun à sa ligne ; `ids` : les sources définies (id → rang)."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.problemes: list[Probleme] = []
        self.ids: dict[str, int] = {}

    def probleme(self, chemin: Chemin, code: str, message: str) -> None:
        self.problemes.append(Probleme(self.programme.fichier, self.programme.ligne(chemin), code, message))

    def fondement(self, element: dict[str, Any], chemin: Chemin, nom: str) -> None:
        """Un élément cite des sources connues, ou se déclare hypothèse du projet."""
        for j, ref in enumerate(element.get("sources", [])):
            if ref not in self.ids:
                self.probleme(chemin + ("sources", j), "source-inconnue", f"{nom} : source « {ref} » absente de la liste des sources")
        if not element.get("sources") and not element.get("hypothese_projet"):
            self.probleme(chemin, "fondement-manquant",
                          f"{nom} : ni « sources » ni « hypothese_projet » ; citez la source, ou écrivez que c'est une hypothèse du projet")


def verifier(programme: Programme, catalogue: Catalogue) -> list[Probleme]:
    """Contrôles sémantiques : sources citées, fondement de chaque condition, règles connues du
    catalogue chargé, dates ordonnées, barème cohérent."""
    controles = _Controles(programme)
    _verifier_sources(programme, controles)
    _verifier_fenetre(programme, controles)
    _verifier_conditions(programme, catalogue, controles)
    _verifier_montant(programme.donnees["montant_plafond"], controles)
    return trier(controles.problemes)


def _verifier_sources(programme: Programme, controles: _Controles) -> None:
    d, probleme = programme.donnees, controles.probleme
    for i, s in enumerate(d["sources"]):
        if s["id"] in controles.ids:
            probleme(("sources", i, "id"), "id-duplique", f"source « {s['id']} » déjà définie (source n° {controles.ids[s['id']] + 1})")
        controles.ids.setdefault(s["id"], i)
    if d["programme"]["source"] not in controles.ids:
        probleme(("programme", "source"), "source-inconnue",
                 f"texte fondateur « {d['programme']['source']} » absent de la liste des sources")
    if "enveloppe" in d:
        controles.fondement(d["enveloppe"], ("enveloppe",), "enveloppe")
        par_region = d["enveloppe"].get("par_region") or {}
        for region in par_region:
            if not (len(region) == 2 and region.isdigit()):
                probleme(("enveloppe", "par_region", region), "format",
                         f"enveloppe : région « {region} » invalide, attendu un code de région INSEE à 2 chiffres")
        if par_region and sum(Decimal(str(v)) for v in par_region.values()) > Decimal(str(d["enveloppe"]["montant"])):
            probleme(("enveloppe", "par_region"), "montant-incoherent",
                     "enveloppe : la somme des enveloppes régionales dépasse l'enveloppe nationale")


def _verifier_fenetre(programme: Programme, controles: _Controles) -> None:
    """Fondement de chaque date de la fenêtre, et leur ordre : ouverture ≤ clôture ≤ échéance ≤ fin."""
    d, probleme, fondement = programme.donnees, controles.probleme, controles.fondement
    fondement(programme.candidature, ("fenetre", "candidature"), "fenêtre de candidature")
    if "objectifs" in d["fenetre"]:
        objectifs = d["fenetre"]["objectifs"]
        fondement(objectifs, ("fenetre", "objectifs"), "échéance des objectifs")
        if ("echeance" in objectifs) == ("fait_inconnu" in objectifs):
            probleme(("fenetre", "objectifs"), "echeance-ou-fait-inconnu",
                     "échéance des objectifs : « echeance » ou « fait_inconnu » attendu (l'un ou l'autre, pas les deux) ; une échéance non "
                     "publiée se déclare par « fait_inconnu », qui la nomme")
    if "cloture" in programme.candidature and "fait_inconnu" in programme.candidature:
        probleme(("fenetre", "candidature"), "echeance-ou-fait-inconnu",
                 "fenêtre de candidature : « cloture » ou « fait_inconnu » attendu, pas les deux ; une clôture non publiée se déclare par "
                 "« fait_inconnu », qui la nomme")
    if "fin" in d["fenetre"]:
        fondement(d["fenetre"]["fin"], ("fenetre", "fin"), "fin du programme")
    fondement(d["candidats"], ("candidats",), "candidats")
    # Dates réelles (le schéma l'a vérifié) : ordre ouverture ≤ clôture ≤ échéance.
    ouverture, cloture, echeance = programme.ouverture, programme.cloture, programme.echeance
    if cloture and cloture < ouverture:
        probleme(("fenetre", "candidature", "cloture"), "dates-desordonnees",
                 f"fenêtre : clôture le {cloture.isoformat()} avant l'ouverture le {ouverture.isoformat()}")
    if echeance and echeance < (cloture or ouverture):
        borne = "la clôture" if cloture else "l'ouverture"
        probleme(("fenetre", "objectifs", "echeance"), "dates-desordonnees",
                 f"fenêtre : échéance des objectifs le {echeance.isoformat()} avant {borne} le {(cloture or ouverture).isoformat()}")
    fin = programme.fin
    derniere = max(x for x in (ouverture, cloture, echeance, programme.ouverture_objectifs) if x is not None)
    if fin and fin < derniere:
        probleme(("fenetre", "fin", "date"), "dates-desordonnees",
                 f"fenêtre : fin du programme le {fin.isoformat()} avant le {derniere.isoformat()}, date de la fenêtre")


def _verifier_conditions(programme: Programme, catalogue: Catalogue, controles: _Controles) -> None:
    """Chaque prérequis et objectif : fondé, règle connue du catalogue, date valide, pas demandé deux fois."""
    d, probleme = programme.donnees, controles.probleme
    politiques = ", ".join(p.id for p in catalogue.politiques) or "aucune"
    manquantes = [p for p in d["programme"].get("politiques") or [] if p not in {x.id for x in catalogue.politiques}]
    if manquantes:
        politiques += f" ; le programme demande aussi : {', '.join(manquantes)}"
    vues: dict[tuple[str, str, str], int] = {}
    for cle, nature in (("prerequis", "prérequis"), ("objectifs", "objectif")):
        for i, c in enumerate(d.get(cle) or []):
            chemin: Chemin = (cle, i)
            nom = f"{nature} {c['regle']}"
            controles.fondement(c, chemin, nom)
            if c["regle"] not in catalogue.regles:
                probleme(chemin + ("regle",), "regle-inconnue",
                         f"{nom} : règle « {c['regle']} » inconnue des politiques chargées ({politiques})")
            a_la_date = c.get("a_la_date")
            if cle == "objectifs" and a_la_date is not None:
                probleme(chemin + ("a_la_date",), "date-sans-effet",
                         f"{nom} : « a_la_date » sans effet, un objectif est évalué à l'échéance des objectifs")
            elif a_la_date == "cloture" and programme.cloture is None:
                probleme(chemin + ("a_la_date",), "date-inconnue",
                         f"{nom} : « cloture » demandée, mais la fenêtre de candidature n'a pas de clôture")
            elif a_la_date and a_la_date[0].isdigit():
                try:
                    date.fromisoformat(a_la_date)
                except ValueError:
                    probleme(chemin + ("a_la_date",), "date-invalide",
                             f"{nom} : date invalide « {a_la_date} », attendu une date réelle AAAA-MM-JJ")
            cle_unique = (cle, c["regle"], a_la_date or "candidature")
            if cle_unique in vues:
                probleme(chemin + ("regle",), "condition-dupliquee", f"{nom} : déjà demandé (n° {vues[cle_unique] + 1})")
            vues.setdefault(cle_unique, i)


def _verifier_montant(m: dict[str, Any], controles: _Controles) -> None:
    probleme = controles.probleme
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
        controles.fondement(ligne, sous, f"barème, ligne {i + 1}")
        if calcul == "par_categorie":
            if "categories" not in ligne or "de" in ligne or "a" in ligne:
                probleme(sous, "bareme-invalide",
                         f"barème, ligne {i + 1} : « categories » attendu (et ni « de » ni « a ») pour le calcul par_categorie")
            for cat in ligne.get("categories", []):
                if cat in vues:
                    probleme(sous + ("categories",), "bareme-invalide",
                             f"barème, ligne {i + 1} : catégorie « {cat} » déjà à la ligne {vues[cat] + 1}")
                vues.setdefault(cat, i)
        else:
            if "de" not in ligne or "categories" in ligne:
                probleme(sous, "bareme-invalide",
                         f"barème, ligne {i + 1} : « de » attendu (et pas « categories ») pour le calcul par_taille")
                continue
            if "a" in ligne and ligne["a"] < ligne["de"]:
                probleme(sous + ("a",), "bareme-invalide",
                         f"barème, ligne {i + 1} : tranche de {ligne['de']} à {ligne['a']}, bornes inversées")
            tranches.append((ligne["de"], ligne.get("a"), i))
    tranches.sort()
    for (_de1, a1, i1), (de2, _a2, i2) in zip(tranches, tranches[1:]):
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
        raise ErreurVerificateur(f"programme de financement « {reference} » introuvable ; programmes disponibles : "
                                 f"{', '.join(sorted(connus)) or 'aucun'} (ajoutez un dossier avec --programmes, ou donnez le chemin du "
                                 "fichier)")
    return connus[reference]


def politiques_demandees(fichier: Path) -> tuple[str, ...]:
    """Les dossiers des politiques livrées que le programme déclare (`programme.politiques`) ; () s'il
    n'en déclare pas ou s'il est illisible (ses problèmes seront alors donnés par `charger`)."""
    programme, _ = lire(fichier)
    return _declarees(programme)


def _declarees(programme: Programme | None) -> tuple[str, ...]:
    """Les dossiers des politiques livrées qu'un programme lu déclare ; () s'il n'en déclare pas ou s'il est illisible."""
    return _dossiers_livres(tuple(programme.donnees["programme"].get("politiques", ()))) if programme else ()


def _dossiers_livres(noms: tuple[str, ...]) -> tuple[str, ...]:
    """Le dossier livré de chaque politique nommée (jamais un dossier du même nom dans le dossier courant)."""
    from verificateur.politiques import dossier_donnees

    livrees = dossier_donnees("politiques")
    return tuple(str(livrees / n) if (livrees / n / "politique.yaml").is_file() else n for n in noms)


def _probleme_id_fichier(programme: Programme, fichier: Path) -> Probleme:
    return Probleme(programme.fichier, programme.ligne(("programme", "id")), "id-fichier",
                    f"identifiant « {programme.id} » différent du nom du fichier « {fichier.stem} »")


def charger(reference: str, catalogue: Catalogue, dossiers: list[Path] | None = None) -> Programme:
    """Un programme par identifiant (dans les dossiers de programmes) ou par chemin de fichier ;
    ErreurVerificateur (code 2) s'il est inconnu ou invalide, avec chaque problème `fichier:ligne`."""
    fichier = trouver(reference, dossiers)
    return _verifie(reference, fichier, *lire(fichier), catalogue)


def charger_selon(reference: str, dossiers: list[Path] | None, politiques: tuple[str, ...],
                  catalogue_de_politiques: Callable[[tuple[str, ...]], Catalogue]) -> tuple[Catalogue, Programme]:
    """Le catalogue et le programme d'`eligibilite` et de `lot --programme` : sans `politiques` (--politiques),
    celles que le programme déclare (`politiques_demandees`), sinon celles par défaut. Le fichier du programme
    n'est lu et validé qu'une fois ; le catalogue est chargé avant que les problèmes du programme ne soient dits."""
    if politiques:
        catalogue = catalogue_de_politiques(politiques)
        return catalogue, charger(reference, catalogue, dossiers)
    fichier = trouver(reference, dossiers)
    programme, problemes = lire(fichier)
    catalogue = catalogue_de_politiques(_declarees(programme))
    return catalogue, _verifie(reference, fichier, programme, problemes, catalogue)


def _verifie(reference: str, fichier: Path, programme: Programme | None, problemes: list[Probleme], catalogue: Catalogue) -> Programme:
    """Le programme lu, vérifié contre le catalogue ; ErreurVerificateur (code 2) s'il est invalide."""
    chemin = Path(reference)
    if programme is not None:
        problemes = verifier(programme, catalogue)
        if programme.id != fichier.stem and not reference.endswith((".yaml", ".yml")) and not chemin.is_file():
            problemes.append(_probleme_id_fichier(programme, fichier))
    if problemes:
        raise ErreurVerificateur(f"programme « {reference} » invalide", 2, problemes)
    assert programme is not None
    return programme


@lru_cache(maxsize=8)
def catalogue_de(politiques: tuple[str, ...]) -> Catalogue:
    """Le catalogue des politiques livrées nommées (« care », « plan-national »)."""
    from verificateur import politiques as module

    return module.charger([Path(p) for p in _dossiers_livres(politiques)])


def valider_dossier(dossier: Path, catalogue: Catalogue, selon_programme: bool = False) -> tuple[int, list[Probleme]]:
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
                problemes.append(_probleme_id_fichier(programme, fichier))
    return len(fichiers), trier(problemes)


def valider_programmes(dossiers: list[Path], catalogue: Catalogue, livres: bool = True) -> tuple[int, list[Probleme]]:
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
