"""The public archive of daily trending digests: what the /digests pages and feed read."""

from __future__ import annotations

from datetime import date
from typing import Any

from papertide.storage import digests as digests_store
from papertide.storage.db import Database


class DigestArchive:
    def __init__(self, db: Database) -> None:
        self.db = db

    def days(self, limit: int = 120) -> list[tuple[date, int]]:
        """Archived days, newest first, with how many papers each issue holds."""
        with self.db.read() as conn:
            return digests_store.archive_days(conn, limit=limit)

    def issue(self, day: date) -> list[dict[str, Any]] | None:
        with self.db.read() as conn:
            return digests_store.archive_issue(conn, day)

    def recent(self, limit: int = 30) -> list[tuple[date, list[dict[str, Any]], Any]]:
        with self.db.read() as conn:
            return digests_store.archive_recent(conn, limit=limit)
