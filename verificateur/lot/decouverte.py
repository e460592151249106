"""La découverte des dépôts d'un lot : SOURCE… (dossiers, dépôts, manifestes CSV, adresses git,
paquets) → des tâches triées par chemin, sans doublon ; et la répartition en parties (`--partie i/n`).
Aucun git n'est lancé ici : un dépôt nu se reconnaît à sa forme, une adresse est vérifiée avant tout."""

from __future__ import annotations

import csv
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from verificateur.git.collecte import analyser, est_distante, est_paquet
from verificateur.socle.francais import erreur_systeme
from verificateur.socle.problemes import ErreurVerificateur, lieu as situer
from verificateur.sources import est_nu

FINESS = re.compile(r"^(\d{9}|2[AB]\d{7})$")


@dataclass(frozen=True)
class Tache:
    """Un dépôt à évaluer, tel que découvert. `raison` : échec connu dès la découverte (ligne de
    manifeste invalide) ; `finess` : celui qu'annonce le manifeste, vérifié contre etablissement.yaml."""

    chemin: str
    finess: str | None = None
    revision: str | None = None
    raison: str | None = None


def _joindre(source: str, nom: str) -> str:
    return source + nom if source.endswith("/") else f"{source}/{nom}"


def decouvrir(sources: list[str], revision: str | None = None) -> list[Tache]:
    """Les tâches, triées par chemin, sans doublon. Un dossier SOURCE est un dépôt s'il contient
    etablissement.yaml ou s'il est un dépôt nu ; sinon chacun de ses sous-dossiers (hors dossiers
    cachés) est un dépôt. Un fichier SOURCE est un manifeste `finess;chemin[;revision]`."""
    taches: dict[str, Tache] = {}
    for source in sources:
        dossier = Path(source)
        if est_distante(source) or est_paquet(source):
            # Une adresse git ou un paquet (docs/lot.md, « Collecter ») : une tâche, collectée par son processus.
            adresse = analyser(source) if est_distante(source) else None
            trouvees = [Tache(adresse.affichee if adresse else source, revision=revision, raison=adresse.raison if adresse else None)]
        elif dossier.is_dir():
            if (dossier / "etablissement.yaml").exists() or est_nu(dossier):
                trouvees = [Tache(source, revision=revision)]
            else:
                try:
                    noms = sorted(e.name for e in os.scandir(dossier) if not e.name.startswith(".") and e.is_dir())
                except OSError as exc:
                    raise ErreurVerificateur(f"{source}: dossier illisible ({erreur_systeme(exc)})") from None
                trouvees = [Tache(_joindre(source, nom), revision=revision) for nom in noms]
        elif dossier.is_file():
            trouvees = lire_manifeste(source, revision)
        else:
            raise ErreurVerificateur(f"{source}: introuvable, attendu un dossier de dépôts ou un manifeste CSV")
        for tache in trouvees:
            taches.setdefault(tache.chemin, tache)
    return sorted(taches.values(), key=lambda t: t.chemin)


def lire_manifeste(chemin: str, revision: str | None = None) -> list[Tache]:
    """Manifeste CSV `finess;chemin[;revision]` (UTF-8, BOM admis, en-tête facultatif, lignes vides
    et commentaires `#` ignorés) ; chemins relatifs au dossier du manifeste. Une ligne invalide
    devient une tâche en échec nommée `manifeste:ligne`."""
    try:
        texte = Path(chemin).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ErreurVerificateur(f"{chemin}: manifeste illisible ({erreur_systeme(exc)})") from None
    except UnicodeDecodeError:
        raise ErreurVerificateur(f"{chemin}: manifeste illisible, attendu du texte UTF-8") from None
    base = os.path.dirname(chemin)
    taches = []
    premiere = True
    for numero, ligne in enumerate(texte.splitlines(), 1):
        if not ligne.strip() or ligne.lstrip().startswith("#"):
            continue
        lieu = situer(chemin, numero)
        try:
            champs = [c.strip() for c in next(csv.reader([ligne], delimiter=";", strict=True))]
        except csv.Error:
            champs = []
        if premiere and champs and champs[0].lower() == "finess":
            premiere = False
            continue
        premiere = False
        if len(champs) not in (2, 3):
            taches.append(Tache(lieu, raison=f"ligne de manifeste invalide : attendu « finess;chemin[;revision] », lu {len(champs)} "
                                             "champ(s)"))
            continue
        finess, dossier, rev = champs[0], champs[1], (champs[2] if len(champs) == 3 else "")
        if not FINESS.match(finess):
            taches.append(Tache(lieu, raison=f"ligne de manifeste invalide : FINESS « {finess} » mal formé (9 chiffres, ou 2A/2B et 7 "
                                             "chiffres)"))
        elif not dossier:
            taches.append(Tache(lieu, finess, raison="ligne de manifeste invalide : chemin vide"))
        elif est_distante(dossier):
            # Vérifiée ici, avant tout git : une adresse refusée (ext::, identifiants…) n'est jamais lancée
            # et n'est affichée que sans ses identifiants.
            adresse = analyser(dossier)
            taches.append(Tache(adresse.affichee, finess, rev or revision, raison=adresse.raison))
        else:
            complet = dossier if os.path.isabs(dossier) else os.path.normpath(os.path.join(base, dossier))
            taches.append(Tache(complet, finess, rev or revision))
    return taches


def lire_partie(texte: str) -> tuple[int, int]:
    """« i/n » → (i, n), 1 ≤ i ≤ n."""
    morceaux = texte.split("/")
    if len(morceaux) == 2 and all(m.isdigit() for m in morceaux):
        indice, total = int(morceaux[0]), int(morceaux[1])
        if 1 <= indice <= total:
            return indice, total
    raise ErreurVerificateur(f"--partie « {texte} » invalide : attendu i/n avec 1 ≤ i ≤ n (ex. 2/4)")


def dans_partie(tache: Tache, indice: int, total: int) -> bool:
    """Répartition stable : sha256 du chemin tel que découvert, modulo le nombre de parties."""
    return int(hashlib.sha256(tache.chemin.encode("utf-8")).hexdigest(), 16) % total == indice - 1

