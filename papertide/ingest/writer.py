"""The one paper-write path: merge incoming records with what we hold, upsert papers, listings, versions.

Every source ends here: the harvesters (OAI-PMH, arXiv API, Hugging Face, Kaggle
snapshots), ``papertide import`` of our own JSONL records, curated submissions and the
test factories. Records arrive already checked by their parser
(:func:`papertide.domain.paper_checks.check_harvested`), so a batch never fails on
one bad record. Results are one tally type, :class:`~papertide.domain.ingest.RunCounts`.

- :func:`write_harvested` writes one batch inside a transaction the caller owns, so a
  harvester can commit a page of papers and its checkpoint together;
- :func:`write_stream` writes a long stream (a file) in fixed-size batches, each its own
  transaction, so memory stays flat and a failure keeps every batch before it;
- :func:`store_records` writes a handful of records in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from papertide.domain.ingest import Harvested, PaperVersion, RunCounts, SourceKind, history_rows, merge_paper
from papertide.domain.papers import Listing, Paper
from papertide.storage import listings as listings_store
from papertide.storage import paper_versions as versions_store
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

# Papers per write transaction for streams: big enough to amortise the per-statement cost,
# small enough to keep SQLite's write lock short (see bench/RESULTS.md, "Foundation").
BATCH_SIZE = 2_000


def write_harvested(conn: Connection, items: Sequence[Harvested]) -> RunCounts:
    """Merge ``items`` into the database; returns the batch's tally with the ids whose stored paper changed."""
    result = RunCounts()
    if not items:
        return result
    latest: dict[str, Harvested] = {}
    listings: list[Listing] = []
    for h in items:
        # Within one page a later record of the same paper wins, as a re-harvest would.
        latest[h.paper.arxiv_id] = h
        for note in h.notes:
            result.note(note)
        if h.listing is not None:
            listings.append(h.listing)
    hashes = papers_store.content_hashes(conn, list(latest))
    # Our own records replace a paper whole, so one whose fingerprint matches the stored one is
    # unchanged without loading and merging the stored paper (what keeps a re-import fast).
    same = {a for a, h in latest.items()
            if h.kind is SourceKind.RECORD and a in hashes and hashes[a] == papers_store.content_hash(h.paper)}
    stored = papers_store.get_papers(conn, [a for a in latest if a in hashes and a not in same])
    stored |= {a: latest[a].paper for a in same}
    plan = _plan(latest, stored, same)
    # On PostgreSQL another process (a submission fetch in a web process, the arXiv or Hugging Face
    # job in the worker) may have written these papers since we read them. So before writing we
    # insert the ones nobody held and lock the rest (one statement, in arxiv_id order, so writers
    # never deadlock), then merge again with what is stored now wherever it moved: neither write
    # hits the unique key, and neither drops the other's fields. Papers whose merge changes nothing
    # are not locked: our no-op may as well have come first (their listing and version rows are
    # written in key order, so two batches sharing them wait on each other without a deadlock).
    inserted, held = papers_store.claim_papers(conn, plan.to_write)
    if held:
        fresh = papers_store.get_papers(conn, held)
        if any(fresh.get(a) != stored.get(a) for a in held):
            stored |= fresh
            plan = _plan(latest, stored, same)
    result.add(plan.counts)
    # Unchanged papers that still need a row id (for a listing or a version date) ride along:
    # their content hash matches, so upsert_papers leaves them alone and just returns the id.
    needed = {x.arxiv_id for x in listings} | set(plan.history)
    changed = set(result.changed_ids)
    riders = [stored[a] for a in needed if a in stored and a not in changed]
    _, ids = papers_store.upsert_papers(conn, plan.to_write + riders)
    ids |= inserted
    result.new_listings = listings_store.upsert_listings(conn, [x for x in listings if x.arxiv_id in ids], ids)
    versions_store.upsert_versions(conn, [(ids[a], v) for a, vs in plan.history.items() if a in ids for v in vs])
    return result


@dataclass
class _Plan:
    """What a batch would write, merged with ``stored``: papers, version rows, and the tally."""

    to_write: list[Paper] = field(default_factory=list)
    history: dict[str, tuple[PaperVersion, ...]] = field(default_factory=dict)
    counts: RunCounts = field(default_factory=RunCounts)


def _plan(latest: dict[str, Harvested], stored: dict[str, Paper], same: set[str]) -> _Plan:
    plan = _Plan()
    result, history = plan.counts, plan.history
    for arxiv_id, h in latest.items():
        if arxiv_id in same:
            result.skipped += 1
            continue
        old = stored.get(arxiv_id)
        merged = merge_paper(old, h)
        if merged is None or merged == old:
            result.skipped += 1
            continue
        if merged.withdrawn and (old is None or not old.withdrawn):
            result.withdrawn += 1
        plan.to_write.append(merged)
        result.changed_ids.append(arxiv_id)
        if old is None:
            result.inserted += 1
        else:
            result.updated += 1
        history[arxiv_id] = history_rows(old, h)
    for arxiv_id, h in latest.items():
        # Version dates can arrive for a paper whose text did not change.
        if arxiv_id not in history and arxiv_id in stored and h.versions:
            history[arxiv_id] = history_rows(stored[arxiv_id], h)
    return plan


def write_stream(
    db: Database,
    items: Iterable[Harvested],
    counts: RunCounts,
    notify: Callable[[list[str]], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Write ``items`` in batches of ``batch_size``, each committed on its own, adding to ``counts``.

    Changed ids go to ``notify`` after each commit and are not kept in ``counts`` (a
    multi-GB file would hold millions). When ``items`` itself raises (a file that breaks
    off), the records read before it are written first, then the error propagates.
    """
    batch: list[Harvested] = []

    def flush() -> None:
        with db.write() as conn:
            result = write_harvested(conn, batch)
        counts.add(result, keep_ids=False)
        counts.pages += 1
        if notify is not None:
            notify(result.changed_ids)
        if on_progress is not None:
            on_progress(len(batch))
        batch.clear()

    stream = iter(items)
    while True:
        try:
            item = next(stream)
        except StopIteration:
            break
        except Exception:
            if batch:
                flush()
            raise
        counts.fetched += 1
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()


def store_records(db: Database, items: Sequence[Harvested]) -> RunCounts:
    """Write a few records in one transaction (curated submissions, test factories)."""
    with db.write() as conn:
        return write_harvested(conn, items)
