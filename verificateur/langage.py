"""Le langage des règles : évaluation pure des valeurs et des conditions (docs/regles.md).

Aucune lecture de fichier ici : tout vient des `Preuves` déjà lues et de la date d'évaluation.
Chaque condition rend un `Resultat` qui porte ses constats (valeurs comparées, seuil, opérateur,
emplacement) : l'explication d'un verdict est construite en même temps que lui.
Une opération par fonction, dans deux tables (`VALEURS`, `CONDITIONS`) : ajouter une opération,
c'est une fonction, une entrée de table et une propriété du schéma `regles.schema.json`.
"""

from __future__ import annotations

import calendar
import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterator

from verificateur.francais import nombre
from verificateur.lecture import Chemin, normaliser_titre
from verificateur.preuves import Preuve, Preuves
from verificateur.sources import chemin_confine

# --- issues d'évaluation qui décident du statut --------------------------------------------------


class PreuveManquante(Exception):
    def __init__(self, message: str, ou: Emplacement | None = None):
        super().__init__(message)
        self.message, self.ou = message, ou


class PreuveInvalide(Exception):
    def __init__(self, preuve: Preuve):
        super().__init__(preuve.chemin)
        self.preuve = preuve


class ErreurCalcul(Exception):
    def __init__(self, message: str, ou: Emplacement | None = None):
        super().__init__(message)
        self.message, self.ou = message, ou


# --- valeurs -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Emplacement:
    fichier: str
    ligne: int | None = None

    def __str__(self) -> str:
        return self.fichier if not self.ligne else f"{self.fichier}:{self.ligne}"


# Noeud et Val ne sont jamais modifiés, mais pas gelés : une instance gelée coûte 3× plus à créer,
# et l'évaluation d'un dépôt en crée des milliers (aucune n'est hachée).
@dataclass
class Noeud:
    """Une valeur lue dans une preuve, avec de quoi retrouver sa ligne."""

    valeur: Any
    preuve: Preuve | None = None
    chemin: Chemin = ()

    @property
    def ou(self) -> Emplacement | None:
        if self.preuve is None:
            return None
        return Emplacement(self.preuve.chemin, self.preuve.document.ligne(self.chemin))

    def enfant(self, cle: str | int) -> Noeud:
        return Noeud(self.valeur[cle], self.preuve, self.chemin + (cle,))


@dataclass(frozen=True)
class ListePreuves:
    """Les fichiers retenus par une preuve nommée `fichiers: motif`."""

    elements: tuple[Noeud, ...]
    motif: str


class Part(Decimal):
    """Un quotient : affiché en pourcentage."""


@dataclass
class Val:
    v: Any
    ou: Emplacement | None = None
    texte: str = ""
    unite: str | None = None
    parametre: str | None = None


@dataclass(frozen=True)
class Constat:
    texte: str
    ou: Emplacement | None = None


@dataclass
class Resultat:
    ok: bool
    constats: list[Constat] = field(default_factory=list)


@dataclass(frozen=True)
class Parametre:
    nom: str
    description: str
    unite: str
    valeurs: tuple[tuple[date, Any, str], ...]  # (depuis, valeur, source), triées

    def en_vigueur(self, jour: date) -> tuple[date, Any, str] | None:
        courante = None
        for depuis, valeur, source in self.valeurs:
            if depuis <= jour:
                courante = (depuis, valeur, source)
        return courante


# --- contexte --------------------------------------------------------------------------------------


@dataclass
class Contexte:
    date: date
    preuves: Preuves
    parametres: dict[str, Parametre]
    liaisons: dict[str, dict[str, Any]]
    variables: dict[str, Any] = field(default_factory=dict)
    resolues: dict[str, Any] = field(default_factory=dict)  # partagé entre contextes d'une même règle
    lus: dict[str, None] = field(default_factory=dict)  # fichiers lus, dans l'ordre
    parametres_lus: dict[str, tuple[date, Any, str]] = field(default_factory=dict)
    # Muet : seul `ok` compte (filtre `si`) ; les conditions ne rédigent pas leurs constats, mais
    # calculent toutes les mêmes valeurs (mêmes erreurs, mêmes fichiers et paramètres lus).
    muet: bool = False

    def avec(self, nom: str, valeur: Any, muet: bool | None = None) -> Contexte:
        return Contexte(self.date, self.preuves, self.parametres, self.liaisons,
                        {**self.variables, nom: valeur}, self.resolues, self.lus, self.parametres_lus,
                        self.muet if muet is None else muet)

    def variable(self, nom: str) -> Any:
        if nom in self.variables:
            return self.variables[nom]
        if nom not in self.resolues:
            if nom in self.liaisons:
                self.resolues[nom] = _resoudre(nom, self.liaisons[nom], self)
            elif nom == "etablissement":
                self.resolues[nom] = _resoudre(nom, {"fichier": "etablissement.yaml", "description": "le profil de l'établissement"}, self)
            else:
                raise ErreurCalcul(f"nom inconnu « {nom} » : ni une preuve de la règle ni un élément parcouru")
        return self.resolues[nom]


