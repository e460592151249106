"""L'observatoire (`verificateur observatoire`, `verificateur lot --campagne`) : chaque campagne
d'évaluation en lot gardée dans une base SQLite, pour suivre ce qui change d'un trimestre à l'autre.

- `store` : la base (schéma versionné, migrations, écrivains concurrents, messages français) ;
- `enregistrement` : d'un lot « verificateur/lot/1 » (JSON ou résultat en mémoire) à la base ;
- `evolution`, `comparaison` : ce qu'on en tire (valeurs pures, triées) ;
- `rendus` : texte, JSON, CSV, HTML.

On n'y garde que des identifiants, des codes et des statuts (FINESS, région, catégorie, raison
sociale, statuts par règle, synthèse), jamais le texte d'une preuve ni une explication : la base peut
circuler d'une ARS au niveau national sans rien emporter de plus que le JSON du lot (docs/observatoire.md).
La collecte des dépôts (URL git, paquets) viendra devant `lot` ; l'observatoire ne lit que des lots.
"""

from __future__ import annotations

import os
from pathlib import Path


def chemin_defaut() -> str:
    """`$XDG_DATA_HOME/verificateur/observatoire.sqlite`, sinon `~/.local/share/verificateur/observatoire.sqlite`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "verificateur" / "observatoire.sqlite")
