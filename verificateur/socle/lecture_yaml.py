"""Lecture d'un fichier YAML (preuves, politiques, programmes) en données brutes : la ligne de chaque
valeur, des nombres exacts (YAML 1.2, décimal), des limites de taille et d'imbrication vérifiées avant
toute construction, et des messages de syntaxe en français ; jamais d'exception pour une entrée mal formée."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

import yaml

from verificateur.socle.donnees import Chemin, Document
from verificateur.socle.lecture_texte import decoder
from verificateur.socle.problemes import Probleme

# Le chargeur C (libyaml) est plusieurs fois plus rapide que le chargeur Python pur (docs/performances.md) ;
# repli sur le chargeur Python là où PyYAML a été installé sans libyaml.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PROFONDEUR_MAX = 64  # aucune preuve n'a besoin de plus ; protège la pile contre les fichiers hostiles
# Au-delà, un fichier YAML est refusé avant d'être construit : 10 Mio de « - 1 » feraient 2,6 millions de
# nœuds, 1,5 Go de mémoire et 30 s (docs/limites.md). Aucune preuve n'approche ce nombre de valeurs.
VALEURS_MAX_YAML = 50_000


class _Chargeur(_Base):  # type: ignore[misc, valid-type]
    """Chargeur sûr dont les dates restent des textes (validées ensuite par `format: date`) et dont
    les nombres suivent le schéma « core » de YAML 1.2, pas YAML 1.1."""


# YAML 1.1 (celui de PyYAML) lit « 1:30:00 » comme 5400 (base 60), « 0x1F » comme 31, « 017 » comme 15
# (octal) et « 1_000 » comme 1000 : un effectif ou un montant qui n'est pas celui qu'on lit. Les nombres
# suivent ici YAML 1.2 (schéma « core ») en décimal seulement ; toute autre écriture reste un texte, que
# le schéma de la preuve refuse (« nombre attendu ») là où un nombre est attendu.
_ENTIER_12 = re.compile(r"^[-+]?[0-9]+$")
_DECIMAL_12 = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
# Au-delà, un nombre est refusé (docs/limites.md) : 400 chiffres ne sont ni un effectif ni un montant,
# et Python refuse de convertir un entier de plus de 4300 chiffres.
CHIFFRES_MAX_NOMBRE = 15


def _resolveurs_12() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Les résolveurs de PyYAML sans les dates ni les nombres de YAML 1.1, avec ceux de YAML 1.2 :
    une sous-classe avec sa propre table, les chargeurs globaux de PyYAML ne sont jamais modifiés."""
    retires = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
    table = {
        premier: [(tag, motif) for tag, motif in resolveurs if tag not in retires]
        for premier, resolveurs in _Base.yaml_implicit_resolvers.items()
    }
    for premier in "+-.0123456789":
        # L'entier d'abord : le premier motif qui reconnaît la valeur l'emporte.
        table.setdefault(premier, []).extend(
            [("tag:yaml.org,2002:int", _ENTIER_12), ("tag:yaml.org,2002:float", _DECIMAL_12)]
        )
    return {premier: resolveurs for premier, resolveurs in table.items() if resolveurs}


_Chargeur.yaml_implicit_resolvers = _resolveurs_12()

_TAGS_SCALAIRES = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}

