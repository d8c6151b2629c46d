"""What the For-you surfaces show, loaded before they render: /for-you, the private Atom feed and
the curators' "Suggested for today". Templates and feed builders only read these objects.

Recommendations come as row ids with scores and reasons; here they become the cards every list
shows (:class:`~papertide.domain.papers.PaperEntry`, with repo stars), in the ranked order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from papertide.domain.accounts import User
from papertide.domain.papers import PaperEntry
from papertide.domain.rec_windows import Window, wider_window, window_ending
from papertide.recs.personal import PersonalRecommendations
from papertide.recs.ranking import Recommendation
from papertide.storage import github as github_store
from papertide.storage import papers as papers_store
from papertide.storage import recs as recs_store
from papertide.storage import submissions as submissions_store
from papertide.storage.db import Database

FOR_YOU_LIMIT = 50  # papers on /for-you
FEED_DAYS = 7  # the private feed: the last week's new papers
FEED_LIMIT = 50
REASONS_SHOWN = 2  # the "why" line names at most this many reasons


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class RankedCard:
    """A recommended paper as a card, with the reasons the "why" line names."""

    entry: PaperEntry
    rec: Recommendation

    @property
    def why(self) -> Sequence[object]:
        return self.rec.reasons[:REASONS_SHOWN]


@dataclass(frozen=True, slots=True)
class ForYouPage:
    window: Window
    cards: list[RankedCard]
    has_signals: bool
    paused: bool
    trained_at: datetime | None
    wider: Window | None = None  # a wider window to offer when this one is empty
    newest: Window | None = None  # the week up to the newest papers held, when the window is after them
    has_feed: bool = False  # the member has a private feed URL


@dataclass(frozen=True, slots=True)
class SuggestedPage:
    day: date
    cards: list[RankedCard]
    listed_today: int  # papers already on today's list (left out of the suggestions)


class RecPages:
    def __init__(self, db: Database, personal: PersonalRecommendations, today: Callable[[], date] = _today,
                 feed_min_score: float = float("-inf")) -> None:
        self.db, self.personal, self.today = db, personal, today
        self.feed_min_score = feed_min_score

    def _cards(self, recs: Sequence[Recommendation]) -> list[RankedCard]:
        with self.db.read() as conn:
            by_id = papers_store.entries_by_row_id(conn, [r.paper_id for r in recs])
            shown = [r for r in recs if r.paper_id in by_id]
            entries = github_store.with_repo_stars(conn, [by_id[r.paper_id] for r in shown])
        return [RankedCard(e, r) for e, r in zip(entries, shown, strict=True)]

    def newest_day(self, today: date) -> date | None:
        """The newest day papers were published on, up to ``today`` (the "Latest day" window)."""
        with self.db.read() as conn:
            return papers_store.newest_published_by(conn, today)

    def for_you(self, user: User, window: Window) -> ForYouPage:
        """The member's recommendations among papers published in ``window``."""
        found = self.personal.for_user(user.id, window.first, window.last, limit=FOR_YOU_LIMIT)
        cards = self._cards(found.recommendations)
        wider = newest = None
        if found.has_signals and not cards:
            wider = wider_window(window, self.today())
            with self.db.read() as conn:
                _, last_published = papers_store.published_range(conn)
            if last_published is not None and last_published < window.first:
                newest = window_ending(last_published)
        with self.db.read() as conn:
            has_feed = recs_store.profile(conn, user.id).has_feed_token
        return ForYouPage(window, cards, found.has_signals, found.paused, found.trained_at, wider, newest, has_feed)

    def feed(self, user_id: int) -> list[RankedCard]:
        """The private feed's entries: the week's recommendations up to the newest papers held, best
        first, those scoring at least the digest's For-you floor.

        A feed reader counts every entry as news: the whole ranking of the week (50 entries, the
        last of them a q-bio paper for a linguist) is what the floor keeps out of the digest. The
        week ends on the newest day papers were published, as /for-you's does, so an archive no
        longer fed (the demo) still has a feed."""
        today = self.today()
        last = self.newest_day(today) or today
        found = self.personal.for_user(user_id, last - timedelta(days=FEED_DAYS - 1), last, limit=FEED_LIMIT)
        return self._cards([r for r in found.recommendations if r.score >= self.feed_min_score])

    def suggested(self, days: int = 7, limit: int = 50) -> SuggestedPage:
        """Curators' "Suggested for today": the community model's picks not listed on any day yet.

        A paper on an earlier day's list is done with, like one on today's: leaving out only
        today's brought yesterday's picks back to the top of the queue every morning."""
        day = self.today()
        with self.db.read() as conn:
            listed = submissions_store.paper_ids_listed_on(conn, day)
            # Suggestions are papers published in the last ``days`` days: none was listed before that.
            earlier = submissions_store.paper_ids_listed_between(conn, day - timedelta(days=days), day)
        recs = self.personal.suggested_for_today(days=days, limit=limit, exclude=frozenset(listed | earlier))
        return SuggestedPage(day, self._cards(recs), len(listed))
