"""`verificateur referentiels couverture` : chaque exigence est couverte par une règle, ou listée
comme non couverte avec la raison."""

from verificateur import couverture, politiques


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
    assert csv.startswith("\ufeffreferentiel;exigence;titre;verifiable;regles;preuves;remarque\r\n")
    assert "plan-national;PN21-MAJ;" in csv


def test_referentiels_lister(lancer):
    sortie = lancer("referentiels", "lister")
    assert sortie.code == 0
    assert sum(1 for l in sortie.stdout.splitlines() if l.startswith(("PN2", "LEG-"))) == 18
