"""The page generation: one row whose counter moves whenever what public pages show changes.

Triggers on the tables pages are built from bump it in the writer's own transaction (see
``storage/page_generation.py`` and migration 0010); every web process compares it with the
value its cached pages were rendered at.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata, timestamp_columns

page_generation = sa.Table(
    "page_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
    *timestamp_columns(),
    sa.CheckConstraint("id = 1", name="single_row"),
)
