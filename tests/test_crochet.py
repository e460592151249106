"""Le dépôt versionné : le garde-fou des données personnelles (NIR), le crochet pre-commit
(`verificateur crochet`, puis le vrai `pre-commit` sur de vrais commits), le manifeste
`.pre-commit-hooks.yaml` et `verificateur init`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATE_EXEMPLES, ETABLISSEMENT, RACINE, ecrire_depot
from test_depot_git import environnement_git, git, nouveau_depot, remplacer  # noqa: F401 (fixture)

NIR = "1 84 12 76 451 089 46"  # clé 46 : 97 − (1841276451089 mod 97)
NIR_FAUX = "1 84 12 76 451 089 47"
MESSAGE_NIR = "numéro de sécurité sociale (NIR) probable : aucune donnée personnelle dans les preuves (donnee-personnelle)"
AVEC_GIT = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")


# --- données personnelles -----------------------------------------------------------------------


def test_nir_valide_et_cle_fausse():
    from verificateur.socle.donnees_personnelles import nir_valide

    assert nir_valide(NIR) and nir_valide(NIR.replace(" ", ""))
    assert not nir_valide(NIR_FAUX) and not nir_valide("184127645108947")
    corse = "2690519123456"  # 2A compté 19 pour la clé
    cle = 97 - int(corse) % 97
    assert nir_valide(f"26905 2A 123456{cle:02d}".replace(" ", ""))
    assert not nir_valide(f"269052A123456{(cle + 1) % 100:02d}")


@pytest.mark.parametrize("nir, signale", [(NIR, True), (NIR.replace(" ", ""), True), (NIR_FAUX, False), ("184127645108947", False)])
def test_nir_dans_yaml_csv_markdown(lancer, tmp_path, nir, signale):
    ecrire_depot(tmp_path, {
        "etablissement.yaml": ETABLISSEMENT.replace("effectif: 900", f"effectif: 900\n# référent : {nir}"),
        "vulnerabilites/registre.csv": "identifiant;actif;criticite;source;detectee_le;corrigee_le\n"
                                       f"V-1;Poste de {nir};haute;audit;2026-01-02;2026-01-05\n",
        "notes/suivi.md": f"# Suivi\n\nAppel du patient {nir} le 3 mars.\n",
    })
    sortie = lancer("preuves", "valider", str(tmp_path))
    attendu = [f"etablissement.yaml:8: {MESSAGE_NIR}", f"notes/suivi.md:3: {MESSAGE_NIR}",
               f"vulnerabilites/registre.csv:2: {MESSAGE_NIR}"]
    lignes = [l for l in sortie.stdout.splitlines() if "donnee-personnelle" in l]
    assert lignes == (attendu if signale else []), sortie
    assert nir not in sortie.stdout and nir.replace(" ", "") not in sortie.stdout  # jamais recopié
    assert sortie.code == (1 if signale else 0), sortie


def test_nir_dans_le_rapport_json(lancer, tmp_path):
    ecrire_depot(tmp_path, {"etablissement.yaml": ETABLISSEMENT + f"# {NIR}\n"})
    sortie = lancer("evaluer", str(tmp_path), "--date", DATE_EXEMPLES, "--format", "json")
    rapport = json.loads(sortie.stdout)
    assert {"fichier": "etablissement.yaml", "ligne": 8, "code": "donnee-personnelle", "niveau": "erreur",
            "message": MESSAGE_NIR.removesuffix(" (donnee-personnelle)")} in rapport["problemes"]
    assert NIR not in sortie.stdout and sortie.code == 1


# --- verificateur crochet -----------------------------------------------------------------------


@pytest.fixture
def depot(tmp_path, environnement_git):  # noqa: F811
    return nouveau_depot(tmp_path / "preuves")


@AVEC_GIT
def test_crochet_accepte_un_index_inchange(lancer, depot):
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert lignes[-1] == "verificateur : commit accepté — 0 régression(s), 0 erreur(s) de preuve, 1 non-conformité(s)"
    assert any(l.startswith("information : BUD-03 est non_conforme (gravité info) — ") for l in lignes)


@AVEC_GIT
def test_crochet_refuse_une_regression_et_une_preuve_invalide(lancer, depot):
    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    (depot / "incidents" / "casse.yaml").write_text("detecte_le: [\n", encoding="utf-8")
    (depot / "notes.md").write_text(f"# Notes\n\n{NIR}\n", encoding="utf-8")
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES)
    assert sortie.code == 1, sortie
    lignes = sortie.stdout.splitlines()
    assert ("securite/mesures.yaml:4: régression : HYG-01 était conforme, devient non_conforme — l'authentification "
            "multifacteur ne protège pas tous les accès distants et comptes à privilèges — authentification multifacteur "
            "des comptes à privilèges : false, attendu true (HYG-01)") in lignes
    assert "incidents/casse.yaml:2: syntaxe YAML invalide : crochet « [ » ou accolade « { » non fermé (syntaxe-yaml)" in lignes
    assert f"notes.md:3: {MESSAGE_NIR}" in lignes
    assert lignes[-1] == "verificateur : commit refusé — 2 régression(s), 2 erreur(s) de preuve, 1 non-conformité(s)"
    assert "Traceback" not in sortie.stderr


@AVEC_GIT
def test_crochet_strict_refuse_les_non_conformites_au_seuil(lancer, depot):
    assert lancer("crochet", str(depot), "--date", DATE_EXEMPLES, "--strict").code == 0  # BUD-03 est « info »
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES, "--strict", "--echec-a", "info")
    assert sortie.code == 1, sortie
    assert any(l.startswith("budget/") and ": non-conformité : BUD-03 est non_conforme (gravité info) — " in l
               and l.endswith("(BUD-03)") for l in sortie.stdout.splitlines()), sortie


@AVEC_GIT
def test_crochet_avant_le_premier_commit(lancer, tmp_path, environnement_git):  # noqa: F811
    depot = tmp_path / "neuf"
    shutil.copytree(RACINE / "exemples" / "chu-armorique", depot)
    subprocess.run(["git", "init", "-q", str(depot)], check=True)
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    assert "0 régression(s)" in sortie.stdout.splitlines()[-1]


def test_crochet_hors_depot_git(lancer, tmp_path):
    sortie = lancer("crochet", str(tmp_path))
    assert sortie.code == 2 and "pas un dépôt git" in sortie.stderr and "Traceback" not in sortie.stderr


@AVEC_GIT
def test_crochet_n_importe_ni_tabulate_ni_jinja(depot):
    programme = (
        "import sys\n"
        "from verificateur.cli import main\n"
        f"sys.argv = ['verificateur', 'crochet', {str(depot)!r}, '--date', {DATE_EXEMPLES!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('tabulate', 'jinja2') if m in sys.modules), file=sys.stderr)\n"
    )
    fini = subprocess.run([sys.executable, "-c", programme], capture_output=True, text=True, cwd=RACINE, check=False)
    assert fini.stderr.strip().splitlines()[-1] == "[]", fini.stderr


# --- le vrai pre-commit -------------------------------------------------------------------------

pre_commit = pytest.importorskip("pre_commit")


def test_manifeste_valide():
    fini = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                          cwd=RACINE, capture_output=True, text=True, check=False)
    assert fini.returncode == 0, fini.stdout + fini.stderr
    import yaml

    (crochet,) = yaml.safe_load((RACINE / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert crochet["id"] == "verificateur" and crochet["entry"] == "verificateur crochet"
    assert crochet["language"] == "python" and crochet["pass_filenames"] is False and crochet["always_run"] is True
    assert crochet["require_serial"] is True and crochet["stages"] == ["pre-commit"]


def _commit(depot: Path, message: str) -> subprocess.CompletedProcess[str]:
    git(depot, "add", "-A")
    return git(depot, "commit", "-q", "-m", message, verifier=False)


def _installer_pre_commit(depot: Path, verbeux: bool = False) -> None:
    """Le crochet local, lancé par le vrai pre-commit ; `verbeux` : sa sortie montrée même s'il accepte."""
    (depot / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: verificateur\n"
        "        name: verificateur\n"
        f"        entry: {sys.executable} -m verificateur crochet --date {DATE_EXEMPLES}\n"
        "        language: system\n"
        "        pass_filenames: false\n"
        "        always_run: true\n"
        + ("        verbose: true\n" if verbeux else ""),
        encoding="utf-8",
    )
    installe = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=depot, capture_output=True, text=True, check=False)
    assert installe.returncode == 0, installe.stdout + installe.stderr


