"""Search: an append-only log of paper changes that any number of keyword indexes follow.

The tantivy keyword index lives outside the database, now on PostgreSQL too, where every
host (or process) keeps its own copy on local disk. A queue row deleted by whoever
consumed it (0007_search_pending) cannot feed several indexes, so the queue becomes a log:
triggers on ``papers`` append one row per insert, delete or change of an indexed column
(and on ``daily_listings``, which the index's listed-only filter reads), each index
remembers the last row it applied, and a job prunes old rows (leaving a marker, see
storage/search_changes.py). The papers still queued on SQLite move into the log, so
an index built before this migration continues where it stood instead of rebuilding.

``txid`` is the writing transaction's id on PostgreSQL, where concurrent writers commit
out of id order: readers take only rows of transactions older than every one still
running. SQLite commits one writer at a time, so its ids are already in commit order and
``txid`` stays 0.

Revision ID: 0019_search_changes
Revises: 0018_search_cjk
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_search_changes"
down_revision = "0018_search_cjk"
branch_labels = None
depends_on = None

# The papers columns the keyword index reads (github_repo: its has-code filter).
INDEXED = ("title", "abstract", "authors", "categories", "published", "github_repo")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "search_changes",
        # AUTOINCREMENT on SQLite: ids are never reused after a prune empties the tail.
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("paper_id", sa.Integer, nullable=True),
        sa.Column("txid", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_search_changes"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_search_changes_txid_id", "search_changes", ["txid", "id"])
    if dialect == "postgresql":
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def _changed(old: str, new: str, op_: str) -> str:
    return " OR ".join(f"{old}.{c} {op_} {new}.{c}" for c in INDEXED)


def _log_trigger(function: str, trigger: str, table: str, id_column: str) -> None:
    """A plpgsql function appending the changed row's paper to the log, and its insert/delete trigger."""
    op.execute(
        f"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO search_changes (paper_id, txid)
          VALUES (CASE TG_OP WHEN 'DELETE' THEN OLD.{id_column} ELSE NEW.{id_column} END, pg_current_xact_id()::text::bigint);
          RETURN NULL;
        END $$
        """
    )
    op.execute(f"CREATE TRIGGER {trigger} AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()")


def _upgrade_postgres() -> None:
    _log_trigger("papertide_search_change", "papers_search_change", "papers", "id")
    _log_trigger("papertide_search_listing_change", "daily_listings_search_change", "daily_listings", "paper_id")
    # WHEN: an upsert that rewrites a column with the same value (or `SET title = title`,
    # which rebuilds search_documents) is no change to the keyword index.
    op.execute(
        f"CREATE TRIGGER papers_search_change_update AFTER UPDATE OF {', '.join(INDEXED)} ON papers "
        f"FOR EACH ROW WHEN ({_changed('OLD', 'NEW', 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION papertide_search_change()"
    )


def _upgrade_sqlite() -> None:
    op.execute("INSERT INTO search_changes (paper_id) SELECT paper_id FROM search_pending ORDER BY paper_id")
    for name in ("search_pending_ai", "search_pending_ad", "search_pending_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_pending")
    op.execute(
        "CREATE TRIGGER search_changes_ai AFTER INSERT ON papers BEGIN "
        "INSERT INTO search_changes (paper_id) VALUES (new.id); END"
    )
    op.execute(
        "CREATE TRIGGER search_changes_ad AFTER DELETE ON papers BEGIN "
        "INSERT INTO search_changes (paper_id) VALUES (old.id); END"
    )
    op.execute(
        f"CREATE TRIGGER search_changes_au AFTER UPDATE OF {', '.join(INDEXED)} ON papers "
        f"WHEN {_changed('old', 'new', 'IS NOT')} BEGIN "
        "INSERT INTO search_changes (paper_id) VALUES (new.id); END"
    )
    op.execute(
        "CREATE TRIGGER search_changes_listing_ai AFTER INSERT ON daily_listings BEGIN "
        "INSERT INTO search_changes (paper_id) VALUES (new.paper_id); END"
    )
    op.execute(
        "CREATE TRIGGER search_changes_listing_ad AFTER DELETE ON daily_listings BEGIN "
        "INSERT INTO search_changes (paper_id) VALUES (old.paper_id); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS daily_listings_search_change ON daily_listings")
        op.execute("DROP TRIGGER IF EXISTS papers_search_change_update ON papers")
        op.execute("DROP TRIGGER IF EXISTS papers_search_change ON papers")
        op.execute("DROP FUNCTION IF EXISTS papertide_search_listing_change()")
        op.execute("DROP FUNCTION IF EXISTS papertide_search_change()")
    else:
        for name in ("search_changes_ai", "search_changes_ad", "search_changes_au", "search_changes_listing_ai",
                     "search_changes_listing_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        # Back to 0007's queue: every paper the log still names is queued again.
        op.execute("CREATE TABLE search_pending (paper_id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        op.execute(
            "INSERT INTO search_pending (paper_id, n) SELECT DISTINCT paper_id, 1 FROM search_changes "
            "WHERE paper_id IS NOT NULL"
        )
        bump = "INSERT INTO search_pending(paper_id, n) VALUES ({id}, 1) ON CONFLICT(paper_id) DO UPDATE SET n = n + 1"
        op.execute(f"CREATE TRIGGER search_pending_ai AFTER INSERT ON papers BEGIN {bump.format(id='new.id')}; END")
        op.execute(f"CREATE TRIGGER search_pending_ad AFTER DELETE ON papers BEGIN {bump.format(id='old.id')}; END")
        op.execute(
            "CREATE TRIGGER search_pending_au AFTER UPDATE OF title, abstract, authors, categories, published "
            f"ON papers BEGIN {bump.format(id='new.id')}; END"
        )
    op.drop_index("ix_search_changes_txid_id", table_name="search_changes")
    op.drop_table("search_changes")
