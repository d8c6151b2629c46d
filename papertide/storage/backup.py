"""Backing up and restoring a whole instance: SQLite through its online backup API,
PostgreSQL through ``pg_dump``/``pg_restore`` (:mod:`papertide.storage.pg_tools`).

SQLite: the backup copies every page in one step, inside one read transaction. In WAL
mode readers never block writers, so the site keeps serving and writing while the copy
reads a single snapshot: the backup is consistent without stopping anything. (A backup
taken a few pages at a time restarts whenever another connection writes, and on a busy
site may never finish.) The copy is written beside the destination, checked with
``PRAGMA integrity_check``, switched to a rollback journal so it is one self-contained
file, and only then renamed into place.

What lives beside the database — ``<db>.search/``, the tantivy index and HNSW graph —
is derived data. We do not back it up (it would be a second snapshot, taken at another
moment); restore deletes it, and it is rebuilt from the restored rows (by ``papertide db
restore`` itself, or by the first query / the ``search.keywords`` job). On PostgreSQL the
keyword indexes live on the web and worker hosts: restore appends a marker to the change
log, and each index rebuilds when it meets it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from papertide.storage import pg_tools, search_changes
from papertide.storage.db import Database
from papertide.storage.fingerprints import holds_data

SQLITE_TIMEOUT_S = 30.0  # how long our raw connections wait for another process's lock


class RestoreRefused(RuntimeError):
    """The target holds data and the caller did not say to overwrite it."""


class BackupError(RuntimeError):
    """A backup or restore could not be made or checked (the message says why)."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    bytes: int
    kind: str  # "sqlite" or "pg_dump"


@dataclass(frozen=True, slots=True)
class RestoreResult:
    replaced_data: bool  # the target held rows that are now gone
    search_index_removed: Path | None  # the derived index we deleted, to be rebuilt


def sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not db.is_sqlite or not name or name == ":memory:":
        raise BackupError("this database is not a SQLite file")
    return Path(name)


def backup(db: Database, dest: Path, pg_bin_dir: Path | None = None) -> BackupResult:
    """Write a consistent backup of ``db`` to ``dest`` (while the site keeps serving)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if db.is_sqlite:
        backup_sqlite(sqlite_path(db), dest)
        kind = "sqlite"
    else:
        pg_tools.dump(db, dest, pg_bin_dir)
        kind = "pg_dump"
    return BackupResult(dest, dest.stat().st_size, kind)


def backup_sqlite(src: Path, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(src, timeout=SQLITE_TIMEOUT_S)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # pages=-1: every page in one step, from one snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    finally:
        target.close()
        source.close()
    try:
        check_sqlite_file(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dest)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database or fails ``PRAGMA integrity_check``."""
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path} is not a readable SQLite database: {e}") from e
    if result != ["ok"]:
        raise BackupError(f"{path} fails PRAGMA integrity_check: {'; '.join(result[:5])}")


def restore(db: Database, src: Path, *, force: bool = False, pg_bin_dir: Path | None = None) -> RestoreResult:
    """Replace ``db``'s contents with the backup at ``src``.

    Refuses (:class:`RestoreRefused`) when ``db`` holds any row, unless ``force``. Stop the
    site and workers first: their connections would otherwise keep serving the old data.
    """
    if not src.is_file():
        raise BackupError(f"no such file: {src}")
    with db.read() as conn:
        had_data = holds_data(conn)
    if had_data and not force:
        raise RestoreRefused("the database holds data; pass --force to replace it with the backup")
    if not db.is_sqlite:
        pg_tools.restore(db, src, pg_bin_dir)
        with db.write() as conn:
            # Keyword indexes on every host followed the old rows; the marker makes each rebuild.
            search_changes.mark_all_stale(conn)
        return RestoreResult(had_data, None)
    check_sqlite_file(src)
    path = sqlite_path(db)
    db.dispose()  # our pooled connections must not keep pages of the old file
    restore_sqlite(src, path)
    index = path.with_name(path.name + ".search")
    removed = None
    if index.exists():
        shutil.rmtree(index)
        removed = index
    return RestoreResult(had_data, removed)


def restore_sqlite(src: Path, dest: Path) -> None:
    # Through the backup API rather than a file copy: it writes the live file under
    # SQLite's own locks and WAL, so no stale -wal/-shm beside it can resurrect old pages.
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dest, timeout=SQLITE_TIMEOUT_S)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
        source.close()
