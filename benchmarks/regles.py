"""L'évaluation des règles seule : le moteur face à des contrôles écrits à la main en Python, et face à
un vrai moteur de politiques (Rego, par regorus), sur les mêmes documents, verdicts comparés.

    python benchmarks/regles.py [--depots 200] [--flotte DOSSIER] [--essais 5]

Règles : VUL-01, VUL-02, BUD-01, BUD-02, EXE-01, FOR-01 (politique plan-national, date 2026-10-01).
Documents : une flotte synthétique (benchmarks/flotte.py, graine 1 ; ou --flotte, une flotte déjà
générée), chaque dépôt chargé une fois par le projet (`preuves.charger`, hors mesure).
- moteur, statut seul : `evaluation.evaluer_regle(…, expliquer=False)`, ce que font les contrôles à la
  main (l'explication serait rédigée à sa première lecture) ;
- moteur, explication rédigée : `evaluation.evaluer_regle` (verdict, explication et constats, comme
  pour un rapport) ;
- Python à la main : une fonction par règle, même sémantique (fichiers invalides → erreur, fichier ou
  champ absent → preuve_manquante, division par zéro → erreur, sélection du plus récent…), statut seul ;
- Rego : les mêmes contrôles en Rego (`benchmarks/regles.rego`), évalués par regorus (paquet PyPI
  hobofan-regorus, liaison Python de l'interpréteur Rego de Microsoft écrit en Rust ; outil du banc
  seulement, pas une dépendance du projet : `pip install hobofan-regorus`). Une évaluation par dépôt,
  documents passés en JSON (dates en texte ISO, montants entiers) ; les bornes de dates (date
  d'évaluation − 365 jours, − délai de correction) sont calculées une fois en Python et passées avec.
Le banc vérifie que les trois donnent le même statut pour chaque (dépôt, règle), puis affiche les
médianes. Objectif : moteur (statut seul) ≤ 3× Python à la main. Aucune assertion de durée : des chiffres.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from commun import charge  # noqa: E402

JOUR = date(2026, 10, 1)
REGLES = ("VUL-01", "VUL-02", "BUD-01", "BUD-02", "EXE-01", "FOR-01")


# -- Python à la main -------------------------------------------------------------------------------


class Manque(Exception):
    pass


class Erreur(Exception):
    pass


def _motif(p, dossier: str) -> list[str]:
    """Les fichiers `dossier/*.yaml` du dépôt, dans l'ordre où le moteur les voit."""
    return [c for c in p.fichiers if c.startswith(dossier) and c.endswith(".yaml") and "/" not in c[len(dossier):]]


def _lire(p, chemin: str):
    preuve = p.preuves.get(chemin)
    if preuve is None or not preuve.valide:
        raise Erreur(chemin)
    return preuve.valeurs


def _champ(d, *cles):
    for cle in cles:
        if not isinstance(d, dict) or cle not in d or d[cle] is None:
            raise Manque(cle)
        d = d[cle]
    return d


def _nombre(v) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise Erreur("nombre attendu")
    return Decimal(v)


def _ratio(a, b) -> Decimal:
    a, b = _nombre(a), _nombre(b)
    if b == 0:
        raise Erreur("division par zéro")
    return a / b


def _de_reference(p, dossier: str, jour: date):
    """Le document de l'année de référence : année entre N-1 et N, le plus récent (comme « si »,
    « selection: plus_recent », « cle: annee »)."""
    docs = [_lire(p, c) for c in _motif(p, dossier)]
    gardes = [(_champ(d, "annee"), i) for i, d in enumerate(docs) if jour.year - 1 <= _champ(d, "annee") <= jour.year]
    if not gardes:
        raise Manque(dossier)
    return docs[max(gardes)[1]], docs


def _part_globale(b) -> Decimal:
    programmes = _champ(b, "programmes")
    total = sum((_nombre(_champ(x, "dont_cybersecurite")) for x in programmes), Decimal(0))
    hors = b.get("cybersecurite_hors_programmes")
    return _ratio(total + _nombre(0 if hors is None else hors), _champ(b, "budget_numerique"))


