"""Les preuves d'un dépôt : reconnaître chaque fichier (format 1, CONCEPTION §3), le lire, le valider
contre son schéma, contrôler la cohérence entre champs, puis le convertir en valeurs typées.

Un module par métier, du registre au chargement d'une source entière :
- `preuves.types` : le registre des types de preuve, un enregistrement `TypePreuve` par sorte de fichier
  (`TYPES`, et les tables qui en sont dérivées), et `type_de`, qui reconnaît le type d'un chemin ;
- `preuves.controles` : les contrôles de cohérence entre champs, un par type qui en a besoin ;
- `preuves.lecture` : un fichier, de ses octets à ses valeurs (`lire_preuve` : lu, validé, typé, contrôlé) ;
- `preuves.chargement` : toutes les preuves d'une source (`charger`), avec les limites d'un dépôt
  (`limiter`, `Budget`), les fichiers non reconnus, les données personnelles et les chemins nommés.
`Preuve` et `Preuves`, les données qui en sortent, sont au socle (`verificateur.socle.donnees`) pour que
toute couche puisse les nommer ; ce paquet les ré-exporte, comme les noms publics de ses modules.
"""

from __future__ import annotations

from verificateur.preuves.chargement import Budget as Budget, charger as charger, limiter as limiter
from verificateur.preuves.controles import FINESS_DU_MODELE as FINESS_DU_MODELE
from verificateur.preuves.lecture import lire_preuve as lire_preuve
from verificateur.preuves.types import (
    EXEMPLES_DE_CHEMINS as EXEMPLES_DE_CHEMINS,
    MARKDOWN as MARKDOWN,
    TYPES as TYPES,
    TYPES_PAR_NOM as TYPES_PAR_NOM,
    TypePreuve as TypePreuve,
    type_de as type_de,
)
from verificateur.socle.donnees import Preuve as Preuve, Preuves as Preuves
