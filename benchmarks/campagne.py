"""Une seconde campagne collectée : N dépôts servis par un vrai `git daemon`, dont 5 % ont changé
depuis la première (récupération + évaluation + enregistrement dans l'observatoire).

    python benchmarks/campagne.py [--depots 3000] [--part-changee 0.05] [--essais 1] [--jobs J] [--garder DOSSIER]

1. La flotte synthétique de benchmarks/flotte.py (graine 1, déterministe) : N dépôts, servis tels
   quels par `git daemon` sur 127.0.0.1 (port libre ; lancé et arrêté ici, chaque attente bornée).
   Les dépôts cassés de la flotte (≈ 1 %, et les simples dossiers sans git) restent des échecs de
   collecte ou d'évaluation, comme dans une vraie campagne.
2. Un manifeste `finess;git://127.0.0.1:PORT/d00042` ; première campagne T1 :
   `verificateur lot MANIFESTE --miroirs DIR --campagne T1 --observatoire DB --sans-cache`.
3. Un commit dans une part des dépôts sains (tirage déterministe) : un incident de plus et une ligne
   de plus au registre des vulnérabilités.
4. Seconde campagne T2, mesurée (temps réel, processeur du lot et de ses enfants git, processeur du
   serveur, objets et octets reçus : les paquets nouveaux des miroirs) ; chaque essai repart des
   miroirs et de la base laissés par T1 (copiés).
5. Pour séparer les parts : la même campagne relancée sur des miroirs déjà à jour (négociation sans
   rien recevoir + évaluation + enregistrement), puis le même lot sans aucun réseau (un manifeste des
   miroirs eux-mêmes, à la révision lue par T2) avec et sans `--campagne`.

Aucune assertion : des chiffres (docs/performances.md §8). La machine de mesure est partagée :
le temps réel dépend de sa charge (citée), le temps processeur beaucoup moins.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flotte  # noqa: E402
from commun import PYTHON, charge, environnement  # noqa: E402

DATE = "2026-10-01"
GRAINE = 1
GIT_EXEC = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
DELAI_DAEMON = 10  # secondes : démarrage et arrêt du serveur, bornés


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """`git daemon` sur 127.0.0.1 qui sert `racine` ; arrêté à la sortie, quoi qu'il arrive."""

    def __init__(self, racine: Path):
        self.racine = racine
        self.port = _port_libre()
        self.processus: subprocess.Popen | None = None

    def __enter__(self) -> Daemon:
        self.processus = subprocess.Popen(
            # git-daemon lui-même (pas le lanceur `git daemon`, qui l'attend comme un enfant) : son
            # temps processeur et celui des upload-pack qu'il a attendus se lisent dans /proc/PID/stat.
            [str(Path(GIT_EXEC) / "git-daemon"), "--reuseaddr", "--export-all", f"--base-path={self.racine}", "--listen=127.0.0.1",
             f"--port={self.port}", "--max-connections=64", str(self.racine)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environnement())
        fin = time.monotonic() + DELAI_DAEMON
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if time.monotonic() > fin or self.processus.poll() is not None:
                    self.__exit__()
                    raise SystemExit(f"git daemon absent sur le port {self.port}") from None
                time.sleep(0.05)

    def cpu(self) -> float:
        """Processeur (s) du serveur et de ses enfants déjà terminés (git upload-pack) : /proc/PID/stat."""
        champs = Path(f"/proc/{self.processus.pid}/stat").read_text().rsplit(")", 1)[1].split()
        tic = os.sysconf("SC_CLK_TCK")
        return sum(int(champs[k]) for k in (11, 12, 13, 14)) / tic  # utime, stime, cutime, cstime

    def __exit__(self, *exc) -> None:
        if self.processus and self.processus.poll() is None:
            self.processus.terminate()
            try:
                self.processus.wait(timeout=DELAI_DAEMON)
            except subprocess.TimeoutExpired:
                self.processus.kill()
                self.processus.wait(timeout=DELAI_DAEMON)


def paquets(miroirs: Path) -> dict[str, tuple[int, int]]:
    """Chaque paquet des miroirs → (objets, octets du .pack) ; objets lus dans l'en-tête de l'index v2."""
    resultat = {}
    for index in miroirs.glob("*.git/objects/pack/*.idx"):
        donnees = index.read_bytes()[: 8 + 256 * 4]
        if donnees[:8] != b"\xfftOc\x00\x00\x00\x02":
            continue
        pack = index.with_suffix(".pack")
        resultat[str(index.relative_to(miroirs))] = (int.from_bytes(donnees[8 + 255 * 4:], "big"),
                                                     pack.stat().st_size if pack.exists() else 0)
    return resultat


def finess_de(i: int) -> str:
    """Le FINESS qu'annonce etablissement.yaml du dépôt i (un FINESS de remplacement s'il n'y en a pas)."""
    _, fichiers = flotte.contenu(i, GRAINE)
    trouve = re.search(rb'^finess: "([0-9AB]{9})"', fichiers.get("etablissement.yaml", b""), re.M)
    return trouve.group(1).decode() if trouve else f"{990000000 + i}"


def changer(depot: Path, numero: int) -> None:
    """Un commit de plus sur main : un nouvel incident, une ligne de plus au registre (fast-import)."""
    git_dir = depot / ".git" if (depot / ".git").is_dir() else depot
    env = environnement()
    registre = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "blob", "main:vulnerabilites/registre.csv"],
                              capture_output=True, env=env, check=False).stdout
    registre += b"CVE-2026-77777;Serveur d'applications 3;haute;Scanner interne;2026-09-15;2026-09-20\n"
    incident = (b"detecte_le: 2026-09-20T08:30:00\ndeclare_le: 2026-09-20T14:00:00\ndeclare_a: cert_sante\n"
                b"gravite: mineure\nresume: \"Incident de la seconde campagne\"\n")
    flux = bytearray(b"commit refs/heads/main\ncommitter RSSI <rssi@exemple.invalid> 1790000000 +0200\n")
    flux += flotte._donnee(f"Campagne T2, {numero}".encode())
    flux += b"from refs/heads/main^0\n"
    flux += b"M 100644 inline vulnerabilites/registre.csv\n" + flotte._donnee(registre)
    flux += b"M 100644 inline incidents/2026-09-20-seconde-campagne.yaml\n" + flotte._donnee(incident)
    flux += b"\n"
    subprocess.run(["git", "--git-dir", str(git_dir), "fast-import", "--quiet"], input=bytes(flux), check=True, env=env)