def vul_01(p, jour, prm):
    if "vulnerabilites/veille.yaml" not in p.fichiers:
        raise Manque("veille")
    v = _lire(p, "vulnerabilites/veille.yaml")
    inscrit = _champ(v, "inscription_cert_sante", "date") <= jour
    analyse = jour - timedelta(days=365) <= _champ(v, "derniere_analyse_exposition") <= jour
    return inscrit and analyse


def vul_02(p, jour, prm):
    if "vulnerabilites/registre.csv" not in p.fichiers:
        raise Manque("registre")
    limite = jour - timedelta(days=prm["delai_correction_critique_jours"])
    ok = True
    for v in _lire(p, "vulnerabilites/registre.csv"):
        corrigee = v.get("corrigee_le")
        ouverte = (_champ(v, "criticite") == "critique" and _champ(v, "detectee_le") <= jour
                   and (corrigee in (None, "") or corrigee > jour))
        if ouverte:
            _champ(v, "identifiant")
            ok = _champ(v, "detectee_le") >= limite and ok
    return ok


def bud_01(p, jour, prm):
    b, _ = _de_reference(p, "budget/", jour)
    ok = True
    for x in _champ(b, "programmes"):
        ok = _ratio(_champ(x, "dont_cybersecurite"), _champ(x, "budget")) >= prm["part_cyber_minimale"] and ok
        _champ(x, "nom")
    return ok


def bud_02(p, jour, prm):
    b, docs = _de_reference(p, "budget/", jour)
    premier = _part_globale(b) >= prm["part_cyber_minimale"]
    annee = _champ(b, "annee") - 1
    precedents = [(_champ(d, "annee"), i) for i, d in enumerate(docs) if _champ(d, "annee") == annee]
    if not precedents:
        raise Manque("budget précédent")
    second = _part_globale(docs[max(precedents)[1]]) >= prm["part_cyber_minimale"]
    return premier and second


def exe_01(p, jour, prm):
    docs = [_lire(p, c) for c in _motif(p, "exercices/")]
    if not docs:
        raise Manque("exercices")
    debut, trouve = jour - timedelta(days=365), False
    for e in docs:
        if _champ(e, "theme") == "cyber":
            quand = _champ(e, "date")
            _champ(e, "scenario")
            trouve = trouve or debut <= quand <= jour
    return trouve


def for_01(p, jour, prm):
    f, _ = _de_reference(p, "formation/", jour)
    return _ratio(_champ(f, "sensibilises_total"), _champ(f, "effectif_total")) >= prm["couverture_formation_minimale"]


A_LA_MAIN = {"VUL-01": vul_01, "VUL-02": vul_02, "BUD-01": bud_01, "BUD-02": bud_02, "EXE-01": exe_01, "FOR-01": for_01}


def statut_a_la_main(regle: str, p, jour: date, prm: dict) -> str:
    try:
        return "conforme" if A_LA_MAIN[regle](p, jour, prm) else "non_conforme"
    except Manque:
        return "preuve_manquante"
    except Erreur:
        return "erreur"


# -- Rego (regorus) ---------------------------------------------------------------------------------


def _en_json(v):
    if isinstance(v, dict):
        return {k: _en_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_en_json(x) for x in v]
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def entree_rego(p) -> dict:
    """Les documents utiles aux six règles, dans l'ordre des fichiers du dépôt."""
    utiles = ("budget/", "exercices/", "formation/", "vulnerabilites/")
    fichiers = [c for c in p.fichiers if c.startswith(utiles)]
    docs = {}
    for c in fichiers:
        preuve = p.preuves.get(c)
        valide = bool(preuve is not None and preuve.valide)
        docs[c] = {"valide": valide, "v": _en_json(preuve.valeurs) if valide else None}
    return {"fichiers": fichiers, "docs": docs}