@AVEC_GIT
def test_pre_commit_de_bout_en_bout(depot):
    _installer_pre_commit(depot)
    assert _commit(depot, "Crochet").returncode == 0  # l'état ne change pas : accepté

    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    refus = _commit(depot, "MFA retirée")
    assert refus.returncode != 0
    assert ("securite/mesures.yaml:4: régression : HYG-01 était conforme, devient non_conforme — l'authentification "
            "multifacteur ne protège pas tous les accès distants et comptes à privilèges — authentification multifacteur "
            "des comptes à privilèges : false, attendu true (HYG-01)") in (refus.stdout + refus.stderr).splitlines(), refus.stderr
    git(depot, "reset", "-q", "--hard")

    (depot / "incidents" / "casse.yaml").write_text("detecte_le: 2026-09-01\ndeclare_le: [\n", encoding="utf-8")
    refus = _commit(depot, "Incident mal formé")
    assert refus.returncode != 0
    assert ("incidents/casse.yaml:3: syntaxe YAML invalide : crochet « [ » ou accolade « { » non fermé (syntaxe-yaml)"
            in (refus.stdout + refus.stderr).splitlines()), refus.stderr
    (depot / "incidents" / "casse.yaml").unlink()
    git(depot, "reset", "-q", "--hard")

    remplacer(depot / "budget/2026.yaml", "budget_numerique: 48200000", "budget_numerique: 48300000")
    accepte = _commit(depot, "Budget révisé")
    assert accepte.returncode == 0, accepte.stdout + accepte.stderr
    assert git(depot, "log", "--format=%s").stdout.splitlines()[:2] == ["Budget révisé", "Crochet"]


