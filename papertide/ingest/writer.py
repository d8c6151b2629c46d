"""Writes harvested records: merge with what we hold, upsert papers, listings and version history.

Every source ends here, inside a write transaction the caller owns, so a harvester
can commit a page of papers and its checkpoint together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from papertide.domain.ingest import Harvested, PaperVersion, RunCounts, history_rows, merge_paper
from papertide.domain.papers import Listing, Paper
from papertide.storage import listings as listings_store
from papertide.storage import paper_versions as versions_store
from papertide.storage import papers as papers_store


@dataclass
class WriteResult:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    withdrawn: int = 0
    new_listings: int = 0
    changed_ids: list[str] = field(default_factory=list)

    def add_to(self, counts: RunCounts, keep_ids: bool = True) -> None:
        """Add to a run's totals; bulk imports pass ``keep_ids=False`` to keep memory flat."""
        counts.inserted += self.inserted
        counts.updated += self.updated
        counts.skipped += self.skipped
        counts.withdrawn += self.withdrawn
        if keep_ids:
            counts.changed_ids.extend(self.changed_ids)


def write_harvested(conn: Connection, items: Sequence[Harvested]) -> WriteResult:
    """Merge ``items`` into the database; returns counts and the ids whose stored paper changed."""
    result = WriteResult()
    if not items:
        return result
    latest: dict[str, Harvested] = {}
    listings: list[Listing] = []
    for h in items:
        # Within one page a later record of the same paper wins, as a re-harvest would.
        latest[h.paper.arxiv_id] = h
        if h.listing is not None:
            listings.append(h.listing)
    stored = {a: e.paper for a, e in papers_store.entries_by_id(conn, list(latest)).items()}
    to_write: list[Paper] = []
    history: dict[str, tuple[PaperVersion, ...]] = {}
    for arxiv_id, h in latest.items():
        old = stored.get(arxiv_id)
        merged = merge_paper(old, h)
        if merged is None or merged == old:
            result.skipped += 1
            continue
        if merged.withdrawn and (old is None or not old.withdrawn):
            result.withdrawn += 1
        to_write.append(merged)
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
    # Unchanged papers that still need a row id (for a listing or a version date) ride along:
    # their content hash matches, so upsert_papers leaves them alone and just returns the id.
    needed = {x.arxiv_id for x in listings} | set(history)
    changed = set(result.changed_ids)
    riders = [stored[a] for a in needed if a in stored and a not in changed]
    _, ids = papers_store.upsert_papers(conn, to_write + riders)
    result.new_listings = listings_store.upsert_listings(conn, [x for x in listings if x.arxiv_id in ids], ids)
    versions_store.upsert_versions(conn, [(ids[a], v) for a, vs in history.items() if a in ids for v in vs])
    return result