def parametres_rego(jour: date, prm: dict) -> dict:
    def fraction(d: Decimal) -> list[int]:
        n, m = d.as_integer_ratio()
        return [n, m]

    return {
        "jour": jour.isoformat(), "annee": jour.year, "debut_365": (jour - timedelta(days=365)).isoformat(),
        "limite_critique": (jour - timedelta(days=prm["delai_correction_critique_jours"])).isoformat(),
        "part_cyber_minimale": fraction(prm["part_cyber_minimale"]),
        "couverture_formation_minimale": fraction(prm["couverture_formation_minimale"]),
    }


# -- mesure -----------------------------------------------------------------------------------------


def charger_flotte(dossier: Path, nombre: int) -> list:
    from verificateur import preuves
    from verificateur.socle.problemes import ErreurVerificateur
    from verificateur.sources import SourceArbre

    chargees = []
    for chemin in sorted(e.path for e in os.scandir(dossier) if e.is_dir()):
        if len(chargees) >= nombre:
            break
        if not os.path.isdir(os.path.join(chemin, ".git")):
            continue  # dépôts nus et dossiers sans git : le lot les lit autrement, hors de ce banc
        try:
            chargees.append(preuves.charger(SourceArbre(chemin)))
        except (ErreurVerificateur, OSError):
            continue
    return chargees


