"""Papers' JSON columns stored as UTF-8 text on SQLite, so FTS5 can find "Müller".

Revision ID: 0023_json_utf8
Revises: 0022_author_search_key

SQLAlchemy's default JSON serializer escapes every non-ASCII letter ("M\\u00fcller"), and the
SQLite keyword index over ``papers.authors`` (FTS5, which answers before tantivy's first build and
with PAPERTIDE_SEARCH_LEXICAL=sql) indexed those escapes: a keyword search for an accented author
found nothing. New writes store the letters themselves (storage/db.py); this rewrites the rows
written before, only those holding an escape. Each rewrite goes through the update triggers, so
FTS5 drops the old words and indexes the new ones. PostgreSQL keeps JSONB and is untouched.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0023_json_utf8"
down_revision = "0022_author_search_key"
branch_labels = None
depends_on = None

COLUMNS = ("authors", "categories", "keywords")
PAPERS_PER_BATCH = 20_000


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    escaped = " OR ".join(f"instr({c}, '\\u') > 0" for c in COLUMNS)
    read = sa.text(f"SELECT id, {', '.join(COLUMNS)} FROM papers WHERE id > :lo AND id <= :hi AND ({escaped})")
    top = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM papers")).scalar_one()
    for lo in range(0, top, PAPERS_PER_BATCH):
        for row in conn.execute(read, {"lo": lo, "hi": lo + PAPERS_PER_BATCH}).all():
            values = {c: json.dumps(json.loads(getattr(row, c)), ensure_ascii=False) for c in COLUMNS}
            changed = {c: v for c, v in values.items() if v != getattr(row, c)}
            if changed:  # only the columns that differ: an unchanged column fires no trigger
                sets = ", ".join(f"{c} = :{c}" for c in changed)
                conn.execute(sa.text(f"UPDATE papers SET {sets} WHERE id = :id"), {**changed, "id": row.id})


def downgrade() -> None:
    pass  # escaped and unescaped JSON read the same; nothing to undo