@lru_cache(maxsize=512)
def motif_regex(motif: str) -> re.Pattern[str]:
    # En cache : appelé pour chaque règle de chaque dépôt d'un lot, avec une poignée de motifs.
    morceaux = []
    i = 0
    while i < len(motif):
        if motif.startswith("**/", i):
            morceaux.append("(?:.*/)?")
            i += 3
        elif motif.startswith("**", i):
            morceaux.append(".*")
            i += 2
        elif motif[i] == "*":
            morceaux.append("[^/]*")
            i += 1
        elif motif[i] == "?":
            morceaux.append("[^/]")
            i += 1
        else:
            morceaux.append(re.escape(motif[i]))
            i += 1
    return re.compile("".join(morceaux))


def _noeud_fichier(chemin: str, ctx: Contexte) -> Noeud:
    preuve = ctx.preuves.preuves.get(chemin)
    ctx.lus[chemin] = None
    if preuve is None:
        raise ErreurCalcul(f"{chemin} n'est pas un fichier de preuve reconnu")
    if not preuve.valide:
        raise PreuveInvalide(preuve)
    return Noeud(preuve.valeurs, preuve, ())


def _resoudre(nom: str, liaison: dict[str, Any], ctx: Contexte) -> Any:
    if "fichier" in liaison:
        motif = liaison["fichier"]
        chemins = [motif] if motif in ctx.preuves.fichiers else []
        selection = liaison.get("selection", "plus_recent")
    else:
        motif = liaison["fichiers"]
        regex = motif_regex(motif)
        chemins = [c for c in ctx.preuves.fichiers if regex.fullmatch(c)]
        selection = liaison.get("selection", "tous")
    # Tout fichier du motif est lu, même écarté ensuite par le filtre : invalide, il rend la règle en erreur.
    noeuds = [_noeud_fichier(c, ctx) for c in chemins]
    if "si" in liaison:
        noeuds = [n for n in noeuds if condition(liaison["si"], ctx.avec(nom, n, muet=True)).ok]
    if selection != "tous" and noeuds:
        cle = liaison.get("cle")
        if cle is not None:
            cles = [(_comparable(valeur(cle, ctx.avec(nom, n)).v), i) for i, n in enumerate(noeuds)]
            _, indice = max(cles) if selection == "plus_recent" else min(cles)
        else:
            indice = -1 if selection == "plus_recent" else 0
        noeuds = [noeuds[indice]]
    if not noeuds:
        if liaison.get("facultatif"):
            return ListePreuves((), motif) if selection == "tous" else None
        quoi = liaison.get("description") or f"aucun fichier {motif}"
        detail = f" ({motif})" if liaison.get("description") else ""
        raise PreuveManquante(f"{quoi}{detail}")
    if selection == "tous":
        return ListePreuves(tuple(noeuds), motif)
    return noeuds[0]


def _comparable(v: Any) -> Any:
    return v.date() if isinstance(v, datetime) else v


# --- affichage -------------------------------------------------------------------------------------


