"""Filtered search without words: the keyword index's listing against SQL's walk, same run, same answers.

    PYTHONPATH=. .venv/bin/python bench/browse_bench.py --db /path/to/papertide.db

What someone does on the search page with filters and no words: a category, a month, papers
with code or on a daily list, everything outside a few categories, an author's name (a surname
taken from a seeded sample of the papers held, asked for the first time: no kept list yet), and
a category with an author. Each is asked by date and by upvotes, on the first page and the
fourth, through :func:`papertide.search.browsing.browse` (the tantivy index with the SQL checks
it needs) and through SQL's own walk (``storage.search.browse``, the baseline); both answers
must be identical. Timings in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from search_bench import pct  # bench/ is on sys.path when a bench script runs

from papertide.domain.search import SearchFilters
from papertide.search.browsing import browse
from papertide.search.lexical import make_lexical_index
from papertide.storage import search as search_store
from papertide.storage.db import Database
from papertide.storage.schema import paper_categories, papers

SEED = 11
PAGE = 20


def cases(db: Database, n: int) -> list[tuple[str, SearchFilters]]:
    rnd = random.Random(SEED)
    with db.read() as conn:
        cats = [c for c, in conn.execute(sa.select(paper_categories.c.category).group_by(paper_categories.c.category)
                                         .order_by(sa.func.count().desc()).limit(60))]
        ids = list(conn.execute(sa.select(papers.c.id)).scalars())
        rows = conn.execute(sa.select(papers.c.authors, papers.c.published)
                            .where(papers.c.id.in_(rnd.sample(ids, min(n, len(ids)))))).all()
    names = [rnd.choice(r.authors).split()[-1].lower() for r in rows if r.authors]
    days = sorted(r.published for r in rows if r.published)
    out: list[tuple[str, SearchFilters]] = []
    for i in range(n):
        first = rnd.choice(days) if days else date(2025, 1, 1)
        out += [
            ("category", SearchFilters(categories=(rnd.choice(cats),))),
            ("month", SearchFilters(published_from=first, published_to=first + timedelta(days=30))),
            ("outside 4 categories", SearchFilters(exclude_categories=tuple(rnd.sample(cats[:8], 4)))),
            ("author", SearchFilters(author=names[i % len(names)])),
            ("author + category", SearchFilters(author=names[(i + 1) % len(names)], categories=(rnd.choice(cats[:10]),))),
        ]
    out += [("with code", SearchFilters(has_code=True)), ("listed", SearchFilters(listed_only=True))]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True, help="a SQLite papertide database (its tantivy index beside it)")
    ap.add_argument("--cases", type=int, default=40, help="filters of each random kind")
    args = ap.parse_args()
    db = Database(f"sqlite:///{args.db}")
    lexical = make_lexical_index(db)
    assert hasattr(lexical, "ensure_built")
    lexical.ensure_built()
    with db.read() as conn:
        held = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
    times: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    differ = 0
    for kind, filters in cases(db, args.cases):
        for sort in ("date", "upvotes"):
            for page in (0, 3):
                t0 = time.perf_counter()
                got = browse(db, lexical, filters, sort, PAGE, page * PAGE)
                t1 = time.perf_counter()
                with db.read() as conn:
                    want = search_store.browse(conn, filters, sort, PAGE, page * PAGE)
                t2 = time.perf_counter()
                differ += got != want
                for key in (f"{kind}, by {sort}", "all"):
                    times[key][0].append(1000 * (t1 - t0))
                    times[key][1].append(1000 * (t2 - t1))
    print(f"{held:,} papers; {args.cases} filters of each random kind (seed {SEED}), pages 1 and 4 of {PAGE}; "
          f"answers that differ from SQL's: {differ}")
    print("| filters, sort | asks | index p50 | index p99 | SQL p50 | SQL p99 | p50 ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, (ix, sql) in times.items():
        ratio = statistics.median(sql) / max(statistics.median(ix), 1e-9)
        print(f"| {key} | {len(ix)} | {pct(ix, 50):.1f} | {pct(ix, 99):.1f} | {pct(sql, 50):.1f} | "
              f"{pct(sql, 99):.1f} | {ratio:.1f}× |")


if __name__ == "__main__":
    main()
