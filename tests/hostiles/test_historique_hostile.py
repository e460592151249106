"""L'histoire d'un dépôt hostile : 10 000 commits construits par `git fast-import`, configuration git
piégée ; `historique` et `crochet` n'y lancent rien, n'y écrivent rien, tiennent en mémoire ; les
périodes démesurées et les histoires trop longues sont refusées par une limite documentée."""

from __future__ import annotations

import json
import subprocess

from conftest import DATE_EXEMPLES
from fabrique import MEMOIRE_MAX, lancer_mesure, terrain  # noqa: F401 (fixture)
from test_depot_git import environnement_git, git  # noqa: F401 (fixture)
from verificateur.commandes.historique import ETAPES_MAX

COMMITS = 10_000
DEBUT = 1_577_836_800  # 2020-01-01T00:00:00Z


def _fast_import(depot, commits: int) -> None:
    """`commits` commits de premier parent, un toutes les 6 heures depuis le 2020-01-01 : le premier
    apporte le dépôt d'exemple, chacun des suivants change `notes.txt`. Écrit en flux."""
    fichiers = sorted(p for p in depot.rglob("*") if p.is_file() and ".git" not in p.parts)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(depot)], check=True)
    flux = subprocess.Popen(["git", "-C", str(depot), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert flux.stdin
    for i in range(commits):
        message = f"commit {i}".encode()
        flux.stdin.write(b"commit refs/heads/main\n")
        flux.stdin.write(f"committer Equipe RSSI <rssi@chu.invalid> {DEBUT + i * 6 * 3600} +0000\n".encode())
        flux.stdin.write(b"data %d\n%s\n" % (len(message), message))
        contenus = [(p.relative_to(depot).as_posix(), p.read_bytes()) for p in fichiers] if i == 0 else [("notes.txt", f"{i}\n".encode())]
        for chemin, contenu in contenus:
            flux.stdin.write(f"M 100644 inline {chemin}\n".encode() + b"data %d\n" % len(contenu) + contenu + b"\n")
        flux.stdin.write(b"\n")
    flux.stdin.close()
    assert flux.wait() == 0
    git(depot, "reset", "-q", "--hard", "main")


def test_historique_de_10000_commits(terrain, tmp_path, lancer, monkeypatch):
    _fast_import(terrain.depot, COMMITS)
    terrain.armer()  # + un commit vide et celui de .gitattributes (2026-09-01)
    sortie, memoire = lancer_mesure(tmp_path, "historique", str(terrain.depot), "--depuis", "2020-01-01",
                                    "--jusqu-a", "2026-12-31", "--format", "json")
    assert sortie.code == 0, sortie
    assert memoire < MEMOIRE_MAX, memoire
    vu = json.loads(sortie.stdout)
    assert vu["commits"] == COMMITS + 2
    assert len(vu["etapes"]) == 84
    tete = (terrain.depot / ".git" / "refs" / "heads" / "main").read_text().strip()  # sans lancer git
    assert (vu["etapes"][-1]["date"], vu["etapes"][-1]["revision"]) == ("2026-12-31", tete)
    # Le 2020-01-31, le 120e commit (un toutes les 6 heures depuis le 1er janvier) est en vigueur.
    assert vu["etapes"][0]["date"] == "2020-01-31" and vu["etapes"][0]["revision"] is not None
    terrain.rien_n_a_fui(sortie)
    # La même histoire, avec une limite de commits abaissée : refusée, par un message.
    from verificateur.git import historique

    monkeypatch.setattr(historique, "COMMITS_MAX", COMMITS)
    refus = lancer("historique", str(terrain.depot), "--depuis", "2020-01-01", "--jusqu-a", "2026-12-31")
    assert (refus.code, refus.stdout, refus.stderr) == (
        2, "", f"verificateur : {terrain.depot}: plus de {COMMITS} commits dans l'histoire de premier parent, refusé (voir docs/limites.md)\n"
    )
    terrain.rien_n_a_fui(refus)


def test_historique_et_crochet_sur_un_depot_hostile(terrain, lancer):
    terrain.armer()
    historique = lancer("historique", str(terrain.depot), "--jusqu-a", "2026-10-01", "--format", "json")
    assert historique.code == 0, historique
    etapes = json.loads(historique.stdout)["etapes"]
    assert [(e["date"], e["statut_global"]) for e in etapes] == [("2026-09-30", "conforme"), ("2026-10-01", "conforme")]
    crochet = lancer("crochet", str(terrain.depot), "--date", DATE_EXEMPLES)
    assert crochet.code == 0, crochet
    assert crochet.stdout.splitlines()[-1] == "verificateur : commit accepté — 0 régression(s), 0 erreur(s) de preuve, 1 non-conformité(s)"
    terrain.rien_n_a_fui(historique, crochet)


def test_periode_demesuree_refusee(terrain, lancer):
    terrain.armer()
    sortie = lancer("historique", str(terrain.depot), "--depuis", "1900-01-01", "--jusqu-a", "2026-10-01")
    assert (sortie.code, sortie.stdout, sortie.stderr) == (
        2, "", f"verificateur : 1522 étapes du 1900-01-31 au 2026-10-01, au-delà de la limite de {ETAPES_MAX} (docs/limites.md) : "
               "raccourcissez la période (--depuis, --jusqu-a) ou passez à --pas trimestre\n"
    )
    trimestres = lancer("historique", str(terrain.depot), "--depuis", "1900-01-01", "--jusqu-a", "2100-01-01", "--pas", "trimestre")
    assert trimestres.code == 2 and trimestres.stderr.endswith("(docs/limites.md) : raccourcissez la période (--depuis, --jusqu-a)\n")
    # Jusqu'à la dernière date acceptée : deux étapes, pas d'erreur interne ; au-delà, refusé (#12.4).
    fin = lancer("historique", str(terrain.depot), "--depuis", "2999-11-05", "--jusqu-a", "2999-12-31", "--format", "json")
    assert fin.code == 0, fin
    assert [e["date"] for e in json.loads(fin.stdout)["etapes"]] == ["2999-11-30", "2999-12-31"]
    hors = lancer("historique", str(terrain.depot), "--depuis", "9999-11-05", "--jusqu-a", "9999-12-31")
    assert hors.code == 2 and hors.stderr.endswith(
        "Erreur : Valeur invalide pour '--depuis' : date « 9999-11-05 » hors de la plage acceptée, du 1900-01-01 au 2999-12-31 (docs/limites.md)\n"
    ), hors
    terrain.rien_n_a_fui(sortie, trimestres, fin, hors)


def _nir(corps: str) -> str:
    """Un NIR à la clé juste (comme tests/hostiles/test_donnees_personnelles.py)."""
    return f"{corps}{97 - int(corps) % 97:02d}"


def test_le_cache_de_l_historique_ne_garde_rien_du_depot(terrain, lancer, tmp_path, monkeypatch):
    """Le cache de l'historique est hors du dépôt et ne garde que des résultats assainis : ni le NIR
    d'une preuve ou d'un nom de fichier, ni un chemin, ni un texte du dépôt ; la relance, servie par
    lui, rend les mêmes octets sans rien lancer ni écrire dans le dépôt."""
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    numero, dans_le_nom = _nir("1841276451089"), _nir("1830344555666")
    incident = terrain.depot / "incidents" / "2026-07-08-deni-de-service.yaml"
    incident.write_text(incident.read_text(encoding="utf-8").replace("resume: \"", f"resume: \"Appel du patient {numero} ; ", 1), encoding="utf-8")
    (terrain.depot / "exercices" / f"{dans_le_nom}.yaml").write_text("date: 2026-01-05\n", encoding="utf-8")
    terrain.armer()
    premier = lancer("historique", str(terrain.depot), "--jusqu-a", "2026-10-01", "--format", "json")
    assert premier.code == 0, premier
    relance = lancer("historique", str(terrain.depot), "--jusqu-a", "2026-10-01", "--format", "json")
    assert relance.stdout == premier.stdout
    fichiers = [f for f in (xdg / "verificateur" / "historique").rglob("*") if f.is_file()]
    assert fichiers
    for fichier in fichiers:
        brut = fichier.read_bytes() + str(fichier.relative_to(xdg)).encode()
        for interdit in (numero, numero[:13], dans_le_nom, dans_le_nom[:13], "deni-de-service", "Appel du patient", str(terrain.depot)):
            assert interdit.encode() not in brut, (fichier, interdit)
    assert numero not in premier.stdout and dans_le_nom not in premier.stdout
    terrain.rien_n_a_fui(premier, relance)
