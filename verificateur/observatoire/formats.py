"""Les formats de l'observatoire (`campagnes`, `evolution`, `comparer`) : un enregistrement par format
(docs/architecture.md), à part des rendus pour que la ligne de commande construise ses choix sans les
charger (le crochet pre-commit passe par la même ligne de commande)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verificateur.rendus.registre import Format, registre

if TYPE_CHECKING:
    from verificateur.observatoire.evolution import Filtres
    from verificateur.observatoire.store import Observatoire

CAMPAGNES: dict[str, Format] = registre(
    Format("texte", "verificateur.observatoire.rendus:campagnes_texte", ".txt"),
    Format("json", "verificateur.observatoire.rendus:campagnes_json", ".json"),
    Format("csv", "verificateur.observatoire.rendus:campagnes_csv", ".csv"),
)


EVOLUTION: dict[str, Format] = registre(
    Format("texte", "verificateur.observatoire.rendus:evolution_texte", ".txt"),
    Format("json", "verificateur.observatoire.rendus:evolution_json", ".json"),
    Format("csv", "verificateur.observatoire.rendus:evolution_csv", ".csv"),
    Format("html", "verificateur.observatoire.rendus:page", ".html"),  # rendre_evolution lui passe comparaison et rapports
)


COMPARAISON: dict[str, Format] = registre(
    Format("texte", "verificateur.observatoire.rendus:comparaison_texte", ".txt"),
    Format("json", "verificateur.observatoire.rendus:comparaison_json", ".json"),
    Format("csv", "verificateur.observatoire.rendus:comparaison_csv", ".csv"),
    Format("html", "verificateur.observatoire.rendus:comparaison_html", ".html"),
)


def rendre_evolution(obs: Observatoire, filtres: Filtres, format_: str, dossier: str) -> str | bytes:
    """L'évolution au format demandé ; la page HTML lit aussi la dernière comparaison et les derniers rapports."""
    from verificateur.observatoire import evolution as module

    donnees = module.evolution(obs, filtres)
    if format_ != "html":
        return EVOLUTION[format_].rendre(donnees)
    from verificateur.observatoire.comparaison import comparer, dernieres

    deux = dernieres(obs)
    comparaison = comparer(obs, deux[0], deux[1], filtres) if deux else None
    return EVOLUTION["html"].rendre(donnees, {"comparaison": comparaison, "rapports": module.derniers_rapports(obs, filtres),
                                              "dossier": dossier})
