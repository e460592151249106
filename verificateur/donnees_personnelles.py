"""Garde-fou : aucune donnée personnelle dans les preuves. Un numéro de sécurité sociale (NIR)
probable est une erreur, signalée par fichier et ligne sans jamais recopier le numéro.

Le NIR : 13 caractères (sexe, année, mois, département — 2A/2B pour la Corse —, commune, ordre)
puis une clé de 2 chiffres, clé = 97 − (numéro mod 97), 2A et 2B comptés 19 et 18 pour le calcul.
Les groupes peuvent être séparés par une espace (« 1 84 12 76 451 089 46 »). Un numéro de
15 chiffres dont la clé est fausse n'est pas signalé.
"""

from __future__ import annotations

import re

from verificateur.problemes import Probleme

CODE = "donnee-personnelle"
MESSAGE = "numéro de sécurité sociale (NIR) probable : aucune donnée personnelle dans les preuves"

# Une seule expression : premier chiffre 1/2/3/4/7/8, puis chiffres séparés au plus par une espace ;
# le département peut être 2A/2B. Ni chiffre ni lettre juste avant ou juste après.
_NIR = re.compile(
    r"(?<![0-9A-Za-z])[123478](?: ?[0-9]){4} ?(?:[0-9] ?[0-9]|2 ?[ABab])(?: ?[0-9]){6}(?: ?[0-9]){2}(?![0-9A-Za-z])"
)
# Filtre rapide : sans 13 chiffres ou espaces d'affilée, aucun NIR possible.
_CANDIDAT = re.compile(r"[0-9][0-9 ABab]{12}")


def nir_valide(texte: str) -> bool:
    """Vrai si `texte` (espaces permises) est un NIR dont la clé est juste."""
    compact = texte.replace(" ", "").upper()
    if len(compact) != 15:
        return False
    numero, cle = compact[:13], compact[13:]
    numero = numero[:5] + {"2A": "19", "2B": "18"}.get(numero[5:7], numero[5:7]) + numero[7:]
    if not (numero.isdigit() and cle.isdigit()):
        return False
    return 97 - int(numero) % 97 == int(cle)


def rechercher(chemin: str, contenu: bytes) -> list[Probleme]:
    """Les lignes de `contenu` qui contiennent un NIR probable (une erreur par ligne)."""
    texte = contenu.decode("utf-8", "replace")
    if not _CANDIDAT.search(texte):
        return []
    problemes = []
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        if any(nir_valide(m.group()) for m in _NIR.finditer(ligne)):
            problemes.append(Probleme(chemin, numero, CODE, MESSAGE))
    return problemes