# Messages de libyaml (et du compositeur de PyYAML) traduits : cherchés comme des fragments du problème
# ou du contexte de l'erreur. Aucun texte anglais d'une bibliothèque n'atteint un utilisateur : un
# message absent de cette table donne « syntaxe YAML invalide » avec la colonne, jamais l'original.
_MESSAGES_YAML = {
    "while parsing a flow": "crochet « [ » ou accolade « { » non fermé",
    "mapping values are not allowed": "« : » inattendu (une valeur qui contient « : » doit être entre guillemets)",
    "mapping keys are not allowed": "clé inattendue à cet endroit (indentation ?)",
    "found character '\\t' that cannot start any token": "tabulation interdite, indentez avec des espaces",
    "could not find expected ':'": "« : » attendu après une clé",
    "did not find expected key": "indentation incohérente : une clé était attendue ici",
    "did not find expected '-' indicator": "indentation incohérente : un élément de liste « - » était attendu ici",
    "found undefined alias": "alias YAML inconnu",
    "found duplicate anchor": "ancre YAML « & » en double",
    "expected a single document in the stream": "un seul document YAML attendu (pas de « --- » supplémentaire)",
    "found unexpected end of stream": "fin de fichier inattendue (guillemet ou crochet non fermé ?)",
    "found unknown escape character": "séquence d'échappement inconnue dans un texte entre guillemets",
    "found invalid Unicode character escape code": "séquence d'échappement « \\u » ou « \\x » invalide dans un texte entre guillemets",
    "did not find expected hexdecimal number": "séquence d'échappement « \\u » ou « \\x » incomplète dans un texte entre guillemets",
    "did not find expected ',' or ']'": "« , » ou « ] » attendu dans la liste entre crochets",
    "did not find expected ',' or '}'": "« , » ou « } » attendu dans la table entre accolades",
    "found a tab character that violates indentation": "tabulation interdite, indentez avec des espaces",
    "found a tab character where an indentation space is expected": "tabulation interdite, indentez avec des espaces",
    "found unexpected ':'": "« : » inattendu",
    "did not find expected node content": "valeur attendue",
    "found character that cannot start any token":
        "caractère qui ne peut pas commencer une valeur (« @ » ou « ` » ?) : mettez la valeur entre guillemets",
    "block sequence entries are not allowed in this context": "élément de liste « - » mal placé (indentation ?)",
    "control characters are not allowed": "caractère de contrôle interdit",
    "special characters are not allowed": "caractère de contrôle interdit",
    "invalid Unicode character": "caractère Unicode interdit",
    "found unexpected document indicator": "« --- » ou « ... » inattendu au milieu d'un texte",
    "expected <document start>": "un seul document YAML attendu (pas de « --- » ou « ... » supplémentaire)",
    "did not find expected <document start>": "un seul document YAML attendu (pas de « --- » ou « ... » supplémentaire)",
    "expected DOCUMENT-START": "un seul document YAML attendu (pas de « --- » ou « ... » supplémentaire)",
    "expected nothing after STREAM-END": "un seul document YAML attendu (pas de « --- » ou « ... » supplémentaire)",
    "did not find expected comment or line break": "fin de ligne attendue (texte en trop après une valeur entre guillemets ?)",
    "did not find expected whitespace": "espace attendue après « : », « - » ou « # »",
    "directive": "directive « % » non acceptée dans une preuve",
    "tag": "étiquette YAML « ! » mal formée",
    "while scanning an anchor": "ancre YAML « & » mal formée",
    "while scanning an alias": "alias YAML « * » mal formé",
    "while scanning a block scalar": "bloc de texte « | » ou « > » mal formé",
    "found an indentation indicator equal to 0": "bloc de texte « | » ou « > » mal formé",
    "while scanning a quoted scalar": "texte entre guillemets non fermé",
    "while scanning a plain scalar": "valeur mal formée",
    "while scanning a simple key": "« : » attendu après une clé",
}
# L'imbrication est refusée par notre propre compte (PROFONDEUR_MAX) ; libyaml a, selon sa version,
# sa propre limite, atteinte d'abord sur une imbrication « [[[[… » qu'il lit d'avance : elle donne le
# même refus, avec notre code et notre message.
_IMBRICATION_LIBYAML = "nesting depth"


def _message_yaml(exc: yaml.YAMLError, texte: str = "") -> str:
    marque = getattr(exc, "problem_mark", None)
    if marque is not None and 0 <= marque.index < len(texte) and texte[marque.index] == "\t":
        return "syntaxe YAML invalide : tabulation interdite, indentez avec des espaces"
    probleme = getattr(exc, "problem", None) or str(exc)
    contexte = getattr(exc, "context", None) or ""
    for anglais, francais in _MESSAGES_YAML.items():
        if anglais in probleme or anglais in contexte:
            return f"syntaxe YAML invalide : {francais}"
    if marque is not None:
        return f"syntaxe YAML invalide à la colonne {marque.column + 1}"
    return "syntaxe YAML invalide"


