"""Community services: accounts and sessions, votes, submissions, comments, collections,
moderation. Each service runs domain rules and storage calls inside one transaction; web
routes and CLI commands call these and never touch SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Denied(Exception):
    """The viewer may not do this; ``status`` is the HTTP status that says so."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class NotFound(Exception):
    """The thing asked for does not exist (or the viewer may not know it does)."""
