"""Author lookup at archive scale: a scan of ``papers.authors`` (JSON) against ``paper_authors``.

Loads the arXiv corpus's ids, dates and author lists into a scratch SQLite database (only the
columns the author queries touch), fills ``paper_authors`` the way migration 0012 does, and
times, for a prolific and a one-paper author: the JSON scans we could have used instead
(``json_each`` exact match; a ``LIKE`` over the JSON text, as the search author filter does)
and the indexed queries behind an author page (count, newest page, co-authors).

    PYTHONPATH=$PWD python bench/author_lookup_bench.py /work/shared/data/arxiv_corpus.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from papertide.domain.authors import author_key

REPEATS = 7  # timed runs per query; the median is reported


def _load(conn: sqlite3.Connection, corpus: Path) -> int:
    conn.executescript("""
        CREATE TABLE papers (id INTEGER PRIMARY KEY, arxiv_id TEXT UNIQUE, published DATE, authors JSON);
        CREATE TABLE paper_authors (paper_id INTEGER, position INTEGER, author_key VARCHAR(200), name TEXT,
                                    PRIMARY KEY (paper_id, position));
    """)
    rows = []
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            rec = json.loads(line)
            rows.append((i, rec["arxiv_id"], rec.get("published"), json.dumps(rec.get("authors") or [])))
    conn.executemany("INSERT INTO papers VALUES (?, ?, ?, ?)", rows)
    conn.commit()
    return len(rows)


def _fill(conn: sqlite3.Connection) -> float:
    start = time.perf_counter()
    values = [
        (pid, pos, author_key(name), name)
        for pid, authors in conn.execute("SELECT id, authors FROM papers")
        for pos, name in enumerate(json.loads(authors))
        if author_key(name)
    ]
    conn.executemany("INSERT INTO paper_authors VALUES (?, ?, ?, ?)", values)
    conn.execute("CREATE INDEX ix_paper_authors_author_key ON paper_authors (author_key, paper_id)")
    conn.commit()
    return time.perf_counter() - start


def _time(conn: sqlite3.Connection, sql: str, *args: object) -> tuple[float, int]:
    runs, n = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        n = len(conn.execute(sql, args).fetchall())
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000, n


QUERIES = {
    "scan: json_each exact (lower)": (
        "SELECT id FROM papers WHERE EXISTS (SELECT 1 FROM json_each(papers.authors) WHERE lower(value) = ?)", "name"),
    "scan: LIKE over JSON text": ("SELECT id FROM papers WHERE lower(authors) LIKE ?", "like"),
    "index: count": ("SELECT count(DISTINCT paper_id) FROM paper_authors WHERE author_key = ?", "key"),
    "index: newest 30": (
        "SELECT id FROM papers WHERE id IN (SELECT paper_id FROM paper_authors WHERE author_key = ?) "
        "ORDER BY published DESC, id DESC LIMIT 30", "key"),
    "index: co-authors top 20": (
        "SELECT pa.author_key, max(pa.name), count(DISTINCT pa.paper_id) AS shared FROM paper_authors pa "
        "JOIN (SELECT paper_id FROM paper_authors WHERE author_key = ?) t ON t.paper_id = pa.paper_id "
        "WHERE pa.author_key != ? GROUP BY pa.author_key ORDER BY shared DESC, pa.author_key LIMIT 20", "key2"),
}


def main(corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "authors.db")
        conn.execute("PRAGMA journal_mode=WAL")
        papers = _load(conn, corpus)
        fill_s = _fill(conn)
        rows = conn.execute("SELECT count(*) FROM paper_authors").fetchone()[0]
        print(f"{papers:,} papers, {rows:,} paper_authors rows; fill + index {fill_s:.1f} s")
        counts = Counter(k for (k,) in conn.execute("SELECT author_key FROM paper_authors"))
        prolific, most = counts.most_common(1)[0]
        single = next(k for k, c in counts.items() if c == 1)
        for label, key in ((f"prolific ({most} papers)", prolific), ("one paper", single)):
            name = conn.execute("SELECT name FROM paper_authors WHERE author_key = ? LIMIT 1", (key,)).fetchone()[0]
            for qname, (sql, arg) in QUERIES.items():
                args = {"name": (name.lower(),), "like": (f"%{name.lower()}%",), "key": (key,),
                        "key2": (key, key)}[arg]
                ms, n = _time(conn, sql, *args)
                print(f"| {label} | {qname} | {ms:.2f} ms | {n} rows |")
        conn.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="an arXiv corpus file (.jsonl.gz), e.g. ../shared/data/arxiv_corpus.jsonl.gz")
    main(ap.parse_args().corpus)
