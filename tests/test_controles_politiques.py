"""Les politiques sont vérifiées elles aussi (#8.4, #7.1) : motif catastrophique, exigence ou paramètre
inconnu, valeurs datées qui se chevauchent, deux règles d'un même id, opérateur qui reçoit le mauvais
genre de valeur. Chaque problème est refusé avec sa ligne exacte, par `politiques valider` comme par
`evaluer --politiques` (code 2)."""

from __future__ import annotations

import textwrap

import pytest

from conftest import EXEMPLES
from verificateur.socle import motifs

POLITIQUE = """\
politique:
  id: essai
  titre: Politique d'essai
  version: "1.0.0"
  referentiels: [plan-national]
parametres:
  seuil:
    description: Un seuil
    unite: part
    valeurs:
      - depuis: 2024-01-01
        valeur: 0.05
        source: essai
      - depuis: 2025-01-01
        valeur: 0.06
        source: essai
  delai_jours:
    description: Un délai
    unite: jours
    valeurs:
      - {depuis: 2024-01-01, valeur: 30, source: essai}
"""

REGLE_SAINE = """\
regles:
  - id: ESS-01
    titre: Une règle saine
    exigences: [PN21-MAJ]
    gravite: mineure
    preuves:
      registre: {fichier: vulnerabilites/registre.csv}
    condition:
      tous:
        dans: registre
        comme: v
        condition:
          toutes_ces_conditions:
            - correspond: {valeur: {champ: v.identifiant}, motif: 'CVE-\\d{4}-\\d{4,}'}
            - superieur_ou_egal: [{champ: v.detectee_le}, {date: evaluation, moins: {jours: {parametre: delai_jours}}}]
"""


def _politique(tmp_path, regles: str, politique: str = POLITIQUE):
    dossier = tmp_path / "essai"
    (dossier / "regles").mkdir(parents=True)
    (dossier / "politique.yaml").write_text(politique, encoding="utf-8")
    (dossier / "regles" / "essai.yaml").write_text(regles, encoding="utf-8")
    return dossier


def _refus(lancer, dossier) -> list[str]:
    """Les lignes de problèmes, identiques par `politiques valider` et par `evaluer --politiques`."""
    valider = lancer("politiques", "valider", str(dossier))
    evaluer = lancer("evaluer", str(EXEMPLES / "chu-armorique"), "--date", "2026-10-01", "--politiques", str(dossier))
    assert valider.code == evaluer.code == 2, (valider, evaluer)
    assert valider.stderr == evaluer.stderr
    lignes = valider.stderr.splitlines()
    assert lignes[-1] == "verificateur : politiques invalides"
    return [l.replace(str(dossier) + "/", "") for l in lignes[:-1]]


def test_une_politique_saine_est_acceptee(tmp_path, lancer):
    sortie = lancer("politiques", "valider", str(_politique(tmp_path, REGLE_SAINE)))
    assert sortie.code == 0, sortie
    assert sortie.stdout.endswith("1 politique(s), 1 règle(s), " + sortie.stdout.split("règle(s), ")[1])


def test_regex_catastrophique_refusee_avec_sa_ligne(tmp_path, lancer):
    regles = REGLE_SAINE.replace("'CVE-\\d{4}-\\d{4,}'", "'(\\w+\\s?)+'")
    assert _refus(lancer, _politique(tmp_path, regles)) == [
        "regles/essai.yaml:14: motif « (\\w+\\s?)+ » refusé : répétition « + » à l'intérieur de la répétition « + » : "
        "le retour en arrière peut être exponentiel (séparez les répétitions par un caractère obligatoire qu'elles ne "
        "reconnaissent pas, ou réécrivez sans répétition imbriquée) (regex-catastrophique)"
    ]


def test_exigence_inconnue_refusee_avec_sa_ligne(tmp_path, lancer):
    regles = REGLE_SAINE.replace("exigences: [PN21-MAJ]", "exigences: [PN21-MAJ, PN99-INVENTEE]")
    assert _refus(lancer, _politique(tmp_path, regles)) == [
        "regles/essai.yaml:4: règle « ESS-01 » : exigence « PN99-INVENTEE » inconnue des référentiels chargés (exigence-inconnue)"
    ]


