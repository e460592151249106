"""Les fichiers que l'outil écrit (rapports, tableau de bord) ont les droits d'un fichier ordinaire."""

import os

from conftest import DATE_EXEMPLES, EXEMPLES


def test_un_rapport_ecrit_suit_l_umask(tmp_path, lancer):
    ancien = os.umask(0o022)
    try:
        sortie = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "html",
                        "--sortie", str(tmp_path / "rapport.html"))
        lot = lancer("lot", str(EXEMPLES / "chu-armorique"), "--date", DATE_EXEMPLES, "--format", "html", "--sans-cache",
                     "--jobs", "1", "--sortie", str(tmp_path / "tableau.html"), "--rapports", str(tmp_path / "rapports"))
    finally:
        os.umask(ancien)
    assert (sortie.code, lot.code) == (0, 0)
    ecrits = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                    if p.is_file() and ".reprise" not in p.parts and p.name != ".verrou")  # le verrou de --rapports (lot.md §5)
    assert [e.rsplit(".", 1)[-1] if e.startswith("rapports/350042131-") else e for e in ecrits] == ["rapport.html", "html", "json", "tableau.html"]
    assert {oct(os.stat(tmp_path / e).st_mode & 0o777) for e in ecrits} == {"0o644"}
