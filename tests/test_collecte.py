"""La collecte (`lot` sur des adresses git et des paquets `git bundle`) contre de vrais serveurs lancés
par les tests sur 127.0.0.1 : `git daemon`, et le HTTP « intelligent » (`git http-backend` derrière un
petit serveur WSGI écrit ici), chacun sur un port libre, arrêté à la fin du test. Rien n'est simulé :
connexion refusée sur un port fermé, serveur qui se tait, dépôt trop gros, adresse hostile, paquets
valide, tronqué, qui n'en est pas un, ou sans la révision."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from conftest import EXEMPLES
from test_lot import STATUTS_EXEMPLES, depot_git, environnement, git, lot_json, par_chemin  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git absent")

DATE = "2026-10-01"
BACKEND = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=False).stdout.strip()
CONFIG_INIT = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"


def _attendre_port(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            threading.Event().wait(0.05)
    raise AssertionError(f"serveur de test absent sur le port {port}")


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def daemon(tmp_path):
    """`git daemon` sur 127.0.0.1, qui sert tmp_path/servis ; arrêté à la fin du test."""
    racine = tmp_path / "servis"
    racine.mkdir(exist_ok=True)
    port = _port_libre()
    processus = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", f"--base-path={racine}", "--listen=127.0.0.1",
         f"--port={port}", str(racine)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _attendre_port(port)
        yield f"git://127.0.0.1:{port}"
    finally:
        processus.terminate()
        processus.wait(timeout=10)


class _Serveur(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Silencieux(WSGIRequestHandler):
    def log_message(self, *args):  # pas de journal sur stderr
        pass


def _http_backend(racine: Path):
    """Une application WSGI qui passe chaque requête à `git http-backend` (CGI), comme Apache le ferait."""

    def application(environ, repondre):
        if environ.get("PATH_INFO", "").startswith("/redirige/"):
            # Un serveur qui renvoie ailleurs (ici, vers lui-même) : la collecte ne suit pas.
            cible = environ["PATH_INFO"][len("/redirige"):] + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
            repondre("301 Moved Permanently", [("Location", cible)])
            return [b""]
        if environ.get("PATH_INFO", "").startswith("/prive/"):
            # Un dépôt protégé : seuls les identifiants de l'auditeur (assistant d'identification) y ouvrent.
            attendu = "Basic " + base64.b64encode(b"auditeur:jeton-de-l-auditeur").decode()
            if environ.get("HTTP_AUTHORIZATION") != attendu:
                repondre("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="preuves"')])
                return [b""]
            environ["PATH_INFO"] = environ["PATH_INFO"][len("/prive"):]
        longueur = int(environ.get("CONTENT_LENGTH") or 0)
        corps = environ["wsgi.input"].read(longueur) if longueur else b""
        env = {"PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": str(racine), "GIT_HTTP_EXPORT_ALL": "1",
               "REQUEST_METHOD": environ["REQUEST_METHOD"], "PATH_INFO": environ.get("PATH_INFO", ""),
               "QUERY_STRING": environ.get("QUERY_STRING", ""), "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
               "CONTENT_LENGTH": str(len(corps)), "REMOTE_ADDR": "127.0.0.1", "GIT_CONFIG_NOSYSTEM": "1",
               "HOME": str(racine)}
        for cle in ("HTTP_CONTENT_ENCODING", "HTTP_GIT_PROTOCOL"):
            if cle in environ:
                env[cle] = environ[cle]
        if "HTTP_GIT_PROTOCOL" in environ:
            env["GIT_PROTOCOL"] = environ["HTTP_GIT_PROTOCOL"]
        sortie = subprocess.run([os.path.join(BACKEND, "git-http-backend")], input=corps, capture_output=True,
                                env=env, check=False, timeout=60).stdout
        tete, _, reste = sortie.partition(b"\r\n\r\n")
        if not reste and b"\n\n" in sortie:
            tete, _, reste = sortie.partition(b"\n\n")
        statut, entetes = "200 OK", []
        for ligne in tete.decode("latin-1").splitlines():
            nom, _, valeur = ligne.partition(":")
            if nom.lower() == "status":
                statut = valeur.strip()
            elif nom:
                entetes.append((nom, valeur.strip()))
        repondre(statut, entetes)
        return [reste]

    return application


@pytest.fixture
def http(tmp_path):
    """Le HTTP intelligent de git sur 127.0.0.1 (http-backend derrière un serveur WSGI) ; arrêté à la fin."""
    racine = tmp_path / "servis"
    racine.mkdir(exist_ok=True)
    serveur = make_server("127.0.0.1", 0, _http_backend(racine), server_class=_Serveur, handler_class=_Silencieux)
    fil = threading.Thread(target=serveur.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    fil.start()
    try:
        yield f"http://127.0.0.1:{serveur.server_address[1]}"
    finally:
        serveur.shutdown()
        serveur.server_close()


@pytest.fixture
def muet():
    """Un serveur qui accepte les connexions et ne répond jamais (jusqu'à la fin du test)."""
    ecoute = socket.socket()
    ecoute.bind(("127.0.0.1", 0))
    ecoute.listen(8)
    fin = threading.Event()
    ouvertes = []

    def accepter():
        ecoute.settimeout(0.1)
        while not fin.is_set():
            try:
                ouvertes.append(ecoute.accept()[0])
            except OSError:
                continue

    fil = threading.Thread(target=accepter, daemon=True)
    fil.start()
    try:
        yield f"git://127.0.0.1:{ecoute.getsockname()[1]}"
    finally:
        fin.set()
        fil.join(timeout=5)
        for connexion in ouvertes:
            connexion.close()
        ecoute.close()


def servir(tmp_path: Path, nom: str, exemple: str) -> tuple[Path, Path]:
    """Un dépôt de travail (tmp_path/travail/NOM) tiré d'un exemple, et sa copie nue servie (servis/NOM.git)."""
    travail = depot_git(EXEMPLES / exemple, tmp_path / "travail" / nom)
    servi = tmp_path / "servis" / f"{nom}.git"
    servi.parent.mkdir(exist_ok=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(travail), str(servi)], check=True)
    return travail, servi


