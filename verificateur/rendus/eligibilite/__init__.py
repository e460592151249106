"""Les rendus d'une décision d'éligibilité (`verificateur eligibilite`) et de la liste des financeurs
(`verificateur lot … --programme`) : un module par format, importé seulement s'il est demandé.

Chaque rendu est une fonction `rendre(donnees, options=None) -> str | bytes` (la signature de tous les
rendus, `verificateur/rendus/registre.py`), appelée par `FORMATS[format].rendre(donnees, options)`, où
`donnees` suit le format « verificateur/eligibilite/1 » (docs/financements.md, schéma
`schemas/eligibilite.schema.json`).
"""

from __future__ import annotations

from verificateur.rendus.registre import Format, registre

FORMATS: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.eligibilite.texte:rendre", ".txt"),
    Format("json", "verificateur.rendus.eligibilite.json_:rendre", ".json"),
    Format("csv", "verificateur.rendus.eligibilite.csv_:rendre", ".csv"),
    Format("html", "verificateur.rendus.eligibilite.html:rendre", ".html"),
    Format("xlsx", "verificateur.rendus.eligibilite.xlsx:rendre", ".xlsx", binaire=True),
)
