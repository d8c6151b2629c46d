"""Counts and checksums of every table, comparable across SQLite and PostgreSQL.

A backup, a restore or a copy is checked by comparing, table by table, the row count
and a checksum over every row. The checksum must come out the same whatever dialect
holds the rows, so each value is first put in one canonical form: timestamps as UTC
(SQLite hands back naive datetimes for ``timezone=True`` columns; we only ever store
UTC), JSON with sorted keys (JSONB reorders them), vectors as their float16 bytes
(SQLite keeps raw bytes, pgvector a ``halfvec``). The per-row hashes are summed modulo
2^64, so the order rows come back in does not matter: PostgreSQL sorts strings by its
collation and SQLite by bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.schema import metadata

_MOD = 2**64
STREAM_ROWS = 2_000  # rows fetched per round trip while checksumming


@dataclass(frozen=True, slots=True)
class TableDigest:
    rows: int
    checksum: str  # 16 hex digits


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table's figures on both sides of a backup, restore or copy."""

    table: str
    source: TableDigest
    target: TableDigest

    @property
    def ok(self) -> bool:
        return self.source == self.target


# Rows every migrated database has of its own, not part of what an instance holds: the page
# cache's change counter (seeded by its migration, bumped by triggers in each database) and the
# search change log (appended to by triggers as rows arrive, also during a copy).
PER_DATABASE_TABLES = frozenset({"page_generation", "search_changes"})


def instance_tables() -> list[sa.Table]:
    """Every table of the schema that holds the instance's data, parents before children (the order
    rows can be inserted in)."""
    return [t for t in metadata.sorted_tables if t.name not in PER_DATABASE_TABLES]


def existing_tables(conn: Connection) -> list[sa.Table]:
    """The schema's tables that exist in this database (an empty or older one may lack some)."""
    present = set(sa.inspect(conn).get_table_names())
    return [t for t in instance_tables() if t.name in present]


def table_counts(conn: Connection) -> dict[str, int]:
    """Row count of each schema table present."""
    return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in existing_tables(conn)}


def holds_data(conn: Connection) -> bool:
    """Whether any schema table has a row: an instance someone may not want overwritten."""
    return any(table_counts(conn).values())


def digest_table(conn: Connection, table: sa.Table) -> TableDigest:
    """Row count and order-independent checksum of every row of ``table``."""
    total = 0
    rows = 0
    columns = list(table.columns)
    for row in conn.execution_options(yield_per=STREAM_ROWS).execute(sa.select(*columns)):
        total = (total + _row_hash(canonical_row(columns, row))) % _MOD
        rows += 1
    return TableDigest(rows, f"{total:016x}")


def digest_all(conn: Connection) -> dict[str, TableDigest]:
    return {t.name: digest_table(conn, t) for t in existing_tables(conn)}


def compare(source: dict[str, TableDigest], target: dict[str, TableDigest]) -> list[TableCheck]:
    """Side-by-side figures for every table either side has (a missing table counts as empty)."""
    empty = TableDigest(0, f"{0:016x}")
    names = [t.name for t in instance_tables() if t.name in source or t.name in target]
    return [TableCheck(n, source.get(n, empty), target.get(n, empty)) for n in names]


def canonical_row(columns: Iterable[sa.Column[Any]], row: Iterable[Any]) -> tuple[Any, ...]:
    """The row's values in a form that is equal on SQLite and PostgreSQL for equal data."""
    return tuple(canonical_value(c, v) for c, v in zip(columns, row, strict=True))


def canonical_value(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.JSON):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple | np.ndarray) or hasattr(value, "to_numpy"):
        # A pgvector halfvec (a list of floats, or a HalfVector): the float16 bytes SQLite stores.
        values = value.to_numpy() if hasattr(value, "to_numpy") else value
        return np.asarray(values, dtype="<f2").tobytes().hex()
    return str(value)


def _row_hash(values: tuple[Any, ...]) -> int:
    blob = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big")
