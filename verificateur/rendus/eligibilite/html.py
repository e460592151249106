"""Rendu HTML : la décision d'éligibilité, autonome (hors ligne, imprimable), avec la feuille de style
du rapport d'établissement. Jinja2 avec échappement automatique : les textes venus des preuves et des
programmes ne sont jamais interprétés comme du HTML."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from verificateur.financements.modeles import Resultat
from verificateur.rendus.commun import ORDRE_STATUTS
from verificateur.rendus.eligibilite.commun import (
    LIBELLES_DECISIONS,
    LIBELLES_RESULTATS,
    PLURIELS_DECISIONS,
    SYMBOLES,
    compte_decisions,
    euros,
    lieux,
    montant,
    part,
    source_texte,
)

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options


@lru_cache(maxsize=1)
def _environnement() -> Any:
    from verificateur.rendus import html as rendu_etablissement

    return rendu_etablissement.surcouche(rendu_etablissement.environnement(), "verificateur.rendus.eligibilite", {
        "decision": lambda d: LIBELLES_DECISIONS.get(d, d),
        "resultat": lambda r: LIBELLES_RESULTATS.get(r, r),
        "decisions": lambda d: PLURIELS_DECISIONS.get(d, d),
        "marque": lambda r: SYMBOLES.get(r, ""),
        "euros": euros,
        "montant": montant,
        "lieux": lieux,
        "source_texte": source_texte,
    })


def rendre(donnees: Resultat, options: Options | None = None) -> str:
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
