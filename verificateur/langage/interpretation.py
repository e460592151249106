"""L'interprète : ce que partagent les opérateurs pour lire les preuves. Un nom devient sa preuve
(`variable` : élément parcouru, ou preuve nommée de la règle, résolue une fois par règle), un champ
pointé (`e.date`) devient sa valeur avec son emplacement (`lire_champ`), une liste à parcourir devient
ses éléments (`elements`, et `elements_gardes` avec le filtre `si` compilé).
L'aiguillage vers l'opérateur (`valeur`, `condition`) est dans `registre`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from verificateur.langage.compilation import Lent, filtre_compile, test_rapide, valeur_compilee
from verificateur.langage.contexte import Contexte
from verificateur.langage.explication import texte_liste
from verificateur.langage.registre import condition, valeur
from verificateur.langage.valeurs import ErreurCalcul, ListePreuves, Noeud, PreuveInvalide, PreuveManquante, Val, afficher, comparable


def variable(ctx: Contexte, nom: str) -> Any:
    """Ce que désigne un nom : un élément parcouru, ou une preuve nommée (résolue une fois par règle)."""
    if nom in ctx.variables:
        return ctx.variables[nom]
    if nom not in ctx.resolues:
        if nom in ctx.liaisons:
            ctx.resolues[nom] = _resoudre(nom, ctx.liaisons[nom], ctx)
        elif nom == "etablissement":
            ctx.resolues[nom] = _resoudre(nom, {"fichier": "etablissement.yaml", "description": "le profil de l'établissement"}, ctx)
        else:
            raise ErreurCalcul(f"nom inconnu « {nom} » : ni une preuve de la règle ni un élément parcouru")
    return ctx.resolues[nom]


def noeud_fichier(chemin: str, ctx: Contexte) -> Noeud:
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
        chemins = ctx.fichiers_du_motif(motif)
        selection = liaison.get("selection", "tous")
    # Tout fichier du motif est lu, même écarté ensuite par le filtre : invalide, il rend la règle en erreur.
    noeuds = [noeud_fichier(c, ctx) for c in chemins]
    if "si" in liaison:
        tester, muet = filtre_compile(liaison["si"]), ctx.avec(nom, None, muet=True)
        gardes = []
        for n in noeuds:
            muet.variables[nom] = n
            if tester(muet):
                gardes.append(n)
        noeuds = gardes
    if selection != "tous" and noeuds:
        noeuds = [noeuds[_indice_choisi(nom, liaison, selection, noeuds, ctx)]]
    if not noeuds:
        if liaison.get("facultatif"):
            return ListePreuves((), motif) if selection == "tous" else None
        quoi = liaison.get("description") or f"aucun fichier {motif}"
        detail = f" ({motif})" if liaison.get("description") else ""
        raise PreuveManquante(f"{quoi}{detail}")
    if selection == "tous":
        return ListePreuves(tuple(noeuds), motif)
    return noeuds[0]


def _indice_choisi(nom: str, liaison: dict[str, Any], selection: str, noeuds: list[Noeud], ctx: Contexte) -> int:
    """Le fichier retenu par `selection: plus_recent|plus_ancien`, selon sa `cle` ou l'ordre des chemins."""
    cle = liaison.get("cle")
    if cle is None:
        return -1 if selection == "plus_recent" else 0
    calcul, muet = valeur_compilee(cle), ctx.avec(nom, None, muet=True)
    cles = []
    for i, n in enumerate(noeuds):
        muet.variables[nom] = n
        v = calcul(muet)
        if isinstance(v, (dict, list)):  # une table n'est pas une clé de tri : l'interprète dit ce qu'il en fait
            v = valeur(cle, ctx.avec(nom, n)).v
        cles.append((comparable(v), i))
    _, indice = max(cles) if selection == "plus_recent" else min(cles)
    return indice


