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
        preuves = sorted({l.get("fichier") or l.get("fichiers") for r in regles for l in r.preuves.values()})
        if regles:
            remarque = ""
        elif exigence.verifiable:
            remarque = "vérifiable sur des preuves, mais aucune règle ne la couvre encore"
        else:
            remarque = "non vérifiable sur les preuves d'un établissement : " + (exigence.donnees.get("verification") or "voir le référentiel")
        lignes.append(Ligne(exigence.id, exigence.referentiel, exigence.titre, exigence.verifiable,
                            tuple(r.id for r in regles), tuple(preuves), remarque))
    return lignes


def bilan(lignes: list[Ligne]) -> str:
    couvertes = sum(l.couverte for l in lignes)
    orphelines = sum(1 for l in lignes if not l.couverte and l.verifiable)
    return (f"{len(lignes)} exigence(s) : {couvertes} couverte(s) par au moins une règle, "
            f"{orphelines} vérifiable(s) non couverte(s), {len(lignes) - couvertes - orphelines} non vérifiable(s)")