@AVEC_GIT
def test_pre_commit_refus_puis_derogation_documentee(depot):
    """Le parcours de docs/crochet.md : refusé, on documente une dérogation, on recommence : accepté,
    et la dérogation est dite ; expirée, elle ne couvre rien."""
    _installer_pre_commit(depot, verbeux=True)
    assert _commit(depot, "Crochet").returncode == 0
    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    refus = _commit(depot, "MFA retirée")
    assert refus.returncode != 0 and REGRESSION_HYG01 in (refus.stdout + refus.stderr).splitlines(), refus.stdout

    _deroger(depot, expire_le="2026-09-30")  # déjà expirée au 2026-10-01
    refus = _commit(depot, "MFA retirée, dérogation expirée")
    assert refus.returncode != 0 and REGRESSION_HYG01 in (refus.stdout + refus.stderr).splitlines(), refus.stdout

    remplacer(depot / "derogations.yaml", "expire_le: 2026-09-30", "expire_le: 2026-12-31")
    accepte = _commit(depot, "MFA retirée sous dérogation")
    assert accepte.returncode == 0, accepte.stdout + accepte.stderr
    sortie = (accepte.stdout + accepte.stderr).splitlines()
    assert DEROGATION_ACCEPTEE.format(expire_le="2026-12-31") in sortie, sortie
    assert git(depot, "log", "--format=%s").stdout.splitlines()[0] == "MFA retirée sous dérogation"


# --- verificateur init --------------------------------------------------------------------------


