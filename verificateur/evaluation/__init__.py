"""L'évaluation : politiques × preuves × date → un verdict par règle. Pure : aucune lecture, aucune
horloge ; la date d'évaluation est un argument. Les dérogations s'appliquent ici, une seule fois,
pour tous les modes (évaluer, crochet, lot, historique)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from verificateur.langage.compilation import filtre_compile
from verificateur.langage.contexte import Contexte
from verificateur.langage.registre import condition
from verificateur.langage.valeurs import Constat, Emplacement, ErreurCalcul, PreuveInvalide, PreuveManquante
from verificateur.politiques import Catalogue, Regle
from verificateur.preuves import MARKDOWN, TYPES_PAR_NOM, Preuve, Preuves
from verificateur.socle.problemes import AVERTISSEMENT, ERREUR, Probleme
from verificateur.socle.statuts import ECHECS as ECHECS, STATUTS as STATUTS

# Statuts qu'une dérogation active peut couvrir : jamais une preuve invalide, qui doit être corrigée.
DEROGEABLES = ("non_conforme", "preuve_manquante")
AVERTIR_EXPIRATION_JOURS = 30


class Verdict:
    """Le verdict d'une règle : statut, explication, constats, preuves citées, paramètres lus.

    Rendu sans explication (`evaluer_regle(…, expliquer=False)`, quand seul le statut compte), il ne
    rédige son explication, ses constats et ses preuves qu'à leur première lecture, en réévaluant la
    règle avec ses constats : l'évaluation est pure, le statut est le même et le texte aussi, octet
    pour octet, que s'ils avaient été rédigés tout de suite."""

    def __init__(self, regle: Regle, statut: str, explication: str = "", constats: list[Constat] | None = None,
                 preuves: list[Emplacement] | None = None, parametres: dict[str, tuple[date, Any, str]] | None = None,
                 derogation: dict[str, Any] | None = None, rediger: Callable[[], Verdict] | None = None) -> None:
        self.regle = regle
        self.statut = statut
        self.parametres: dict[str, tuple[date, Any, str]] = {} if parametres is None else parametres
        self.derogation = derogation
        self._rediger = rediger
        self._explication = explication
        self._constats: list[Constat] = [] if constats is None else constats
        self._preuves: list[Emplacement] = [] if preuves is None else preuves

    def _redige(self) -> None:
        if self._rediger is None:
            return
        rediger, self._rediger = self._rediger, None
        complet = rediger()
        if complet.statut != self.statut:  # l'évaluation est pure : ne peut arriver que par un défaut du moteur
            raise RuntimeError(f"{self.regle.id} : statut {self.statut} sans explication, {complet.statut} avec")
        self._explication, self._constats, self._preuves = complet.explication, complet.constats, complet.preuves

    @property
    def explication(self) -> str:
        self._redige()
        return self._explication

    @explication.setter
    def explication(self, texte: str) -> None:
        self._redige()
        self._explication = texte

    @property
    def constats(self) -> list[Constat]:
        self._redige()
        return self._constats

    @property
    def preuves(self) -> list[Emplacement]:
        self._redige()
        return self._preuves

    @preuves.setter
    def preuves(self, emplacements: list[Emplacement]) -> None:
        self._redige()
        self._preuves = emplacements


@dataclass
class Evaluation:
    date: date
    verdicts: list[Verdict]
    problemes: list[Probleme]


def _phrase(regle: Regle, statut: str, constats: list[Constat]) -> str:
    tete = regle.messages.get(statut, "")
    details = " ; ".join(c.texte for c in constats)
    if tete and details:
        return f"{tete} — {details}"
    return tete or details


