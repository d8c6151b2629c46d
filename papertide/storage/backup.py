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
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from papertide.storage import pg_tools, search_changes
from papertide.storage.db import Database, shown_url
from papertide.storage.fingerprints import holds_data
from papertide.storage.migrate import schema_state

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
    damaged_kept: Path | None = None  # where an unreadable SQLite database was moved aside


def sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not db.is_sqlite or not name or name == ":memory:":
        raise BackupError("this database is not a SQLite file")
    return Path(name)


def backup(db: Database, dest: Path, pg_bin_dir: Path | None = None) -> BackupResult:
    """Write a consistent backup of ``db`` to ``dest`` (while the site keeps serving)."""
    if db.is_sqlite:
        if not sqlite_path(db).is_file():  # checked before connecting, which would create an empty one
            raise BackupError(f"there is no database at {sqlite_path(db)}: nothing to back up (is "
                              "PAPERTIDE_DATA_DIR right for this instance?)")
        check_not_live(sqlite_path(db), dest)
    check_destination(dest)
    if schema_state(db).status == "empty":  # a wrong URL or data dir: would replace a good backup with nothing
        raise BackupError(f"the database {shown_url(db.url)} holds no papertide schema: nothing to back up "
                          "(are PAPERTIDE_DATA_DIR and PAPERTIDE_DATABASE_URL right for this instance?)")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BackupError(f"cannot create the folder {dest.parent}: {e.strerror or e}") from e
    try:
        if db.is_sqlite:
            backup_sqlite(sqlite_path(db), dest)
            kind = "sqlite"
        else:
            pg_tools.dump(db, dest, pg_bin_dir)
            kind = "pg_dump"
    except BaseException:
        # Ctrl-C (KeyboardInterrupt), a pg_dump that failed: the copy written so far goes, or a
        # backup of a large instance stopped half way leaves a second database's worth of disk
        # beside FILE. FILE itself is only ever replaced whole, so an earlier backup stays.
        dest.with_name(dest.name + ".partial").unlink(missing_ok=True)
        raise
    return BackupResult(dest, dest.stat().st_size, kind)


# What a file we may overwrite starts with: an earlier SQLite backup or pg_dump custom-format archive.
_BACKUP_MAGIC = (b"SQLite format 3\x00", b"PGDMP")


def check_destination(dest: Path) -> None:
    """Refuse a destination that is a folder, or an existing file that is no earlier backup.

    Overwriting an earlier backup is the routine (a nightly ``db backup latest.db``);
    overwriting anything else would lose a file someone kept there.
    """
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; give the backup's file name, e.g. {dest / 'papertide.db'}")
    if dest.exists():
        with open(dest, "rb") as fh:
            head = fh.read(16)
        if head and not head.startswith(_BACKUP_MAGIC):
            raise BackupError(f"{dest} exists and is not a papertide backup; refusing to overwrite it "
                              "(choose another file name, or move that file away)")


def check_not_live(database: Path, dest: Path) -> None:
    """Refuse a destination that is the database itself or one of its -wal/-shm/-journal files.

    The database starts like an earlier backup, so :func:`check_destination` lets it through; but
    renaming a copy over the live file leaves the web process writing into the unlinked old one,
    and every write it checkpoints from then on is lost to everyone else.
    """
    live = database.resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):
        if dest.resolve() == live.with_name(live.name + suffix):
            raise BackupError(f"{dest} is the live database{' (' + suffix[1:] + ' file)' if suffix else ''}, "
                              "not a place for its backup; give another file name, e.g. backups/papertide.db")


