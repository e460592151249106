"""Contrôle statique des types d'une règle (docs/regles.md § 8, code `type-incompatible`).

À la validation, chaque valeur d'une règle reçoit un genre (nombre, date, texte, booléen, liste,
table) et, pour un nombre, une unité (part, euros, jours, mois) ; les champs `preuve.champ` sont typés
par le schéma JSON de la preuve lue. Un opérateur qui reçoit le mauvais genre de valeur (une date
comparée à un nombre, `au_moins` sur un booléen, une part dans un `jours:`…) est refusé avec sa ligne,
au lieu de rendre `erreur` dans chaque rapport. Un genre inconnu (motif qui désigne plusieurs types
de preuves, valeur par défaut…) n'est jamais refusé : le contrôle ne signale que des certitudes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from verificateur.langage import INCONNU, OPERATEURS_CONDITION, OPERATEURS_VALEUR, SCHEMA_MARKDOWN, Type, cite, motif_regex
from verificateur.preuves import EXEMPLES_DE_CHEMINS, MARKDOWN, TYPES, type_de
from verificateur.socle import validation
from verificateur.socle.lecture import Chemin

_DATE_HEURE = "^\\d{4}-\\d{2}-\\d{2}[T ]"
_DUREES = ("jours", "mois")


def de_schema(schema: dict[str, Any], nom: str) -> Type:
    """Le type d'une valeur décrite par un schéma JSON de preuve."""
    genre = schema.get("type")
    if isinstance(genre, list):
        genres = [g for g in genre if g != "null"]
        genre = genres[0] if len(genres) == 1 else None
    if genre is None and "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
        genre = "string"
    if genre == "string":
        if schema.get("format") == "date" or str(schema.get("pattern", "")).startswith(_DATE_HEURE):
            return Type("date", nom)
        return Type("texte", nom, valeurs=tuple(schema["enum"]) if "enum" in schema else None)
    if genre in ("integer", "number"):
        return Type("nombre", nom)
    if genre == "boolean":
        return Type("booleen", nom)
    if genre == "array":
        return Type("liste", nom, element=de_schema(schema.get("items", {}), f"{nom} (élément)"))
    if genre == "object":
        return Type("table", nom, schema=schema)
    return Type("inconnu", nom)


def _type_fichier(chemin: str, nom: str) -> Type:
    """Le contenu d'un fichier de preuve de ce chemin."""
    type_preuve = type_de(chemin)
    if type_preuve is None:
        return Type("inconnu", nom)
    if type_preuve is MARKDOWN:
        return Type("table", nom, schema=SCHEMA_MARKDOWN)
    schema = validation.schema(type_preuve.schema)
    if type_preuve.format == "csv":
        return Type("liste", nom, element=de_schema(schema, f"{nom} (ligne)"))
    return de_schema(schema, nom)


def type_liaison(liaison: dict[str, Any], nom: str, un_fichier: bool) -> Type:
    """Le type d'une preuve nommée : un contenu, ou la liste des contenus (`fichiers`, `tous`)."""
    if "fichier" in liaison:
        return _type_fichier(liaison["fichier"], cite(nom))
    motif = liaison.get("fichiers", "")
    if motif.endswith(".md"):
        contenu = Type("table", cite(nom), schema=SCHEMA_MARKDOWN)
    else:
        regex = motif_regex(motif)
        types = {t.nom for c in EXEMPLES_DE_CHEMINS if regex.fullmatch(c) for t in TYPES if t.motif.fullmatch(c)}
        exemple = next((c for c in EXEMPLES_DE_CHEMINS if regex.fullmatch(c)), None)
        contenu = _type_fichier(exemple, cite(nom)) if len(types) == 1 and exemple else Type("inconnu", cite(nom))
    if un_fichier or liaison.get("selection", "tous") != "tous":
        return contenu
    return Type("liste", cite(nom), element=contenu)


