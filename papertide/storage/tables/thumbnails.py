"""Card thumbnails: whether rendering each paper's first page worked, so failures wait before a retry.

The image itself is a file (``<data_dir>/thumbs/<stem>.webp``); this row records the
attempt, so the job neither refetches a rendered paper nor hammers arXiv for one whose
PDF is missing or unreadable.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata, timestamp_columns

paper_thumbnails = sa.Table(
    "paper_thumbnails",
    metadata,
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("message", sa.Text, nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('ok', 'failed')", name="status"),
)
