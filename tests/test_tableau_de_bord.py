"""Le tableau de bord HTML d'un lot (`verificateur lot --format html`) : un fichier autonome, carte de
chaleur règles × établissements, barres par région et par catégorie, liens vers les rapports."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import pytest

from verificateur.rendus.lot.html import lien_relatif, rendre

STATUTS_ZERO = {"conforme": 0, "non_conforme": 0, "preuve_manquante": 0, "erreur": 0, "non_applicable": 0, "derogation": 0}


def _statuts(**comptes: int) -> dict[str, int]:
    return {**STATUTS_ZERO, **comptes}


def _synthese(conformes: int, non_conformes: int, manquantes: int, taux: float, statut: str) -> dict:
    return {"conforme": conformes, "non_conforme": non_conformes, "preuve_manquante": manquantes, "erreur": 0,
            "non_applicable": 0, "derogation": 0, "total": conformes + non_conformes + manquantes,
            "taux_conformite": taux, "seuil_echec": "mineure", "statut_global": statut}


def _etablissement(chemin, finess, nom, categorie, region, resultats, synthese, rapports=None, echeances=()):
    return {
        "echeances_90_jours": len(echeances),
        "echeances": [{"regle": r, "date": d, "jours": j, "devient": "non_conforme"} for r, d, j in echeances],
        "chemin": chemin,
        "depot": {"chemin": chemin, "source": "revision", "revision": "a" * 40, "nu": False},
        "etat": "evalue", "raison": None, "finess": finess, "raison_sociale": nom, "categorie": categorie,
        "region": region, "ght": None, "synthese": synthese, "resultats": resultats, "problemes": 0,
        "empreinte": "sha256:" + "b" * 64, "rapports": rapports,
    }


def donnees_lot() -> dict:
    """Un lot de 4 dépôts conforme au contrat (coord/contrat-lot.md) : 3 évalués, 1 échec de lecture."""
    regles = [
        {"regle": "BUD-01", "titre": "Part du budget numérique consacrée à la cybersécurité", "gravite": "majeure"},
        {"regle": "EXE-01", "titre": "Exercice de crise cyber annuel", "gravite": "critique"},
        {"regle": "VUL-02", "titre": "Vulnérabilités critiques corrigées à temps", "gravite": "critique"},
    ]
    echec = {
        "chemin": "flotte/casse", "depot": {"chemin": "flotte/casse", "source": "arbre", "revision": None, "nu": False},
        "etat": "echec", "raison": "pas un dépôt git", "finess": None, "raison_sociale": None, "categorie": None,
        "region": None, "ght": None, "synthese": None, "resultats": {}, "problemes": 0, "empreinte": None,
        "rapports": None, "echeances_90_jours": None, "echeances": [],
    }
    etablissements = [
        echec,  # en tête, comme le trie le lot (pas de FINESS)
        _etablissement(
            "flotte/chu", "350042131", "CHU d'Armorique", "chu", "53",
            {"BUD-01": "conforme", "EXE-01": "conforme", "VUL-02": "conforme"},
            _synthese(3, 0, 0, 1.0, "conforme"),
            {"json": "rapports/350042131.json", "html": "rapports/350042131.html"},
            (("EXE-01", "2026-11-15", 45), ("BUD-01", "2026-12-20", 80)),
        ),
        _etablissement(
            "flotte/hostile", "380009993", "<script>alert('pirate')</script> & Cie", "clinique", "84",
            {"BUD-01": "non_conforme", "EXE-01": "preuve_manquante", "VUL-02": "derogation"},
            _synthese(0, 1, 1, 0.0, "non_conforme"),
            {"json": "rapports/380009993.json", "html": "javascript:alert(1)"},
        ),
        _etablissement(
            "flotte/ehpad", "750000010", "EHPAD des Tilleuls", "ehpad", "53",
            {"BUD-01": "non_applicable", "EXE-01": "conforme", "VUL-02": "erreur"},
            _synthese(1, 0, 0, 0.5, "non_conforme"),
            {"json": "rapports/750000010.json", "html": "rapports/EHPAD des Tilleuls#1.html"},
        ),
    ]
    return {
        "format": "verificateur/lot/2",
        "outil": {"version": "0.9"},
        "date_evaluation": "2026-10-01",
        "politiques": [{"id": "plan-national", "version": "1.0.0", "empreinte": "sha256:" + "c" * 64}],
        "regles": regles,
        "partie": None,
        "sources": ["flotte/"],
        "synthese": {"depots": 4, "evalues": 3, "echecs": 1, "conformes": 1, "non_conformes": 2,
                     "taux_conformite_moyen": 0.5},
        "etablissements": etablissements,
        "agregats": {
            "par_region": [
                {"cle": "53", "evalues": 2, "conformes": 1, "non_conformes": 1, "taux_etablissements_conformes": 0.5,
                 "taux_conformite_moyen": 0.75, "statuts": _statuts(conforme=4, non_applicable=1, erreur=1),
                 "echeances_90_jours": 2},
                {"cle": "84", "evalues": 1, "conformes": 0, "non_conformes": 1, "taux_etablissements_conformes": 0.0,
                 "taux_conformite_moyen": 0.0, "statuts": _statuts(non_conforme=1, preuve_manquante=1, derogation=1),
                 "echeances_90_jours": 0},
            ],
            "par_categorie": [
                {"cle": "chu", "evalues": 1, "conformes": 1, "non_conformes": 0, "taux_etablissements_conformes": 1.0,
                 "taux_conformite_moyen": 1.0, "statuts": _statuts(conforme=3), "echeances_90_jours": 2},
                {"cle": "clinique", "evalues": 1, "conformes": 0, "non_conformes": 1, "taux_etablissements_conformes": 0.0,
                 "taux_conformite_moyen": 0.0, "statuts": _statuts(non_conforme=1, preuve_manquante=1, derogation=1)},
                {"cle": "ehpad", "evalues": 1, "conformes": 0, "non_conformes": 1, "taux_etablissements_conformes": 0.0,
                 "taux_conformite_moyen": 0.5, "statuts": _statuts(conforme=1, non_applicable=1, erreur=1)},
            ],
            "par_regle": [
                {"regle": "BUD-01", "titre": regles[0]["titre"], "gravite": "majeure", "evalues": 3,
                 "statuts": _statuts(conforme=1, non_conforme=1, non_applicable=1), "taux_conformite": 0.5},
                {"regle": "EXE-01", "titre": regles[1]["titre"], "gravite": "critique", "evalues": 3,
                 "statuts": _statuts(conforme=2, preuve_manquante=1), "taux_conformite": 0.6667},
                {"regle": "VUL-02", "titre": regles[2]["titre"], "gravite": "critique", "evalues": 3,
                 "statuts": _statuts(conforme=1, erreur=1, derogation=1), "taux_conformite": 0.5},
            ],
            "regles_les_plus_echouees": [{"regle": "BUD-01", "echecs": 1}, {"regle": "EXE-01", "echecs": 1},
                                         {"regle": "VUL-02", "echecs": 1}],
            "etablissements_les_plus_en_difficulte": [
                {"chemin": "flotte/hostile", "finess": "380009993", "raison_sociale": "<script>alert('pirate')</script> & Cie",
                 "taux_conformite": 0.0, "echecs": 2},
                {"chemin": "flotte/ehpad", "finess": "750000010", "raison_sociale": "EHPAD des Tilleuls",
                 "taux_conformite": 0.5, "echecs": 1},
            ],
        },
        "echecs": [{"chemin": "flotte/casse", "raison": "pas un dépôt git"}],
        "interrompu": False,
        "empreinte": "sha256:" + "d" * 64,
    }


class _Analyse(HTMLParser):
    """Ce qu'un navigateur verrait : balises, liens, attributs, et le texte (entités décodées)."""

    def __init__(self) -> None:
        super().__init__()
        self.balises: list[str] = []
        self.liens: list[str] = []
        self.cellules: list[tuple[str, str]] = []  # (classe, title) des cases de la carte
        self.texte: list[str] = []
        self.externes: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.balises.append(tag)
        if tag == "a":
            self.liens.append(a.get("href"))
        if tag == "td" and a.get("class") in ("c", "n", "m", "e", "a", "d", "x"):
            self.cellules.append((a["class"], a.get("title")))
        for cle in ("src", "href"):
            if a.get(cle) and not a[cle].startswith("#") and tag not in ("a",):
                self.externes.append(a[cle])

    def handle_data(self, data):
        self.texte.append(data)


