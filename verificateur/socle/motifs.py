"""Les expressions régulières des règles (condition `correspond`, docs/regles.md § 5).

Le moteur `re` de Python revient en arrière : un motif comme `(a+)+$` met un temps exponentiel à
refuser `aaaa…b`. Une politique est une entrée non fiable ; son motif est donc analysé à la
validation, sur l'arbre que `re` construit lui-même, et refusé s'il contient une construction qui
peut exploser. L'analyse est **conservatrice** : elle refuse des motifs sans danger réel (voir
docs/limites.md), jamais l'inverse pour les constructions qu'elle décrit :

- dans une répétition d'un nombre variable de fois (`*`, `+`, `{2,}`, `{1,5}`), un élément de
  longueur variable (`(a+)+`, `(a*)*`, `(\\w+\\s?)+`, `(a?)*`) — sauf une répétition d'un seul
  caractère aussitôt suivie d'un séparateur obligatoire qu'elle ne reconnaît pas (`([a-z]+,)*`) ;
- dans une telle répétition, des alternatives qui peuvent commencer par le même caractère ou être
  vides (`(a|a)*`, `(a|ab)*`, `(\\d|x\\d)+`) ;
- les références arrière (`\\1`, `(?P=nom)`), dont le coût n'est pas borné.

Le coût polynomial restant (`\\d*\\d*x`) est borné par la taille du texte examiné :
`TAILLE_MAX_TEXTE` caractères au plus, au-delà la règle rend `erreur`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # typeshed décrit l'analyseur de `re` sous ses anciens noms (dépréciés à l'exécution depuis 3.11)
    import sre_constants as C
    import sre_parse as _parser
else:
    from re import _constants as C, _parser  # les codes d'opération et l'analyseur de `re`

# Un élément de l'arbre de `re` : (code d'opération, argument). La forme de l'argument dépend du code
# (un caractère, une classe, un triplet de répétition, un groupe…) : Any, car aucun type ne suit le code.
Element: TypeAlias = tuple[object, Any]

TAILLE_MAX_MOTIF = 500  # caractères d'un motif
TAILLE_MAX_TEXTE = 1000  # caractères d'un texte soumis à un motif

# Un échantillon de caractères pour décider si deux classes peuvent reconnaître le même caractère.
_ECHANTILLON = frozenset([chr(i) for i in range(256)] + ["é", "ß", "€", "\u2028", "中", "😀"])
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}
_REPETITIONS = (C.MAX_REPEAT, C.MIN_REPEAT)


class MotifDangereux(Exception):
    def __init__(self, message: str, code: str = "regex-catastrophique"):
        super().__init__(message)
        self.message, self.code = message, code


@lru_cache(maxsize=256)
def compiler(motif: str) -> re.Pattern[str]:
    """Le motif compilé, ou MotifDangereux avec la raison (invalide ou catastrophique)."""
    if len(motif) > TAILLE_MAX_MOTIF:
        raise MotifDangereux(f"motif de {len(motif)} caractères, au plus {TAILLE_MAX_MOTIF}", "regex-invalide")
    try:
        arbre = _parser.parse(motif)
        compile_ = re.compile(motif)
    except (re.error, RecursionError, OverflowError) as exc:
        raise MotifDangereux(f"expression régulière invalide : {_traduire(str(exc))}", "regex-invalide") from None
    _analyser(arbre.data, arbre.state.flags, None)
    return compile_


def _traduire(message: str) -> str:
    return (message.replace("at position", "à la position").replace("missing", "manque")
            .replace("unterminated character set", "classe de caractères non fermée")
            .replace("unbalanced parenthesis", "parenthèse non appariée").replace("nothing to repeat", "rien à répéter"))


def _symbole(mini: int, maxi: int) -> str:
    illimite = maxi == C.MAXREPEAT
    if (mini, illimite) == (0, True):
        return "*"
    if (mini, illimite) == (1, True):
        return "+"
    if (mini, maxi) == (0, 1):
        return "?"
    return f"{{{mini},}}" if illimite else f"{{{mini},{maxi}}}"


def _ensemble(op: object, av: Any, flags: int) -> frozenset[str] | None:
    """Les caractères (de l'échantillon) qu'un élément d'un seul caractère reconnaît ; None sinon."""
    if op is C.LITERAL:
        s = {chr(av)}
    elif op is C.NOT_LITERAL:
        s = set(_ECHANTILLON - {chr(av)})
    elif op is C.ANY:
        s = set(_ECHANTILLON if flags & re.DOTALL else _ECHANTILLON - {"\n"})
    elif op is C.IN:
        s = _classe(av)
    else:
        return None
    if flags & re.IGNORECASE:
        s |= {c.upper() for c in s} | {c.lower() for c in s}
    return frozenset(s)


def _classe(elements: Sequence[Element]) -> set[str]:
    s: set[str] = set()
    nier = False
    for op, av in elements:
        if op is C.NEGATE:
            nier = True
        elif op is C.LITERAL:
            s.add(chr(av))
        elif op is C.RANGE:
            lo, hi = av
            s |= {c for c in _ECHANTILLON if lo <= ord(c) <= hi}
        elif op is C.CATEGORY and av in _CATEGORIES:
            s |= {c for c in _ECHANTILLON if re.fullmatch(_CATEGORIES[av], c)}
        else:
            return set(_ECHANTILLON)  # inconnu : tout, par prudence
    return set(_ECHANTILLON) - s if nier else s


def _premiers(sequence: Sequence[Element], flags: int) -> tuple[frozenset[str], bool]:
    """Les premiers caractères possibles d'une séquence, et si elle peut reconnaître le texte vide."""
    premiers: set[str] = set()
    for op, av in sequence:
        s = _ensemble(op, av, flags)
        if s is not None:
            return frozenset(premiers | s), False
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # largeur nulle
        if op is C.SUBPATTERN:
            interieur, vide = _premiers(list(av[3]), (flags | av[1]) & ~av[2])
        elif op is C.ATOMIC_GROUP:
            interieur, vide = _premiers(list(av), flags)
        elif op in (*_REPETITIONS, C.POSSESSIVE_REPEAT):
            interieur, vide = _premiers(list(av[2]), flags)
            vide = vide or av[0] == 0
        elif op is C.BRANCH:
            resultats = [_premiers(list(b), flags) for b in av[1]]
            interieur = frozenset().union(*(r[0] for r in resultats))
            vide = any(r[1] for r in resultats)
        else:
            return _ECHANTILLON, True  # inconnu : tout, par prudence
        premiers |= interieur
        if not vide:
            return frozenset(premiers), False
    return frozenset(premiers), True


def _variable(av: tuple[int, int, _parser.SubPattern]) -> bool:
    """Une répétition qui peut reconnaître des textes de longueurs différentes."""
    mini, maxi, corps = av
    lo, hi = corps.getwidth()
    return mini != maxi or lo != hi


def _analyser(sequence: Sequence[Element], flags: int, repetition: str | None, apres: Sequence[Element] | None = None) -> None:
    """Parcourt l'arbre. `repetition` : le symbole de la répétition variable qui nous contient ;
    `apres` : ce qui suit cette séquence dans le corps de cette répétition (en bouclant sur son début)."""
    apres = apres or []
    for i, (op, av) in enumerate(sequence):
        suite = [*sequence[i + 1:], *apres]
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            raise MotifDangereux("référence arrière : son coût n'est pas borné")
        if op in _REPETITIONS:
            mini, maxi, corps = av
            symbole = _symbole(mini, maxi)
            if repetition and _variable(av) and not _delimitee(corps, suite, flags):
                raise MotifDangereux(
                    f"répétition « {symbole} » à l'intérieur de la répétition « {repetition} » : le retour en arrière "
                    "peut être exponentiel (séparez les répétitions par un caractère obligatoire qu'elles ne "
                    "reconnaissent pas, ou réécrivez sans répétition imbriquée)"
                )
            if repetition is None and maxi > 1 and mini != maxi:
                tete = _tete(list(corps))
                _analyser(list(corps), flags, symbole, [tete] if tete else [])
            else:
                _analyser(list(corps), flags, repetition, suite)
        elif op is C.POSSESSIVE_REPEAT or op is C.ATOMIC_GROUP:
            # sans retour en arrière à l'intérieur : seul son propre contenu est examiné
            _analyser(list(av[2]) if op is C.POSSESSIVE_REPEAT else list(av), flags, None)
        elif op is C.SUBPATTERN:
            _analyser(list(av[3]), (flags | av[1]) & ~av[2], repetition, suite)
        elif op is C.BRANCH:
            if repetition:
                _alternatives_disjointes(av[1], flags, repetition)
            for branche in av[1]:
                _analyser(list(branche), flags, repetition, suite)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            _analyser(list(av[1]), flags, repetition)


def _tete(sequence: Sequence[Element]) -> Element | None:
    """Le premier élément d'une séquence s'il reconnaît exactement un caractère (groupes dépliés)."""
    while sequence:
        op, av = sequence[0]
        if op is not C.SUBPATTERN:
            return (op, av) if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN) else None
        sequence = list(av[3])
    return None


def _delimitee(corps: _parser.SubPattern, suite: Sequence[Element], flags: int) -> bool:
    """`[a-z]+,` ou `(\\.\\d+)*` : une répétition d'un seul caractère suivie d'un séparateur
    obligatoire qu'elle ne reconnaît pas (le suivant, ou le début de l'itération suivante)."""
    elements = corps.data
    if len(elements) != 1 or not suite:
        return False
    reconnus = _ensemble(*elements[0], flags)
    separateur = _ensemble(*suite[0], flags)
    return reconnus is not None and separateur is not None and not (reconnus & separateur)


def _alternatives_disjointes(branches: Sequence[_parser.SubPattern], flags: int, repetition: str) -> None:
    vus: list[frozenset[str]] = []
    for branche in branches:
        premiers, vide = _premiers(branche.data, flags)
        if vide or any(premiers & autre for autre in vus):
            raise MotifDangereux(
                f"alternatives « | » qui peuvent reconnaître le même texte (ou le texte vide) dans la répétition "
                f"« {repetition} » : le retour en arrière peut être exponentiel (faites commencer chaque "
                "alternative par un caractère différent, ou employez une classe [ … ])"
            )
        vus.append(premiers)
