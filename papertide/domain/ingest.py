"""Ingestion as plain data: what a source hands us, how it merges with what we hold, run records.

Pure: no I/O. The harvesters in ``papertide/ingest`` fetch and parse; the rules for
"which source wins which field", withdrawn papers, version history and daily windows
live here so they can be tested exhaustively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from papertide.domain.papers import Listing, Paper

# arXiv marks a withdrawal in the comments of the replacing version, e.g.
# "This paper has been withdrawn by the author due to a crucial error".
_WITHDRAWN = re.compile(r"\b(this (paper|article|submission|manuscript) (has been|is) withdrawn|withdrawn by)\b", re.I)


class SourceKind(StrEnum):
    """Which fields a source is authoritative for (see :func:`merge_paper`)."""

    ARXIV = "arxiv"  # OAI-PMH, the arXiv API, Kaggle snapshots: text, authors, categories, versions
    HF = "hf"  # Hugging Face daily papers: upvotes, comments, GitHub repo, keywords, listings
    RECORD = "record"  # papertide's own JSONL records (exports, the demo corpus, tests): every field


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


RUN_STATUSES = tuple(s.value for s in RunStatus)


@dataclass(frozen=True, slots=True)
class PaperVersion:
    """One arXiv version of a paper as we observed it; text is None when only the date is known."""

    version: int
    submitted: datetime | None = None
    title: str | None = None
    abstract: str | None = None
    authors: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Harvested:
    """One record from a source: the paper, its versions and listing, or a deletion notice."""

    paper: Paper
    kind: SourceKind = SourceKind.ARXIV
    versions: tuple[PaperVersion, ...] = ()
    listing: Listing | None = None
    deleted: bool = False
    # False for sources that do not say which version they describe (OAI-PMH "arXiv" format).
    version_known: bool = True
    # One-line reports of fields the checks dropped while keeping the record (a bad project page).
    notes: tuple[str, ...] = ()
    # Paper fields the source did not send, so their zero is "unknown", not a count: a Hugging Face
    # item without ``upvotes`` must not wipe the upvotes we hold (see :func:`merge_paper`).
    unsent: frozenset[str] = frozenset()


MAX_REPORTED_ERRORS = 50  # one-line problems a tally keeps; ``failed`` still counts every bad record


@dataclass
class RunCounts:
    """The one tally of paper writes: a batch's result, or a run's totals as the harvester adds batches.

    ``errors`` holds one line per problem (``a.jsonl:7: upvotes: … is outside 0..2,147,483,647``),
    at most :data:`MAX_REPORTED_ERRORS` of them, so a file of a million bad lines stays small.
    """

    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    withdrawn: int = 0
    failed: int = 0
    pages: int = 0
    new_listings: int = 0
    changed_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Papers written or confirmed unchanged (everything that was not rejected)."""
        return self.inserted + self.updated + self.skipped

    def note(self, message: str) -> None:
        """Keep a one-line problem report (up to the bound) without counting a failure."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)

    def reject(self, message: str) -> None:
        """Count one record we could not use, and say why."""
        self.failed += 1
        self.note(message)

    def add(self, other: RunCounts, keep_ids: bool = True) -> None:
        """Add a batch's tally to these totals; bulk imports pass ``keep_ids=False`` to keep memory flat."""
        self.fetched += other.fetched
        self.inserted += other.inserted
        self.updated += other.updated
        self.skipped += other.skipped
        self.withdrawn += other.withdrawn
        self.failed += other.failed
        self.pages += other.pages
        self.new_listings += other.new_listings
        if keep_ids:
            self.changed_ids.extend(other.changed_ids)
        for message in other.errors:
            self.note(message)


