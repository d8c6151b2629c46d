"""Persistence of scheduled jobs: the once-per-slot claim, its lease, and each job's last run.

Once per slot, on SQLite and PostgreSQL alike
---------------------------------------------
A worker claims a job's slot with one compare-and-set ``UPDATE`` on the job's row::

    UPDATE jobs SET slot_start = :slot, slot_done = false, claimed_by = :me, claimed_at = :now, lease_until = :lease
     WHERE name = :name
       AND (claimed_by IS NULL OR lease_until < :now)                  -- nobody is running it
       AND (slot_start IS NULL OR slot_start < :slot                   -- and this slot is new,
            OR (slot_start = :slot AND NOT slot_done))                 -- or was released unfinished

and runs the job only when the statement changed a row. On PostgreSQL a concurrent claim
waits for the first one's row lock and, under READ COMMITTED, re-checks its ``WHERE``
against the committed row, so it matches nothing; on SQLite write transactions are
``BEGIN IMMEDIATE`` and simply serialised. The same statement also keeps a job from
overlapping itself (a slot cannot start while the previous run holds a live lease), needs
no history table to prune, and refuses a slot older than one already claimed (a worker
whose clock lags). A crashed worker's claim expires with its lease; a live one renews it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.jobs import JobRecord, Outcome
from papertide.storage.tables.jobs import jobs

MAX_ERROR_CHARS = 4_000  # an error is for people to read; the traceback goes to the log


def ensure(conn: Connection, names: list[str]) -> None:
    """Create the rows of jobs that have none (concurrent callers are fine)."""
    if names:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(jobs)
        conn.execute(insert.on_conflict_do_nothing(index_elements=["name"]), [{"name": n} for n in names])


def claim_slot(conn: Connection, name: str, slot: datetime, worker: str, now: datetime, lease_until: datetime) -> bool:
    """Claim ``slot`` of job ``name`` for ``worker``; False when it ran, or someone runs the job."""
    slot = _utc(slot)
    fresh = sa.or_(
        jobs.c.slot_start.is_(None), jobs.c.slot_start < slot, sa.and_(jobs.c.slot_start == slot, ~jobs.c.slot_done)
    )
    stmt = (
        sa.update(jobs)
        .where(jobs.c.name == name, _free(now), fresh)
        .values(slot_start=slot, slot_done=False, claimed_by=worker, claimed_at=_utc(now), lease_until=_utc(lease_until),
                updated_at=_utc(now))
    )
    return conn.execute(stmt).rowcount == 1


def claim_now(conn: Connection, name: str, worker: str, now: datetime, lease_until: datetime) -> bool:
    """Claim job ``name`` outside its schedule (a run by hand); its slot bookkeeping is left alone."""
    stmt = (
        sa.update(jobs).where(jobs.c.name == name, _free(now))
        .values(claimed_by=worker, claimed_at=_utc(now), lease_until=_utc(lease_until), updated_at=_utc(now))
    )
    return conn.execute(stmt).rowcount == 1


def renew(conn: Connection, name: str, worker: str, lease_until: datetime) -> bool:
    """Extend ``worker``'s lease; False when the claim is no longer its own."""
    stmt = sa.update(jobs).where(jobs.c.name == name, jobs.c.claimed_by == worker).values(lease_until=_utc(lease_until))
    return conn.execute(stmt).rowcount == 1


def finish(
    conn: Connection, name: str, worker: str | None, outcome: Outcome, started: datetime, finished: datetime,
    duration_seconds: float, error: str | None = None, slot_done: bool | None = None,
) -> None:
    """Record a run; with ``worker``, also drop its claim (and set ``slot_done`` unless None)."""
    last: dict[str, Any] = {
        "last_started_at": _utc(started), "last_finished_at": _utc(finished), "last_duration_seconds": duration_seconds,
        "last_outcome": outcome, "updated_at": _utc(finished),
    }
    if error:  # the last error stays after later successes, with its time: the admin page shows both
        last.update(last_error=error[:MAX_ERROR_CHARS], last_error_at=_utc(finished))
    conn.execute(sa.update(jobs).where(jobs.c.name == name).values(**last))
    if worker is not None:
        release: dict[str, Any] = {"claimed_by": None, "claimed_at": None, "lease_until": None}
        if slot_done is not None:
            release["slot_done"] = slot_done
        # Only our own claim: after a lost lease another worker's claim must stand.
        conn.execute(sa.update(jobs).where(jobs.c.name == name, jobs.c.claimed_by == worker).values(**release))


def records(conn: Connection) -> dict[str, JobRecord]:
    """Every job's row, by name."""
    return {r.name: _record(r) for r in conn.execute(sa.select(jobs))}


def _free(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(jobs.c.claimed_by.is_(None), jobs.c.lease_until < _utc(now))


def _utc(dt: datetime) -> datetime:
    # SQLite keeps DATETIME as text without a zone and compares it as text, so every
    # value we bind is UTC (and read back as such).
    return dt.astimezone(UTC)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def _record(r: Any) -> JobRecord:
    return JobRecord(
        r.name, _aware(r.slot_start), bool(r.slot_done), r.claimed_by, _aware(r.lease_until), _aware(r.last_started_at),
        _aware(r.last_finished_at), r.last_duration_seconds, r.last_outcome, r.last_error, _aware(r.last_error_at),
        _aware(r.claimed_at),
    )
