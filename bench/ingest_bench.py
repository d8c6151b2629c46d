"""Ingest benchmarks: bulk import throughput, OAI-PMH parse throughput, flat memory on a big snapshot.

    .venv/bin/python bench/ingest_bench.py [--limit N] [--snapshot-mb 1024] [--skip-import] [--skip-snapshot]

1. Bulk import of ../shared/data/arxiv_corpus.jsonl.gz into a fresh, fully migrated SQLite
   (FTS triggers included): our JSONL records through ``papertide import``'s path, and the same
   papers as a Kaggle snapshot through the ingest writer (merge + version history). Baseline in
   the same run: the JSONL path; the Kaggle path is reported as a ratio to it.
2. OAI-PMH parse throughput on a generated 10k-record arXivRaw page set (10 pages × 1,000),
   against a baseline that only parses the XML with the standard library and reads each title.
3. Memory on a generated ~1 GB Kaggle snapshot: RSS sampled during a streaming import; the
   baseline is the RSS after the first 10% of the file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import resource
import sys
import tempfile
import time
import xml.etree.ElementTree as ET  # noqa: N817 - the stdlib baseline
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from papertide.config import Settings  # noqa: E402
from papertide.ingest.bulk import import_file  # noqa: E402
from papertide.ingest.oai_parse import parse_list_records  # noqa: E402
from papertide.ingest.service import IngestService  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402
from tests.ingest import oai_docs  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv_corpus.jsonl.gz"
log = logging.getLogger("bench")


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fresh_db(tmp: Path, name: str) -> Database:
    db = Database(f"sqlite:///{tmp / name}")
    upgrade(db)
    return db


def corpus_records(limit: int | None):  # type: ignore[no-untyped-def]
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)


def kaggle_line(rec: dict, arxiv_id: str | None = None) -> str:
    """A record of ours in the Kaggle snapshot's shape (authors as TeX string + authors_parsed)."""
    pub = rec.get("published") or "2025-01-01"
    created = time.strftime("%a, %d %b %Y 17:00:00 GMT", time.strptime(pub, "%Y-%m-%d"))
    parsed = [[n.rpartition(" ")[2], n.rpartition(" ")[0], ""] for n in rec["authors"]]
    return json.dumps({
        "id": arxiv_id or rec["arxiv_id"], "submitter": (rec["authors"] or ["Anon"])[0], "authors": ", ".join(rec["authors"]),
        "title": rec["title"], "comments": None, "journal-ref": None, "doi": None, "report-no": None,
        "categories": " ".join(rec.get("categories") or ["cs.LG"]), "license": None, "abstract": rec["abstract"],
        "versions": [{"version": "v1", "created": created}], "update_date": pub, "authors_parsed": parsed,
    }, ensure_ascii=False)


