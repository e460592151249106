"""La couverture des référentiels : pour chaque exigence, les règles qui la mettent en œuvre et les
preuves qu'elles lisent ; les exigences qu'aucune règle ne couvre, avec la raison quand l'exigence
n'est pas vérifiable sur des preuves."""

from __future__ import annotations

from dataclasses import dataclass

from verificateur.politiques import Catalogue


@dataclass(frozen=True)
class Ligne:
    exigence: str
    referentiel: str
    titre: str
    verifiable: bool
    regles: tuple[str, ...]
    preuves: tuple[str, ...]
    remarque: str

    @property
    def couverte(self) -> bool:
        return bool(self.regles)


def matrice(catalogue: Catalogue) -> list[Ligne]:
    lignes = []
    for exigence in sorted(catalogue.exigences.values(), key=lambda e: (e.referentiel, e.id)):
        regles = [r for r in catalogue.regles.values() if exigence.id in r.exigences]
        preuves = sorted({motif for r in regles for l in r.preuves.values() if (motif := l.get("fichier") or l.get("fichiers"))})
        if regles:
            remarque = ""
        elif exigence.verifiable:
            remarque = "vérifiable sur des preuves, mais aucune règle ne la couvre encore"
        else:
            verification = exigence.donnees.get("verification") or "voir le référentiel"
            remarque = "non vérifiable sur les preuves d'un établissement : " + verification
        lignes.append(Ligne(exigence.id, exigence.referentiel, exigence.titre, exigence.verifiable,
                            tuple(r.id for r in regles), tuple(preuves), remarque))
    return lignes


def bilan(lignes: list[Ligne]) -> str:
    couvertes = sum(l.couverte for l in lignes)
    orphelines = sum(1 for l in lignes if not l.couverte and l.verifiable)
    return (f"{len(lignes)} exigence(s) : {couvertes} couverte(s) par au moins une règle, "
            f"{orphelines} vérifiable(s) non couverte(s), {len(lignes) - couvertes - orphelines} non vérifiable(s)")


# --- correspondances avec des catalogues externes ------------------------------------------------------

# Du plus au moins complet : un nœud couvert par plusieurs exigences prend la meilleure portée.
PORTEES = ("complete", "partielle", "presence")
LIBELLES_PORTEES = {"complete": "complète", "partielle": "partielle", "presence": "document présent et daté"}
_BILAN_PORTEES = {"complete": "complète(s)", "partielle": "partielle(s)", "presence": "« document présent et daté »"}


@dataclass(frozen=True)
class Noeud:
    noeud: str
    exigences: tuple[str, ...]
    regles: tuple[str, ...]
    portee: str | None  # None : aucune exigence ne renvoie au nœud
    notes: tuple[str, ...]

    @property
    def couvert(self) -> bool:
        return bool(self.regles)


@dataclass(frozen=True)
class CatalogueExterne:
    referentiel: str
    id: str
    titre: str
    version: str
    noeuds: tuple[Noeud, ...]

    def bilan(self) -> str:
        """« ciso-assistant-care-d2 : 13/13 nœuds couverts par une règle (0 complète(s), 6 partielle(s), …) »."""
        couverts = [n for n in self.noeuds if n.couvert]
        parts = ", ".join(f"{sum(1 for n in couverts if n.portee == p)} {_BILAN_PORTEES[p]}" for p in PORTEES)
        return f"{self.id} : {len(couverts)}/{len(self.noeuds)} nœuds couverts par une règle ({parts})"


def correspondances(catalogue: Catalogue) -> list[CatalogueExterne]:
    """Pour chaque catalogue externe des référentiels chargés : chacun de ses nœuds évaluables, les
    exigences qui y renvoient, les règles qui les mettent en œuvre et la meilleure portée."""
    resultat = []
    for id_ref in sorted(catalogue.referentiels):
        for c in catalogue.referentiels[id_ref].get("catalogues", []):
            noeuds = []
            for ref in c["noeuds"]:
                liens = [(e, x) for e in sorted(catalogue.exigences.values(), key=lambda e: e.id) if e.referentiel == id_ref
                         for x in e.donnees.get("correspondances", []) if x["catalogue"] == c["id"] and x["noeud"] == ref]
                exigences = tuple(dict.fromkeys(e.id for e, _ in liens))
                regles = tuple(sorted({r.id for r in catalogue.regles.values() if set(r.exigences) & set(exigences)}))
                portees = [x["portee"] for _, x in liens]
                portee = min(portees, key=PORTEES.index) if portees else None
                noeuds.append(Noeud(ref, exigences, regles, portee, tuple(x["note"] for _, x in liens if x.get("note"))))
            resultat.append(CatalogueExterne(id_ref, c["id"], c["titre"], c["version"], tuple(noeuds)))
    return resultat