def evaluer_regle(regle: Regle, preuves: Preuves, catalogue: Catalogue, date_evaluation: date, expliquer: bool = True,
                  motifs: dict[str, list[str]] | None = None) -> Verdict:
    """Le verdict de `regle`. `expliquer=False` : le statut seul, par le chemin rapide (conditions
    compilées, sans constats) ; l'explication n'est rédigée que si on la lit. `motifs` : les fichiers
    de chaque motif de ces preuves, partagés entre les règles d'une même évaluation."""
    politique = catalogue.politique(regle.politique)
    ctx = Contexte(date_evaluation, preuves, politique.parametres, regle.preuves, motifs=motifs if motifs is not None else {})
    if not expliquer:
        ctx.muet = True
        return Verdict(regle, _statut(regle, ctx), parametres=dict(ctx.parametres_lus),
                       rediger=lambda: evaluer_regle(regle, preuves, catalogue, date_evaluation, True, motifs))
    try:
        if regle.applicable is not None:
            applicable = condition(regle.applicable, ctx)
            if not applicable.ok:
                return _verdict(regle, "non_applicable", applicable.constats, ctx)
        resultat = condition(regle.condition, ctx)
        statut = "conforme" if resultat.ok else "non_conforme"
        return _verdict(regle, statut, resultat.constats, ctx)
    except PreuveManquante as manque:
        constat = Constat(f"preuve manquante : {manque.message}", manque.ou)
        return _verdict(regle, "preuve_manquante", [constat], ctx)
    except PreuveInvalide as invalide:
        erreurs = [p for p in invalide.preuve.document.problemes if p.niveau == ERREUR]
        premier = erreurs[0] if erreurs else None
        texte = f"preuve invalide : {premier}" if premier else f"preuve invalide : {invalide.preuve.chemin}"
        if len(erreurs) > 1:
            texte += f" (et {len(erreurs) - 1} autre(s) problème(s))"
        ou = Emplacement(invalide.preuve.chemin, premier.ligne if premier else None)
        return _verdict(regle, "erreur", [Constat(texte, ou)], ctx, sans_tete=True)
    except ErreurCalcul as erreur:
        return _verdict(regle, "erreur", [Constat(f"calcul impossible : {erreur.message}", erreur.ou)], ctx, sans_tete=True)


def _statut(regle: Regle, ctx: Contexte) -> str:
    """Le statut seul, par les conditions compilées sur un contexte muet : mêmes valeurs calculées, mêmes
    erreurs, mêmes fichiers et paramètres lus que l'évaluation qui rédige les constats."""
    try:
        if regle.applicable is not None and not filtre_compile(regle.applicable)(ctx):
            return "non_applicable"
        return "conforme" if filtre_compile(regle.condition)(ctx) else "non_conforme"
    except PreuveManquante:
        return "preuve_manquante"
    except (PreuveInvalide, ErreurCalcul):
        return "erreur"


def _verdict(regle: Regle, statut: str, constats: list[Constat], ctx: Contexte, sans_tete: bool = False) -> Verdict:
    cites: dict[tuple[str, int | None], None] = {}
    for c in constats:
        if c.ou is not None:
            cites[(c.ou.fichier, c.ou.ligne)] = None
    fichiers_cites = {f for f, _ in cites}
    for fichier in ctx.lus:
        if fichier not in fichiers_cites:
            cites[(fichier, None)] = None
    emplacements = sorted((Emplacement(f, l) for f, l in cites), key=lambda e: (e.fichier, e.ligne or 0))
    explication = " ; ".join(c.texte for c in constats) if sans_tete else _phrase(regle, statut, constats)
    return Verdict(regle, statut, explication, constats, emplacements, dict(ctx.parametres_lus))


def _dates_declarees(preuves: Preuves, types: tuple[str, ...] | None = None) -> Iterator[tuple[Preuve, str, str, date]]:
    """Les dates que déclarent les preuves valides (`TypePreuve.date_declaree`), de `types` seulement s'il est donné."""
    for preuve in preuves.preuves.values():
        declaree = TYPES_PAR_NOM.get(preuve.type, MARKDOWN).date_declaree
        if declaree is None or (types is not None and preuve.type not in types) or not preuve.valide:
            continue
        champ, libelle = declaree
        valeur = preuve.valeurs.get(champ)
        jour = valeur.date() if isinstance(valeur, datetime) else valeur
        if isinstance(jour, date):
            yield preuve, champ, libelle, jour


def _dates_futures(preuves: Preuves, date_evaluation: date) -> list[Probleme]:
    return [
        Probleme(
            preuve.chemin, preuve.document.ligne((champ,)), "date-future",
            f"« {champ} » au {jour_preuve.isoformat()}, après la date d'évaluation {date_evaluation.isoformat()} : "
            "cette preuve ne compte pas",
            AVERTISSEMENT,
        )
        for preuve, champ, _, jour_preuve in _dates_declarees(preuves)
        if jour_preuve > date_evaluation
    ]


