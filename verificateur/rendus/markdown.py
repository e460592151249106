"""Rendu Markdown : un résumé compact pour un commentaire de merge request (GitLab) ou de pull
request (GitHub) — établissement, date, révision, bilan, statut global, puis les règles en échec et
les dérogations en tableaux.

Le texte des preuves n'est jamais interprété : dans les cellules, `|` est échappé, les retours à la
ligne deviennent `<br>`, et `<`, `>`, `&` deviennent des entités (aucun HTML ne passe).
"""

from __future__ import annotations

from typing import Any

from verificateur.rendus.commun import (
    LIBELLES, ORDRE_STATUTS, PLURIELS, derogations, echecs, lieu, nom_etablissement, pourcentage, provenance,
    sous_le_seuil,
)


# Ce qui, dans une cellule, ferait du code, de l'emphase, un lien ou une image : échappé.
_SPECIAUX = ("\\", "|", "`", "*", "_", "~", "[", "]")


def cellule(texte: object) -> str:
    """Une valeur sûre dans une cellule de tableau GFM : une seule ligne, aucun `|`, ni HTML, ni lien."""
    valeur = "" if texte is None else str(texte)
    valeur = valeur.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for special in _SPECIAUX:
        valeur = valeur.replace(special, "\\" + special)
    valeur = valeur.replace("\r\n", "\n").replace("\r", "\n").strip().replace("\n", "<br>")
    return valeur


def _texte(texte: object) -> str:
    """Une valeur sûre hors tableau (titre, ligne d'en-tête) : pas de HTML, pas de saut de ligne."""
    valeur = "" if texte is None else str(texte)
    valeur = valeur.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for special in ("\\", "`", "*", "_", "[", "]", "#"):
        valeur = valeur.replace(special, "\\" + special)
    return " ".join(valeur.split())


def _code(texte: object) -> str:
    """Le contenu d'un `code` en ligne : ni accent grave ni saut de ligne (rien n'y est interprété)."""
    return " ".join(str(texte).replace("`", "'").split())


def _tableau(entetes: list[str], alignements: list[str], lignes: list[list[str]]) -> list[str]:
    sortie = ["| " + " | ".join(entetes) + " |", "|" + "|".join(alignements) + "|"]
    sortie += ["| " + " | ".join(ligne) + " |" for ligne in lignes]
    return sortie


def _preuves(resultat: dict[str, Any]) -> str:
    return ", ".join(lieu(p["fichier"], p.get("ligne")) for p in resultat["preuves"])


def rendre(rapport: dict[str, Any], options: dict[str, Any]) -> str:
    lignes = _entete(rapport) + [""] + _echecs(rapport) + _derogations(rapport) + _pied(rapport)
    return "\n".join(lignes) + "\n"


def _entete(rapport: dict[str, Any]) -> list[str]:
    """Le titre (établissement, FINESS), le verdict du dépôt à la date, puis le bilan par statut."""
    s = rapport["synthese"]
    etab = rapport["etablissement"] or {}
    depot = rapport["depot"]
    finess = f" (FINESS {_texte(etab['finess'])})" if etab.get("finess") else ""
    marque = "✅ **CONFORME**" if s["statut_global"] == "conforme" else "❌ **NON CONFORME**"
    statuts = list(ORDRE_STATUTS)
    return [
        f"### Conformité cybersécurité — {_texte(nom_etablissement(rapport))}{finess}",
        "",
        f"{marque} au {rapport['date_evaluation']} — dépôt `{_code(depot['chemin'])}` "
        f"({_texte(provenance(depot))}) ; seuil d'échec : {s['seuil_echec']}",
        "",
        *_tableau(
            [PLURIELS[st] for st in statuts] + ["taux de conformité"],
            ["---:"] * (len(statuts) + 1),
            [[str(s[st]) for st in statuts] + [pourcentage(s["taux_conformite"]).replace("\u202f", " ")]],
        ),
    ]


def _echecs(rapport: dict[str, Any]) -> list[str]:
    """Les règles en échec, en tableau ; ou la phrase qui dit qu'il n'y en a pas."""
    en_echec = echecs(rapport)
    if not en_echec:
        return ["Aucune règle en échec."]
    seuil_echec = rapport["synthese"]["seuil_echec"]
    return [f"#### Règles en échec ({len(en_echec)})", "", *_tableau(
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
    )]


def _derogations(rapport: dict[str, Any]) -> list[str]:
    """Les dérogations actives, en tableau précédé d'une ligne vide ; rien s'il n'y en a pas."""
    derogees = derogations(rapport)
    if not derogees:
        return []
    return ["", f"#### Dérogations actives ({len(derogees)})", "", *_tableau(
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
    )]


def _pied(rapport: dict[str, Any]) -> list[str]:
    """Le nombre de problèmes dans les preuves (le détail est au rapport complet), puis l'outil, les
    politiques et l'empreinte du rapport."""
    lignes: list[str] = []
    problemes = rapport["problemes"]
    if problemes:
        erreurs = sum(1 for p in problemes if p["niveau"] == "erreur")
        lignes += [
            "",
            f"{len(problemes)} problème(s) dans les preuves ({erreurs} erreur(s), "
            f"{len(problemes) - erreurs} avertissement(s)) : voir le rapport complet.",
        ]
    politiques = ", ".join(f"{_texte(p['id'])} {_texte(p['version'])}" for p in rapport["politiques"])
    lignes += ["", f"<sub>verificateur {_texte(rapport['outil']['version'])} — politiques : {politiques or 'aucune'} — empreinte `{_code(rapport['empreinte'])}`</sub>"]
    return lignes