def copier(source: Path, cible: Path) -> None:
    if cible.exists():
        shutil.rmtree(cible)
    subprocess.run(["cp", "-a", str(source), str(cible)], check=True)


def lot(manifeste: Path, miroirs: Path, base: Path | None, campagne: str | None, sortie: Path, jobs: int) -> tuple[float, float]:
    """(temps réel s, processeur s — lot et ses enfants git) d'un `verificateur lot` neuf."""
    argv = [PYTHON, "-m", "verificateur", "lot", str(manifeste), "--date", DATE, "--miroirs", str(miroirs), "--sans-cache",
            "--jobs", str(jobs), "--sans-progression", "--format", "json", "--sortie", str(sortie)]
    if campagne:
        argv += ["--campagne", campagne, "--observatoire", str(base)]
    # Le code 4 (un dépôt n'a pas pu être évalué) est attendu : la flotte a des dépôts cassés.
    debut = time.perf_counter()
    processus = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environnement())
    _, statut, usage = os.wait4(processus.pid, 0)
    reel = time.perf_counter() - debut
    erreur = processus.stderr.read().decode(errors="replace")
    processus.stderr.close()
    code = os.waitstatus_to_exitcode(statut)
    if code not in (0, 1, 4):
        raise SystemExit(f"échec ({code}) : {' '.join(argv)}\n{erreur}")
    return reel, usage.ru_utime + usage.ru_stime