def _appliquer_derogations(verdicts: list[Verdict], preuves: Preuves, date_evaluation: date) -> list[Probleme]:
    problemes: list[Probleme] = []
    fichier = preuves.preuves.get("derogations.yaml")
    if fichier is None or not fichier.valide:
        return problemes
    par_regle = {v.regle.id: v for v in verdicts}
    for i, d in enumerate(fichier.valeurs["derogations"]):
        ligne = fichier.document.ligne(("derogations", i))
        cible = d["regle"]

        # `ligne` liée à la définition : chaque dérogation signale à sa propre ligne.
        def signaler(code: str, message: str, niveau: str = AVERTISSEMENT, ligne: int = ligne) -> None:
            problemes.append(Probleme(fichier.chemin, ligne, code, message, niveau))

        if cible not in par_regle:
            signaler("derogation-regle-inconnue", f"dérogation pour « {cible} » : aucune règle de ce nom dans les politiques chargées")
            continue
        if d["expire_le"] < date_evaluation:
            signaler("derogation-expiree", f"dérogation pour {cible} expirée le {d['expire_le'].isoformat()} : non appliquée")
            continue
        if d["accordee_le"] > date_evaluation:
            signaler("derogation-future",
                     f"dérogation pour {cible} accordée le {d['accordee_le'].isoformat()}, après la date d'évaluation : non appliquée")
            continue
        verdict = par_regle[cible]
        if verdict.derogation is not None:
            signaler("derogation-doublon", f"deuxième dérogation active pour {cible} : seule la première s'applique")
            continue
        if verdict.statut not in DEROGEABLES:
            if verdict.statut == "conforme":
                signaler("derogation-sans-objet", f"dérogation pour {cible} sans objet : la règle est conforme")
            elif verdict.statut == "erreur":
                signaler("derogation-refusee", f"dérogation pour {cible} non appliquée : une preuve invalide doit être corrigée")
            continue
        if d["expire_le"] - date_evaluation <= timedelta(days=AVERTIR_EXPIRATION_JOURS):
            signaler("derogation-bientot-expiree",
                     f"dérogation pour {cible} expire le {d['expire_le'].isoformat()}, "
                     f"dans {(d['expire_le'] - date_evaluation).days} jour(s)")
        verdict.derogation = {
            "motif": d["motif"],
            "risque_accepte": d["risque_accepte"],
            "accordee_par": d["accordee_par"],
            "accordee_le": d["accordee_le"].isoformat(),
            "expire_le": d["expire_le"].isoformat(),
            "statut_initial": verdict.statut,
            "fichier": fichier.chemin,
            "ligne": ligne,
        }
        verdict.explication = (
            f"dérogation accordée par {d['accordee_par']} le {d['accordee_le'].isoformat()} jusqu'au "
            f"{d['expire_le'].isoformat()} ({d['motif']}) — {verdict.statut.replace('_', ' ')} : {verdict.explication}"
        )
        verdict.statut = "derogation"
        verdict.preuves = sorted({*verdict.preuves, Emplacement(fichier.chemin, ligne)}, key=lambda e: (e.fichier, e.ligne or 0))
    return problemes


# Au-delà de ce délai entre la date déclarée et l'ajout du fichier au dépôt : « déclaré a posteriori ».
DELAI_A_POSTERIORI_JOURS = 90


def declares_a_posteriori(preuves: Preuves, ajouts: dict[str, date]) -> list[Probleme]:
    """Un exercice ou un plan dont la date déclarée précède de plus de 90 jours le premier commit du
    fichier (`ajouts` : chemin → date du premier commit, lue dans git par l'appelant)."""
    problemes = []
    for preuve, champ, libelle, jour_preuve in _dates_declarees(preuves, ("exercice", "plan_blanc_numerique")):
        if preuve.chemin not in ajouts:
            continue
        ecart = (ajouts[preuve.chemin] - jour_preuve).days
        if ecart > DELAI_A_POSTERIORI_JOURS:
            problemes.append(Probleme(
                preuve.chemin, preuve.document.ligne((champ,)), "declare-a-posteriori",
                f"{libelle} {jour_preuve.isoformat()}, ajouté au dépôt le {ajouts[preuve.chemin].isoformat()} "
                f"({ecart} jours plus tard) : déclaré a posteriori",
                AVERTISSEMENT,
            ))
    return problemes


def evaluer(catalogue: Catalogue, preuves: Preuves, date_evaluation: date, ajouts: dict[str, date] | None = None,
            expliquer: bool = True) -> Evaluation:
    """`ajouts` (facultatif) : date du premier commit de chaque fichier, pour la fraîcheur.
    `expliquer=False` : quand seuls les statuts comptent (un échéancier qui réévalue à d'autres dates),
    chaque verdict ne rédige son explication que si on la lit (`evaluer_regle`)."""
    motifs: dict[str, list[str]] = {}  # les fichiers de chaque motif, cherchés une fois pour toutes les règles
    verdicts = [evaluer_regle(regle, preuves, catalogue, date_evaluation, expliquer, motifs) for regle in catalogue.regles.values()]
    problemes = (preuves.problemes() + _dates_futures(preuves, date_evaluation)
                 + _appliquer_derogations(verdicts, preuves, date_evaluation))
    if ajouts:
        problemes += declares_a_posteriori(preuves, ajouts)
    return Evaluation(date_evaluation, verdicts, sorted(set(problemes)))
