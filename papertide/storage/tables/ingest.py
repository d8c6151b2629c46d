"""Ingest tables: recorded runs, per-set harvest checkpoints, paper version history."""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import JSONList, metadata, timestamp_columns

ingest_runs = sa.Table(
    "ingest_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(40), nullable=False),
    # Human-readable scope and days, e.g. "cs 2026-06-01..2026-06-02" or "3 ids".
    sa.Column("window", sa.String(400), nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False, server_default="running"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("withdrawn", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text, nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),
    sa.Index("ix_ingest_runs_started_at", "started_at"),
)

ingest_checkpoints = sa.Table(
    "ingest_checkpoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # "<source>:<metadataPrefix>:<set>", see domain.ingest.checkpoint_key.
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("last_datestamp", sa.Date, nullable=True),
    sa.Column("resumption_token", sa.Text, nullable=True),
    sa.Column("window_from", sa.Date, nullable=True),
    sa.Column("window_until", sa.Date, nullable=True),
    *timestamp_columns(),
)

paper_versions = sa.Table(
    "paper_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("submitted", sa.DateTime(timezone=True), nullable=True),
    # Text of a version a newer one replaced; NULL for the current version (its text is in papers)
    # and for versions a source listed only by date.
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("abstract", sa.Text, nullable=True),
    sa.Column("authors", JSONList, nullable=True),
    *timestamp_columns(),
    sa.UniqueConstraint("paper_id", "version"),
)
