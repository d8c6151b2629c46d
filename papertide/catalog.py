"""Read services over papers: daily lists, trending, paper pages, stats.

Web routes and CLI commands both call these; they never build SQL themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from papertide.domain.github import rank_star_growth
from papertide.domain.papers import PaperEntry
from papertide.domain.periods import Period, day_period, month_period, week_period_of
from papertide.domain.stats import STATS_CATEGORIES, STATS_WEEKS, CategoryWeeks, category_weeks, weeks_up_to
from papertide.domain.trending import ScoredPaper, data_now, rank_trending, window_days_range
from papertide.domain.votes import UpvoteHistory, upvote_history
from papertide.storage import github as github_store
from papertide.storage import listings as listings_store
from papertide.storage import papers as papers_store
from papertide.storage import stats as stats_store
from papertide.storage import votes as votes_store
from papertide.storage.db import Database

# A day with fewer papers than this is "so far": the home page also shows the day before, so a
# curator listing one paper this morning does not turn / into a one-paper page.
SPARSE_DAY_PAPERS = 10
# Fewer trending candidates than this, all from one day after a gap: the window reaches back to
# the previous listing days as well (one fresh listing must not leave /trending with one paper).
SPARSE_TRENDING_PAPERS = 10

@dataclass(frozen=True, slots=True)
class PeriodPage:
    period: Period
    entries: list[PaperEntry]
    total: int
    page: int
    page_size: int
    previous: Period | None  # nearest earlier period that has papers
    next: Period | None
    has_code: bool = False  # only papers naming a code repository (?has_code=1)

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * self.page_size < self.total


@dataclass(frozen=True, slots=True)
class TrendingPage:
    entries: list[tuple[PaperEntry, ScoredPaper]]
    as_of: datetime
    window_first: date
    window_last: date
    gravity: float
    window_days: int


@dataclass(frozen=True, slots=True)
class StarTrendingPage:
    """Papers ranked by the GitHub stars their repo gained since ``since`` (``/trending?by=github``)."""

    entries: list[tuple[PaperEntry, ScoredPaper]]
    as_of: datetime
    since: datetime
    days: int


@dataclass(frozen=True, slots=True)
class Stats:
    papers: int
    listings: int
    first_listing: date | None
    last_listing: date | None
    first_published: date | None
    last_published: date | None
    top_categories: list[tuple[str, int]]


class Catalog:
    """Queries behind the public pages."""

    def __init__(self, db: Database, gravity: float, window_days: int, page_size: int, github_days: int = 7) -> None:
        self.db = db
        self.gravity = gravity
        self.window_days = window_days
        self.page_size = page_size
        self.github_days = github_days

    def latest_day(self) -> Period | None:
        with self.db.read() as conn:
            latest = listings_store.latest_listing_date(conn)
        return day_period(latest) if latest else None

    def period(self, period: Period, page: int = 0, page_size: int | None = None, has_code: bool = False) -> PeriodPage:
        size = page_size or self.page_size
        with self.db.read() as conn:
            entries = listings_store.list_period(conn, period.first, period.last, size, page * size, has_code=has_code)
            entries = github_store.with_repo_stars(conn, entries)
            total = listings_store.count_period(conn, period.first, period.last, has_code=has_code)
            prev_day, next_day = listings_store.adjacent_listing_dates(conn, period.first, period.last)
        prev = _period_like(period, prev_day)
        nxt = _period_like(period, next_day)
        return PeriodPage(period, entries, total, page, size, prev, nxt, has_code)

    def earlier_day(self, shown: PeriodPage) -> PeriodPage | None:
        """The previous listing day, to show beneath a day that has only a few papers so far."""
        if shown.period.kind != "day" or shown.page > 0 or shown.total >= SPARSE_DAY_PAPERS or shown.previous is None:
            return None
        return self.period(shown.previous, has_code=shown.has_code)

    def trending_as_of(self, now: datetime | None = None) -> datetime:
        """The reference time for trending (domain.trending.data_now): an archive that stopped
        being fed shows its last week rather than an empty page."""
        with self.db.read() as conn:
            return data_now(now or datetime.now(UTC), listings_store.latest_listing_date(conn))

    def trending(
        self,
        limit: int = 50,
        now: datetime | None = None,
        gravity: float | None = None,
        window_days: int | None = None,
    ) -> TrendingPage:
        g = self.gravity if gravity is None else gravity
        w = self.window_days if window_days is None else window_days
        as_of = self.trending_as_of(now)
        first, last = window_days_range(as_of, w)
        with self.db.read() as conn:
            candidates = listings_store.trending_candidates(conn, first, last)
            if len(candidates) < SPARSE_TRENDING_PAPERS and len({c.listed_on for c in candidates}) == 1:
                # A few papers listed today after a gap (an archive instance that a curator
                # started to feed): stretch the window back over the previous listing days' own
                # window instead of ranking just those; older papers still decay by age.
                before, _ = listings_store.adjacent_listing_dates(conn, first, last)
                if before is not None:
                    first = before - timedelta(days=w - 1)
                    w = (last - first).days + 1
                    candidates = listings_store.trending_candidates(conn, first, last)
            ranked = rank_trending(candidates, as_of, g, w)[:limit]
            by_id = papers_store.entries_by_id(conn, [s.arxiv_id for s in ranked])
            listed = {c.arxiv_id: c.listed_on for c in candidates}
            shown = github_store.with_repo_stars(
                conn, [_with_listing(by_id[s.arxiv_id], listed[s.arxiv_id]) for s in ranked if s.arxiv_id in by_id]
            )
        scores = {s.arxiv_id: s for s in ranked}
        return TrendingPage([(e, scores[e.paper.arxiv_id]) for e in shown], as_of, first, last, g, w)

    def star_trending(self, limit: int = 50, now: datetime | None = None, days: int | None = None) -> StarTrendingPage:
        """Papers whose repo gained the most GitHub stars in the last ``days`` (``domain.github``)."""
        as_of = now or datetime.now(UTC)
        d = self.github_days if days is None else days
        since = as_of - timedelta(days=d)
        with self.db.read() as conn:
            histories = github_store.star_histories(conn, since)
            ranked = rank_star_growth(github_store.papers_of_repos(conn, histories), histories, since)[:limit]
            by_id = papers_store.entries_by_id(conn, [s.arxiv_id for s in ranked])
            shown = github_store.with_repo_stars(conn, [by_id[s.arxiv_id] for s in ranked if s.arxiv_id in by_id])
        scores = {s.arxiv_id: s for s in ranked}
        return StarTrendingPage([(e, scores[e.paper.arxiv_id]) for e in shown], as_of, since, d)

    def paper(self, arxiv_id: str) -> PaperEntry | None:
        with self.db.read() as conn:
            entry = papers_store.get_paper(conn, arxiv_id)
            return github_store.with_repo_stars(conn, [entry])[0] if entry else None

    def paper_count(self) -> int:
        with self.db.read() as conn:
            return papers_store.count_papers(conn)

    def stats(self) -> Stats:
        with self.db.read() as conn:
            first_l, last_l = listings_store.listing_date_range(conn)
            first_p, last_p = papers_store.published_range(conn)
            return Stats(
                papers=papers_store.count_papers(conn),
                listings=listings_store.count_listings(conn),
                first_listing=first_l,
                last_listing=last_l,
                first_published=first_p,
                last_published=last_p,
                top_categories=papers_store.top_categories(conn),
            )

    def upvote_history(self, entry: PaperEntry, now: datetime | None = None) -> UpvoteHistory:
        """The paper's upvotes from its imported count (on its first listing or publication day) to now."""
        today = (now or datetime.now(UTC)).date()
        with self.db.read() as conn:
            times = votes_store.vote_times(conn, entry.paper.arxiv_id)
        start = entry.listed_on or entry.paper.published
        return upvote_history(entry.paper.upvotes_baseline, start, times, today)

    def category_weeks(
        self, now: datetime | None = None, weeks: int = STATS_WEEKS, top: int = STATS_CATEGORIES
    ) -> CategoryWeeks:
        """Papers per week of the busiest primary categories, over the ``weeks`` weeks up to the
        newest publication day (an archive that stopped being fed still shows its last weeks)."""
        today = (now or datetime.now(UTC)).date()
        with self.db.read() as conn:
            latest = stats_store.latest_published(conn, today)
            if latest is None:
                return CategoryWeeks((), (), ())
            span = weeks_up_to(latest, weeks)
            rows = stats_store.category_day_counts(conn, span[0], span[-1] + timedelta(days=6))
        return category_weeks(rows, span, top)


def _with_listing(entry: PaperEntry, listed_on: date) -> PaperEntry:
    return PaperEntry(entry.paper, entry.upvotes, entry.num_comments, listed_on, entry.submitter_name)


def _period_like(period: Period, day: date | None) -> Period | None:
    """The period of the same kind as ``period`` that contains ``day``."""
    if day is None:
        return None
    if period.kind == "day":
        return day_period(day)
    if period.kind == "week":
        return week_period_of(day)
    return month_period(day.year, day.month)
