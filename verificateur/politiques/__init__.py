"""Chargement des référentiels et des politiques : lecture, validation par schéma, contrôles croisés
(identifiants uniques, exigences et paramètres connus, valeurs datées, une opération par table).
Une politique invalide est refusée avec tous ses problèmes (`fichier:ligne: …`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from verificateur.langage import MODIFICATEURS_VALEUR, OPERATEURS_CONDITION, OPERATEURS_VALEUR, Parametre, motif_regex
from verificateur.preuves import EXEMPLES_DE_CHEMINS, type_de
from verificateur.socle import lecture, validation
from verificateur.socle.lecture import Chemin, Document
from verificateur.socle.problemes import ErreurVerificateur, Probleme, lieu, trier
from verificateur.socle.statuts import GRAVITES as GRAVITES  # par ordre croissant ; ré-exporté


def dossier_donnees(nom: str) -> Path:
    """`politiques/` ou `referentiels/` : dans le paquet installé (roue), sinon à la racine des sources."""
    paquet = Path(__file__).parent.parent  # verificateur/
    installe = paquet / "_donnees" / nom
    return installe if installe.is_dir() else paquet.parent / nom


@dataclass(frozen=True)
class Exigence:
    id: str
    referentiel: str
    titre: str
    enonce: str
    sources: tuple[dict[str, Any], ...]
    verifiable: bool
    confiance: str
    donnees: dict[str, Any] = field(compare=False, repr=False)

    def en_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "referentiel": self.referentiel,
            "titre": self.titre,
            "enonce": self.enonce,
            "confiance": self.confiance,
            "sources": [
                {k: s[k] for k in ("id", "document", "emetteur", "date", "url") if k in s} for s in self.sources
            ],
        }


@dataclass(frozen=True)
class Regle:
    id: str
    titre: str
    description: str
    exigences: tuple[str, ...]
    gravite: str
    preuves: dict[str, dict[str, Any]]
    applicable: dict[str, Any] | None
    condition: dict[str, Any]
    messages: dict[str, str]
    politique: str
    fichier: str
    ligne: int


@dataclass
class Politique:
    id: str
    titre: str
    version: str
    empreinte: str
    dossier: Path
    referentiels: tuple[str, ...]
    parametres: dict[str, Parametre]


@dataclass
class Catalogue:
    politiques: list[Politique] = field(default_factory=list)
    regles: dict[str, Regle] = field(default_factory=dict)
    exigences: dict[str, Exigence] = field(default_factory=dict)
    referentiels: dict[str, dict[str, Any]] = field(default_factory=dict)
    problemes: list[Probleme] = field(default_factory=list)

    def politique(self, id_politique: str) -> Politique:
        return next(p for p in self.politiques if p.id == id_politique)


def _lire(affiche: str, contenu: bytes, nom_schema: str) -> Document:
    document = lecture.lire_yaml(affiche, contenu)
    if document.lisible:
        validation.valider(document, nom_schema)
    return document


def _affiche(chemin: Path) -> str:
    """Chemin montré dans les messages : relatif au dossier courant quand c'est possible ; un fichier
    livré avec l'outil, sous son nom dans le dépôt de verificateur (« politiques/financements/… »),
    jamais le chemin de l'environnement où il est installé (`…/site-packages/verificateur/_donnees/…`)."""
    resolu = chemin.resolve()
    try:
        return resolu.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        pass
    for nom in ("politiques", "referentiels"):
        try:
            return (Path(nom) / resolu.relative_to(dossier_donnees(nom).resolve())).as_posix()
        except ValueError:
            continue
    return chemin.as_posix()


