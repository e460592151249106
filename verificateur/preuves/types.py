"""Le registre des types de preuve (#14.2) : un enregistrement `TypePreuve` par sorte de fichier du
format 1 (CONCEPTION §3), qui dit son motif de chemin, son format, son schéma, son dossier, son contrôle
de cohérence (`preuves.controles`), la date qu'il déclare, ses champs qui nomment un fichier et son
modèle d'init. Les tables dont les autres modules ont besoin (`TYPES_PAR_NOM`, `EXEMPLES_DE_CHEMINS`,
`DOSSIERS`) en sont dérivées, jamais écrites à la main ; `type_de` reconnaît le type d'un chemin."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from verificateur.preuves import controles
from verificateur.socle.donnees import Document

# Un contrôle de cohérence entre champs : (valeurs validées et typées, document, groupes du motif).
Controle = Callable[[Any, Document, dict[str, str]], None]


@dataclass(frozen=True)
class TypePreuve:
    """Une sorte de fichier de preuve, décrite en un seul endroit : son enregistrement dans `TYPES`, le
    registre en fin de ce module. Ajouter un type = un enregistrement, son schéma, sa section de
    docs/preuves.md et son modèle d'init (tests/test_types_preuves.py vérifie qu'aucun ne manque)."""

    nom: str  # aussi celui de son schéma, verificateur/schemas/preuves/<nom>.schema.json
    motif: re.Pattern[str]  # chemin dans le dépôt ; ses groupes nommés (annee, date) vont au contrôle
    format: str  # yaml | csv | markdown
    forme: str  # ce que l'utilisateur doit écrire, pour les messages ; titre de sa section de docs/preuves.md
    schema: str | None
    # Un chemin représentatif, pour savoir si un motif de règle peut désigner quelque chose
    # (politiques.py) et quel type de preuve il désigne (typage.py).
    exemple: str | None = None
    modele: str | None = None  # le modèle qu'écrit `init`, sous verificateur/modeles/
    # Cohérence entre champs, après validation et typage : (valeurs, document, groupes du motif).
    controle: Controle | None = None
    # (champ, libellé) de la date que déclare le fichier : elle ne peut pas être postérieure à la date
    # d'évaluation, et la fraîcheur la compare au premier commit du fichier (evaluation.py).
    date_declaree: tuple[str, str] | None = None
    # Champs qui nomment un fichier du dépôt (None : chaque élément d'une liste) : confinés, et
    # signalés s'ils ne mènent à rien.
    chemins: tuple[tuple[str | int | None, ...], ...] = ()

    @property
    def dossier(self) -> str:
        """Le dossier du format 1 où vivent ces fichiers (« budget/ »), « » à la racine."""
        return self.forme.split("/")[0] + "/" if "/" in self.forme else ""


MARKDOWN = TypePreuve("markdown", re.compile(r".+\.md"), "markdown", "<nom>.md", None)


def type_de(chemin: str) -> TypePreuve | None:
    for type_preuve in TYPES:
        if type_preuve.motif.fullmatch(chemin):
            return type_preuve
    if chemin.endswith(".md"):
        return MARKDOWN
    return None


# --- le registre : un enregistrement par type de preuve ----------------------------------------------


def _t(nom: str, motif: str, format: str, forme: str, *, exemple: str, modele: str | None = None,
       controle: Controle | None = None, date_declaree: tuple[str, str] | None = None,
       chemins: tuple[tuple[str | int | None, ...], ...] = ()) -> TypePreuve:
    # Le modèle d'init est la forme du fichier, « <nom> » écrit comme un nom daté : déduit, pas recopié
    # (sauf s'il est donné).
    return TypePreuve(
        nom, re.compile(motif), format, forme, f"preuves/{nom}", exemple=exemple,
        modele=forme.replace("<nom>", "AAAA-MM-JJ-nom") if modele is None else modele,
        controle=controle, date_declaree=date_declaree, chemins=chemins,
    )


TYPES: tuple[TypePreuve, ...] = (
    _t("etablissement", r"etablissement\.yaml", "yaml", "etablissement.yaml",
       exemple="etablissement.yaml", controle=controles.etablissement),
    _t("budget", r"budget/(?P<annee>\d{4})\.yaml", "yaml", "budget/AAAA.yaml",
       exemple="budget/2025.yaml", controle=controles.budget),
    _t("exercice", r"exercices/[^/]+\.yaml", "yaml", "exercices/<nom>.yaml",
       exemple="exercices/2025-03-01-exercice.yaml",
       date_declaree=("date", "exercice daté du"), chemins=(("retex", "document"),)),
    _t("plan_blanc_numerique", r"crise/plan-blanc-numerique\.yaml", "yaml", "crise/plan-blanc-numerique.yaml",
       exemple="crise/plan-blanc-numerique.yaml",
       date_declaree=("valide_le", "plan blanc numérique validé le"),
       chemins=(("document",), ("applications_critiques", None, "mode_degrade"))),
    _t("formation", r"formation/(?P<annee>\d{4})\.yaml", "yaml", "formation/AAAA.yaml",
       exemple="formation/2025.yaml", controle=controles.formation),
    _t("veille", r"vulnerabilites/veille\.yaml", "yaml", "vulnerabilites/veille.yaml",
       exemple="vulnerabilites/veille.yaml"),
    _t("registre_vulnerabilites", r"vulnerabilites/registre\.csv", "csv", "vulnerabilites/registre.csv",
       exemple="vulnerabilites/registre.csv", controle=controles.registre_vulnerabilites),
    _t("mesures", r"securite/mesures\.yaml", "yaml", "securite/mesures.yaml",
       exemple="securite/mesures.yaml"),
    _t("incident", r"incidents/[^/]+\.yaml", "yaml", "incidents/<nom>.yaml",
       exemple="incidents/2025-03-01-incident.yaml",
       controle=controles.incident, date_declaree=("detecte_le", "incident détecté le")),
    _t("derogations", r"derogations\.yaml", "yaml", "derogations.yaml",
       exemple="derogations.yaml", controle=controles.derogations),
    # Extensions facultatives du format (programme CaRE, docs/care.md) : absentes, seules les règles CaRE manquent de preuve.
    _t("audit_ad", r"annuaire/audit-ad-(?P<annee>\d{4})\.yaml", "yaml", "annuaire/audit-ad-AAAA.yaml",
       exemple="annuaire/audit-ad-2025.yaml", controle=controles.audit_ad),
    _t("audit_exposition", r"exposition/audit-(?P<date>\d{4}-\d{2}-\d{2})\.yaml", "yaml", "exposition/audit-AAAA-MM-JJ.yaml",
       exemple="exposition/audit-2025-03-01.yaml", controle=controles.audit_exposition),
    _t("pca_pra", r"continuite/pca-pra\.yaml", "yaml", "continuite/pca-pra.yaml",
       exemple="continuite/pca-pra.yaml", controle=controles.pca_pra,
       chemins=(("document",), ("gouvernance", "schema"), ("perimetres", None, "pcra"))),
    # Extension facultative (docs/preuves.md) : registre des contrats d'hébergement et certification HDS,
    # lu par la politique nis2-hds seulement.
    _t("hebergeurs", r"contrats/hebergeurs\.csv", "csv", "contrats/hebergeurs.csv",
       exemple="contrats/hebergeurs.csv", controle=controles.hebergeurs),
)

# Tables dérivées du registre, jamais écrites à la main.
TYPES_PAR_NOM = {t.nom: t for t in TYPES}
EXEMPLES_DE_CHEMINS = tuple(t.exemple for t in TYPES if t.exemple)
# Dossiers du format 1 : un fichier de données qui s'y trouve sans y être reconnu est signalé (chargement).
DOSSIERS = frozenset(t.dossier for t in TYPES if t.dossier)
