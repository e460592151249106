"""Les preuves d'un dépôt : reconnaître chaque fichier (format 1, CONCEPTION §3), le lire, le valider
contre son schéma, contrôler la cohérence entre champs, puis le convertir en valeurs typées."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from verificateur.socle import donnees_personnelles

from verificateur.socle import lecture

from verificateur.socle import validation
from verificateur.socle.francais import nombre
from verificateur.socle.lecture import Chemin, Document
from verificateur.socle.problemes import AVERTISSEMENT, ErreurVerificateur, Probleme, trier
from verificateur.sources import (
    NOMBRE_MAX_PREUVES, TAILLE_MAX_FICHIER, TAILLE_MAX_PREUVES, VALEURS_MAX_DEPOT, Source, chemin_confine,
)


@dataclass(frozen=True)
class TypePreuve:
    """Une sorte de fichier de preuve, décrite en un seul endroit : son enregistrement dans `TYPES`, le
    registre en fin de module. Ajouter un type = un enregistrement, son schéma, sa section de
    docs/preuves.md et son modèle d'init (tests/test_types_preuves.py vérifie qu'aucun ne manque)."""

    nom: str  # aussi celui de son schéma, verificateur/schemas/preuves/<nom>.schema.json
    motif: re.Pattern[str]  # chemin dans le dépôt ; ses groupes nommés (annee, date) vont au contrôle
    format: str  # yaml | csv | markdown
    forme: str  # ce que l'utilisateur doit écrire, pour les messages ; titre de sa section de docs/preuves.md
    schema: str | None
    # Un chemin représentatif, pour savoir si un motif de règle peut désigner quelque chose
    # (politiques.py) et quel type de preuve il désigne (typage.py).
    exemple: str | None = None
    modele: str | None = None  # le modèle qu'écrit `init`, sous verificateur/modeles/
    # Cohérence entre champs, après validation et typage : (valeurs, document, groupes du motif).
    controle: Callable[[Any, Document, dict[str, str]], None] | None = None
    # (champ, libellé) de la date que déclare le fichier : elle ne peut pas être postérieure à la date
    # d'évaluation, et la fraîcheur la compare au premier commit du fichier (evaluation.py).
    date_declaree: tuple[str, str] | None = None
    # Champs qui nomment un fichier du dépôt (None : chaque élément d'une liste) : confinés, et
    # signalés s'ils ne mènent à rien.
    chemins: tuple[tuple[str | int | None, ...], ...] = ()

    @property
    def dossier(self) -> str:
        """Le dossier du format 1 où vivent ces fichiers (« budget/ »), « » à la racine."""
        return self.forme.split("/")[0] + "/" if "/" in self.forme else ""


MARKDOWN = TypePreuve("markdown", re.compile(r".+\.md"), "markdown", "<nom>.md", None)

_RACINE_PERMIS = {".pre-commit-config.yaml", ".yamllint.yaml", ".gitlab-ci.yml", ".github", ".verificateur"}  # .verificateur : schémas copiés (schemas_depot)


@dataclass
class Preuve:
    """Un fichier de preuve reconnu : son type, sa lecture, et ses valeurs typées s'il est valide."""

    chemin: str
    type: str
    document: Document
    valide: bool = False
    valeurs: Any = None


@dataclass
class Preuves:
    """Tout ce que l'évaluation sait d'un dépôt, sans plus aucune lecture (elle est pure)."""

    chemin: str
    nature: str
    revision: str | None
    fichiers: dict[str, int]
    preuves: dict[str, Preuve] = field(default_factory=dict)
    problemes_source: list[Probleme] = field(default_factory=list)

    def problemes(self) -> list[Probleme]:
        tous = list(self.problemes_source)
        for preuve in self.preuves.values():
            tous.extend(preuve.document.problemes)
        return trier(tous)

    @property
    def etablissement(self) -> Preuve | None:
        return self.preuves.get("etablissement.yaml")


def type_de(chemin: str) -> TypePreuve | None:
    for type_preuve in TYPES:
        if type_preuve.motif.fullmatch(chemin):
            return type_preuve
    if chemin.endswith(".md"):
        return MARKDOWN
    return None


