"""Les entrées d'un lot, écrites sur disque au fil de l'eau : la mémoire du processus principal ne
grandit pas avec le nombre de dépôts (docs/performances.md §3).

Chaque entrée reçue est écrite tout de suite, en une ligne JSON, dans un fichier temporaire anonyme
(effacé par le système à la fermeture, même si le processus est tué) ; seuls restent en mémoire sa clé
de tri et sa place dans le fichier. `triees()` rend une séquence en lecture seule, dans l'ordre du
contrat (FINESS puis chemin), qui relit chaque entrée à la demande : les agrégats, l'empreinte et
les rendus la parcourent comme une liste, sans jamais tenir toutes les entrées à la fois."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, overload

from verificateur.lot.entree import cle_tri


class Stock:
    """Le fichier des entrées et, pour chacune, (clé de tri, début, longueur)."""

    def __init__(self) -> None:
        self._fichier = tempfile.TemporaryFile()  # noqa: SIM115 — ouvert tant que le lot est rendu ; effacé à la fermeture
        self._places: list[tuple[tuple[str, str], int, int]] = []
        self._fin = 0

    def ajouter(self, entree: dict[str, Any]) -> None:
        # ASCII : un nom de fichier non UTF-8 (demi-substitut) fait l'aller-retour exact.
        ligne = json.dumps(entree, separators=(",", ":")).encode("ascii") + b"\n"
        self._fichier.seek(self._fin)
        self._fichier.write(ligne)
        self._places.append((cle_tri(entree), self._fin, len(ligne)))
        self._fin += len(ligne)

    def __len__(self) -> int:
        return len(self._places)

    def triees(self) -> EntreesTriees:
        self._places.sort(key=lambda place: place[0])  # FINESS puis chemin : un chemin n'est qu'une fois dans un lot
        self._fichier.flush()
        return EntreesTriees(self)

    def lire(self, i: int) -> dict[str, Any]:
        _, debut, longueur = self._places[i]
        self._fichier.seek(debut)
        entree: dict[str, Any] = json.loads(self._fichier.read(longueur))
        return entree


class EntreesTriees(Sequence[dict[str, Any]]):
    """Les entrées d'un lot dans l'ordre du contrat, relues du disque à chaque accès : une séquence,
    pas une liste (un `json.dumps` du lot entier échouerait bruyamment au lieu d'écrire une liste
    vide) ; une entrée lue est une copie, la modifier ne change pas le lot (`en_liste` pour cela)."""

    def __init__(self, stock: Stock):
        self._stock = stock

    def __len__(self) -> int:
        return len(self._stock)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self._stock.lire(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._stock.lire(i)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self._stock.lire(i)

    def en_liste(self) -> list[dict[str, Any]]:
        """Toutes les entrées en mémoire (le lot avec --programme, que l'éligibilité complète sur place)."""
        return list(self)
