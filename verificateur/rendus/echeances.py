"""Les formats de l'échéancier (`verificateur echeances`) : un enregistrement par format
(docs/architecture.md). Les rendus sont dans `echeancier.py` : ce registre reste léger, pour que la
ligne de commande construise ses choix sans les charger (le crochet pre-commit passe par le même module)."""

from __future__ import annotations

from verificateur.rendus.registre import Format, registre

FORMATS: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.echeancier:rendre_texte", ".txt"),
    Format("json", "verificateur.rendus.echeancier:rendre_json", ".json"),
    Format("ics", "verificateur.rendus.echeancier:rendre_ics", ".ics"),
)
