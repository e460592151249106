"""L'observatoire (#16.2, #16.3) : campagnes gardées dans une base SQLite, évolution, comparaison.

Les campagnes viennent de vrais `verificateur lot` sur des dépôts git construits ici ; entre deux
campagnes, le test plante des régressions et des améliorations connues, et `comparer` doit nommer
exactement celles-là. Chaque panne (base corrompue, trop récente, verrouillée ; JSON de lot invalide)
coûte un message français et le code 2, jamais une trace.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXEMPLES, RACINE, exemple_commite, git_reproductible, modifier
from verificateur.socle.francais import erreur_systeme

DATE_1, DATE_2 = "2026-10-01", "2026-10-02"


@pytest.fixture(autouse=True)
def environnement(tmp_path, monkeypatch):
    git_reproductible(tmp_path, monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "donnees"))


def depot_git(nom: str, depots: Path) -> Path:
    return exemple_commite(nom, depots / nom, "Preuves")


def trois_depots(depots: Path) -> Path:
    """Le CHU d'Armorique, le CH de la Vallée du Lys et l'EHPAD des Tilleuls, commités, dans `depots`."""
    for nom in ("chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls"):
        depot_git(nom, depots)
    return depots


def comparer_json(lancer, base: Path | str, *options: str) -> dict:
    """`observatoire comparer 2026-T3 2026-T4 --format json` sur l'observatoire `base` : code 0, le JSON."""
    sortie = lancer("observatoire", "comparer", "2026-T3", "2026-T4", "--observatoire", str(base), *options, "--format", "json")
    assert sortie.code == 0, sortie
    return json.loads(sortie.stdout)


def changements(lignes: list[dict]) -> list[tuple[str, str, str, str]]:
    """Les régressions ou améliorations d'une comparaison : (finess, règle, avant, après)."""
    return [(l["finess"], l["regle"], l["avant"], l["apres"]) for l in lignes]


def lot(lancer, *args: str):
    return lancer("lot", *args, "--sans-progression", "--sans-cache", "--jobs", "1")