def _non_reconnu(chemin: str) -> Probleme | None:
    if not chemin.endswith((".yaml", ".yml", ".csv")) or chemin.split("/")[0] in _RACINE_PERMIS:
        return None
    if chemin.endswith(".yml"):
        return Probleme(chemin, 0, "fichier-non-reconnu", "extension « .yml » : renommez le fichier en « .yaml »", AVERTISSEMENT)
    dossier = chemin.split("/")[0] + "/" if "/" in chemin else ""
    if dossier and dossier not in _DOSSIERS:
        return None
    formes = [t.forme for t in TYPES if t.forme.startswith(dossier) and ("/" in t.forme) == bool(dossier)]
    return Probleme(
        chemin, 0, "fichier-non-reconnu",
        f"fichier non reconnu, ignoré ; attendu : {', '.join(formes)}", AVERTISSEMENT,
    )


class Budget:
    """Les valeurs lues (nœuds YAML, cellules CSV, titres Markdown) dans tout un dépôt, ou toute son
    histoire : au-delà de VALEURS_MAX_DEPOT, le dépôt est refusé (docs/limites.md)."""

    def __init__(self, chemin: str):
        self.chemin = chemin
        self.valeurs = 0

    def compter(self, document: Document) -> None:
        self.valeurs += len(document.lignes)
        if document.format == "markdown" and isinstance(document.donnees, dict):
            self.valeurs += len(document.donnees.get("titres", ()))
        if self.valeurs > VALEURS_MAX_DEPOT:
            raise ErreurVerificateur(
                f"{self.chemin}: plus de {VALEURS_MAX_DEPOT} valeurs dans les preuves, dépôt refusé (voir docs/limites.md)"
            )


def limiter(chemin: str, tailles: list[int]) -> None:
    """Refuse, avant toute lecture, un dépôt qui a trop de fichiers de preuve ou trop d'octets à lire."""
    if len(tailles) > NOMBRE_MAX_PREUVES:
        raise ErreurVerificateur(
            f"{chemin}: {len(tailles)} fichiers de preuve, au-delà de la limite de {NOMBRE_MAX_PREUVES}, dépôt refusé (voir docs/limites.md)"
        )
    if sum(tailles) > TAILLE_MAX_PREUVES:
        raise ErreurVerificateur(
            f"{chemin}: {sum(tailles)} octets de preuves à lire, au-delà de la limite de {TAILLE_MAX_PREUVES}, dépôt refusé (voir docs/limites.md)"
        )