@AVEC_GIT
def test_init_puis_evaluer_sans_erreur(lancer, tmp_path, environnement_git):  # noqa: F811
    cible = tmp_path / "nouveau"
    sortie = lancer("init", str(cible))
    assert sortie.code == 0, sortie
    assert (cible / ".git").is_dir() and (cible / ".pre-commit-config.yaml").is_file() and (cible / "README.md").is_file()
    modele = cible / "modeles" / "budget" / "AAAA.yaml"
    premiere = modele.read_text(encoding="utf-8").splitlines()[0]
    assert premiere == "# yaml-language-server: $schema=../.verificateur/schemas/budget.schema.json"  # relatif (#17.4)
    assert (modele.parent / premiere.removeprefix("# yaml-language-server: $schema=")).is_file()
    rapport = json.loads(lancer("evaluer", str(cible), "--date", DATE_EXEMPLES, "--format", "json").stdout)
    statuts = {r["statut"] for r in rapport["resultats"]}
    assert "erreur" not in statuts and "preuve_manquante" in statuts
    assert not [p for p in rapport["problemes"] if p["niveau"] == "erreur"]
    # Les modèles sont des exemples valides : copiés à leur place, ils se valident.
    for modele in (cible / "modeles").rglob("*.yaml"):
        assert "__SCHEMA__" not in modele.read_text(encoding="utf-8")
    assert lancer("preuves", "valider", str(cible)).code == 0


def test_init_deux_fois_refuse(lancer, tmp_path):
    cible = tmp_path / "nouveau"
    assert lancer("init", str(cible)).code == 0
    avant = (cible / "etablissement.yaml").read_text(encoding="utf-8")
    sortie = lancer("init", str(cible))
    assert sortie.code == 2, sortie
    assert "fichier(s) existant(s), init n'écrase rien : .pre-commit-config.yaml, README.md, etablissement.yaml" in sortie.stderr
    assert (cible / "etablissement.yaml").read_text(encoding="utf-8") == avant


def test_init_ne_recree_pas_git_dans_un_depot(lancer, tmp_path, environnement_git):  # noqa: F811
    subprocess.run(["git", "init", "-q", str(tmp_path / "d")], check=True)
    sortie = lancer("init", str(tmp_path / "d"))
    assert sortie.code == 0 and "dépôt git créé" not in sortie.stdout


# --- dérogations et crochet (#12.5) ---------------------------------------------------------------

DEROGATION_HYG01 = (
    "  - regle: {regle}\n"
    "    motif: \"Bastion d'administration en cours de remplacement : MFA des comptes à privilèges rétablie à sa mise en service.\"\n"
    "    risque_accepte: \"Comptes à privilèges sans second facteur pendant trois mois ; accès limités au réseau d'administration.\"\n"
    "    accordee_par: direction\n"
    "    accordee_le: 2026-09-15\n"
    "    expire_le: {expire_le}\n"
)
REGRESSION_HYG01 = ("securite/mesures.yaml:4: régression : HYG-01 était conforme, devient non_conforme — l'authentification "
                    "multifacteur ne protège pas tous les accès distants et comptes à privilèges — authentification multifacteur "
                    "des comptes à privilèges : false, attendu true (HYG-01)")
DEROGATION_ACCEPTEE = ("derogations.yaml:9: dérogation : HYG-01 était conforme, devient derogation — dérogation accordée par "
                       "direction le 2026-09-15 jusqu'au {expire_le} (Bastion d'administration en cours de remplacement : MFA "
                       "des comptes à privilèges rétablie à sa mise en service.) — non conforme : l'authentification multifacteur "
                       "ne protège pas tous les accès distants et comptes à privilèges — authentification multifacteur des "
                       "comptes à privilèges : false, attendu true (HYG-01)")


def _deroger(depot: Path, regle: str = "HYG-01", expire_le: str = "2026-12-31") -> None:
    with (depot / "derogations.yaml").open("a", encoding="utf-8") as f:
        f.write(DEROGATION_HYG01.format(regle=regle, expire_le=expire_le))


