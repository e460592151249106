"""Le français des sorties : les nombres (virgule décimale, espace entre les milliers) et les erreurs du système."""

from __future__ import annotations

import errno
from decimal import Decimal


def nombre(d: Decimal) -> str:
    """12345.60 → « 12 345,6 » (espace entre milliers au-delà de 9 999, pour laisser les années intactes)."""
    texte = format(d, "f")
    if "." in texte:
        texte = texte.rstrip("0").rstrip(".")
    signe, texte = ("-", texte[1:]) if texte.startswith("-") else ("", texte)
    entier, _, decimales = texte.partition(".")
    if len(entier) > 4:
        entier = f"{int(entier):,}".replace(",", " ")
    return signe + entier + ("," + decimales if decimales else "")


# Les messages d'erreur du système (« No such file or directory ») sont en anglais : chaque erreur
# qu'un utilisateur peut provoquer a sa phrase française ; les autres sont nommées par leur code.
_ERREURS_SYSTEME = {
    errno.ENOENT: "dossier ou fichier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier, attendu un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque atteint",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ELOOP: "liens symboliques en boucle",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENFILE: "trop de fichiers ouverts sur le système",
    errno.EEXIST: "existe déjà et n'est pas un dossier",
    errno.EBUSY: "ressource occupée",
    errno.ENXIO: "périphérique absent",
    errno.ENODEV: "périphérique absent",
    errno.EXDEV: "déplacement entre deux systèmes de fichiers impossible",
    errno.ENOTEMPTY: "dossier non vide",
    errno.EFBIG: "fichier trop gros pour ce système de fichiers",
    errno.EPIPE: "le lecteur du tube l'a fermé",
    errno.ENOMEM: "mémoire insuffisante",
    errno.ETXTBSY: "fichier en cours d'exécution",
}


def erreur_systeme(exc: OSError) -> str:
    """La cause d'une erreur du système, en français : « permission refusée », jamais « Permission denied »."""
    if exc.errno in _ERREURS_SYSTEME:
        return _ERREURS_SYSTEME[exc.errno]
    if exc.errno is not None:
        return f"erreur du système {errno.errorcode.get(exc.errno, exc.errno)}"
    return "erreur du système"
