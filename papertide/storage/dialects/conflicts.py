"""Dialect-portable helpers the community storage modules share."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def insert_ignore(conn: Connection, table: sa.Table, conflict_columns: Sequence[str]):  # type: ignore[no-untyped-def]
    """``INSERT … ON CONFLICT (cols) DO NOTHING`` in either dialect; rowcount tells if it inserted."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
