"""Le langage des règles : évaluation pure des valeurs et des conditions (docs/regles.md).

Aucune lecture de fichier ici : tout vient des `Preuves` déjà lues et de la date d'évaluation.
Chaque condition rend un `Resultat` qui porte ses constats (valeurs comparées, seuil, opérateur,
emplacement) : l'explication d'un verdict est construite en même temps que lui.
Chaque opérateur est un enregistrement `Operateur` (en fin de module) qui porte son évaluation, ses
sous-expressions, son contrôle de types et son texte : ajouter un opérateur, c'est un enregistrement et
sa propriété dans le schéma `regles.schema.json` (tests/test_operateurs.py vérifie les deux).
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

from verificateur.socle.francais import nombre
from verificateur.socle.lecture import Chemin, normaliser_titre
from verificateur.preuves import Preuve, Preuves
from verificateur.socle.confinement import chemin_confine

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
        tester, muet = filtre_compile(liaison["si"]), ctx.avec(nom, None, muet=True)
        gardes = []
        for n in noeuds:
            muet.variables[nom] = n
            if tester(muet):
                gardes.append(n)
        noeuds = gardes
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
    """Le nom lisible d'une expression de valeur, pour les explications (le `texte` de son opérateur)."""
    if isinstance(expr, dict):
        for cle in expr:
            operateur = OPERATEURS_VALEUR.get(cle)
            if operateur is not None:
                return operateur.texte(expr)
        return "valeur calculée"
    return afficher(expr)


def _texte_calcule(expr: dict[str, Any]) -> str:
    return "valeur calculée"


def _texte_date(expr: dict[str, Any]) -> str:
    return "date d'évaluation" if expr["date"] == "evaluation" and len(expr) == 1 else "valeur calculée"


def _texte_agregat(cle: str) -> Callable[[dict[str, Any]], str]:
    def texte(expr: dict[str, Any]) -> str:
        if not isinstance(expr[cle], dict):
            return "valeur calculée"
        return f"{cle} de {texte_valeur(expr[cle].get('valeur', {}))} sur {_texte_liste(expr[cle]['dans'])}"
    return texte


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
    except (OverflowError, ValueError):
        # Une date aux bornes du calendrier (an 1, an 9999) ou une durée démesurée : la règle rend
        # « erreur », les autres sont évaluées (jamais d'erreur interne).
        singulier = {"jours": "jour", "ans": "an"}
        texte = ", ".join(f"{n} {singulier.get(u, u) if n == 1 else u}" for u, n in duree.items() if n)
        raise ErreurCalcul(
            f"{depart.isoformat()} {'plus' if signe > 0 else 'moins'} {texte} sort du calendrier (de l'an 1 à l'an 9999)"
        ) from None
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
    elements = _elements(spec["dans"], ctx)
    if "si" not in spec:
        for element in elements:
            yield element, ctx.avec(nom, element)
        return
    tester = filtre_compile(spec["si"])
    # Un seul contexte muet pour tout le filtre, l'élément changé à chaque tour : rien ne le garde
    # au-delà du test (un parcours imbriqué copie ses variables).
    muet = ctx.avec(nom, None, muet=True)
    for element in elements:
        muet.variables[nom] = element
        if tester(muet):
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
        # Chaque élément est d'abord jugé par le test compilé (muet) ; seuls les éléments que
        # l'explication citera (les _MAX_CITES premiers faux pour « tous », vrais sinon) sont
        # réévalués pour rédiger leurs constats. Pure, la réévaluation rend le même `ok`, et l'élément
        # nommé est calculé pour chacun, cité ou non : mêmes erreurs que sans ce raccourci.
        tester = filtre_compile(spec["condition"])
        nom = spec.get("comme", "element")
        muet = ctx.avec(nom, None, muet=True)
        cite_si = cle != "tous"
        for element, sous in _filtres(spec, ctx):
            muet.variables[nom] = element
            ok = tester(muet)
            groupe = vrais if ok else faux
            if not ctx.muet and bool(ok) == cite_si and len(groupe) < _MAX_CITES:
                groupe.append(_prefixer(element, spec, sous, condition(spec["condition"], sous).constats))
                continue
            if "element" in spec:
                valeur_compilee(spec["element"])(muet)  # ses erreurs, même non cité
            groupe.append([])
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
    from verificateur.socle.motifs import TAILLE_MAX_TEXTE, MotifDangereux, compiler

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


