"""Les rendus d'un rapport : un module par format, un enregistrement par format dans `FORMATS`.

Chaque rendu est une fonction `rendre(rapport, options=None) -> str | bytes`, la signature de tous les
rendus (`registre.py`), appelée par `FORMATS[format].rendre(rapport, options)` ; le module n'est
importé que si son format est demandé (tabulate, par exemple, reste hors du chemin du crochet).
"""

from __future__ import annotations

from verificateur.rendus.registre import Format, registre

FORMATS: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.texte:rendre", ".txt"),
    Format("json", "verificateur.rendus.json_:rendre", ".json"),
    Format("html", "verificateur.rendus.html:rendre", ".html"),
    Format("markdown", "verificateur.rendus.markdown:rendre", ".md"),
    Format("csv", "verificateur.rendus.csv_:rendre", ".csv"),
    Format("xlsx", "verificateur.rendus.xlsx:rendre", ".xlsx", binaire=True),
    Format("junit", "verificateur.rendus.junit:rendre", ".xml"),
    Format("sarif", "verificateur.rendus.sarif:rendre", ".sarif"),
)
