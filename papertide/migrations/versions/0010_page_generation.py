"""Page generation: a one-row counter bumped by triggers whenever what public pages show changes.

Revision ID: 0010_page_generation
Revises: 0003_community

The anonymous page cache of every web process compares this counter with the value its
pages were rendered at, so a vote, listing, comment or paper edit made by any process
(another web worker, the job worker, the CLI) invalidates every process's cache.

- SQLite: row triggers (SQLite has no statement triggers) on insert/update/delete; a bulk
  import pays one tiny UPDATE per row, measured in bench/RESULTS.md.
- PostgreSQL: deferred constraint triggers, so the counter row is locked only at commit
  (an immediate bump would hold that lock across the rest of the transaction and could
  deadlock two votes on one paper), and bumped once per transaction (a transaction-local
  setting remembers it did), so a 200k-row import costs one UPDATE, not 200k. TRUNCATE
  gets a statement trigger, since constraint triggers cannot fire on it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_page_generation"
down_revision = "0003_community"
branch_labels = None
depends_on = None

# The tables list pages, paper pages and feeds are rendered from (frozen here: a later table
# that pages show needs its own migration adding its triggers).
TRACKED_TABLES = (
    "papers", "paper_categories", "daily_listings", "upvotes", "users",
    "comments", "collections", "collection_items",
)
BUMP = "UPDATE page_generation SET generation = generation + 1, updated_at = CURRENT_TIMESTAMP WHERE id = 1"
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION papertide_bump_page_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('papertide.page_generation_xact', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('papertide.page_generation_xact', txid_current()::text, true);
    {BUMP};
  END IF;
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "page_generation",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_page_generation"),
        sa.CheckConstraint("id = 1", name="ck_page_generation_single_row"),
    )
    op.execute("INSERT INTO page_generation (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TRACKED_TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER page_generation_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION papertide_bump_page_generation()"
            )
            op.execute(
                f"CREATE TRIGGER page_generation_{table}_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION papertide_bump_page_generation()"
            )
        return
    for table in TRACKED_TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER page_generation_{table}_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TRACKED_TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS page_generation_{table} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS page_generation_{table}_truncate ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS page_generation_{table}_{event}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS papertide_bump_page_generation()")
    op.drop_table("page_generation")