def afficher(v: Any, unite: str | None = None) -> str:
    """Une valeur dans une phrase française : décimale à virgule, pourcentages, dates ISO."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "vide"
    if isinstance(v, Noeud):
        return afficher(v.valeur, unite)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (int, Decimal)):
        if isinstance(v, Part) or unite == "part":
            pourcent = (Decimal(v) * 100).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
            return f"{nombre(pourcent)} %"
        texte = nombre(Decimal(v))
        if unite == "euros":
            return f"{texte} €"
        if unite in ("jours", "mois"):
            return f"{texte} {unite}"
        return texte
    if isinstance(v, list):
        return ", ".join(afficher(x) for x in v) or "aucun"
    if isinstance(v, dict):
        return "une table de clés"
    return f"« {v} »"


def texte_valeur(expr: Any) -> str:
    """Le nom lisible d'une expression de valeur, pour les explications."""
    if isinstance(expr, dict):
        if "champ" in expr:
            return expr["champ"]
        if "parametre" in expr:
            return expr["parametre"]
        if "ratio" in expr:
            return f"{texte_valeur(expr['ratio'][0])} / {texte_valeur(expr['ratio'][1])}"
        if "date" in expr and expr["date"] == "evaluation" and len(expr) == 1:
            return "date d'évaluation"
        if "annee" in expr:
            return f"année de {texte_valeur(expr['annee'])}"
        if "nombre" in expr:
            return f"nombre d'éléments de {_texte_liste(expr['nombre']['dans'])}"
        for cle in ("somme", "maximum", "minimum"):
            if cle in expr and isinstance(expr[cle], dict):
                return f"{cle} de {texte_valeur(expr[cle].get('valeur', {}))} sur {_texte_liste(expr[cle]['dans'])}"
        return "valeur calculée"
    return afficher(expr)


def _texte_liste(dans: Any) -> str:
    return f"« {dans} »" if isinstance(dans, str) else texte_valeur(dans)


# --- valeurs ---------------------------------------------------------------------------------------


def _nombre_de(val: Val, quoi: str) -> Decimal:
    v = val.v.valeur if isinstance(val.v, Noeud) else val.v
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise ErreurCalcul(f"{quoi} : nombre attendu pour « {val.texte} », trouvé {afficher(v)}", val.ou)
    return Decimal(v)


def _brut(val: Val) -> Any:
    return val.v.valeur if isinstance(val.v, Noeud) else val.v


def _champ(chemin: str, ctx: Contexte, defaut: Any = None, a_defaut: bool = False) -> Val:
    tete, *reste = chemin.split(".")
    courant = ctx.variable(tete)
    parcouru = [tete]
    for cle in reste:
        if isinstance(courant, ListePreuves):
            raise ErreurCalcul(f"« {'.'.join(parcouru)} » désigne plusieurs fichiers ({courant.motif}) : parcourez-les avec tous/existe")
        if courant is None or not isinstance(courant, Noeud) or not isinstance(courant.valeur, dict) or cle not in courant.valeur:
            if a_defaut:
                return Val(defaut, None, chemin)
            ou = courant.ou if isinstance(courant, Noeud) else None
            dans = f" dans {ou.fichier}" if ou else ""
            raise PreuveManquante(f"champ « {'.'.join(parcouru[1:] + [cle])} » non renseigné{dans}", ou)
        courant = courant.enfant(cle)
        parcouru.append(cle)
    if courant is None:
        if a_defaut:
            return Val(defaut, None, chemin)
        raise PreuveManquante(f"aucune preuve « {tete} »")
    if isinstance(courant, Noeud):
        if courant.valeur is None and a_defaut:
            return Val(defaut, courant.ou, chemin)
        brut = courant.valeur
        return Val(courant if isinstance(brut, (dict, list)) else brut, courant.ou, chemin)
    return Val(courant, None, chemin)


def _v_champ(expr: dict[str, Any], ctx: Contexte) -> Val:
    return _champ(expr["champ"], ctx, expr.get("defaut"), "defaut" in expr)


def _v_parametre(expr: dict[str, Any], ctx: Contexte) -> Val:
    nom = expr["parametre"]
    parametre = ctx.parametres.get(nom)
    if parametre is None:
        raise ErreurCalcul(f"paramètre inconnu « {nom} »")
    en_vigueur = parametre.en_vigueur(ctx.date)
    if en_vigueur is None:
        raise ErreurCalcul(f"paramètre « {nom} » : aucune valeur en vigueur le {ctx.date.isoformat()}")
    ctx.parametres_lus[nom] = en_vigueur
    return Val(en_vigueur[1], None, nom, parametre.unite, nom)


def _duree(duree: dict[str, Any], ctx: Contexte) -> dict[str, int]:
    """Une durée dont chaque nombre peut être calculé (un paramètre en jours, par exemple)."""
    resultat = {}
    for unite, expr in duree.items():
        val = valeur(expr, ctx)
        brut = _brut(val)
        if isinstance(brut, bool) or not isinstance(brut, (int, Decimal)) or brut != int(brut) or brut < 0:
            raise ErreurCalcul(f"durée : nombre entier de {unite} attendu pour « {val.texte} », trouvé {afficher(brut)}", val.ou)
        resultat[unite] = int(brut)
    return resultat


