"""Rendu HTML : la décision d'éligibilité, autonome (hors ligne, imprimable), avec la feuille de style
du rapport d'établissement. Jinja2 avec échappement automatique : les textes venus des preuves et des
programmes ne sont jamais interprétés comme du HTML."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from verificateur.rendus.commun import ORDRE_STATUTS
from verificateur.rendus_eligibilite.commun import (
    LIBELLES_DECISIONS, LIBELLES_RESULTATS, PLURIELS_DECISIONS, SYMBOLES, compte_decisions, euros, lieux, montant, part, source_texte,
)


@lru_cache(maxsize=1)
def _environnement() -> Any:
    from jinja2 import ChoiceLoader, PackageLoader

    from verificateur.rendus import html as rendu_etablissement

    base = rendu_etablissement._environnement()
    env = base.overlay(loader=ChoiceLoader([PackageLoader("verificateur.rendus_eligibilite", "modeles"), base.loader]))
    env.filters = dict(base.filters)  # les filtres du rapport restent intacts
    env.filters["decision"] = lambda d: LIBELLES_DECISIONS.get(d, d)
    env.filters["resultat"] = lambda r: LIBELLES_RESULTATS.get(r, r)
    env.filters["decisions"] = lambda d: PLURIELS_DECISIONS.get(d, d)
    env.filters["marque"] = lambda r: SYMBOLES.get(r, "")
    env.filters["euros"] = euros
    env.filters["montant"] = montant
    env.filters["lieux"] = lieux
    env.filters["source_texte"] = source_texte
    return env


def rendre(donnees: dict[str, Any], options: dict[str, Any]) -> str:
    s = donnees["synthese"]
    return _environnement().get_template("eligibilite.html.j2").render(
        statuts=ORDRE_STATUTS,  # la feuille de style du rapport en a besoin
        d=donnees,
        p=donnees["programme"],
        s=s,
        bilan=compte_decisions(s["candidatures"]),
        bilan_etablissements=compte_decisions(s["etablissements"]),
        # « à confirmer » et « programme clos » : des colonnes seulement s'il y en a.
        en_plus=[x for x in ("a_confirmer", "clos") if any(r.get(x) for r in donnees["par_region"])],
        part_enveloppe=part(s["montant_plafond_total"], s["enveloppe"]) if s["enveloppe"] is not None else "",
    )
