"""Le cache de l'historique ($XDG_CACHE_HOME/verificateur/historique), sur de vrais dépôts git : la
relance est servie par le cache (aucune preuve lue, aucune politique chargée) et rend les mêmes
octets que sans cache ; un commit, une date, des politiques, un seuil ou un code différents
réévaluent l'étape ; une entrée abîmée est ignorée ; rien n'est écrit dans le dépôt."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import RACINE
from test_depot_git import MESURES, empreintes, environnement_git, remplacer  # noqa: F401 (fixture)
from test_historique import commiter, histoire  # noqa: F401 (fixture)

PERIODE = ("--depuis", "2025-12-01", "--jusqu-a", "2026-06-15")
ETAPES_AVEC_REVISION = 6  # 2026-01-31 … 2026-05-31, puis 2026-06-15 (la première étape n'a aucune révision)


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    """Un $XDG_CACHE_HOME propre au test."""
    dossier = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(dossier))
    return dossier


@pytest.fixture
def evalues(monkeypatch) -> list[date]:
    """Les étapes réellement évaluées (par le moteur) pendant le test, dans l'ordre."""
    from verificateur.commandes import historique

    faits: list[date] = []
    vraie = historique.point

    def compter(source, catalogue, date_evaluation, seuil_echec, cache):
        faits.append(date_evaluation)
        return vraie(source, catalogue, date_evaluation, seuil_echec, cache)

    monkeypatch.setattr(historique, "point", compter)
    return faits


def _json(lancer, depot: Path, *options: str) -> str:
    sortie = lancer("historique", str(depot), *PERIODE, *options, "--format", "json")
    assert sortie.code == 0, sortie
    return sortie.stdout


def _sans_cache(depot: Path, *, seuil_echec: str = "mineure", jusqu_a: date = date(2026, 6, 15), politiques: list[Path] | None = None) -> str:
    """La même commande, calculée sans aucun cache (ni points, ni catalogue)."""
    from verificateur import politiques as module
    from verificateur.commandes import historique
    from verificateur.rendus import historique as rendus

    catalogue = module.charger(politiques, None)
    return rendus.FORMATS["json"].rendre(historique.historique(str(depot), catalogue, date(2025, 12, 1), jusqu_a, "mois", seuil_echec))


def _points(xdg: Path) -> list[Path]:
    return sorted((xdg / "verificateur" / "historique").rglob("*.json"))


def test_relance_servie_par_le_cache(histoire, xdg, evalues, lancer):  # noqa: F811
    depot, _ = histoire
    avant = empreintes(depot)
    premier = _json(lancer, depot)
    assert len(evalues) == ETAPES_AVEC_REVISION
    # Un fichier par étape qui a une révision, et la marque « ces politiques ont donné un catalogue valide ».
    assert len(_points(xdg)) == ETAPES_AVEC_REVISION + 1
    # La relance ne lit aucune preuve et ne charge aucune politique : tout vient du cache.
    from verificateur import politiques, preuves
    from verificateur.politiques import cache_catalogue

    def interdit(*args, **kwargs):
        raise AssertionError("relu alors que tout est en cache")

    with pytest.MonkeyPatch.context() as interdits:
        for module, nom in ((preuves, "lire_preuve"), (preuves, "charger"), (politiques, "charger"), (cache_catalogue, "charger")):
            interdits.setattr(module, nom, interdit)
        relance = _json(lancer, depot)
    assert len(evalues) == ETAPES_AVEC_REVISION
    assert relance == premier == _sans_cache(depot)
    # Les autres formats se rendent des mêmes points.
    texte = lancer("historique", str(depot), *PERIODE)
    assert texte.code == 0 and "HYG-01 : conforme → non_conforme" in texte.stdout
    # Rien n'est écrit dans le dépôt de preuves (ni fichier, ni .git, ni date) ; le cache est ailleurs.
    assert empreintes(depot) == avant
    assert not any(str(p).startswith(str(depot)) for p in _points(xdg))


def test_le_cache_est_bien_ce_qui_est_lu(histoire, xdg, lancer):  # noqa: F811
    """Un point contrefait mais bien formé (clé et somme justes) est rendu tel quel : c'est le cache
    qui sert la relance. (Le cache est à l'utilisateur, comme ses fichiers ; le test prouve la lecture.)"""
    depot, _ = histoire
    premier = json.loads(_json(lancer, depot))
    for fichier in _points(xdg):
        entete, _, corps = fichier.read_bytes().partition(b"\n")
        point = json.loads(corps)
        if isinstance(point, dict) and "statuts" in point:
            point["problemes"] = 4242
            corps = json.dumps(point, ensure_ascii=False, separators=(",", ":")).encode()
            meta = json.loads(entete) | {"somme": hashlib.sha256(corps).hexdigest()}
            fichier.write_bytes(json.dumps(meta).encode() + b"\n" + corps)
    relance = json.loads(_json(lancer, depot))
    assert [e["problemes"] for e in relance["etapes"]] == [0] + [4242] * ETAPES_AVEC_REVISION
    assert [e["problemes"] for e in premier["etapes"]] != [e["problemes"] for e in relance["etapes"]]