@AVEC_GIT
@pytest.mark.parametrize("commitee_avant", [False, True], ids=["dans-le-meme-commit", "commitee-avant"])
def test_crochet_accepte_une_derogation_active_et_la_montre(lancer, depot, commitee_avant):
    _deroger(depot)
    if commitee_avant:  # dérogation sans objet à HEAD (règle conforme), puis le changement qu'elle couvre
        _commit(depot, "Dérogation HYG-01")
    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert lignes[0] == DEROGATION_ACCEPTEE.format(expire_le="2026-12-31")  # avant les informations : bien visible
    assert not [l for l in lignes if "régression" in l and "HYG-01" in l]
    assert lignes[-1] == ("verificateur : commit accepté — 0 régression(s), 0 erreur(s) de preuve, 1 non-conformité(s), "
                          "1 dérogation(s) nouvelle(s)")


@AVEC_GIT
@pytest.mark.parametrize("cas, ecrire, avertissement", [
    ("expiree", lambda d: _deroger(d, expire_le="2026-09-30"),
     "derogations.yaml:9: information : dérogation pour HYG-01 expirée le 2026-09-30 : non appliquée (derogation-expiree)"),
    ("autre-regle", lambda d: _deroger(d, regle="HYG-02"), None),
    ("regle-inconnue", lambda d: _deroger(d, regle="HYG-99"),
     "derogations.yaml:9: information : dérogation pour « HYG-99 » : aucune règle de ce nom dans les politiques chargées (derogation-regle-inconnue)"),
    ("future", lambda d: remplacer(d / "derogations.yaml", "accordee_le: 2026-09-15", "accordee_le: 2026-10-02") if _deroger(d) is None else None,
     "derogations.yaml:9: information : dérogation pour HYG-01 accordée le 2026-10-02, après la date d'évaluation : non appliquée (derogation-future)"),
    ("mal-formee", lambda d: _deroger(d, expire_le="bientôt"),
     "derogations.yaml:14: « expire_le » : date invalide « bientôt », attendu une date réelle AAAA-MM-JJ (date-invalide)"),
    ("sans-risque-accepte", lambda d: (_deroger(d), remplacer(d / "derogations.yaml", "    risque_accepte: \"Comptes", "    #risque_accepte: \"Comptes")),
     "derogations.yaml:9: clé « risque_accepte » manquante dans « derogations » (cle-manquante)"),
])
def test_crochet_refuse_malgre_une_derogation_inapplicable(lancer, depot, cas, ecrire, avertissement):
    ecrire(depot)
    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES)
    assert sortie.code == 1, sortie
    lignes = sortie.stdout.splitlines()
    assert REGRESSION_HYG01 in lignes, sortie
    assert not [l for l in lignes if ": dérogation : " in l]
    if avertissement:
        assert avertissement in lignes
    if cas in ("mal-formee", "sans-risque-accepte"):  # le fichier invalide est lui-même une erreur de preuve
        assert lignes[0] == avertissement
        assert lignes[-1].startswith("verificateur : commit refusé — 1 régression(s), 1 erreur(s) de preuve")
    else:
        assert lignes[-1].startswith("verificateur : commit refusé — 1 régression(s), 0 erreur(s) de preuve")


# --- docs/crochet.md : le parcours montré est réel ---------------------------------------------------

DATE_CROCHET_MD = "2026-11-23"  # la session de docs/crochet.md


def _blocs(texte: str, langue: str) -> list[str]:
    import re

    return re.findall(rf"```{langue}\n(.*?)```", texte, flags=re.S)


def _sortie_montree(bloc: str) -> list[str]:
    """Les lignes du crochet dans un bloc de docs/crochet.md : sans les commandes ni l'habillage de pre-commit."""
    habillage = ("$ ", "verificateur (conformité", "- hook id", "- exit code")
    return [l for l in bloc.splitlines() if l and not l.startswith(habillage)]