def charger(source: Source, lire: Callable[[str, TypePreuve, bytes], Preuve] | None = None) -> Preuves:
    """Lit toutes les preuves d'une source : une seule lecture groupée, puis validation. `lire`
    remplace `lire_preuve` (l'historique y met son cache par blob)."""
    fichiers = source.lister()
    preuves = Preuves(source.chemin, source.nature, source.revision, fichiers, problemes_source=source.problemes())
    a_lire: dict[str, TypePreuve] = {}
    for chemin, taille in fichiers.items():
        # Un NIR dans le nom d'un fichier (lu ou non) : une erreur, le chemin masqué partout où il paraît.
        if donnees_personnelles.dans_chemin(chemin):
            preuves.problemes_source.append(
                Probleme(chemin, 0, donnees_personnelles.CODE, donnees_personnelles.MESSAGE_CHEMIN)
            )
        type_preuve = type_de(chemin)
        if type_preuve is None:
            probleme = _non_reconnu(chemin)
            if probleme:
                preuves.problemes_source.append(probleme)
            continue
        if taille > TAILLE_MAX_FICHIER:
            document = Document(chemin, type_preuve.format)
            document.problemes.append(
                Probleme(chemin, 0, "fichier-trop-gros", f"fichier de {taille} octets, au-delà de la limite de {TAILLE_MAX_FICHIER} (docs/limites.md)")
            )
            preuves.preuves[chemin] = Preuve(chemin, type_preuve.nom, document)
            continue
        a_lire[chemin] = type_preuve
    limiter(source.chemin, [fichiers[c] for c in a_lire])
    contenus = source.lire(sorted(a_lire))
    budget = Budget(source.chemin) if lire is None else None  # l'historique compte dans son cache
    for chemin, type_preuve in a_lire.items():
        preuves.preuves[chemin] = (lire or lire_preuve)(chemin, type_preuve, contenus[chemin])
        if budget is not None:
            budget.compter(preuves.preuves[chemin].document)
        # Aucune donnée personnelle (NIR) dans les preuves : une erreur située, le numéro jamais recopié ;
        # cherchée dans les octets et dans ce que le fichier signifie (valeurs, clés, échappements, plis).
        preuve = preuves.preuves[chemin]
        trouves = [
            Probleme(chemin, n, donnees_personnelles.CODE, donnees_personnelles.MESSAGE)
            for n in donnees_personnelles.lignes_nir(chemin, contenus[chemin], preuve.document)
        ]
        preuves.problemes_source.extend(trouves)
        if trouves and preuve.valide and donnees_personnelles.nombre_nir(preuve.valeurs):
            # Un NIR écrit comme un nombre serait recopié tel quel (un nombre ne se masque pas) : refusé.
            preuve.document.problemes.extend(trouves)
            preuve.valide, preuve.valeurs = False, None
    if "etablissement.yaml" not in fichiers:
        preuves.problemes_source.append(
            Probleme("etablissement.yaml", 0, "preuve-manquante", "fichier obligatoire absent : il décrit l'établissement")
        )
    for preuve in preuves.preuves.values():
        if preuve.valide:
            _controler_chemins(preuve, preuves)
    return preuves


def lire_preuve(chemin: str, type_preuve: TypePreuve, contenu: bytes) -> Preuve:
    if type_preuve.format == "yaml":
        document = lecture.lire_yaml(chemin, contenu)
    elif type_preuve.format == "csv":
        document = lecture.lire_csv(chemin, contenu)
    else:
        document = lecture.lire_markdown(chemin, contenu)
    preuve = Preuve(chemin, type_preuve.nom, document)
    if not document.lisible:
        return preuve
    if type_preuve.schema is None:
        preuve.valide, preuve.valeurs = True, document.donnees
        return preuve
    nom_schema = type_preuve.schema
    if type_preuve.format == "csv":
        valide = _valider_csv(document, nom_schema)
    else:
        valide = validation.valider(document, nom_schema)
    if not valide:
        return preuve
    schema = validation.schema(nom_schema)
    if type_preuve.format == "csv":
        valeurs = [_typer(ligne, schema, document, (i,)) for i, ligne in enumerate(document.donnees)]
    else:
        valeurs = _typer(document.donnees, schema, document, ())
    if type_preuve.controle is not None:
        correspondance = type_preuve.motif.fullmatch(chemin)
        type_preuve.controle(valeurs, document, correspondance.groupdict() if correspondance else {})
    preuve.valide = document.lisible
    preuve.valeurs = valeurs if preuve.valide else None
    return preuve


def _valider_csv(document: Document, nom_schema: str) -> bool:
    schema = validation.schema(nom_schema)
    connues = set(schema.get("properties", {}))
    entete = getattr(document, "entete", [])
    inconnues = [c for c in entete if c not in connues]
    manquantes = [c for c in schema.get("required", []) if c not in entete]
    for colonne in inconnues:
        document.probleme((), "cle-inconnue", f"colonne inconnue « {colonne} » ; colonnes permises : {', '.join(sorted(connues))}")
    for colonne in manquantes:
        document.probleme((), "cle-manquante", f"colonne « {colonne} » manquante dans l'en-tête")
    if inconnues or manquantes:
        return False
    if all(validation.valide_rapidement(nom_schema, ligne) for ligne in document.donnees):
        return True  # le cas courant : aucune rangée fautive, rien à situer
    tout = Document(document.chemin, "csv", lignes=document.lignes)
    valide = True
    # Les lignes de chaque rangée, regroupées en un seul passage (un filtrage par rangée serait
    # quadratique : 300 rangées × 1 800 entrées pour un registre de 300 vulnérabilités).
    par_rangee: dict[Any, dict[Chemin, int]] = {}
    for c, n in document.lignes.items():
        if c:
            par_rangee.setdefault(c[0], {})[c[1:]] = n
    for indice, ligne in enumerate(document.donnees):
        tout.donnees = ligne
        tout.lignes = par_rangee.get(indice, {})
        tout.lignes[()] = document.lignes[(indice,)]
        valide &= validation.valider(tout, nom_schema)
    document.problemes.extend(tout.problemes)
    return valide


