"""The job runner's table: one row per scheduled job, holding its claim and its last run."""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata, timestamp_columns

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    # The slot last claimed, and whether its run ended (succeeded or failed). A run that was
    # stopped leaves slot_done false and no claimant, so the same slot can be claimed again.
    sa.Column("slot_start", sa.DateTime(timezone=True), nullable=True),
    sa.Column("slot_done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("claimed_by", sa.String(200), nullable=True),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    # When the claim was taken: the start of the run in progress (renewals leave it alone).
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_duration_seconds", sa.Float, nullable=True),
    sa.Column("last_outcome", sa.String(16), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("last_outcome IN ('succeeded', 'failed', 'interrupted')", name="last_outcome"),
)
