"""Foundation benchmark: import throughput and warm page latency (a command, not a test).

    .venv/bin/python bench/foundation_bench.py [--sizes 1000 10000 all] [--requests 200] [--code DIR] [--corpus FILE]

For each size N it imports the first N papers of ../shared/data/arxiv_corpus.jsonl.gz
(``all`` = the whole 241,792-paper file when present, else the bundled demo corpus)
plus the 1,500 demo papers (for daily listings) into a throwaway SQLite database, and
reports papers/s next to a naive baseline measured in the same run (one INSERT and one
commit per paper, what a straightforward script does). Then it times ``/``,
``/trending`` and a paper page through the real app with an in-process HTTP client
(warm: a few requests first), and ``/trending`` against a baseline that scores every
paper in Python on each request (arxiv-sanity-lite style).

Pages also report this process's CPU time per request, which other jobs on a shared machine
disturb far less than wall-clock latency. ``--code DIR`` measures the papertide package of
another checkout (a ``git worktree`` of an older commit) with this same script, for
before/after runs.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# --code must take effect before papertide is imported below, so it is read here by hand.
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv[:-1] else REPO
sys.path.insert(0, str(CODE))

from fastapi.testclient import TestClient  # noqa: E402

from papertide.app import create_app  # noqa: E402
from papertide.cli import demo_corpus_path  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.domain.trending import TrendingCandidate, rank_trending  # noqa: E402
from papertide.ingest.bulk import import_file  # noqa: E402
from papertide.ingest.records import parse_line  # noqa: E402
from papertide.services import Edges, build_services  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "arxiv_corpus.jsonl.gz"


def slice_corpus(n: int | None, out: Path, corpus: Path) -> Path:
    src = corpus if corpus.exists() else demo_corpus_path()
    with gzip.open(src, "rt", encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as w:
        for line in itertools.islice(fh, n):
            w.write(line)
    return out


def naive_import(db: Database, path: Path, limit: int) -> float:
    """Baseline: parse, then one INSERT + commit per paper."""
    import sqlalchemy as sa

    from papertide.storage.schema import papers

    t = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        for line in itertools.islice(fh, limit):
            p = parse_line(line).paper
            with db.engine.begin() as conn:
                conn.execute(sa.insert(papers).values(
                    arxiv_id=p.arxiv_id, title=p.title, abstract=p.abstract, authors=list(p.authors),
                    categories=list(p.categories), keywords=[], primary_category=p.primary_category,
                    published=p.published))
    return limit / (time.perf_counter() - t)


def percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[98]


def time_get(client: TestClient, url: str, n: int) -> tuple[float, float, float]:
    """p50 and p99 latency, and the mean CPU time per request (ms; server and client threads)."""
    for _ in range(5):
        client.get(url)
    samples = []
    cpu = time.process_time()
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    cpu_ms = (time.process_time() - cpu) * 1000 / n
    return (*percentiles(samples), cpu_ms)


def brute_force_trending(db: Database, now: datetime) -> list:
    """Baseline: load every listed paper and score it in Python on each request."""
    import sqlalchemy as sa

    from papertide.storage.schema import daily_listings, papers

    with db.read() as conn:
        rows = conn.execute(
            sa.select(papers.c.arxiv_id, papers.c.upvotes, papers.c.title, papers.c.abstract, daily_listings.c.listed_on)
            .join(daily_listings, daily_listings.c.paper_id == papers.c.id, isouter=True)
        ).all()
    cands = [TrendingCandidate(r.arxiv_id, r.upvotes, r.listed_on) for r in rows if r.listed_on]
    return rank_trending(cands, now)[:50]


def run(size: str, requests: int, corpus: Path) -> dict:
    n = None if size == "all" else int(size)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = slice_corpus(n, tmp_path / "slice.jsonl", corpus)
        count = sum(1 for _ in open(data, encoding="utf-8"))
        db = Database(f"sqlite:///{tmp_path / 'bench.db'}")
        upgrade(db)
        t = time.perf_counter()
        report = import_file(db, data)
        import_s = time.perf_counter() - t
        demo = import_file(db, demo_corpus_path())
        base_db = Database(f"sqlite:///{tmp_path / 'naive.db'}")
        upgrade(base_db)
        naive_rate = naive_import(base_db, data, min(count, 2000))
        t = time.perf_counter()
        again = import_file(db, data)
        reimport_s = time.perf_counter() - t

        settings = Settings(data_dir=tmp_path, database_url=db.url, _env_file=None)  # type: ignore[call-arg]
        client = TestClient(create_app(services=build_services(settings, Edges(db=db))))
        home = time_get(client, "/", requests)
        trending = time_get(client, "/trending", requests)
        paper = time_get(client, "/papers/2603.12572", requests)
        as_of = client.app.state.services.catalog.trending_as_of(datetime.now(UTC))
        samples = []
        for _ in range(max(5, requests // 10)):
            t = time.perf_counter()
            brute_force_trending(db, as_of)
            samples.append((time.perf_counter() - t) * 1000)
        brute = percentiles(samples)
        return {
            "papers": count, "inserted": report.inserted, "failed": report.failed,
            "import_rate": count / import_s, "naive_rate": naive_rate, "reimport_rate": count / reimport_s,
            "reimport_skipped": again.skipped, "demo_listings": demo.new_listings,
            "home": home, "trending": trending, "paper": paper, "brute_trending": brute,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["1000", "10000", "all"])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--code", type=Path, default=REPO, help="the checkout whose papertide is measured (read above)")
    # A git worktree (/work/wt/NAME) has no ../shared beside it: without --corpus it would measure
    # the 1,500 demo papers under the name "all".
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="the arXiv corpus (.jsonl.gz) sliced into each size")
    args = ap.parse_args()
    print(f"corpus: {args.corpus if args.corpus.exists() else demo_corpus_path()}; code: {CODE}")
    for size in args.sizes:
        r = run(size, args.requests, args.corpus)
        print(f"\n== {r['papers']:,} papers (+1,500 demo papers with daily listings), SQLite ==")
        print(f"import:   {r['import_rate']:8.0f} papers/s   naive baseline {r['naive_rate']:6.0f} papers/s"
              f"   ratio {r['import_rate'] / r['naive_rate']:.1f}x   (failed lines: {r['failed']})")
        print(f"re-import (all unchanged): {r['reimport_rate']:8.0f} papers/s, skipped {r['reimport_skipped']:,}")
        for name in ("home", "trending", "paper"):
            p50, p99, cpu = r[name]
            print(f"GET {name:9s} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   cpu {cpu:6.2f} ms/request")
        b50, b99 = r["brute_trending"]
        t50 = r["trending"][0]
        print(f"trending brute-force baseline (scoring only, no render) p50 {b50:7.2f} ms p99 {b99:7.2f} ms"
              f"   /trending is {b50 / t50:.1f}x faster at p50")


if __name__ == "__main__":
    main()