class Verificateur:
    """Parcourt une règle ; `probleme(chemin, code, message)` reçoit chaque erreur de type."""

    def __init__(self, parametres: dict[str, Any], probleme: Callable[[Chemin, str, str], None]):
        self.parametres = parametres
        self.probleme = probleme

    def erreur(self, chemin: Chemin, message: str, code: str = "type-incompatible") -> None:
        self.probleme(chemin, code, message)

    # --- valeurs ---------------------------------------------------------------------------------

    def valeur(self, expr: Any, portee: dict[str, Type], chemin: Chemin) -> Type:
        if isinstance(expr, bool):
            return Type("booleen", str(expr).lower(), litteral=True)
        if isinstance(expr, (int, float, Decimal)):
            return Type("nombre", str(expr), litteral=True)
        if isinstance(expr, str):
            return Type("texte", cite(expr), litteral=True)
        if not isinstance(expr, dict):
            return INCONNU
        op = next((c for c in expr if c not in ("defaut", "moins", "plus")), None)
        operateur = None if op is None else OPERATEURS_VALEUR.get(op)
        if op is None or operateur is None:
            return INCONNU
        return operateur.typer(self, op, expr, portee, chemin + (op,)) or INCONNU

    def champ(self, chemin_champ: str, portee: dict[str, Type], ici: Chemin) -> Type:
        tete, *reste = chemin_champ.split(".")
        courant = portee.get(tete, INCONNU)
        parcouru = tete
        for cle in reste:
            if courant.genre == "inconnu":
                return INCONNU
            if courant.genre == "liste":
                self.erreur(ici, f"« {parcouru} » est une liste : parcourez-la (tous, existe, somme…) avant de lire « {cle} »")
                return INCONNU
            if courant.genre != "table" or courant.schema is None:
                self.erreur(ici, f"« {parcouru} » est {courant.decrire().split(' (')[0]} : il n'a pas de champ « {cle} »")
                return INCONNU
            proprietes = courant.schema.get("properties", {})
            if cle not in proprietes:
                if courant.schema.get("additionalProperties") is False:
                    possibles = ", ".join(sorted(proprietes))
                    self.erreur(ici, f"« {parcouru} » n'a pas de champ « {cle} » ; champs possibles : {possibles}", "champ-inconnu")
                return INCONNU
            parcouru = f"{parcouru}.{cle}"
            courant = de_schema(proprietes[cle], cite(parcouru))
        return Type(courant.genre, cite(chemin_champ), courant.unite, courant.element, courant.schema, courant.valeurs)

    def liste(self, dans: Any, portee: dict[str, Type], ici: Chemin, quoi: str, cle_liste: str = "dans") -> Type:
        t = self.champ(dans, portee, ici) if isinstance(dans, str) else self.valeur(dans, portee, ici)
        if t.genre not in ("liste", "inconnu"):
            self.erreur(ici, f"« {quoi} » parcourt une liste, mais « {cle_liste} » est {t.decrire()}")
            return INCONNU
        return t.element or INCONNU if t.genre == "liste" else INCONNU

    def parcourir(self, spec: dict[str, Any], portee: dict[str, Type], ici: Chemin, quoi: str) -> dict[str, Type]:
        """`dans`/`comme`/`si` : la portée intérieure, où `comme` nomme l'élément courant."""
        cle = "dans" if "dans" in spec else "liste"
        element = self.liste(spec[cle], portee, ici + (cle,), quoi, cle)
        nom = spec.get("comme", "element")
        interieur = {**portee, nom: Type(element.genre, cite(nom), element.unite, element.element, element.schema, element.valeurs)}
        if "si" in spec:
            self.condition(spec["si"], interieur, ici + ("si",))
        return interieur

    def duree(self, expr: Any, unite: str | None, portee: dict[str, Type], ici: Chemin, cle: str) -> None:
        """Un nombre de jours, de mois ou d'années : un nombre sans unité, ou une durée de la même unité."""
        t = self.valeur(expr, portee, ici)
        if t.genre == "inconnu":
            return
        if t.genre != "nombre" or (t.unite and t.unite != unite):
            quoi = {"jours": "de jours", "mois": "de mois", "ans": "d'années"}.get(cle, f"de {cle}")
            self.erreur(ici, f"« {cle} » : un nombre {quoi} attendu, trouvé {t.decrire()}")

    def nombre(self, t: Type, quoi: str, ici: Chemin) -> None:
        self.attendre(t, ("nombre",), quoi, ici)

    def attendre(self, t: Type, genres: tuple[str, ...], quoi: str, ici: Chemin) -> None:
        if t.genre not in (*genres, "inconnu"):
            descriptions = [Type(g).decrire() for g in genres]
            accord = "attendue" if all(d.startswith("une ") for d in descriptions) else "attendu"
            self.erreur(ici, f"{quoi} : {' ou '.join(descriptions)} {accord}, trouvé {t.decrire()}")

    # --- conditions ------------------------------------------------------------------------------

    def condition(self, expr: Any, portee: dict[str, Type], chemin: Chemin) -> None:
        if not isinstance(expr, dict):
            return
        op = next((c for c in expr if c != "libelle"), None)
        operateur = None if op is None else OPERATEURS_CONDITION.get(op)
        if op is not None and operateur is not None:
            operateur.typer(self, op, expr, portee, chemin + (op,))

    def comparer(self, op: str, a: Type, b: Type, ici: Chemin, nom_op: str | None = None) -> None:
        nom_op = nom_op or op
        if "inconnu" in (a.genre, b.genre):
            return
        for t in (a, b):
            if t.genre in ("liste", "table"):
                self.erreur(ici, f"« {nom_op} » compare des valeurs simples : {t.decrire()}")
                return
        if a.genre != b.genre:
            self.erreur(ici, f"« {nom_op} » compare {a.decrire()} à {b.decrire()}")
        elif a.genre == "booleen" and op not in ("egal", "different"):
            self.erreur(ici, f"« {nom_op} » ordonne des nombres ou des dates, pas des booléens ({a.nom}, {b.nom})")
        elif a.genre == "nombre" and not _unites_compatibles(a, b):
            self.erreur(ici, f"« {nom_op} » compare {a.decrire()} à {b.decrire()}")
        elif a.genre == "texte":
            for enum, autre in ((a, b), (b, a)):
                if enum.valeurs is not None and autre.litteral and autre.nom.strip("« »") not in enum.valeurs:
                    self.erreur(ici, f"« {nom_op} » : {enum.nom} ne prend que les valeurs {', '.join(enum.valeurs)} ; "
                                     f"{autre.nom} n'en est pas une", "valeur-impossible")