def test_parametre_inconnu_refuse_avec_sa_ligne(tmp_path, lancer):
    regles = REGLE_SAINE.replace("{parametre: delai_jours}", "{parametre: delai_joursss}")
    assert _refus(lancer, _politique(tmp_path, regles)) == [
        "regles/essai.yaml:15: paramètre « delai_joursss » inconnu ; paramètres de la politique : delai_jours, seuil (parametre-inconnu)"
    ]


def test_valeurs_datees_qui_se_chevauchent_refusees_avec_leur_ligne(tmp_path, lancer):
    politique = POLITIQUE.replace("depuis: 2025-01-01", "depuis: 2024-01-01")
    assert _refus(lancer, _politique(tmp_path, REGLE_SAINE, politique)) == [
        "politique.yaml:14: paramètre « seuil » : deux valeurs depuis le 2024-01-01 (l'autre à la valeur n° 1) (valeurs-chevauchantes)"
    ]


def test_deux_regles_de_meme_id_refusees_avec_la_ligne_de_la_seconde(tmp_path, lancer):
    regles = REGLE_SAINE + REGLE_SAINE.removeprefix("regles:\n")
    assert _refus(lancer, _politique(tmp_path, regles)) == [
        "regles/essai.yaml:16: règle « ESS-01 » déjà définie (regles/essai.yaml:2) (id-duplique)"
    ]


def test_tous_les_problemes_d_un_coup(tmp_path, lancer):
    regles = (REGLE_SAINE.replace("'CVE-\\d{4}-\\d{4,}'", "'(a|a)*'")
              + REGLE_SAINE.removeprefix("regles:\n").replace("[PN21-MAJ]", "[PN99-X]"))
    assert [l.rsplit("(", 1)[-1] for l in _refus(lancer, _politique(tmp_path, regles))] == [
        "regex-catastrophique)", "id-duplique)", "exigence-inconnue)",
    ]


# --- l'analyse des expressions régulières ----------------------------------------------------------

@pytest.mark.parametrize("motif", [
    r"(a+)+", r"(a*)*", r"(a|a)*", r"(\w+\s?)+", r"(a|ab)*", r"(?:a|b?)+", r"^(\d+)*$", r"(x+x+)+y",
    r"((ab)*c)*", r"(\.\d+\d+)*z", r"(a{1,3})+", r"(.*a){2,}",
])
def test_motifs_catastrophiques_refuses(motif):
    with pytest.raises(motifs.MotifDangereux) as exc:
        motifs.compiler(motif)
    assert exc.value.code == "regex-catastrophique"


@pytest.mark.parametrize("motif", [
    r"CVE-\d{4}-\d{4,}", r"\d+(\.\d+)*", r"([a-z]+,)*", r"(ab|cd)+", r"(\d|x\d)+", r"a++", r"(?>a+)+",
    r".*foo.*", r"(a{2})+", r"(\d{2,3}\.)+", r"[0-9]{9}", r"(?i)(a|b)+",
])
def test_motifs_surs_acceptes(motif):
    assert motifs.compiler(motif).pattern == motif


def test_reference_arriere_et_motif_invalide():
    with pytest.raises(motifs.MotifDangereux, match="^référence arrière : son coût n'est pas borné$"):
        motifs.compiler(r"(a)\1")
    with pytest.raises(motifs.MotifDangereux) as exc:
        motifs.compiler("[a-")
    assert (exc.value.code, exc.value.message) == ("regex-invalide", "expression régulière invalide : classe de caractères non fermée à la position 0")


def test_l_evaluation_borne_le_texte_soumis_a_un_motif(tmp_path, lancer):
    """Un texte de plus de TAILLE_MAX_TEXTE caractères n'est jamais soumis au motif : `erreur`."""
    from conftest import ETABLISSEMENT, ecrire_depot

    regles = REGLE_SAINE.replace("- superieur_ou_egal", "# - superieur_ou_egal")
    long = "CVE-2024-" + "1" * motifs.TAILLE_MAX_TEXTE
    depot = ecrire_depot(tmp_path / "depot", {
        "etablissement.yaml": ETABLISSEMENT,
        "vulnerabilites/registre.csv": f"identifiant;actif;criticite;detectee_le\nCVE-2024-1234;dpi;haute;2025-01-02\n{long};dpi;haute;2025-01-02\n",
    })
    sortie = lancer("evaluer", str(depot), "--date", "2025-06-30", "--politiques", str(_politique(tmp_path, regles)), "--format", "json")
    import json

    resultat = json.loads(sortie.stdout)["resultats"][0]
    assert resultat["statut"] == "erreur"
    assert f"« v.identifiant » a {len(long)} caractères, au plus 1000 pour un motif" in resultat["explication"]


