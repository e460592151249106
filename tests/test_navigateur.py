"""Les pages HTML dans un vrai navigateur (#17.3) : le chromium de Debian sans interface, piloté par
Selenium à travers le chromedriver de Debian (/usr/bin/chromedriver : rien n'est téléchargé).

Pages : le rapport de chaque exemple (`evaluer --format html`), le tableau de bord d'un lot avec
`--rapports` (ses liens mènent aux rapports des établissements), la liste des financeurs et la
décision d'éligibilité, la couverture des référentiels. À 1 400 et à 800 pixels de large : aucun
défilement horizontal, chaque lien interne mène quelque part, aucun nom de fichier coupé au milieu
d'un mot, la barre empilée du tableau de bord occupe toute la largeur. Une capture de chaque page
est écrite dans le dossier de VERIFICATEUR_CAPTURES (par défaut : verificateur-captures dans le
dossier temporaire), que la CI garde comme artefact.

Sans chromium (poste de développeur), ces tests sont sautés en le disant ; en CI (CI=true), où
.ci/run l'installe, son absence est un échec, jamais un saut silencieux.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import DATE_EXEMPLES, EXEMPLES, RACINE

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
LARGEURS = (1400, 800)
EXEMPLES_NOMS = sorted(p.name for p in EXEMPLES.iterdir() if (p / "etablissement.yaml").is_file())


def _absents() -> list[str]:
    return [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]


def dossier_captures() -> Path:
    dossier = Path(os.environ.get("VERIFICATEUR_CAPTURES") or Path(tempfile.gettempdir()) / "verificateur-captures")
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def sans_navigateur(absents: list[str], ci: str | None) -> None:
    """Sauter en disant pourquoi, sur un poste sans chromium ; échouer en CI, qui l'installe."""
    raison = f"navigateur absent ({', '.join(absents)}) : apt-get install -y chromium chromium-driver (.ci/run l'installe)"
    if ci == "true":
        pytest.fail(f"CI=true : les tests du navigateur doivent s'exécuter, or {raison}")
    pytest.skip(raison)


def test_sans_navigateur_saute_sur_un_poste_et_echoue_en_ci():
    with pytest.raises(pytest.skip.Exception, match=r"^navigateur absent \(/usr/bin/chromedriver\) : apt-get install -y chromium chromium-driver"):
        sans_navigateur(["/usr/bin/chromedriver"], None)
    with pytest.raises(pytest.skip.Exception):
        sans_navigateur(["/usr/bin/chromium"], "false")
    with pytest.raises(pytest.fail.Exception, match=r"^CI=true : les tests du navigateur doivent s'exécuter, or navigateur absent"):
        sans_navigateur(["/usr/bin/chromium"], "true")


@pytest.fixture(scope="module")
def navigateur():
    absents = _absents()
    if absents:
        sans_navigateur(absents, os.environ.get("CI"))
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--lang=fr-FR"):
        options.add_argument(argument)
    # Le chemin du pilote est donné : Selenium Manager n'est jamais appelé, rien n'est téléchargé.
    pilote = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    yield pilote
    pilote.quit()


def _verificateur(*args: str) -> subprocess.CompletedProcess:
    fini = subprocess.run([sys.executable, "-m", "verificateur", *args], capture_output=True, text=True, cwd=RACINE, check=False)
    assert fini.returncode in (0, 1), fini.stderr
    return fini


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """Chaque page à vérifier, produite par la CLI comme un utilisateur la produit."""
    dossier = tmp_path_factory.mktemp("pages")
    resultat = {}
    for nom in EXEMPLES_NOMS:
        resultat[f"rapport-{nom}"] = dossier / f"{nom}.html"
        _verificateur("evaluer", f"exemples/{nom}", "--date", DATE_EXEMPLES, "--format", "html", "--sortie", str(resultat[f"rapport-{nom}"]))
    resultat["lot"] = dossier / "lot" / "tableau.html"
    _verificateur("lot", "exemples/", "--date", DATE_EXEMPLES, "--format", "html", "--sortie", str(resultat["lot"]),
                  "--rapports", str(dossier / "lot" / "rapports"), "--sans-cache", "--sans-progression", "--jobs", "1")
    resultat["liste"] = dossier / "liste.html"
    _verificateur("lot", "exemples/", "--date", DATE_EXEMPLES, "--programme", "exemples/programme-exemple.yaml",
                  "--liste", str(resultat["liste"]), "--sans-cache", "--sans-progression", "--jobs", "1")
    resultat["decision"] = dossier / "decision.html"
    _verificateur("eligibilite", "exemples/chu-armorique", "exemples/ch-cote-d-opale", "--programme", "exemples/programme-exemple.yaml",
                  "--date", DATE_EXEMPLES, "--format", "html", "--sortie", str(resultat["decision"]))
    resultat["couverture"] = dossier / "couverture.html"
    resultat["couverture"].write_text(_verificateur("referentiels", "couverture", "--format", "html").stdout, encoding="utf-8")
    return resultat


