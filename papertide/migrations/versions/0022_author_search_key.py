"""Author names without diacritics, for the search page's author filter.

Revision ID: 0022_author_search_key
Revises: 0021_papers_upvoted

The filter compared ``paper_authors.author_key``, which keeps accents (author pages must not merge
Müller and Muller), so someone typing "muller" or "lukasz" found nothing. ``search_key`` is that
key with Latin, Greek and Cyrillic diacritics dropped (domain.authors.search_key); the filter folds
what is typed the same way. Filled from ``author_key`` in one statement, then corrected in Python
for the keys holding a non-ASCII letter (a few percent of rows), then indexed for the filter's
full scans.
"""

import sqlalchemy as sa
from alembic import op

from papertide.domain.authors import search_key

revision = "0022_author_search_key"
down_revision = "0021_papers_upvoted"
branch_labels = None
depends_on = None

PAPERS_PER_BATCH = 20_000  # paper ids read at a time (~90,000 author rows): memory stays flat at 1M papers


def upgrade() -> None:
    op.add_column("paper_authors", sa.Column("search_key", sa.String(200), nullable=False, server_default=""))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE paper_authors SET search_key = author_key"))
    top = conn.execute(sa.text("SELECT coalesce(max(paper_id), 0) FROM paper_authors")).scalar_one()
    read = sa.text("SELECT paper_id, position, author_key FROM paper_authors WHERE paper_id > :lo AND paper_id <= :hi")
    update = sa.text("UPDATE paper_authors SET search_key = :k WHERE paper_id = :p AND position = :n")
    for lo in range(0, top, PAPERS_PER_BATCH):
        rows = conn.execute(read, {"lo": lo, "hi": lo + PAPERS_PER_BATCH}).all()
        changed = [{"p": r.paper_id, "n": r.position, "k": key} for r in rows
                   if not r.author_key.isascii() and (key := search_key(r.author_key)) != r.author_key]
        if changed:
            conn.execute(update, changed)
    op.create_index("ix_paper_authors_search_key", "paper_authors", ["search_key", "paper_id"])


def downgrade() -> None:
    op.drop_index("ix_paper_authors_search_key", table_name="paper_authors")
    op.drop_column("paper_authors", "search_key")