def _refus_imbrication(chemin: str, ligne: int) -> Probleme:
    return Probleme(chemin, ligne, "imbrication", f"imbrication de plus de {PROFONDEUR_MAX} niveaux, refusée")


def _imbrication_libyaml(exc: yaml.YAMLError) -> bool:
    return _IMBRICATION_LIBYAML in (getattr(exc, "problem", None) or str(exc))


def _ligne(exc: yaml.YAMLError) -> int:
    marque = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return marque.line + 1 if marque is not None else 1


def lire_yaml(chemin: str, contenu: bytes) -> Document:
    document = Document(chemin, "yaml")
    texte = decoder(document, contenu)
    if texte is None:
        return document
    refus = _prelire(chemin, texte)
    if refus is not None:
        document.problemes.append(refus)
        return document
    chargeur = _Chargeur(texte)
    try:
        noeud = chargeur.get_single_node()
    except yaml.YAMLError as exc:
        if _imbrication_libyaml(exc):
            document.problemes.append(_refus_imbrication(chemin, _ligne(exc)))
        else:
            document.problemes.append(Probleme(chemin, _ligne(exc), "syntaxe-yaml", _message_yaml(exc, texte)))
        return document
    except RecursionError:
        document.problemes.append(_refus_imbrication(chemin, 1))
        return document
    finally:
        chargeur.dispose()
    if noeud is None:
        document.problemes.append(Probleme(chemin, 1, "fichier-vide", "fichier vide"))
        return document
    try:
        document.donnees = _Constructeur(chargeur, document).construire(noeud)
    except _Refus:
        document.donnees = None
    return document


_OUVERTURES = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_FERMETURES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_NOEUDS = (yaml.ScalarEvent, yaml.AliasEvent, *_OUVERTURES)


def _prelire(chemin: str, texte: str) -> Probleme | None:
    """Un premier passage sur les événements du parseur, sans rien construire : refuse tôt une
    imbrication excessive (la composition, récursive en C, plante sur un million de « [ ») ou un
    nombre démesuré de valeurs. Les fautes de syntaxe sont laissées à la lecture qui suit."""
    chargeur = _Chargeur(texte)
    profondeur = noeuds = 0
    try:
        while chargeur.check_event():
            evenement = chargeur.get_event()
            if isinstance(evenement, _NOEUDS):
                noeuds += 1
                ligne = evenement.start_mark.line + 1  # type: ignore[union-attr]  # le parseur marque chaque événement
                if profondeur > PROFONDEUR_MAX:
                    return _refus_imbrication(chemin, ligne)
                if noeuds > VALEURS_MAX_YAML:
                    return Probleme(chemin, ligne, "trop-de-valeurs",
                                    f"plus de {VALEURS_MAX_YAML} valeurs YAML, fichier refusé (docs/limites.md)")
                if isinstance(evenement, _OUVERTURES):
                    profondeur += 1
            elif isinstance(evenement, _FERMETURES):
                profondeur -= 1
    except yaml.YAMLError as exc:
        # Une faute de syntaxe est laissée à la lecture qui suit, qui la situe ; pas la limite
        # d'imbrication de libyaml, atteinte avant la nôtre quand il lit des « [ » d'avance.
        return _refus_imbrication(chemin, _ligne(exc)) if _imbrication_libyaml(exc) else None
    finally:
        chargeur.dispose()
    return None


class _Refus(Exception):
    """Le fichier est refusé entier ; le problème est déjà noté dans le document."""


