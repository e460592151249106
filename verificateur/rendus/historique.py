"""Les rendus de l'historique (`verificateur historique`) : texte, JSON, CSV pour tableur.

Chaque rendu ne lit que le dict de `historique.historique` ; tabulate n'est importé que pour le texte.
"""

from __future__ import annotations

import json
from typing import Any

from verificateur.rendus.commun import pourcentage_texte, tableau
from verificateur.rendus.registre import Format, Options, registre


def changement(c: dict[str, Any]) -> str:
    """« BUD-01 : conforme → non_conforme » (« — » : règle absente)."""
    return f"{c['regle']} : {c['avant'] or '—'} → {c['apres'] or '—'}"


def rendre_texte(h: dict[str, Any], options: Options | None = None) -> str:
    lignes = [[e["date"], (e["revision"] or "—")[:12], e["statut_global"], pourcentage_texte(e["taux_conformite"], absent=""),
               len(e["changements"])] for e in h["etapes"]]
    texte = tableau(lignes, ["date", "révision", "statut global", "conformité", "changements"])
    sortie = [f"Historique de {h['depot']['chemin']} : {h['commits']} commit(s), du {h['depuis']} au {h['jusqu_a']}, par {h['pas']}",
              "", texte]
    changes = [e for e in h["etapes"] if e["changements"]]
    if changes:
        sortie += ["", "Changements :"]
        for e in changes:
            sortie.append(f"  {e['date']} ({e['revision'][:12]})")
            sortie += [f"    {changement(c)}" for c in e["changements"]]
    return "\n".join(sortie) + "\n"


def rendre_json(h: dict[str, Any], options: Options | None = None) -> str:
    return json.dumps(h, ensure_ascii=False, indent=2) + "\n"


def rendre_csv(h: dict[str, Any], options: Options | None = None) -> str:
    """Conventions d'un tableur français : `;`, BOM UTF-8, virgule décimale."""
    from verificateur.socle import tableur

    lignes = [
        [e["date"], e["revision"] or "", e["statut_global"], tableur.decimal(e["taux_conformite"]),
         " ; ".join(changement(c) for c in e["changements"])]
        for e in h["etapes"]
    ]
    return tableur.ecrire(["date", "revision", "statut_global", "taux_conformite", "changements"], lignes)


FORMATS: dict[str, Format] = registre(
    Format("texte", "verificateur.rendus.historique:rendre_texte", ".txt"),
    Format("json", "verificateur.rendus.historique:rendre_json", ".json"),
    Format("csv", "verificateur.rendus.historique:rendre_csv", ".csv"),
)