def _unites_compatibles(a: Type, b: Type) -> bool:
    if a.unite == b.unite or a.litteral or b.litteral:
        return True
    if a.unite and b.unite:
        return False
    # une durée (jours, mois) là où un nombre sans unité est attendu, ou l'inverse
    return (a.unite or b.unite) not in _DUREES


def verifier_regle(brute: dict[str, Any], parametres: dict[str, Any], probleme: Callable[[Chemin, str, str], None]) -> None:
    """Tous les contrôles de types d'une règle déjà conforme à son schéma."""
    from verificateur.preuves import TYPES_PAR_NOM

    v = Verificateur(parametres, probleme)
    schema_etab = validation.schema(TYPES_PAR_NOM["etablissement"].schema)
    portee: dict[str, Type] = {"etablissement": de_schema(schema_etab, cite("etablissement"))}
    for nom, liaison in (brute.get("preuves") or {}).items():
        seul = {**portee, nom: type_liaison(liaison, nom, True)}
        if "si" in liaison:
            v.condition(liaison["si"], seul, ("preuves", nom, "si"))
        if "cle" in liaison:
            ici = ("preuves", nom, "cle")
            v.attendre(v.valeur(liaison["cle"], seul, ici), ("nombre", "date", "texte"), "« cle »", ici)
        portee[nom] = type_liaison(liaison, nom, False)
    for cle in ("applicable", "condition"):
        if cle in brute:
            v.condition(brute[cle], portee, (cle,))
