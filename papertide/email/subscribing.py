"""The subscription service: subscribe (double opt-in), confirm, manage, unsubscribe, bounces.

Web routes and CLI commands call these methods; they never touch SQL. Every method that
emails something only *enqueues* (in the same transaction as the state change) and
returns the outbox ids, which the caller hands to the sender after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from papertide.config import Settings
from papertide.domain.accounts import stored_address
from papertide.domain.arxiv_categories import unknown_category_message
from papertide.domain.bounces import BounceKind
from papertide.domain.subscriptions import (
    InvalidSubscription,
    Preferences,
    can_resend_notice,
    is_expired_unconfirmed,
    parse_preferences,
    transition,
    validate_email,
    validate_name,
)
from papertide.email.notices import Notices
from papertide.email.tokens import InvalidToken, Purpose
from papertide.storage import bounces as bounces_store
from papertide.storage import categories as categories_store
from papertide.storage import outbox as outbox_store
from papertide.storage import subscribers as subscribers_store
from papertide.storage import subscriptions as subscriptions_store
from papertide.storage.bounces import BounceOutcome
from papertide.storage.db import Connection, Database
from papertide.storage.subscriptions import SubscriptionRecord


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    """Deliberately the same shape whatever the address's history: callers show one page."""

    outbox_ids: tuple[int, ...]


