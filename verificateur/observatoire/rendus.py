"""Les rendus de l'observatoire : texte (tableaux), JSON, CSV pour tableur, HTML (la page de l'observatoire).

La page HTML suit le tableau de bord d'un lot (`verificateur/rendus/lot/html.py`) : un fichier autonome,
CSS en ligne, courbes SVG en ligne, aucun script, aucune ressource externe, échappement automatique.
Les courbes sont de petits multiples (une petite courbe par région, par catégorie, par règle) : à 18
régions et une vingtaine de règles, un seul graphique à vingt courbes ne se lit pas.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import (
    LIBELLES,
    ORDRE_STATUTS,
    pourcentage_texte as _pourcent,  # les mêmes tableaux en texte brut que ceux d'un lot
    tableau as _tableau,
)

if TYPE_CHECKING:
    import jinja2

    from verificateur.rendus.registre import Options


def _ecart(avant: float | None, apres: float | None) -> str:
    if avant is None or apres is None:
        return "—"
    points = round((apres - avant) * 100, 1)
    return ("+" if points > 0 else "") + f"{points:.1f}".replace(".", ",") + " pts"


def _json(valeur: object) -> str:
    return json.dumps(valeur, ensure_ascii=False, indent=2) + "\n"


def _libelle(statut: str) -> str:
    return LIBELLES.get(statut, statut)


def _filtres(filtres: dict[str, list[str]]) -> str:
    morceaux = [f"{nom} {', '.join(valeurs)}" for nom, valeurs in
                (("région", filtres["regions"]), ("catégorie", filtres["categories"]), ("règle", filtres["regles"])) if valeurs]
    return (" — " + " ; ".join(morceaux)) if morceaux else ""


# -- campagnes -------------------------------------------------------------------------------------


def _politiques(campagne: dict[str, Any]) -> str:
    vues = sorted({f"{p['id']} {p['version']}" for lot in campagne["lots"] for p in lot["politiques"]})
    return ", ".join(vues)


def campagnes_texte(liste: list[dict[str, Any]], options: Options | None = None) -> str:
    if not liste:
        return "aucune campagne enregistrée\n"
    lignes = [[c["nom"], c["date_evaluation"], len(c["lots"]), c["etablissements"], c["evalues"], c["echecs"], c["conformes"],
               _pourcent(c["taux_conformite_moyen"]), _politiques(c)] for c in liste]
    return _tableau(lignes, ["campagne", "date", "lots", "établissements", "évalués", "non évalués", "conformes",
                             "conformité moyenne", "politiques"]) + "\n"


def campagnes_json(liste: list[dict[str, Any]], options: Options | None = None) -> str:
    return _json({"format": "verificateur/observatoire-campagnes/1",
                  "campagnes": [{k: v for k, v in c.items() if k != "id"} for c in liste]})


def campagnes_csv(liste: list[dict[str, Any]], options: Options | None = None) -> str:
    from verificateur.socle import tableur  # à l'usage : le module csv reste hors de la CLI

    return tableur.ecrire(
        ["campagne", "date_evaluation", "lots", "etablissements", "evalues", "echecs", "conformes", "taux_conformite_moyen", "politiques"],
        [[c["nom"], c["date_evaluation"], len(c["lots"]), c["etablissements"], c["evalues"], c["echecs"], c["conformes"],
          tableur.decimal(c["taux_conformite_moyen"]), _politiques(c)] for c in liste])




# -- évolution -------------------------------------------------------------------------------------


def evolution_json(d: dict[str, Any], options: Options | None = None) -> str:
    return _json(d)




def _groupes_texte(titre: str, libelle: str, groupes: list[dict[str, Any]], noms: list[str]) -> list[str]:
    if not groupes:
        return []
    lignes = []
    for g in groupes:
        c = g["campagnes"]
        cellules = [f"{_pourcent(x['taux_etablissements_conformes'])} ({_pourcent(x['taux_conformite_moyen'])})" if x["evalues"] else "—"
                    for x in c]
        ecart = _ecart(c[-2]["taux_conformite_moyen"], c[-1]["taux_conformite_moyen"]) if len(c) > 1 else "—"
        lignes.append([g["cle"], *cellules, ecart])
    return ["", f"{titre} — part des établissements conformes (conformité moyenne)",
            _tableau(lignes, [libelle, *noms, "écart"])]


def evolution_texte(d: dict[str, Any], options: Options | None = None) -> str:
    noms = [c["nom"] for c in d["campagnes"]]
    premiere, derniere = d["campagnes"][0], d["campagnes"][-1]
    sortie = [f"Observatoire : {len(noms)} campagne(s), du {premiere['date_evaluation']} au {derniere['date_evaluation']}"
              f"{_filtres(d['filtres'])}",
              "", "Par campagne",
              _tableau([[c["nom"], c["date_evaluation"], c["etablissements"], c["evalues"], c["echecs"], c["conformes"],
                         _pourcent(c["taux_etablissements_conformes"]), _pourcent(c["taux_conformite_moyen"]), c["ne_repondent_plus"]]
                        for c in d["campagnes"]],
                       ["campagne", "date", "établissements", "évalués", "non évalués", "conformes", "part conformes",
                        "conformité moyenne", "ne répondent plus"])]
    sortie += _groupes_texte("Par région", "région", d["par_region"], noms)
    sortie += _groupes_texte("Par catégorie", "catégorie", d["par_categorie"], noms)
    if d["par_regle"]:
        lignes = []
        for r in d["par_regle"]:
            c = r["campagnes"]
            ecart = _ecart(c[-2]["taux_conformite"], c[-1]["taux_conformite"]) if len(c) > 1 else "—"
            lignes.append([r["regle"], r["gravite"], *[_pourcent(x["taux_conformite"]) for x in c], ecart])
        sortie += ["", "Par règle — conformité (conformes / applicables)", _tableau(lignes, ["règle", "gravité", *noms, "écart"])]
    if d["ne_repondent_plus"]:
        sortie += ["", "Établissements qui ne répondent plus",
                   _tableau([[n["campagne"], n["derniere_reponse"], n["finess"] or n["cle"], n["raison_sociale"] or "", n["region"] or "",
                              n["categorie"] or ""] for n in d["ne_repondent_plus"]],
                            ["absents depuis", "dernière réponse", "FINESS", "raison sociale", "région", "catégorie"])]
    return "\n".join(sortie) + "\n"


def evolution_csv(d: dict[str, Any], options: Options | None = None) -> str:
    from verificateur.socle import tableur  # à l'usage : le module csv reste hors de la CLI

    dates = {c["nom"]: c["date_evaluation"] for c in d["campagnes"]}
    lignes: list[list[Any]] = []
    for c in d["campagnes"]:
        lignes.append([c["nom"], c["date_evaluation"], "ensemble", "", c["evalues"], "", c["conformes"],
                       tableur.decimal(c["taux_etablissements_conformes"]), tableur.decimal(c["taux_conformite_moyen"])])
    for axe, cle in (("region", "par_region"), ("categorie", "par_categorie")):
        for g in d[cle]:
            for x in g["campagnes"]:
                lignes.append([x["campagne"], dates[x["campagne"]], axe, g["cle"], x["evalues"], "", x["conformes"],
                               tableur.decimal(x["taux_etablissements_conformes"]), tableur.decimal(x["taux_conformite_moyen"])])
    for r in d["par_regle"]:
        for x in r["campagnes"]:
            lignes.append([x["campagne"], dates[x["campagne"]], "regle", r["regle"], x["evalues"], x["applicables"], x["conformes"],
                           tableur.decimal(x["taux_conformite"]), ""])
    for n in d["ne_repondent_plus"]:
        lignes.append([n["campagne"], dates[n["campagne"]], "ne_repond_plus", n["finess"] or n["cle"], "", "", "", "", ""])
    return tableur.ecrire(["campagne", "date_evaluation", "axe", "cle", "evalues", "applicables", "conformes", "taux",
                           "taux_conformite_moyen"], lignes)


# -- comparaison -----------------------------------------------------------------------------------


def _qui(e: dict[str, Any]) -> list[str]:
    return [e["finess"] or e["cle"], e["raison_sociale"] or "", e["region"] or ""]


def comparaison_texte(d: dict[str, Any], options: Options | None = None) -> str:
    a, b = d["avant"], d["apres"]
    sortie = [f"Comparaison {a['nom']} ({a['date_evaluation']}) → {b['nom']} ({b['date_evaluation']}){_filtres(d['filtres'])}",
              f"{d['compares']} établissement(s) comparé(s) : {len(d['regressions'])} régression(s), "
              f"{len(d['ameliorations'])} amélioration(s) ; "
              f"{len(d['apparus'])} apparu(s), {len(d['disparus'])} disparu(s)"]
    for titre, cle in (("Régressions", "regressions"), ("Améliorations", "ameliorations")):
        if d[cle]:
            sortie += ["", titre, _tableau([[*_qui(l), l["regle"], l["gravite"], _libelle(l["avant"]), _libelle(l["apres"])]
                                            for l in d[cle]],
                                           ["FINESS", "raison sociale", "région", "règle", "gravité", "avant", "après"])]
    for titre, cle in (("Apparus", "apparus"), ("Disparus (ne répondent plus)", "disparus")):
        if d[cle]:
            sortie += ["", titre, _tableau([[*_qui(e), e["categorie"] or "",
                                             _libelle(e["statut_global"]) if e["statut_global"] else "non évalué",
                                             _pourcent(e["taux_conformite"])] for e in d[cle]],
                                           ["FINESS", "raison sociale", "région", "catégorie", "statut global", "conformité"])]
    if d["non_compares"]:
        sortie += ["", "Non comparés (dépôt non évalué à l'une des deux campagnes)",
                   _tableau([[*_qui(e), "évalué" if e["etat_avant"] == "evalue" else "non évalué",
                              "évalué" if e["etat_apres"] == "evalue" else "non évalué"] for e in d["non_compares"]],
                            ["FINESS", "raison sociale", "région", "avant", "après"])]
    if d["par_region"]:
        sortie += ["", "Par région",
                   _tableau([[r["cle"], f"{r['conformes_avant']}/{r['evalues_avant']}", f"{r['conformes_apres']}/{r['evalues_apres']}",
                              r["regressions"], r["ameliorations"], r["apparus"], r["disparus"]] for r in d["par_region"]],
                            ["région", "conformes avant", "conformes après", "régressions", "améliorations", "apparus", "disparus"])]
    return "\n".join(sortie) + "\n"


def comparaison_json(d: dict[str, Any], options: Options | None = None) -> str:
    return _json(d)


def comparaison_csv(d: dict[str, Any], options: Options | None = None) -> str:
    from verificateur.socle import tableur  # à l'usage : le module csv reste hors de la CLI

    lignes: list[list[Any]] = []
    for nature, cle in (("regression", "regressions"), ("amelioration", "ameliorations")):
        for l in d[cle]:
            lignes.append([nature, l["finess"] or l["cle"], l["raison_sociale"], l["region"], l["categorie"], l["regle"], l["gravite"],
                           l["avant"], l["apres"]])
    for nature, cle in (("apparu", "apparus"), ("disparu", "disparus")):
        for e in d[cle]:
            lignes.append([nature, e["finess"] or e["cle"], e["raison_sociale"], e["region"], e["categorie"], None, None,
                           None if nature == "apparu" else e["statut_global"], e["statut_global"] if nature == "apparu" else None])
    for e in d["non_compares"]:
        lignes.append(["non_compare", e["finess"] or e["cle"], e["raison_sociale"], e["region"], e["categorie"], None, None,
                       e["etat_avant"], e["etat_apres"]])
    return tableur.ecrire(["nature", "finess", "raison_sociale", "region", "categorie", "regle", "gravite", "avant", "apres"], lignes)


def comparaison_html(d: dict[str, Any], options: Options | None = None) -> str:
    return page(None, {"comparaison": d, "dossier": (options or {}).get("dossier", "")})




# -- la page HTML ----------------------------------------------------------------------------------

LIMITE_DETAIL = 200  # lignes de régressions, d'améliorations, d'apparus et de disparus montrées sur la page
LARGEUR, HAUTEUR, MARGE, GAUCHE = 260, 96, 8, 36  # GAUCHE : la place des graduations 0 % et 100 %


def _courbe(points: list[tuple[str, float | None]]) -> dict[str, Any]:
    """Une petite courbe : x régulier par campagne, y de 0 % (bas) à 100 % (haut) ; les trous (aucun
    établissement ce trimestre-là) coupent la ligne."""
    n = len(points)
    pas = (LARGEUR - GAUCHE - MARGE) / (n - 1) if n > 1 else 0
    segments: list[list[str]] = [[]]
    marques = []
    for i, (nom, valeur) in enumerate(points):
        if valeur is None:
            if segments[-1]:
                segments.append([])
            continue
        x = GAUCHE + i * pas if n > 1 else (GAUCHE + LARGEUR - MARGE) / 2
        y = MARGE + (1 - valeur) * (HAUTEUR - 2 * MARGE)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        marques.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "titre": f"{nom} : {_pourcent(valeur)}"})
    return {"lignes": [" ".join(s) for s in segments if len(s) > 1], "marques": marques}


def _vignette(libelle: str, sous_titre: str, lignes: list[dict[str, Any]], cle_principale: str, cle_seconde: str | None) -> dict[str, Any]:
    principale = [(x["campagne"], x[cle_principale]) for x in lignes]
    valeurs = [v for _, v in principale if v is not None]
    derniere = principale[-1][1] if principale else None
    precedente = principale[-2][1] if len(principale) > 1 else None
    return {
        "libelle": libelle,
        "sous_titre": sous_titre,
        "principale": _courbe(principale),
        "seconde": _courbe([(x["campagne"], x[cle_seconde]) for x in lignes]) if cle_seconde else None,
        "derniere": _pourcent(derniere),
        "ecart": _ecart(precedente, derniere),
        "baisse": derniere is not None and precedente is not None and derniere < precedente,
        "description": "; ".join(f"{nom} : {_pourcent(v)}" for nom, v in principale) if valeurs else "aucune donnée",
    }


def _lien(rapport: str | None, dossier: str) -> str | None:
    from verificateur.rendus.lot.html import lien_relatif

    if not rapport:
        return None
    try:
        return lien_relatif(os.path.relpath(rapport, dossier))
    except ValueError:  # autre lecteur (Windows) : pas de chemin relatif possible
        return None


@lru_cache(maxsize=1)
def _environnement() -> jinja2.Environment:
    from verificateur.rendus.html import surcouche
    from verificateur.rendus.lot import html as rendu_lot

    # Une surcouche de l'environnement du tableau de bord d'un lot : mêmes filtres, mêmes feuilles de style.
    return surcouche(rendu_lot._environnement(), "verificateur.observatoire")


def page(evolution: dict[str, Any] | None, options: Options | None = None) -> str:
    """La page HTML : l'évolution (absente pour une comparaison seule) ; dans les options, la comparaison, les
    établissements et leurs derniers rapports (`rapports`), et le dossier de la page d'où partent leurs liens."""
    from verificateur import __version__
    from verificateur.rendus.lot.html import nom_region

    options = options or {}
    comparaison, etablissements, dossier = options.get("comparaison"), options.get("rapports", []), options.get("dossier", "")
    env = _environnement()
    vignettes_regions = vignettes_categories = vignettes_regles = []
    if evolution:
        vignettes_regions = [_vignette(nom_region(g["cle"]) if g["cle"] != "inconnue" else "région inconnue", "", g["campagnes"],
                                       "taux_conformite_moyen", "taux_etablissements_conformes") for g in evolution["par_region"]]
        vignettes_categories = [_vignette(g["cle"], "", g["campagnes"], "taux_conformite_moyen", "taux_etablissements_conformes")
                                for g in evolution["par_categorie"]]
        vignettes_regles = [_vignette(r["regle"], f"{r['titre']} ({r['gravite']})", r["campagnes"], "taux_conformite", None)
                            for r in evolution["par_regle"]]
    liens = {}
    if comparaison:
        for l in comparaison["regressions"] + comparaison["ameliorations"]:
            liens[l["cle"]] = _lien(l.get("rapport"), dossier)
    lignes = [{**e, "lien": _lien(e["rapport"], dossier)} for e in etablissements]
    par_regle = []
    if comparaison:
        # Le bilan par règle d'abord : à l'échelle nationale, des centaines de lignes de régressions
        # ne se lisent qu'une fois regroupées ; le détail est borné (le CSV de comparer donne tout).
        compte: dict[str, dict[str, Any]] = {}
        for nature in ("regressions", "ameliorations"):
            for l in comparaison[nature]:
                ligne = compte.setdefault(l["regle"], {"regle": l["regle"], "titre": l["titre"], "gravite": l["gravite"],
                                                       "regressions": 0, "ameliorations": 0})
                ligne[nature] += 1
        par_regle = sorted(compte.values(), key=lambda r: (-r["regressions"], r["ameliorations"], r["regle"]))
    return env.get_template("observatoire.html.j2").render(
        version=__version__, evolution=evolution, comparaison=comparaison, etablissements=lignes, liens=liens,
        regions=vignettes_regions, categories=vignettes_categories, regles=vignettes_regles, bilan_regles=par_regle,
        limite=LIMITE_DETAIL,
        largeur=LARGEUR, hauteur=HAUTEUR, marge=MARGE, gauche=GAUCHE, statuts=ORDRE_STATUTS,
        pourcent=_pourcent, libelle=_libelle, filtres=_filtres,
    )