_DATE_HEURE = re.compile(r"^\^\\d\{4\}-\\d\{2\}-\\d\{2\}\[T ?\]")
_VIDE: dict[str, Any] = {}  # le schéma d'une clé non décrite ; jamais modifié
_SANS_DATE: dict[int, tuple[Any, bool]] = {}


def _date_attendue(schema: dict[str, Any]) -> bool:
    """Une chaîne sous ce schéma devient une date ou une date-heure (`_typer`)."""
    return schema.get("format") == "date" or ("pattern" in schema and _DATE_HEURE.match(schema["pattern"]) is not None)


def _sans_date(schema: dict[str, Any]) -> bool:
    """Aucune date déclarée dans ce schéma ni sous ses `properties`/`items` : `_typer` n'y ferait que
    copier. Mémorisé par schéma (les schémas du paquet vivent tout le processus ; la référence gardée
    empêche la réutilisation de l'identifiant)."""
    connu = _SANS_DATE.get(id(schema))
    if connu is not None and connu[0] is schema:
        return connu[1]
    resultat = not _date_attendue(schema) and all(_sans_date(s) for s in schema.get("properties", _VIDE).values()) \
        and ("items" not in schema or _sans_date(schema["items"]))
    _SANS_DATE[id(schema)] = (schema, resultat)
    return resultat


def _copie(valeur: Any) -> Any:
    if isinstance(valeur, dict):
        return {c: _copie(v) for c, v in valeur.items()}
    if isinstance(valeur, list):
        return [_copie(v) for v in valeur]
    return valeur


def _typer(valeur: Any, schema: dict[str, Any], document: Document, chemin: Chemin) -> Any:
    """Après validation : dates en `date`, dates-heures en `datetime` (les nombres sont déjà exacts).
    Une branche dont le schéma ne déclare aucune date est simplement copiée (`_copie`, même résultat)."""
    if isinstance(valeur, dict):
        proprietes = schema.get("properties", _VIDE)
        resultat = {}
        for c, v in valeur.items():
            sous = proprietes.get(c, _VIDE)
            if isinstance(v, (dict, list)):
                resultat[c] = _copie(v) if _sans_date(sous) else _typer(v, sous, document, chemin + (c,))
            elif isinstance(v, str) and _date_attendue(sous):
                resultat[c] = _typer(v, sous, document, chemin + (c,))
            else:
                resultat[c] = v
        return resultat
    if isinstance(valeur, list):
        items = schema.get("items", _VIDE)
        if _sans_date(items):
            return _copie(valeur)
        return [_typer(v, items, document, chemin + (i,)) for i, v in enumerate(valeur)]
    if isinstance(valeur, str):
        if schema.get("format") == "date":
            return date.fromisoformat(valeur)
        if "pattern" in schema and _DATE_HEURE.match(schema["pattern"]):
            try:
                return datetime.fromisoformat(valeur.replace(" ", "T"))
            except ValueError:
                document.probleme(chemin, "date-invalide", f"« {chemin[-1]} » : date et heure invalides « {valeur} »")
                return valeur
    return valeur


# --- contrôles de cohérence entre champs, un par type -------------------------------------------


# Le FINESS que porte le modèle de etablissement.yaml écrit par `init` (verificateur/modeles/).
FINESS_DU_MODELE = "000000000"