def trois_sources(tmp_path: Path, daemon: str, http: str) -> tuple[tuple[Path, Path], tuple[Path, Path], Path]:
    """Le CHU d'Armorique servi par `git daemon` (chu.git), le CH de la Vallée du Lys par le HTTP de git
    (vallee.git), l'EHPAD envoyé en paquet (tmp_path/tilleuls.bundle), et tmp_path/manifeste.csv qui les
    nomme. Rend (travail, servi) du CHU et de la Vallée, et le dépôt de travail de l'EHPAD."""
    chu = servir(tmp_path, "chu", "chu-armorique")
    vallee = servir(tmp_path, "vallee", "ch-vallee-du-lys")
    tilleuls = depot_git(EXEMPLES / "ehpad-les-tilleuls", tmp_path / "travail" / "tilleuls")
    git(tilleuls, "bundle", "create", str(tmp_path / "tilleuls.bundle"), "--all")
    (tmp_path / "manifeste.csv").write_text(
        "finess;chemin;revision\n"
        f"350042131;{daemon}/chu.git\n"
        f"590028718;{http}/vallee.git;main\n"
        "690035449;tilleuls.bundle\n", encoding="utf-8")
    return chu, vallee, tilleuls


def commit_de_plus(depot: Path, texte: str, message: str) -> None:
    """Un nouveau commit dans `depot` : LISEZMOI.txt (ré)écrit avec `texte`."""
    (depot / "LISEZMOI.txt").write_text(texte, encoding="utf-8")
    git(depot, "add", "LISEZMOI.txt")
    git(depot, "commit", "-q", "-m", message)


def miroir(dossier: Path, adresse: str) -> Path:
    return dossier / (hashlib.sha256(adresse.encode()).hexdigest() + ".git")


def objets_des_paquets(depot: Path) -> dict[str, int]:
    """Chaque paquet du dépôt et son nombre d'objets (lu dans l'en-tête de son index, version 2)."""
    resultat = {}
    for index in (depot / "objects" / "pack").glob("*.idx"):
        donnees = index.read_bytes()
        assert donnees[:8] == b"\xfftOc\x00\x00\x00\x02"
        resultat[index.name] = struct.unpack(">I", donnees[8 + 255 * 4: 8 + 256 * 4])[0]
    return resultat


def tous_les_octets(dossier: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(dossier.rglob("*")) if p.is_file())


