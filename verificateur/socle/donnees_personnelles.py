"""Garde-fou : aucune donnée personnelle dans les preuves, ni dans aucune sortie.

Deux choses, un seul détecteur (`trouver`) :
- la **détection** : un numéro de sécurité sociale (NIR) probable dans une preuve est une erreur
  située (`donnee-personnelle`), cherchée dans les octets de chaque fichier, dans ce que le fichier
  *signifie* (valeurs et clés YAML après échappements `\\x31` et pliage des lignes, cellules CSV) et
  dans le chemin de chaque fichier du dépôt ;
- le **masquage** : `assainir` est l'unique passage de tout texte tiré des preuves vers une sortie
  (rapport, problèmes, entrées d'un lot, décisions d'éligibilité, historique, lignes du crochet) : un
  NIR y devient « [NIR masqué] », et les caractères de contrôle (échappements de terminal ANSI/OSC,
  inversions bidirectionnelles U+202E…) y sont rendus visibles (« \\x1b », « \\u202e »). Les rendus et
  les écritures ne voient que ces données assainies (docs/securite.md).

Le NIR : 13 caractères (sexe 1, 2, 3, 4, 7 ou 8 ; année ; mois ; département — 2A/2B pour la Corse — ;
commune ; ordre) puis une clé de 2 chiffres, clé = 97 − (numéro mod 97), 2A et 2B comptés 19 et 18.
Écritures reconnues : chiffres collés, ou groupes séparés par 1 à 3 caractères parmi les espaces
(insécable U+00A0, fine U+202F, tabulation…), points, tirets, soulignés et caractères invisibles
(U+200B, U+00AD…) ; dans un texte plié (paragraphe Markdown, valeur sur plusieurs lignes), aussi par un
saut de ligne et son indentation. Une lettre collée ne protège pas (« NIR:184067512345641x »).
Ne sont pas des NIR : un numéro de 15 chiffres dont la clé est fausse ; 15 chiffres pris au milieu
d'un groupe plus long (16 chiffres collés ou plus) ; une suite de 40 ou 64 chiffres hexadécimaux
(révision git, empreinte SHA-256), calculée par un outil et jamais masquée (docs/limites.md).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol, TypeAlias

CODE = "donnee-personnelle"
MESSAGE = "numéro de sécurité sociale (NIR) probable : aucune donnée personnelle dans les preuves"
MESSAGE_CHEMIN = "numéro de sécurité sociale (NIR) probable dans le nom du fichier : aucune donnée personnelle dans les preuves"
MASQUE = "[NIR masqué]"

# Séparateurs d'un groupe de chiffres : espaces sauf saut de ligne, ponctuation de numéro, invisibles,
# et leurs formes rendues visibles (« \t », « \u00a0 » : un texte déjà neutralisé pour un terminal).
_SEP = ("(?:[^\\S\\n]|[._\\-\u00ad\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
        "|\\\\(?:[tnrvf]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}))")
_PLI = "(?:[^\\S\\n]*\\n[^\\S\\n]*)"
# Une unité : un chiffre, ou le département corse 2A/2B (qui compte pour deux), toujours suivi de la
# commune : « …42A. » après un numéro n'est pas un département.
_UNITE = f"(?:2[ABab](?=(?:{_SEP}{{0,3}}|{_PLI})[0-9])|[0-9])"


def _chaine(plis: bool) -> re.Pattern[str]:
    """Au moins 13 unités séparées par des écarts courts : seules candidates (filtre rapide)."""
    ecart = f"(?:{_SEP}{{1,3}}|{_PLI})" if plis else f"{_SEP}{{1,3}}"
    return re.compile(f"{_UNITE}(?:(?:{ecart})?{_UNITE}){{12,}}")


_CHAINES = {False: _chaine(False), True: _chaine(True)}
_GROUPES = re.compile(f"{_UNITE}+")
# Au-delà de ce nombre de caractères de chaînes examinées dans un même texte (des mégaoctets de
# « 1 1 1 … » écrits exprès), une chaîne n'est plus découpée : elle est tenue entière pour un NIR
# probable, masquée et signalée. Le temps reste borné, et rien ne fuit (docs/limites.md).
CHAINES_MAX = 200_000
# Filtre rapide : moins de 13 chiffres dans tout le texte, aucun NIR possible (linéaire : \D et \d disjoints).
_TREIZE = re.compile(r"(?:[^0-9]*[0-9]){13}")
_FORME = re.compile(r"[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{8}")
_EMPREINTE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40})(?![0-9A-Za-z])")


def nir_valide(texte: str) -> bool:
    """Vrai si `texte` (séparateurs permis) est un NIR dont la clé est juste."""
    return _valide(re.sub(r"[^0-9A-Za-z]", "", texte).upper())


def _valide(compact: str) -> bool:
    if not _FORME.fullmatch(compact):
        return False
    numero, cle = compact[:13], compact[13:]
    numero = numero[:5] + {"2A": "19", "2B": "18"}.get(numero[5:7], numero[5:7]) + numero[7:]
    return 97 - int(numero) % 97 == int(cle)


def trouver(texte: str, plis: bool = True) -> list[tuple[int, int]]:
    """Les NIR probables de `texte` : (début, fin) de chacun, fusionnés et dans l'ordre.

    Une chaîne d'unités (chiffres séparés) est coupée en groupes là où il y a un séparateur ; un NIR
    est une suite de groupes entiers qui fait exactement 15 caractères, a la forme d'un NIR et la
    bonne clé. `plis` : un saut de ligne (et son indentation) sépare aussi deux groupes."""
    if len(texte) < 13 or not _TREIZE.match(texte):
        return []
    spans: list[tuple[int, int]] = []
    empreintes = None
    budget = CHAINES_MAX
    for chaine in _CHAINES[plis].finditer(texte):
        budget -= chaine.end() - chaine.start()
        if budget < 0:
            spans.append(chaine.span())
            continue
        # Les groupes (unités collées) de la chaîne ; une fenêtre de groupes entiers fait 15 caractères
        # quand la somme des longueurs y tombe juste : sommes cumulées, une recherche par groupe
        # (linéaire, même pour un fichier hostile de millions de « 1 1 1 »).
        groupes = [(m.group().upper(), m.start(), m.end()) for m in _GROUPES.finditer(texte, chaine.start(), chaine.end())]
        cumul = list(itertools.accumulate((len(g) for g, _, _ in groupes), initial=0))
        rang = {c: k for k, c in enumerate(cumul)}
        compact = "".join(g for g, _, _ in groupes)
        for i, c in enumerate(cumul[:-1]):
            j = rang.get(c + 15)
            if j is None or compact[c] not in "123478" or not _valide(compact[c:c + 15]):
                continue
            debut, fin = groupes[i][1], groupes[j - 1][2]
            if empreintes is None:
                empreintes = [m.span() for m in _EMPREINTE.finditer(texte)]
            if any(a <= debut and fin <= b for a, b in empreintes):
                continue
            if spans and debut < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(fin, spans[-1][1]))
            else:
                spans.append((debut, fin))
    return spans


def masquer(texte: str) -> str:
    """`texte` où chaque NIR probable est remplacé par « [NIR masqué] »."""
    spans = trouver(texte)
    if not spans:
        return texte
    morceaux, position = [], 0
    for debut, fin in spans:
        morceaux += [texte[position:debut], MASQUE]
        position = fin
    morceaux.append(texte[position:])
    return "".join(morceaux)


def assainir(valeur: Any) -> Any:
    """L'unique passage vers une sortie : une copie de `valeur` (dict, list, tuple, str, le reste tel
    quel) dont chaque texte — clés comprises — est masqué (`masquer`) puis neutralisé pour un terminal
    (`problemes.sans_controle`). Idempotent : « [NIR masqué] » et « \\u202e » n'ont plus rien à
    masquer. Les empreintes se calculent sur le résultat."""
    texte = _texte

    def parcourir(v: Any) -> Any:
        if isinstance(v, str):
            return texte(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 10**12 and trouver(str(v)):
            return MASQUE  # filet : un nombre-NIR rend déjà sa preuve invalide (`nombre_nir`)
        if isinstance(v, dict):
            return {(texte(k) if isinstance(k, str) else k): parcourir(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(parcourir(x) for x in v)
        return v

    return parcourir(valeur)


def _texte(s: str) -> str:
    """Un texte assaini ; les courts sont mémorisés (les rapports d'un lot répètent leurs clés, statuts,
    exigences), sans garder en mémoire les longs."""
    return _texte_court(s) if len(s) <= 1000 else _assainir_texte(s)


def _assainir_texte(s: str) -> str:
    if s.isprintable() and (len(s) < 13 or not _TREIZE.match(s)):
        return s
    return sans_controle(masquer(s))


_texte_court = functools.lru_cache(maxsize=16384)(_assainir_texte)

_CONTROLES = {"Cc", "Cf", "Zl", "Zp"}  # contrôles, formats (bidi), séparateurs de ligne et de paragraphe


def sans_controle(texte: str) -> str:
    r"""Les caractères de contrôle (saut de ligne, retour chariot, tabulation, échappements de
    terminal, inversions bidirectionnelles…) d'un texte venu d'une entrée, rendus visibles : « \n »,
    « \x1b », « \u202e ». Les espaces insécables restent."""
    if texte.isprintable():
        return texte
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _CONTROLES else c for c in texte
    )


# --- détection dans les preuves ----------------------------------------------------------------------


# Le chemin d'une valeur dans un document, et ce que `lignes_nir` lit d'un document : ceux de
# socle.lecture, décrits ici sans l'importer (lecture → problemes → ce module ferait un cycle).
_Chemin: TypeAlias = tuple[str | int, ...]


class DocumentLu(Protocol):
    donnees: Any
    lignes: dict[_Chemin, int]

    def ligne(self, chemin: _Chemin) -> int: ...


def lignes_nir(chemin: str, contenu: bytes, document: DocumentLu | None = None) -> list[int]:
    """Les lignes des NIR probables d'un fichier de preuve (une erreur chacune, sans le numéro) : dans ses
    octets (commentaires compris ; un paragraphe Markdown plié compte), puis, si `document` est lu,
    dans ses clés et valeurs (échappements YAML, lignes pliées, nombres) à la ligne de la valeur."""
    texte = contenu.decode("utf-8", "replace")
    lignes: set[int] = set()
    spans = trouver(texte, plis=chemin.endswith(".md"))
    if spans:
        sauts = [i for i, c in enumerate(texte) if c == "\n"]
        lignes.update(bisect.bisect_left(sauts, debut) + 1 for debut, _ in spans)
    if document is not None and document.donnees is not None:
        bruts = sorted(lignes)
        debuts = sorted(set(document.lignes.values()))  # la ligne où commence chaque valeur
        for position, valeur in _textes(document.donnees, ()):
            if len(valeur) >= 13 and trouver(valeur):  # la plupart des valeurs sont courtes
                ligne = document.ligne(position)
                # Déjà situé par les octets sur une ligne de cette valeur (pliée sur plusieurs lignes) :
                # un seul problème, à la ligne du numéro.
                j, k = bisect.bisect_right(debuts, ligne), bisect.bisect_left(bruts, ligne)
                if k < len(bruts) and (j == len(debuts) or bruts[k] < debuts[j]):
                    continue
                lignes.add(ligne)
    return sorted(lignes)


def _textes(valeur: object, position: _Chemin) -> Iterator[tuple[_Chemin, str]]:
    """(position, texte) de chaque clé et valeur scalaire : les nombres en chiffres (un NIR écrit sans
    guillemets est un entier YAML)."""
    if isinstance(valeur, dict):
        for cle, v in valeur.items():
            yield position + (cle,), str(cle)
            yield from _textes(v, position + (cle,))
    elif isinstance(valeur, list):
        for i, v in enumerate(valeur):
            yield from _textes(v, position + (i,))
    elif valeur is not None and not isinstance(valeur, bool):
        yield position, str(valeur)


def nombre_nir(valeur: Any) -> bool:
    """Vrai si une valeur lue contient un NIR écrit comme un nombre (`effectif: 184…`) : le masque
    ne peut pas le remplacer sans changer son type, la preuve est donc refusée (`preuves.charger`)."""
    if isinstance(valeur, dict):
        return any(nombre_nir(v) for v in valeur.values())
    if isinstance(valeur, list):
        return any(nombre_nir(v) for v in valeur)
    if isinstance(valeur, bool) or not isinstance(valeur, (int, Decimal)):
        return False
    # Decimal(…) : la valeur absolue d'un int ou d'un Decimal, comparée exactement (sans arrondi)
    return abs(Decimal(valeur)) >= 10**12 and bool(trouver(str(valeur)))


def dans_chemin(chemin: str) -> bool:
    """Vrai si le chemin d'un fichier contient un NIR probable (le chemin affiché est masqué par
    `Probleme`)."""
    return bool(trouver(chemin))
