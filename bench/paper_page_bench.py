"""Uncached paper page, in-process: CPU and wall time per request, SQL statements (a command, not a test).

    PAPERTIDE_DATABASE_URL=sqlite:////path/to.db python bench/paper_page_bench.py [--requests 300] [--papers 100] [--code DIR]

Builds the app from ``PAPERTIDE_*`` (an existing, migrated instance) with the page cache off and
times ``/papers/{id}`` through an in-process HTTP client: the paper ``page_cache_bench.py`` drives
(the first of the latest day's list) requested over and over, then ``--papers`` different papers
of the latest listing days, each requested once (its first render in this process; a few other
papers warm the process first). It reports this process's CPU time per request,
which other jobs on a shared machine disturb far less than wall-clock latency, and the SQL
statements one request runs. ``--code DIR`` measures the papertide package of another checkout
(a ``git worktree`` of an older commit) with this same script, for before/after runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# --code must take effect before papertide is imported below, so it is read here by hand.
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv[:-1] else REPO
sys.path.insert(0, str(CODE))
os.environ["PAPERTIDE_PAGE_CACHE_SECONDS"] = "0"
os.environ.setdefault("PAPERTIDE_LOG_LEVEL", "WARNING")

import sqlalchemy as sa  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from papertide.app import create_app  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.domain.periods import Period  # noqa: E402
from papertide.services import build_services  # noqa: E402

WARM = 20  # papers requested before timing


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def timed(client: TestClient, urls: list[str], n: int) -> tuple[float, float]:
    """(p50 wall ms, mean CPU ms) over ``n`` requests cycling through ``urls``."""
    samples = []
    cpu = time.process_time()
    for i in range(n):
        t = time.perf_counter()
        r = client.get(urls[i % len(urls)])
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (urls[i % len(urls)], r.status_code)
    return statistics.median(samples), (time.process_time() - cpu) * 1000 / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300, help="requests per measurement")
    ap.add_argument("--papers", type=int, default=300, help="distinct papers of the latest days, each requested once")
    ap.add_argument("--code", type=Path, default=REPO, help="the checkout whose papertide is measured (read above)")
    args = ap.parse_args()
    services = build_services(Settings())
    catalog = services.catalog
    day = catalog.latest_day()
    assert day is not None, "the database has no daily listings"
    first = catalog.period(day).entries[0].paper.arxiv_id
    ids: list[str] = []
    period: Period | None = day
    while len(ids) < args.papers + WARM and period is not None:  # the latest days, newest first
        shown = catalog.period(period, page_size=args.papers + WARM)
        ids += [e.paper.arxiv_id for e in shown.entries if e.paper.arxiv_id not in ids]
        period = shown.previous
    client = TestClient(create_app(services=services))
    one, many = [f"/papers/{first}"], [f"/papers/{i}" for i in ids[WARM : WARM + args.papers]]
    for i in ids[:WARM]:  # warm: the vector graph loads on the first similar-papers lookup
        client.get(f"/papers/{i}")
    statements: list[str] = []

    def count(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(services.db.engine, "before_cursor_execute", count)
    client.get(one[0])
    sa.event.remove(services.db.engine, "before_cursor_execute", count)
    say(f"code: {CODE}; {catalog.paper_count():,} papers; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    say(f"/papers/{first}: {len(statements)} SQL statements per request "
        f"({sum(1 for s in statements if s.startswith('BEGIN'))} of them BEGIN)")
    for name, urls, n in ((f"/papers/{first}, repeated", one, args.requests),
                          (f"{len(many)} other papers of the latest days, once each", many, len(many))):
        p50, cpu = timed(client, urls, n)
        say(f"{name:45s} p50 {p50:6.2f} ms   cpu {cpu:6.2f} ms/request")
    say(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
