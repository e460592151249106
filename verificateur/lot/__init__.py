"""L'évaluation en lot (`verificateur lot`) : des centaines ou des milliers de dépôts de preuves, pour une ARS.

Le flux, un module par étape :
- `decouverte` : SOURCE… (dossiers, dépôts nus, manifestes CSV, adresses git, paquets) → des tâches
  (`Tache`) triées par chemin ; la répartition en parties (`--partie i/n`) ;
- `tache` : l'évaluation d'une tâche (ouvrir ou collecter le dépôt, reprise, cache, moteur commun
  `moteur.charger_et_evaluer` puis l'échéancier sur les mêmes preuves, dossier d'éligibilité) ; toute
  erreur ne coûte que ce dépôt ;
- `execution` : les tâches évaluées dans le processus (`--jobs 1`) ou par un groupe de processus ; un
  processus qui meurt ne coûte que la tâche qu'il évaluait ;
- `contexte` : les options partagées par chaque évaluation (`Contexte`) et l'état explicite d'un
  processus d'évaluation (`EtatProcessus` : catalogue, empreintes) ;
- `entree` : l'entrée typée d'un établissement (`Entree`, des valeurs, pas le rapport entier : la
  mémoire ne dépend pas de la taille des rapports), écrite au contrat par `Entree.en_dict` ;
- `cle` : la clé d'un dépôt dans le cache (contenu, politiques, date, seuil, code ; docs/lot.md §5) ;
- `cache` : les résultats gardés par clé, dans un seul index par dossier de cache (`Cache` lit, dans
  chaque processus ; `Registre` écrit, dans le processus principal seulement) ;
- `stock` : les entrées reçues, écrites sur disque au fil de l'eau et relues triées (mémoire plate) ;
- `rapports` : `--rapports` (rapport JSON et HTML par établissement), `--reprendre`, le verrou du dossier ;
- `contrat` : le JSON « verificateur/lot/2 » (docs/lot.md, schéma `schemas/lot.schema.json`) : en-tête,
  tri, agrégats (`agregats`), empreinte, code de sortie, fusion des parties ;
- `progression` : la barre de progression (stderr, vers un terminal seulement) ;
- `lancement` : un lot de bout en bout, tel que la ligne de commande le demande (`preparer`, `lancer`).

Ce module ne fait que réexporter les noms dont se sert le reste du code.
"""

from __future__ import annotations

from verificateur.lot.cache import dossier_cache_defaut as dossier_cache_defaut
from verificateur.lot.contexte import Contexte as Contexte
from verificateur.lot.contrat import (
    FORMAT as FORMAT,
    assembler as assembler,
    code_sortie as code_sortie,
    empreinte_en_flux as empreinte_en_flux,
    fusionner as fusionner,
    lire_json as lire_json,
    sceller as sceller,
    valider as valider,
)
from verificateur.lot.decouverte import Tache as Tache, dans_partie as dans_partie, decouvrir as decouvrir, lire_partie as lire_partie
from verificateur.lot.entree import Entree as Entree
from verificateur.lot.lancement import Demande as Demande, evaluer_lot as evaluer_lot, lancer as lancer, preparer as preparer
from verificateur.lot.progression import ligne_progression as ligne_progression
from verificateur.lot.rapports import nom_rapport as nom_rapport, verrouiller_rapports as verrouiller_rapports
