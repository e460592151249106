"""La plomberie git : lire un dépôt de preuves à une révision ou dans l'index, et son histoire, sans
que rien du dépôt ne s'exécute ni que rien d'autre que lui ne soit lu (docs/depot.md §4). Un module
par rôle, du bas vers le haut :

- `processus` : lancer git — l'invocation durcie (options `-c`, environnement sans GIT_* hérité),
  les processus bornés, les erreurs en français ; la collecte d'un lot dans un miroir. Seul module
  qui importe subprocess ;
- `confinement` : le dépôt ne lit que son dossier (dossier git, dossier commun, liens, annexes) ;
- `objets` : les contenus, les tailles de l'index et HEAD par un seul `cat-file` gardé ouvert ;
- `depot` : le dépôt que désigne un chemin (découverte, arbre de travail, préfixe), ses révisions ;
- `historique` : l'histoire de premier parent, lue en flux (`Journal`) ;
- `sources` : `SourceRevision` et `SourceIndex`, l'interface `Source` (verificateur/sources/) ;
- `collecte` : aller chercher un dépôt distant dans un miroir de l'auditeur ;
- `depot_git` : façade, les noms que le reste du paquet importe de là.
"""