@pytest.fixture
def deux_campagnes(tmp_path, lancer):
    """T3 au 2026-10-01 sur trois dépôts ; puis, plantés : HYG-02 régresse au CHU d'Armorique et au CH
    de la Vallée du Lys (filtrage des pièces jointes retiré), HYG-01 s'améliore à la Vallée du Lys
    (MFA des comptes à privilèges), l'EHPAD ne répond plus, le CH de la Côte d'Opale apparaît ; T4
    au 2026-10-02 (une date qui ne change, à elle seule, aucun verdict : voir le test suivant)."""
    depots = trois_depots(tmp_path / "depots")
    base = tmp_path / "obs.sqlite"
    premiere = lot(lancer, "depots", "--date", DATE_1, "--format", "json", "--sortie", "lot-T3.json", "--rapports", "rapports-T3",
                   "--campagne", "2026-T3", "--observatoire", str(base))
    assert premiere.code == 1, premiere
    assert premiere.stderr == f"campagne « 2026-T3 » ({DATE_1}) : 3 établissement(s) enregistré(s) dans {base}\n"
    modifier(depots / "chu-armorique", "securite/mesures.yaml", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false")
    modifier(depots / "ch-vallee-du-lys", "securite/mesures.yaml", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false")
    modifier(depots / "ch-vallee-du-lys", "securite/mesures.yaml", "comptes_privilegies: false", "comptes_privilegies: true")
    shutil.rmtree(depots / "ehpad-les-tilleuls")
    depot_git("ch-cote-d-opale", depots)
    seconde = lot(lancer, "depots", "--date", DATE_2, "--format", "json", "--sortie", "lot-T4.json", "--rapports", "rapports-T4",
                  "--campagne", "2026-T4", "--observatoire", str(base))
    assert seconde.code == 1, seconde
    return base


def test_la_date_seule_ne_change_aucun_verdict(tmp_path, lancer):
    """Garde-fou du scénario : entre DATE_1 et DATE_2, sans rien planter, rien ne régresse."""
    trois_depots(tmp_path / "depots")
    for campagne, jour in (("a", DATE_1), ("b", DATE_2)):
        assert lot(lancer, "depots", "--date", jour, "--campagne", campagne, "--observatoire", "o.sqlite").code == 1
    sortie = lancer("observatoire", "comparer", "a", "b", "--observatoire", "o.sqlite", "--format", "json")
    d = json.loads(sortie.stdout)
    assert (d["regressions"], d["ameliorations"], d["apparus"], d["disparus"], d["compares"]) == ([], [], [], [], 3)


def test_comparer_nomme_exactement_les_regressions_plantees(deux_campagnes, lancer):
    d = comparer_json(lancer, deux_campagnes)
    assert changements(d["regressions"]) == [
        ("350042131", "HYG-02", "conforme", "non_conforme"),
        ("590028718", "HYG-02", "conforme", "non_conforme"),
    ]
    assert changements(d["ameliorations"]) == [
        ("590028718", "HYG-01", "non_conforme", "conforme")]
    assert [e["finess"] for e in d["apparus"]] == ["620003129"]
    assert [e["finess"] for e in d["disparus"]] == ["690035449"]
    assert d["compares"] == 2 and d["non_compares"] == []
    assert {r["cle"]: (r["regressions"], r["ameliorations"], r["apparus"], r["disparus"], r["conformes_avant"], r["conformes_apres"])
            for r in d["par_region"]} == {"32": (1, 1, 1, 0, 0, 0), "53": (1, 0, 0, 0, 1, 0), "84": (0, 0, 0, 1, 0, 0)}
    texte = lancer("observatoire", "comparer", "2026-T3", "2026-T4", "--observatoire", str(deux_campagnes))
    assert texte.stdout.splitlines()[:2] == [
        "Comparaison 2026-T3 (2026-10-01) → 2026-T4 (2026-10-02)",
        "2 établissement(s) comparé(s) : 2 régression(s), 1 amélioration(s) ; 1 apparu(s), 1 disparu(s)",
    ]
    # Filtré par région : seules les lignes de la région 53 restent.
    d53 = comparer_json(lancer, deux_campagnes, "--region", "53")
    assert [(l["finess"], l["regle"]) for l in d53["regressions"]] == [("350042131", "HYG-02")]
    assert d53["apparus"] == d53["disparus"] == d53["ameliorations"] == []


def test_comparer_csv(deux_campagnes, lancer):
    sortie = lancer("observatoire", "comparer", "2026-T3", "2026-T4", "--observatoire", str(deux_campagnes), "--format", "csv")
    assert sortie.stdout.lstrip("\ufeff").splitlines() == [
        "nature;finess;raison_sociale;region;categorie;regle;gravite;avant;apres",
        "regression;350042131;Centre hospitalier universitaire d'Armorique;53;chu;HYG-02;mineure;conforme;non_conforme",
        "regression;590028718;Centre hospitalier de la Vallée du Lys;32;ch;HYG-02;mineure;conforme;non_conforme",
        "amelioration;590028718;Centre hospitalier de la Vallée du Lys;32;ch;HYG-01;majeure;non_conforme;conforme",
        "apparu;620003129;Centre hospitalier de la Côte d'Opale;32;ch;;;;non_conforme",
        "disparu;690035449;EHPAD Les Tilleuls;84;ehpad;;;non_conforme;",
    ]


def test_evolution(deux_campagnes, lancer):
    sortie = lancer("observatoire", "evolution", "--observatoire", str(deux_campagnes), "--format", "json")
    assert sortie.code == 0, sortie
    d = json.loads(sortie.stdout)
    assert [(c["nom"], c["etablissements"], c["evalues"], c["conformes"], c["ne_repondent_plus"]) for c in d["campagnes"]] == [
        ("2026-T3", 3, 3, 1, 0), ("2026-T4", 3, 3, 0, 1)]
    assert [(n["campagne"], n["derniere_reponse"], n["finess"]) for n in d["ne_repondent_plus"]] == [("2026-T4", "2026-T3", "690035449")]
    hyg02 = next(r for r in d["par_regle"] if r["regle"] == "HYG-02")
    assert [x["taux_conformite"] for x in hyg02["campagnes"]] == [1.0, 0.3333]
    assert [(g["cle"], [x["evalues"] for x in g["campagnes"]]) for g in d["par_region"]] == [("32", [1, 2]), ("53", [1, 1]), ("84", [1, 0])]
    filtre = json.loads(lancer("observatoire", "evolution", "--observatoire", str(deux_campagnes), "--categorie", "chu",
                               "--regle", "HYG-02", "--format", "json").stdout)
    assert [r["regle"] for r in filtre["par_regle"]] == ["HYG-02"]
    assert [x["taux_conformite"] for x in filtre["par_regle"][0]["campagnes"]] == [1.0, 0.0]
    assert [c["evalues"] for c in filtre["campagnes"]] == [1, 1]
    inconnue = lancer("observatoire", "evolution", "--observatoire", str(deux_campagnes), "--regle", "XXX-99")
    assert (inconnue.code, inconnue.stderr) == (2, "verificateur : --regle : règle(s) jamais évaluée(s) dans cet observatoire : XXX-99\n")
    csv = lancer("observatoire", "evolution", "--observatoire", str(deux_campagnes), "--format", "csv").stdout.lstrip("\ufeff").splitlines()
    assert csv[0] == "campagne;date_evaluation;axe;cle;evalues;applicables;conformes;taux;taux_conformite_moyen"
    assert "2026-T4;2026-10-02;regle;HYG-02;3;3;1;0,3333;" in csv
    assert "2026-T4;2026-10-02;ne_repond_plus;690035449;;;;;" in csv
    campagnes = json.loads(lancer("observatoire", "campagnes", "--observatoire", str(deux_campagnes), "--format", "json").stdout)
    assert [(c["nom"], c["date_evaluation"], c["etablissements"], c["conformes"], [l["politiques"][0]["id"] for l in c["lots"]])
            for c in campagnes["campagnes"]] == [("2026-T3", DATE_1, 3, 1, ["plan-national"]), ("2026-T4", DATE_2, 3, 0, ["plan-national"])]
    tableur = lancer("observatoire", "campagnes", "--observatoire", str(deux_campagnes), "--format", "csv").stdout.lstrip("\ufeff").splitlines()
    t3 = json.loads(Path("lot-T3.json").read_text(encoding="utf-8"))  # les chiffres du lot lui-même
    politiques = ", ".join(f"{p['id']} {p['version']}" for p in t3["politiques"])
    moyenne = f"{t3['synthese']['taux_conformite_moyen']:.4f}".replace(".", ",")
    assert tableur[1] == f"2026-T3;2026-10-01;1;3;3;0;1;{moyenne};{politiques}"


def test_page_html(deux_campagnes, lancer, tmp_path, monkeypatch):
    sortie = lancer("observatoire", "evolution", "--observatoire", str(deux_campagnes), "--format", "html", "--sortie", "page/obs.html")
    assert sortie.code == 0, sortie
    page = (tmp_path / "page" / "obs.html").read_text(encoding="utf-8")
    # Les régressions de la dernière campagne d'abord, puis les courbes.
    assert page.index('id="regressions"') < page.index('id="regions"') < page.index('id="regles"')
    assert "Régressions de la dernière campagne : 2" in page
    assert page.count("<polyline") >= 20  # une courbe par règle au moins
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page and "<script" not in page
    # Chaque établissement de la dernière campagne mène à son dernier rapport, par un lien relatif à la page.
    for finess in ("350042131", "590028718", "620003129"):
        lien = next(l for l in page.split('href="')[1:] if l.startswith(f"../rapports-T4/{finess}-"))
        assert (tmp_path / "page" / lien.split('"')[0]).resolve().is_file()
    from verificateur.observatoire import rendus

    limite = rendus.LIMITE_DETAIL
    monkeypatch.setattr(rendus, "LIMITE_DETAIL", 1)  # à l'échelle nationale : le détail est borné, le bilan par règle complet
    borne = lancer("observatoire", "evolution", "--observatoire", str(deux_campagnes), "--format", "html").stdout
    assert "Les 1 premières lignes sur 2 ; toutes : <code>verificateur observatoire comparer 2026-T3 2026-T4 --format csv</code>" in borne
    assert borne.count("590028718-") == page.count("590028718-") - 1  # sa régression, la seconde, est coupée
    assert '<td class="insecable"><code>HYG-02</code></td><td>Filtrage des pièces jointes' in borne
    monkeypatch.setattr(rendus, "LIMITE_DETAIL", limite)
    comparaison = lancer("observatoire", "comparer", "2026-T3", "2026-T4", "--observatoire", str(deux_campagnes), "--format", "html")
    assert comparaison.code == 0 and "<h1>Comparaison 2026-T3 → 2026-T4</h1>" in comparaison.stdout
    assert 'href="rapports-T4/350042131-' in comparaison.stdout  # sans --sortie : relatif au dossier courant


def test_enregistrer_est_idempotent_et_importer_reunit(deux_campagnes, lancer, tmp_path):
    deja = lancer("observatoire", "enregistrer", "lot-T3.json", "--campagne", "2026-T3", "--observatoire", str(deux_campagnes))
    assert deja.code == 0, deja
    assert deja.stdout == f"campagne « 2026-T3 » : ce lot (même empreinte) est déjà enregistré dans {deux_campagnes}, rien à ajouter\n"
    # Une « ARS » enregistre après coup ; le national importe, deux fois : la seconde ne change rien.
    ars = lancer("observatoire", "enregistrer", "lot-T3.json", "--campagne", "2026-T3", "--observatoire", "ars.sqlite")
    assert ars.stdout == "campagne « 2026-T3 » (2026-10-01) : 3 établissement(s) enregistré(s) dans ars.sqlite\n"
    national = lancer("observatoire", "importer", "ars.sqlite", "--observatoire", "national.sqlite")
    assert national.stdout == "campagne « 2026-T3 » (2026-10-01) : 3 établissement(s) enregistré(s) dans national.sqlite\n"
    lancer("observatoire", "enregistrer", "lot-T4.json", "--campagne", "2026-T4", "--observatoire", "national.sqlite")
    encore = lancer("observatoire", "importer", str(deux_campagnes), "--observatoire", "national.sqlite")
    assert encore.code == 0 and encore.stdout.count("rien à ajouter") == 2, encore
    a = comparer_json(lancer, "national.sqlite")
    b = comparer_json(lancer, deux_campagnes)
    for d in (a, b):  # les chemins des rapports sont absolus ; le reste est identique
        for l in d["regressions"] + d["ameliorations"]:
            l.pop("rapport")
    assert a == b
    campagnes = lancer("observatoire", "campagnes", "--observatoire", "national.sqlite")
    assert [l.split()[:2] for l in campagnes.stdout.splitlines()[2:]] == [["2026-T3", "2026-10-01"], ["2026-T4", "2026-10-02"]]
    with sqlite3.connect("national.sqlite") as c:
        assert c.execute("SELECT count(*) FROM lots").fetchone() == (2,)
        assert c.execute("PRAGMA user_version").fetchone() == (1,)
        assert c.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_conflits_de_campagne(deux_campagnes, lancer):
    # Un autre lot, un établissement déjà dans la campagne : refusé, rien n'est écrit.
    autre = lancer("observatoire", "enregistrer", "lot-T4.json", "--campagne", "2026-T3", "--observatoire", str(deux_campagnes))
    assert (autre.code, autre.stderr) == (2, "verificateur : campagne « 2026-T3 » évaluée au 2026-10-01, ce lot l'est au 2026-10-02 ; "
                                              "les lots d'une campagne partagent leur date d'évaluation (choisissez un autre nom de campagne)\n")
    lancer("lot", "depots", "--date", DATE_2, "--format", "json", "--sortie", "lot-bis.json", "--sans-cache", "--jobs", "1",
           "--sans-progression", "--echec-a", "critique")
    double = lancer("observatoire", "enregistrer", "lot-bis.json", "--campagne", "2026-T4", "--observatoire", str(deux_campagnes))
    assert (double.code, double.stderr) == (
        2, "verificateur : campagne « 2026-T4 » : 3 établissement(s) déjà enregistré(s) par un autre lot (350042131, 590028718, 620003129) ; "
           "un établissement ne figure qu'une fois par campagne (enregistrez ce lot sous un autre nom de campagne)\n")
    inconnue = lancer("observatoire", "comparer", "2026-T3", "2027-T1", "--observatoire", str(deux_campagnes))
    assert (inconnue.code, inconnue.stderr) == (2, f"verificateur : {deux_campagnes}: campagne « 2027-T1 » inconnue ; campagnes enregistrées : 2026-T3, 2026-T4\n")


def test_rien_qui_vienne_des_preuves_dans_la_base(tmp_path, lancer):
    """La raison d'un échec de lecture cite le contenu d'etablissement.yaml : elle n'est jamais gardée."""
    depots = tmp_path / "depots"
    depots.mkdir()
    depot_git("chu-armorique", depots)
    casse = depots / "casse"
    casse.mkdir()
    profil = (EXEMPLES / "chu-armorique" / "etablissement.yaml").read_text(encoding="utf-8")
    (casse / "etablissement.yaml").write_text(profil.replace("categorie: chu", "categorie: TEXTE-SECRET-DE-LA-PREUVE"), encoding="utf-8")
    sortie = lot(lancer, "depots", "--date", DATE_1, "--campagne", "T", "--observatoire", "o.sqlite")
    assert sortie.code == 4 and "TEXTE-SECRET-DE-LA-PREUVE" in sortie.stderr, sortie
    contenu = b"".join(p.read_bytes() for p in tmp_path.glob("o.sqlite*"))
    assert b"TEXTE-SECRET" not in contenu
    with sqlite3.connect("o.sqlite") as c:
        assert c.execute("SELECT cle, etat, statut_global FROM etablissements ORDER BY cle").fetchall() == [
            ("350042131", "evalue", "conforme"), ("chemin:depots/casse", "echec", None)]
        regles = json.loads(lancer("lot", "depots/chu-armorique", "--date", DATE_1, "--format", "json", "--sans-cache", "--jobs", "1").stdout)["regles"]
        assert c.execute("SELECT count(*) FROM resultats").fetchone() == (len(regles),)


def test_base_par_defaut(tmp_path, lancer):
    depot_git("chu-armorique", tmp_path / "depots")
    assert lot(lancer, "depots", "--date", DATE_1, "--campagne", "T").code == 0
    assert (tmp_path / "donnees" / "verificateur" / "observatoire.sqlite").is_file()
    assert lancer("observatoire", "campagnes").stdout.splitlines()[2].split()[:2] == ["T", DATE_1]


# -- pannes : un message français, le code 2, jamais une trace ---------------------------------------


def _erreur(sortie) -> str:
    assert sortie.code == 2, sortie
    assert "Traceback" not in sortie.stderr and sortie.stdout == ""
    return sortie.stderr


def test_base_corrompue(lancer, tmp_path):
    Path("casse.sqlite").write_bytes(b"ceci n'est pas une base SQLite" * 200)
    attendu = ("verificateur : casse.sqlite: base de l'observatoire corrompue, ou fichier qui n'est pas une base SQLite ; "
               "restaurez une sauvegarde ou désignez un autre fichier avec --observatoire\n")
    assert _erreur(lancer("observatoire", "campagnes", "--observatoire", "casse.sqlite")) == attendu
    depot_git("chu-armorique", tmp_path / "depots")
    # lot --campagne ouvre la base avant d'évaluer : une heure d'évaluation n'est pas perdue pour rien.
    assert _erreur(lot(lancer, "depots", "--date", DATE_1, "--campagne", "T", "--observatoire", "casse.sqlite")) == attendu
    # Importer une base corrompue : le message nomme celle-là, et la base de destination n'est pas créée.
    assert _erreur(lancer("observatoire", "importer", "casse.sqlite", "--observatoire", "national.sqlite")) == attendu
    assert not Path("national.sqlite").exists()
    Path("dossier.sqlite").mkdir()
    assert _erreur(lancer("observatoire", "campagnes", "--observatoire", "dossier.sqlite")) == (
        "verificateur : dossier.sqlite: est un dossier, attendu le fichier de la base de l'observatoire\n")
    with sqlite3.connect("autre.sqlite") as c:
        c.execute("CREATE TABLE t (x)")
    assert _erreur(lancer("observatoire", "campagnes", "--observatoire", "autre.sqlite")) == (
        "verificateur : autre.sqlite: base SQLite qui n'est pas un observatoire de verificateur\n")
    assert _erreur(lancer("observatoire", "evolution", "--observatoire", "absente.sqlite")) == (
        "verificateur : absente.sqlite: observatoire introuvable ; enregistrez d'abord une campagne "
        "(verificateur lot … --campagne NOM, ou verificateur observatoire enregistrer LOT.json --campagne NOM)\n")
    assert not Path("absente.sqlite").exists()


def test_base_d_une_version_plus_recente(lancer, tmp_path):
    from verificateur import __version__
    from verificateur.observatoire.store import APPLICATION_ID

    c = sqlite3.connect("futur.sqlite")
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute("PRAGMA user_version = 7")
    c.execute("CREATE TABLE campagnes_v7 (x)")
    c.commit()
    c.close()
    attendu = (f"verificateur : futur.sqlite: observatoire au schéma 7, écrit par une version plus récente de verificateur "
               f"(la version {__version__} lit jusqu'au schéma 1) ; mettez verificateur à jour\n")
    avant = Path("futur.sqlite").read_bytes()
    assert _erreur(lancer("observatoire", "campagnes", "--observatoire", "futur.sqlite")) == attendu
    assert _erreur(lancer("observatoire", "importer", "futur.sqlite", "--observatoire", "neuve.sqlite")) == attendu
    depot_git("chu-armorique", tmp_path / "depots")
    assert _erreur(lot(lancer, "depots", "--date", DATE_1, "--campagne", "T", "--observatoire", "futur.sqlite")) == attendu
    assert Path("futur.sqlite").read_bytes() == avant  # jamais modifiée


def test_migration_d_un_schema_plus_ancien(tmp_path, lancer, monkeypatch):
    """Une base au schéma 1 ouverte par une version au schéma 2 : migrée à l'ouverture, données gardées."""
    from verificateur.observatoire import store

    depot_git("chu-armorique", tmp_path / "depots")
    assert lot(lancer, "depots", "--date", DATE_1, "--campagne", "T", "--observatoire", "o.sqlite").code == 0
    monkeypatch.setattr(store, "VERSION", 2)
    monkeypatch.setitem(store.MIGRATIONS, 2, ["ALTER TABLE campagnes ADD COLUMN commentaire TEXT"])
    sortie = lancer("observatoire", "campagnes", "--observatoire", "o.sqlite")
    assert sortie.code == 0 and sortie.stdout.splitlines()[2].split()[:2] == ["T", DATE_1], sortie
    with sqlite3.connect("o.sqlite") as c:
        assert c.execute("PRAGMA user_version").fetchone() == (2,)
        assert c.execute("SELECT nom, commentaire FROM campagnes").fetchall() == [("T", None)]


def test_base_verrouillee(tmp_path, lancer, monkeypatch):
    from verificateur.observatoire import store

    depot_git("chu-armorique", tmp_path / "depots")
    assert lot(lancer, "depots", "--date", DATE_1, "--format", "json", "--sortie", "lot.json", "--campagne", "T",
               "--observatoire", "o.sqlite").code == 0
    monkeypatch.setattr(store, "ATTENTE_S", 0.2)
    autre = sqlite3.connect("o.sqlite", isolation_level=None)
    autre.execute("BEGIN IMMEDIATE")  # un autre écrivain tient le verrou
    try:
        erreur = _erreur(lancer("observatoire", "enregistrer", "lot.json", "--campagne", "U", "--observatoire", "o.sqlite"))
        assert erreur == ("verificateur : o.sqlite: base de l'observatoire occupée par un autre processus depuis plus de 0.2 s ; "
                          "réessayez quand il aura fini\n")
        # Les lecteurs ne sont pas bloqués (WAL).
        assert lancer("observatoire", "campagnes", "--observatoire", "o.sqlite").code == 0
    finally:
        autre.execute("ROLLBACK")
        autre.close()
    assert lancer("observatoire", "enregistrer", "lot.json", "--campagne", "U", "--observatoire", "o.sqlite").code == 0


def test_deux_ecrivains_a_la_fois(tmp_path, lancer):
    """Deux processus enregistrent en même temps dans une base neuve : les deux campagnes y sont."""
    depot_git("chu-armorique", tmp_path / "depots")
    assert lot(lancer, "depots", "--date", DATE_1, "--format", "json", "--sortie", "lot.json").code == 0
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    processus = [subprocess.Popen([sys.executable, "-m", "verificateur", "observatoire", "enregistrer", "lot.json", "--campagne", nom,
                                   "--observatoire", "partagee.sqlite"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for nom in ("A", "B", "C")]
    for p in processus:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with sqlite3.connect("partagee.sqlite") as c:
        assert c.execute("SELECT nom FROM campagnes ORDER BY nom").fetchall() == [("A",), ("B",), ("C",)]
        assert c.execute("SELECT count(*) FROM etablissements").fetchone() == (3,)


def test_json_de_lot_invalide(tmp_path, lancer):
    depot_git("chu-armorique", tmp_path / "depots")
    assert lot(lancer, "depots", "--date", DATE_1, "--format", "json", "--sortie", "lot.json").code == 0
    donnees = json.loads(Path("lot.json").read_text(encoding="utf-8"))

    def enregistrer(contenu: str | bytes) -> str:
        Path("x.json").write_bytes(contenu if isinstance(contenu, bytes) else contenu.encode("utf-8"))
        return _erreur(lancer("observatoire", "enregistrer", "x.json", "--campagne", "T", "--observatoire", "o.sqlite"))

    assert enregistrer(b"{pas du json") == "verificateur : x.json: JSON illisible, attendu la sortie de « verificateur lot --format json »\n"
    assert enregistrer("[1, 2]") == ("verificateur : x.json: pas un lot de verificateur (aucune clé « format ») ; "
                                     "attendu la sortie de « verificateur lot --format json »\n")
    from verificateur.lot import FORMAT

    futur = "verificateur/lot/" + str(int(FORMAT.rsplit("/", 1)[1]) + 1)  # la version suivante du contrat
    assert enregistrer(json.dumps({**donnees, "format": futur})) == (
        f"verificateur : x.json: lot au format « {futur} » ; cette version de verificateur enregistre le format {FORMAT}\n")
    assert enregistrer(json.dumps({**donnees, "date_evaluation": 12})) == (
        "verificateur : x.json: lot hors schéma (verificateur/schemas/lot.schema.json), à date_evaluation : "
        "« date_evaluation » : un texte attendu, trouvé 12 (mettez la valeur entre guillemets)\n")
    modifie = json.loads(json.dumps(donnees))
    modifie["etablissements"][0]["resultats"]["HYG-02"] = "non_conforme"
    assert enregistrer(json.dumps(modifie)) == "verificateur : x.json: empreinte invalide, le fichier a été modifié depuis son écriture\n"
    assert _erreur(lancer("observatoire", "enregistrer", "absent.json", "--campagne", "T", "--observatoire", "o.sqlite")) == (
        f"verificateur : absent.json: illisible ({erreur_systeme(FileNotFoundError(errno.ENOENT, 'absent'))})\n")
    assert _erreur(lancer("observatoire", "enregistrer", "lot.json", "--campagne", " ", "--observatoire", "o.sqlite")) == (
        "verificateur : --campagne : nom de campagne attendu, de 1 à 100 caractères imprimables (ex. 2026-T3)\n")
    assert not Path("o.sqlite").exists()  # rien n'a été créé pour un lot refusé


def test_lot_interrompu_non_enregistre(tmp_path, lancer):
    from verificateur import lot as module

    depot_git("chu-armorique", tmp_path / "depots")
    lot(lancer, "depots", "--date", DATE_1, "--format", "json", "--sortie", "lot.json")
    donnees = json.loads(Path("lot.json").read_text(encoding="utf-8"))
    donnees["interrompu"] = True
    Path("x.json").write_text(json.dumps(module.sceller(donnees)), encoding="utf-8")
    assert _erreur(lancer("observatoire", "enregistrer", "x.json", "--campagne", "T", "--observatoire", "o.sqlite")) == (
        "verificateur : lot interrompu : une campagne partielle ferait croire que des établissements ne répondent plus ; "
        "terminez le lot (--reprendre) avant de l'enregistrer\n")


def test_options_de_lot(tmp_path, lancer):
    depot_git("chu-armorique", tmp_path / "depots")
    assert _erreur(lot(lancer, "depots", "--observatoire", "o.sqlite")) == (
        "verificateur : --observatoire demande --campagne NOM : le nom sous lequel enregistrer ce lot\n")
    fusion = lancer("lot", "fusionner", "a.json", "--campagne", "T")
    assert _erreur(fusion) == "verificateur : lot fusionner : option(s) --campagne sans effet ; seules --format et --sortie s'appliquent\n"


# -- docs/observatoire.md : la routine trimestrielle, sorties réelles ---------------------------------

DOCUMENT = RACINE / "docs" / "observatoire.md"


def decor_de_la_routine(dossier: Path) -> None:
    """Les dépôts reçus au deuxième et au troisième trimestre (docs/observatoire.md §2)."""
    for nom in ("chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls"):
        shutil.copytree(EXEMPLES / nom, dossier / "depots-2026-T2" / nom)
    for nom in ("chu-armorique", "ch-vallee-du-lys", "ch-cote-d-opale"):
        shutil.copytree(EXEMPLES / nom, dossier / "depots-2026-T3" / nom)
    for nom, avant, apres in (("chu-armorique", "filtrage_pieces_jointes: true", "filtrage_pieces_jointes: false"),
                              ("ch-vallee-du-lys", "comptes_privilegies: false", "comptes_privilegies: true")):
        chemin = dossier / "depots-2026-T3" / nom / "securite" / "mesures.yaml"
        texte = chemin.read_text(encoding="utf-8")
        assert avant in texte
        chemin.write_text(texte.replace(avant, apres), encoding="utf-8")


def commandes_de_la_routine() -> list[tuple[list[str], str]]:
    import re

    texte = DOCUMENT.read_text(encoding="utf-8")
    blocs = []
    for bloc in re.findall(r"```\n(\$ verificateur [^\n]+\n.*?)```", texte, flags=re.S):
        premiere, _, sortie = bloc.partition("\n")
        blocs.append((premiere[len("$ verificateur "):].split(), sortie))
    return blocs


def test_la_routine_documentee(tmp_path, lancer):
    """Chaque commande de docs/observatoire.md §2, rejouée dans l'ordre : sa sortie (stdout puis
    stderr, comme dans un terminal) est celle montrée, à l'octet près."""
    decor_de_la_routine(tmp_path)
    blocs = commandes_de_la_routine()
    assert len(blocs) >= 9
    for args, attendue in blocs:
        if args[0] == "lot":
            args = [*args, "--sans-cache", "--jobs", "1"]
        sortie = lancer(*args)
        assert sortie.stdout + sortie.stderr == attendue, " ".join(args)
    page = (tmp_path / "observatoire.html").read_text(encoding="utf-8")
    assert 'href="rapports-2026-T3/350042131-' in page


def test_textes_du_lot_sans_controles(tmp_path, lancer):
    """Un lot JSON venu d'ailleurs (une autre ARS) : ses textes n'envoient rien de brut au terminal."""
    from verificateur import lot as module

    depot_git("chu-armorique", tmp_path / "depots")
    lot(lancer, "depots", "--date", DATE_1, "--format", "json", "--sortie", "lot.json")
    donnees = json.loads(Path("lot.json").read_text(encoding="utf-8"))
    donnees["etablissements"][0]["region"] = "53\x1b[2J"
    donnees["etablissements"][0]["raison_sociale"] = "CHU\u202eesuohtrA"
    Path("x.json").write_text(json.dumps(module.sceller(donnees)), encoding="utf-8")
    assert lancer("observatoire", "enregistrer", "x.json", "--campagne", "T", "--observatoire", "o.sqlite").code == 0
    assert lancer("observatoire", "enregistrer", "lot.json", "--campagne", "U", "--observatoire", "o.sqlite").code == 0
    sortie = lancer("observatoire", "evolution", "--observatoire", "o.sqlite")
    assert "\x1b" not in sortie.stdout and "53\\x1b[2J" in sortie.stdout
    with sqlite3.connect("o.sqlite") as c:  # gardé rendu visible : aucun rendu ne le recevra brut
        assert c.execute("SELECT raison_sociale FROM etablissements e JOIN campagnes k ON k.id = e.campagne WHERE k.nom = 'T'"
                         ).fetchone() == ("CHU\\u202eesuohtrA",)
