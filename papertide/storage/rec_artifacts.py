"""Instance-wide recommendation artefacts (tf-idf vocabulary, community model), by name."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.tables.recs import rec_artifacts


def save(conn: Connection, name: str, version: str, blob: bytes, now: datetime) -> None:
    """Replace the artefact ``name`` (delete + insert: one statement shape on both dialects)."""
    conn.execute(sa.delete(rec_artifacts).where(rec_artifacts.c.name == name))
    conn.execute(sa.insert(rec_artifacts).values(name=name, version=version, blob=blob, created_at=now))


def version(conn: Connection, name: str) -> str | None:
    return conn.execute(sa.select(rec_artifacts.c.version).where(rec_artifacts.c.name == name)).scalar()


def load(conn: Connection, name: str) -> tuple[str, bytes, datetime] | None:
    r = conn.execute(sa.select(rec_artifacts).where(rec_artifacts.c.name == name)).first()
    return (r.version, bytes(r.blob), r.created_at) if r else None
