"""Persistence of ingest runs and harvest checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.ingest import Checkpoint, IngestRun, RunCounts, RunStatus
from papertide.storage.tables.ingest import ingest_checkpoints, ingest_runs

MAX_ERROR_CHARS = 4_000  # a run's error message is for people; keep the row small


def start_run(conn: Connection, source: str, window: str, now: datetime | None = None) -> int:
    """Record a run as running; returns its id."""
    return int(conn.execute(
        sa.insert(ingest_runs)
        .values(source=source, window=window[:400], status=RunStatus.RUNNING.value, started_at=now or datetime.now(UTC))
        .returning(ingest_runs.c.id)
    ).scalar_one())


def finish_run(
    conn: Connection, run_id: int, status: RunStatus, counts: RunCounts, error: str | None = None,
    now: datetime | None = None,
) -> None:
    conn.execute(
        sa.update(ingest_runs)
        .where(ingest_runs.c.id == run_id)
        .values(
            status=status.value,
            finished_at=now or datetime.now(UTC),
            fetched=counts.fetched, inserted=counts.inserted, updated=counts.updated, skipped=counts.skipped,
            withdrawn=counts.withdrawn, failed=counts.failed, pages=counts.pages,
            error=error[:MAX_ERROR_CHARS] if error else None,
            updated_at=sa.func.now(),
        )
    )


def _run(r: Any) -> IngestRun:
    return IngestRun(
        id=r.id, source=r.source, window=r.window, status=RunStatus(r.status),
        started_at=_aware(r.started_at), finished_at=_aware(r.finished_at) if r.finished_at else None,
        fetched=r.fetched, inserted=r.inserted, updated=r.updated, skipped=r.skipped, withdrawn=r.withdrawn,
        failed=r.failed, pages=r.pages, error=r.error,
    )


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone=True columns; we only ever store UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def list_runs(conn: Connection, limit: int = 50, source: str | None = None) -> list[IngestRun]:
    """Most recent runs first."""
    q = sa.select(ingest_runs).order_by(ingest_runs.c.started_at.desc(), ingest_runs.c.id.desc()).limit(limit)
    if source:
        q = q.where(ingest_runs.c.source == source)
    return [_run(r) for r in conn.execute(q)]


def get_run(conn: Connection, run_id: int) -> IngestRun | None:
    r = conn.execute(sa.select(ingest_runs).where(ingest_runs.c.id == run_id)).first()
    return _run(r) if r else None


def get_checkpoint(conn: Connection, key: str) -> Checkpoint | None:
    r = conn.execute(sa.select(ingest_checkpoints).where(ingest_checkpoints.c.key == key)).first()
    if r is None:
        return None
    return Checkpoint(r.key, r.last_datestamp, r.resumption_token, r.window_from, r.window_until)


def list_checkpoints(conn: Connection) -> list[Checkpoint]:
    rows = conn.execute(sa.select(ingest_checkpoints).order_by(ingest_checkpoints.c.key))
    return [Checkpoint(r.key, r.last_datestamp, r.resumption_token, r.window_from, r.window_until) for r in rows]


def save_checkpoint(conn: Connection, cp: Checkpoint) -> None:
    """Insert or replace the checkpoint for ``cp.key`` (call inside the page's write transaction)."""
    values = {
        "last_datestamp": cp.last_datestamp, "resumption_token": cp.resumption_token,
        "window_from": cp.window_from, "window_until": cp.window_until,
    }
    done = conn.execute(
        sa.update(ingest_checkpoints).where(ingest_checkpoints.c.key == cp.key).values(**values, updated_at=sa.func.now())
    )
    if done.rowcount == 0:
        conn.execute(sa.insert(ingest_checkpoints).values(key=cp.key, **values))


def delete_started_before(conn: Connection, before: datetime) -> int:
    """Delete runs that started before ``before``, except each source's latest success; returns
    how many went. That run stays however old it is: ``last_succeeded_at`` (the ingest-lag
    metric) reads it, and a source that stopped succeeding must keep saying since when."""
    newer = ingest_runs.alias("newer")
    latest_success = sa.and_(
        ingest_runs.c.status == RunStatus.SUCCEEDED.value,
        ~sa.exists().where(
            newer.c.source == ingest_runs.c.source, newer.c.status == RunStatus.SUCCEEDED.value,
            newer.c.finished_at > ingest_runs.c.finished_at,
        ),
    )
    return int(conn.execute(sa.delete(ingest_runs).where(ingest_runs.c.started_at < before, ~latest_success)).rowcount)


def last_succeeded_at(conn: Connection) -> dict[str, datetime]:
    """When each source's most recent successful run finished, by source."""
    q = (
        sa.select(ingest_runs.c.source, sa.func.max(ingest_runs.c.finished_at))
        .where(ingest_runs.c.status == RunStatus.SUCCEEDED.value)
        .group_by(ingest_runs.c.source)
    )
    return {source: _aware(at) for source, at in conn.execute(q) if at is not None}