def _decaler(jour: date, duree: dict[str, int], signe: int) -> date:
    depart = jour
    try:
        jour = jour + timedelta(days=signe * duree.get("jours", 0))
        mois = signe * (duree.get("mois", 0) + 12 * duree.get("ans", 0))
        if mois:
            total = jour.year * 12 + jour.month - 1 + mois
            annee, mois0 = divmod(total, 12)
            dernier = calendar.monthrange(annee, mois0 + 1)[1]
            jour = date(annee, mois0 + 1, min(jour.day, dernier))
    except (OverflowError, ValueError):  # avant l'an 1 ou après l'an 9999 : pas une trace Python
        decalage = ", ".join(f"{n} {unite}" for unite, n in duree.items())
        raise ErreurCalcul(f"date hors du calendrier : {depart.isoformat()} {'+' if signe > 0 else '−'} {decalage}") from None
    return jour


def _v_date(expr: dict[str, Any], ctx: Contexte) -> Val:
    base = expr["date"]
    if base == "evaluation":
        val = Val(ctx.date, None, "date d'évaluation")
    elif isinstance(base, str):
        try:
            val = Val(date.fromisoformat(base), None, base)
        except ValueError:
            raise ErreurCalcul(f"date invalide « {base} » dans la règle") from None
    else:
        val = valeur(base, ctx)
    jour = _comparable(_brut(val))
    if not isinstance(jour, date):
        raise ErreurCalcul(f"date attendue pour « {val.texte} », trouvé {afficher(jour)}", val.ou)
    if "moins" in expr:
        jour = _decaler(jour, _duree(expr["moins"], ctx), -1)
    if "plus" in expr:
        jour = _decaler(jour, _duree(expr["plus"], ctx), 1)
    return Val(jour, val.ou, val.texte if jour == val.v else jour.isoformat())


def _v_annee(expr: dict[str, Any], ctx: Contexte) -> Val:
    val = valeur(expr["annee"], ctx)
    jour = _brut(val)
    if not isinstance(jour, date):
        raise ErreurCalcul(f"date attendue pour « {val.texte} », trouvé {afficher(jour)}", val.ou)
    return Val(jour.year, val.ou, f"année de {val.texte}")


def _v_ratio(expr: dict[str, Any], ctx: Contexte) -> Val:
    a, b = (valeur(x, ctx) for x in expr["ratio"])
    na, nb = _nombre_de(a, "ratio"), _nombre_de(b, "ratio")
    if nb == 0:
        raise ErreurCalcul(f"ratio : division par zéro (« {b.texte} » vaut 0)", b.ou)
    return Val(Part(na / nb), a.ou or b.ou, texte_valeur(expr), "part")


def _v_difference(expr: dict[str, Any], ctx: Contexte) -> Val:
    a, b = (valeur(x, ctx) for x in expr["difference"])
    return Val(_nombre_de(a, "différence") - _nombre_de(b, "différence"), a.ou or b.ou, f"{a.texte} − {b.texte}", a.unite)


def _v_produit(expr: dict[str, Any], ctx: Contexte) -> Val:
    vals = [valeur(x, ctx) for x in expr["produit"]]
    total = Decimal(1)
    for v in vals:
        total *= _nombre_de(v, "produit")
    return Val(total, next((v.ou for v in vals if v.ou), None), " × ".join(v.texte for v in vals))


def _elements(dans: Any, ctx: Contexte) -> list[Noeud]:
    """Les éléments d'une liste : fichiers d'une preuve nommée, ou liste d'un champ."""
    if isinstance(dans, str):
        if "." not in dans:
            cible = ctx.variable(dans)
        else:
            cible = _champ(dans, ctx).v
    else:
        cible = valeur(dans, ctx).v
    if isinstance(cible, ListePreuves):
        return list(cible.elements)
    if cible is None:
        return []
    if isinstance(cible, Noeud) and isinstance(cible.valeur, list):
        return [cible.enfant(i) for i in range(len(cible.valeur))]
    if isinstance(cible, list):
        return [Noeud(x) for x in cible]
    raise ErreurCalcul(f"liste attendue pour {_texte_liste(dans)}, trouvé {afficher(cible)}")