def etats(sortie: Path) -> dict[str, int]:
    donnees = json.loads(sortie.read_text(encoding="utf-8"))
    compte: dict[str, int] = {}
    for e in donnees["etablissements"]:
        compte[e["etat"]] = compte.get(e["etat"], 0) + 1
    compte["echec (liste)"] = len(donnees.get("echecs", []))
    return compte


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depots", type=int, default=3000)
    parser.add_argument("--part-changee", type=float, default=0.05)
    parser.add_argument("--essais", type=int, default=1, help="essais de la seconde campagne (médiane)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--garder", metavar="DOSSIER", help="travailler ici et tout garder (sinon un dossier temporaire, effacé)")
    options = parser.parse_args()
    racine = Path(options.garder) if options.garder else Path(tempfile.mkdtemp(prefix="banc-campagne-"))
    racine.mkdir(parents=True, exist_ok=True)
    if any(racine.iterdir()):
        raise SystemExit(f"campagne : {racine} n'est pas vide")
    debut_total = time.perf_counter()
    n, jobs = options.depots, options.jobs
    print(f"{n} dépôts, {options.part_changee:.0%} changés, --jobs {jobs}, {os.cpu_count()} cœurs, charge {charge()}")

    debut = time.perf_counter()
    servis = racine / "servis"
    decrits = flotte.generer(n, servis, GRAINE)
    print(f"{'flotte générée (benchmarks/flotte.py, graine 1)':<62}: {time.perf_counter() - debut:7.1f} s")

    try:
        with Daemon(servis) as daemon:
            adresse = f"git://127.0.0.1:{daemon.port}"
            manifeste = racine / "manifeste.csv"
            manifeste.write_text("finess;chemin;revision\n" + "".join(f"{finess_de(i)};{adresse}/d{i:05d}\n" for i in range(n)),
                                 encoding="utf-8")
            miroirs, base = racine / "miroirs", racine / "observatoire.sqlite"

            cpu_serveur = daemon.cpu()
            reel, cpu = lot(manifeste, miroirs, base, "T1", racine / "t1.json", jobs)
            recu = paquets(miroirs)
            print(f"{'T1 : première campagne (tout est reçu)':<62}: {reel:7.1f} s, processeur {cpu:.1f} s "
                  f"(+ serveur {daemon.cpu() - cpu_serveur:.2f} s) ; {sum(o for o, _ in recu.values())} objets, "
                  f"{sum(b for _, b in recu.values()) / 1e6:.1f} Mo ; charge {charge()}")
            print(f"{'':<62}  {etats(racine / 't1.json')}")

            sains = [i for i, d in enumerate(decrits) if not d["casse"] and not d["malforme"]]
            changes = sorted(random.Random(f"campagne-{GRAINE}").sample(sains, round(n * options.part_changee)))
            debut = time.perf_counter()
            for numero, i in enumerate(changes):
                changer(servis / f"d{i:05d}", numero)
            print(f"{f'{len(changes)} dépôts changés (un commit chacun)':<62}: {time.perf_counter() - debut:7.1f} s")

            # L'état laissé par T1, d'où repart chaque essai de T2.
            copier(miroirs, racine / "miroirs-t1")
            shutil.copy2(base, racine / "observatoire-t1.sqlite")
            avant = paquets(miroirs)
            mesures = []
            for essai in range(options.essais):
                if essai:
                    copier(racine / "miroirs-t1", miroirs)
                    shutil.copy2(racine / "observatoire-t1.sqlite", base)
                    for suffixe in ("-wal", "-shm"):
                        Path(f"{base}{suffixe}").unlink(missing_ok=True)
                cpu_serveur = daemon.cpu()
                reel, cpu = lot(manifeste, miroirs, base, "T2", racine / "t2.json", jobs)
                apres = paquets(miroirs)
                nouveaux = {k: v for k, v in apres.items() if k not in avant}
                mesures.append((reel, cpu, daemon.cpu() - cpu_serveur, sum(o for o, _ in nouveaux.values()),
                                sum(b for _, b in nouveaux.values()), len({k.split("/")[0] for k, (o, _) in nouveaux.items() if o}),
                                sum(1 for o, _ in nouveaux.values() if not o), charge()))
            reel, cpu, serveur = (statistics.median(m[k] for m in mesures) for k in range(3))
            _, _, _, objets, octets, miroirs_recus, vides, charge_t2 = mesures[-1]
            print(f"{'T2 : seconde campagne (5 % changés) — médiane':<62}: {reel:7.1f} s, processeur {cpu:.1f} s "
                  f"(+ serveur {serveur:.2f} s) ; charge {charge_t2}")
            print(f"{'':<62}  reçu : {objets} objets, {octets / 1e3:.1f} Ko, dans {miroirs_recus} miroirs "
                  f"({objets / max(1, miroirs_recus):.1f} objets par miroir qui a reçu) ; {vides} paquets vides (0 objet)")
            print(f"{'':<62}  essais : " + ", ".join(f"{m[0]:.1f} s / {m[1]:.1f} s proc." for m in mesures))
            print(f"{'':<62}  {etats(racine / 't2.json')}")

            # Les mêmes sources, miroirs à jour : la négociation ne reçoit rien.
            cpu_serveur = daemon.cpu()
            r_ajour, c_ajour = lot(manifeste, miroirs, base, "T2-a-jour", racine / "t2-a-jour.json", jobs)
            s_ajour = daemon.cpu() - cpu_serveur
            encore = {k: v for k, v in paquets(miroirs).items() if k not in apres}
            print(f"{'T2 relancée, miroirs à jour (rien à recevoir)':<62}: {r_ajour:7.1f} s, processeur {c_ajour:.1f} s "
                  f"(+ serveur {s_ajour:.2f} s) ; {len(encore)} paquets reçus, "
                  f"{sum(o for o, _ in encore.values())} objets")

        # Sans réseau ni git fetch : les miroirs eux-mêmes, lus à la révision que T2 a lue.
        donnees = json.loads((racine / "t2.json").read_text(encoding="utf-8"))
        lignes = []
        for e in donnees["etablissements"]:
            if e["etat"] != "evalue" or not e["depot"].get("revision"):
                continue
            m = miroirs / (hashlib.sha256(e["chemin"].encode()).hexdigest() + ".git")
            if m.is_dir():
                lignes.append(f"{e['finess']};{m};{e['depot']['revision']}\n")
        local = racine / "manifeste-local.csv"
        local.write_text("finess;chemin;revision\n" + "".join(lignes), encoding="utf-8")
        r_eval, c_eval = lot(local, racine / "miroirs-inutiles", None, None, racine / "local.json", jobs)
        shutil.copy2(racine / "observatoire-t1.sqlite", racine / "observatoire-local.sqlite")
        r_enr, c_enr = lot(local, racine / "miroirs-inutiles", racine / "observatoire-local.sqlite", "T2-local",
                           racine / "local-enr.json", jobs)
        print(f"{f'sans réseau : les {len(lignes)} miroirs évalués seuls':<62}: {r_eval:7.1f} s, processeur {c_eval:.1f} s")
        print(f"{'sans réseau, avec --campagne (évaluation + enregistrement)':<62}: {r_enr:7.1f} s, processeur {c_enr:.1f} s")
        # Des différences entre lancements : sous la charge d'une machine partagée, une part plus petite
        # que le bruit sort négative ; elle est dite telle quelle plutôt qu'affichée comme un chiffre.
        def part(x: float) -> str:
            return f"{x:.1f} s" if x > 0 else f"≈ 0 (sous le bruit : {x:+.1f} s)"

        print(f"{'parts de T2 (processeur du lot)':<62}: évaluation ≈ {c_eval:.1f} s, enregistrement {part(c_enr - c_eval)}, "
              f"collecte (négociation + réception) {part(cpu - c_enr)}, dont réception des changés {part(cpu - c_ajour)}")
        print(f"{'parts de T2 (temps réel)':<62}: évaluation ≈ {r_eval:.1f} s, enregistrement {part(r_enr - r_eval)}, "
              f"collecte {part(reel - r_enr)}, dont réception des changés {part(reel - r_ajour)}")
        taille = sum(p.stat().st_size for p in miroirs.rglob("*") if p.is_file())
        print(f"{'miroirs sur disque après T2':<62}: {taille / 1e6:7.1f} Mo ({taille / n / 1e3:.0f} Ko par dépôt)")
        print(f"{'durée totale du banc':<62}: {time.perf_counter() - debut_total:7.1f} s ; charge {charge()}")
    finally:
        if not options.garder:
            shutil.rmtree(racine, ignore_errors=True)


if __name__ == "__main__":
    main()