class _Constructeur:
    """Construit les données à partir des nœuds : clés toujours textuelles, nombres décimaux exacts,
    clés dupliquées, alias et imbrication excessive refusés, ligne de chaque valeur notée."""

    def __init__(self, chargeur: _Chargeur, document: Document) -> None:
        self.chargeur = chargeur
        self.document = document
        self.vus: set[int] = set()

    def refuser(self, noeud: yaml.Node, code: str, message: str) -> None:
        self.document.problemes.append(Probleme(self.document.chemin, noeud.start_mark.line + 1, code, message))
        raise _Refus

    def construire(self, noeud: yaml.Node, chemin: Chemin = (), profondeur: int = 0) -> Any:
        if id(noeud) in self.vus:
            # Un alias désigne un nœud déjà vu : refusé, ce qui écarte aussi les « bombes » d'alias.
            self.refuser(noeud, "alias-yaml", "ancres et alias YAML (« & », « * ») non acceptés dans une preuve")
        self.vus.add(id(noeud))
        if profondeur > PROFONDEUR_MAX:
            self.refuser(noeud, "imbrication", _refus_imbrication("", 0).message)
        self.document.lignes.setdefault(chemin, noeud.start_mark.line + 1)
        if isinstance(noeud, yaml.MappingNode):
            resultat: dict[str, Any] = {}
            for noeud_cle, noeud_valeur in noeud.value:
                if not isinstance(noeud_cle, yaml.ScalarNode):
                    self.refuser(noeud_cle, "cle-invalide", "clé composée (liste ou table) non acceptée")
                if noeud_cle.tag == "tag:yaml.org,2002:merge":
                    self.refuser(noeud_cle, "alias-yaml", "fusion YAML « << » non acceptée dans une preuve")
                cle = noeud_cle.value
                if cle in resultat:
                    self.refuser(
                        noeud_cle,
                        "cle-dupliquee",
                        f"clé « {cle} » en double (déjà vue ligne {self.document.lignes[chemin + (cle,)]})",
                    )
                self.document.lignes[chemin + (cle,)] = noeud_cle.start_mark.line + 1
                resultat[cle] = self.construire(noeud_valeur, chemin + (cle,), profondeur + 1)
            return resultat
        if isinstance(noeud, yaml.SequenceNode):
            return [self.construire(n, chemin + (i,), profondeur + 1) for i, n in enumerate(noeud.value)]
        return self.scalaire(cast(yaml.ScalarNode, noeud))  # ni table ni liste : le compositeur ne fait que des scalaires

    def scalaire(self, noeud: yaml.ScalarNode) -> bool | int | Decimal | str | None:
        tag = noeud.tag
        if tag not in _TAGS_SCALAIRES:
            self.refuser(noeud, "etiquette-yaml", f"étiquette YAML « {tag} » non acceptée")
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return self.nombre(noeud)
        if tag == "tag:yaml.org,2002:bool":
            return self.chargeur.construct_yaml_bool(noeud)
        if tag == "tag:yaml.org,2002:null":
            return None
        return noeud.value

    def nombre(self, noeud: yaml.ScalarNode) -> int | Decimal | str:
        """Un nombre décimal de YAML 1.2, exact (« 61728.39 » vaut 61728,39, pas un flottant binaire).
        Une étiquette explicite (« !!int 0x1F ») ne ressuscite pas les écritures de YAML 1.1 : la valeur
        reste un texte, que le schéma refuse là où un nombre est attendu. Jamais le nombre dans le
        message : il pourrait être une donnée personnelle."""
        texte = noeud.value
        entier = _ENTIER_12.match(texte) is not None
        if not entier and _DECIMAL_12.match(texte) is None:
            return texte  # .inf, .nan, base 16, base 60 : « nombre attendu » par le schéma
        # Chiffres significatifs : les zéros de tête (« 0.000001 », « 007 ») ne comptent pas.
        mantisse = re.split("[eE]", texte, maxsplit=1)[0].lstrip("+-").replace(".", "")
        chiffres = len(mantisse.lstrip("0"))
        if chiffres > CHIFFRES_MAX_NOMBRE:
            self.refuser(
                noeud,
                "nombre-demesure",
                f"nombre de {chiffres} chiffres, au-delà de la limite de {CHIFFRES_MAX_NOMBRE} (docs/limites.md)",
            )
        if entier:
            return int(texte)
        valeur = Decimal(texte)
        if not -CHIFFRES_MAX_NOMBRE <= valeur.adjusted() <= CHIFFRES_MAX_NOMBRE:
            # « 1e999999999 » tient en 11 caractères ; les calculs sur un tel nombre ne finiraient pas.
            self.refuser(
                noeud,
                "nombre-demesure",
                f"nombre d'ordre de grandeur 10^{valeur.adjusted()}, au-delà de la limite de 10^±{CHIFFRES_MAX_NOMBRE} (docs/limites.md)",
            )
        return valeur