def lire_champ(chemin: str, ctx: Contexte, defaut: Any = None, a_defaut: bool = False) -> Val:
    """La valeur d'un champ pointé (« budget.programmes »), avec son emplacement ; `defaut` pour un
    champ absent ou vide quand `a_defaut`. Les tables intermédiaires sont parcourues brutes : seul le
    nœud d'arrivée (ou celui où le chemin s'arrête, pour situer l'erreur) est construit."""
    tete, *reste = chemin.split(".")
    courant = variable(ctx, tete)
    if reste:
        if isinstance(courant, ListePreuves):
            raise ErreurCalcul(f"« {tete} » désigne plusieurs fichiers ({courant.motif}) : parcourez-les avec tous/existe")
        if not isinstance(courant, Noeud):
            if a_defaut:
                return Val(defaut, None, chemin)
            raise PreuveManquante(f"champ « {reste[0]} » non renseigné")
        v = courant.valeur
        for n, cle in enumerate(reste):
            if not isinstance(v, dict) or cle not in v:
                if a_defaut:
                    return Val(defaut, None, chemin)
                ou = Noeud(v, courant.preuve, courant.chemin + tuple(reste[:n])).ou
                dans = f" dans {ou.fichier}" if ou else ""
                raise PreuveManquante(f"champ « {'.'.join(reste[:n + 1])} » non renseigné{dans}", ou)
            v = v[cle]
        courant = Noeud(v, courant.preuve, courant.chemin + tuple(reste))
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


def _cible(dans: Any, ctx: Contexte) -> Any:
    """Ce que désigne `dans` : une preuve nommée, un champ pointé, ou une valeur calculée."""
    if isinstance(dans, str):
        if "." not in dans:
            return variable(ctx, dans)
        return lire_champ(dans, ctx).v
    return valeur(dans, ctx).v


def _elements_de(cible: Any, dans: Any) -> list[Noeud]:
    if isinstance(cible, ListePreuves):
        return list(cible.elements)
    if cible is None:
        return []
    if isinstance(cible, Noeud) and isinstance(cible.valeur, list):
        return [cible.enfant(i) for i in range(len(cible.valeur))]
    if isinstance(cible, list):
        return [Noeud(x) for x in cible]
    raise ErreurCalcul(f"liste attendue pour {texte_liste(dans)}, trouvé {afficher(cible)}")


def elements(dans: Any, ctx: Contexte) -> list[Noeud]:
    """Les éléments d'une liste : fichiers d'une preuve nommée, ou liste d'un champ."""
    return _elements_de(_cible(dans, ctx), dans)


def elements_gardes(spec: dict[str, Any], ctx: Contexte) -> Iterator[Noeud]:
    """Les éléments de `spec["dans"]` que garde son filtre `si` (nommés `spec["comme"]` dans le filtre)."""
    dans = spec["dans"]
    cible = _cible(dans, ctx)
    if "si" not in spec:
        yield from _elements_de(cible, dans)
        return
    nom = spec.get("comme", "element")
    si = spec["si"]
    rapide = test_rapide(si)
    # Un seul contexte muet pour tout le filtre, l'élément changé à chaque tour : rien ne le garde
    # au-delà du test (un parcours imbriqué copie ses variables).
    muet = ctx.avec(nom, None, muet=True)
    if isinstance(cible, Noeud) and isinstance(cible.valeur, list):
        # Les rangées d'un tableau (un registre de 300 lignes) : le test lit un seul nœud, déplacé de
        # rangée en rangée ; seul un élément gardé devient un nœud à lui, que l'appelant peut garder.
        # Sûr parce que l'évaluation est synchrone : rien du test ne survit au test (un emplacement
        # d'erreur est calculé quand l'erreur est levée).
        preuve, base = cible.preuve, cible.chemin
        curseur = Noeud(None, preuve, base)
        muet.variables[nom] = curseur
        for i, rangee in enumerate(cible.valeur):
            curseur.valeur, curseur.chemin = rangee, base + (i,)
            try:
                garde = rapide(muet)
            except Lent:  # le repli de `filtre_compile`, écrit ici : un appel de moins par rangée
                garde = condition(si, muet).ok
            if garde:
                yield Noeud(rangee, preuve, base + (i,))
        return
    tester = filtre_compile(si)
    for element in _elements_de(cible, dans):
        muet.variables[nom] = element
        if tester(muet):
            yield element