def trouver_politiques(dossiers: list[Path]) -> list[Path]:
    """Un dossier est une politique (il contient politique.yaml) ou un dossier de politiques."""
    trouvees: list[Path] = []
    for dossier in dossiers:
        livree = dossier_donnees("politiques") / dossier.name
        if not dossier.is_dir() and len(dossier.parts) == 1 and (livree / "politique.yaml").is_file():
            dossier = livree  # le nom d'une politique livrée (« --politiques care ») vaut son dossier
        if not dossier.is_dir():
            raise ErreurVerificateur(f"{dossier}: dossier de politiques introuvable")
        if (dossier / "politique.yaml").is_file():
            trouvees.append(dossier)
            continue
        sous = sorted(d for d in dossier.iterdir() if (d / "politique.yaml").is_file())
        if not sous:
            raise ErreurVerificateur(f"{dossier}: aucune politique (aucun politique.yaml) dans ce dossier")
        trouvees.extend(sous)
    return trouvees


def charger(dossiers_politiques: list[Path] | None = None, dossiers_referentiels: list[Path] | None = None) -> Catalogue:
    """Charge et valide tout ; lève ErreurVerificateur (code 2) avec chaque problème s'il y en a."""
    catalogue = Catalogue()
    for dossier in dossiers_referentiels or [dossier_donnees("referentiels")]:
        for fichier in sorted(dossier.glob("*.yaml")):
            _charger_referentiel(fichier, catalogue)
    dossiers = trouver_politiques(dossiers_politiques or [dossier_donnees("politiques")])
    if not dossiers_politiques:
        # Une politique livrée avec « par_defaut: false » (care) ne se charge que nommée : les rapports par défaut ne changent pas.
        dossiers = [d for d in dossiers if _par_defaut(d)]
    for dossier in dossiers:
        _charger_politique(dossier, catalogue)
    if not dossiers_referentiels:
        _garder_referentiels_cites(catalogue)
    catalogue.regles = dict(sorted(catalogue.regles.items()))
    erreurs = [p for p in catalogue.problemes if p.niveau == "erreur"]
    if erreurs:
        raise ErreurVerificateur("politiques invalides", 2, trier(catalogue.problemes))
    return catalogue


def _par_defaut(dossier: Path) -> bool:
    document = lecture.lire_yaml(_affiche(dossier / "politique.yaml"), (dossier / "politique.yaml").read_bytes())
    entete = document.donnees.get("politique") if document.lisible and isinstance(document.donnees, dict) else None
    return not (isinstance(entete, dict) and entete.get("par_defaut") is False)


def _garder_referentiels_cites(catalogue: Catalogue) -> None:
    """Référentiels livrés par défaut : seulement ceux que citent les politiques chargées (ou leurs règles)."""
    cites = {r for p in catalogue.politiques for r in p.referentiels}
    cites |= {catalogue.exigences[e].referentiel for r in catalogue.regles.values() for e in r.exigences if e in catalogue.exigences}
    catalogue.referentiels = {i: r for i, r in catalogue.referentiels.items() if i in cites}
    catalogue.exigences = {i: e for i, e in catalogue.exigences.items() if e.referentiel in cites}