# Un nom de fichier (dans <code> ou .lieu) coupé entre deux lettres ou chiffres : « plan-blanc-numeri|que.md ».
# Chaque caractère est mesuré ; une coupure est un caractère plus bas que le précédent.
COUPURES = """
const coupures = [];
const lettre = /[\\p{L}\\p{N}]/u;
for (const el of document.querySelectorAll('code, .lieu')) {
  if (!/[\\/.]/.test(el.textContent)) continue;  // seulement ce qui ressemble à un chemin ou un nom de fichier
  const parcours = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let haut = null, avant = '';
  while (parcours.nextNode()) {
    const noeud = parcours.currentNode;
    for (let i = 0; i < noeud.length; i++) {
      const plage = document.createRange(); plage.setStart(noeud, i); plage.setEnd(noeud, i + 1);
      const boites = plage.getClientRects();
      if (!boites.length) continue;
      const c = noeud.data[i];
      if (haut !== null && boites[0].top > haut + 2 && lettre.test(avant) && lettre.test(c)) {
        coupures.push(el.textContent.trim() + ' (entre « ' + avant + ' » et « ' + c + ' »)');
      }
      haut = boites[0].top; avant = c;
    }
  }
}
return coupures;
"""

DEBORDEMENTS = """
const largeur = document.documentElement.clientWidth;
const debordent = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > largeur + 0.5 && !el.closest('.defilement')) debordent.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' « ' + (el.textContent || '').trim().slice(0, 40) + ' »');
}
return [document.documentElement.scrollWidth, largeur, debordent.slice(0, 5)];
"""


IDENTIFIANTS = "return Array.from(document.querySelectorAll('[id]'), e => e.id)"


def _charger(navigateur, page: Path, largeur: int) -> None:
    navigateur.set_window_size(largeur, 900)
    navigateur.get(page.as_uri())
    # Sans interface (et sans barres de défilement), la fenêtre est la zone d'affichage : 800 px de page.
    assert navigateur.execute_script("return document.readyState") == "complete"


def _capturer(navigateur, nom: str, largeur: int) -> None:
    hauteur = min(int(navigateur.execute_script("return document.documentElement.scrollHeight")), 8000)
    navigateur.set_window_size(largeur, max(hauteur, 600))
    navigateur.save_screenshot(str(dossier_captures() / f"{nom}-{largeur}.png"))


PAGES = [f"rapport-{nom}" for nom in EXEMPLES_NOMS] + ["lot", "liste", "decision", "couverture"]


@pytest.mark.parametrize("largeur", LARGEURS)
@pytest.mark.parametrize("nom", PAGES)
def test_page_sans_defilement_horizontal_ni_nom_de_fichier_coupe(navigateur, pages, nom, largeur):
    _charger(navigateur, pages[nom], largeur)
    defilement, visible, debordent = navigateur.execute_script(DEBORDEMENTS)
    assert (defilement, debordent) == (visible, []), f"{nom} à {largeur} px : la page défile horizontalement"
    assert navigateur.execute_script(COUPURES) == [], f"{nom} à {largeur} px : nom de fichier coupé au milieu d'un mot"
    _capturer(navigateur, nom, largeur)


@pytest.mark.parametrize("nom", PAGES)
def test_chaque_lien_interne_mene_quelque_part(navigateur, pages, nom):
    """Une ancre `#x` : un élément d'identifiant x dans la page ; un lien relatif (les rapports du
    lot) : un fichier qui existe, et son ancre s'il en a une. Les liens vers le web ne sont pas suivis."""
    _charger(navigateur, pages[nom], LARGEURS[0])
    liens = navigateur.execute_script("return Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))")
    internes = [l for l in liens if not re.match(r"^(https?|mailto):", l)]
    identifiants = {pages[nom]: set(navigateur.execute_script(IDENTIFIANTS))}
    casses = []
    for lien in internes:
        morceaux = urlsplit(lien)
        cible = (pages[nom].parent / unquote(morceaux.path)).resolve() if morceaux.path else pages[nom]
        if not cible.is_file():
            casses.append(lien)
            continue
        if morceaux.fragment:
            if cible not in identifiants:  # une autre page : ouverte une fois pour lire ses identifiants
                _charger(navigateur, cible, LARGEURS[0])
                identifiants[cible] = set(navigateur.execute_script(IDENTIFIANTS))
            if unquote(morceaux.fragment) not in identifiants[cible]:
                casses.append(lien)
    assert casses == [], f"{nom} : liens internes sans cible"
    if nom == "lot":  # le tableau de bord mène au rapport de chaque établissement
        rapports = {l for l in internes if l.startswith("rapports/") and l.endswith(".html")}
        assert len(rapports) == len(EXEMPLES_NOMS), internes


# La barre empilée s'étend jusqu'au bord droit du contenu (elle n'en occupait que la moitié) : celle
# des établissements du tableau de bord, et celle de chaque référentiel dans un rapport.
BORDS = """
const barre = document.querySelector(arguments[0]);
const parent = barre.closest(arguments[1]);
const style = getComputedStyle(parent);
return [Math.round(barre.getBoundingClientRect().right),
        Math.round(parent.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth))];
"""


@pytest.mark.parametrize("largeur", LARGEURS)
@pytest.mark.parametrize(("nom", "barre", "conteneur"), [
    ("lot", "svg.pile-barre", "section"),
    ("rapport-chu-armorique", ".referentiel svg", ".referentiel"),
])
def test_la_barre_empilee_occupe_toute_la_largeur(navigateur, pages, nom, barre, conteneur, largeur):
    _charger(navigateur, pages[nom], largeur)
    droite, bord = navigateur.execute_script(BORDS, barre, conteneur)
    assert droite == pytest.approx(bord, abs=1), f"{nom} à {largeur} px : la barre s'arrête à {droite} px, le contenu à {bord} px"
