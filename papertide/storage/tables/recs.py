"""Recommendation signals: what a member told us about papers, who and what they follow, and
their profile (paused?, the trained model, the private feed's token digest).

Upvotes and saves are signals too but live where they always did (``upvotes``,
``collection_items``); ``rec_profiles.signals_changed_at`` moves whenever any of them changes,
so the training job can tell whose model is stale without scanning every table.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata

SIGNAL_KINDS = ("not_interested", "library", "mine")
FOLLOW_KINDS = ("author", "category", "query")

rec_signals = sa.Table(
    "rec_signals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    # Where it came from: web, bibtex, ris, csl, ids, digest. Free-form so a new source needs no migration.
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("user_id", "paper_id", "kind"),
    sa.CheckConstraint("kind IN ('not_interested', 'library', 'mine')", name="kind"),
    sa.Index("ix_rec_signals_user_id", "user_id"),
    # Deleting a paper cascades here; PostgreSQL would scan the table without it.
    sa.Index("ix_rec_signals_paper_id", "paper_id"),
)

# Imported ids we did not hold: the recs.fetch_pending job fetches them, then makes the signals.
rec_pending = sa.Table(
    "rec_pending",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("arxiv_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.UniqueConstraint("user_id", "arxiv_id", "kind"),
    sa.CheckConstraint("kind IN ('not_interested', 'library', 'mine')", name="kind"),
)

rec_follows = sa.Table(
    "rec_follows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.String(200), nullable=False),  # normalised: the key we match on
    sa.Column("label", sa.String(200), nullable=False),  # as typed, for display
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("user_id", "kind", "value"),
    sa.CheckConstraint("kind IN ('author', 'category', 'query')", name="kind"),
)

rec_profiles = sa.Table(
    "rec_profiles",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    # SHA-256 hex of the private feed's secret token; the secret itself is never stored.
    sa.Column("feed_token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("signals_changed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("trained_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("model", sa.LargeBinary, nullable=True),
    sa.Column("model_kind", sa.String(32), nullable=True),
)

# Instance-wide recommendation artefacts every process shares: the fitted tf-idf vocabulary
# ("text-model") and the community's classifier ("community-model"). Blobs are numpy .npz bytes.
rec_artifacts = sa.Table(
    "rec_artifacts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("blob", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Each recent paper's phrase counts (hashed word 1–2-grams of title + abstract, recs/phrase_counts.py),
# kept by the recs.phrases job so the first For-you request of a window does not hash thousands of
# abstracts. ``source_hash`` is of the exact text counted and the hashing's settings: a row whose hash
# no longer matches its paper is ignored (the paper is counted where it is read, as without a row).
paper_phrases = sa.Table(
    "paper_phrases",
    metadata,
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source_hash", sa.String(40), nullable=False),
    # The paper's updated_at when it was counted: the job recounts a paper whose row is older.
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("buckets", sa.LargeBinary, nullable=False),  # uint32 little-endian, ascending
    sa.Column("counts", sa.LargeBinary, nullable=False),  # uint16 little-endian, one per bucket
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
