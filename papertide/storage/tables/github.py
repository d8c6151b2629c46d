"""GitHub repositories of papers: the latest state of each repo and its star history.

``github_repos`` holds one row per repo (``owner/name``): the stars and ETag of the last
200 answer, when we last asked and whether GitHub knew the repo. ``github_stars`` holds
a row each time a fetch saw a different star count, so growth over any window is the
newest count minus the count in force at the window's start. Repos are keyed by name,
not by paper: several papers may share one, and a repo outlives a re-import.

Neither table moves the page generation: stars shown on cached pages may lag by up to
``PAPERTIDE_PAGE_CACHE_SECONDS``, which a count refreshed every few hours can afford, and
a refresh run then does not empty every process's page cache.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata, timestamp_columns

REPO_STATUSES = ("ok", "missing", "error")

github_repos = sa.Table(
    "github_repos",
    metadata,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("stars", sa.Integer, nullable=True),
    sa.Column("etag", sa.String(200), nullable=True),
    sa.Column("homepage", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="ok"),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),  # the last 200 (what stars are from)
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('ok', 'missing', 'error')", name="status"),
)

github_stars = sa.Table(
    "github_stars",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repo", sa.String(200), sa.ForeignKey("github_repos.repo", ondelete="CASCADE"), nullable=False),
    sa.Column("stars", sa.Integer, nullable=False),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_github_stars_repo_fetched_at", "repo", "fetched_at"),
)
