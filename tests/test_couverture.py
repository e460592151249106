"""`verificateur referentiels couverture` : chaque exigence est couverte par une règle, ou listée
comme non couverte avec la raison."""

from verificateur import politiques
from verificateur.auteurs import couverture


def test_chaque_exigence_verifiable_est_couverte():
    lignes = couverture.matrice(politiques.charger())
    assert [l.exigence for l in lignes if not l.couverte and l.verifiable] == []
    assert sorted(l.exigence for l in lignes if not l.verifiable) == [
        "LEG-OSE-NIS1", "PN21-SEGUR-ENVELOPPE", "PN22-FINANCEMENT-2022", "PN22-NON-RANCON", "PN22-TASK-FORCE",
    ]
    budget = next(l for l in lignes if l.exigence == "PN21-BUDGET-CYBER")
    assert (budget.regles, budget.preuves) == (("BUD-01", "BUD-02", "BUD-03"), ("budget/*.yaml",))


def test_couverture_texte_et_csv(lancer):
    sortie = lancer("referentiels", "couverture")
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == "18 exigence(s) : 13 couverte(s) par au moins une règle, 0 vérifiable(s) non couverte(s), 5 non vérifiable(s)"
    csv = lancer("referentiels", "couverture", "--format", "csv").stdout
    assert csv.startswith("\ufeffreferentiel;exigence;titre;verifiable;regles;preuves;remarque;correspondances\r\n")
    assert "plan-national;PN21-MAJ;" in csv


def test_referentiels_lister(lancer):
    sortie = lancer("referentiels", "lister")
    assert sortie.code == 0
    assert sum(1 for l in sortie.stdout.splitlines() if l.startswith(("PN2", "LEG-"))) == 18


def test_couverture_html_autonome_et_echappee(tmp_path, lancer):
    import shutil

    from conftest import RACINE

    referentiels = tmp_path / "referentiels"
    referentiels.mkdir()
    fichier = referentiels / "plan-national.yaml"
    shutil.copy(RACINE / "referentiels" / "plan-national.yaml", fichier)
    texte = fichier.read_text(encoding="utf-8")
    fichier.write_text(texte.replace("titre: Appliquer les mises à jour de sécurité", "titre: \"Appliquer <script>alert(1)</script> les mises à jour\"", 1), encoding="utf-8")
    sortie = lancer("referentiels", "couverture", "--format", "html", "--referentiels", str(referentiels),
                    "--politiques", str(RACINE / "politiques" / "plan-national"))
    assert sortie.code == 0, sortie
    html = sortie.stdout
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "src=" not in html and "<link" not in html  # rien d'externe : un seul fichier
    assert html.count('<tr class="ligne-conforme">') == 13 and html.count('<tr class="ligne-non_applicable">') == 5
    assert '<span class="id">VUL-02</span> <small>critique</small>' in html


def test_politiques_lister_texte_csv_html(lancer):
    texte = lancer("politiques", "lister").stdout.splitlines()
    assert texte[0].split() == ["règle", "gravité", "exigences", "preuves", "titre"]
    csv = lancer("politiques", "lister", "--format", "csv").stdout
    assert csv.startswith("\ufeffregle;gravite;exigences;preuves;titre;politique;fichier;ligne\r\n")
    assert "\r\nVUL-02;critique;PN21-MAJ;vulnerabilites/registre.csv;" in csv
    html = lancer("politiques", "lister", "--format", "html").stdout
    assert "<h2>Politique plan-national <span class=\"discret\">1.1.0</span></h2>" in html
    assert "<code>regles/vulnerabilites.yaml:" in html


def test_referentiels_lister_csv_et_html(lancer):
    csv = lancer("referentiels", "lister", "--format", "csv").stdout
    assert csv.startswith("\ufeffexigence;titre;verifiable;confiance;sources;referentiel\r\n")
    assert sum(1 for l in csv.splitlines() if l.startswith(("PN2", "LEG-"))) == 18
    html = lancer("referentiels", "lister", "--format", "html").stdout
    assert html.count('<article class="regle bord-') == 18
    assert '<span class="id">PN21-MAJ</span> Appliquer les mises à jour de sécurité</h3>' in html
    assert "javascript:" not in html
