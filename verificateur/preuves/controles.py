"""Les contrôles de cohérence entre champs d'une preuve, un par type qui en a besoin : ce qu'un schéma
JSON ne sait pas dire (une somme, un ordre de dates, un nom de fichier qui doit dire l'année, la clé de
Luhn d'un FINESS). Chaque fonction porte le nom du type de preuve dont l'enregistrement la désigne
(`preuves.types.TYPES`) ; elle reçoit les valeurs déjà validées et typées, le document (pour situer
chaque problème à sa ligne) et les groupes nommés du motif du chemin (annee, date)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from verificateur.socle.donnees import Document
from verificateur.socle.francais import nombre
from verificateur.socle.problemes import AVERTISSEMENT

# Le FINESS que porte le modèle de etablissement.yaml écrit par `init` (verificateur/modeles/).
FINESS_DU_MODELE = "000000000"


def _luhn(chiffres: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(chiffres)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def etablissement(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    finess = v["finess"]
    if finess == FINESS_DU_MODELE:
        # La clé de 000000000 est juste : sans ce contrôle, le modèle d'init passerait pour un établissement.
        doc.probleme(
            ("finess",), "finess-modele",
            f"numéro FINESS « {finess} » : valeur du modèle d'init, pas un FINESS réel ; "
            "remplacez-la par le FINESS géographique de l'établissement",
            AVERTISSEMENT,
        )
    elif finess.isdigit():
        if not _luhn(finess):
            doc.probleme(("finess",), "finess-cle",
                         f"numéro FINESS « {finess} » : clé de contrôle invalide (algorithme de Luhn sur les 9 chiffres)")
    else:
        doc.probleme(
            ("finess",), "finess-corse",
            f"numéro FINESS « {finess} » : clé de contrôle non vérifiée (le calcul pour 2A/2B n'est pas documenté)",
            AVERTISSEMENT,
        )


def _annee(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    if "annee" in groupes and v["annee"] != int(groupes["annee"]):
        doc.probleme(("annee",), "annee-fichier", f"« annee » vaut {v['annee']} mais le fichier est nommé {groupes['annee']}.yaml")


def budget(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    _annee(v, doc, groupes)
    for i, programme in enumerate(v["programmes"]):
        if programme["dont_cybersecurite"] > programme["budget"]:
            doc.probleme(
                ("programmes", i, "dont_cybersecurite"), "incoherence",
                f"programme « {programme['nom']} » : dont_cybersecurite ({_n(programme['dont_cybersecurite'])}) "
                f"dépasse son budget ({_n(programme['budget'])})",
            )
    total = sum((p["budget"] for p in v["programmes"]), Decimal(0))
    if total > v["budget_numerique"]:
        doc.probleme(
            ("budget_numerique",), "incoherence",
            f"la somme des budgets des programmes ({_n(total)}) dépasse budget_numerique ({_n(v['budget_numerique'])})",
        )


def formation(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    _annee(v, doc, groupes)
    if v["sensibilises_total"] > v["effectif_total"]:
        doc.probleme(("sensibilises_total",), "incoherence",
                     f"sensibilises_total ({v['sensibilises_total']}) dépasse effectif_total ({v['effectif_total']})")
    populations = v.get("par_population")
    if populations:
        for i, p in enumerate(populations):
            if p["sensibilises"] > p["effectif"]:
                doc.probleme(("par_population", i, "sensibilises"), "incoherence",
                             f"population « {p['population']} » : sensibilises ({p['sensibilises']}) dépasse effectif ({p['effectif']})")
        noms = [p["population"] for p in populations]
        for nom in sorted({n for n in noms if noms.count(n) > 1}):
            doc.probleme(("par_population",), "doublon", f"population « {nom} » en double dans par_population")
        for cle, total in (("effectif", "effectif_total"), ("sensibilises", "sensibilises_total")):
            somme = sum(p[cle] for p in populations)
            if somme != v[total]:
                doc.probleme(("par_population",), "incoherence",
                             f"la somme des « {cle} » de par_population ({somme}) diffère de {total} ({v[total]})")
    for i, campagne in enumerate(v.get("hameconnage") or []):
        if campagne["clics"] > campagne["cibles"]:
            doc.probleme(("hameconnage", i, "clics"), "incoherence",
                         f"campagne du {campagne['date']} : clics ({campagne['clics']}) dépasse cibles ({campagne['cibles']})")


def registre_vulnerabilites(lignes: list[dict[str, Any]], doc: Document, _: dict[str, str]) -> None:
    for i, ligne in enumerate(lignes):
        if "corrigee_le" in ligne and ligne["corrigee_le"] < ligne["detectee_le"]:
            doc.probleme((i, "corrigee_le"), "incoherence",
                         f"« {ligne['identifiant']} » corrigée le {ligne['corrigee_le']}, avant sa détection le {ligne['detectee_le']}")


def incident(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    if not (isinstance(v.get("declare_le"), datetime) and isinstance(v.get("detecte_le"), datetime)):
        return
    if (v["declare_le"].tzinfo is None) != (v["detecte_le"].tzinfo is None):
        # Une heure sans fuseau ne se compare pas à une heure avec : l'ordre des deux serait deviné.
        sans = "declare_le" if v["declare_le"].tzinfo is None else "detecte_le"
        doc.probleme((sans,), "fuseau-horaire",
                     f"{sans} sans fuseau horaire alors que l'autre date en a un : "
                     "attendu un fuseau (par exemple +01:00) sur les deux dates, ou sur aucune")
    elif v["declare_le"] < v["detecte_le"]:
        doc.probleme(("declare_le",), "incoherence",
                     f"déclaré le {v['declare_le'].isoformat()}, avant sa détection le {v['detecte_le'].isoformat()}")


def derogations(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    for i, d in enumerate(v["derogations"]):
        if d["expire_le"] < d["accordee_le"]:
            doc.probleme(("derogations", i, "expire_le"), "incoherence",
                         f"dérogation {d['regle']} : expire le {d['expire_le']}, avant d'être accordée le {d['accordee_le']}")


def audit_ad(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    if v["date"].year != int(groupes["annee"]):
        doc.probleme(("date",), "annee-fichier", f"audit du {v['date']} mais le fichier est nommé audit-ad-{groupes['annee']}.yaml")


def audit_exposition(v: dict[str, Any], doc: Document, groupes: dict[str, str]) -> None:
    if v["date"].isoformat() != groupes["date"]:
        doc.probleme(("date",), "date-fichier", f"audit du {v['date']} mais le fichier est nommé audit-{groupes['date']}.yaml")


def pca_pra(v: dict[str, Any], doc: Document, _: dict[str, str]) -> None:
    noms = [p["nom"] for p in v["perimetres"]]
    for nom in sorted({n for n in noms if noms.count(n) > 1}):
        doc.probleme(("perimetres",), "doublon", f"périmètre « {nom} » en double dans perimetres")
    for i, test in enumerate(v.get("tests_pca") or []):
        if test["perimetre"] not in noms:
            doc.probleme(("tests_pca", i, "perimetre"), "incoherence",
                         f"test du {test['date']} : périmètre « {test['perimetre']} » absent de perimetres")


def hebergeurs(lignes: list[dict[str, Any]], doc: Document, _: dict[str, str]) -> None:
    for i, ligne in enumerate(lignes):
        nom = f"« {ligne['prestataire']} » ({ligne['service']})"
        if "fin" in ligne and ligne["fin"] < ligne["debut"]:
            doc.probleme((i, "fin"), "incoherence", f"contrat {nom} : fin le {ligne['fin']}, avant son début le {ligne['debut']}")
        # Une validité ou un référentiel sans numéro de certificat : la ligne ne dit pas quel certificat est daté.
        for champ in ("referentiel_hds", "certifie_jusqu_au"):
            if champ in ligne and "certificat" not in ligne:
                doc.probleme((i, champ), "incoherence",
                             f"contrat {nom} : « {champ} » renseigné sans numéro de certificat (colonne « certificat »)")


def _n(valeur: Decimal | int) -> str:
    return nombre(Decimal(valeur))

