"""Le langage des règles : évaluation pure des valeurs et des conditions (docs/regles.md).

Aucune lecture de fichier ici : tout vient des `Preuves` déjà lues et de la date d'évaluation.
Chaque condition rend un `Resultat` qui porte ses constats (valeurs comparées, seuil, opérateur,
emplacement) : l'explication d'un verdict est construite en même temps que lui.

Les modules, du bas vers le haut (chacun n'importe que ceux qui le précèdent) :
- `valeurs` : issues d'évaluation (PreuveManquante, PreuveInvalide, ErreurCalcul), Emplacement, Noeud,
  Val, Constat, Resultat, Parametre, et `afficher` (une valeur dans une phrase française) ;
- `dates` : décaler une date d'une durée, reconnaître une date AAAA-MM-JJ ;
- `types_statiques` : le `Type` d'une valeur pour le contrôle statique, l'interface du vérificateur ;
- `contexte` : le `Contexte` d'évaluation d'une règle, les motifs de fichiers ;
- `registre` : l'enregistrement `Operateur`, ses tables, et l'aiguillage `valeur` / `condition` ;
- `compilation` : le chemin rapide des conditions muettes (fermetures en cache, repli sur l'interprète) ;
- `explication` : les noms lisibles des valeurs dans les explications (`texte_valeur`) ;
- `interpretation` : un nom devient sa preuve, un champ sa valeur, une liste ses éléments ;
- `enfants` : les formes de sous-expressions communes, pour les parcours de validation ;
- `operateurs_<famille>` : les opérateurs, une famille par module (champs, dates, arithmetique,
  agregats, comparaisons, appartenance, logiques, quantificateurs, documents) ; chaque opérateur y est
  un enregistrement qui porte son évaluation, sa fermeture, ses sous-expressions, son contrôle de
  types et son texte ;
- `operateurs` : la liste des familles, rangées dans le registre à l'import du paquet.
Ajouter un opérateur, c'est un enregistrement dans sa famille et sa propriété dans le schéma
`regles.schema.json` (tests/test_operateurs.py vérifie les deux ; docs/regles.md § 9).

Ce module reprend les noms que le reste du paquet importe (`politiques`, `typage`, `evaluation`,
`echeances`), pour qu'ils n'aient pas à connaître ce découpage.
"""

from __future__ import annotations

from verificateur.langage import operateurs as operateurs  # remplit le registre
from verificateur.langage.compilation import filtre_compile as filtre_compile, valeur_compilee as valeur_compilee
from verificateur.langage.contexte import Contexte as Contexte, motif_regex as motif_regex
from verificateur.langage.dates import decaler as decaler
from verificateur.langage.explication import texte_valeur as texte_valeur
from verificateur.langage.registre import (
    CONDITION as CONDITION,
    CONDITIONS as CONDITIONS,
    MODIFICATEURS_VALEUR as MODIFICATEURS_VALEUR,
    OPERATEURS_CONDITION as OPERATEURS_CONDITION,
    OPERATEURS_VALEUR as OPERATEURS_VALEUR,
    VALEUR as VALEUR,
    VALEURS as VALEURS,
    Operateur as Operateur,
    condition as condition,
    valeur as valeur,
)
from verificateur.langage.types_statiques import INCONNU as INCONNU, SCHEMA_MARKDOWN as SCHEMA_MARKDOWN, Type as Type, cite as cite
from verificateur.langage.valeurs import (
    Constat as Constat,
    Emplacement as Emplacement,
    ErreurCalcul as ErreurCalcul,
    ListePreuves as ListePreuves,
    Noeud as Noeud,
    Parametre as Parametre,
    Part as Part,
    PreuveInvalide as PreuveInvalide,
    PreuveManquante as PreuveManquante,
    Resultat as Resultat,
    Val as Val,
    afficher as afficher,
)
