"""Persistence for papers and their categories: bulk upsert and lookups."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from papertide.domain.papers import Paper, PaperEntry
from papertide.storage import comments as comments_store
from papertide.storage import votes as votes_store
from papertide.storage.paper_authors import replace_paper_authors
from papertide.storage.schema import daily_listings, paper_categories, papers, upvotes
from papertide.storage.tables.community import comments

# SQLite caps bound parameters per statement; keep IN (...) lists under it.
IN_CHUNK = 500


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with ``escape="\\"``) for values holding ``text``, its % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True, slots=True)
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted, self.updated + other.updated, self.skipped + other.skipped
        )


def content_hash(p: Paper) -> str:
    """A stable fingerprint of the imported fields (detects "nothing changed")."""
    payload = [
        p.arxiv_id, p.version, p.title, p.abstract, list(p.authors), list(p.categories),
        p.published.isoformat() if p.published else None, p.published_approx, p.github_repo,
        p.upvotes_baseline, p.num_comments_baseline, list(p.keywords), p.withdrawn,
    ]
    if p.project_page is not None:
        # Appended only when set, so papers without one keep the hash they were stored with
        # and a re-import after this field arrived does not rewrite every row.
        payload.append(p.project_page)
    return hashlib.sha1(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _row(p: Paper) -> dict[str, Any]:
    return {
        "arxiv_id": p.arxiv_id,
        "version": p.version,
        "title": p.title,
        "abstract": p.abstract,
        "authors": list(p.authors),
        "categories": list(p.categories),
        "primary_category": p.primary_category,
        "published": p.published,
        "published_approx": p.published_approx,
        "github_repo": p.github_repo,
        "project_page": p.project_page,
        "keywords": list(p.keywords),
        "upvotes_baseline": p.upvotes_baseline,
        "num_comments_baseline": p.num_comments_baseline,
        "withdrawn": p.withdrawn,
        "content_hash": content_hash(p),
    }


def upsert_papers(conn: Connection, batch: Sequence[Paper]) -> tuple[UpsertResult, dict[str, int]]:
    """Insert new papers and update changed ones, keyed by arXiv id.

    A stored paper with a higher version is never overwritten by an older one.
    Returns the counts and a map arxiv_id → row id for every paper in the batch.
    """
    latest: dict[str, Paper] = {}
    for p in batch:  # a batch may repeat an id; the last one wins, like a re-import would
        latest[p.arxiv_id] = p
    existing = _existing(conn, list(latest))
    new_rows, changed_rows = [], []
    skipped = 0
    for arxiv_id, p in latest.items():
        row = _row(p)
        old = existing.get(arxiv_id)
        if old is None:
            new_rows.append(row)
        elif old["content_hash"] == row["content_hash"] or old["version"] > p.version:
            skipped += 1
        else:
            changed_rows.append({**row, "_id": old["id"]})
    if new_rows:
        conn.execute(sa.insert(papers), [{**r, "upvotes": r["upvotes_baseline"]} for r in new_rows])
    if changed_rows:
        # Bind names must differ from column names in an executemany UPDATE.
        cols = [c for c in changed_rows[0] if c not in ("_id", "arxiv_id")]
        values: dict[str, Any] = {c: sa.bindparam(f"b_{c}") for c in cols}
        # Recounted, so a new baseline lands with the votes cast here. On PostgreSQL the count is
        # exact only because the writer locked these rows in an earlier statement (claim_papers):
        # had this UPDATE waited for a vote's row lock itself, PostgreSQL would re-check the row
        # but keep the count from before the vote, and the vote would be lost.
        values["upvotes"] = sa.bindparam("b_upvotes_baseline") + _vote_count_subquery()
        values["updated_at"] = sa.func.now()
        stmt = sa.update(papers).where(papers.c.id == sa.bindparam("_id")).values(values)
        conn.execute(stmt, [{"_id": r["_id"], **{f"b_{c}": r[c] for c in cols}} for r in changed_rows])
    ids = {a: r["id"] for a, r in existing.items()}
    if new_rows:
        ids |= {a: r["id"] for a, r in _existing(conn, [r["arxiv_id"] for r in new_rows]).items()}
    written = {ids[r["arxiv_id"]]: latest[r["arxiv_id"]] for r in (*new_rows, *changed_rows)}
    _replace_categories(conn, written)
    replace_paper_authors(conn, {pid: p.authors for pid, p in written.items()})
    return UpsertResult(len(new_rows), len(changed_rows), skipped), ids


def claim_papers(conn: Connection, batch: Sequence[Paper]) -> tuple[dict[str, int], list[str]]:
    """PostgreSQL: insert the papers of ``batch`` that nobody holds and lock the rows of the held
    ones until the transaction ends; SQLite: nothing (its writers take turns from ``BEGIN IMMEDIATE``).

    Returns arxiv_id → row id of the papers now stored exactly as in ``batch`` (those we inserted,
    with their categories and authors), and the arXiv ids of the other, locked ones: a writer that
    merged with an earlier, unlocked read has to read those again.
    """
    if conn.dialect.name != "postgresql" or not batch:
        return {}, []
    latest = {p.arxiv_id: p for p in batch}
    rows = {a: _row(p) for a, p in latest.items()}
    stmt = postgresql.insert(papers)
    # DO UPDATE ... WHERE false updates nothing but locks the held row, as FOR UPDATE would, and
    # waits for a concurrent insert of the same id to commit. Taking rows in arxiv_id order, with
    # inserts and locks in one sequence, two writers wait on each other at most one way round (a
    # FOR UPDATE of the held rows, then an INSERT of the new ones, could deadlock two batches that
    # overlap both ways). Row triggers do not fire on rows only locked. No RETURNING: it would
    # turn the driver's pipelined executemany into SQLAlchemy's rendered multi-row VALUES, 3×
    # slower; the fingerprints read back below tell ours from theirs instead.
    stmt = stmt.on_conflict_do_update(
        index_elements=[papers.c.arxiv_id], set_={"arxiv_id": stmt.excluded.arxiv_id}, where=sa.false()
    )
    conn.execute(stmt, [{**r, "upvotes": r["upvotes_baseline"]} for _, r in sorted(rows.items())])
    now = _existing(conn, list(latest))
    # A row holding our fingerprint is the one we inserted (or a twin another writer inserted,
    # whose categories and authors rewritten below come out the same).
    settled = {a: r["id"] for a, r in now.items() if r["content_hash"] == rows[a]["content_hash"]}
    written = {pid: latest[a] for a, pid in settled.items()}
    _replace_categories(conn, written)
    replace_paper_authors(conn, {pid: p.authors for pid, p in written.items()})
    return settled, [a for a in latest if a not in settled]


def _vote_count_subquery() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .select_from(upvotes)
        .where(upvotes.c.paper_id == papers.c.id, votes_store.counted())
        .scalar_subquery()
    )


def content_hashes(conn: Connection, arxiv_ids: Sequence[str]) -> dict[str, str]:
    """arxiv_id → stored content hash, for the ids we hold: a cheap "is this unchanged?" test."""
    return {a: r["content_hash"] for a, r in _existing(conn, list(arxiv_ids)).items()}


def _existing(conn: Connection, arxiv_ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(arxiv_ids), IN_CHUNK):
        chunk = arxiv_ids[i : i + IN_CHUNK]
        q = sa.select(papers.c.id, papers.c.arxiv_id, papers.c.content_hash, papers.c.version).where(
            papers.c.arxiv_id.in_(chunk)
        )
        for r in conn.execute(q):
            out[r.arxiv_id] = r._asdict()
    return out


def _replace_categories(conn: Connection, by_id: dict[int, Paper]) -> None:
    """Rewrite the category rows of the papers in ``by_id`` (row id → paper)."""
    paper_ids = list(by_id)
    if not paper_ids:
        return
    for i in range(0, len(paper_ids), IN_CHUNK):
        conn.execute(sa.delete(paper_categories).where(paper_categories.c.paper_id.in_(paper_ids[i : i + IN_CHUNK])))
    rows = [
        {"paper_id": pid, "category": cat, "position": pos}
        for pid in paper_ids
        for pos, cat in enumerate(dict.fromkeys(by_id[pid].categories))
    ]
    if rows:
        conn.execute(sa.insert(paper_categories), rows)


def num_comments_column() -> sa.Label[int]:
    """Imported comment count plus comments written here that everyone sees, labelled ``num_comments``."""
    visible = (
        sa.select(sa.func.count())
        .select_from(comments)
        .where(comments.c.paper_id == papers.c.id, comments_store.PUBLIC)
        .scalar_subquery()
    )
    return (papers.c.num_comments_baseline + visible).label("num_comments")


def paper_from_row(r: Any) -> Paper:
    return Paper(
        arxiv_id=r.arxiv_id,
        title=r.title,
        abstract=r.abstract,
        authors=tuple(r.authors or ()),
        categories=tuple(r.categories or ()),
        published=r.published,
        version=r.version,
        published_approx=bool(r.published_approx),
        github_repo=r.github_repo,
        upvotes_baseline=r.upvotes_baseline,
        num_comments_baseline=r.num_comments_baseline,
        keywords=tuple(r.keywords or ()),
        withdrawn=bool(r.withdrawn),
        project_page=r.project_page,
    )


def get_paper(conn: Connection, arxiv_id: str) -> PaperEntry | None:
    """One paper with its live upvote count and every day it was listed."""
    r = conn.execute(sa.select(papers, num_comments_column()).where(papers.c.arxiv_id == arxiv_id)).first()
    if r is None:
        return None
    listed = conn.execute(
        sa.select(daily_listings.c.listed_on, daily_listings.c.submitter_name)
        .where(daily_listings.c.paper_id == r.id)
        .order_by(daily_listings.c.listed_on)
    ).all()
    return PaperEntry(
        paper=paper_from_row(r),
        upvotes=r.upvotes,
        num_comments=r.num_comments,
        listed_on=listed[0].listed_on if listed else None,
        submitter_name=listed[0].submitter_name if listed else None,
        listed_dates=tuple(x.listed_on for x in listed),
    )


def entry_from_row(r: Any) -> PaperEntry:
    """A paper row selected with :func:`num_comments_column`, without listing history."""
    return PaperEntry(paper_from_row(r), r.upvotes, r.num_comments)


def _entries_where(conn: Connection, key: sa.Column[Any], ids: Iterable[Any]) -> Iterator[Any]:
    wanted = list(ids)
    for i in range(0, len(wanted), IN_CHUNK):
        yield from conn.execute(sa.select(papers, num_comments_column()).where(key.in_(wanted[i : i + IN_CHUNK])))


def entries_by_id(conn: Connection, arxiv_ids: Iterable[str]) -> dict[str, PaperEntry]:
    """Papers by arXiv id (without listing history), for rankers that return ids; missing ones are left out."""
    return {r.arxiv_id: entry_from_row(r) for r in _entries_where(conn, papers.c.arxiv_id, arxiv_ids)}


def entries_by_row_id(conn: Connection, ids: Iterable[int]) -> dict[int, PaperEntry]:
    """The same as :func:`entries_by_id`, keyed by row id (what the search indexes return)."""
    return {r.id: entry_from_row(r) for r in _entries_where(conn, papers.c.id, ids)}


_PAPER_COLUMNS = (
    papers.c.arxiv_id, papers.c.title, papers.c.abstract, papers.c.authors, papers.c.categories, papers.c.published,
    papers.c.version, papers.c.published_approx, papers.c.github_repo, papers.c.upvotes_baseline,
    papers.c.num_comments_baseline, papers.c.keywords, papers.c.withdrawn, papers.c.project_page,
)


def get_papers(conn: Connection, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
    """Stored papers by id, metadata only: what the writer merges incoming records with.

    Unlike :func:`get_entries` it skips the live vote and comment counts, whose correlated
    subqueries would cost a bulk re-import more than the merge itself.
    """
    ids = list(arxiv_ids)
    out: dict[str, Paper] = {}
    for i in range(0, len(ids), IN_CHUNK):
        for r in conn.execute(sa.select(*_PAPER_COLUMNS).where(papers.c.arxiv_id.in_(ids[i : i + IN_CHUNK]))):
            out[r.arxiv_id] = paper_from_row(r)
    return out


def paper_row_id(conn: Connection, arxiv_id: str) -> int | None:
    return conn.execute(sa.select(papers.c.id).where(papers.c.arxiv_id == arxiv_id)).scalar()


def row_ids(conn: Connection) -> dict[str, int]:
    """arXiv id → row id of every stored paper (for tools that join on arXiv ids across databases)."""
    return {r.arxiv_id: r.id for r in conn.execute(sa.select(papers.c.id, papers.c.arxiv_id))}


def count_papers(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()


def in_id_batches(conn: Connection, columns: Sequence[sa.ColumnElement[Any]], batch: int = 5_000) -> Iterator[Sequence[Any]]:
    """``columns`` (the first must be ``papers.c.id``) of every paper, ``batch`` rows at a time in id
    order: keyset paging, so each page is an index range however far the scan has gone."""
    last = 0
    while True:
        rows = conn.execute(sa.select(*columns).where(papers.c.id > last).order_by(papers.c.id).limit(batch)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def newest_published_by(conn: Connection, day: date) -> date | None:
    """The newest publication date on or before ``day`` (an index probe on ``published``)."""
    newest: date | None = conn.execute(sa.select(sa.func.max(papers.c.published)).where(papers.c.published <= day)).scalar()
    return newest


def published_range(conn: Connection) -> tuple[date | None, date | None]:
    r = conn.execute(sa.select(sa.func.min(papers.c.published), sa.func.max(papers.c.published))).one()
    return r[0], r[1]


def top_categories(conn: Connection, limit: int = 10) -> list[tuple[str, int]]:
    q = (
        sa.select(papers.c.primary_category, sa.func.count())
        .where(papers.c.primary_category.is_not(None))
        .group_by(papers.c.primary_category)
        .order_by(sa.func.count().desc(), papers.c.primary_category)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in conn.execute(q)]
