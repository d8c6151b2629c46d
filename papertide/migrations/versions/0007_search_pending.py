"""Search: a queue of papers whose lexical index entry is stale (SQLite + tantivy).

SQLite mode keeps its fast lexical index (tantivy) outside the database, so it cannot
be updated in the same transaction as ``papers``. These triggers record which papers
changed; the indexer re-reads them, commits the index, then deletes exactly the queue
rows it saw (``n`` tells a paper changed again meanwhile). Cheap next to FTS5's
triggers: one small row per changed paper. PostgreSQL needs none of it.

Revision ID: 0007_search_pending
Revises: 0005_search
"""

from alembic import op

revision = "0007_search_pending"
down_revision = "0005_search"
branch_labels = None
depends_on = None

_BUMP = (
    "INSERT INTO search_pending(paper_id, n) VALUES ({id}, 1) "
    "ON CONFLICT(paper_id) DO UPDATE SET n = n + 1"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE search_pending (paper_id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    op.execute(f"CREATE TRIGGER search_pending_ai AFTER INSERT ON papers BEGIN {_BUMP.format(id='new.id')}; END")
    op.execute(f"CREATE TRIGGER search_pending_ad AFTER DELETE ON papers BEGIN {_BUMP.format(id='old.id')}; END")
    op.execute(
        "CREATE TRIGGER search_pending_au AFTER UPDATE OF title, abstract, authors, categories, published ON papers "
        f"BEGIN {_BUMP.format(id='new.id')}; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("search_pending_ai", "search_pending_ad", "search_pending_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_pending")
