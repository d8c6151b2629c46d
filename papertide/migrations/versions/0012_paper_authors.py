"""Paper authors: one row per (paper, author position) with a normalised key, for author pages.

Revision ID: 0012_paper_authors
Revises: 0001_foundation

An author page needs "every paper by this person" and "who they write with". Over
``papers.authors`` (a JSON list) that is a scan of every paper: at 241,792 papers (1,115,109
author rows) an exact ``json_each`` match took 398–1,178 ms on SQLite and even a (wrong,
substring) ``LIKE`` over the JSON text 72–97 ms, against 0.9 ms for an author's newest 30 and
8.9 ms for the co-authors of the most prolific author (579 papers) with this table and its
``(author_key, paper_id)`` index (bench/author_lookup_bench.py, bench/RESULTS.md). The
rows are derived data: the paper writer rewrites a paper's rows with the paper, and this
migration fills them for the papers already stored. No page-generation triggers: the
rows only change together with their ``papers`` row, whose triggers already fire.
"""

import sqlalchemy as sa
from alembic import op

from papertide.domain.authors import author_key

revision = "0012_paper_authors"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 5_000  # papers read per batch while filling the table


def upgrade() -> None:
    op.create_table(
        "paper_authors",
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("author_key", sa.String(200), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("paper_id", "position", name="pk_paper_authors"),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], ondelete="CASCADE", name="fk_paper_authors_paper_id_papers"
        ),
    )
    _backfill()  # 43 s at 241,792 papers (fill and index) in the benchmark
    # Built after the fill: one sort instead of 1M+ index insertions.
    op.create_index("ix_paper_authors_author_key", "paper_authors", ["author_key", "paper_id"])


def _backfill() -> None:
    conn = op.get_bind()
    papers = sa.table("papers", sa.column("id", sa.Integer), sa.column("authors", sa.JSON))
    target = sa.table(
        "paper_authors", sa.column("paper_id"), sa.column("position"), sa.column("author_key"), sa.column("name")
    )
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(papers.c.id, papers.c.authors).where(papers.c.id > last_id).order_by(papers.c.id)
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        values = [
            {"paper_id": r.id, "position": pos, "author_key": author_key(name), "name": name}
            for r in rows
            for pos, name in enumerate(r.authors or ())
            if author_key(name)
        ]
        if values:
            conn.execute(sa.insert(target), values)
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_table("paper_authors")
