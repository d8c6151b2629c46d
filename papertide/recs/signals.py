"""Signals: what a member tells us to shape their recommendations, and their data as a whole.

Marks on papers (not interested, imported library, "mine"), follows, library imports with
unknown ids fetched later by the ``recs.fetch_pending`` job, pause and reset, plus "Download my
data" and "Delete my account". Every change of a signal moves ``signals_changed_at`` in the
same transaction (:func:`papertide.storage.recs.touch`).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from papertide.domain.accounts import InvalidInput, User, normalize_email
from papertide.domain.arxiv_categories import unknown_category_message
from papertide.domain.jobs import Progress, no_progress
from papertide.domain.library_imports import ImportReport, sort_entries
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.recs_signals import MAX_FOLLOWS, STORED_KINDS, ProfileInputs, normalize_follow
from papertide.domain.submissions import MAX_FETCH_ATTEMPTS, after_missed_fetch
from papertide.recs.library import parse_library
from papertide.storage import categories as categories_store
from papertide.storage import personal_data
from papertide.storage import recs as store
from papertide.storage import users as users_store
from papertide.storage.db import Connection, Database

log = logging.getLogger(__name__)
FETCH_BATCH = 100  # ids per arXiv API request (its own page size)
FETCH_AFTER_IMPORT = 20  # ids fetched right after an import; the job does the rest
FEED_TOKEN_BYTES = 24  # the private feed URL's secret (32 URL-safe characters)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UnknownPaper(LookupError):
    """The arXiv id names no paper this instance holds."""


class PaperFetcher(Protocol):
    """Fetches papers by arXiv id from outside and stores them (the ingest service)."""

    def fetch_arxiv_ids(self, ids: Sequence[str]) -> object: ...


@dataclass(frozen=True, slots=True)
class InterestsPage:
    """What /me/interests shows."""

    follows: list[store.FollowRow]
    marked: list[store.MarkedPaper]
    pending: list[store.Pending]
    profile: store.Profile
    max_attempts: int = MAX_FETCH_ATTEMPTS
    by_kind: dict[str, list[store.MarkedPaper]] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[store.MarkedPaper]] = {k: [] for k in STORED_KINDS}
        for m in self.marked:
            grouped.setdefault(m.kind, []).append(m)
        object.__setattr__(self, "by_kind", grouped)


class Signals:
    def __init__(self, db: Database, fetcher: PaperFetcher | None = None, offline: bool = False,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.db, self.fetcher, self.offline, self.now = db, fetcher, offline, now

    # -- marks on one paper -------------------------------------------------------------------

    def _paper_id(self, conn: Connection, raw_id: str) -> int:
        try:
            arxiv_id = parse_arxiv_id(raw_id).id
        except InvalidArxivId:
            raise UnknownPaper(raw_id[:64]) from None
        found = store.paper_ids_by_arxiv(conn, [arxiv_id]).get(arxiv_id)
        if found is None:
            raise UnknownPaper(arxiv_id)
        return found

    def _mark(self, user: User, arxiv_id: str, kind: str, on: bool, source: str = "web") -> bool:
        with self.db.write() as conn:
            paper_id = self._paper_id(conn, arxiv_id)
            changed = store.add_signal(conn, user.id, paper_id, kind, source) if on else \
                store.remove_signal(conn, user.id, paper_id, kind)
            if changed:
                store.touch(conn, user.id, self.now())
        return changed

    def member(self, user_uuid: str) -> User | None:
        """The member a signed email link names (None once the account is gone)."""
        with self.db.read() as conn:
            return users_store.get_user_by_uuid(conn, user_uuid)

    def not_interested(self, user: User, arxiv_id: str, source: str = "web") -> bool:
        return self._mark(user, arxiv_id, "not_interested", True, source)

    def undo_not_interested(self, user: User, arxiv_id: str) -> bool:
        return self._mark(user, arxiv_id, "not_interested", False)

    def mark_mine(self, user: User, arxiv_id: str) -> bool:
        return self._mark(user, arxiv_id, "mine", True)

    def unmark(self, user: User, arxiv_id: str, kind: str) -> bool:
        """Take one mark (not_interested, library or mine) off a paper."""
        if kind not in STORED_KINDS:
            raise InvalidInput(f"Unknown kind of mark: {kind[:20]!r}.")
        return self._mark(user, arxiv_id, kind, False)

    def marks(self, user: User | None, kinds: tuple[str, ...] = STORED_KINDS) -> dict[str, frozenset[str]]:
        """kind → arXiv ids the viewer marked (cards' buttons); empty for visitors."""
        if user is None:
            return {}
        with self.db.read() as conn:
            return store.marked_arxiv_ids(conn, user.id, kinds)

    # -- follows --------------------------------------------------------------------------------

    def follow(self, user: User, kind: str, raw: str) -> bool:
        value, label = normalize_follow(kind, raw)
        with self.db.write() as conn:
            if kind == "category" and not categories_store.is_known(conn, value):
                raise InvalidInput(unknown_category_message(value))  # a typo would follow nothing, forever
            if store.count_follows(conn, user.id) >= MAX_FOLLOWS:
                raise InvalidInput(f"You follow {MAX_FOLLOWS} things already; remove some before adding more.")
            added = store.add_follow(conn, user.id, kind, value, label)
            if added:
                store.touch(conn, user.id, self.now())
        return added

    def follow_id(self, user: User | None, kind: str, raw: str) -> int | None:
        """The id of the viewer's follow of this author, category or query (for an Unfollow button)."""
        if user is None:
            return None
        try:
            value, _ = normalize_follow(kind, raw)
        except InvalidInput:
            return None
        with self.db.read() as conn:
            return store.find_follow(conn, user.id, kind, value)

    def unfollow(self, user: User, follow_id: int) -> bool:
        with self.db.write() as conn:
            removed = store.remove_follow(conn, user.id, follow_id)
            if removed:
                store.touch(conn, user.id, self.now())
        return removed

    # -- library imports -------------------------------------------------------------------------

    def import_library(self, user: User, filename: str, data: bytes | str, mine: bool = False) -> ImportReport:
        """Turn a library file into signals; raises :class:`LibraryError` only for a file it cannot read at all."""
        parsed = parse_library(filename, data)
        kind = "mine" if mine else "library"
        wanted = sorted({e.arxiv_id for e in parsed.entries if e.arxiv_id})
        with self.db.write() as conn:
            held = store.paper_ids_by_arxiv(conn, wanted)
            results = sort_entries(parsed.entries, held)
            for r in results:
                if r.status == "matched" and r.arxiv_id:
                    store.add_signal(conn, user.id, held[r.arxiv_id], kind, parsed.format)
                elif r.status == "pending" and r.arxiv_id:
                    store.add_pending(conn, user.id, r.arxiv_id, kind, parsed.format)
            if wanted:
                store.touch(conn, user.id, self.now())
        return ImportReport(filename, parsed.format, tuple(results), parsed.notices)

    def remove_pending(self, user: User, pending_id: int) -> bool:
        with self.db.write() as conn:
            return store.remove_pending(conn, pending_id, user.id)

    def fetch_pending(self, stop: Callable[[], bool] = lambda: False, user_id: int | None = None,
                      limit: int = 500, progress: Progress = no_progress) -> int:
        """Turn pending ids into signals: those we now hold at once, the rest after fetching them
        from arXiv (not when offline). Returns how many were settled (made signals or given up);
        ``progress`` hears (ids looked at, ids waiting): the fetches wait on arXiv's politeness delay."""
        with self.db.read() as conn:
            waiting = [p for p in store.open_pending(conn, MAX_FETCH_ATTEMPTS, limit) if user_id in (None, p.user_id)]
        progress(0, len(waiting))
        settled, missing = self._settle(waiting, final=False)
        if not missing or self.fetcher is None or self.offline:
            progress(len(waiting), len(waiting))
            return settled  # offline: ids wait, untried, until a paper import brings them in
        looked_at = len(waiting) - len(missing)
        progress(looked_at, len(waiting))
        for start in range(0, len(missing), FETCH_BATCH):
            if stop():
                break
            batch = missing[start:start + FETCH_BATCH]
            try:
                self.fetcher.fetch_arxiv_ids(sorted({p.arxiv_id for p in batch}))
            except Exception:  # the run records why; the ids are tried again next time
                log.exception("fetching %d pending ids failed", len(batch))
            settled += self._settle(batch, final=True)[0]
            looked_at += len(batch)
            progress(looked_at, len(waiting))
        return settled

    def _settle(self, waiting: list[store.Pending], final: bool) -> tuple[int, list[store.Pending]]:
        if not waiting:
            return 0, []
        settled, missing = 0, []
        with self.db.write() as conn:
            held = store.paper_ids_by_arxiv(conn, sorted({p.arxiv_id for p in waiting}))
            for p in waiting:
                if p.arxiv_id in held:
                    # Only a pending row still there becomes a mark: read before the fetch, it may
                    # have been removed since (the member's Reset or remove, a concurrent run of
                    # this job), and a mark made from it anyway brought a forgotten import back.
                    if store.remove_pending(conn, p.id):
                        store.add_signal(conn, p.user_id, held[p.arxiv_id], p.kind, p.source)
                        store.touch(conn, p.user_id, self.now())
                        settled += 1
                elif final and (attempts := store.record_attempt(conn, p.id, MAX_FETCH_ATTEMPTS)) is not None:
                    status, message = after_missed_fetch(attempts, p.arxiv_id)
                    store.set_last_error(conn, p.id, message)
                    settled += status == "failed"
                else:
                    missing.append(p)
        return settled, missing

    # -- the profile as a whole ------------------------------------------------------------------

    def interests(self, user: User) -> InterestsPage:
        with self.db.read() as conn:
            return InterestsPage(store.follows_for(conn, user.id), store.marked_papers(conn, user.id),
                                 store.pending_for(conn, user.id), store.profile(conn, user.id))

    def set_paused(self, user: User, paused: bool) -> None:
        with self.db.write() as conn:
            store.set_paused(conn, user.id, paused)

    def reset(self, user: User) -> None:
        """Forget every mark, pending import, follow and the trained model (votes and collections stay)."""
        with self.db.write() as conn:
            store.reset(conn, user.id, self.now())

    # -- the private feed: a secret URL, stored only as its SHA-256 -------------------------------

    @staticmethod
    def _feed_hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def create_feed_token(self, user: User) -> str:
        """A new secret for the member's private feed URL (shown once; replaces any earlier one)."""
        token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
        with self.db.write() as conn:
            store.set_feed_token_hash(conn, user.id, self._feed_hash(token))
        return token

    def revoke_feed_token(self, user: User) -> None:
        with self.db.write() as conn:
            store.set_feed_token_hash(conn, user.id, None)

    def feed_owner(self, token: str) -> int | None:
        """The member a private feed token belongs to (None: unknown or revoked)."""
        if not token or len(token) > 100:
            return None
        with self.db.read() as conn:
            return store.feed_owner(conn, self._feed_hash(token))

    def profile_inputs(self, user_id: int) -> ProfileInputs:
        with self.db.read() as conn:
            return store.profile_inputs(conn, user_id)

    def not_interested_ids(self, user_id: int) -> set[int]:
        with self.db.read() as conn:
            return store.not_interested_ids(conn, user_id)

    # -- the member's data -----------------------------------------------------------------------

    def export(self, user: User) -> dict[str, Any]:
        """Everything the instance holds about the member, JSON-ready."""
        with self.db.read() as conn:
            data = personal_data.export(conn, user.id)
        return {"exported_at": self.now().isoformat(), **data}

    def delete_account(self, user: User, typed_email: str) -> None:
        """Delete the member's account once they typed its email address to confirm."""
        try:
            typed = normalize_email(typed_email)
        except InvalidInput:
            typed = ""
        if typed.lower() != user.email.lower():
            raise InvalidInput("To delete your account, type its email address exactly as shown.")
        with self.db.write() as conn:
            personal_data.delete_user(conn, user.id)
