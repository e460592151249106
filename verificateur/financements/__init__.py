"""Éligibilité aux programmes de financement (docs/financements.md).

Un programme (`politiques/financements/*.yaml`) dit qui peut candidater, quand, à quelles conditions
(prérequis : règles respectées à une date ; objectifs : règles respectées à l'échéance) et comment se
calcule le montant plafond. Un module par travail, dans l'ordre du flux :

- `modeles` : les données, sans aucune lecture — `Programme` et ses `Condition`, la forme de chaque
  élément du résultat (`Motif`, `Candidature`, `Doublon`, `Resultat`…), les décisions et leurs mots ;
- `programmes` : trouver, lire (schéma `programme.schema.json`) et vérifier un programme contre le
  catalogue chargé (`charger`, `valider_programmes` pour `politiques valider`) ;
- `dossiers` : les seules lectures — le `Dossier` d'un établissement (profil et verdicts), son dépôt évalué
  par le moteur unique (`moteur.evaluer_source`) une fois par date distincte dont le programme a besoin
  (`evaluer_depot`) ;
- `motifs` : chaque condition jugée pour un établissement (fenêtre, profil, règles, doublon), pure ;
- `decision` : les doublons d'un FINESS écartés, les candidatures formées (une par GHT quand le programme
  le dit) et décidées — `eligible`, `non_eligible`, `incomplet`, `a_confirmer` (la décision dépend d'un
  fait non publié ; le motif le nomme) ou `clos` —, avec leur montant plafond (`decider`, `statuer`), pure ;
- `listes` : le résultat « verificateur/eligibilite/1 » (totaux par décision et par région contre
  l'enveloppe), son code de sortie, la liste des financeurs relue d'un lot ;
- `parcours` : le parcours complet, écrit une fois — `decider_candidatures` pour la commande
  `eligibilite`, `dossier_pour_lot` et `completer_lot` pour `lot --programme`.

Les noms qu'emploient les commandes et le lot sont repris ici.
"""

from verificateur.financements.listes import code_sortie as code_sortie, liste_depuis_lot as liste_depuis_lot
from verificateur.financements.modeles import DECISIONS as DECISIONS, Programme as Programme, Resultat as Resultat
from verificateur.financements.parcours import (
    completer_lot as completer_lot,
    decider_candidatures as decider_candidatures,
    dossier_pour_lot as dossier_pour_lot,
)
from verificateur.financements.programmes import (
    charger as charger,
    charger_selon as charger_selon,
    politiques_demandees as politiques_demandees,
    trouver as trouver,
    valider_programmes as valider_programmes,
)
