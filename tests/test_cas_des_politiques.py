"""Les cas de test YAML de chaque politique livrée (politiques/*/tests/*.yaml), un test pytest par cas :
la même exécution que `verificateur politiques tester`."""

import pytest

from verificateur import cas as module_cas
from verificateur import politiques

CATALOGUE = politiques.charger()
CAS, PROBLEMES = [], []
for _dossier in module_cas.dossiers_de(CATALOGUE):
    _cas, _problemes = module_cas.lire_cas(_dossier)
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
    # EXE-04 et INC-01 ne peuvent pas manquer de preuve (voir le commentaire de leurs fichiers de cas).
    manques = module_cas.regles_sans_cas(CATALOGUE, CAS)
    assert manques == {"EXE-04": ["preuve_manquante"], "INC-01": ["preuve_manquante"]}


def test_politiques_tester_en_ligne_de_commande(lancer):
    sortie = lancer("politiques", "tester")
    assert sortie.code == 0, sortie
    assert sortie.stdout.splitlines()[-1] == f"{len(CAS)} cas réussi(s), 0 en échec, sur {len(CAS)} ; 2 règle(s) sans cas pour certains statuts"


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
