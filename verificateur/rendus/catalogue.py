"""Les listes du catalogue : un registre par liste (docs/architecture.md, « Les formats de sortie »).

- `REGLES` (`politiques lister`) : `rendre(catalogue)` ;
- `EXIGENCES` (`referentiels lister`) : `rendre(exigences, {"catalogue": catalogue})`, les exigences dans l'ordre de la liste ;
- `COUVERTURE` (`referentiels couverture`) : `rendre(lignes, {"catalogue": catalogue, "correspondances": externes})`,
  la matrice et les catalogues externes de `verificateur.auteurs.couverture`.

La signature est celle de tous les rendus (`rendre(donnees, options=None)`, verificateur/rendus/registre.py) :
le catalogue et les catalogues externes, contexte de la liste, passent dans les options.

Le texte et le CSV sont rendus ici (tabulate n'est importé que pour le texte), le HTML par
`catalogue_html.py` (mêmes gabarits et même feuille de style que le rapport).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from verificateur.rendus.commun import catalogue_des, preuves_lues
from verificateur.rendus.registre import Format, registre

if TYPE_CHECKING:
    from verificateur.auteurs.couverture import Ligne
    from verificateur.politiques import Catalogue, Exigence
    from verificateur.rendus.registre import Options

REGLES: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.catalogue:regles_texte", ".txt"),
    Format("csv", "verificateur.rendus.catalogue:regles_csv", ".csv"),
    Format("html", "verificateur.rendus.catalogue_html:regles", ".html"),
)

EXIGENCES: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.catalogue:exigences_texte", ".txt"),
    Format("csv", "verificateur.rendus.catalogue:exigences_csv", ".csv"),
    Format("html", "verificateur.rendus.catalogue_html:exigences", ".html"),
)

COUVERTURE: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.catalogue:couverture_texte", ".txt"),
    Format("csv", "verificateur.rendus.catalogue:couverture_csv", ".csv"),
    Format("html", "verificateur.rendus.catalogue_html:couverture", ".html"),
)


def regles_texte(catalogue: Catalogue, options: Options | None = None) -> str:
    from tabulate import tabulate

    lignes = [[r.id, r.gravite, ", ".join(r.exigences), ", ".join(preuves_lues(r)), r.titre] for r in catalogue.regles.values()]
    return tabulate(lignes, headers=["règle", "gravité", "exigences", "preuves", "titre"], tablefmt="simple") + "\n"


def regles_csv(catalogue: Catalogue, options: Options | None = None) -> str:
    from verificateur.socle import tableur

    entete = ["regle", "gravite", "exigences", "preuves", "titre", "politique", "fichier", "ligne"]
    return tableur.ecrire(entete, [
        # Les motifs séparés par une espace, comme l'était la colonne du texte (« , » → « ») : au même octet près.
        [r.id, r.gravite, " ".join(r.exigences), ", ".join(preuves_lues(r)).replace(", ", " "), r.titre, r.politique, r.fichier, r.ligne]
        for r in catalogue.regles.values()
    ])


def _exigence(e: Exigence) -> list[str]:
    return [e.id, e.titre, "oui" if e.verifiable else "non", e.confiance,
            "; ".join(f"{s.get('emetteur', '')}, {s.get('date', 's. d.')}" for s in e.sources)]


def exigences_texte(exigences: list[Exigence], options: Options | None = None) -> str:
    from tabulate import tabulate

    return tabulate([_exigence(e) for e in exigences], headers=["exigence", "titre", "vérifiable", "confiance", "sources"],
                    tablefmt="simple") + "\n"


def exigences_csv(exigences: list[Exigence], options: Options | None = None) -> str:
    from verificateur.socle import tableur

    return tableur.ecrire(["exigence", "titre", "verifiable", "confiance", "sources", "referentiel"],
                          [_exigence(e) + [e.referentiel] for e in exigences])


def couverture_texte(lignes: list[Ligne], options: Options | None = None) -> str:
    from tabulate import tabulate

    from verificateur.auteurs.couverture import LIBELLES_PORTEES, bilan

    tableau = [[l.exigence, ", ".join(l.regles) or "—", ", ".join(l.preuves) or "—", l.remarque] for l in lignes]
    texte = [tabulate(tableau, headers=["exigence", "règles", "preuves lues", "remarque"], tablefmt="simple"), "", bilan(lignes)]
    for c in (options or {}).get("correspondances", []):
        texte += ["", f"Catalogue externe {c.id} (référentiel {c.referentiel}) : {c.titre} ; version lue : {c.version}"]
        texte.append(tabulate(
            [[n.noeud, ", ".join(n.exigences) or "—", ", ".join(n.regles) or "—",
              LIBELLES_PORTEES[n.portee] if n.portee else "non couvert", " ".join(n.notes)] for n in c.noeuds],
            headers=["nœud", "exigences", "règles", "portée", "ce qui n'est pas vérifié"], tablefmt="simple",
            maxcolwidths=[None, None, None, None, 70]))
        texte.append(c.bilan())
    return "".join(f"{ligne}\n" for ligne in texte)


def couverture_csv(lignes: list[Ligne], options: Options | None = None) -> str:
    from verificateur.socle import tableur

    catalogue = catalogue_des(options)

    # Les nœuds des catalogues externes auxquels renvoie chaque exigence : « catalogue:nœud (portée) ».
    def renvois(exigence: str) -> str:
        return " ".join(f"{x['catalogue']}:{x['noeud']} ({x['portee']})"
                        for x in catalogue.exigences[exigence].donnees.get("correspondances", []))

    entete = ["referentiel", "exigence", "titre", "verifiable", "regles", "preuves", "remarque", "correspondances"]
    return tableur.ecrire(entete, [
        [l.referentiel, l.exigence, l.titre, "oui" if l.verifiable else "non", " ".join(l.regles), " ".join(l.preuves), l.remarque,
         renvois(l.exigence)]
        for l in lignes
    ])