@dataclass(frozen=True, slots=True)
class IngestRun:
    """A recorded run, as ``papertide ingest status`` and /admin/ingest show it."""

    id: int
    source: str
    window: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    inserted: int
    updated: int
    skipped: int
    withdrawn: int
    failed: int
    pages: int
    error: str | None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where an incremental harvest of one (source, set) stands.

    ``last_datestamp`` is the ``until`` day of the last complete harvest; while a
    harvest is in progress ``resumption_token`` holds the token for the next page,
    so a crashed run continues where it stopped.
    """

    key: str
    last_datestamp: date | None = None
    resumption_token: str | None = None
    window_from: date | None = None
    window_until: date | None = None


def is_withdrawal_comment(comment: str | None) -> bool:
    """True for arXiv's "this paper has been withdrawn" comments.

    >>> is_withdrawal_comment("This paper has been withdrawn by the author due to an error")
    True
    >>> is_withdrawal_comment("12 pages; withdrawn results from v1 corrected")
    False
    """
    return bool(comment and _WITHDRAWN.search(comment))


def merge_paper(stored: Paper | None, incoming: Harvested) -> Paper | None:
    """The paper to store after ``incoming`` arrives, or None when nothing should be written.

    - arXiv sources own title, abstract, authors, categories, published and version;
      an older version never overwrites a newer one. They leave Hugging Face's
      upvotes, comments, GitHub repo and keywords alone.
    - Hugging Face owns those counts (a count its item left out keeps ours); its text only fills
      a paper we do not hold yet.
    - A deletion marks a held paper withdrawn (we never delete); an unknown one is ignored.
    """
    new = incoming.paper
    if incoming.deleted:
        return replace(stored, withdrawn=True) if stored is not None else None
    if stored is None:
        return new
    if incoming.kind is SourceKind.RECORD:
        # Our own records carry every field, so they win each one; but a record says nothing
        # about withdrawal, and an older version never replaces a newer one.
        if new.version < stored.version:
            return stored
        return replace(new, withdrawn=True) if stored.withdrawn and not new.withdrawn else new
    if incoming.kind is SourceKind.HF:
        unsent = incoming.unsent
        return replace(
            stored,
            upvotes_baseline=stored.upvotes_baseline if "upvotes_baseline" in unsent else new.upvotes_baseline,
            num_comments_baseline=(stored.num_comments_baseline if "num_comments_baseline" in unsent
                                   else new.num_comments_baseline),
            github_repo=new.github_repo or stored.github_repo,
            keywords=new.keywords or stored.keywords,
            project_page=new.project_page or stored.project_page,
        )
    if not incoming.version_known:
        new = replace(new, version=stored.version)
    if new.version < stored.version:
        return stored
    return replace(
        new,
        published=stored.published if stored.published and not stored.published_approx else new.published,
        published_approx=stored.published_approx and new.published_approx,
        upvotes_baseline=stored.upvotes_baseline,
        num_comments_baseline=stored.num_comments_baseline,
        github_repo=new.github_repo or stored.github_repo,
        keywords=stored.keywords or new.keywords,
        project_page=new.project_page or stored.project_page,
    )


def history_rows(stored: Paper | None, incoming: Harvested) -> tuple[PaperVersion, ...]:
    """Version rows to record: the source's versions (dates), plus the text of a version being replaced.

    The current version's text lives in ``papers``; history keeps only what it replaced,
    so when v2 replaces v1 we store v1's title/abstract/authors on v1's row (and a bulk
    load does not write every abstract twice).
    """
    rows = list(incoming.versions)
    if incoming.kind is SourceKind.RECORD and stored is not None and stored.version < incoming.paper.version:
        # A record knows no version dates; we keep only the text it replaces (no row per import).
        rows.append(PaperVersion(stored.version, None, stored.title, stored.abstract, stored.authors))
    if incoming.kind is SourceKind.ARXIV and not incoming.deleted and incoming.version_known:
        new = incoming.paper
        if not any(v.version == new.version for v in rows):
            rows.append(PaperVersion(new.version))
        if stored is not None and stored.version < new.version:
            submitted = next((v.submitted for v in rows if v.version == stored.version), None)
            rows = [v for v in rows if v.version != stored.version] + [
                PaperVersion(stored.version, submitted, stored.title, stored.abstract, stored.authors)
            ]
    return tuple(sorted(rows, key=lambda v: v.version))


def daily_window(today: date) -> tuple[date, date]:
    """The days ``papertide ingest daily`` covers: yesterday and today (UTC).

    >>> daily_window(date(2026, 6, 2))
    (datetime.date(2026, 6, 1), datetime.date(2026, 6, 2))
    """
    return today - timedelta(days=1), today


def harvest_from(checkpoint: Checkpoint | None, today: date, first_run_days: int = 1) -> date:
    """The ``from`` day of the next incremental harvest.

    We restart from the last complete harvest's ``until`` day itself (OAI-PMH ``from``
    is inclusive and arXiv datestamps are days), so nothing announced late that day is
    missed; re-fetching it is harmless because upserts are idempotent.
    """
    if checkpoint is not None and checkpoint.last_datestamp is not None:
        return min(checkpoint.last_datestamp, today)
    return today - timedelta(days=first_run_days)


def checkpoint_key(source: str, prefix: str, set_spec: str | None) -> str:
    """A checkpoint's key, e.g. ``oai:arXivRaw:cs``."""
    return f"{source}:{prefix}:{set_spec or '*'}"


def format_window(first: date | None, last: date | None, scope: str = "") -> str:
    """A run's window as shown in status: ``cs 2026-06-01..2026-06-02``."""
    days = f"{first.isoformat() if first else '…'}..{last.isoformat() if last else '…'}"
    return f"{scope} {days}".strip()