def condition(expr: dict[str, Any], ctx: Contexte) -> Resultat:
    return CONDITIONS[operation(expr, CONDITIONS)](expr, ctx)


# --- compilation : le chemin rapide des conditions muettes (#15) ----------------------------------
#
# Un filtre `si` (et la condition d'un quantificateur) est évalué pour chaque élément d'une liste, et
# seul son `ok` compte : c'est là que le moteur passe son temps (un registre de vulnérabilités de
# 300 rangées). Chaque expression est donc compilée une fois en une fermeture, par le champ
# `compiler` de son opérateur : une condition en `test(ctx) -> bool`, une valeur en
# `calcul(ctx) -> valeur brute`, sans Val, sans Noeud intermédiaire, sans emplacement.
# Le chemin rapide ne couvre que le cas ordinaire : devant tout le reste (champ absent, types
# différents à comparer, heure, nom à résoudre…) il lève `_Lent`, et l'interprète ci-dessus reprend
# l'expression entière depuis le début. L'évaluation est pure (ses seules écritures, fichiers et
# paramètres lus, sont idempotentes), et le chemin rapide évalue dans le même ordre que l'interprète :
# mêmes statuts, mêmes erreurs, mêmes constats, octet pour octet.


class _Lent(Exception):
    """Le chemin rapide ne sait pas conclure à l'identique : l'interprète reprend l'expression."""


# Compilées une fois par expression d'une règle chargée : clé id(expr) (et sa nature), l'expression
# gardée avec sa fermeture (un id n'est réutilisé qu'après la mort de l'objet, que cette référence empêche).
_COMPILES: dict[tuple[int, str], tuple[Any, Callable[[Contexte], Any]]] = {}
# Borne : un processus qui recharge souvent des catalogues (les tests) ne garde pas toutes leurs
# expressions ; vider le cache ne coûte qu'une nouvelle compilation.
_MAX_COMPILES = 20_000


def _garder(cle: tuple[int, str], entree: tuple[Any, Callable[[Contexte], Any]]) -> None:
    if len(_COMPILES) >= _MAX_COMPILES:
        _COMPILES.clear()
    _COMPILES[cle] = entree


def compiler_valeur(expr: Any) -> Callable[[Contexte], Any]:
    """La valeur brute de `expr` (`_brut(valeur(expr, ctx))`), ou `_Lent`."""
    if not isinstance(expr, dict):
        brut = Decimal(str(expr)) if isinstance(expr, float) else expr
        return lambda ctx: brut
    try:
        op = OPERATEURS_VALEUR[operation(expr, VALEURS)]
    except ErreurCalcul:
        op = None
    compile_ = op.compiler(expr) if op is not None and op.compiler is not None else None
    if compile_ is None:
        return lambda ctx: _brut(valeur(expr, ctx))
    return compile_


def compiler_test(expr: Any) -> Callable[[Contexte], bool]:
    """`condition(expr, ctx).ok` pour un contexte muet, ou `_Lent`."""
    op = None
    if isinstance(expr, dict):
        try:
            op = OPERATEURS_CONDITION[operation(expr, CONDITIONS)]
        except ErreurCalcul:
            pass
    compile_ = op.compiler(expr) if op is not None and op.compiler is not None else None
    if compile_ is None:
        return lambda ctx: condition(expr, ctx).ok
    return compile_


def filtre_compile(expr: Any) -> Callable[[Contexte], bool]:
    """Le test compilé (en cache) d'une condition, pour un contexte muet : `condition(expr, ctx).ok`."""
    entree = _COMPILES.get((id(expr), CONDITION))
    if entree is None or entree[0] is not expr:
        rapide = compiler_test(expr)

        def tester(ctx: Contexte) -> bool:
            try:
                return rapide(ctx)
            except _Lent:
                return condition(expr, ctx).ok

        entree = (expr, tester)
        _garder((id(expr), CONDITION), entree)
    return entree[1]


def _variable_connue(ctx: Contexte, nom: str) -> Any:
    """Un nom déjà lié (élément parcouru) ou déjà résolu : le chemin rapide ne lit aucun fichier."""
    if nom in ctx.variables:
        return ctx.variables[nom]
    if nom in ctx.resolues:
        return ctx.resolues[nom]
    raise _Lent


