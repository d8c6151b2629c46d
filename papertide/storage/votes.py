"""Upvotes: one row per (user, paper), and ``papers.upvotes`` kept equal to
``upvotes_baseline + count(upvotes rows of members not banned)``.

A ban takes the member's votes off every total they count in (:func:`shift_member_votes`, called
by ``users.set_status``) and lifting it puts them back; the rows stay, so nothing is lost.

Exact under concurrency because the count moves only by the rowcount of the statement
that actually inserted or deleted the vote row, inside the same transaction, with an
atomic ``UPDATE … SET upvotes = upvotes + :delta`` (a row lock on PostgreSQL; the single
writer on SQLite). A lost race (the row was already there / already gone) moves nothing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.votes import VoteResult, next_state
from papertide.storage.dialects.conflicts import execute_inserted, insert_ignore
from papertide.storage.schema import papers, upvotes
from papertide.storage.tables.community import accounts


def counted() -> sa.ColumnElement[bool]:
    """The upvotes rows that count: those of members who are not banned."""
    return ~sa.exists().where(accounts.c.user_id == upvotes.c.user_id, accounts.c.status == "banned")


def shift_member_votes(conn: Connection, user_id: int, delta: int) -> None:
    """Move the total of every paper the member upvoted by ``delta``: -1 when their votes stop
    counting (a ban, or the account going), +1 when they count again (the ban lifted)."""
    voted = sa.select(upvotes.c.paper_id).where(upvotes.c.user_id == user_id).scalar_subquery()
    # PostgreSQL: lock the rows in arXiv id order first, the order the ingest writer takes them in
    # (papers.claim_papers); an UPDATE alone takes them in whatever order its plan reads them, and a
    # ban beside the Hugging Face job rewriting two of the member's papers could deadlock with it.
    conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(voted)).order_by(papers.c.arxiv_id)
                 .with_for_update(key_share=True))
    conn.execute(sa.update(papers).where(papers.c.id.in_(voted)).values(upvotes=papers.c.upvotes + delta))


def has_voted(conn: Connection, user_id: int, paper_id: int) -> bool:
    q = sa.select(upvotes.c.id).where(upvotes.c.user_id == user_id, upvotes.c.paper_id == paper_id)
    return conn.execute(q).first() is not None


def set_vote(conn: Connection, user_id: int, paper_id: int, wanted: bool | None) -> VoteResult:
    """Make the user's vote ``wanted`` (None toggles) and return the resulting state."""
    # An explicit state needs no read first: the INSERT/DELETE's own result says whether it changed.
    new = next_state(has_voted(conn, user_id, paper_id), None) if wanted is None else wanted
    if new:
        stmt = insert_ignore(conn, upvotes, ["user_id", "paper_id"]).values(user_id=user_id, paper_id=paper_id)
        delta = int(execute_inserted(conn, stmt))
    else:
        deleted = conn.execute(sa.delete(upvotes).where(upvotes.c.user_id == user_id, upvotes.c.paper_id == paper_id))
        delta = -deleted.rowcount
    if delta:
        total = conn.execute(
            sa.update(papers).where(papers.c.id == paper_id).values(upvotes=papers.c.upvotes + delta).returning(papers.c.upvotes)
        ).scalar_one()
    else:
        total = conn.execute(sa.select(papers.c.upvotes).where(papers.c.id == paper_id)).scalar_one()
    return VoteResult(voted=new, upvotes=total, changed=bool(delta))


def voted_arxiv_ids(conn: Connection, user_id: int) -> set[str]:
    q = sa.select(papers.c.arxiv_id).join(upvotes, upvotes.c.paper_id == papers.c.id).where(upvotes.c.user_id == user_id)
    return set(conn.execute(q).scalars())


def upvoted_papers(conn: Connection, user_id: int, limit: int = 100) -> list[tuple[str, str]]:
    """(arxiv_id, title) of the user's upvotes, newest first."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.title)
        .join(upvotes, upvotes.c.paper_id == papers.c.id)
        .where(upvotes.c.user_id == user_id)
        .order_by(upvotes.c.id.desc())
        .limit(limit)
    )
    return [(r.arxiv_id, r.title) for r in conn.execute(q)]


def vote_totals(conn: Connection, paper_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """paper id → (stored upvotes, baseline, counted vote rows): the invariant check the benchmark runs."""
    counts = (
        sa.select(upvotes.c.paper_id, sa.func.count().label("n")).where(upvotes.c.paper_id.in_(paper_ids), counted())
        .group_by(upvotes.c.paper_id).subquery()
    )
    q = (
        sa.select(papers.c.id, papers.c.upvotes, papers.c.upvotes_baseline, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.paper_id == papers.c.id)
        .where(papers.c.id.in_(paper_ids))
    )
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(q)}


def vote_times(conn: Connection, arxiv_id: str) -> list[datetime]:
    """When each counted upvote on the paper was cast, oldest first (the paper page's sparkline).

    By arXiv id through a join: the page has no row id at hand, and a lookup first cost a statement."""
    q = (
        sa.select(upvotes.c.created_at).join(papers, papers.c.id == upvotes.c.paper_id)
        .where(papers.c.arxiv_id == arxiv_id, counted()).order_by(upvotes.c.created_at)
    )
    return list(conn.execute(q).scalars())