# --- les types -------------------------------------------------------------------------------------

def _regle(condition: str, preuves: str = "") -> str:
    return textwrap.dedent("""\
        regles:
          - id: TYP-01
            titre: Essai de types
            exigences: [PN21-MAJ]
            gravite: mineure
        """) + textwrap.indent(preuves, "    ") + "    condition:\n" + textwrap.indent(condition, "      ")


EXERCICES = "preuves:\n  exercices: {fichiers: \"exercices/*.yaml\"}\n"
MESURES = "preuves:\n  mesures: {fichier: securite/mesures.yaml}\n"


@pytest.mark.parametrize(("condition", "preuves", "attendu"), [
    ("existe: {dans: exercices, comme: e, condition: {superieur: [{champ: e.date}, 3]}}\n", EXERCICES,
     "regles/essai.yaml:9: « superieur » compare une date (« e.date ») à un nombre (3) (type-incompatible)"),
    ("au_moins: {nombre: 2, dans: mesures.mfa.acces_distants, condition: {est_vrai: element}}\n", MESURES,
     "regles/essai.yaml:9: « au_moins » parcourt une liste, mais « dans » est un booléen (« mesures.mfa.acces_distants ») (type-incompatible)"),
    ("dans_les_derniers: {date: {date: evaluation}, jours: {parametre: seuil}}\n", "",
     "regles/essai.yaml:7: « jours » : un nombre de jours attendu, trouvé une part (%) (« seuil ») (type-incompatible)"),
    ("superieur: [{champ: etablissement.effectif}, {parametre: delai_jours}]\n", "",
     "regles/essai.yaml:7: « superieur » compare un nombre (« etablissement.effectif ») à une durée en jours (« delai_jours ») (type-incompatible)"),
    ("superieur_ou_egal: [{champ: etablissement.raison_sociale}, {parametre: seuil}]\n", "",
     "regles/essai.yaml:7: « superieur_ou_egal » compare un texte (« etablissement.raison_sociale ») à une part (%) (« seuil ») (type-incompatible)"),
    ("egal: [{ratio: [{champ: etablissement.raison_sociale}, 2]}, 1]\n", "",
     "regles/essai.yaml:7: « ratio » : un nombre attendu, trouvé un texte (« etablissement.raison_sociale ») (type-incompatible)"),
    ("superieur: [{champ: mesures.mfa.messagerie}, false]\n", MESURES,
     "regles/essai.yaml:9: « superieur » ordonne des nombres ou des dates, pas des booléens (« mesures.mfa.messagerie », false) (type-incompatible)"),
    ("est_vrai: etablissement.raison_sociale\n", "",
     "regles/essai.yaml:7: « est_vrai » : un booléen attendu, trouvé un texte (« etablissement.raison_sociale ») (type-incompatible)"),
    ("correspond: {valeur: {champ: etablissement.effectif}, motif: '\\d+'}\n", "",
     "regles/essai.yaml:7: « correspond » : un texte attendu, trouvé un nombre (« etablissement.effectif ») (type-incompatible)"),
    ("egal: [{champ: mesures.mfa}, 1]\n", MESURES,
     "regles/essai.yaml:9: « egal » compare des valeurs simples : une table de clés (« mesures.mfa ») (type-incompatible)"),
    ("est_vrai: mesures.mfa.acces_distant\n", MESURES,
     "regles/essai.yaml:9: « mesures.mfa » n'a pas de champ « acces_distant » ; champs possibles : acces_distants, "
     "comptes_privilegies, messagerie (champ-inconnu)"),
    ("existe: {dans: exercices, comme: e, condition: {egal: [{champ: e.theme}, cyberr]}}\n", EXERCICES,
     "regles/essai.yaml:9: « egal » : « e.theme » ne prend que les valeurs cyber, autre ; « cyberr » n'en est pas une (valeur-impossible)"),
    ("egal: [{champ: exercices.date}, {date: evaluation}]\n", EXERCICES,
     "regles/essai.yaml:9: « exercices » est une liste : parcourez-la (tous, existe, somme…) avant de lire « date » (type-incompatible)"),
    ("superieur: [{date: evaluation}, {date: \"2023-02-30\"}]\n", "",
     "regles/essai.yaml:7: « date » : « evaluation » ou une date réelle AAAA-MM-JJ attendue, trouvé « 2023-02-30 » (type-incompatible)"),
    ("superieur: [{date: evaluation}, {date: {date: evaluation}, moins: {ans: {parametre: seuil}}}]\n", "",
     "regles/essai.yaml:7: « ans » : un nombre d'années attendu, trouvé une part (%) (« seuil ») (type-incompatible)"),
    ("egal: [{champ: etablissement.raison_sociale, defaut: 3}, x]\n", "",
     "regles/essai.yaml:7: « defaut » : un nombre (3) pour le champ « etablissement.raison_sociale », qui est un texte (type-incompatible)"),
    ("dans_les_derniers: {date: {champ: etablissement.effectif}, mois: 6}\n", "",
     "regles/essai.yaml:7: « dans_les_derniers » : une date attendue, trouvé un nombre (« etablissement.effectif ») (type-incompatible)"),
])
def test_un_operateur_qui_recoit_le_mauvais_genre_de_valeur(tmp_path, lancer, condition, preuves, attendu):
    assert _refus(lancer, _politique(tmp_path, _regle(condition, preuves))) == [attendu]