def _luhn(chiffres: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(chiffres)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _controle_etablissement(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    finess = v["finess"]
    if finess == FINESS_DU_MODELE:
        # La clé de 000000000 est juste : sans ce contrôle, le modèle d'init passerait pour un établissement.
        doc.probleme(
            ("finess",), "finess-modele",
            f"numéro FINESS « {finess} » : valeur du modèle d'init, pas un FINESS réel ; "
            "remplacez-la par le FINESS géographique de l'établissement",
            AVERTISSEMENT,
        )
    elif finess.isdigit():
        if not _luhn(finess):
            doc.probleme(("finess",), "finess-cle", f"numéro FINESS « {finess} » : clé de contrôle invalide (algorithme de Luhn sur les 9 chiffres)")
    else:
        doc.probleme(
            ("finess",), "finess-corse",
            f"numéro FINESS « {finess} » : clé de contrôle non vérifiée (le calcul pour 2A/2B n'est pas documenté)",
            AVERTISSEMENT,
        )


def _controle_annee(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    if "annee" in groupes and v["annee"] != int(groupes["annee"]):
        doc.probleme(("annee",), "annee-fichier", f"« annee » vaut {v['annee']} mais le fichier est nommé {groupes['annee']}.yaml")


def _controle_budget(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    _controle_annee(v, doc, groupes)
    for i, programme in enumerate(v["programmes"]):
        if programme["dont_cybersecurite"] > programme["budget"]:
            doc.probleme(
                ("programmes", i, "dont_cybersecurite"), "incoherence",
                f"programme « {programme['nom']} » : dont_cybersecurite ({_n(programme['dont_cybersecurite'])}) dépasse son budget ({_n(programme['budget'])})",
            )
    total = sum((p["budget"] for p in v["programmes"]), Decimal(0))
    if total > v["budget_numerique"]:
        doc.probleme(
            ("budget_numerique",), "incoherence",
            f"la somme des budgets des programmes ({_n(total)}) dépasse budget_numerique ({_n(v['budget_numerique'])})",
        )


def _controle_formation(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    _controle_annee(v, doc, groupes)
    if v["sensibilises_total"] > v["effectif_total"]:
        doc.probleme(("sensibilises_total",), "incoherence", f"sensibilises_total ({v['sensibilises_total']}) dépasse effectif_total ({v['effectif_total']})")
    populations = v.get("par_population")
    if populations:
        for i, p in enumerate(populations):
            if p["sensibilises"] > p["effectif"]:
                doc.probleme(("par_population", i, "sensibilises"), "incoherence", f"population « {p['population']} » : sensibilises ({p['sensibilises']}) dépasse effectif ({p['effectif']})")
        noms = [p["population"] for p in populations]
        for nom in sorted({n for n in noms if noms.count(n) > 1}):
            doc.probleme(("par_population",), "doublon", f"population « {nom} » en double dans par_population")
        for cle, total in (("effectif", "effectif_total"), ("sensibilises", "sensibilises_total")):
            somme = sum(p[cle] for p in populations)
            if somme != v[total]:
                doc.probleme(("par_population",), "incoherence", f"la somme des « {cle} » de par_population ({somme}) diffère de {total} ({v[total]})")
    for i, campagne in enumerate(v.get("hameconnage") or []):
        if campagne["clics"] > campagne["cibles"]:
            doc.probleme(("hameconnage", i, "clics"), "incoherence", f"campagne du {campagne['date']} : clics ({campagne['clics']}) dépasse cibles ({campagne['cibles']})")


def _controle_registre(lignes: list[dict[str, Any]], doc: Document, _: dict[str, str]) -> None:
    for i, ligne in enumerate(lignes):
        if "corrigee_le" in ligne and ligne["corrigee_le"] < ligne["detectee_le"]:
            doc.probleme((i, "corrigee_le"), "incoherence", f"« {ligne['identifiant']} » corrigée le {ligne['corrigee_le']}, avant sa détection le {ligne['detectee_le']}")


def _controle_incident(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    if not (isinstance(v.get("declare_le"), datetime) and isinstance(v.get("detecte_le"), datetime)):
        return
    if (v["declare_le"].tzinfo is None) != (v["detecte_le"].tzinfo is None):
        # Une heure sans fuseau ne se compare pas à une heure avec : l'ordre des deux serait deviné.
        sans = "declare_le" if v["declare_le"].tzinfo is None else "detecte_le"
        doc.probleme((sans,), "fuseau-horaire", f"{sans} sans fuseau horaire alors que l'autre date en a un : attendu un fuseau (par exemple +01:00) sur les deux dates, ou sur aucune")
    elif v["declare_le"] < v["detecte_le"]:
        doc.probleme(("declare_le",), "incoherence", f"déclaré le {v['declare_le'].isoformat()}, avant sa détection le {v['detecte_le'].isoformat()}")


def _controle_derogations(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    for i, d in enumerate(v["derogations"]):
        if d["expire_le"] < d["accordee_le"]:
            doc.probleme(("derogations", i, "expire_le"), "incoherence", f"dérogation {d['regle']} : expire le {d['expire_le']}, avant d'être accordée le {d['accordee_le']}")


def _controle_audit_ad(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    if v["date"].year != int(groupes["annee"]):
        doc.probleme(("date",), "annee-fichier", f"audit du {v['date']} mais le fichier est nommé audit-ad-{groupes['annee']}.yaml")


def _controle_audit_exposition(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    if v["date"].isoformat() != groupes["date"]:
        doc.probleme(("date",), "date-fichier", f"audit du {v['date']} mais le fichier est nommé audit-{groupes['date']}.yaml")


def _controle_pca_pra(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    noms = [p["nom"] for p in v["perimetres"]]
    for nom in sorted({n for n in noms if noms.count(n) > 1}):
        doc.probleme(("perimetres",), "doublon", f"périmètre « {nom} » en double dans perimetres")
    for i, test in enumerate(v.get("tests_pca") or []):
        if test["perimetre"] not in noms:
            doc.probleme(("tests_pca", i, "perimetre"), "incoherence", f"test du {test['date']} : périmètre « {test['perimetre']} » absent de perimetres")


def _controle_hebergeurs(lignes: list[dict[str, Any]], doc: Document, _: dict[str, str]) -> None:
    for i, ligne in enumerate(lignes):
        nom = f"« {ligne['prestataire']} » ({ligne['service']})"
        if "fin" in ligne and ligne["fin"] < ligne["debut"]:
            doc.probleme((i, "fin"), "incoherence", f"contrat {nom} : fin le {ligne['fin']}, avant son début le {ligne['debut']}")
        # Une validité ou un référentiel sans numéro de certificat : la ligne ne dit pas quel certificat est daté.
        for champ in ("referentiel_hds", "certifie_jusqu_au"):
            if champ in ligne and "certificat" not in ligne:
                doc.probleme((i, champ), "incoherence", f"contrat {nom} : « {champ} » renseigné sans numéro de certificat (colonne « certificat »)")


def _n(valeur: Decimal | int) -> str:
    return nombre(Decimal(valeur))


def _valeurs_a(valeurs: Any, motif: tuple[str | int | None, ...], chemin: Chemin = ()) -> list[tuple[Chemin, Any]]:
    if not motif:
        return [(chemin, valeurs)]
    tete, reste = motif[0], motif[1:]
    if tete is None and isinstance(valeurs, list):
        return [r for i, v in enumerate(valeurs) for r in _valeurs_a(v, reste, chemin + (i,))]
    if isinstance(valeurs, dict) and tete in valeurs:
        return _valeurs_a(valeurs[tete], reste, chemin + (tete,))
    return []


def _controler_chemins(preuve: Preuve, preuves: Preuves) -> None:
    for motif in TYPES_PAR_NOM.get(preuve.type, MARKDOWN).chemins:
        for chemin, valeur in _valeurs_a(preuve.valeurs, motif):
            if chemin_confine(valeur) is None:
                preuve.document.probleme(chemin, "chemin-hors-depot", f"chemin « {valeur} » hors du dépôt, attendu un chemin relatif à la racine du dépôt")
                preuve.valide = False
                preuve.valeurs = None
                return


# --- le registre : un enregistrement par type de preuve ----------------------------------------------


def _t(nom: str, motif: str, format: str, forme: str, **parties: Any) -> TypePreuve:
    # Le modèle d'init est la forme du fichier, « <nom> » écrit comme un nom daté : déduit, pas recopié.
    parties.setdefault("modele", forme.replace("<nom>", "AAAA-MM-JJ-nom"))
    return TypePreuve(nom, re.compile(motif), format, forme, f"preuves/{nom}", **parties)


TYPES: tuple[TypePreuve, ...] = (
    _t("etablissement", r"etablissement\.yaml", "yaml", "etablissement.yaml",
       exemple="etablissement.yaml", controle=_controle_etablissement),
    _t("budget", r"budget/(?P<annee>\d{4})\.yaml", "yaml", "budget/AAAA.yaml",
       exemple="budget/2025.yaml", controle=_controle_budget),
    _t("exercice", r"exercices/[^/]+\.yaml", "yaml", "exercices/<nom>.yaml",
       exemple="exercices/2025-03-01-exercice.yaml",
       date_declaree=("date", "exercice daté du"), chemins=(("retex", "document"),)),
    _t("plan_blanc_numerique", r"crise/plan-blanc-numerique\.yaml", "yaml", "crise/plan-blanc-numerique.yaml",
       exemple="crise/plan-blanc-numerique.yaml",
       date_declaree=("valide_le", "plan blanc numérique validé le"),
       chemins=(("document",), ("applications_critiques", None, "mode_degrade"))),
    _t("formation", r"formation/(?P<annee>\d{4})\.yaml", "yaml", "formation/AAAA.yaml",
       exemple="formation/2025.yaml", controle=_controle_formation),
    _t("veille", r"vulnerabilites/veille\.yaml", "yaml", "vulnerabilites/veille.yaml",
       exemple="vulnerabilites/veille.yaml"),
    _t("registre_vulnerabilites", r"vulnerabilites/registre\.csv", "csv", "vulnerabilites/registre.csv",
       exemple="vulnerabilites/registre.csv", controle=_controle_registre),
    _t("mesures", r"securite/mesures\.yaml", "yaml", "securite/mesures.yaml",
       exemple="securite/mesures.yaml"),
    _t("incident", r"incidents/[^/]+\.yaml", "yaml", "incidents/<nom>.yaml",
       exemple="incidents/2025-03-01-incident.yaml",
       controle=_controle_incident, date_declaree=("detecte_le", "incident détecté le")),
    _t("derogations", r"derogations\.yaml", "yaml", "derogations.yaml",
       exemple="derogations.yaml", controle=_controle_derogations),
    # Extensions facultatives du format (programme CaRE, docs/care.md) : absentes, seules les règles CaRE manquent de preuve.
    _t("audit_ad", r"annuaire/audit-ad-(?P<annee>\d{4})\.yaml", "yaml", "annuaire/audit-ad-AAAA.yaml",
       exemple="annuaire/audit-ad-2025.yaml", controle=_controle_audit_ad),
    _t("audit_exposition", r"exposition/audit-(?P<date>\d{4}-\d{2}-\d{2})\.yaml", "yaml", "exposition/audit-AAAA-MM-JJ.yaml",
       exemple="exposition/audit-2025-03-01.yaml", controle=_controle_audit_exposition),
    _t("pca_pra", r"continuite/pca-pra\.yaml", "yaml", "continuite/pca-pra.yaml",
       exemple="continuite/pca-pra.yaml", controle=_controle_pca_pra,
       chemins=(("document",), ("gouvernance", "schema"), ("perimetres", None, "pcra"))),
    # Extension facultative (docs/preuves.md) : registre des contrats d'hébergement et certification HDS,
    # lu par la politique nis2-hds seulement.
    _t("hebergeurs", r"contrats/hebergeurs\.csv", "csv", "contrats/hebergeurs.csv",
       exemple="contrats/hebergeurs.csv", controle=_controle_hebergeurs),
)

# Tables dérivées du registre, jamais écrites à la main.
TYPES_PAR_NOM = {t.nom: t for t in TYPES}
EXEMPLES_DE_CHEMINS = tuple(t.exemple for t in TYPES if t.exemple)
# Dossiers du format 1 : un fichier de données qui s'y trouve sans y être reconnu est signalé.
_DOSSIERS = frozenset(t.dossier for t in TYPES if t.dossier)