def _charger_referentiel(fichier: Path, catalogue: Catalogue) -> None:
    document = _lire(_affiche(fichier), fichier.read_bytes(), "referentiel")
    catalogue.problemes.extend(document.problemes)
    if not document.lisible:
        return
    donnees = document.donnees
    id_ref = donnees["referentiel"]["id"]
    if id_ref in catalogue.referentiels:
        document.probleme(("referentiel", "id"), "id-duplique", f"référentiel « {id_ref} » déjà chargé")
        catalogue.problemes.extend(document.problemes[-1:])
        return
    catalogue.referentiels[id_ref] = donnees
    sources = {s["id"]: s for s in donnees.get("sources", [])}
    externes = _verifier_catalogues(document, donnees, sources, catalogue)
    for i, exigence in enumerate(donnees["exigences"]):
        chemin: Chemin = ("exigences", i, "id")
        if exigence["id"] in catalogue.exigences:
            catalogue.problemes.append(Probleme(document.chemin, document.ligne(chemin), "id-duplique",
                                                f"exigence « {exigence['id']} » déjà définie"))
            continue
        citees = []
        for ref in exigence.get("sources", []):
            if ref not in sources:
                catalogue.problemes.append(Probleme(
                    document.chemin, document.ligne(("exigences", i, "sources")), "source-inconnue",
                    f"exigence « {exigence['id']} » : source « {ref} » absente de la liste des sources"))
            else:
                citees.append(sources[ref])
        for j, c in enumerate(exigence.get("correspondances", [])):
            lieu = document.ligne(("exigences", i, "correspondances", j))
            if c["catalogue"] not in externes:
                catalogue.problemes.append(Probleme(
                    document.chemin, lieu, "catalogue-inconnu",
                    f"exigence « {exigence['id']} » : catalogue « {c['catalogue']} » absent de la liste des catalogues "
                    f"({', '.join(externes) or 'aucun'})"))
            elif c["noeud"] not in externes[c["catalogue"]]:
                catalogue.problemes.append(Probleme(
                    document.chemin, lieu, "noeud-inconnu",
                    f"exigence « {exigence['id']} » : nœud « {c['noeud']} » absent du catalogue « {c['catalogue']} »"))
        catalogue.exigences[exigence["id"]] = Exigence(
            exigence["id"], id_ref, exigence["titre"], exigence["enonce"], tuple(citees),
            bool(exigence.get("verifiable")), exigence.get("confiance", ""), exigence,
        )


def _verifier_catalogues(
    document: Document, donnees: dict[str, Any], sources: dict[str, Any], catalogue: Catalogue,
) -> dict[str, list[str]]:
    """Les catalogues externes d'un référentiel (identifiant → nœuds) ; une source inconnue ou un
    identifiant répété est un problème."""
    externes: dict[str, list[str]] = {}
    for i, c in enumerate(donnees.get("catalogues", [])):
        if c["id"] in externes:
            catalogue.problemes.append(Probleme(document.chemin, document.ligne(("catalogues", i, "id")), "id-duplique",
                                                f"catalogue « {c['id']} » déjà défini"))
            continue
        if c["source"] not in sources:
            catalogue.problemes.append(Probleme(
                document.chemin, document.ligne(("catalogues", i, "source")), "source-inconnue",
                f"catalogue « {c['id']} » : source « {c['source']} » absente de la liste des sources"))
        externes[c["id"]] = list(c["noeuds"])
    return externes