def test_les_politiques_livrees_passent_le_controle_des_types(lancer):
    """Toutes, même celles qui ne se chargent que nommées (par_defaut: false) : aucun faux positif."""
    from conftest import RACINE

    livrees = sorted(str(d) for d in (RACINE / "politiques").iterdir() if (d / "politique.yaml").is_file())
    assert livrees
    for dossier in livrees:
        sortie = lancer("politiques", "valider", dossier)
        assert sortie.code == 0, sortie


def test_les_limites_des_motifs_sont_documentees():
    from conftest import RACINE

    texte = (RACINE / "docs" / "limites.md").read_text(encoding="utf-8")
    assert f"| {motifs.TAILLE_MAX_TEXTE} caractères |" in texte
    assert f"| {motifs.TAILLE_MAX_MOTIF} caractères |" in texte
    for motif in ("(a+)+", "(a*)*", "(a|a)*", "(ab|a)+", "(x\\d+y?)+"):
        assert f"`{motif}`" in texte.replace("\\\\", "\\")
    for motif in ("(a|a)*", "(ab|a)+", "(x\\d+y?)+"):  # les exemples du document disent vrai
        with pytest.raises(motifs.MotifDangereux):
            motifs.compiler(motif)
    for motif in ("([a-z]+,)*", "\\d+(\\.\\d+)*", "a++"):
        motifs.compiler(motif)


def test_correspond_conforme_et_non_conforme_avec_l_explication(tmp_path, lancer):
    import json

    from conftest import ETABLISSEMENT, ecrire_depot

    regles = REGLE_SAINE.replace("- superieur_ou_egal", "# - superieur_ou_egal")
    politique = _politique(tmp_path, regles)
    for identifiant, statut, fin in (
        ("CVE-2024-12345", "conforme", "éléments de « registre » : 1 sur 1 remplissent la condition"),
        ("CVE-2024-12", "non_conforme", "v.identifiant : « CVE-2024-12 », attendu conforme au motif « CVE-\\d{4}-\\d{4,} »"),
    ):
        depot = ecrire_depot(tmp_path / statut, {
            "etablissement.yaml": ETABLISSEMENT,
            "vulnerabilites/registre.csv": f"identifiant;actif;criticite;detectee_le\n{identifiant};dpi;haute;2025-01-02\n",
        })
        sortie = lancer("evaluer", str(depot), "--date", "2025-06-30", "--politiques", str(politique), "--format", "json")
        resultat = json.loads(sortie.stdout)["resultats"][0]
        assert resultat["statut"] == statut, resultat
        assert fin in resultat["explication"], resultat["explication"]


def test_chaque_type_de_preuve_a_un_chemin_exemple():
    """Sans exemple, un motif qui vise ce type serait refusé (motif-sans-preuve) et non typé."""
    from verificateur.preuves import EXEMPLES_DE_CHEMINS, TYPES

    for t in TYPES:
        assert any(t.motif.fullmatch(c) for c in EXEMPLES_DE_CHEMINS), t.nom