def test_adresses_git_daemon_http_et_paquet_puis_collecte_incrementale(tmp_path, lancer, daemon, http):
    (chu, _), _, tilleuls = trois_sources(tmp_path, daemon, http)
    options = ("manifeste.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "2")

    sortie, donnees = lot_json(lancer, *options)
    assert sortie.code == 1, sortie
    entrees = par_chemin(donnees)
    assert sorted(entrees) == sorted([f"{daemon}/chu.git", f"{http}/vallee.git", "tilleuls.bundle"])
    attendu = {f"{daemon}/chu.git": "chu-armorique", f"{http}/vallee.git": "ch-vallee-du-lys", "tilleuls.bundle": "ehpad-les-tilleuls"}
    for chemin, exemple in attendu.items():
        entree = entrees[chemin]
        assert entree["etat"] == "evalue", entree
        assert entree["synthese"]["statut_global"] == STATUTS_EXEMPLES[exemple]
        assert entree["depot"] == {"chemin": chemin, "source": "revision", "revision": entree["depot"]["revision"], "nu": True}
    assert entrees[f"{daemon}/chu.git"]["depot"]["revision"] == git(chu, "rev-parse", "HEAD")
    assert entrees["tilleuls.bundle"]["depot"]["revision"] == git(tilleuls, "rev-parse", "HEAD")

    # Un miroir par source, nommé par le hachage de l'adresse ; la configuration est celle de
    # « git init --bare », sans aucune trace de la source (ni « remote », ni adresse).
    miroirs = tmp_path / "miroirs"
    m_chu = miroir(miroirs, f"{daemon}/chu.git")
    m_paquet = miroir(miroirs, "paquet:" + str((tmp_path / "tilleuls.bundle").resolve()))
    assert sorted(p.name for p in miroirs.glob("*.git")) == sorted(
        [m_chu.name, miroir(miroirs, f"{http}/vallee.git").name, m_paquet.name])
    for m in miroirs.glob("*.git"):
        assert (m / "config").read_text() == CONFIG_INIT
        assert not (m / "hooks").exists() and not (m / "FETCH_HEAD").exists()
        assert b"127.0.0.1" not in tous_les_octets(m) and b"tilleuls.bundle" not in tous_les_octets(m)
    # Seulement la révision : le miroir d'une adresse est superficiel (--depth 1).
    assert (m_chu / "shallow").read_text().strip() == git(chu, "rev-parse", "HEAD")

    # Une seconde campagne ne reçoit que le nouveau commit : un seul paquet de plus, de quelques objets
    # (le commit, l'arbre racine, le nouveau fichier ; au plus une base ajoutée par git à un paquet fin).
    avant = objets_des_paquets(m_chu)
    commit_de_plus(chu, "Nouvelle campagne.\n", "Nouvelle campagne")
    git(chu, "push", "-q", str(tmp_path / "servis" / "chu.git"), "main")
    assert int(git(chu, "rev-list", "--objects", "--count", "HEAD") or 0) > 20

    sortie, donnees = lot_json(lancer, *options)
    assert sortie.code == 1, sortie
    assert par_chemin(donnees)[f"{daemon}/chu.git"]["depot"]["revision"] == git(chu, "rev-parse", "HEAD")
    apres = objets_des_paquets(m_chu)
    nouveaux = {nom: n for nom, n in apres.items() if nom not in avant}
    assert list(nouveaux.values()) in ([3], [4]), (avant, apres)
    assert {k: v for k, v in apres.items() if k in avant} == avant


def test_chaque_echec_coute_sa_ligne_en_francais(tmp_path, lancer, daemon, http, muet):
    servir(tmp_path, "chu", "chu-armorique")
    gros = tmp_path / "travail" / "gros"
    shutil.copytree(EXEMPLES / "ch-vallee-du-lys", gros)
    (gros / "annexe.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    subprocess.run(["git", "init", "-q", str(gros)], check=True)
    git(gros, "add", "-A")
    git(gros, "commit", "-q", "-m", "Preuves et une grosse annexe")
    subprocess.run(["git", "clone", "-q", "--bare", str(gros), str(tmp_path / "servis" / "gros.git")], check=True)
    tilleuls = depot_git(EXEMPLES / "ehpad-les-tilleuls", tmp_path / "travail" / "tilleuls")
    git(tilleuls, "bundle", "create", str(tmp_path / "bon.bundle"), "--all")
    commit_de_plus(tilleuls, "suite\n", "Suite")
    git(tilleuls, "bundle", "create", str(tmp_path / "increment.bundle"), "HEAD~1..HEAD")
    complet = (tmp_path / "bon.bundle").read_bytes()
    (tmp_path / "tronque.bundle").write_bytes(complet[: len(complet) // 2])
    (tmp_path / "faux.bundle").write_text("ceci n'est pas un paquet git\n", encoding="utf-8")
    marqueur = tmp_path / "marqueur"
    ferme = _port_libre()
    (tmp_path / "manifeste.csv").write_text(
        f"350042131;{daemon}/chu.git\n"
        f"350042131;git://127.0.0.1:{ferme}/chu.git\n"
        f"590028718;{http}/gros.git\n"
        f"350042131;ext::sh -c touch% {marqueur}\n"
        "350042131;fd::17\n"
        f"350042131;ssh://-oProxyCommand=touch% {marqueur}/chu.git\n"
        "350042131;ftp://127.0.0.1/chu.git\n"
        f"350042131;{http.replace('http://', 'http://auditeur:motdepasse-secret@')}/chu.git\n"
        f"350042131;{daemon}/absent.git\n"
        f"350042131;{http}/redirige/chu.git\n"
        f"350042131;{daemon}/chu.git;HEAD~1\n"
        "690035449;tronque.bundle\n"
        "690035449;faux.bundle\n"
        "690035449;bon.bundle;v9\n"
        "690035449;increment.bundle\n", encoding="utf-8")

    sortie, donnees = lot_json(lancer, "manifeste.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache",
                               "--jobs", "2", "--taille-max-collecte", "1")
    assert sortie.code == 4, sortie
    raisons = {e["chemin"]: e["raison"] for e in donnees["echecs"]}
    assert raisons == {
        f"git://127.0.0.1:{ferme}/chu.git": "connexion refusée : aucun serveur git ne répond à cette adresse (serveur arrêté ou port fermé)",
        f"{http}/gros.git": "trop gros : le miroir dépasse 1 Mio (--taille-max-collecte), récupération arrêtée",
        "ext::…": "adresse refusée : le transport « ext:: » n'est pas admis (admis : https, http, ssh, git, file, "
                  "utilisateur@hôte:chemin, ou un paquet git (.bundle))",
        "fd::…": "adresse refusée : le transport « fd:: » n'est pas admis (admis : https, http, ssh, git, file, "
                 "utilisateur@hôte:chemin, ou un paquet git (.bundle))",
        f"ssh://-oProxyCommand=touch% {marqueur}/chu.git": "adresse refusée : espace ou caractère de contrôle",
        "ftp://127.0.0.1/chu.git": "adresse refusée : le protocole « ftp » n'est pas admis (admis : https, http, ssh, git, "
                                   "file, utilisateur@hôte:chemin, ou un paquet git (.bundle))",
        f"{http.replace('http://', 'http://***@')}/chu.git":
            "adresse refusée : identifiants dans l'URL (ils viendraient du manifeste) ; utilisez l'assistant "
            "d'identification de git (credential helper) ou l'agent SSH de l'auditeur",
        f"{daemon}/absent.git": "dépôt introuvable à cette adresse",
        f"{http}/redirige/chu.git": "redirection refusée : le serveur renvoie ailleurs ; donnez l'adresse finale",
        "tronque.bundle": "paquet git (bundle) tronqué ou corrompu",
        "faux.bundle": "pas un paquet git (bundle) : l'en-tête « # v2 git bundle » (ou v3) manque",
        "bon.bundle": "révision « v9 » introuvable dans le paquet git (bundle)",
        "increment.bundle": "paquet git incomplet : il suppose des commits absents (paquet incrémental) ; demandez un "
                            "paquet complet (git bundle create preuves.bundle --all)",
    }
    # Le même chemin n'est évalué qu'une fois (la première ligne) : la ligne HEAD~1 est ignorée.
    assert [e["chemin"] for e in donnees["etablissements"] if e["etat"] == "evalue"] == [f"{daemon}/chu.git"]
    assert not marqueur.exists()
    for texte in (sortie.stdout, sortie.stderr, tous_les_octets(tmp_path / "miroirs").decode("latin-1")):
        assert "motdepasse-secret" not in texte and "auditeur:" not in texte
    # Un serveur qui accepte la connexion et se tait : arrêté au délai (seul dans son lot, pour que le
    # délai très court ne touche aucune autre source sur une machine chargée).
    (tmp_path / "lent.csv").write_text(f"350042131;{muet}/chu.git\n", encoding="utf-8")
    sortie, donnees = lot_json(lancer, "lent.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache",
                               "--jobs", "1", "--delai-collecte", "0.5")
    assert [e["raison"] for e in donnees["echecs"]] == [
        "délai dépassé : la source n'a pas tout envoyé en 0,5 s (--delai-collecte)"]
    # Le miroir trop gros est effacé, comme celui d'une source jamais reçue ; aucun paquet temporaire
    # ni verrou ne reste. Seul reste le miroir de la source évaluée.
    assert [p.name for p in (tmp_path / "miroirs").glob("*.git")] == [miroir(tmp_path / "miroirs", f"{daemon}/chu.git").name]
    assert not miroir(tmp_path / "miroirs", f"{http}/gros.git").exists()
    restes = [p for p in (tmp_path / "miroirs").rglob("*") if p.name.startswith("tmp_") or p.name.endswith(".lock")]
    assert restes == []


def test_revision_d_une_adresse(tmp_path, lancer, daemon):
    chu, _ = servir(tmp_path, "chu", "chu-armorique")
    premier = git(chu, "rev-parse", "HEAD")
    git(chu, "tag", "v2026-T3")
    commit_de_plus(chu, "suite\n", "Suite")
    git(chu, "push", "-q", "--tags", str(tmp_path / "servis" / "chu.git"), "main")
    (tmp_path / "m.csv").write_text(f"350042131;{daemon}/chu.git;v2026-T3\n", encoding="utf-8")
    (tmp_path / "n.csv").write_text(f"350042131;{daemon}/chu.git;HEAD~1\n", encoding="utf-8")

    _, donnees = lot_json(lancer, "m.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")
    assert donnees["etablissements"][0]["depot"]["revision"] == premier
    # Une adresse en SOURCE, sans manifeste ; --revision s'y applique.
    _, donnees = lot_json(lancer, f"{daemon}/chu.git", "--revision", "v2026-T3", "--date", DATE, "--miroirs", "miroirs",
                          "--sans-cache", "--jobs", "1")
    assert donnees["sources"] == [f"{daemon}/chu.git"]
    assert donnees["etablissements"][0]["depot"] == {"chemin": f"{daemon}/chu.git", "source": "revision", "revision": premier, "nu": True}
    _, donnees = lot_json(lancer, "n.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")
    assert donnees["echecs"][0]["raison"] == (
        "révision « HEAD~1 » : d'un dépôt distant ou d'un paquet git, seuls HEAD, un nom de branche ou "
        "d'étiquette, ou un sha complet se récupèrent")


def test_fraicheur_recoit_l_histoire(tmp_path, lancer, daemon):
    chu, _ = servir(tmp_path, "chu", "chu-armorique")
    commit_de_plus(chu, "suite\n", "Suite")
    git(chu, "push", "-q", str(tmp_path / "servis" / "chu.git"), "main")
    (tmp_path / "m.csv").write_text(f"350042131;{daemon}/chu.git\n", encoding="utf-8")
    options = ("m.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")

    lot_json(lancer, *options)
    m = miroir(tmp_path / "miroirs", f"{daemon}/chu.git")
    assert (m / "shallow").exists()
    _, donnees = lot_json(lancer, *options, "--fraicheur")
    assert donnees["etablissements"][0]["etat"] == "evalue"
    assert not (m / "shallow").exists()
    assert git(m, "rev-list", "--count", donnees["etablissements"][0]["depot"]["revision"]) == "2"


def test_objets_fabriques_refuses_par_fsck(tmp_path, lancer, daemon):
    """Un serveur qui envoie un arbre contenant « .git » (ce qui, extrait, écrirait une configuration git) :
    refusé à la réception."""
    depot = tmp_path / "servis" / "piege.git"
    depot.parent.mkdir(exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", str(depot)], check=True)

    def ecrire(type_: str, contenu: bytes) -> str:
        return subprocess.run(["git", "-C", str(depot), "hash-object", "-w", "--literally", "-t", type_, "--stdin"],
                              input=contenu, capture_output=True, check=True).stdout.decode().strip()

    blob = ecrire("blob", b"[core]\n\tfsmonitor = touch marqueur\n")
    interieur = ecrire("tree", b"100644 config\x00" + bytes.fromhex(blob))
    arbre = ecrire("tree", b"40000 .git\x00" + bytes.fromhex(interieur))
    commit = ecrire("commit", f"tree {arbre}\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\n\npiege\n".encode())
    git(depot, "update-ref", "refs/heads/main", commit)
    git(depot, "symbolic-ref", "HEAD", "refs/heads/main")
    (tmp_path / "m.csv").write_text(f"350042131;{daemon}/piege.git\n", encoding="utf-8")

    _, donnees = lot_json(lancer, "m.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")
    assert donnees["echecs"][0]["raison"] == "objets refusés à la vérification (fsck) : envoi corrompu ou fabriqué"


def test_hote_ssh_qui_serait_une_option_refuse():
    from verificateur.git.collecte import analyser

    assert analyser("ssh://-oProxyCommand=x/chu.git").raison == (
        "adresse refusée : hôte absent, ou nom d'hôte ou d'utilisateur qui commence par « - »")
    assert analyser("-oProxyCommand=x@hote:chu.git").raison == (
        "adresse refusée : un nom d'utilisateur ou d'hôte ne commence pas par « - »")
    assert analyser("https://JETON@hote/chu.git").affichee == "https://***@hote/chu.git"
    assert analyser("git@hote.example:preuves/chu.git").raison is None
    assert analyser("ssh://git@hote.example/preuves/chu.git").raison is None


def test_source_file_piegee_ne_fait_rien_executer(tmp_path, lancer):
    """Une source `file://` : git y lance upload-pack, qui lit la configuration de la source. Aucune
    commande qu'elle nomme ne tourne, la source n'est pas modifiée, et le miroir n'en garde rien."""
    from test_depot_git import empreintes, rendre_hostile

    source = depot_git(EXEMPLES / "chu-armorique", tmp_path / "source")
    marqueurs = tmp_path / "marqueurs"
    rendre_hostile(source, marqueurs)
    with open(source / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[uploadpack]\n\tpackObjectsHook = touch {marqueurs}/packobjectshook;\n"
                     f"[core]\n\talternateRefsCommand = touch {marqueurs}/alternaterefs\n"
                     f"[remote \"origin\"]\n\tuploadpack = touch {marqueurs}/uploadpack\n")
    avant = empreintes(source)
    (tmp_path / "m.csv").write_text(f"350042131;file://{source}\n", encoding="utf-8")

    _, donnees = lot_json(lancer, "m.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")
    assert donnees["etablissements"][0]["etat"] == "evalue", donnees["echecs"]
    assert donnees["etablissements"][0]["depot"]["chemin"] == f"file://{source}"
    assert sorted(os.listdir(marqueurs)) == []
    assert empreintes(source) == avant
    assert (miroir(tmp_path / "miroirs", f"file://{source}") / "config").read_text() == CONFIG_INIT


def test_paquet_remplace_un_seul_paquet_dans_le_miroir(tmp_path, lancer):
    tilleuls = depot_git(EXEMPLES / "ehpad-les-tilleuls", tmp_path / "tilleuls")
    git(tilleuls, "bundle", "create", str(tmp_path / "preuves.bundle"), "--all")
    (tmp_path / "m.csv").write_text("690035449;preuves.bundle\n", encoding="utf-8")
    options = ("m.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")
    lot_json(lancer, *options)
    commit_de_plus(tilleuls, "suite\n", "Suite")
    git(tilleuls, "bundle", "create", str(tmp_path / "preuves.bundle"), "--all")

    _, donnees = lot_json(lancer, *options)
    assert donnees["etablissements"][0]["depot"]["revision"] == git(tilleuls, "rev-parse", "HEAD")
    m = miroir(tmp_path / "miroirs", "paquet:" + str((tmp_path / "preuves.bundle").resolve()))
    paquets = objets_des_paquets(m)
    assert list(paquets.values()) == [int(git(tilleuls, "rev-list", "--objects", "--all", "--count"))]


def test_source_en_ligne_de_commande_sans_identifiants_et_miroirs_inutilisables(tmp_path, lancer):
    secret = "https://auditeur:motdepasse-secret@127.0.0.1:9/chu.git"
    (tmp_path / "fichier").write_text("", encoding="utf-8")
    sortie, donnees = lot_json(lancer, secret, "--date", DATE, "--sans-cache", "--jobs", "1")
    assert donnees["sources"] == ["https://***@127.0.0.1:9/chu.git"]
    assert "motdepasse-secret" not in sortie.stdout + sortie.stderr
    (tmp_path / "m.csv").write_text(f"350042131;file://{tmp_path}/absent.git\n", encoding="utf-8")
    _, donnees = lot_json(lancer, "m.csv", "--date", DATE, "--miroirs", "fichier", "--sans-cache", "--jobs", "1")
    assert donnees["echecs"][0]["raison"] == "dossier des miroirs « fichier » inutilisable (existe déjà et n'est pas un dossier)"


def test_identifiants_de_l_auditeur_seulement(tmp_path, lancer, http):
    """Un dépôt protégé : sans identifiants, la ligne échoue sans rien demander ; avec l'assistant
    d'identification de l'auditeur (son ~/.gitconfig), il est collecté, et le jeton ne paraît nulle part."""
    servir(tmp_path, "chu", "chu-armorique")
    (tmp_path / "m.csv").write_text(f"350042131;{http}/prive/chu.git\n", encoding="utf-8")
    options = ("m.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")

    _, donnees = lot_json(lancer, *options)
    assert [e["raison"] for e in donnees["echecs"]] == [
        "authentification refusée ou requise : identifiants de l'auditeur (assistant d'identification git, agent SSH) absents ou refusés"]

    magasin = tmp_path / "identifiants"
    magasin.write_text(http.replace("http://", "http://auditeur:jeton-de-l-auditeur@") + "\n", encoding="utf-8")
    magasin.chmod(0o600)
    (Path(os.environ["HOME"]) / ".gitconfig").write_text(f"[credential]\n\thelper = store --file={magasin}\n", encoding="utf-8")
    sortie, donnees = lot_json(lancer, *options)
    assert donnees["etablissements"][0]["etat"] == "evalue", donnees["echecs"]
    assert "jeton-de-l-auditeur" not in sortie.stdout + sortie.stderr
    assert b"jeton-de-l-auditeur" not in tous_les_octets(tmp_path / "miroirs")


def test_les_paquets_d_un_miroir_ne_s_accumulent_pas(tmp_path, lancer, daemon):
    """Chaque campagne où le dépôt a changé garde un paquet de plus dans le miroir : au-delà de
    PAQUETS_MAX_MIROIR, le miroir les réunit (sinon un par trimestre, indéfiniment)."""
    from verificateur.git.collecte import PAQUETS_MAX_MIROIR

    chu, servi = servir(tmp_path, "chu", "chu-armorique")
    (tmp_path / "manifeste.csv").write_text(f"finess;chemin\n350042131;{daemon}/chu.git\n", encoding="utf-8")
    m_chu = miroir(tmp_path / "miroirs", f"{daemon}/chu.git")
    comptes = []
    for campagne in range(PAQUETS_MAX_MIROIR + 3):
        commit_de_plus(chu, f"Campagne {campagne}.\n", f"Campagne {campagne}")
        git(chu, "push", "-q", str(servi), "main")
        sortie, donnees = lot_json(lancer, "manifeste.csv", "--date", DATE, "--miroirs", "miroirs", "--sans-cache", "--jobs", "1")
        assert sortie.code == 0, sortie
        assert par_chemin(donnees)[f"{daemon}/chu.git"]["depot"]["revision"] == git(chu, "rev-parse", "HEAD")
        comptes.append(len(objets_des_paquets(m_chu)))
    assert comptes[:PAQUETS_MAX_MIROIR] == list(range(1, PAQUETS_MAX_MIROIR + 1)), comptes  # un paquet par campagne…
    assert max(comptes) <= PAQUETS_MAX_MIROIR, comptes  # … puis réunis
