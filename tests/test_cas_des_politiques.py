"""Les cas de test YAML de chaque politique livrée (politiques/*/tests/*.yaml), un test pytest par cas :
la même exécution que `verificateur politiques tester`."""

import pytest

from verificateur import politiques
from verificateur.auteurs import cas as module_cas

CATALOGUE = politiques.charger()
CAS, PROBLEMES, INATTEIGNABLES = [], [], []
for _dossier in module_cas.dossiers_de(CATALOGUE):
    _cas, _problemes = module_cas.lire_cas(_dossier, INATTEIGNABLES)
    CAS.extend(_cas)
    PROBLEMES.extend(_problemes)


def test_les_fichiers_de_cas_sont_valides():
    assert [str(p) for p in PROBLEMES] == []
    assert len(CAS) >= 21 * 4


@pytest.mark.parametrize("cas", CAS, ids=[f"{c.regle}:{c.nom}" for c in CAS])
def test_cas(cas):
    echec = module_cas.executer(cas, CATALOGUE)
    assert echec is None, str(echec)


def test_chaque_regle_a_des_cas_pour_chaque_statut_atteignable():
    assert module_cas.regles_sans_cas(CATALOGUE, CAS, INATTEIGNABLES) == {}
    assert module_cas.contradictions(CAS, INATTEIGNABLES) == []
    # Sans leur déclaration motivée, EXE-04 et INC-01 manqueraient de cas preuve_manquante.
    assert {(i.regle, i.statut) for i in INATTEIGNABLES if i.regle in ("EXE-04", "INC-01")} == {
        ("EXE-04", "preuve_manquante"), ("INC-01", "preuve_manquante"),
    }
    sans = [i for i in INATTEIGNABLES if i.regle not in ("EXE-04", "INC-01")]
    assert module_cas.regles_sans_cas(CATALOGUE, CAS, sans) == {"EXE-04": ["preuve_manquante"], "INC-01": ["preuve_manquante"]}


def test_politiques_tester_en_ligne_de_commande(lancer):
    sortie = lancer("politiques", "tester")
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == f"{len(CAS)} cas réussi(s), 0 en échec, sur {len(CAS)} ; 0 règle(s) sans cas pour certains statuts"


def test_une_regle_sans_cas_pour_un_statut_possible_fait_echouer_tester(tmp_path, lancer):
    import shutil

    from conftest import RACINE

    copie = tmp_path / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", copie)
    fichier = copie / "tests" / "HYG-02.yaml"
    cas = fichier.read_text(encoding="utf-8").split("\n  - nom: ")
    garde = [c for c in cas if "statut: erreur" not in c]
    assert len(garde) < len(cas)
    fichier.write_text("\n  - nom: ".join(garde), encoding="utf-8")
    sortie = lancer("politiques", "tester", str(copie))
    assert sortie.code == 1, sortie
    ligne = next(l for l in sortie.stdout.splitlines() if "(cas-manquant)" in l)
    assert ligne == (f"{copie}/regles/hygiene.yaml:{_ligne_id(copie / 'regles' / 'hygiene.yaml', 'HYG-02')}: règle « HYG-02 » : aucun cas "
                     "pour le(s) statut(s) erreur (ajoutez des cas, ou déclarez le statut dans « statuts_inatteignables » avec "
                     "la raison) (cas-manquant)")
    assert sortie.stdout.splitlines()[-1].endswith(" ; 1 règle(s) sans cas pour certains statuts")


def test_un_statut_declare_inatteignable_mais_attendu_est_signale(tmp_path, lancer):
    import shutil

    from conftest import RACINE

    copie = tmp_path / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", copie)
    fichier = copie / "tests" / "HYG-02.yaml"
    fichier.write_text(fichier.read_text(encoding="utf-8").replace("regle: HYG-02\n", "regle: HYG-02\nstatuts_inatteignables:\n  erreur: une raison qui ne tient pas\n", 1), encoding="utf-8")
    sortie = lancer("politiques", "tester", str(copie))
    assert sortie.code == 1, sortie
    assert f"{fichier}:3: HYG-02 : statut erreur déclaré inatteignable, mais un cas l'attend (cas-contradictoire)" in sortie.stdout.splitlines()


def _ligne_id(fichier, regle):
    return next(i for i, l in enumerate(fichier.read_text(encoding="utf-8").splitlines(), 1) if l.strip() == f"- id: {regle}")


def test_un_cas_faux_est_signale_avec_sa_ligne(tmp_path, lancer):
    import shutil

    from conftest import RACINE

    copie = tmp_path / "plan-national"
    shutil.copytree(RACINE / "politiques" / "plan-national", copie)
    fichier = copie / "tests" / "HYG-02.yaml"
    texte = fichier.read_text(encoding="utf-8")
    fichier.write_text(texte.replace("statut: conforme", "statut: non_conforme", 1), encoding="utf-8")
    sortie = lancer("politiques", "tester", str(copie))
    assert sortie.code == 1
    echecs = [l for l in sortie.stdout.splitlines() if l.startswith(str(fichier))]
    assert len(echecs) == 1 and "HYG-02 « " in echecs[0] and "statut conforme, attendu non_conforme" in echecs[0], sortie
