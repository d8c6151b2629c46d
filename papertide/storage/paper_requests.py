"""Requests to list papers the instance does not hold yet, worked through by a job."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.submissions import PaperRequest, RequestStatus
from papertide.storage.dialects.conflicts import execute_inserted, insert_ignore
from papertide.storage.tables.community import paper_requests


def _request(r: Any) -> PaperRequest:
    return PaperRequest(r.id, r.arxiv_id, r.listed_on, r.user_id, r.status, r.attempts, r.message)


def create(conn: Connection, arxiv_id: str, day: date, user_id: int) -> bool:
    """Ask for ``arxiv_id`` on ``day``; False when it was already asked for that day."""
    stmt = insert_ignore(conn, paper_requests, ["arxiv_id", "listed_on"]).values(
        arxiv_id=arxiv_id, listed_on=day, user_id=user_id
    )
    return execute_inserted(conn, stmt)


def get(conn: Connection, arxiv_id: str, day: date) -> PaperRequest | None:
    q = sa.select(paper_requests).where(paper_requests.c.arxiv_id == arxiv_id, paper_requests.c.listed_on == day)
    row = conn.execute(q).first()
    return _request(row) if row else None


def locked(conn: Connection, request_id: int) -> PaperRequest | None:
    """The request as committed now, locked until the transaction ends (PostgreSQL; SQLite's writes
    already go one at a time): a process settling it waits for another one settling it and sees
    what that one did."""
    row = conn.execute(sa.select(paper_requests).where(paper_requests.c.id == request_id).with_for_update()).first()
    return _request(row) if row else None


def open_requests(conn: Connection, limit: int = 100) -> list[PaperRequest]:
    """Requests still being fetched, oldest first."""
    q = (
        sa.select(paper_requests).where(paper_requests.c.status == "fetching")
        .order_by(paper_requests.c.id).limit(limit)
    )
    return [_request(r) for r in conn.execute(q)]


def count_open_by(conn: Connection, user_id: int, day: date) -> int:
    """Requests of the user for ``day`` still being fetched (they count towards the daily cap)."""
    q = sa.select(sa.func.count()).select_from(paper_requests).where(
        paper_requests.c.user_id == user_id, paper_requests.c.listed_on == day, paper_requests.c.status == "fetching"
    )
    return int(conn.execute(q).scalar_one())


def open_days_by(conn: Connection, user_id: int, first: date, last: date) -> dict[date, int]:
    """How many of the member's requests for each day in ``[first, last]`` are still being fetched
    (what "remove their submissions" would withdraw, beside what is already listed)."""
    q = (
        sa.select(paper_requests.c.listed_on, sa.func.count())
        .where(paper_requests.c.user_id == user_id, paper_requests.c.listed_on.between(first, last),
               paper_requests.c.status == "fetching")
        .group_by(paper_requests.c.listed_on)
    )
    return {r[0]: int(r[1]) for r in conn.execute(q)}


def withdraw_open_by(conn: Connection, user_id: int, first: date, last: date, message: str) -> list[str]:
    """Give up the member's requests for days in ``[first, last]`` still being fetched (a moderator
    removed their submissions: a fetch finishing later must not list them); their arXiv ids."""
    mine = sa.and_(paper_requests.c.user_id == user_id, paper_requests.c.listed_on.between(first, last),
                   paper_requests.c.status == "fetching")
    ids = list(conn.execute(sa.select(paper_requests.c.arxiv_id).where(mine).order_by(paper_requests.c.id)).scalars())
    if ids:
        conn.execute(sa.update(paper_requests).where(mine).values(status="failed", message=message,
                                                                  updated_at=sa.func.now()))
    return ids


def finish_attempt(conn: Connection, request_id: int, status: RequestStatus, message: str | None,
                   attempts: int) -> None:
    conn.execute(
        sa.update(paper_requests).where(paper_requests.c.id == request_id)
        .values(status=status, message=message, attempts=attempts, updated_at=sa.func.now())
    )


def restart(conn: Connection, request_id: int, user_id: int) -> None:
    """A failed request asked for again: fetch it anew, for this member."""
    conn.execute(
        sa.update(paper_requests).where(paper_requests.c.id == request_id)
        .values(status="fetching", attempts=0, message=None, user_id=user_id, updated_at=sa.func.now())
    )


def for_user(conn: Connection, user_id: int, limit: int = 20) -> list[PaperRequest]:
    """The user's most recent requests, newest first."""
    q = (
        sa.select(paper_requests).where(paper_requests.c.user_id == user_id)
        .order_by(paper_requests.c.id.desc()).limit(limit)
    )
    return [_request(r) for r in conn.execute(q)]
