"""La clé d'un dépôt dans le cache d'un lot (docs/lot.md §5) : son contenu (le commit lu ; pour une
copie de travail, les noms et tailles de ses fichiers et le sha256 de ses preuves), l'empreinte des
politiques, la date, le seuil, la fraîcheur, le code de l'outil, le chemin et le FINESS annoncé."""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from verificateur.lot.cache import relever_metadonnees
from verificateur.lot.contexte import EtatProcessus
from verificateur.lot.decouverte import Tache

if TYPE_CHECKING:
    from verificateur.socle.problemes import Probleme
    from verificateur.sources import Source


class ArbreLu:
    """Un arbre de travail dont les preuves sont déjà lues (pour la clé du cache) : l'évaluation ne
    les relit pas. `contenus` None : la clé vient des métadonnées (`Cache.empreintes_connues`), rien
    n'a été lu ; une évaluation relit alors tout et recalcule la clé (`cle` de cet `ArbreLu`).
    `debut_ns` : l'instant d'avant le relevé des métadonnées, repris par la relecture (le relevé fait
    par la liste sert encore : pas un second stat par preuve)."""

    nature: str = "arbre"
    revision: str | None = None

    def __init__(self, arbre: Source, contenus: dict[str, bytes] | None, debut_ns: int):
        self.chemin = arbre.chemin
        self.arbre = arbre
        self._contenus = contenus
        self.debut_ns = debut_ns

    @property
    def par_metadonnees(self) -> bool:
        return self._contenus is None

    def lister(self) -> dict[str, int]:
        return self.arbre.lister()

    def lire(self, chemins: list[str]) -> dict[str, bytes]:
        if self._contenus is None:
            return self.arbre.lire(chemins)
        return {c: self._contenus[c] for c in chemins}

    def problemes(self) -> list[Probleme]:
        return self.arbre.problemes()


def cle(source: Source, tache: Tache, etat: EtatProcessus) -> tuple[str, Source]:
    """La clé du résultat : contenu du dépôt (commit lu ; ou noms, tailles et contenu des preuves
    d'un arbre de travail), empreinte des politiques, date, seuil, fraîcheur, version de l'outil.
    Pour un arbre de travail, le sha256 de chaque preuve est relu dans l'index du cache quand ses
    métadonnées n'ont pas bougé (`Cache.empreintes_connues`) ; sinon, ou pour un `ArbreLu` dont la
    clé vient des métadonnées (à relire pour l'évaluer), les preuves sont lues et hachées. La clé est
    la même dans les deux cas."""
    contexte = etat.contexte
    parties: dict[str, Any] = {
        "outil": etat.empreinte_outil, "politiques": etat.empreinte_politiques, "date": contexte.date_evaluation.isoformat(),
        "seuil": contexte.seuil_echec, "fraicheur": contexte.fraicheur, "chemin": tache.chemin,
        "finess": tache.finess, "nature": source.nature, "revision": source.revision,
    }
    if source.nature == "arbre":
        from verificateur import preuves
        from verificateur.sources import TAILLE_MAX_FICHIER

        relire = isinstance(source, ArbreLu)
        # Avant tout stat : borne l'âge des métadonnées qu'on pourra croire (celui de la première clé
        # pour une relecture, dont la liste et ses relevés sont gardés par l'arbre).
        debut_ns = source.debut_ns if isinstance(source, ArbreLu) else time.time_ns()
        fichiers = source.lister()
        a_lire = [c for c, taille in fichiers.items() if taille <= TAILLE_MAX_FICHIER and preuves.type_de(c)]
        preuves.limiter(source.chemin, [fichiers[c] for c in a_lire])  # avant de lire (docs/limites.md)
        cache = etat.cache
        from verificateur.sources import SourceArbre

        arbre = getattr(source, "arbre", source)
        # Des relevés faits avant `debut_ns` pourraient précéder une écriture que la marge ne couvre pas.
        deja = arbre.releves if isinstance(arbre, SourceArbre) and arbre.releves_depuis_ns >= debut_ns else None
        metadonnees = relever_metadonnees(source.chemin, a_lire, fichiers, deja) if cache else None
        connues = cache.empreintes_connues(source.chemin, metadonnees) if cache and metadonnees and not relire else None
        if connues is not None:
            empreintes, contenus = connues, None
        else:
            contenus = source.lire(a_lire)
            empreintes = {c: hashlib.sha256(v).hexdigest() for c, v in contenus.items()}
            if cache and metadonnees:
                cache.ecrire_index(source.chemin, metadonnees, empreintes, debut_ns)
        parties["fichiers"] = sorted(fichiers.items())
        parties["contenus"] = empreintes
        parties["refus"] = [str(p) for p in source.problemes()]
        source = ArbreLu(arbre, contenus, debut_ns)
    brut = json.dumps(parties, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(brut).hexdigest(), source


