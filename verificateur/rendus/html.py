"""Rendu HTML : un fichier autonome qu'un auditeur ouvre hors ligne et imprime.

Tout est dans le fichier : CSS en ligne, graphiques en SVG en ligne, aucun script, aucune police
ni adresse externe chargée (une politique de sécurité du contenu l'interdit même au navigateur).
Gabarits Jinja2 (`modeles/`) avec échappement automatique : le texte des preuves (raison sociale,
explications, chemins) n'est jamais interprété comme du HTML.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import (
    ECHECS,
    LIBELLES,
    ORDRE_STATUTS,
    PLURIELS,
    derogations,
    lieu,
    nom_etablissement,
    pourcentage,
    sous_le_seuil,
)

if TYPE_CHECKING:
    from jinja2 import Environment

    from verificateur.rendus.registre import Options

SYMBOLES = {
    "conforme": "✓",
    "non_conforme": "✗",
    "preuve_manquante": "?",
    "erreur": "!",
    "non_applicable": "–",
    "derogation": "≈",
}
# Pour le statut d'une exigence : le pire statut de ses règles.
GRAVITE_STATUT = ("erreur", "non_conforme", "preuve_manquante", "derogation", "conforme", "non_applicable")
LARGEUR_BARRE = 520


@lru_cache(maxsize=1)
def environnement() -> Environment:
    """L'environnement Jinja2 de tous les rendus HTML (#14.3) : échappement automatique, variable
    inconnue = erreur, les filtres du rapport. Une autre famille (lot, éligibilité, observatoire, listes
    du catalogue) en prend une `surcouche` : ses gabarits d'abord, ceux du rapport (rapport.css) ensuite."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("verificateur.rendus", "modeles"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lieu"] = lambda p, revision=None: lieu(p.get("fichier"), p.get("ligne"),
                                                         revision if revision is not None else p.get("revision"))
    # Le lieu d'une définition (règle, condition, hypothèse) : sa ligne est toujours écrite.
    env.filters["fichier_ligne"] = lambda fichier, ligne: lieu(fichier, ligne, ligne_toujours=True)
    env.filters["pourcentage"] = pourcentage
    env.filters["libelle"] = lambda statut: LIBELLES.get(statut, statut)
    env.filters["symbole"] = lambda statut: SYMBOLES.get(statut, "")
    env.filters["compte"] = lambda statut, n: f"{n} {PLURIELS[statut] if n > 1 else LIBELLES[statut]}"
    env.filters["lien_sur"] = _lien_sur
    env.globals["sous_le_seuil"] = sous_le_seuil
    env.globals["echecs"] = ECHECS
    return env


def surcouche(base: Environment, paquet: str, filtres: dict[str, Any] | None = None) -> Environment:
    """`base` (un environnement de `environnement()` ou d'une surcouche) avec, d'abord, les gabarits du
    dossier `modeles` de `paquet`, et ses `filtres` en plus (ceux de `base` restent intacts)."""
    from jinja2 import ChoiceLoader, PackageLoader

    # Les gabarits de `paquet` d'abord, puis ceux de `base` (qui en a toujours : environnement() les charge).
    env = base.overlay(loader=ChoiceLoader([PackageLoader(paquet, "modeles"), *([base.loader] if base.loader else [])]))
    env.filters = {**base.filters, **(filtres or {})}  # un overlay partage le dict de filtres : le copier
    return env


def _lien_sur(url: Any) -> str | None:
    """Une adresse qu'on peut mettre dans un lien : http(s) seulement (jamais `javascript:`)."""
    if isinstance(url, str) and url.startswith(("https://", "http://")) and not any(c.isspace() for c in url):
        return url
    return None


def _pire(statuts: list[str]) -> str:
    return min(statuts, key=GRAVITE_STATUT.index) if statuts else "non_applicable"


def _barres(comptes: dict[str, int], total: int) -> list[dict[str, Any]]:
    """Une barre par statut (graphique de synthèse) : largeur proportionnelle au nombre de règles."""
    barres = []
    for statut in ORDRE_STATUTS:
        n = comptes.get(statut, 0)
        barres.append({
            "statut": statut,
            "n": n,
            "largeur": round(LARGEUR_BARRE * n / total, 1) if total else 0,
            "libelle": PLURIELS[statut] if n > 1 else LIBELLES[statut],
        })
    return barres


def _empilement(comptes: dict[str, int], largeur: float) -> list[dict[str, Any]]:
    """Segments d'une barre empilée (conformité d'un référentiel)."""
    total = sum(comptes.values())
    segments, x = [], 0.0
    for statut in ORDRE_STATUTS:
        n = comptes.get(statut, 0)
        if n and total:
            w = round(largeur * n / total, 1)
            segments.append({"statut": statut, "n": n, "x": round(x, 1), "largeur": w})
            x += w
    return segments


def _referentiels(rapport: dict[str, Any]) -> list[dict[str, Any]]:
    """Référentiel → exigences → règles qui les mettent en œuvre, avec le statut de chacune."""
    par_ref: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rapport["resultats"]:
        for e in r["exigences"]:
            du_referentiel = par_ref.setdefault(e["referentiel"], {})
            entree = du_referentiel.setdefault(e["id"], {"exigence": e, "regles": []})
            entree["regles"].append({"regle": r["regle"], "statut": r["statut"], "gravite": r["gravite"]})
    referentiels = []
    for ref_id in sorted(par_ref):
        exigences: list[dict[str, Any]] = []
        comptes: dict[str, int] = {}
        vues: set[str] = set()
        for ex_id in sorted(par_ref[ref_id]):
            entree = par_ref[ref_id][ex_id]
            statut = _pire([x["statut"] for x in entree["regles"]])
            exigences.append({**entree, "statut": statut})
            for x in entree["regles"]:
                if x["regle"] not in vues:
                    vues.add(x["regle"])
                    comptes[x["statut"]] = comptes.get(x["statut"], 0) + 1
        applicables = sum(n for s, n in comptes.items() if s != "non_applicable")
        satisfaites = sum(1 for e in exigences if e["statut"] == "conforme")
        referentiels.append({
            "id": ref_id,
            "exigences": exigences,
            "comptes": comptes,
            "segments": _empilement(comptes, LARGEUR_BARRE),
            "taux": comptes.get("conforme", 0) / applicables if applicables else 1.0,
            "exigences_satisfaites": satisfaites,
        })
    return referentiels


def _jours_restants(date_evaluation: str, expire_le: str) -> int | None:
    try:
        return (date.fromisoformat(expire_le) - date.fromisoformat(date_evaluation)).days
    except ValueError:
        return None


def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    s = rapport["synthese"]
    comptes = {statut: s[statut] for statut in ORDRE_STATUTS}
    derogees = [
        {**r, "jours_restants": _jours_restants(rapport["date_evaluation"], r["derogation"]["expire_le"])}
        for r in derogations(rapport)
    ]
    modele = environnement().get_template("rapport.html.j2")
    return modele.render(
        rapport=rapport,
        s=s,
        etab=rapport["etablissement"] or {},
        nom=nom_etablissement(rapport),
        revision=rapport["depot"].get("revision"),
        barres=_barres(comptes, s["total"]),
        largeur_barre=LARGEUR_BARRE,
        referentiels=_referentiels(rapport),
        derogees=derogees,
        en_echec=[r for r in rapport["resultats"] if r["statut"] in ECHECS],
        statuts=ORDRE_STATUTS,
        symboles=SYMBOLES,
        a_venir=(options or {}).get("a_venir"),  # l'échéancier du prochain trimestre, s'il a été calculé
    )
