"""Submissions: members adding papers to a day's list (rows in ``daily_listings`` with
``submitted_by``), and curators removing papers from a day's list.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.dialects.conflicts import execute_inserted, insert_ignore
from papertide.storage.schema import daily_listings, papers
from papertide.storage.tables.community import listing_removals


def is_listed_on(conn: Connection, paper_id: int, day: date) -> bool:
    q = sa.select(daily_listings.c.id).where(daily_listings.c.paper_id == paper_id, daily_listings.c.listed_on == day)
    return conn.execute(q).first() is not None


def paper_ids_listed_on(conn: Connection, day: date) -> set[int]:
    """Row ids of the papers on ``day``'s list."""
    return set(conn.execute(sa.select(daily_listings.c.paper_id).where(daily_listings.c.listed_on == day)).scalars())


def paper_ids_listed_between(conn: Connection, first: date, last: date) -> set[int]:
    """Row ids of the papers on any day's list in ``[first, last]``."""
    q = sa.select(daily_listings.c.paper_id).where(daily_listings.c.listed_on.between(first, last)).distinct()
    return set(conn.execute(q).scalars())


def count_submitted_by(conn: Connection, user_id: int, day: date) -> int:
    q = sa.select(sa.func.count()).select_from(daily_listings).where(
        daily_listings.c.submitted_by == user_id, daily_listings.c.listed_on == day
    )
    return conn.execute(q).scalar_one()


def add_submission(conn: Connection, paper_id: int, day: date, user_id: int, submitter_name: str) -> bool:
    """List the paper on ``day`` as submitted by the user; False when it was already listed."""
    stmt = insert_ignore(conn, daily_listings, ["paper_id", "listed_on"]).values(
        paper_id=paper_id, listed_on=day, submitted_by=user_id, submitter_name=submitter_name
    )
    return execute_inserted(conn, stmt)


def remove_listing(conn: Connection, paper_id: int, day: date) -> bool:
    """Take the paper off ``day``'s list and remember that it was taken off (:func:`was_removed`)."""
    q = sa.delete(daily_listings).where(daily_listings.c.paper_id == paper_id, daily_listings.c.listed_on == day)
    if conn.execute(q).rowcount != 1:
        return False
    conn.execute(insert_ignore(conn, listing_removals, ["paper_id", "listed_on"]).values(paper_id=paper_id, listed_on=day))
    return True


def _theirs_between(user_id: int, first: date, last: date) -> sa.ColumnElement[bool]:
    # listed_on first: the (listed_on, paper_id) index finds a span's rows; there is none on submitted_by.
    return sa.and_(daily_listings.c.listed_on.between(first, last), daily_listings.c.submitted_by == user_id)


def listing_days_by(conn: Connection, user_id: int, first: date, last: date) -> list[tuple[date, int]]:
    """(day, how many of the member's submissions are on its list) for each day in ``[first, last]``
    that has any, newest first: what "remove their submissions" offers."""
    q = (
        sa.select(daily_listings.c.listed_on, sa.func.count()).where(_theirs_between(user_id, first, last))
        .group_by(daily_listings.c.listed_on).order_by(daily_listings.c.listed_on.desc())
    )
    return [(r[0], int(r[1])) for r in conn.execute(q)]


def remove_listings_by(conn: Connection, user_id: int, first: date, last: date) -> list[tuple[str, date]]:
    """Take every paper the member submitted off each day's list in ``[first, last]``, remembered
    as removed (:func:`was_removed`) as a single removal is. Returns (arxiv_id, day) of each."""
    theirs = _theirs_between(user_id, first, last)
    rows = conn.execute(
        sa.select(daily_listings.c.paper_id, daily_listings.c.listed_on, papers.c.arxiv_id)
        .join(papers, papers.c.id == daily_listings.c.paper_id).where(theirs)
    ).all()
    if not rows:
        return []
    # The same rows: the caller holds the member's lock, which a submission of theirs takes too.
    conn.execute(sa.delete(daily_listings).where(theirs))
    conn.execute(insert_ignore(conn, listing_removals, ["paper_id", "listed_on"]),
                 [{"paper_id": r.paper_id, "listed_on": r.listed_on} for r in rows])
    return [(r.arxiv_id, r.listed_on) for r in rows]


def was_removed(conn: Connection, paper_id: int, day: date) -> bool:
    """Whether a curator took the paper off ``day``'s list (and no curator has listed it again)."""
    q = sa.select(listing_removals.c.id).where(listing_removals.c.paper_id == paper_id, listing_removals.c.listed_on == day)
    return conn.execute(q).first() is not None


def forget_removal(conn: Connection, paper_id: int, day: date) -> None:
    """A curator listed the paper again: the earlier removal no longer stands."""
    conn.execute(sa.delete(listing_removals).where(listing_removals.c.paper_id == paper_id,
                                                   listing_removals.c.listed_on == day))


def submitted_by(conn: Connection, user_id: int, limit: int = 100) -> list[tuple[str, str, date]]:
    """(arxiv_id, title, day) of the user's submissions, newest first."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.title, daily_listings.c.listed_on)
        .join(daily_listings, daily_listings.c.paper_id == papers.c.id)
        .where(daily_listings.c.submitted_by == user_id)
        .order_by(daily_listings.c.listed_on.desc(), daily_listings.c.id.desc())
        .limit(limit)
    )
    return [(r.arxiv_id, r.title, r.listed_on) for r in conn.execute(q)]


def rename_submitter(conn: Connection, user_id: int, name: str | None) -> None:
    """Keep "Submitted by" current when a member changes their display name (None: no name shown,
    while they are banned)."""
    conn.execute(sa.update(daily_listings).where(daily_listings.c.submitted_by == user_id).values(submitter_name=name))
