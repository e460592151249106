"""Les rendus d'un lot (`verificateur lot`) : un module par format, un enregistrement par format dans `FORMATS`.

Chaque rendu est une fonction `rendre(donnees, options=None) -> str | bytes` (la signature de tous les
rendus, `verificateur/rendus/registre.py`), où `donnees` suit le contrat « verificateur/lot/2 »
(docs/lot.md, schéma `schemas/lot.schema.json`). `FORMATS[format].morceaux(donnees)` donne le même
contenu en morceaux écrits au fil de l'eau : ceux de `json_.morceaux`, de même signature, pour le JSON
d'un lot national ; le texte entier en un morceau pour les autres formats. Le module n'est importé que
si son format est demandé (tabulate, Jinja2 restent hors du chemin des autres formats), comme pour
les rendus d'un établissement (`verificateur/rendus/`).
"""

from __future__ import annotations

from verificateur.rendus.registre import Format, registre

FORMATS: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.lot.texte:rendre", ".txt"),
    Format("json", "verificateur.rendus.lot.json_:rendre", ".json"),
    Format("csv", "verificateur.rendus.lot.csv_:rendre", ".csv"),
    Format("html", "verificateur.rendus.lot.html:rendre", ".html"),
    Format("xlsx", "verificateur.rendus.lot.xlsx:rendre", ".xlsx", binaire=True),
)