def _empreinte(fichiers: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for nom, contenu in sorted(fichiers):
        h.update(nom.encode() + b"\0" + hashlib.sha256(contenu).digest())
    return "sha256:" + h.hexdigest()


def _charger_politique(dossier: Path, catalogue: Catalogue) -> None:
    fichier_politique = dossier / "politique.yaml"
    fichiers_regles = sorted((dossier / "regles").glob("*.yaml"))
    # Chaque fichier lu une fois : l'empreinte porte sur les octets mêmes qui sont analysés.
    octets = {p: p.read_bytes() for p in [fichier_politique, *fichiers_regles]}
    contenus = [(p.relative_to(dossier).as_posix(), contenu) for p, contenu in octets.items()]
    document = _lire(_affiche(fichier_politique), octets[fichier_politique], "politique")
    catalogue.problemes.extend(document.problemes)
    if not document.lisible:
        return
    entete = document.donnees["politique"]
    if any(p.id == entete["id"] for p in catalogue.politiques):
        catalogue.problemes.append(Probleme(document.chemin, document.ligne(("politique", "id")), "id-duplique",
                                            f"politique « {entete['id']} » déjà chargée"))
        return
    for i, ref in enumerate(entete["referentiels"]):
        if ref not in catalogue.referentiels:
            charges = ", ".join(sorted(catalogue.referentiels)) or "aucun"
            catalogue.problemes.append(Probleme(document.chemin, document.ligne(("politique", "referentiels", i)), "referentiel-inconnu",
                                                f"référentiel « {ref} » inconnu ; chargés : {charges}"))
    parametres = _parametres(document, catalogue)
    politique = Politique(entete["id"], entete["titre"], entete["version"], _empreinte(contenus), dossier,
                          tuple(entete["referentiels"]), parametres)
    catalogue.politiques.append(politique)
    if not fichiers_regles:
        catalogue.problemes.append(Probleme(document.chemin, 1, "politique-vide",
                                            f"aucun fichier de règles dans {_affiche(dossier / 'regles')}"))
    for fichier in fichiers_regles:
        doc_regles = _lire(_affiche(fichier), octets[fichier], "regles")
        catalogue.problemes.extend(doc_regles.problemes)
        if doc_regles.lisible:
            for i, brute in enumerate(doc_regles.donnees["regles"]):
                _ajouter_regle(brute, ("regles", i), doc_regles, politique, catalogue)


def _parametres(document: Document, catalogue: Catalogue) -> dict[str, Parametre]:
    parametres = {}
    for nom, brut in (document.donnees.get("parametres") or {}).items():
        valeurs = []
        vues: dict[date, int] = {}
        for j, v in enumerate(brut["valeurs"]):
            depuis = date.fromisoformat(v["depuis"])
            if depuis in vues:
                catalogue.problemes.append(Probleme(
                    document.chemin, document.ligne(("parametres", nom, "valeurs", j, "depuis")), "valeurs-chevauchantes",
                    f"paramètre « {nom} » : deux valeurs depuis le {depuis.isoformat()} (l'autre à la valeur n° {vues[depuis] + 1})"))
            vues[depuis] = j
            erreur = _valeur_hors_unite(v["valeur"], brut["unite"])
            if erreur:
                catalogue.problemes.append(Probleme(document.chemin, document.ligne(("parametres", nom, "valeurs", j, "valeur")),
                                                    "type-incompatible", f"paramètre « {nom} » ({brut['unite']}) : {erreur}"))
            valeurs.append((depuis, v["valeur"], v["source"]))
        parametres[nom] = Parametre(nom, brut["description"], brut["unite"], tuple(sorted(valeurs, key=lambda x: x[0])))
    return parametres


def _valeur_hors_unite(valeur: Any, unite: str) -> str | None:
    """Ce qui ne va pas dans une valeur de paramètre pour son unité, ou None."""
    from decimal import Decimal

    nombre = isinstance(valeur, (int, Decimal)) and not isinstance(valeur, bool)
    if unite == "texte":
        return None if isinstance(valeur, str) else f"un texte attendu, trouvé {valeur!s}"
    if not nombre and isinstance(valeur, str):
        return f"un nombre attendu, trouvé « {valeur} »"
    if not nombre:
        return f"un nombre attendu, trouvé {str(valeur).lower()}"
    if unite in ("jours", "mois") and (valeur != int(valeur) or valeur < 0):
        return f"un nombre entier de {unite}, positif ou nul, attendu, trouvé {valeur}"
    if unite == "part" and not 0 <= valeur <= 1:
        return f"une part s'écrit entre 0 et 1 (0.05 pour 5 %), trouvé {valeur}"
    return None


def _ajouter_regle(brute: dict[str, Any], chemin: Chemin, document: Document, politique: Politique, catalogue: Catalogue) -> None:
    def probleme(sous: Chemin, code: str, message: str) -> None:
        catalogue.problemes.append(Probleme(document.chemin, document.ligne(chemin + sous), code, message))

    avant = len(catalogue.problemes)
    id_regle = brute["id"]
    duplique = id_regle in catalogue.regles
    if duplique:  # signalé, et la règle est tout de même vérifiée : chaque problème d'un coup
        autre = catalogue.regles[id_regle]
        probleme(("id",), "id-duplique", f"règle « {id_regle} » déjà définie ({lieu(autre.fichier, autre.ligne, ligne_toujours=True)})")
    for j, exigence in enumerate(brute["exigences"]):
        if exigence not in catalogue.exigences:
            probleme(("exigences", j), "exigence-inconnue",
                     f"règle « {id_regle} » : exigence « {exigence} » inconnue des référentiels chargés")
    liaisons = brute.get("preuves") or {}
    portee = {"etablissement"}
    for nom, liaison in liaisons.items():
        if ("fichier" in liaison) == ("fichiers" in liaison):
            probleme(("preuves", nom), "liaison-invalide", f"preuve « {nom} » : « fichier » ou « fichiers » attendu (l'un des deux)")
        motif = liaison.get("fichier") or liaison.get("fichiers")
        if motif and not _motif_possible(motif, "fichiers" in liaison):
            cle = "fichiers" if "fichiers" in liaison else "fichier"
            probleme(("preuves", nom, cle), "motif-sans-preuve",
                     f"preuve « {nom} » : « {motif} » ne peut désigner aucun fichier de preuve du format 1 (voir docs/preuves.md)")
        if liaison.get("selection") in ("plus_recent", "plus_ancien") and "cle" not in liaison and "fichiers" in liaison:
            probleme(("preuves", nom), "liaison-invalide",
                     f"preuve « {nom} » : « cle » attendue pour choisir le fichier {liaison['selection'].replace('_', ' ')}")
        for sous in ("si", "cle"):
            if sous in liaison:
                _verifier(liaison[sous], ("preuves", nom, sous), portee | {nom}, politique, probleme, sous == "si")
        portee.add(nom)
    for cle in ("applicable", "condition"):
        if cle in brute:
            _verifier(brute[cle], (cle,), portee, politique, probleme, True)
    if len(catalogue.problemes) == avant:  # les types ne se vérifient que sur une règle bien formée
        from verificateur.politiques import typage

        typage.verifier_regle(brute, politique.parametres, probleme)
    if duplique:
        return
    catalogue.regles[id_regle] = Regle(
        id_regle, brute["titre"], brute.get("description", ""), tuple(brute["exigences"]), brute["gravite"],
        liaisons, brute.get("applicable"), brute["condition"], brute.get("messages", {}),
        politique.id, document.chemin, document.ligne(chemin + ("id",)),
    )


def _motif_possible(motif: str, est_motif: bool) -> bool:
    if not est_motif:
        return type_de(motif) is not None
    if motif.endswith(".md"):
        return True  # tout document Markdown est une preuve
    regex = motif_regex(motif)
    return any(regex.fullmatch(c) for c in EXEMPLES_DE_CHEMINS)


def _verifier(
    expr: Any, chemin: Chemin, portee: set[str], politique: Politique, probleme: Callable[[Chemin, str, str], None], est_condition: bool,
) -> None:
    """Ce que le schéma ne peut pas dire : une seule opération par table, noms et paramètres connus."""
    if not isinstance(expr, dict):
        if est_condition:
            probleme(chemin, "condition-invalide", "condition attendue (une table), trouvé une valeur simple")
        return
    table = OPERATEURS_CONDITION if est_condition else OPERATEURS_VALEUR
    operations = [c for c in expr if c in table]
    autres = [c for c in expr if c not in table and c not in ({"libelle"} if est_condition else MODIFICATEURS_VALEUR)]
    if len(operations) != 1 or autres:
        nature = "condition" if est_condition else "valeur calculée"
        probleme(chemin, "operation-invalide", f"{nature} : une seule opération attendue, trouvé {', '.join(expr) or 'aucune'}")
        return
    op = operations[0]
    for sous_chemin, sous, condition, sous_portee in table[op].enfants(expr[op], chemin + (op,), portee):
        _verifier(sous, sous_chemin, sous_portee, politique, probleme, condition)
    for sens in ("moins", "plus") if not est_condition else ():
        for unite, nombre in (expr.get(sens) or {}).items():  # une durée peut être calculée
            _verifier(nombre, chemin + (sens, unite), portee, politique, probleme, False)
    controler = table[op].controler
    if controler is not None:  # noms et paramètres connus, motif sûr…
        controler(expr[op], chemin + (op,), portee, politique.parametres, probleme)
