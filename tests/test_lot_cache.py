"""Le cache du lot par métadonnées (docs/lot.md §5) : une relance ne relit pas une preuve dont la taille,
mtime, ctime, inode et périphérique n'ont pas bougé ; jamais un résultat périmé (une modification de
même taille, mtime remis, est vue par ctime ; une preuve trop récente n'est pas crue). Et les rendus
économes en mémoire : mêmes octets que json.dumps, même empreinte que rapport.empreinte."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES
from test_lot import copier_exemples, environnement, lot_json  # noqa: F401 — fixture autouse réutilisée

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")


@pytest.fixture
def lectures(monkeypatch):
    """Un espion : les chemins de preuves réellement lus sur disque (le vrai SourceArbre.lire)."""
    from verificateur.sources import SourceArbre

    lus: list[str] = []
    reel = SourceArbre.lire

    def lire(self, chemins):
        lus.extend(f"{os.path.basename(self.chemin)}/{c}" for c in chemins)
        return reel(self, chemins)

    monkeypatch.setattr(SourceArbre, "lire", lire)
    return lus


def arbres(cache) -> dict[str, bytes]:
    """Les index d'arbres de travail inscrits dans l'index du cache (un seul fichier par dossier de cache)."""
    if not (cache / "index.sqlite").exists():
        return {}
    with contextlib.closing(sqlite3.connect(cache / "index.sqlite")) as index:
        return dict(index.execute("SELECT cle, valeur FROM valeurs WHERE nature = 'arbre'").fetchall())


def etablissements(lancer, *args: str) -> dict[str, dict]:
    return {e["chemin"]: e for e in lot_json(lancer, *args)[1]["etablissements"]}


def test_relance_sans_relire_et_modification_de_meme_taille(tmp_path, lancer, lectures, monkeypatch):
    from verificateur.lot import cache

    monkeypatch.setattr(cache, "MARGE_NS", 0)  # les exemples viennent d'être copiés : les croire tout de suite
    copier_exemples(tmp_path / "depots")
    args = ("depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    froid = etablissements(lancer, *args)
    assert len(lectures) > 20 and len(arbres(tmp_path / "cache")) == 3
    assert froid == etablissements(lancer, *args[:-2], "--sans-cache")
    # Relance : aucune preuve relue, le même résultat.
    lectures.clear()
    assert etablissements(lancer, *args) == froid and lectures == []
    # Une modification de même taille, mtime remis comme avant : ctime a bougé, le dépôt est relu
    # et réévalué ; le résultat est celui d'une évaluation sans cache.
    mesures = tmp_path / "depots" / "chu-armorique" / "securite" / "mesures.yaml"
    avant = mesures.read_text(encoding="utf-8")
    apres = avant.replace("acces_distants: true", "acces_distants: fals", 1)
    assert apres != avant and len(apres) == len(avant)
    infos = mesures.stat()
    mesures.write_text(apres, encoding="utf-8")
    os.utime(mesures, ns=(infos.st_atime_ns, infos.st_mtime_ns))
    assert mesures.stat().st_mtime_ns == infos.st_mtime_ns and mesures.stat().st_size == infos.st_size
    lectures.clear()
    modifie = etablissements(lancer, *args)
    assert {c.split("/")[0] for c in lectures} == {"chu-armorique"}
    assert modifie == etablissements(lancer, *args[:-2], "--sans-cache")
    assert modifie["depots/chu-armorique"]["empreinte"] != froid["depots/chu-armorique"]["empreinte"]
    assert modifie["depots/chu-armorique"]["resultats"]["HYG-01"] == "erreur"
    # Une autre date : les clés changent, les preuves sont relues pour être évaluées.
    lectures.clear()
    autre = ("depots", "--date", "2026-10-02", "--jobs", "1")
    assert etablissements(lancer, *autre, "--cache", "cache") == etablissements(lancer, *autre, "--sans-cache")
    assert {c.split("/")[0] for c in lectures} == {"ch-vallee-du-lys", "chu-armorique", "ehpad-les-tilleuls"}


def test_relecture_reprend_les_releves_de_la_liste(tmp_path, lancer, lectures, monkeypatch):
    """Une autre date sur un cache chaud : la clé vient des métadonnées, puis les preuves sont relues
    pour être évaluées ; la relecture reprend les relevés (stat) faits par la liste, sans un second
    stat par preuve, et le résultat est celui d'une évaluation sans cache."""
    from verificateur.lot import cache, cle

    monkeypatch.setattr(cache, "MARGE_NS", 0)
    copier_exemples(tmp_path / "depots")
    etablissements(lancer, "depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    sans_releves: list[str] = []
    reel = cle.relever_metadonnees

    def relever(racine, chemins, tailles, deja=None):
        if deja is None:
            sans_releves.append(os.path.basename(racine))
        return reel(racine, chemins, tailles, deja)

    monkeypatch.setattr(cle, "relever_metadonnees", relever)
    lectures.clear()
    autre = ("depots", "--date", "2026-10-02", "--jobs", "1")
    assert etablissements(lancer, *autre, "--cache", "cache") == etablissements(lancer, *autre, "--sans-cache")
    assert {c.split("/")[0] for c in lectures} == {"ch-vallee-du-lys", "chu-armorique", "ehpad-les-tilleuls"}
    assert sans_releves == []


def test_preuve_trop_recente_toujours_relue(tmp_path, lancer, lectures):
    # MARGE_NS par défaut (2 s) : des preuves écrites à l'instant ne sont pas crues sur leurs métadonnées.
    copier_exemples(tmp_path / "depots")
    args = ("depots/chu-armorique", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    froid = etablissements(lancer, *args)
    assert arbres(tmp_path / "cache") == {}
    lectures.clear()
    assert etablissements(lancer, *args) == froid and lectures


def test_index_abime_ignore(tmp_path, lancer, lectures, monkeypatch):
    from verificateur.lot import cache

    monkeypatch.setattr(cache, "MARGE_NS", 0)
    copier_exemples(tmp_path / "depots")
    args = ("depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    froid = etablissements(lancer, *args)
    index = arbres(tmp_path / "cache")
    assert len(index) == 3
    # Une empreinte de preuve fausse dans l'index : la clé ne correspond à rien, le dépôt est relu,
    # réévalué, et le résultat est juste.
    (cle_1, valeur_1), (cle_2, _), (cle_3, _) = sorted(index.items())
    donnees = json.loads(valeur_1)
    premier = sorted(donnees["fichiers"])[0]
    donnees["fichiers"][premier][5] = "0" * 64
    with contextlib.closing(sqlite3.connect(tmp_path / "cache" / "index.sqlite")) as base, base:
        for cle, valeur in ((cle_1, json.dumps(donnees)), (cle_2, b"\x00abime"), (cle_3, json.dumps({"racine": "/ailleurs", "fichiers": {}}))):
            base.execute("UPDATE valeurs SET valeur = ? WHERE nature = 'arbre' AND cle = ?", (valeur, cle))
    lectures.clear()
    assert etablissements(lancer, *args) == froid
    assert {c.split("/")[0] for c in lectures} == {"ch-vallee-du-lys", "chu-armorique", "ehpad-les-tilleuls"}


def test_rapport_du_cache_seulement_avec_rapports(tmp_path, lancer, monkeypatch):
    """Le rapport complet n'est mis en cache que pour --rapports (seul à s'en servir)."""
    from verificateur.evaluation import moteur

    copier_exemples(tmp_path / "depots")
    evalues: list[str] = []
    reel = moteur.charger_et_evaluer  # l'évaluation du lot (et de son échéancier)

    def compter(source, *a, **k):
        evalues.append(source.chemin)
        return reel(source, *a, **k)

    monkeypatch.setattr(moteur, "charger_et_evaluer", compter)
    args = ("depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    lot_json(lancer, *args)
    assert not any((tmp_path / "cache").rglob("*.rapport.z")) and len(evalues) == 3
    # Avec --rapports, il faut les rapports : évalués une fois, puis servis par le cache.
    evalues.clear()
    lot_json(lancer, *args, "--rapports", "r1")
    assert len(evalues) == 3 and len(list((tmp_path / "cache").rglob("*.rapport.z"))) == 3
    evalues.clear()
    lot_json(lancer, *args, "--rapports", "r2")
    assert evalues == []
    for nom in os.listdir(tmp_path / "r1"):
        if nom.endswith(".json"):
            assert (tmp_path / "r1" / nom).read_bytes() == (tmp_path / "r2" / nom).read_bytes()


def test_rendu_json_et_empreinte_en_flux(tmp_path, lancer):
    from verificateur import lot
    from verificateur.evaluation import rapport
    from verificateur.rendus.lot import FORMATS

    depots = copier_exemples(tmp_path / "depots")
    (depots / "vide").mkdir()
    shutil.copytree(EXEMPLES / "chu-armorique", depots / "autre chu")
    sortie, donnees = lot_json(lancer, "depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--sans-cache")
    assert sortie.stdout == json.dumps(donnees, ensure_ascii=False, indent=2) + "\n"
    # --sortie : écrit morceau par morceau, les mêmes octets.
    lancer("lot", "depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--sans-cache", "--format", "json", "--sortie", "lot.json")
    assert (tmp_path / "lot.json").read_text(encoding="utf-8") == sortie.stdout
    assert lot.empreinte_en_flux(donnees) == rapport.empreinte(donnees) == donnees["empreinte"]
    for petit in ({}, {"a": []}, {"a": [{}], "b": {"x": [1, {"y": "é\n"}]}, "c": None}):
        assert FORMATS["json"].rendre(petit) == json.dumps(petit, ensure_ascii=False, indent=2) + "\n"
        assert lot.empreinte_en_flux(petit) == rapport.empreinte(petit)


def test_index_d_une_autre_version_remplace(tmp_path, lancer):
    """Un index.sqlite d'une autre version (ou d'une autre forme) n'est ni lu ni fatal : il est remplacé
    par un index vide, le lot repart à froid et son résultat est celui d'un lot sans cache."""
    copier_exemples(tmp_path / "depots")
    (tmp_path / "cache").mkdir()
    with contextlib.closing(sqlite3.connect(tmp_path / "cache" / "index.sqlite")) as base:
        base.execute("CREATE TABLE valeurs (x)")
        base.execute("PRAGMA user_version = 99")
        base.commit()
    args = ("depots", "--date", DATE_EXEMPLES, "--jobs", "1", "--cache", "cache")
    assert etablissements(lancer, *args) == etablissements(lancer, *args[:-2], "--sans-cache")
    with contextlib.closing(sqlite3.connect(tmp_path / "cache" / "index.sqlite")) as base:
        assert base.execute("PRAGMA user_version").fetchone() == (1,)
        assert base.execute("SELECT count(*) FROM valeurs WHERE nature = 'resume'").fetchone() == (3,)


def test_entrees_sur_disque_triees_et_relues_a_l_identique():
    """Les entrées du lot sur disque (lot/stock.py) : triées par FINESS puis chemin, chacune relue à
    l'identique (même un nom de dossier qui n'est pas de l'UTF-8), en une séquence qu'un `json.dumps`
    du lot entier refuse bruyamment au lieu d'y écrire une liste vide."""
    from verificateur.lot.stock import Stock

    entrees = [{"chemin": "d/b", "finess": "2", "x": [0.1 + 0.2, None, True]}, {"chemin": "d/\udcff", "finess": None, "x": "é\u202e"},
               {"chemin": "d/a", "finess": "2", "x": {}}]
    stock = Stock()
    for entree in entrees:
        stock.ajouter(entree)
    triees = stock.triees()
    assert list(triees) == [entrees[1], entrees[2], entrees[0]] and len(triees) == 3
    assert triees[-1] == entrees[0] and triees[1:] == [entrees[2], entrees[0]]
    with pytest.raises(TypeError):
        json.dumps({"etablissements": triees})


def test_les_releves_de_la_liste_servent_aux_metadonnees(tmp_path):
    """Le cache d'un lot relit taille, dates et inode dans les relevés que la liste des fichiers vient
    de faire (`SourceArbre.releves`), sans second stat ; un chemin sans relevé est relevé sur disque."""
    from verificateur.lot.cache import relever_metadonnees
    from verificateur.sources import SourceArbre

    depot = tmp_path / "depot"
    shutil.copytree(EXEMPLES / "chu-armorique", depot)
    (depot / "budget" / "lien.yaml").symlink_to("2026.yaml")
    arbre = SourceArbre(str(depot))
    fichiers = arbre.lister()
    assert sorted(arbre.releves) == sorted(fichiers) and arbre.releves_depuis_ns > 0
    # Un lien interne : le relevé est celui du contenu lu (la cible), comme os.stat le donne.
    assert arbre.releves["budget/lien.yaml"].st_ino == os.stat(depot / "budget" / "2026.yaml").st_ino
    chemins = ["budget/2026.yaml", "budget/lien.yaml", "etablissement.yaml"]
    sur_disque = relever_metadonnees(str(depot), chemins, fichiers)
    assert relever_metadonnees(str(depot), chemins, fichiers, arbre.releves) == sur_disque
    # Les relevés servent tels quels : le dossier disparu n'est plus consulté...
    shutil.rmtree(depot)
    assert relever_metadonnees(str(depot), chemins, fichiers, arbre.releves) == sur_disque
    # ... sauf pour un chemin qu'ils ne tiennent pas : relevé sur disque, qui échoue ici (None : tout relire).
    assert relever_metadonnees(str(depot), chemins, fichiers, {}) is None