def _conforme(montree: list[str], reelle: list[str]) -> bool:
    """Chaque ligne montrée est une ligne réelle, dans l'ordre ; « … » tient lieu de lignes omises."""
    i, sauter = 0, False
    for ligne in montree:
        if ligne == "…":
            sauter = True
            continue
        if sauter:
            while i < len(reelle) and reelle[i] != ligne:
                i += 1
        if i >= len(reelle) or reelle[i] != ligne:
            return False
        i, sauter = i + 1, False
    return sauter or i == len(reelle)


@AVEC_GIT
def test_le_parcours_de_crochet_md_est_reel(lancer, tmp_path, environnement_git):  # noqa: F811
    texte = (RACINE / "docs" / "crochet.md").read_text(encoding="utf-8")
    consoles = _blocs(texte, "console")
    (refus,) = [b for b in consoles if "régression : HYG-01" in b]
    (derogation,) = [b for b in consoles if ": dérogation : HYG-01" in b]
    (fichier,) = [b for b in _blocs(texte, "yaml") if b.startswith("derogations:")]

    depot = tmp_path / "preuves-ch-exemple"
    assert lancer("init", str(depot)).code == 0
    assert "réel ; remplacez-la par le FINESS géographique de l'établissement (finess-modele)`" in texte
    remplacer(depot / "etablissement.yaml", 'finess: "000000000"', 'finess: "350000022"')  # comme le dit crochet.md
    (depot / "securite").mkdir()
    shutil.copy(depot / "modeles/securite/mesures.yaml", depot / "securite/mesures.yaml")
    _commit(depot, "Preuves initiales")
    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_CROCHET_MD)
    assert sortie.code == 1 and _conforme(_sortie_montree(refus), sortie.stdout.splitlines()), sortie.stdout

    (depot / "derogations.yaml").write_text(fichier, encoding="utf-8")
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_CROCHET_MD)
    assert sortie.code == 0 and _conforme(_sortie_montree(derogation), sortie.stdout.splitlines()), sortie.stdout

    # Les lignes du tableau des dérogations qui ne couvrent rien.
    for avant, apres, ligne in (
        ("accordee_le: 2026-11-20\n    expire_le: 2027-02-28", "accordee_le: 2026-06-01\n    expire_le: 2026-09-30",
         "derogations.yaml:2: information : dérogation pour HYG-01 expirée le 2026-09-30 : non appliquée (derogation-expiree)"),
        ("    risque_accepte:", "    # risque_accepte:",
         "derogations.yaml:2: clé « risque_accepte » manquante dans « derogations » (cle-manquante)"),
    ):
        assert f"`{ligne}`" in texte
        (depot / "derogations.yaml").write_text(fichier.replace(avant, apres), encoding="utf-8")
        git(depot, "add", "-A")
        sortie = lancer("crochet", str(depot), "--date", DATE_CROCHET_MD)
        lignes = sortie.stdout.splitlines()
        assert sortie.code == 1 and ligne in lignes and any(": régression : HYG-01 " in l for l in lignes), sortie.stdout


@AVEC_GIT
def test_init_statuts_dits_par_crochet_md(lancer, tmp_path, environnement_git):  # noqa: F811
    """#17 : ce que docs/crochet.md dit d'un dépôt tout juste créé est ce qu'évaluer en dit."""
    import re

    texte = (RACINE / "docs" / "crochet.md").read_text(encoding="utf-8")
    paragraphe = texte[texte.index("Juste après `init`"):].split("Aucune `erreur`")[0]
    from verificateur.evaluation import STATUTS

    dits = {m for m in re.findall(r"`([a-z_]+)`", paragraphe) if m in STATUTS}
    cible = tmp_path / "preuves-ch-exemple"
    assert lancer("init", str(cible)).code == 0
    rapport = json.loads(lancer("evaluer", str(cible), "--date", DATE_CROCHET_MD, "--format", "json").stdout)
    assert dits == {r["statut"] for r in rapport["resultats"]}
    conformes = [r["regle"] for r in rapport["resultats"] if r["statut"] == "conforme"]
    assert conformes == ["INC-01"] and "un seul `conforme`, INC-01" in paragraphe