class SubscriptionService:
    def __init__(self, db: Database, settings: Settings, notices: Notices) -> None:
        self.db = db
        self.settings = settings
        self.notices = notices

    def subscribe(self, email: str, form: Mapping[str, object], name: str = "", now: datetime | None = None) -> SubscribeResult:
        """Start (or restart) double opt-in for ``email``; raises InvalidSubscription on bad input.

        Never reveals whether the address exists: a confirmed subscriber gets an email with a
        manage link instead of a confirmation, and preferences are not changed from here.
        At most one email per ``subscription_resend_minutes`` per address.
        """
        now = now or datetime.now(UTC)
        email = validate_email(email)
        name = validate_name(name)
        prefs = parse_preferences(form)
        resend = timedelta(minutes=self.settings.subscription_resend_minutes)
        with self.db.write() as conn:
            _check_categories(conn, prefs)
            # Locked: the second of two requests at once waits and sees what the first did.
            subscriber = subscribers_store.locked_or_created(conn, email, name)
            if subscriber.status == "blocklisted":
                return SubscribeResult(())
            sub = subscriptions_store.get_by_subscriber(conn, subscriber.id)
            if sub is None:
                sub = subscriptions_store.create(conn, subscriber.id, prefs, now)
            elif sub.status != "confirmed":
                transition(sub.status, "subscribe")  # type: ignore[arg-type]
                subscriptions_store.restart_optin(conn, sub.id, prefs, now, bump_tokens=sub.status == "unsubscribed")
                if name and name != subscriber.name:
                    subscribers_store.set_name(conn, subscriber.id, name)
                sub = subscriptions_store.get_by_subscriber(conn, subscriber.id)
            assert sub is not None
            if not can_resend_notice(sub.notice_sent_at, now, resend):
                return SubscribeResult(())
            key = f"{'notice' if sub.status == 'confirmed' else 'confirm'}:{sub.uuid}:{now.isoformat()}"
            message = (self.notices.already_subscribed if sub.status == "confirmed" else self.notices.confirm)(sub, key, now)
            ids = outbox_store.enqueue(conn, [message], now)
            subscriptions_store.mark_notice_sent(conn, sub.id, now)
        return SubscribeResult(tuple(ids.values()))

    def _verified(self, conn, token: str, purposes: tuple[Purpose, ...], lock: bool = False) -> SubscriptionRecord:  # type: ignore[no-untyped-def]
        error: InvalidToken | None = None
        for purpose in purposes:
            try:
                claims = self.notices.signer.verify(purpose, token)
                break
            except InvalidToken as exc:
                error = error or exc
        else:
            raise error or InvalidToken("This link is not valid.")
        sub = subscriptions_store.get_by_uuid(conn, claims.subscription_uuid, lock=lock)
        if sub is None:
            raise InvalidToken("This subscription no longer exists (unconfirmed requests expire after a week).")
        if sub.token_version != claims.version:
            raise InvalidToken("This link was replaced by a newer one; use the link in your latest email.")
        return sub

    def peek(self, token: str, purposes: tuple[Purpose, ...]) -> SubscriptionRecord:
        """The subscription a link belongs to, for pages that show before a POST acts."""
        with self.db.read() as conn:
            return self._verified(conn, token, purposes)

    def peek_confirm(self, token: str, now: datetime | None = None) -> SubscriptionRecord:
        """What pressing a confirmation link's button would meet, without pressing it: the
        subscription (``confirmed`` when it already is), or InvalidToken saying why the link
        cannot confirm. The GET page calls this, so a bad link is reported before the click."""
        now = now or datetime.now(UTC)
        with self.db.read() as conn:
            return self._confirmable(conn, token, now)

    def _confirmable(self, conn: Connection, token: str, now: datetime, lock: bool = False) -> SubscriptionRecord:
        sub = self._verified(conn, token, ("confirm",), lock)
        if is_expired_unconfirmed(sub.status, sub.requested_at, now, self.settings.subscription_unconfirmed_days):  # type: ignore[arg-type]
            raise InvalidToken("This confirmation link has expired; please subscribe again.")
        if sub.status == "unsubscribed":
            raise InvalidToken("This subscription was cancelled; please subscribe again.")
        return sub

    def confirm(self, token: str, now: datetime | None = None) -> SubscriptionRecord:
        now = now or datetime.now(UTC)
        with self.db.write() as conn:
            # Locked: an unsubscribe (or the expiry job) committing between our read and our write
            # was overwritten with "confirmed"; now it waits for us, or we read what it left.
            sub = self._confirmable(conn, token, now, lock=True)
            subscriptions_store.set_status(conn, sub.id, transition(sub.status, "confirm"), now)  # type: ignore[arg-type]
            if sub.subscriber_status != "blocklisted" and (sub.subscriber_status == "disabled" or sub.soft_bounces):
                # Pressing the button proves the address receives mail again.
                subscribers_store.update_delivery(conn, sub.subscriber_id, "enabled", 0)
            return subscriptions_store.get_by_uuid(conn, sub.uuid)  # type: ignore[return-value]

    def unsubscribe(self, token: str, now: datetime | None = None) -> SubscriptionRecord:
        """One-click unsubscribe; pressing it twice is fine."""
        now = now or datetime.now(UTC)
        with self.db.write() as conn:
            sub = self._verified(conn, token, ("unsubscribe", "manage"))
            if sub.status != "unsubscribed":
                subscriptions_store.set_status(conn, sub.id, transition(sub.status, "unsubscribe"), now)  # type: ignore[arg-type]
                outbox_store.cancel_pending_for(conn, sub.id, now)
            return subscriptions_store.get_by_uuid(conn, sub.uuid)  # type: ignore[return-value]

    def unsubscribe_address(self, email: str, now: datetime | None = None) -> Literal["unsubscribed", "already", None]:
        """Unsubscribe by address (mail sent to the List-Unsubscribe mailto, an admin's request):
        "unsubscribed", "already" when it was, or None when the address has no subscription."""
        now = now or datetime.now(UTC)
        with self.db.write() as conn:
            sub = subscriptions_store.get_by_email(conn, stored_address(email))
            if sub is None:
                return None
            if sub.status == "unsubscribed":
                return "already"
            subscriptions_store.set_status(conn, sub.id, transition(sub.status, "unsubscribe"), now)  # type: ignore[arg-type]
            outbox_store.cancel_pending_for(conn, sub.id, now)
            return "unsubscribed"

    def update_preferences(self, token: str, form: Mapping[str, object]) -> SubscriptionRecord:
        with self.db.write() as conn:
            # The link first: a bad link is the error to show, whatever the form holds.
            sub = self._verified(conn, token, ("manage",))
            prefs: Preferences = parse_preferences(form)
            _check_categories(conn, prefs)
            if sub.status == "unsubscribed":
                raise InvalidSubscription("You are unsubscribed; subscribe again to receive digests.")
            subscriptions_store.update_preferences(conn, sub.id, prefs)
            return subscriptions_store.get_by_uuid(conn, sub.uuid)  # type: ignore[return-value]

    def revoke_links(self, token: str) -> SubscriptionRecord:
        """Invalidate every link emailed so far (e.g. a digest was forwarded)."""
        with self.db.write() as conn:
            sub = self._verified(conn, token, ("manage",))
            subscriptions_store.bump_token_version(conn, sub.id)
            return subscriptions_store.get_by_uuid(conn, sub.uuid)  # type: ignore[return-value]

    def record_bounce(self, email: str, kind: BounceKind, detail: str = "", source: str = "api",
                      now: datetime | None = None) -> BounceOutcome:
        now = now or datetime.now(UTC)
        with self.db.write() as conn:
            return bounces_store.record_bounce(
                conn, stored_address(email), kind, detail, source, self.settings.bounce_soft_threshold, now
            )

    def expire_unconfirmed(self, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        with self.db.write() as conn:
            return subscriptions_store.delete_expired_unconfirmed(conn, now, self.settings.subscription_unconfirmed_days)

    def check_categories(self, prefs: Preferences) -> None:
        """Raise InvalidSubscription naming the categories in ``prefs`` that are not arXiv's nor held
        here (for previews, which store nothing but should not silently show fewer sections)."""
        with self.db.read() as conn:
            _check_categories(conn, prefs)

    def get_by_email(self, email: str) -> SubscriptionRecord | None:
        with self.db.read() as conn:
            return subscriptions_store.get_by_email(conn, stored_address(email))


def _check_categories(conn: Connection, prefs: Preferences) -> None:
    """A category arXiv does not list, and this instance holds no papers in, is a typo: a digest
    for it would stay empty forever, so say so where it was typed, naming every such code (on
    one line, as the CLI prints it)."""
    unknown = [c for c in prefs.categories if not categories_store.is_known(conn, c)]
    if unknown:
        raise InvalidSubscription(" ".join(unknown_category_message(c) for c in unknown), field="categories")
