"""The sign-in link email, on the same path as every other message: template, outbox, sender.

The accounts service stores (and commits) the single-use link first; only then do we
queue the email, in its own transaction, and the caller asks the outbox sender to send
that one message at once, because a person is waiting for it. If that try fails, the row
stays in the outbox and the worker's drain retries it like any other message.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import quote

from papertide.email.notices import Notices
from papertide.storage import outbox as outbox_store
from papertide.storage.db import Database


def login_link_url(base_url: str, token: str, next_path: str = "/") -> str:
    url = f"{base_url.rstrip('/')}/auth/link/{token}"
    return url if next_path in ("", "/") else f"{url}?next={quote(next_path, safe='/')}"


def queue_sign_in_link(db: Database, notices: Notices, email: str, token: str, next_path: str = "/",
                       now: datetime | None = None) -> int:
    """Queue the email for a stored link; returns its outbox id (for ``OutboxSender.send_now``)."""
    now = now or datetime.now(UTC)
    # Keyed by a hash of the token: one email per link, and the key column holds no secret.
    key = f"sign_in:{hashlib.sha256(token.encode()).hexdigest()[:40]}"
    message = notices.sign_in(email, login_link_url(notices.base_url, token, next_path), key, now)
    with db.write() as conn:
        return outbox_store.enqueue(conn, [message], now)[key]


def queue_sign_up_closed(db: Database, notices: Notices, email: str, domains: str,
                         now: datetime | None = None) -> int | None:
    """Queue the "no account here" answer; None when this address had one this hour already.

    Keyed by the address and the hour, so asking again (anyone can ask for anyone) mails a
    stranger's address at most once an hour, as the unused-link limit does for sign-in links.
    """
    now = now or datetime.now(UTC)
    key = f"sign_up_closed:{hashlib.sha256(email.lower().encode()).hexdigest()[:32]}:{now:%Y%m%d%H}"
    message = notices.sign_up_closed(email, domains, key, now)
    with db.write() as conn:
        return outbox_store.enqueue(conn, [message], now).get(key)


class SignInMail:
    """Queues sign-in link emails (the web route then sends the one it queued at once)."""

    def __init__(self, db: Database, notices: Notices) -> None:
        self.db, self.notices = db, notices

    def queue(self, email: str, token: str, next_path: str = "/") -> int:
        return queue_sign_in_link(self.db, self.notices, email, token, next_path)

    def queue_sign_up_closed(self, email: str, domains: str) -> int | None:
        return queue_sign_up_closed(self.db, self.notices, email, domains)
