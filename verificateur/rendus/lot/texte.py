"""Rendu texte d'un lot : la synthèse, puis les tableaux d'agrégats (par région, par catégorie, par
règle), les règles les plus souvent en échec, les établissements les plus en difficulté, et les
dépôts qui n'ont pas pu être évalués."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import ORDRE_STATUTS, pourcentage_texte, tableau

if TYPE_CHECKING:
    from verificateur.rendus.registre import Options


def _statuts(statuts: dict[str, int]) -> list[str]:
    return [str(statuts[s]) for s in ORDRE_STATUTS]


ENTETES_STATUTS = ["non conf.", "manquantes", "erreurs", "dérog.", "conf.", "n. a."]


def rendre(donnees: dict[str, Any], options: Options | None = None) -> str:
    s = donnees["synthese"]
    a = donnees["agregats"]
    sortie = []
    partie = f", partie {donnees['partie']['indice']}/{donnees['partie']['total']}" if donnees["partie"] else ""
    sortie.append(f"Lot évalué au {donnees['date_evaluation']}{partie} — {s['depots']} dépôt(s) : "
                  f"{s['evalues']} évalué(s), {s['echecs']} en échec")
    sortie.append(f"{s['conformes']} conforme(s), {s['non_conformes']} non conforme(s) ; "
                  f"taux de conformité moyen {pourcentage_texte(s['taux_conformite_moyen'])}")
    sortie.append("politiques : " + ", ".join(f"{p['id']} {p['version']}" for p in donnees["politiques"]))
    if donnees["interrompu"]:
        sortie.append("INTERROMPU : seules les évaluations terminées figurent ci-dessous.")
    for titre, cle, libelle in (("Par région", "par_region", "région"), ("Par catégorie", "par_categorie", "catégorie")):
        if a[cle]:
            lignes = [[g["cle"], g["evalues"], g["conformes"], g["non_conformes"], pourcentage_texte(g["taux_etablissements_conformes"]),
                       pourcentage_texte(g["taux_conformite_moyen"]), g["echeances_90_jours"]] for g in a[cle]]
            sortie += ["", titre, tableau(lignes, [libelle, "évalués", "conformes", "non conformes", "part conformes",
                                                    "conformité moyenne", "échéances à 90 j"])]
    if s["evalues"]:
        lignes = [[r["regle"], r["gravite"], r["evalues"], pourcentage_texte(r["taux_conformite"]), *_statuts(r["statuts"])]
                  for r in a["par_regle"]]
        sortie += ["", "Par règle (nombre d'établissements par statut)",
                   tableau(lignes, ["règle", "gravité", "évalués", "conformité", *ENTETES_STATUTS])]
    if a["regles_les_plus_echouees"]:
        titres = {r["regle"]: r["titre"] for r in donnees["regles"]}
        lignes = [[r["regle"], r["echecs"], titres.get(r["regle"], "")] for r in a["regles_les_plus_echouees"]]
        sortie += ["", "Règles le plus souvent en échec (non conforme, preuve manquante ou erreur)",
                   tableau(lignes, ["règle", "établissements", "titre"])]
    if a["etablissements_les_plus_en_difficulte"]:
        lignes = [[e["finess"] or "", e["raison_sociale"] or "", pourcentage_texte(e["taux_conformite"]), e["echecs"], e["chemin"]]
                  for e in a["etablissements_les_plus_en_difficulte"]]
        sortie += ["", "Établissements les plus en difficulté",
                   tableau(lignes, ["FINESS", "raison sociale", "conformité", "échecs", "dépôt"])]
    if donnees["echecs"]:
        sortie += ["", f"Dépôts non évalués ({len(donnees['echecs'])})"]
        sortie += [f"  {e['chemin']} : {e['raison']}" for e in donnees["echecs"]]
    return "\n".join(sortie) + "\n"