def test_un_cas_peut_donner_un_fichier_par_ses_valeurs():
    """`fichiers:` d'un cas : une table devient un fichier YAML, une liste de lignes un CSV, tous deux valides."""
    from decimal import Decimal

    from verificateur import preuves
    from verificateur.auteurs.cas import _texte
    from verificateur.sources import SourceMemoire

    contenus = {
        "vulnerabilites/registre.csv": _texte("vulnerabilites/registre.csv", [
            {"identifiant": "CVE-2025-0001", "actif": "messagerie; passerelle", "criticite": "haute", "detectee_le": "2025-05-02"},
            {"identifiant": "CVE-2025-0002", "actif": "dpi", "criticite": "faible", "detectee_le": "2025-05-03", "corrigee_le": "2025-05-04"},
        ]),
        "budget/2025.yaml": _texte("budget/2025.yaml", {"annee": 2025, "budget_numerique": Decimal("1234567.80"), "programmes": [
            {"nom": "DPI", "budget": Decimal("1234567.80"), "dont_cybersecurite": Decimal("61728.39")}]}),
    }
    assert contenus["vulnerabilites/registre.csv"].splitlines()[1] == 'CVE-2025-0001;"messagerie; passerelle";haute;2025-05-02;'
    lues = preuves.charger(SourceMemoire({c: t.encode() for c, t in contenus.items()}))
    assert [str(p) for p in lues.problemes()] == ["etablissement.yaml: fichier obligatoire absent : il décrit l'établissement (preuve-manquante)"]
    assert lues.preuves["budget/2025.yaml"].valeurs["programmes"][0]["dont_cybersecurite"] == Decimal("61728.39")
    assert lues.preuves["vulnerabilites/registre.csv"].valeurs[0]["actif"] == "messagerie; passerelle"


def test_valider_verifie_aussi_les_fichiers_de_cas(tmp_path, lancer):
    dossier = _politique(tmp_path, REGLE_SAINE)
    (dossier / "tests").mkdir()
    cas = dossier / "tests" / "ESS-01.yaml"
    cas.write_text("regle: ESS-02\ncas:\n  - nom: un cas\n    attendu: {statut: conforme}\n", encoding="utf-8")
    sortie = lancer("politiques", "valider", str(dossier))
    assert sortie.code == 2
    assert sortie.stderr.splitlines() == [
        f"{cas}: règle « ESS-02 » absente des politiques chargées (regle-inconnue)".replace(f"{cas}:", f"{cas}:1:"),
        "verificateur : 1 fichier(s) de cas de test invalide(s)",
    ]
    cas.write_text("regle: ESS-01\nstatut_inatteignables: {}\ncas:\n  - nom: un cas\n    attendu: {statut: conforme}\n", encoding="utf-8")
    sortie = lancer("politiques", "valider", str(dossier))
    assert sortie.code == 2
    assert sortie.stderr.splitlines()[0] == (
        f"{cas}:2: clé inconnue « statut_inatteignables » ; clés permises : base, cas, regle, statuts_inatteignables (cle-inconnue)")


@pytest.mark.parametrize(("unite", "valeur", "message"), [
    ("part", "5", "paramètre « seuil » (part) : une part s'écrit entre 0 et 1 (0.05 pour 5 %), trouvé 5"),
    ("part", "cinq", "paramètre « seuil » (part) : un nombre attendu, trouvé « cinq »"),
    ("jours", "30.5", "paramètre « seuil » (jours) : un nombre entier de jours, positif ou nul, attendu, trouvé 30.5"),
    ("euros", "true", "paramètre « seuil » (euros) : un nombre attendu, trouvé true"),
    ("texte", "12", "paramètre « seuil » (texte) : un texte attendu, trouvé 12"),
])
def test_une_valeur_de_parametre_du_mauvais_genre_est_refusee(tmp_path, lancer, unite, valeur, message):
    valide = {"part": "0.05", "jours": "30", "euros": "1000", "texte": "un texte"}[unite]
    politique = (POLITIQUE.replace("unite: part", f"unite: {unite}").replace("valeur: 0.05", f"valeur: {valide}")
                 .replace("valeur: 0.06", f"valeur: {valeur}"))
    regles = REGLE_SAINE  # n'emploie pas « seuil »
    assert _refus(lancer, _politique(tmp_path, regles, politique)) == [f"politique.yaml:15: {message} (type-incompatible)"]