def backup_sqlite(src: Path, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(src, timeout=SQLITE_TIMEOUT_S)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # pages=-1: every page in one step, from one snapshot
            target.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        finally:
            target.close()
    except sqlite3.Error as e:  # the folder is not writable, the disk is full, …
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write the backup {dest}: {e}") from e
    finally:
        source.close()
    try:
        check_sqlite_file(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dest)


def check_kind(src: Path, to_sqlite: bool) -> None:
    """Refuse the other database kind's backup by name: pg_restore calls a SQLite file 'not a valid tar
    archive', and SQLite calls a dump 'not a database', which reads like a damaged backup."""
    with open(src, "rb") as fh:
        head = fh.read(16)
    sqlite_magic, dump_magic = _BACKUP_MAGIC
    if to_sqlite and head.startswith(dump_magic):
        raise BackupError(f"{src} is a PostgreSQL dump (pg_dump); this instance runs on SQLite. Restore it with "
                          "PAPERTIDE_DATABASE_URL set to a PostgreSQL database")
    if not to_sqlite and head.startswith(sqlite_magic):
        raise BackupError(f"{src} is a SQLite backup; this instance runs on PostgreSQL. Restore it into a SQLite "
                          "instance, then move that to PostgreSQL with `papertide db copy --to URL`")


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


def check_papertide_file(path: Path) -> None:
    """Refuse a SQLite file that holds no papertide schema.

    An empty file, or another program's database, passes ``integrity_check``; restoring it
    would replace every row we hold with nothing, so it must be refused before anything changes.
    """
    if path.stat().st_size == 0:
        raise BackupError(f"{path} is empty (0 bytes), not a papertide backup")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        has_version = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() if has_version else None
    finally:
        conn.close()
    if revision is None:
        raise BackupError(f"{path} is a SQLite database but not a papertide backup (it records no papertide "
                          "schema version); give a file written by `papertide db backup`")


def restore(db: Database, src: Path, *, force: bool = False, pg_bin_dir: Path | None = None) -> RestoreResult:
    """Replace ``db``'s contents with the backup at ``src``.

    Refuses (:class:`RestoreRefused`) when ``db`` holds any row, unless ``force``. Stop the
    site and workers first: their connections would otherwise keep serving the old data.
    """
    if not src.is_file():
        raise BackupError(f"no such file: {src}")
    damage = None  # why the SQLite file cannot be read, when it cannot: it is replaced whole
    try:
        with db.read() as conn:
            had_data = holds_data(conn)
    except sa.exc.DatabaseError as e:
        if not db.is_sqlite or isinstance(e, sa.exc.OperationalError):  # unreachable, or cannot be opened
            raise
        damage, had_data = str(e.orig or e), True
    if damage is not None and not force:
        raise RestoreRefused(f"the database cannot be read ({damage}); pass --force to replace it with the "
                             "backup (the damaged file is kept beside it)")
    if had_data and not force:
        raise RestoreRefused("the database holds data; pass --force to replace it with the backup")
    check_kind(src, db.is_sqlite)
    if not db.is_sqlite:
        pg_tools.restore(db, src, pg_bin_dir)
        with db.write() as conn:
            # Keyword indexes on every host followed the old rows; the marker makes each rebuild.
            search_changes.mark_all_stale(conn)
        return RestoreResult(had_data, None)
    check_sqlite_file(src)
    check_papertide_file(src)
    path = sqlite_path(db)
    db.dispose()  # our pooled connections must not keep pages of the old file
    kept = None
    if damage is None:
        try:
            restore_sqlite(src, path)
        except sqlite3.DatabaseError as e:  # damage the row counts did not reach
            if isinstance(e, sqlite3.OperationalError):
                raise BackupError(f"cannot write the database {path}: {e}") from e
            damage = str(e)
    if damage is not None:
        # SQLite cannot write into a file it cannot read: move it (and its -wal, which may hold
        # the newest rows) aside for `sqlite3 .recover`, then restore into a new file.
        kept = set_aside(path)
        restore_sqlite(src, path)
    index = path.with_name(path.name + ".search")
    removed = None
    if index.exists():
        shutil.rmtree(index)
        removed = index
    return RestoreResult(had_data, removed, kept)


def set_aside(path: Path) -> Path:
    """Rename a damaged database and its -wal/-shm to ``<name>.damaged-<UTC time>``; returns the new name."""
    kept = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    for suffix in ("-wal", "-shm", ""):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            os.replace(sidecar, kept.with_name(kept.name + suffix))
    return kept


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
