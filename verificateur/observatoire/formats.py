"""Les formats de l'observatoire (`campagnes`, `evolution`, `comparer`) : un enregistrement par format
(docs/architecture.md), à part des rendus pour que la ligne de commande construise ses choix sans les
charger (le crochet pre-commit passe par la même ligne de commande)."""

from __future__ import annotations

from verificateur.rendus.registre import Format, registre

CAMPAGNES: dict[str, Format] = registre(
    Format("texte", "verificateur.observatoire.rendus:campagnes_texte", ".txt"),
    Format("json", "verificateur.observatoire.rendus:campagnes_json", ".json"),
    Format("csv", "verificateur.observatoire.rendus:campagnes_csv", ".csv"),
)


EVOLUTION: dict[str, Format] = registre(
    Format("texte", "verificateur.observatoire.rendus:evolution_texte", ".txt"),
    Format("json", "verificateur.observatoire.rendus:evolution_json", ".json"),
    Format("csv", "verificateur.observatoire.rendus:evolution_csv", ".csv"),
    Format("html", "verificateur.observatoire.rendus:page", ".html"),  # appelée par evolution(), qui lui passe la base
)


COMPARAISON: dict[str, Format] = registre(
    Format("texte", "verificateur.observatoire.rendus:comparaison_texte", ".txt"),
    Format("json", "verificateur.observatoire.rendus:comparaison_json", ".json"),
    Format("csv", "verificateur.observatoire.rendus:comparaison_csv", ".csv"),
    Format("html", "verificateur.observatoire.rendus:comparaison_html", ".html"),
)
