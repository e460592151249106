"""Rendu Markdown : un résumé compact pour un commentaire de merge request (GitLab) ou de pull
request (GitHub) — établissement, date, révision, bilan, statut global, puis les règles en échec et
les dérogations en tableaux.

Le texte des preuves n'est jamais interprété : dans les cellules, `|` est échappé, les retours à la
ligne deviennent `<br>`, et `<`, `>`, `&` deviennent des entités (aucun HTML ne passe).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import (
    LIBELLES,
    ORDRE_STATUTS,
    PLURIELS,
    derogations,
    echecs,
    lieu,
    nom_etablissement,
    pourcentage,
    provenance,
    sous_le_seuil,
)

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options

# Ce qui, dans une cellule, ferait du code, de l'emphase, un lien ou une image : échappé.
_SPECIAUX = ("\\", "|", "`", "*", "_", "~", "[", "]")


def cellule(texte: Any) -> str:
    """Une valeur sûre dans une cellule de tableau GFM : une seule ligne, aucun `|`, ni HTML, ni lien."""
    valeur = "" if texte is None else str(texte)
    valeur = valeur.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for special in _SPECIAUX:
        valeur = valeur.replace(special, "\\" + special)
    valeur = valeur.replace("\r\n", "\n").replace("\r", "\n").strip().replace("\n", "<br>")
    return valeur


def _texte(texte: Any) -> str:
    """Une valeur sûre hors tableau (titre, ligne d'en-tête) : pas de HTML, pas de saut de ligne."""
    valeur = "" if texte is None else str(texte)
    valeur = valeur.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for special in ("\\", "`", "*", "_", "[", "]", "#"):
        valeur = valeur.replace(special, "\\" + special)
    return " ".join(valeur.split())


def _code(texte: Any) -> str:
    """Le contenu d'un `code` en ligne : ni accent grave ni saut de ligne (rien n'y est interprété)."""
    return " ".join(str(texte).replace("`", "'").split())


def _tableau(entetes: list[str], alignements: list[str], lignes: list[list[str]]) -> list[str]:
    sortie = ["| " + " | ".join(entetes) + " |", "|" + "|".join(alignements) + "|"]
    sortie += ["| " + " | ".join(ligne) + " |" for ligne in lignes]
    return sortie


def _preuves(resultat: dict[str, Any]) -> str:
    return ", ".join(lieu(p["fichier"], p.get("ligne")) for p in resultat["preuves"])


def _en_echec(rapport: dict[str, Any]) -> list[str]:
    """La section des règles en échec (ou la phrase qui dit qu'il n'y en a pas)."""
    seuil_echec = rapport["synthese"]["seuil_echec"]
    en_echec = echecs(rapport)
    lignes = [""]
    if en_echec:
        lignes.append(f"#### Règles en échec ({len(en_echec)})")
        lignes.append("")
        lignes += _tableau(
            ["règle", "gravité", "statut", "explication", "preuves"],
            ["---", "---", "---", "---", "---"],
            [
                [
                    cellule(r["regle"]),
                    r["gravite"] + (" (sous le seuil)" if sous_le_seuil(r, seuil_echec) else ""),
                    LIBELLES[r["statut"]], cellule(r["explication"]), cellule(_preuves(r)),
                ]
                for r in en_echec
            ],
        )
    else:
        lignes.append("Aucune règle en échec.")
    return lignes


def _derogations(rapport: dict[str, Any]) -> list[str]:
    derogees = derogations(rapport)
    if not derogees:
        return []
    lignes = ["", f"#### Dérogations actives ({len(derogees)})", ""]
    lignes += _tableau(
        ["règle", "statut couvert", "accordée par", "le", "expire le", "motif"],
        ["---", "---", "---", "---", "---", "---"],
        [
            [
                cellule(r["regle"]), LIBELLES.get(r["derogation"]["statut_initial"], r["derogation"]["statut_initial"]),
                cellule(r["derogation"]["accordee_par"]), r["derogation"]["accordee_le"],
                r["derogation"]["expire_le"], cellule(r["derogation"]["motif"]),
            ]
            for r in derogees
        ],
    )
    return lignes


def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    s = rapport["synthese"]
    etab = rapport["etablissement"] or {}
    depot = rapport["depot"]
    lignes: list[str] = []

    finess = f" (FINESS {_texte(etab['finess'])})" if etab.get("finess") else ""
    lignes.append(f"### Conformité cybersécurité — {_texte(nom_etablissement(rapport))}{finess}")
    lignes.append("")
    conforme = s["statut_global"] == "conforme"
    marque = "✅ **CONFORME**" if conforme else "❌ **NON CONFORME**"
    lignes.append(
        f"{marque} au {rapport['date_evaluation']} — dépôt `{_code(depot['chemin'])}` "
        f"({_texte(provenance(depot))}) ; seuil d'échec : {s['seuil_echec']}"
    )
    lignes.append("")
    statuts = list(ORDRE_STATUTS)
    lignes += _tableau(
        [PLURIELS[st] for st in statuts] + ["taux de conformité"],
        ["---:"] * (len(statuts) + 1),
        [[str(s[st]) for st in statuts] + [pourcentage(s["taux_conformite"]).replace("\u202f", " ")]],
    )

    lignes += _en_echec(rapport)
    lignes += _derogations(rapport)

    problemes = rapport["problemes"]
    if problemes:
        erreurs = sum(1 for p in problemes if p["niveau"] == "erreur")
        lignes.append("")
        lignes.append(
            f"{len(problemes)} problème(s) dans les preuves ({erreurs} erreur(s), "
            f"{len(problemes) - erreurs} avertissement(s)) : voir le rapport complet."
        )

    lignes.append("")
    politiques = ", ".join(f"{_texte(p['id'])} {_texte(p['version'])}" for p in rapport["politiques"])
    lignes.append(f"<sub>verificateur {_texte(rapport['outil']['version'])} — politiques : {politiques or 'aucune'} "
                  f"— empreinte `{_code(rapport['empreinte'])}`</sub>")
    return "\n".join(lignes) + "\n"
