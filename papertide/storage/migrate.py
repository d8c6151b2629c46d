"""Run Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from papertide.storage.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (all heads by default)."""
    if db.is_sqlite:
        # Migrations run outside our write lock; hold it so a serving process can't interleave.
        with db._write_lock:  # type: ignore[union-attr]
            command.upgrade(alembic_config(db), revision)
    else:
        command.upgrade(alembic_config(db), revision)


def is_up_to_date(db: Database) -> bool:
    script = ScriptDirectory.from_config(alembic_config(db))
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())