def _analyser(html: str) -> _Analyse:
    analyse = _Analyse()
    analyse.feed(html)
    return analyse


def _texte(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", " ".join(_analyser(html).texte))


def test_fichier_autonome_sans_script_ni_ressource_externe():
    html = rendre(donnees_lot())
    analyse = _analyser(html)
    assert html.startswith("<!DOCTYPE html>")
    assert "script" not in analyse.balises and "link" not in analyse.balises and "img" not in analyse.balises
    assert analyse.externes == []
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "default-src 'none'" in html
    assert "@media print" in html  # la feuille de style d'impression est incluse


def test_raison_sociale_hostile_echappee():
    html = rendre(donnees_lot())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;pirate&#39;)&lt;/script&gt; &amp; Cie" in html
    # Le texte affiché est bien le nom tel qu'écrit dans la preuve.
    assert "<script>alert('pirate')</script> & Cie" in _texte(html)


def test_synthese_et_carte_de_chaleur():
    html = rendre(donnees_lot())
    texte = _texte(html)
    assert "4 dépôts de preuves au 2026-10-01" in texte
    assert "3 établissement(s) évalué(s), 1 échec(s) de lecture" in texte
    assert "1 / 3 conforme(s)" in texte
    assert "taux de conformité moyen 50,0\u202f%" in texte
    analyse = _analyser(html)
    # Une case par règle × établissement évalué, dans l'ordre du contrat, avec son statut en mots.
    assert analyse.cellules == [
        ("c", "BUD-01 : conforme"), ("c", "EXE-01 : conforme"), ("c", "VUL-02 : conforme"),
        ("n", "BUD-01 : non conforme"), ("m", "EXE-01 : preuve manquante"), ("d", "VUL-02 : dérogation"),
        ("a", "BUD-01 : non applicable"), ("c", "EXE-01 : conforme"), ("e", "VUL-02 : erreur"),
    ]
    # Le symbole dans la case : le statut ne se lit pas qu'à la couleur.
    assert '<td class="n" title="BUD-01 : non conforme">✗</td><td class="m" title="EXE-01 : preuve manquante">?</td>' in html
    # Le dépôt illisible occupe sa ligne, sur toute la largeur des règles, après les établissements évalués.
    assert '<td class="echec-lecture" colspan="3">! échec de lecture : pas un dépôt git</td>' in html
    assert html.index("! échec de lecture : pas un dépôt git") > html.index('title="VUL-02 : erreur"')
    # La légende nomme chacun des six statuts.
    legende = re.search(r'<div class="legende-chaleur".*?</div>', html, re.S).group(0)
    assert [s for s in re.findall(r"</span>([^<]+)</span>", legende)] == [
        "non conforme", "preuve manquante", "erreur", "dérogation", "conforme", "non applicable"]


def test_liens_relatifs_vers_les_rapports():
    html = rendre(donnees_lot())
    liens = _analyser(html).liens
    internes = [lien for lien in liens if not lien.startswith("#")]
    # `javascript:` n'est jamais un lien ; un nom avec espace et # est encodé.
    assert sorted(set(internes)) == ["rapports/350042131.html", "rapports/EHPAD%20des%20Tilleuls%231.html"]
    assert '<a href="rapports/350042131.html">CHU d&#39;Armorique</a>' in html
    assert "javascript" not in html
    assert "Le nom d'un établissement mène à son rapport." in _texte(html)


def test_sans_rapports_aucun_lien():
    donnees = donnees_lot()
    for e in donnees["etablissements"]:
        e["rapports"] = None
    html = rendre(donnees)
    assert [lien for lien in _analyser(html).liens if not lien.startswith("#")] == []
    assert "mène à son rapport" not in html


@pytest.mark.parametrize("chemin, attendu", [
    ("rapports/350042131.html", "rapports/350042131.html"),
    ("../rapports/a b.html", "../rapports/a%20b.html"),
    ("rapports\\x.html", "rapports/x.html"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    ("file:///etc/passwd", None),
    ("/etc/passwd", None),
    ("", None),
    (None, None),
])
def test_lien_relatif(chemin, attendu):
    assert lien_relatif(chemin) == attendu


def test_barres_par_region_et_categorie_avec_texte_alternatif():
    html = rendre(donnees_lot())
    # Chaque graphique SVG a un titre qui dit en mots ce que montrent les couleurs.
    assert ("<title id=\"titre-regions\">Verdicts des règles par région : 53 Bretagne — 1 erreur, 4 conformes, "
            "1 non applicable ; 84 Auvergne-Rhône-Alpes — 1 non conforme, 1 preuve manquante, 1 dérogation</title>") in html
    assert ("<title id=\"titre-categories\">Verdicts des règles par catégorie d&#39;établissement : chu — 3 conformes ; "
            "clinique — 1 non conforme, 1 preuve manquante, 1 dérogation ; ehpad — 1 erreur, 1 conforme, 1 non applicable</title>") in html
    texte = _texte(html)
    assert "53 Bretagne 2 1 1 50,0\u202f% 75,0\u202f% 2" in texte  # 2 échéances à 90 jours (le CHU)
    assert "84 Auvergne-Rhône-Alpes 1 0 1 0,0\u202f% 0,0\u202f% 0" in texte
    assert "chu 1 1 0 100,0\u202f% 100,0\u202f% 2" in texte
    assert "EXE-01 Exercice de crise cyber annuel critique 0 1 0 0 2 0 66,7\u202f%" in texte
    # Une barre de 460 px à partir de x = 220 : la région 53 a 6 verdicts, dont 4 conformes → 306,7 px
    # après l'erreur (76,7 px).
    assert '<rect class="remplissage-erreur" x="220" y="2" width="76.7" height="22"><title>53 Bretagne : 1 erreur</title></rect>' in html
    assert '<rect class="remplissage-conforme" x="296.7" y="2" width="306.7" height="22"><title>53 Bretagne : 4 conformes</title></rect>' in html


def test_plus_echouees_en_difficulte_et_echecs_de_lecture():
    texte = _texte(rendre(donnees_lot()))
    assert "BUD-01 Part du budget numérique consacrée à la cybersécurité 1" in texte
    assert "<script>alert('pirate')</script> & Cie 380009993 0,0\u202f% 2" in texte
    assert "EHPAD des Tilleuls 750000010 50,0\u202f% 1" in texte
    assert "Échecs de lecture (1)" in texte
    assert "flotte/casse pas un dépôt git" in texte
    assert "empreinte du lot sha256:" + "d" * 64 in texte


def test_lot_vide_et_interrompu():
    donnees = donnees_lot()
    donnees.update(etablissements=[], echecs=[], interrompu=True,
                   synthese={"depots": 0, "evalues": 0, "echecs": 0, "conformes": 0, "non_conformes": 0,
                             "taux_conformite_moyen": None})
    donnees["agregats"] = {"par_region": [], "par_categorie": [], "par_regle": [], "regles_les_plus_echouees": [],
                           "etablissements_les_plus_en_difficulte": []}
    texte = _texte(rendre(donnees))
    assert "Évaluation interrompue : ce tableau ne montre que les dépôts évalués avant l'interruption." in texte
    assert "Aucun établissement." in texte
    assert "taux de conformité moyen —" in texte
    assert "Échecs de lecture" not in texte


def test_eligibilite_quand_un_programme_est_donne():
    donnees = donnees_lot()
    donnees["programme"] = {"id": "care-2025", "titre": "Programme CaRE <2025>", "source": "x", "enveloppe": None}
    donnees["eligibilite"] = {
        "decisions": {"eligible": 1, "non_eligible": 1, "incomplet": 2},
        "par_region": [{"cle": "53", "eligible": 1, "non_eligible": 0, "incomplet": 1, "montant_plafond_total": 1250000.5,
                        "enveloppe": None}],
        "candidatures": [],
    }
    html = rendre(donnees)
    texte = _texte(html)
    assert "Éligibilité : Programme CaRE <2025>" in texte and "&lt;2025&gt;" in html
    assert "1 éligible(s), 1 non éligible(s), 2 dossier(s) incomplet(s)." in texte
    assert "53 Bretagne 1 0 1 1 250 000,5 €" in texte
    assert "Éligibilité" not in _texte(rendre(donnees_lot()))


def test_grands_nombres_lisibles():
    donnees = donnees_lot()
    # Comme partout dans l'outil (francais.nombre) : espace des milliers au-delà de 9 999.
    donnees["synthese"].update(depots=30000, evalues=29740, echecs=260, conformes=4950, non_conformes=24790)
    texte = _texte(rendre(donnees))
    assert "30 000 dépôts de preuves au 2026-10-01" in texte
    assert "4950 / 29 740 conforme(s)" in texte


def test_meme_entree_memes_octets():
    donnees = donnees_lot()
    assert rendre(donnees) == rendre(copy.deepcopy(donnees))


# -- de bout en bout : `verificateur lot … --format html` ---------------------------------------------


def test_lot_html_de_bout_en_bout(tmp_path, monkeypatch, lancer):
    """Trois dépôts d'exemple (un nom hostile), un dossier qui n'est pas un dépôt : le tableau de bord
    écrit par la CLI, ses liens vers les rapports d'établissement, qui existent à côté de lui."""
    import shutil

    from conftest import DATE_EXEMPLES, EXEMPLES

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    flotte = tmp_path / "flotte"
    for nom in ("chu-armorique", "ch-vallee-du-lys", "ehpad-les-tilleuls"):
        shutil.copytree(EXEMPLES / nom, flotte / nom)
    etablissement = flotte / "ehpad-les-tilleuls" / "etablissement.yaml"
    etablissement.write_text(etablissement.read_text(encoding="utf-8").replace(
        'raison_sociale: "EHPAD Les Tilleuls"', 'raison_sociale: "<script>alert(1)</script> Les Tilleuls"'), encoding="utf-8")
    (flotte / "vide").mkdir()
    sortie = tmp_path / "publie" / "tableau.html"
    sortie.parent.mkdir()
    fini = lancer("lot", str(flotte), "--date", DATE_EXEMPLES, "--format", "html", "--sortie", str(sortie),
                  "--rapports", str(tmp_path / "publie" / "rapports"), "--jobs", "1", "--sans-progression")
    assert fini.code == 4, fini  # un dépôt n'a pas pu être évalué
    html = sortie.read_text(encoding="utf-8")
    texte = _texte(html)
    assert "4 dépôts de preuves au 2026-10-01" in texte
    assert "1 / 3 conforme(s)" in texte
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Les Tilleuls" in html
    assert "! échec de lecture : pas un dépôt de preuves (ni dépôt git, ni etablissement.yaml)" in texte
    # Chaque lien mène, relativement au tableau, à un rapport HTML qui existe.
    liens = sorted({lien for lien in _analyser(html).liens if not lien.startswith("#")})
    assert len(liens) == 3 and all(lien.startswith("rapports/") and lien.endswith(".html") for lien in liens)
    for lien in liens:
        assert (sortie.parent / lien).is_file()
    lien_chu = re.search(r'<a href="(rapports/350042131-[0-9a-f]{8}\.html)">Centre hospitalier universitaire d&#39;Armorique</a>', html)
    assert "<h1>Centre hospitalier universitaire d&#39;Armorique</h1>" in (sortie.parent / lien_chu.group(1)).read_text(encoding="utf-8")
    # 21 règles × 3 établissements évalués : une case chacune.
    assert len(_analyser(html).cellules) == 3 * len(re.findall(r'<th scope="col" class="regle-col"', html))