def _filtres(spec: dict[str, Any], ctx: Contexte) -> Iterator[tuple[Noeud, Contexte]]:
    nom = spec.get("comme", "element")
    filtre = "si" in spec
    for element in _elements(spec["dans"], ctx):
        if not filtre or condition(spec["si"], ctx.avec(nom, element, muet=True)).ok:
            yield element, ctx.avec(nom, element)


def _agreger(cle: str, expr: dict[str, Any], ctx: Contexte) -> list[Val]:
    spec = expr[cle]
    if isinstance(spec, list):
        return [valeur(x, ctx) for x in spec]
    if "valeur" not in spec:
        raise ErreurCalcul(f"{cle} sur une liste : « valeur » attendue")
    return [valeur(spec["valeur"], sous) for _, sous in _filtres(spec, ctx)]


def _v_somme(expr: dict[str, Any], ctx: Contexte) -> Val:
    vals = _agreger("somme", expr, ctx)
    total = sum((_nombre_de(v, "somme") for v in vals), Decimal(0))
    return Val(total, None, texte_valeur(expr), vals[0].unite if vals else None)


def _extreme(cle: str, expr: dict[str, Any], ctx: Contexte) -> Val:
    vals = [v for v in _agreger(cle, expr, ctx) if _brut(v) is not None]
    if not vals:
        raise PreuveManquante(f"{texte_valeur(expr)} : aucun élément")
    choisir = max if cle == "maximum" else min
    try:
        meilleur = choisir(vals, key=lambda v: _comparable(_brut(v)))
    except TypeError:
        raise ErreurCalcul(f"{cle} : valeurs de types différents") from None
    return Val(_brut(meilleur), meilleur.ou, texte_valeur(expr) if isinstance(expr[cle], dict) else meilleur.texte, meilleur.unite)


def _v_nombre(expr: dict[str, Any], ctx: Contexte) -> Val:
    return Val(sum(1 for _ in _filtres(expr["nombre"], ctx)), None, texte_valeur(expr))


VALEURS: dict[str, Callable[[dict[str, Any], Contexte], Val]] = {
    "champ": _v_champ,
    "parametre": _v_parametre,
    "date": _v_date,
    "annee": _v_annee,
    "ratio": _v_ratio,
    "difference": _v_difference,
    "produit": _v_produit,
    "somme": _v_somme,
    "maximum": lambda e, c: _extreme("maximum", e, c),
    "minimum": lambda e, c: _extreme("minimum", e, c),
    "nombre": _v_nombre,
}
MODIFICATEURS_VALEUR = {"defaut", "moins", "plus"}


def operation(expr: dict[str, Any], table: dict[str, Any]) -> str:
    if len(expr) == 1:
        (cle,) = expr
        if cle in table:  # le cas courant, sans liste intermédiaire
            return cle
    cles = [c for c in expr if c in table]
    if len(cles) != 1:
        raise ErreurCalcul(f"une seule opération attendue, trouvé : {', '.join(expr) or 'aucune'}")
    return cles[0]


def valeur(expr: Any, ctx: Contexte) -> Val:
    if isinstance(expr, dict):
        return VALEURS[operation(expr, VALEURS)](expr, ctx)
    if isinstance(expr, float):  # jamais produit par notre lecteur YAML ; garde-fou
        expr = Decimal(str(expr))
    return Val(expr, None, afficher(expr))


# --- conditions ------------------------------------------------------------------------------------

_SIGNES = {
    "egal": "=", "different": "≠", "superieur": ">", "superieur_ou_egal": "≥",
    "inferieur": "<", "inferieur_ou_egal": "≤",
}


def _nature(v: Any) -> str:
    if isinstance(v, bool):
        return "booléen"
    if isinstance(v, (int, Decimal)):
        return "nombre"
    if isinstance(v, (date, datetime)):
        return "date"
    if isinstance(v, str):
        return "texte"
    if v is None:
        return "vide"
    return "table ou liste"


