"""Rendu JUnit XML : les verdicts comme des tests, pour l'onglet « Tests » de GitLab ou Jenkins.

Un `testsuite` (l'établissement à la date d'évaluation), un `testcase` par règle :
`classname` = le référentiel de la première exigence de la règle, `name` = « ID — titre ».
`non_conforme` et `preuve_manquante` → `<failure>` ; `erreur` → `<error>` ; `non_applicable` et
`derogation` → `<skipped>`. Un échec d'une gravité sous le seuil d'échec (`--echec-a`) est `<skipped>`
avec son statut dans le message : l'intégration continue échoue exactement quand `evaluer` sort avec 1.
Aucune durée ni horodatage : mêmes entrées, mêmes octets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verificateur.rendus.commun import ECHECS, LIBELLES, avec_statut, lieu, nom_etablissement, sans_controles, sous_le_seuil

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from verificateur.rendus.registre import Options


def classe(resultat: dict[str, Any], rapport: dict[str, Any]) -> str:
    """Le référentiel de la règle (sa première exigence), sinon sa politique si elle est seule."""
    for exigence in resultat.get("exigences", []):
        if exigence.get("referentiel"):
            return str(exigence["referentiel"])
    if len(rapport["politiques"]) == 1:
        return str(rapport["politiques"][0]["id"])
    return "verificateur"


def _corps(resultat: dict[str, Any], revision: str | None) -> str:
    lignes = [resultat["explication"], ""]
    if resultat.get("details"):
        lignes.append("Constats :")
        for d in resultat["details"]:
            ou = lieu(d.get("fichier"), d.get("ligne"), revision)
            lignes.append(f"  - {d['texte']}" + (f" ({ou})" if ou else ""))
    if resultat["preuves"]:
        lignes.append("Preuves lues :")
        lignes += [f"  - {lieu(p['fichier'], p.get('ligne'), p.get('revision'))}" for p in resultat["preuves"]]
    if resultat.get("parametres"):
        lignes.append("Paramètres :")
        lignes += [f"  - {p['nom']} = {p['valeur']} (depuis le {p['depuis']} ; {p['source']})" for p in resultat["parametres"]]
    lignes.append("Exigences :")
    for e in resultat["exigences"]:
        lignes.append(f"  - {e['id']} ({e['referentiel']}) : {e['titre']}")
    return sans_controles("\n".join(lignes))


def _proprietes(suite: ET.Element, rapport: dict[str, Any]) -> None:
    import xml.etree.ElementTree as ET

    s, etab = rapport["synthese"], rapport["etablissement"] or {}
    proprietes = ET.SubElement(suite, "properties")
    valeurs = [
        ("finess", etab.get("finess")),
        ("raison_sociale", etab.get("raison_sociale")),
        ("date_evaluation", rapport["date_evaluation"]),
        ("depot", rapport["depot"]["chemin"]),
        ("source", rapport["depot"]["source"]),
        ("revision", rapport["depot"].get("revision")),
        ("statut_global", s["statut_global"]),
        ("taux_conformite", f"{s['taux_conformite']:.4f}"),
        ("seuil_echec", s["seuil_echec"]),
        ("empreinte", rapport["empreinte"]),
        ("outil", f"verificateur {rapport['outil']['version']}"),
    ]
    for cle, valeur in valeurs:
        if valeur is not None:
            ET.SubElement(proprietes, "property", {"name": cle, "value": sans_controles(str(valeur))})


def _cas(suite: ET.Element, r: dict[str, Any], rapport: dict[str, Any]) -> None:
    """Le cas de test d'une règle : son verdict en échec, erreur ou saut, et son corps."""
    import xml.etree.ElementTree as ET

    seuil_echec = rapport["synthese"]["seuil_echec"]
    revision = rapport["depot"].get("revision")
    cas = ET.SubElement(suite, "testcase", {
        "classname": sans_controles(classe(r, rapport)),
        "name": sans_controles(f"{r['regle']} — {r['titre']}"),
        "time": "0",
    })
    statut = r["statut"]
    message = sans_controles(avec_statut(r))
    if statut in ECHECS and sous_le_seuil(r, seuil_echec):
        texte = f"sous le seuil d'échec ({seuil_echec}), sans effet sur le statut global — {avec_statut(r)}"
        ET.SubElement(cas, "skipped", {"message": sans_controles(texte), "type": statut})
        ET.SubElement(cas, "system-out").text = _corps(r, revision)
    elif statut in ("non_conforme", "preuve_manquante"):
        ET.SubElement(cas, "failure", {"message": message, "type": statut}).text = _corps(r, revision)
    elif statut == "erreur":
        ET.SubElement(cas, "error", {"message": message, "type": statut}).text = _corps(r, revision)
    elif statut == "non_applicable":
        ET.SubElement(cas, "skipped", {"message": message})
    elif statut == "derogation":
        d = r["derogation"]
        texte = (
            f"dérogation accordée par {d['accordee_par']} le {d['accordee_le']}, expire le {d['expire_le']} "
            f"({LIBELLES.get(d['statut_initial'], d['statut_initial'])} couvert) : {d['motif']}"
        )
        ET.SubElement(cas, "skipped", {"message": sans_controles(texte)})
    if statut not in ECHECS:
        ET.SubElement(cas, "system-out").text = _corps(r, revision)


def rendre(rapport: dict[str, Any], options: Options | None = None) -> str:
    import xml.etree.ElementTree as ET

    s = rapport["synthese"]
    etab = rapport["etablissement"] or {}
    # Un échec sous le seuil (--echec-a) est toléré : sauté, ni échec ni erreur.
    comptes = {"echec": 0, "erreur": 0, "tolere": 0}
    for r in rapport["resultats"]:
        if r["statut"] in ECHECS:
            comptes["tolere" if sous_le_seuil(r, s["seuil_echec"]) else "erreur" if r["statut"] == "erreur" else "echec"] += 1
    echecs, erreurs = comptes["echec"], comptes["erreur"]
    sautes = s["non_applicable"] + s["derogation"] + comptes["tolere"]
    finess = f" (FINESS {etab['finess']})" if etab.get("finess") else ""
    nom = sans_controles(f"{nom_etablissement(rapport)}{finess} au {rapport['date_evaluation']}")
    compteurs = {"tests": str(s["total"]), "failures": str(echecs), "errors": str(erreurs), "skipped": str(sautes), "time": "0"}

    racine = ET.Element("testsuites", {"name": "verificateur", **compteurs})
    suite = ET.SubElement(racine, "testsuite", {"name": nom, **compteurs})
    _proprietes(suite, rapport)
    for r in rapport["resultats"]:
        _cas(suite, r, rapport)
    ET.indent(racine, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(racine, encoding="unicode") + "\n"