def chronometrer(fonction, essais: int) -> float:
    durees = []
    for _ in range(essais):
        debut = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - debut)
    return statistics.median(durees)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--depots", type=int, default=200)
    parser.add_argument("--flotte", type=Path, help="une flotte déjà générée par benchmarks/flotte.py")
    parser.add_argument("--essais", type=int, default=5)
    args = parser.parse_args()

    from verificateur import evaluation, politiques

    with tempfile.TemporaryDirectory() as temporaire:
        dossier = args.flotte
        if dossier is None:
            import flotte

            dossier = Path(temporaire) / "flotte"
            flotte.generer(args.depots, dossier, 1)
        depots = charger_flotte(dossier, args.depots)
    catalogue = politiques.charger()
    regles = [catalogue.regles[r] for r in REGLES]
    parametres_politique = catalogue.politique("plan-national").parametres
    prm = {nom: parametres_politique[nom].en_vigueur(JOUR)[1] for nom in
           ("part_cyber_minimale", "couverture_formation_minimale", "delai_correction_critique_jours")}

    def moteur() -> list[list[str]]:
        """Le statut seul, comme les contrôles à la main : l'explication n'est pas rédigée (elle le serait à
        sa première lecture) ; les fichiers de chaque motif sont cherchés une fois par dépôt, comme dans
        `evaluation.evaluer`."""
        return [[evaluation.evaluer_regle(r, p, catalogue, JOUR, expliquer=False, motifs=m).statut for r in regles]
                for p, m in ((p, {}) for p in depots)]

    def moteur_explique() -> list[list[str]]:
        """Verdict, explication et constats rédigés, comme pour un rapport."""
        return [[evaluation.evaluer_regle(r, p, catalogue, JOUR, motifs=m).statut for r in regles]
                for p, m in ((p, {}) for p in depots)]

    def a_la_main() -> list[list[str]]:
        return [[statut_a_la_main(r, p, JOUR, prm) for r in REGLES] for p in depots]

    attendus = moteur()
    if moteur_explique() != attendus:
        raise SystemExit("statuts différents entre le moteur qui rédige l'explication et le statut seul")
    obtenus = a_la_main()
    ecarts = [(p.chemin, r, a, o) for p, la, lo in zip(depots, attendus, obtenus) for r, a, o in zip(REGLES, la, lo) if a != o]
    if ecarts:
        raise SystemExit(f"verdicts différents (moteur / à la main) : {len(ecarts)}, dont {ecarts[:5]}")
    repartition = Counter(s for ligne in attendus for s in ligne)
    print(f"{len(depots)} dépôts × {len(REGLES)} règles = {len(depots) * len(REGLES)} verdicts, identiques moteur / à la main : "
          + ", ".join(f"{s} {n}" for s, n in sorted(repartition.items())))

    rego = None
    try:
        import hobofan_regorus

        texte = (Path(__file__).resolve().parent / "regles.rego").read_text(encoding="utf-8")
        entrees = [json.dumps({"p": parametres_rego(JOUR, prm), **entree_rego(p)}) for p in depots]

        def rego_eval() -> list[list[str]]:
            moteur_rego = hobofan_regorus.Engine()
            moteur_rego.add_policy("regles.rego", texte)
            sorties = []
            for entree in entrees:
                moteur_rego.set_input_json(entree)
                statuts = json.loads(moteur_rego.eval_rule_as_json("data.verificateur.statuts"))
                sorties.append([statuts[r] for r in REGLES])
            return sorties

        ecarts_rego = [(p.chemin, r, a, o) for p, la, lo in zip(depots, attendus, rego_eval()) for r, a, o in zip(REGLES, la, lo) if a != o]
        if ecarts_rego:
            raise SystemExit(f"verdicts différents (moteur / Rego) : {len(ecarts_rego)}, dont {ecarts_rego[:5]}")
        print("verdicts identiques moteur / Rego (regorus)")
        rego = rego_eval
    except ImportError:
        print("regorus absent (pip install hobofan-regorus) : colonne Rego omise")

    avant = charge()
    series = {"moteur": [], "moteur_explique": [], "a_la_main": [], "rego": []}
    for _ in range(args.essais):  # entrelacés : une charge passagère touche les quatre
        series["moteur"].append(chronometrer(moteur, 1))
        series["moteur_explique"].append(chronometrer(moteur_explique, 1))
        series["a_la_main"].append(chronometrer(a_la_main, 1))
        if rego:
            series["rego"].append(chronometrer(rego, 1))
    med = {k: statistics.median(v) for k, v in series.items() if v}
    n = len(depots) * len(REGLES)
    print(f"\nmédianes de {args.essais} essais entrelacés (Python {sys.version.split()[0]}) ; charge avant {avant}, après {charge()}")
    print(f"{'':<28} {'total ms':>9} {'µs / verdict':>13} {'× à la main':>12}")
    for nom, libelle in (("a_la_main", "Python à la main"), ("moteur", "moteur, statut seul"),
                         ("moteur_explique", "moteur, explication rédigée"), ("rego", "Rego (regorus, JSON compris)")):
        if nom in med:
            print(f"{libelle:<28} {med[nom] * 1000:9.1f} {med[nom] * 1e6 / n:13.1f} {med[nom] / med['a_la_main']:11.1f}×")
    print(f"moteur (statut seul) / à la main : {med['moteur'] / med['a_la_main']:.1f}× (objectif ≤ 3×) ; "
          f"avec l'explication rédigée : {med['moteur_explique'] / med['a_la_main']:.1f}×")
    par_regle = {}
    for regle, nom in zip(regles, REGLES):
        m = chronometrer(lambda regle=regle: [evaluation.evaluer_regle(regle, p, catalogue, JOUR, expliquer=False) for p in depots],
                         args.essais)
        e = chronometrer(lambda regle=regle: [evaluation.evaluer_regle(regle, p, catalogue, JOUR) for p in depots], args.essais)
        h = chronometrer(lambda nom=nom: [statut_a_la_main(nom, p, JOUR, prm) for p in depots], args.essais)
        par_regle[nom] = (m, e, h)
    print("\npar règle (médianes, µs / dépôt) :")
    for nom, (m, e, h) in par_regle.items():
        print(f"  {nom} : statut seul {m * 1e6 / len(depots):6.1f} ({m / h:4.1f}×), explication rédigée {e * 1e6 / len(depots):6.1f} "
              f"({e / h:4.1f}×), à la main {h * 1e6 / len(depots):5.1f}")


if __name__ == "__main__":
    main()
