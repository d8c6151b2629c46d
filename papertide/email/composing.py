"""Composing digests: due subscriptions → selected papers → outbox rows (and the public archive).

``DigestComposer.run`` is what ``papertide digest run`` and the in-process worker call.
It is idempotent per period and safe to run from cron every few minutes: each digest's
outbox row has the key ``digest:<subscription uuid>:<period>``, and the row plus the
"these papers were sent" log are written in one transaction, so a second run (or a
concurrent one) composes nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from papertide.catalog import Catalog
from papertide.config import Settings
from papertide.domain.digests import (
    LOOKBACK_DAYS,
    Candidate,
    CandidatePool,
    Digest,
    is_new,
    new_since,
    select_digest,
    select_for_you,
    with_for_you,
)
from papertide.domain.subscriptions import Preferences, due_period, had_digest_today
from papertide.email.notices import Notices
from papertide.recs.personal import PersonalRecommendations
from papertide.storage import digests as digests_store
from papertide.storage import outbox as outbox_store
from papertide.storage import recs as recs_store
from papertide.storage import subscriptions as subscriptions_store
from papertide.storage.db import Database
from papertide.storage.outbox import OutboxMessage
from papertide.storage.subscriptions import SubscriptionRecord

log = logging.getLogger(__name__)

TRENDING_POOL = 60  # trending papers a digest may draw from (the list is shared by all)
ARCHIVE_SIZE = 10  # papers in the public daily trending digest
BATCH = 500  # subscriptions composed per transaction
FOR_YOU_OVERFETCH = 3  # ranked papers asked for per For-you slot: some were sent already


@dataclass
class RunReport:
    considered: int = 0
    due: int = 0
    composed: int = 0
    already: int = 0  # due, but this period's digest exists (an earlier or concurrent run)
    earlier_today: int = 0  # due, a new period, but a digest went out earlier this local day
    empty: int = 0  # due, nothing new, not sent (PAPERTIDE_DIGEST_SEND_EMPTY=false)
    expired_unconfirmed: int = 0
    archived: date | None = None
    outbox_ids: list[int] = field(default_factory=list)


@dataclass
class ForYouWindows:
    """Per frequency: the period's first and last day and its papers' row ids (ranked per member)."""

    spans: dict[str, tuple[date, date]]
    ids: dict[str, list[int]]


class DigestComposer:
    def __init__(self, db: Database, settings: Settings, notices: Notices, catalog: Catalog,
                 for_you: PersonalRecommendations | None = None) -> None:
        self.db, self.settings, self.notices, self.catalog = db, settings, notices, catalog
        self.for_you = for_you if settings.digest_for_you_size > 0 else None

    # Inputs shared by every subscriber of a run ---------------------------------------------
    def trending(self, now: datetime) -> list[Candidate]:
        page = self.catalog.trending(limit=TRENDING_POOL, now=now)
        return [
            Candidate(e.paper.arxiv_id, e.paper.title, e.paper.abstract, e.paper.authors, e.paper.categories,
                      e.upvotes, e.listed_on, e.paper.keywords)
            for e, _ in page.entries
        ]

    def pools(self, now: datetime) -> dict[str, CandidatePool]:
        """New papers per frequency, measured from the data's "now" (see Catalog.trending_as_of)."""
        last = (self.catalog.trending_as_of(now) - timedelta(microseconds=1)).date()
        with self.db.read() as conn:
            widest = digests_store.candidates_between(
                conn, min(new_since(f, last, listed=True) for f in LOOKBACK_DAYS), last,
                published_from=min(new_since(f, last, listed=False) for f in LOOKBACK_DAYS))
        return {freq: CandidatePool(c for c in widest if is_new(c, freq, last)) for freq in LOOKBACK_DAYS}

    # The run ----------------------------------------------------------------------------------
    def run(self, now: datetime | None = None, shard: tuple[int, int] = (0, 1)) -> RunReport:
        """Compose every due digest (of subscriptions with ``id % n == k`` for ``shard=(k, n)``)."""
        now = now or datetime.now(UTC)
        report = RunReport()
        with self.db.write() as conn:
            report.expired_unconfirmed = subscriptions_store.delete_expired_unconfirmed(
                conn, now, self.settings.subscription_unconfirmed_days
            )
        trending = self.trending(now)
        report.archived = self.archive(now, trending)
        pools: dict[str, CandidatePool] | None = None
        windows: ForYouWindows | None = None
        with self.db.read() as conn:
            batches = list(subscriptions_store.iter_deliverable(conn, BATCH, shard))
        for batch in batches:
            report.considered += len(batch)
            due = [(s, p) for s in batch if (p := due_period(s.prefs, now)) is not None]
            report.due += len(due)
            if not due:
                continue
            pools = pools or self.pools(now)
            windows = windows or self.for_you_windows(pools, now)
            self._compose_batch(due, pools, trending, now, report, windows)
        return report

    def for_you_windows(self, pools: dict[str, CandidatePool], now: datetime) -> ForYouWindows:
        last = (self.catalog.trending_as_of(now) - timedelta(microseconds=1)).date()
        with self.db.read() as conn:
            ids = {freq: sorted(recs_store.paper_ids_by_arxiv(conn, list(pool.by_id)).values()) for freq, pool in pools.items()}
        # For you ranks papers by their submission day, as the unlisted papers of the pools count.
        return ForYouWindows({f: (new_since(f, last, listed=False), last) for f in LOOKBACK_DAYS}, ids)

    def _picks(self, member_id: int | None, sub: SubscriptionRecord, pool: CandidatePool, sent: set[str],
               windows: ForYouWindows) -> tuple[Candidate, ...]:
        """The member's For-you papers for this digest (explain=False: the digest names no reasons)."""
        if self.for_you is None or member_id is None:
            return ()
        size, freq = self.settings.digest_for_you_size, sub.prefs.frequency
        first, last = windows.spans[freq]
        found = self.for_you.for_user(member_id, first, last, limit=size * FOR_YOU_OVERFETCH, explain=False,
                                      candidate_ids=windows.ids[freq])
        ranked = [(r.arxiv_id, r.score) for r in found.recommendations]
        return select_for_you(ranked, pool, sent, size, self.settings.digest_for_you_min_score)

    def _compose_batch(self, due: list[tuple[SubscriptionRecord, str]], pools: dict[str, CandidatePool],
                       trending: list[Candidate], now: datetime, report: RunReport, windows: ForYouWindows) -> None:
        keys = {s.id: f"digest:{s.uuid}:{period}" for s, period in due}
        with self.db.read() as conn:
            # Sent papers before existing keys: each statement sees what is committed when it runs,
            # and a concurrent run's digests and keys commit together; read the other way round,
            # keys missing then papers present made every digest look empty ("nothing new").
            sent = digests_store.sent_ids(conn, [s.id for s, _ in due])
            done = outbox_store.existing_keys(conn, list(keys.values()))
            members = recs_store.members_with_signals(conn, [s.email for s, _ in due]) if self.for_you else {}
        report.already += len(done)
        built: list[tuple[OutboxMessage, SubscriptionRecord, Digest]] = []
        for sub, period in due:
            if keys[sub.id] in done:
                continue
            if had_digest_today(sub.last_digest_at, sub.prefs, now):
                # The frequency or zone changed since: the new period may not add a second digest today.
                report.earlier_today += 1
                continue
            pool = pools[sub.prefs.frequency]
            member_id, member_uuid = members.get(sub.email.lower(), (None, None))
            picks = self._picks(member_id, sub, pool, sent[sub.id], windows)
            taken = frozenset(sent[sub.id]).union(p.arxiv_id for p in picks)  # a paper appears once per digest
            digest = with_for_you(select_digest(sub.prefs, pool, trending, taken), picks)
            if digest.is_empty and not self.settings.digest_send_empty:
                report.empty += 1
                continue
            built.append((self.notices.digest(sub, digest, period, keys[sub.id], now, member_uuid if picks else None),
                          sub, digest))
        if built:
            self._write(built, now, report)

    def _write(self, built: list[tuple[OutboxMessage, SubscriptionRecord, Digest]], now: datetime,
               report: RunReport) -> None:
        with self.db.write() as conn:
            # The insert skips keys that exist (ON CONFLICT DO NOTHING) and returns those it wrote,
            # so a concurrent run that won some keys (PostgreSQL) costs nothing but the work.
            ids = outbox_store.enqueue(conn, [m for m, _, _ in built], now)
            mine = [b for b in built if b[0].idempotency_key in ids]
            digests_store.record_items(
                conn, ((s.id, p.arxiv_id, ids[m.idempotency_key]) for m, s, d in mine for p in d.papers), now
            )
            subscriptions_store.mark_digest_composed(conn, [s.id for _, s, _ in mine], now)
        report.already += len(built) - len(mine)
        report.composed += len(mine)
        report.outbox_ids.extend(ids.values())

    def archive(self, now: datetime, trending: list[Candidate]) -> date | None:
        """Store the public daily trending digest for the data's current day, once."""
        if not trending:
            return None
        day = (self.catalog.trending_as_of(now) - timedelta(microseconds=1)).date()
        entries = [self.notices.paper_context(p) for p in trending[:ARCHIVE_SIZE]]
        with self.db.write() as conn:
            return day if digests_store.save_archive(conn, day, entries) else None

    # Preview ----------------------------------------------------------------------------------
    def select_for(self, prefs: Preferences, sent: frozenset[str] = frozenset(), now: datetime | None = None) -> Digest:
        now = now or datetime.now(UTC)
        return select_digest(prefs, self.pools(now)[prefs.frequency], self.trending(now), sent)

    def preview_html(self, prefs: Preferences, sub: SubscriptionRecord | None = None, now: datetime | None = None) -> str:
        """The HTML a subscriber would get in their next digest (or for ``prefs`` with no history)."""
        now = now or datetime.now(UTC)
        sent: frozenset[str] = frozenset()
        if sub is not None:
            with self.db.read() as conn:
                sent = frozenset(digests_store.sent_ids(conn, [sub.id])[sub.id])
        digest = self.select_for(prefs, sent, now)
        period = due_period(prefs, now) or f"d{now.date().isoformat()}"
        manage = self.notices.manage_url(sub) if sub else f"{self.notices.base_url}/subscribe"
        unsubscribe = self.notices.unsubscribe_url(sub) if sub else f"{self.notices.base_url}/subscribe"
        return self.notices.render_digest_html(digest, period, manage, unsubscribe)


def compose_in_processes(run_shard: Callable[[int, int], RunReport], processes: int) -> RunReport:
    """Run ``run_shard(k, processes)`` for every shard k in its own process and add up the reports.

    ``run_shard`` must be picklable (a module-level function or a partial of one) and build
    its own services in the child: engines and threads do not cross a process boundary.
    Safe because composing is idempotent per (subscription, period): shards never overlap,
    and even overlapping runs would only find the digests already composed.
    """
    if processes <= 1:
        return run_shard(0, 1)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    total = RunReport()
    ctx = multiprocessing.get_context("spawn")  # no engine or thread state inherited from this process
    with ProcessPoolExecutor(processes, mp_context=ctx) as pool:
        for r in pool.map(run_shard, range(processes), [processes] * processes):
            for name in ("considered", "due", "composed", "already", "earlier_today", "empty", "expired_unconfirmed"):
                setattr(total, name, getattr(total, name) + getattr(r, name))
            total.archived = total.archived or r.archived
    return total