ABIMES = {
    "tronqué": lambda brut: brut[: len(brut) // 2],
    "vide": lambda brut: b"",
    "pas du JSON": lambda brut: b"\xff\xfe n'importe quoi\n{",
    "somme fausse": lambda brut: brut.replace(b'"problemes":', b'"problemes":1', 1),
    "autre clé": lambda brut: brut.replace(b'"cle": "', b'"cle": "0', 1),
    "mal formé, somme juste": lambda brut: _resigner(brut, lambda p: {**p, "problemes": "beaucoup"}),
    "champ en trop, somme juste": lambda brut: _resigner(brut, lambda p: {**p, "nir": "1"}),
    "taux entier, somme juste": lambda brut: _resigner(brut, lambda p: {**p, "taux_conformite": 1}),
}


def _resigner(brut: bytes, changer) -> bytes:
    entete, _, corps = brut.partition(b"\n")
    corps = json.dumps(changer(json.loads(corps)), separators=(",", ":")).encode()
    return json.dumps(json.loads(entete) | {"somme": hashlib.sha256(corps).hexdigest()}).encode() + b"\n" + corps


@pytest.mark.parametrize("abime", list(ABIMES))
def test_entree_abimee_ignoree(histoire, xdg, evalues, lancer, abime):  # noqa: F811
    depot, _ = histoire
    premier = _json(lancer, depot)
    points = [f for f in _points(xdg) if b'"statuts"' in f.read_bytes()]
    assert len(points) == ETAPES_AVEC_REVISION
    for fichier in points:
        fichier.write_bytes(ABIMES[abime](fichier.read_bytes()))
    evalues.clear()
    assert _json(lancer, depot) == premier  # réévalué, jamais un résultat faux
    assert len(evalues) == ETAPES_AVEC_REVISION
    evalues.clear()
    assert _json(lancer, depot) == premier  # et réinscrit : la relance suivante est servie par le cache
    assert evalues == []


def test_un_commit_de_plus_ne_reevalue_que_ses_etapes(histoire, xdg, evalues, lancer):  # noqa: F811
    depot, _ = histoire
    _json(lancer, depot)
    remplacer(depot / MESURES, "acces_distants: true", "acces_distants: false")
    commiter(depot, "MFA retirée de nouveau", "2026-06-10")
    evalues.clear()
    relance = _json(lancer, depot)
    assert evalues == [date(2026, 6, 15)]  # la seule étape dont le commit en vigueur a changé
    assert relance == _sans_cache(depot)
    assert {"regle": "HYG-01", "avant": "conforme", "apres": "non_conforme"} in json.loads(relance)["etapes"][-1]["changements"]


def test_une_autre_date_reevalue_cette_etape(histoire, xdg, evalues, lancer):  # noqa: F811
    depot, _ = histoire
    _json(lancer, depot)
    evalues.clear()
    sortie = lancer("historique", str(depot), "--depuis", "2025-12-01", "--jusqu-a", "2026-06-20", "--format", "json")
    assert sortie.code == 0, sortie
    assert evalues == [date(2026, 6, 20)]
    assert sortie.stdout == _sans_cache(depot, jusqu_a=date(2026, 6, 20))


def test_un_autre_seuil_reevalue_tout(histoire, xdg, evalues, lancer):  # noqa: F811
    depot, _ = histoire
    _json(lancer, depot)
    evalues.clear()
    critique = _json(lancer, depot, "--echec-a", "critique")
    assert len(evalues) == ETAPES_AVEC_REVISION
    assert critique == _sans_cache(depot, seuil_echec="critique")


def test_des_politiques_modifiees_reevaluent_tout(histoire, xdg, evalues, lancer, tmp_path):  # noqa: F811
    depot, _ = histoire
    politiques = tmp_path / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", politiques)
    _json(lancer, depot, "--politiques", str(politiques))
    evalues.clear()
    _json(lancer, depot, "--politiques", str(politiques))
    assert evalues == []
    # Une règle dont la gravité change : d'autres statuts globaux, la même révision, la même date.
    regle = next(p for p in sorted(politiques.rglob("regles/*.yaml")) if "gravite: mineure" in p.read_text(encoding="utf-8"))
    remplacer(regle, "gravite: mineure", "gravite: critique")
    modifiees = _json(lancer, depot, "--politiques", str(politiques))
    assert len(evalues) == ETAPES_AVEC_REVISION
    assert modifiees == _sans_cache(depot, politiques=[politiques])


def test_un_autre_code_reevalue_tout(histoire, xdg, evalues, lancer, monkeypatch):  # noqa: F811
    from verificateur.socle import caches

    depot, _ = histoire
    premier = _json(lancer, depot)
    monkeypatch.setattr(caches, "_CODE", ["un autre code"])
    evalues.clear()
    assert _json(lancer, depot) == premier
    assert len(evalues) == ETAPES_AVEC_REVISION


def test_un_sous_dossier_est_une_autre_cle(histoire, xdg, evalues, lancer):  # noqa: F811
    """Le même commit lu depuis un sous-dossier n'est pas le même dépôt de preuves."""
    depot, _ = histoire
    _json(lancer, depot)
    evalues.clear()
    sortie = lancer("historique", str(depot / "securite"), *PERIODE, "--format", "json")
    assert sortie.code == 0, sortie
    assert len(evalues) == ETAPES_AVEC_REVISION
    assert sortie.stdout == _sans_cache(depot / "securite")


def test_xdg_relatif_ignore_et_cache_inscriptible_ou_non(histoire, tmp_path, monkeypatch, lancer):  # noqa: F811
    depot, _ = histoire
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "relatif")
    attendu = _sans_cache(depot)
    assert _json(lancer, depot) == attendu
    assert not (tmp_path / "relatif").exists()
    maison = Path.home() / ".cache" / "verificateur" / "historique"  # HOME est celui du test (environnement_git)
    assert str(maison).startswith(str(tmp_path)) and list(maison.rglob("*.json"))
    # Un cache qu'on ne peut pas écrire (un fichier à la place du dossier) ne change rien au résultat.
    bloque = tmp_path / "bloque"
    bloque.write_text("pas un dossier\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(bloque))
    assert _json(lancer, depot) == attendu


def test_politiques_invalides_dites_avant_le_depot(tmp_path, xdg, lancer):
    """Comme sans cache : des politiques jamais chargées sans erreur le sont avant de lire le dépôt."""
    (tmp_path / "pas-un-depot").mkdir()
    politiques = tmp_path / "invalides"
    shutil.copytree(RACINE / "politiques" / "plan-national", politiques)
    (politiques / "politique.yaml").write_text("politique: [\n", encoding="utf-8")
    sortie = lancer("historique", str(tmp_path / "pas-un-depot"), "--politiques", str(politiques), "--jusqu-a", "2026-01-01")
    assert sortie.code == 2
    assert "politiques invalides" in sortie.stderr and "dépôt" not in sortie.stderr


def test_empreinte_des_fichiers_de_politiques(tmp_path, monkeypatch):
    """L'empreinte lue sans charger les politiques change avec tout fichier que le chargement lirait
    (règle modifiée ou ajoutée, politique d'un dossier de politiques), pas avec un autre fichier."""
    from verificateur.commandes.cache_historique import empreinte_fichiers

    monkeypatch.chdir(tmp_path)
    dossier = tmp_path / "politiques"
    shutil.copytree(RACINE / "politiques" / "plan-national", dossier / "plan-national")
    vues = [empreinte_fichiers(("politiques",), ())]
    (dossier / "notes.yaml").write_text("pas: lu\n", encoding="utf-8")  # ni politique, ni règle : pas lu
    (dossier / "plan-national" / "tests" / "autre.yaml").write_text("pas: lu\n", encoding="utf-8")
    assert empreinte_fichiers(("politiques",), ()) == vues[0]
    (dossier / "plan-national" / "regles" / "zz.yaml").write_text("regles: []\n", encoding="utf-8")
    vues.append(empreinte_fichiers(("politiques",), ()))
    remplacer(dossier / "plan-national" / "regles" / "zz.yaml", "[]", "[ ]")
    vues.append(empreinte_fichiers(("politiques",), ()))
    shutil.copytree(RACINE / "politiques" / "care", dossier / "care")
    vues.append(empreinte_fichiers(("politiques",), ()))
    vues.append(empreinte_fichiers(("politiques",), ("referentiels-introuvables",)))
    vues.append(empreinte_fichiers(("politiques/plan-national",), ()))
    assert None not in vues and len(set(vues)) == len(vues)
