"""Les bornes d'un dépôt de preuves lu, quelle que soit sa source (arbre, révision, index) : un chemin
cité reste dans le dépôt, et les tailles et nombres lus sont bornés (docs/limites.md).

Au socle, parce que la plomberie git (`depot_git`) les applique comme les sources (`sources`) :
ni l'une ni l'autre n'importe l'autre pour les connaître.
"""

from __future__ import annotations

import posixpath

from verificateur.socle.problemes import Probleme

# Au-delà, un fichier n'est pas lu (un dépôt hostile ne doit pas épuiser la mémoire) ; docs/limites.md.
TAILLE_MAX_FICHIER = 10 * 1024 * 1024
# Au-delà, le dépôt est refusé : aucun établissement n'a besoin d'autant de fichiers de preuve.
NOMBRE_MAX_FICHIERS = 50_000
# Au-delà, le dépôt est refusé : la mémoire reste bornée quel que soit le nombre de fichiers de preuve
# (docs/limites.md). Fichiers de preuve reconnus ; octets qu'ils totalisent ; valeurs lues (nœuds YAML,
# cellules CSV, titres Markdown) dans tout le dépôt, ou toute son histoire pour `historique`.
NOMBRE_MAX_PREUVES = 10_000
TAILLE_MAX_PREUVES = 64 * 1024 * 1024
VALEURS_MAX_DEPOT = 250_000
# Dossiers imbriqués au plus (docs/limites.md) : au-delà, leur contenu n'est pas lu, dans tous les modes
# (arbre, révision, index, historique). Un millier de niveaux épuisait la pile de `os.walk`.
PROFONDEUR_MAX_DOSSIERS = 64
# Un chemin absolu plus long n'est pas accessible par son nom (PATH_MAX de Linux) : non lu, signalé.
CHEMIN_MAX = 4096
# Bornes par dépôt collecté (adresse git ou paquet, `lot --delai-collecte`, `--taille-max-collecte`) :
# ici, au socle, pour que la ligne de commande les affiche sans charger la collecte au démarrage.
DELAI_DEFAUT = 600  # secondes par dépôt
TAILLE_DEFAUT = 2048  # Mio par miroir


def chemin_confine(chemin: str) -> str | None:
    """Normalise un chemin cité dans une preuve ; None s'il sort du dépôt (absolu, `..`, lecteur Windows)."""
    if not chemin or "\\" in chemin or "\x00" in chemin:
        return None
    if chemin.startswith("/") or (len(chemin) > 1 and chemin[1] == ":"):
        return None
    normal = posixpath.normpath(chemin)
    if normal == "." or normal == ".." or normal.startswith("../"):
        return None
    return normal


def dossier_trop_profond(chemin: str) -> str | None:
    """Le dossier de `chemin` (relatif POSIX) qui dépasse PROFONDEUR_MAX_DOSSIERS niveaux, ou None."""
    if chemin.count("/") <= PROFONDEUR_MAX_DOSSIERS:
        return None
    return "/".join(chemin.split("/", PROFONDEUR_MAX_DOSSIERS + 1)[: PROFONDEUR_MAX_DOSSIERS + 1])


def probleme_trop_profond(dossier: str) -> Probleme:
    return Probleme(dossier, 0, "dossier-trop-profond",
                    f"dossiers imbriqués sur plus de {PROFONDEUR_MAX_DOSSIERS} niveaux : contenu non lu (docs/limites.md)")
