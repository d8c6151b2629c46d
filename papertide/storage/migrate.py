"""Run Alembic migrations programmatically (no alembic.ini needed), and compare a database's
schema with the code's."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from papertide.storage.db import Database

VERSION_TABLE = "alembic_version"  # alembic's default, which env.py keeps
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = db.engine
    return cfg


class UpgradeError(RuntimeError):
    """The schema cannot be migrated; the message says why and what to do, for people."""


def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (all heads by default).

    Raises :class:`UpgradeError` for a database a newer release migrated (Alembic cannot find
    its revision) and for pgvector's extension that this database user may not create.
    """
    state = schema_state(db)
    if state.status == "ahead":
        raise UpgradeError(state.message())
    try:
        if db.is_sqlite:
            # Migrations run outside our write lock; hold it so a serving process can't interleave.
            with db._write_lock:  # type: ignore[union-attr]
                command.upgrade(alembic_config(db), revision)
        else:
            command.upgrade(alembic_config(db), revision)
    except sa.exc.DBAPIError as e:
        if "CREATE EXTENSION" not in (e.statement or ""):
            raise
        reason = str(e.orig or e).strip().splitlines()[0]
        raise UpgradeError(
            f"cannot create pgvector's extension in the database {db.engine.url.database} ({reason}). "
            "pgvector must be installed on the PostgreSQL server (e.g. the postgresql-NN-pgvector package), and "
            f"only a superuser may create it: run `CREATE EXTENSION vector;` as one in that database, "
            "then run this again"
        ) from e


SchemaStatus = Literal["current", "behind", "ahead", "empty"]


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this code ships."""

    status: SchemaStatus
    database: tuple[str, ...]  # the revisions recorded in the database (alembic_version)
    code: tuple[str, ...]  # the heads of this code's migrations

    @property
    def current(self) -> bool:
        return self.status == "current"

    def message(self) -> str:
        """What is wrong and how to fix it, for people (empty when current)."""
        db_at, code_at = ", ".join(self.database) or "nothing", ", ".join(self.code)
        if self.status == "empty":
            return "The database has no papertide schema; run `papertide db upgrade`."
        if self.status == "behind":
            return (f"The database schema is behind this papertide (database at {db_at}; code at {code_at}); "
                    "run `papertide db upgrade`.")
        if self.status == "ahead":
            return (f"The database schema is newer than this papertide (database at {db_at}; code knows up to "
                    f"{code_at}): it was migrated by a newer release. Run that release (or newer), or restore "
                    "a backup taken before the upgrade.")
        return ""


@functools.cache
def _code_revisions() -> tuple[tuple[str, ...], frozenset[str]]:
    # The code's migrations cannot change while it runs: read the scripts once, not per check.
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(cfg)
    return tuple(sorted(script.get_heads())), frozenset(r.revision for r in script.walk_revisions())


def schema_state(db: Database) -> SchemaState:
    """Compare the database's recorded revisions with the code's heads (one small query)."""
    heads, known = _code_revisions()
    with db.engine.connect() as conn:
        # Read alembic's table directly: MigrationContext logs two INFO lines per call, which
        # /readyz (probed every few seconds by a load balancer) turned into most of the log.
        if sa.inspect(conn).has_table(VERSION_TABLE):
            rows = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
            recorded = tuple(sorted(rows))
        else:
            recorded = ()
    status: SchemaStatus
    if not recorded:
        status = "empty"
    elif any(r not in known for r in recorded):
        status = "ahead"
    elif set(recorded) == set(heads):
        status = "current"
    else:
        status = "behind"
    return SchemaState(status, recorded, heads)


def is_up_to_date(db: Database) -> bool:
    return schema_state(db).current
