"""Dialect-portable helpers the community storage modules share."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def insert_ignore(conn: Connection, table: sa.Table, conflict_columns: Sequence[str]):  # type: ignore[no-untyped-def]
    """``INSERT … ON CONFLICT (cols) DO NOTHING`` in either dialect (run it with :func:`execute_inserted`)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


def execute_inserted(conn: Connection, stmt) -> bool:  # type: ignore[no-untyped-def]
    """Run an :func:`insert_ignore` statement; True when it inserted a row.

    We ask for RETURNING rather than trusting ``rowcount``: SQLAlchemy does not keep an
    INSERT's rowcount on every driver (psycopg reports -1 here), and a wrong count would
    corrupt the vote totals.
    """
    table = stmt.table
    return conn.execute(stmt.returning(*table.primary_key.columns)).first() is not None