def bench_import(tmp: Path, limit: int | None, only_fts: bool = False) -> None:
    out("## bulk import (SQLite, fully migrated schema incl. FTS triggers)")
    jsonl_db = fresh_db(tmp, "jsonl.db")
    t = time.perf_counter()
    report = import_file(jsonl_db, CORPUS if limit is None else _slice(tmp, limit))
    jsonl_s = time.perf_counter() - t
    n = report.inserted + report.updated + report.skipped
    out(f"jsonl records: {n:,} papers in {jsonl_s:.1f} s = {n / jsonl_s:,.0f} papers/s (failed {report.failed})")
    # Baseline in the same run: the same import into a schema without the FTS5 triggers of
    # 0005_search, to show what keeping the lexical index in step costs during a bulk load.
    bare_db = fresh_db(tmp, "bare.db")
    with bare_db.engine.begin() as conn:
        for trigger in ("papers_fts_ai", "papers_fts_ad", "papers_fts_au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    t = time.perf_counter()
    bare = import_file(bare_db, CORPUS if limit is None else _slice(tmp, limit))
    bare_s = time.perf_counter() - t
    out(f"baseline, same import without FTS5 triggers: {bare.inserted:,} in {bare_s:.1f} s = {bare.inserted / bare_s:,.0f} "
        f"papers/s (with triggers: {(n / jsonl_s) / (bare.inserted / bare_s):.2f}× of it)")
    # What a bulk load that defers the lexical index would cost: one FTS5 'rebuild' at the end.
    t = time.perf_counter()
    with bare_db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    rebuild_s = time.perf_counter() - t
    total = bare_s + rebuild_s
    out(f"bulk load without triggers + one FTS5 rebuild ({rebuild_s:.1f} s): {bare.inserted / total:,.0f} papers/s "
        f"({(bare.inserted / total) / (n / jsonl_s):.2f}× the import with triggers)")
    bare_db.dispose()
    (tmp / "bare.db").unlink()
    if only_fts:
        return
    t = time.perf_counter()
    again = import_file(jsonl_db, CORPUS if limit is None else _slice(tmp, limit))
    re_s = time.perf_counter() - t
    out(f"jsonl re-import (all unchanged): {again.skipped:,} in {re_s:.1f} s = {again.skipped / re_s:,.0f} papers/s")

    snap = tmp / "corpus_kaggle.json"
    with open(snap, "w", encoding="utf-8") as fh:
        for rec in corpus_records(limit):
            fh.write(kaggle_line(rec) + "\n")
    kdb = fresh_db(tmp, "kaggle.db")
    svc = IngestService(kdb, Settings(_env_file=None))  # type: ignore[call-arg]
    t = time.perf_counter()
    result = svc.import_snapshot(snap)
    k_s = time.perf_counter() - t
    kn = result.counts.inserted
    out(f"kaggle snapshot (merge + version history): {kn:,} papers in {k_s:.1f} s = {kn / k_s:,.0f} papers/s "
        f"({(kn / k_s) / (n / jsonl_s):.2f}× the jsonl path; status {result.status.value})")
    snap.unlink()


def _slice(tmp: Path, limit: int) -> Path:
    path = tmp / f"corpus_{limit}.jsonl"
    if not path.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n >= limit:
                    break
                dst.write(line)
    return path


def bench_oai_parse() -> None:
    out("## OAI-PMH parse (arXivRaw, 10 pages x 1,000 records)")
    recs = list(corpus_records(10_000))
    pages = []
    for p in range(10):
        chunk = recs[p * 1000 : (p + 1) * 1000]
        xml = [oai_docs.oai_record(r, versions=1 + i % 3) for i, r in enumerate(chunk)]
        pages.append(oai_docs.list_records_page(xml, {"verb": "ListRecords"}, f"tok{p}" if p < 9 else None, p * 1000, 10_000))
    mb = sum(len(p) for p in pages) / 1e6
    best, best_base = float("inf"), float("inf")
    for _ in range(3):
        t = time.perf_counter()
        n = sum(len(parse_list_records(p).records) for p in pages)
        best = min(best, time.perf_counter() - t)
        t = time.perf_counter()
        ns = "{http://www.openarchives.org/OAI/2.0/}"
        titles = 0
        for p in pages:
            root = ET.fromstring(p)
            for rec in root.iter(f"{ns}record"):
                titles += bool(rec.find(f"{ns}metadata/{{http://arxiv.org/OAI/arXivRaw/}}arXivRaw/"
                                        "{http://arxiv.org/OAI/arXivRaw/}title").text)
        best_base = min(best_base, time.perf_counter() - t)
    out(f"ours (lxml, full records → Paper + versions): {n:,} records, {mb:.1f} MB in {best:.2f} s = {n / best:,.0f} records/s")
    out(f"baseline (stdlib ElementTree, parse + read title only): {titles:,} in {best_base:.2f} s = "
        f"{titles / best_base:,.0f} records/s; ours is {best_base / best:.2f}× its speed while building full papers")


def bench_snapshot_memory(tmp: Path, megabytes: int) -> None:
    out(f"## memory on a ~{megabytes} MB generated Kaggle snapshot")
    path = tmp / "snapshot.json"
    base = list(corpus_records(50_000))
    target = megabytes * 1_000_000
    written = count = 0
    t = time.perf_counter()
    with open(path, "w", encoding="utf-8") as fh:
        while written < target:
            rec = base[count % len(base)]
            # Unique synthetic new-style ids across 2008-01 … 2026-12 (five digits per month).
            month = count // 90_000
            arxiv_id = f"{8 + month // 12:02d}{1 + month % 12:02d}.{count % 90_000 + 10_000:05d}"
            line = kaggle_line(rec, arxiv_id) + "\n"
            fh.write(line)
            written += len(line.encode())
            count += 1
    out(f"generated {written / 1e6:,.0f} MB, {count:,} records in {time.perf_counter() - t:.0f} s")
    del base
    db = fresh_db(tmp, "snapshot.db")
    svc = IngestService(db, Settings(_env_file=None))  # type: ignore[call-arg]
    proc = psutil.Process()
    samples: list[tuple[int, float]] = []
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        if not samples or done - samples[-1][0] >= count // 20:
            samples.append((done, proc.memory_info().rss / 2**20))

    rss_before = proc.memory_info().rss / 2**20
    t = time.perf_counter()
    result = svc.import_snapshot(path, on_progress=progress)
    secs = time.perf_counter() - t
    samples.append((done, proc.memory_info().rss / 2**20))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    early = next(r for n, r in samples if n >= count // 10)
    out(f"imported {result.counts.inserted:,} papers in {secs:.0f} s = {result.counts.inserted / secs:,.0f} papers/s "
        f"(status {result.status.value})")
    out("RSS (MiB) at " + ", ".join(f"{100 * n // count}%: {r:.0f}" for n, r in samples[1::4] + samples[-1:]))
    out(f"RSS before {rss_before:.0f} MiB; at 10% {early:.0f} MiB; at 100% {samples[-1][1]:.0f} MiB "
        f"({samples[-1][1] / early:.2f}× the 10% baseline); process peak RSS {peak:.0f} MiB "
        f"(includes the generator's 50k-record sample)")
    path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="papers of the corpus to import (default all)")
    ap.add_argument("--snapshot-mb", type=int, default=1024)
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--skip-parse", action="store_true")
    ap.add_argument("--skip-snapshot", action="store_true")
    ap.add_argument("--only-fts-comparison", action="store_true", help="stop the import part after the FTS comparison")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as d:
        tmp = Path(d)
        if not args.skip_parse:
            bench_oai_parse()
        if not args.skip_import:
            bench_import(tmp, args.limit, args.only_fts_comparison)
        if not args.skip_snapshot:
            bench_snapshot_memory(tmp, args.snapshot_mb)


if __name__ == "__main__":
    main()