def _k_champ(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if "defaut" in expr or not isinstance(expr["champ"], str):
        return None
    tete, *reste = expr["champ"].split(".")
    if len(reste) == 1:  # le cas courant, « e.date » : sans boucle ni appel
        (cle,) = reste

        def calcul_court(ctx: Contexte) -> Any:
            variables = ctx.variables
            if tete in variables:
                courant = variables[tete]
            elif tete in ctx.resolues:
                courant = ctx.resolues[tete]
            else:
                raise _Lent
            if isinstance(courant, Noeud):
                brut = courant.valeur
                if isinstance(brut, dict) and cle in brut:
                    return brut[cle]
            raise _Lent
        return calcul_court

    def calcul(ctx: Contexte) -> Any:
        courant = _variable_connue(ctx, tete)
        if not isinstance(courant, Noeud):
            raise _Lent
        brut = courant.valeur
        for cle in reste:
            if not isinstance(brut, dict) or cle not in brut:
                raise _Lent
            brut = brut[cle]
        return brut
    return calcul


def _k_parametre_valeur(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if len(expr) != 1:
        return None
    nom = expr["parametre"]

    def calcul(ctx: Contexte) -> Any:
        parametre = ctx.parametres.get(nom)
        en_vigueur = parametre.en_vigueur(ctx.date) if parametre is not None else None
        if en_vigueur is None:
            raise _Lent
        ctx.parametres_lus[nom] = en_vigueur
        return en_vigueur[1]
    return calcul


def _k_date(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if expr["date"] == "evaluation" and len(expr) == 1:
        return lambda ctx: ctx.date
    return None


_TYPES_RAPIDES = (str, date, int, Decimal)
_NOMBRES = (int, Decimal, Part)


def _k_comparaison(op: str) -> Callable[[dict[str, Any]], Callable[[Contexte], bool] | None]:
    comparer = _OPERATEURS[op]

    def compiler(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
        arguments = expr[op]
        if not isinstance(arguments, list) or len(arguments) != 2:
            return None
        a, b = (compiler_valeur(x) for x in arguments)
        if not isinstance(arguments[1], (dict, float)):  # comparé à une constante (« critique ») : son type est connu
            y = arguments[1]
            ty = type(y)
            meme_type = ty in _TYPES_RAPIDES
            nombre = ty in _NOMBRES

            def test_constante(ctx: Contexte) -> bool:
                x = a(ctx)
                tx = type(x)
                if (tx is ty and meme_type) or (nombre and tx in _NOMBRES):
                    return bool(comparer(x, y))
                raise _Lent
            return test_constante

        def test(ctx: Contexte) -> bool:
            x, y = a(ctx), b(ctx)
            tx, ty = type(x), type(y)
            # Seuls les cas que `_comparer` accepte sans conversion : même nature, ni booléen, ni heure.
            if (tx is ty and tx in _TYPES_RAPIDES) or (tx in _NOMBRES and ty in _NOMBRES):
                return bool(comparer(x, y))
            raise _Lent
        return test
    return compiler


def _k_toutes(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    tests = [compiler_test(c) for c in expr["toutes_ces_conditions"]]

    def test(ctx: Contexte) -> bool:
        ok = True
        for t in tests:  # toutes évaluées, comme l'interprète : leurs erreurs comptent
            if not t(ctx):
                ok = False
        return ok
    return test


def _k_une(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    tests = [compiler_test(c) for c in expr["une_de_ces_conditions"]]

    def test(ctx: Contexte) -> bool:
        for t in tests:
            if t(ctx):
                return True
        return False
    return test


def _k_non(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    interieur = compiler_test(expr["non"])
    return lambda ctx: not interieur(ctx)


def _k_renseigne(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    if not isinstance(expr["renseigne"], str):
        return None
    tete, *reste = expr["renseigne"].split(".")

    def test(ctx: Contexte) -> bool:
        courant = _variable_connue(ctx, tete)
        if not isinstance(courant, Noeud):
            raise _Lent
        brut = courant.valeur
        for cle in reste:
            if not isinstance(brut, dict) or cle not in brut:
                return False  # champ absent : « non renseigné », comme l'interprète
            brut = brut[cle]
        return brut is not None and brut != "" and brut != [] and brut != {}
    return test


def _nombre_rapide(x: Any) -> Decimal:
    """`_nombre_de` sans message : un nombre (ni booléen) devient Decimal, tout autre cas rend la main."""
    if type(x) not in _NOMBRES:
        raise _Lent
    return Decimal(x)


def _k_annee(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    if len(expr) != 1:
        return None
    base = compiler_valeur(expr["annee"])

    def calcul(ctx: Contexte) -> Any:
        jour = base(ctx)
        if not isinstance(jour, date):
            raise _Lent
        return jour.year
    return calcul


def _deux_valeurs(expr: dict[str, Any], nom: str) -> tuple[Callable[[Contexte], Any], Callable[[Contexte], Any]] | None:
    """Les deux arguments compilés de « difference » ou « ratio », ou None si la forme est autre."""
    arguments = expr[nom]
    if len(expr) != 1 or not isinstance(arguments, list) or len(arguments) != 2:
        return None
    a, b = (compiler_valeur(x) for x in arguments)
    return a, b


def _k_difference(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    valeurs = _deux_valeurs(expr, "difference")
    if valeurs is None:
        return None
    a, b = valeurs

    def calcul(ctx: Contexte) -> Any:
        x, y = a(ctx), b(ctx)
        return _nombre_rapide(x) - _nombre_rapide(y)
    return calcul


def _k_ratio(expr: dict[str, Any]) -> Callable[[Contexte], Any] | None:
    valeurs = _deux_valeurs(expr, "ratio")
    if valeurs is None:
        return None
    a, b = valeurs

    def calcul(ctx: Contexte) -> Any:
        x, y = a(ctx), b(ctx)
        nx, ny = _nombre_rapide(x), _nombre_rapide(y)
        if ny == 0:
            raise _Lent
        return Part(nx / ny)
    return calcul


def _k_entre(expr: dict[str, Any]) -> Callable[[Contexte], bool] | None:
    spec = expr["entre"]
    v, mini, maxi = compiler_valeur(spec["valeur"]), compiler_valeur(spec["min"]), compiler_valeur(spec["max"])

    def rapides(x: Any, y: Any) -> None:
        tx, ty = type(x), type(y)
        if not ((tx is ty and tx in _TYPES_RAPIDES) or (tx in _NOMBRES and ty in _NOMBRES)):
            raise _Lent

    def test(ctx: Contexte) -> bool:
        x, lo, hi = v(ctx), mini(ctx), maxi(ctx)
        rapides(x, lo)
        if not x >= lo:  # comme l'interprète : la borne haute n'est comparée que si la basse tient
            return False
        rapides(x, hi)
        return bool(x <= hi)
    return test


def valeur_compilee(expr: Any) -> Callable[[Contexte], Any]:
    """La valeur brute compilée (en cache) de `expr`, `_brut(valeur(expr, ctx))`, l'interprète
    reprenant tout cas non couvert."""
    entree = _COMPILES.get((id(expr), VALEUR))
    if entree is None or entree[0] is not expr:
        rapide = compiler_valeur(expr)

        def calculer(ctx: Contexte) -> Any:
            try:
                return rapide(ctx)
            except _Lent:
                return _brut(valeur(expr, ctx))

        entree = (expr, calculer)
        _garder((id(expr), VALEUR), entree)
    return entree[1]


# --- types : ce que le contrôle statique (typage.py) sait d'une valeur ----------------------------

# Le contenu d'une preuve Markdown : la table de ses titres.
SCHEMA_MARKDOWN = {
    "type": "object", "additionalProperties": False,
    "properties": {"titres": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
        "texte": {"type": "string"}, "niveau": {"type": "integer"}, "ligne": {"type": "integer"}}}}},
}
_DUREES = ("jours", "mois")


@dataclass(frozen=True)
class Type:
    genre: str  # nombre, date, texte, booleen, liste, table, inconnu
    nom: str = ""  # ce qui l'a produit, pour les messages : « e.date », 3, « part_cyber_minimale »
    unite: str | None = None  # nombre : part, euros, jours, mois
    element: Type | None = None  # liste : le type de ses éléments
    schema: dict[str, Any] | None = None  # table : son schéma JSON
    valeurs: tuple[str, ...] | None = None  # texte : les seules valeurs permises (enum du schéma)
    litteral: bool = False  # écrit tel quel dans la règle

    def decrire(self) -> str:
        article = {
            "nombre": "un nombre", "date": "une date", "texte": "un texte", "booleen": "un booléen",
            "liste": "une liste", "table": "une table de clés", "inconnu": "une valeur",
        }[self.genre]
        if self.genre == "nombre" and self.unite:
            article = {"part": "une part (%)", "euros": "un montant en euros", "jours": "une durée en jours",
                       "mois": "une durée en mois"}.get(self.unite, article)
        return f"{article} ({self.nom})" if self.nom else article


INCONNU = Type("inconnu")


def cite(texte: str) -> str:
    return f"« {texte} »"


def _date_iso(texte: str) -> bool:
    try:
        date.fromisoformat(texte)
    except ValueError:
        return False
    return len(texte) == 10


def _nom_court(expr: Any) -> str:
    if isinstance(expr, dict) and "champ" in expr:
        return cite(expr["champ"])
    if isinstance(expr, dict) and expr.get("date") == "evaluation":
        return "la date d'évaluation"
    return "une valeur"


# --- les opérateurs : un enregistrement par opérateur ---------------------------------------------
#
# Chaque opérateur du langage (une propriété de `condition` ou de `valeur` dans regles.schema.json)
# est défini par un seul enregistrement `Operateur`, qui porte tout ce que l'outil en fait :
#   evaluer(expr, ctx)              son évaluation (fonctions _v_… et _c_… ci-dessus) ;
#   enfants(arg, chemin, portee)    ses sous-expressions, pour les parcours de validation (politiques.py) :
#                                   (chemin, expression, est-ce une condition, noms visibles) ;
#   typer(v, op, expr, portee, ici) son contrôle de types (typage.py) : `v` est le vérificateur, `ici`
#                                   le chemin de l'opérateur dans la règle ; une valeur rend son Type ;
#   texte(expr)                     pour une valeur, son nom lisible dans les explications ; une condition
#                                   rédige ses constats dans son évaluation ;
#   controler(arg, ici, portee, parametres, probleme)
#                                   facultatif : ce que la validation vérifie de plus (nom ou paramètre
#                                   connu, motif sûr), au-delà de ses sous-expressions.
#   compiler(expr)                  facultatif : sa fermeture pour le chemin rapide des conditions muettes
#                                   (#15, section « compilation ») : compile ses sous-expressions, rend
#                                   `test(ctx) -> bool` (condition) ou `calcul(ctx) -> valeur brute`
#                                   (valeur), ou None pour une forme qu'il ne couvre pas. Sans lui,
#                                   l'opérateur se compile en un appel à l'interprète : mêmes résultats.
# Les tables VALEURS et CONDITIONS (nom → évaluation) en sont dérivées. Un test (test_operateurs.py)
# vérifie que chaque opérateur du schéma a son enregistrement complet, et réciproquement.

Enfant = tuple[Chemin, Any, bool, set[str]]
CONDITION, VALEUR = "condition", "valeur"


@dataclass(frozen=True)
class Operateur:
    nom: str
    nature: str  # CONDITION ou VALEUR
    evaluer: Callable[[dict[str, Any], Contexte], Any]
    enfants: Callable[[Any, Chemin, set[str]], Iterator[Enfant]]
    typer: Callable[[Any, str, dict[str, Any], dict[str, Type], Chemin], Type | None]
    texte: Callable[[dict[str, Any]], str] | None = None
    controler: Callable[[Any, Chemin, set[str], dict[str, Any], Callable[[Chemin, str, str], None]], None] | None = None
    # facultatif : sa compilation en fermeture pour le chemin rapide (section « compilation ») ; rend
    # None pour une forme qu'il ne compile pas, et l'interprète l'évalue.
    compiler: Callable[[dict[str, Any]], Callable[[Contexte], Any] | None] | None = None


# sous-expressions ----------------------------------------------------------------------------------

def _e_aucun(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    return iter(())


def _e_argument(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin, arg, False, portee


def _e_date(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    if isinstance(arg, dict):
        yield chemin, arg, False, portee


def _e_valeurs(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    for i, v in enumerate(arg):
        yield chemin + (i,), v, False, portee


def _e_conditions(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    for i, c in enumerate(arg):
        yield chemin + (i,), c, True, portee


def _e_non(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin, arg, True, portee


def _e_cles(*cles: str) -> Callable[[Any, Chemin, set[str]], Iterator[Enfant]]:
    def enfants(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
        for cle in cles:  # toutes obligatoires (schéma)
            yield chemin + (cle,), arg[cle], False, portee
    return enfants


def _e_parcours(arg: Any, chemin: Chemin, portee: set[str], interieur_visible: bool = True) -> Iterator[Enfant]:
    """`dans` (ou `liste`), puis `si`, `condition`, `valeur`, `element` dans la portée de l'élément."""
    if isinstance(arg, list):
        yield from _e_valeurs(arg, chemin, portee)
        return
    dans = arg.get("dans", arg.get("liste"))
    if isinstance(dans, str):
        if dans.split(".")[0] not in portee:
            yield chemin + ("dans",), {"champ": dans}, False, portee  # signale le nom inconnu
    elif dans is not None:
        yield chemin + ("dans",), dans, False, portee
    interieur = portee | {arg.get("comme", "element")}
    if "si" in arg:
        yield chemin + ("si",), arg["si"], True, interieur
    if "condition" in arg:
        yield chemin + ("condition",), arg["condition"], True, interieur
    for cle in ("valeur", "element"):
        if cle in arg:
            yield chemin + (cle,), arg[cle], False, interieur if interieur_visible else portee


def _e_contient(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    return _e_parcours(arg, chemin, portee, interieur_visible=False)


def _e_dans_les_derniers(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin + ("date",), arg["date"], False, portee
    for unite in _DUREES:
        if unite in arg:
            yield chemin + (unite,), arg[unite], False, portee


def _e_appartient(arg: Any, chemin: Chemin, portee: set[str]) -> Iterator[Enfant]:
    yield chemin + ("valeur",), arg["valeur"], False, portee
    if isinstance(arg["liste"], list):
        for i, v in enumerate(arg["liste"]):
            yield chemin + ("liste", i), v, False, portee
    else:
        yield chemin + ("liste",), arg["liste"] if isinstance(arg["liste"], dict) else {"champ": arg["liste"]}, False, portee


# contrôles propres à un opérateur (validation) -------------------------------------------------------

def _k_nom(arg: str, ici: Chemin, portee: set[str], parametres: dict[str, Any], probleme: Callable[[Chemin, str, str], None]) -> None:
    tete = arg.split(".")[0]
    if tete not in portee:
        probleme(ici, "nom-inconnu", f"« {tete} » n'est ni une preuve de la règle ni un élément parcouru ; connus : {', '.join(sorted(portee))}")


def _k_parametre(arg: str, ici: Chemin, portee: set[str], parametres: dict[str, Any], probleme: Callable[[Chemin, str, str], None]) -> None:
    if arg not in parametres:
        probleme(ici, "parametre-inconnu", f"paramètre « {arg} » inconnu ; paramètres de la politique : {', '.join(sorted(parametres)) or 'aucun'}")


def _k_correspond(arg: dict[str, Any], ici: Chemin, portee: set[str], parametres: dict[str, Any], probleme: Callable[[Chemin, str, str], None]) -> None:
    from verificateur.socle.motifs import MotifDangereux, compiler

    try:
        compiler(arg["motif"])
    except MotifDangereux as exc:
        probleme(ici + ("motif",), exc.code, f"motif « {arg['motif']} » refusé : {exc.message}")


# types des valeurs ---------------------------------------------------------------------------------

def _t_champ(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    chemin = ici[:-1]
    t: Type = v.champ(expr[op], portee, ici)
    if "defaut" in expr and t.genre != "inconnu" and expr["defaut"] is not None:
        d = v.valeur(expr["defaut"], portee, chemin + ("defaut",))
        if "inconnu" not in (t.genre, d.genre) and t.genre != d.genre:
            v.erreur(chemin + ("defaut",), f"« defaut » : {d.decrire()} pour le champ {t.nom}, qui est {t.decrire().split(' (')[0]}")
    return t


def _t_parametre(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg = expr[op]
    parametre = v.parametres.get(arg)
    unite = getattr(parametre, "unite", None)
    if unite == "texte":
        return Type("texte", cite(arg))
    return Type("nombre", cite(arg), unite=None if unite == "nombre" else unite) if parametre else INCONNU


def _t_date(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg, chemin = expr[op], ici[:-1]
    if isinstance(arg, str) and arg != "evaluation" and not _date_iso(arg):
        v.erreur(ici, f"« date » : « evaluation » ou une date réelle AAAA-MM-JJ attendue, trouvé « {arg} »")
    if isinstance(arg, dict):
        base = v.valeur(arg, portee, ici)
        v.attendre(base, ("date",), "« date »", ici)
    for sens in ("moins", "plus"):
        if isinstance(expr.get(sens), dict):
            for unite, n in expr[sens].items():
                v.duree(n, "jours" if unite == "jours" else "mois" if unite == "mois" else None, portee, chemin + (sens, unite), unite)
    return Type("date", cite("date d'évaluation") if arg == "evaluation" else cite(str(arg)) if isinstance(arg, str) else "date calculée")


def _t_annee(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg = expr[op]
    v.attendre(v.valeur(arg, portee, ici), ("date",), "« annee »", ici)
    return Type("nombre", f"année de {_nom_court(arg)}")


def _t_arithmetique(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    types = [v.valeur(x, portee, ici + (i,)) for i, x in enumerate(expr[op])]
    for t in types:
        v.nombre(t, f"« {op} »", ici)
    if op == "ratio":
        return Type("nombre", f"résultat de « {op} »", unite="part")
    return Type("nombre", f"résultat de « {op} »", unite=types[0].unite if op == "difference" else None)


def _t_agregat(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    arg = expr[op]
    if isinstance(arg, list):
        types = [v.valeur(x, portee, ici + (i,)) for i, x in enumerate(arg)]
    else:
        interieur = v.parcourir(arg, portee, ici, op)
        types = [v.valeur(arg["valeur"], interieur, ici + ("valeur",))] if "valeur" in arg else []
    for t in types:
        if op == "somme":
            v.nombre(t, "« somme »", ici)
        else:
            v.attendre(t, ("nombre", "date"), f"« {op} »", ici)
    connus = [t for t in types if t.genre != "inconnu"]
    return Type(connus[0].genre, f"résultat de « {op} »", unite=connus[0].unite) if connus else INCONNU


def _t_nombre(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> Type:
    v.parcourir(expr[op], portee, ici, op)
    return Type("nombre", "résultat de « nombre »")


# types des conditions ------------------------------------------------------------------------------

def _t_comparaison(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    a, b = (v.valeur(x, portee, ici + (i,)) for i, x in enumerate(expr[op]))
    v.comparer(op, a, b, ici)


def _t_entre(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    t = v.valeur(arg["valeur"], portee, ici + ("valeur",))
    for borne in ("min", "max"):
        v.comparer(op, t, v.valeur(arg[borne], portee, ici + (borne,)), ici)


def _t_dans_les_derniers(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    v.attendre(v.valeur(arg["date"], portee, ici + ("date",)), ("date",), "« dans_les_derniers »", ici)
    for unite in _DUREES:
        if unite in arg:
            v.duree(arg[unite], unite, portee, ici + (unite,), unite)


def _t_appartient(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    t = v.valeur(arg["valeur"], portee, ici + ("valeur",))
    if isinstance(arg["liste"], list):
        for i, x in enumerate(arg["liste"]):
            v.comparer("egal", t, v.valeur(x, portee, ici + ("liste", i)), ici, "appartient")
    else:
        element = v.liste(arg["liste"], portee, ici + ("liste",), op, "liste")
        v.comparer("egal", t, element, ici, "appartient")


def _t_contient(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    element = v.liste(arg["liste"], portee, ici + ("liste",), op, "liste")
    v.comparer("egal", element, v.valeur(arg["valeur"], portee, ici + ("valeur",)), ici, "contient")


def _t_renseigne(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.champ(expr[op], portee, ici)


def _t_est_vrai(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.attendre(v.champ(expr[op], portee, ici), ("booleen",), "« est_vrai »", ici)


def _t_conditions(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    for i, c in enumerate(expr[op]):
        v.condition(c, portee, ici + (i,))


def _t_non(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.condition(expr[op], portee, ici)


def _t_quantificateur(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    arg = expr[op]
    interieur = v.parcourir(arg, portee, ici, op)
    if "condition" in arg:
        v.condition(arg["condition"], interieur, ici + ("condition",))
    if "element" in arg:
        v.valeur(arg["element"], interieur, ici + ("element",))


def _t_titres_presents(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    t = v.valeur(expr[op]["document"], portee, ici + ("document",))
    if not (t.genre in ("texte", "inconnu") or t.schema is SCHEMA_MARKDOWN):
        v.erreur(ici, f"« titres_presents » : le chemin d'un document (un texte) ou une preuve Markdown attendu, trouvé {t.decrire()}")


def _t_fichier_existe(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.attendre(v.valeur(expr[op], portee, ici), ("texte",), "« fichier_existe »", ici)


def _t_correspond(v: Any, op: str, expr: dict[str, Any], portee: dict[str, Type], ici: Chemin) -> None:
    v.attendre(v.valeur(expr[op]["valeur"], portee, ici + ("valeur",)), ("texte",), "« correspond »", ici)


# les enregistrements -------------------------------------------------------------------------------

OPERATEURS_VALEUR: dict[str, Operateur] = {o.nom: o for o in (
    Operateur("champ", VALEUR, _v_champ, _e_aucun, _t_champ, lambda e: e["champ"], _k_nom, _k_champ),
    Operateur("parametre", VALEUR, _v_parametre, _e_aucun, _t_parametre, lambda e: e["parametre"], _k_parametre,
              _k_parametre_valeur),
    Operateur("date", VALEUR, _v_date, _e_date, _t_date, _texte_date, compiler=_k_date),
    Operateur("annee", VALEUR, _v_annee, _e_argument, _t_annee, lambda e: f"année de {texte_valeur(e['annee'])}",
              compiler=_k_annee),
    Operateur("ratio", VALEUR, _v_ratio, _e_valeurs, _t_arithmetique,
              lambda e: f"{texte_valeur(e['ratio'][0])} / {texte_valeur(e['ratio'][1])}", compiler=_k_ratio),
    Operateur("difference", VALEUR, _v_difference, _e_valeurs, _t_arithmetique, _texte_calcule, compiler=_k_difference),
    Operateur("produit", VALEUR, _v_produit, _e_valeurs, _t_arithmetique, _texte_calcule),
    Operateur("somme", VALEUR, _v_somme, _e_parcours, _t_agregat, _texte_agregat("somme")),
    Operateur("maximum", VALEUR, lambda e, c: _extreme("maximum", e, c), _e_parcours, _t_agregat, _texte_agregat("maximum")),
    Operateur("minimum", VALEUR, lambda e, c: _extreme("minimum", e, c), _e_parcours, _t_agregat, _texte_agregat("minimum")),
    Operateur("nombre", VALEUR, _v_nombre, _e_parcours, _t_nombre,
              lambda e: f"nombre d'éléments de {_texte_liste(e['nombre']['dans'])}"),
)}

OPERATEURS_CONDITION: dict[str, Operateur] = {o.nom: o for o in (
    *(Operateur(op, CONDITION, _c_comparaison(op), _e_valeurs, _t_comparaison, compiler=_k_comparaison(op)) for op in _SIGNES),
    Operateur("entre", CONDITION, _c_entre, _e_cles("valeur", "min", "max"), _t_entre, compiler=_k_entre),
    Operateur("dans_les_derniers", CONDITION, _c_dans_les_derniers, _e_dans_les_derniers, _t_dans_les_derniers),
    Operateur("appartient", CONDITION, _c_appartient, _e_appartient, _t_appartient),
    Operateur("contient", CONDITION, _c_contient, _e_contient, _t_contient),
    Operateur("renseigne", CONDITION, _c_renseigne, _e_aucun, _t_renseigne, controler=_k_nom, compiler=_k_renseigne),
    Operateur("est_vrai", CONDITION, _c_est_vrai, _e_aucun, _t_est_vrai, controler=_k_nom),
    Operateur("toutes_ces_conditions", CONDITION, _c_toutes, _e_conditions, _t_conditions, compiler=_k_toutes),
    Operateur("une_de_ces_conditions", CONDITION, _c_une, _e_conditions, _t_conditions, compiler=_k_une),
    Operateur("non", CONDITION, _c_non, _e_non, _t_non, compiler=_k_non),
    *(Operateur(op, CONDITION, _quantifier(op), _e_parcours, _t_quantificateur) for op in ("tous", "aucun", "existe", "au_moins")),
    Operateur("titres_presents", CONDITION, _c_titres_presents, _e_cles("document"), _t_titres_presents),
    Operateur("fichier_existe", CONDITION, _c_fichier_existe, _e_argument, _t_fichier_existe),
    Operateur("correspond", CONDITION, _c_correspond, _e_cles("valeur"), _t_correspond, controler=_k_correspond),
)}

# Les tables d'évaluation (nom → fonction), dérivées des enregistrements : l'aiguillage de
# `valeur` et `condition` reste une seule lecture de dictionnaire.
VALEURS: dict[str, Callable[[dict[str, Any], Contexte], Val]] = {n: o.evaluer for n, o in OPERATEURS_VALEUR.items()}
CONDITIONS: dict[str, Callable[[dict[str, Any], Contexte], Resultat]] = {n: o.evaluer for n, o in OPERATEURS_CONDITION.items()}
