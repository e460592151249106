"""Façade : les noms que le reste du paquet importe de la plomberie git, là où ils étaient avant
qu'elle soit répartie en modules d'un seul rôle (verificateur/git/__init__.py dit lequel fait quoi).

Un appelant nouveau importe plutôt le module qui définit le nom (`verificateur.git.sources`,
`verificateur.git.historique`…). Un réglage (`COMMITS_MAX`, `NOMBRE_MAX_FICHIERS`) se change dans le
module qui s'en sert, pas ici.
"""

from __future__ import annotations

from verificateur.git.confinement import ErreurConfinement as ErreurConfinement
from verificateur.git.depot import PasUnDepotGit as PasUnDepotGit, initialiser as initialiser
from verificateur.git.historique import COMMITS_MAX as COMMITS_MAX, Commit as Commit, Journal as Journal
from verificateur.git.processus import commande_collecte as commande_collecte, lancer_collecte as lancer_collecte
from verificateur.git.sources import (
    MODE_LIEN as MODE_LIEN,
    MODE_SOUS_MODULE as MODE_SOUS_MODULE,
    SourceIndex as SourceIndex,
    SourceRevision as SourceRevision,
)