@AVEC_GIT
def test_crochet_montre_une_non_conformite_nouvellement_couverte(lancer, depot):
    """BUD-03 est non conforme à HEAD : une dérogation ajoutée ne la fait pas disparaître en silence."""
    _deroger(depot, regle="BUD-03")
    git(depot, "add", "-A")
    sortie = lancer("crochet", str(depot), "--date", DATE_EXEMPLES)
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert lignes[0].startswith("derogations.yaml:9: dérogation : BUD-03 était non_conforme, devient derogation — dérogation "
                                "accordée par direction le 2026-09-15 jusqu'au 2026-12-31 (") and lignes[0].endswith("(BUD-03)")
    assert lignes[-1] == ("verificateur : commit accepté — 0 régression(s), 0 erreur(s) de preuve, 0 non-conformité(s), "
                          "1 dérogation(s) nouvelle(s)")


@AVEC_GIT
def test_crochet_apres_l_expiration_informe_sans_refuser(lancer, depot):
    """docs/crochet.md : expirée, la dérogation ne couvre plus rien, mais rien n'empire dans le commit."""
    _deroger(depot)
    remplacer(depot / "securite/mesures.yaml", "comptes_privilegies: true", "comptes_privilegies: false")
    _commit(depot, "MFA retirée sous dérogation")
    sortie = lancer("crochet", str(depot), "--date", "2027-01-15")
    assert sortie.code == 0, sortie
    lignes = sortie.stdout.splitlines()
    assert "derogations.yaml:9: information : dérogation pour HYG-01 expirée le 2026-12-31 : non appliquée (derogation-expiree)" in lignes
    assert any(l.startswith("information : HYG-01 est non_conforme (gravité majeure) — ") for l in lignes)
    assert not [l for l in lignes[:-1] if "régression" in l or ": dérogation : " in l]
    assert lignes[-1] == "verificateur : commit accepté — 0 régression(s), 0 erreur(s) de preuve, 2 non-conformité(s)"


def test_init_donne_une_installation_qui_marche(lancer, tmp_path):
    """verificateur n'est pas sur PyPI : « pip install verificateur » échouerait ; le README et la
    configuration pre-commit créés disent l'installation depuis le dépôt ou une roue."""
    assert lancer("init", str(tmp_path / "depot")).code == 0
    for fichier in ("README.md", ".pre-commit-config.yaml"):
        texte = (tmp_path / "depot" / fichier).read_text(encoding="utf-8")
        assert "pip install pre-commit verificateur" not in texte and "pip install verificateur`" not in texte, fichier
        assert "pip install /chemin/vers/verificateur" in texte and "pre-commit install" in texte, fichier


def test_crochet_hors_d_un_depot_git_ne_parle_pas_d_options_qu_il_n_a_pas(lancer, tmp_path):
    sortie = lancer("crochet", str(tmp_path))
    assert sortie.code == 2
    assert sortie.stderr == (
        f"verificateur : {tmp_path}: pas un dépôt git ; le crochet vérifie ce qui sera commité (l'index git) : lancez-le "
        "dans un dépôt git (git init), ou évaluez le dossier tel quel avec « verificateur evaluer »\n"
    )


def test_init_le_finess_du_modele_est_signale_sans_bloquer(lancer, tmp_path):
    """« 000000000 » a une clé de Luhn juste : sans ce contrôle, le modèle passerait pour un établissement (#17.4)."""
    depot = tmp_path / "depot"
    assert lancer("init", str(depot)).code == 0
    sortie = lancer("preuves", "valider", str(depot))
    assert sortie.code == 0
    assert sortie.stdout.splitlines()[0] == (
        "etablissement.yaml:5: avertissement : numéro FINESS « 000000000 » : valeur du modèle d'init, pas un FINESS "
        "réel ; remplacez-la par le FINESS géographique de l'établissement (finess-modele)"
    )
