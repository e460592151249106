# Les règles VUL-01, VUL-02, BUD-01, BUD-02, EXE-01, FOR-01 de la politique plan-national, écrites en Rego
# pour benchmarks/regles.py (évaluées par regorus) : même statut que le moteur du projet pour chaque dépôt.
# Entrée : input.fichiers (chemins, dans l'ordre du dépôt), input.docs[chemin] = {valide, v}, input.p
# (date d'évaluation, bornes de dates calculées en Python, parts en fractions [numérateur, dénominateur]).
package verificateur

import rego.v1

p := input.p

docs := input.docs

dans_dossier(c, d) if {
	startswith(c, d)
	endswith(c, ".yaml")
	not contains(substring(c, count(d), -1), "/")
}

fichiers(d) := [c | some c in input.fichiers; dans_dossier(c, d)]

invalide(d) if {
	some c in fichiers(d)
	not docs[c].valide
}

# Le document de référence : année entre N-1 et N, le plus récent (à année égale, le dernier fichier).
candidats(d) := [[docs[c].v.annee, i] |
	some i, c in fichiers(d)
	docs[c].v.annee >= p.annee - 1
	docs[c].v.annee <= p.annee
]

reference(d) := docs[fichiers(d)[i]].v if {
	cs := candidats(d)
	count(cs) > 0
	annee := max([x[0] | some x in cs])
	i := max([x[1] | some x in cs; x[0] == annee])
}

au_moins(a, b, f) if a * f[1] >= f[0] * b

hors(b) := 0 if not b.cybersecurite_hors_programmes

hors(b) := b.cybersecurite_hors_programmes if b.cybersecurite_hors_programmes

part_globale_ok(b) if au_moins(sum([x.dont_cybersecurite | some x in b.programmes]) + hors(b), b.budget_numerique, p.part_cyber_minimale)

precedent := docs[fichiers("budget/")[i]].v if {
	annee := reference("budget/").annee - 1
	indices := [j | some j, c in fichiers("budget/"); docs[c].v.annee == annee]
	count(indices) > 0
	i := max(indices)
}

bud01 := "erreur" if invalide("budget/")
else := "preuve_manquante" if not reference("budget/")
else := "erreur" if {
	some x in reference("budget/").programmes
	x.budget == 0
}
else := "conforme" if {
	every x in reference("budget/").programmes {
		au_moins(x.dont_cybersecurite, x.budget, p.part_cyber_minimale)
	}
}
else := "non_conforme"

bud02 := "erreur" if invalide("budget/")
else := "preuve_manquante" if not reference("budget/")
else := "erreur" if reference("budget/").budget_numerique == 0
else := "preuve_manquante" if not precedent
else := "erreur" if precedent.budget_numerique == 0
else := "conforme" if {
	part_globale_ok(reference("budget/"))
	part_globale_ok(precedent)
}
else := "non_conforme"

for01 := "erreur" if invalide("formation/")
else := "preuve_manquante" if not reference("formation/")
else := "erreur" if reference("formation/").effectif_total == 0
else := "conforme" if {
	f := reference("formation/")
	au_moins(f.sensibilises_total, f.effectif_total, p.couverture_formation_minimale)
}
else := "non_conforme"

exe01 := "erreur" if invalide("exercices/")
else := "preuve_manquante" if count(fichiers("exercices/")) == 0
else := "conforme" if {
	some c in fichiers("exercices/")
	e := docs[c].v
	e.theme == "cyber"
	e.date >= p.debut_365
	e.date <= p.jour
}
else := "non_conforme"

veille := "vulnerabilites/veille.yaml"

vul01 := "preuve_manquante" if not veille in input.fichiers
else := "erreur" if not docs[veille].valide
else := "conforme" if {
	v := docs[veille].v
	v.inscription_cert_sante.date <= p.jour
	v.derniere_analyse_exposition >= p.debut_365
	v.derniere_analyse_exposition <= p.jour
}
else := "non_conforme"

registre := "vulnerabilites/registre.csv"

ouverte(v) if {
	v.criticite == "critique"
	v.detectee_le <= p.jour
	not v.corrigee_le
}

ouverte(v) if {
	v.criticite == "critique"
	v.detectee_le <= p.jour
	v.corrigee_le > p.jour
}

vul02 := "preuve_manquante" if not registre in input.fichiers
else := "erreur" if not docs[registre].valide
else := "conforme" if {
	every v in docs[registre].v {
		not ouverte(v)
	}
}
else := "conforme" if {
	every v in [x | some x in docs[registre].v; ouverte(x)] {
		v.detectee_le >= p.limite_critique
	}
}
else := "non_conforme"

statuts := {"VUL-01": vul01, "VUL-02": vul02, "BUD-01": bud01, "BUD-02": bud02, "EXE-01": exe01, "FOR-01": for01}