def _comparer(op: str, a: Val, b: Val) -> bool:
    x, y = _brut(a), _brut(b)
    if isinstance(x, datetime) != isinstance(y, datetime):
        x, y = _comparable(x), _comparable(y)
    elif isinstance(x, datetime) and (x.tzinfo is None) != (y.tzinfo is None):
        raise ErreurCalcul(
            f"comparaison impossible : « {a.texte} » ({afficher(x)}) et « {b.texte} » ({afficher(y)}), une heure avec fuseau horaire et l'autre sans",
            a.ou or b.ou,
        )
    nx, ny = _nature(x), _nature(y)
    if nx != ny or nx in ("vide", "table ou liste") or (nx == "booléen" and op not in ("egal", "different")):
        raise ErreurCalcul(
            f"comparaison impossible : « {a.texte} » ({nx}, {afficher(x)}) et « {b.texte} » ({ny}, {afficher(y)})",
            a.ou or b.ou,
        )
    return bool(_OPERATEURS[op](x, y))


_OPERATEURS: dict[str, Callable[[Any, Any], Any]] = {
    "egal": operator.eq, "different": operator.ne, "superieur": operator.gt, "superieur_ou_egal": operator.ge,
    "inferieur": operator.lt, "inferieur_ou_egal": operator.le,
}


def _attendu(b: Val) -> str:
    texte = afficher(_brut(b), b.unite)
    if b.parametre:
        return f"{texte} ({b.parametre})"
    if b.texte and b.texte not in (texte, afficher(_brut(b))) and not isinstance(_brut(b), (date, datetime)) or b.texte == "date d'évaluation":
        return f"{texte} ({b.texte})"
    return texte


def _c_comparaison(op: str) -> Callable[[dict[str, Any], Contexte], Resultat]:
    def evaluer(expr: dict[str, Any], ctx: Contexte) -> Resultat:
        a, b = (valeur(x, ctx) for x in expr[op])
        ok = _comparer(op, a, b)
        if ctx.muet:
            return Resultat(ok)
        sujet = expr.get("libelle") or a.texte
        texte = f"{sujet} : {afficher(_brut(a), a.unite or b.unite)}, attendu {_SIGNES[op]} {_attendu(b)}"
        return Resultat(ok, [Constat(texte, a.ou or b.ou)])
    return evaluer


def _c_entre(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["entre"]
    v, mini, maxi = valeur(spec["valeur"], ctx), valeur(spec["min"], ctx), valeur(spec["max"], ctx)
    ok = _comparer("superieur_ou_egal", v, mini) and _comparer("inferieur_ou_egal", v, maxi)
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or v.texte
    texte = f"{sujet} : {afficher(_brut(v), v.unite)}, attendu entre {afficher(_brut(mini), mini.unite)} et {afficher(_brut(maxi), maxi.unite)}"
    return Resultat(ok, [Constat(texte, v.ou)])


def _c_dans_les_derniers(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["dans_les_derniers"]
    v = valeur(spec["date"], ctx)
    jour = _comparable(_brut(v))
    if not isinstance(jour, date):
        raise ErreurCalcul(f"date attendue pour « {v.texte} », trouvé {afficher(jour)}", v.ou)
    duree = _duree({k: spec[k] for k in ("jours", "mois") if k in spec}, ctx)
    debut = _decaler(ctx.date, duree, -1)
    ok = debut <= jour <= ctx.date
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or v.texte
    return Resultat(ok, [Constat(f"{sujet} : {afficher(jour)}, attendu entre {debut.isoformat()} et {ctx.date.isoformat()}", v.ou)])


def _liste_valeurs(spec: Any, ctx: Contexte) -> list[Any]:
    if isinstance(spec, list):
        return [_brut(valeur(x, ctx)) for x in spec]
    return [e.valeur for e in _elements(spec, ctx)]


def _c_appartient(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["appartient"]
    v = valeur(spec["valeur"], ctx)
    permises = _liste_valeurs(spec["liste"], ctx)
    ok = _brut(v) in permises
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or v.texte
    return Resultat(ok, [Constat(f"{sujet} : {afficher(_brut(v))}, attendu parmi {', '.join(afficher(p) for p in permises)}", v.ou)])


def _c_contient(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["contient"]
    elements = _elements(spec["liste"], ctx)
    v = valeur(spec["valeur"], ctx)
    contenu = [e.valeur for e in elements]
    ok = _brut(v) in contenu
    if ctx.muet:
        return Resultat(ok)
    sujet = expr.get("libelle") or _texte_liste(spec["liste"])
    ou = elements[0].ou if elements and elements[0].ou else None
    return Resultat(ok, [Constat(f"{sujet} : {afficher(contenu)}, {'contient' if ok else 'attendu contenant'} {afficher(_brut(v))}", ou)])


def _c_renseigne(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    chemin = expr["renseigne"]
    sujet = expr.get("libelle") or chemin
    try:
        val = _champ(chemin, ctx)
    except PreuveManquante as manque:
        return Resultat(False) if ctx.muet else Resultat(False, [Constat(f"{sujet} : non renseigné", manque.ou)])
    brut = _brut(val)
    ok = brut is not None and brut != "" and brut != [] and brut != {}
    if isinstance(val.v, ListePreuves):
        ok = bool(val.v.elements)
    if ctx.muet:
        return Resultat(ok)
    return Resultat(ok, [Constat(f"{sujet} : {'renseigné' if ok else 'non renseigné'}", val.ou)])


def _c_est_vrai(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    val = _champ(expr["est_vrai"], ctx)
    brut = _brut(val)
    if not isinstance(brut, bool):
        raise ErreurCalcul(f"« {val.texte} » : true ou false attendu, trouvé {afficher(brut)}", val.ou)
    if ctx.muet:
        return Resultat(brut)
    sujet = expr.get("libelle") or val.texte
    return Resultat(brut, [Constat(f"{sujet} : {afficher(brut)}, attendu true", val.ou)])


def _c_toutes(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    resultats = [condition(c, ctx) for c in expr["toutes_ces_conditions"]]
    ok = all(r.ok for r in resultats)
    return Resultat(ok, [c for r in resultats if ok or not r.ok for c in r.constats])


def _c_une(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    resultats = []
    for c in expr["une_de_ces_conditions"]:
        r = condition(c, ctx)
        if r.ok:
            return Resultat(True, r.constats)
        resultats.append(r)
    return Resultat(False, [c for r in resultats for c in r.constats])


def _c_non(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    r = condition(expr["non"], ctx)
    return Resultat(not r.ok, r.constats)


_MAX_CITES = 5


def _prefixer(element: Noeud, spec: dict[str, Any], sous: Contexte, constats: list[Constat]) -> list[Constat]:
    if "element" not in spec:
        return constats
    nom = afficher(_brut(valeur(spec["element"], sous)))
    return [Constat(f"{nom} : {c.texte}", c.ou or element.ou) for c in constats]


def _quantifier(cle: str) -> Callable[[dict[str, Any], Contexte], Resultat]:
    def evaluer(expr: dict[str, Any], ctx: Contexte) -> Resultat:
        spec = expr[cle]
        minimum = spec.get("nombre", 1) if cle == "au_moins" else 1
        vrais: list[list[Constat]] = []
        faux: list[list[Constat]] = []
        for element, sous in _filtres(spec, ctx):
            r = condition(spec["condition"], sous)
            if ctx.muet:
                if "element" in spec:
                    valeur(spec["element"], sous)  # ses erreurs, même muet
                (vrais if r.ok else faux).append([])
                continue
            (vrais if r.ok else faux).append(_prefixer(element, spec, sous, r.constats))
        if ctx.muet:
            return Resultat(not faux if cle == "tous" else (not vrais if cle == "aucun" else len(vrais) >= minimum))
        total = len(vrais) + len(faux)
        libelle = expr.get("libelle") or f"éléments de {_texte_liste(spec['dans'])}"
        if cle == "tous":
            ok, cites = not faux, faux
            resume = f"{libelle} : {len(vrais)} sur {total} remplissent la condition"
        elif cle == "aucun":
            ok, cites = not vrais, vrais
            resume = f"{libelle} : {len(vrais)} sur {total} remplissent la condition, attendu aucun"
        else:
            ok = len(vrais) >= minimum
            cites = vrais[:minimum] if ok else []
            resume = f"{libelle} : {len(vrais)} sur {total}, attendu au moins {minimum}"
        constats = [c for groupe in cites[:_MAX_CITES] for c in groupe]
        if len(cites) > _MAX_CITES:
            constats.append(Constat(f"… et {len(cites) - _MAX_CITES} autre(s)"))
        if cle in ("existe", "au_moins") or not constats:
            constats.insert(0, Constat(resume))
        return Resultat(ok, constats)
    return evaluer


def _document_markdown(val: Val, ctx: Contexte) -> Noeud:
    brut = val.v
    if isinstance(brut, Noeud) and brut.preuve is not None and brut.preuve.type == "markdown":
        return brut
    if not isinstance(brut, str):
        raise ErreurCalcul(f"chemin de document attendu pour « {val.texte} », trouvé {afficher(brut)}", val.ou)
    chemin = chemin_confine(brut)
    if chemin is None:
        raise ErreurCalcul(f"chemin « {brut} » hors du dépôt", val.ou)
    if chemin not in ctx.preuves.fichiers:
        raise PreuveManquante(f"document « {chemin} » absent du dépôt", val.ou)
    if not chemin.endswith(".md"):
        raise ErreurCalcul(f"« {chemin} » : document Markdown (.md) attendu", val.ou)
    return _noeud_fichier(chemin, ctx)


def _c_titres_presents(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    spec = expr["titres_presents"]
    document = _document_markdown(valeur(spec["document"], ctx), ctx)
    presents = {normaliser_titre(t["texte"]) for t in document.valeur["titres"]}
    manquants = [t for t in spec["titres"] if normaliser_titre(t) not in presents]
    ou = Emplacement(document.preuve.chemin) if document.preuve else None
    if manquants:
        texte = f"titre(s) absent(s) de {ou.fichier if ou else 'ce document'} : {', '.join(f'« {t} »' for t in manquants)}"
    else:
        texte = f"les {len(spec['titres'])} titres attendus sont présents dans {ou.fichier if ou else 'ce document'}"
    return Resultat(not manquants, [Constat(texte, ou)])


def _c_fichier_existe(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    val = valeur(expr["fichier_existe"], ctx)
    brut = _brut(val)
    if not isinstance(brut, str):
        raise ErreurCalcul(f"chemin attendu pour « {val.texte} », trouvé {afficher(brut)}", val.ou)
    chemin = chemin_confine(brut)
    sujet = expr.get("libelle") or val.texte
    if chemin is None:
        return Resultat(False, [Constat(f"{sujet} : « {brut} » sort du dépôt (chemin absolu ou « .. »)", val.ou)])
    ok = chemin in ctx.preuves.fichiers
    if ok:
        ctx.lus[chemin] = None
    return Resultat(ok, [Constat(f"{sujet} : fichier « {chemin} » {'présent' if ok else 'absent du dépôt'}", val.ou)])


def _c_correspond(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    from verificateur.motifs import TAILLE_MAX_TEXTE, MotifDangereux, compiler

    spec = expr["correspond"]
    val = valeur(spec["valeur"], ctx)
    brut = _brut(val)
    if not isinstance(brut, str):
        raise ErreurCalcul(f"correspond : texte attendu pour « {val.texte} », trouvé {afficher(brut)}", val.ou)
    if len(brut) > TAILLE_MAX_TEXTE:
        # le coût d'un motif, même accepté, croît avec le texte : on le borne (docs/limites.md)
        raise ErreurCalcul(f"correspond : « {val.texte} » a {len(brut)} caractères, au plus {TAILLE_MAX_TEXTE} pour un motif", val.ou)
    try:
        ok = compiler(spec["motif"]).fullmatch(brut) is not None
    except MotifDangereux as exc:  # refusé à la validation ; garde-fou
        raise ErreurCalcul(f"correspond : motif « {spec['motif']} » refusé : {exc.message}") from None
    sujet = expr.get("libelle") or val.texte
    return Resultat(ok, [Constat(f"{sujet} : {afficher(brut)}, {'conforme au' if ok else 'attendu conforme au'} motif « {spec['motif']} »", val.ou)])


CONDITIONS: dict[str, Callable[[dict[str, Any], Contexte], Resultat]] = {
    **{op: _c_comparaison(op) for op in _SIGNES},
    "entre": _c_entre,
    "dans_les_derniers": _c_dans_les_derniers,
    "appartient": _c_appartient,
    "contient": _c_contient,
    "renseigne": _c_renseigne,
    "est_vrai": _c_est_vrai,
    "toutes_ces_conditions": _c_toutes,
    "une_de_ces_conditions": _c_une,
    "non": _c_non,
    "tous": _quantifier("tous"),
    "aucun": _quantifier("aucun"),
    "existe": _quantifier("existe"),
    "au_moins": _quantifier("au_moins"),
    "titres_presents": _c_titres_presents,
    "fichier_existe": _c_fichier_existe,
    "correspond": _c_correspond,
}


def condition(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    return CONDITIONS[operation(expr, CONDITIONS)](expr, ctx)
