"""One paper listed today must not collapse / and /trending to that one paper (both databases)."""

import re
from datetime import UTC, date, datetime

import pytest

from papertide.catalog import SPARSE_DAY_PAPERS
from tests.factories import add_papers, make_paper

ARCHIVE_DAY = date(2026, 6, 4)
TODAY = date(2026, 11, 30)


def ids(html: str) -> list[str]:
    return re.findall(r'<h3 class="title" dir="auto"><a href="/papers/([^"]+)">', html)


@pytest.fixture
def archive(db):  # type: ignore[no-untyped-def]
    """An archive whose last day is full, then a curator lists one paper months later."""
    add_papers(db, *[(make_paper(f"2606.{n:05d}", upvotes_baseline=n), ARCHIVE_DAY) for n in range(1, 13)])
    add_papers(db, (make_paper("2605.00001", upvotes_baseline=50), date(2026, 6, 2)))
    return db


def test_home_shows_today_so_far_with_the_previous_day_beneath(client, archive):
    add_papers(archive, (make_paper("2611.00001", title="Fresh today"), TODAY))
    html = client.get("/").text
    assert "1 paper so far" in html
    assert 'id="earlier-heading">Earlier: Thu, 04 Jun 2026' in html
    # Today's paper first, then the previous listing day, most upvoted first.
    assert ids(html) == ["2611.00001", *[f"2606.{n:05d}" for n in range(12, 0, -1)]]
    # The day's own page stays just that day.
    assert ids(client.get(f"/papers/date/{TODAY}").text) == ["2611.00001"]


def test_a_full_day_shows_no_earlier_day(client, archive):
    assert SPARSE_DAY_PAPERS <= 12
    html = client.get("/").text
    assert "earlier-heading" not in html and "so far" not in html
    assert len(ids(html)) == 12


def test_trending_reaches_back_past_the_gap_instead_of_showing_one_paper(app, archive):
    add_papers(archive, (make_paper("2611.00001", title="Fresh today", upvotes_baseline=1), TODAY))
    catalog = app.state.services.catalog
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    result = catalog.trending(now=now)
    ranked = [e.paper.arxiv_id for e, _ in result.entries]
    # Fresh and upvoted beats months-old papers; the archive's last window competes too.
    assert ranked[0] == "2611.00001"
    assert set(ranked) == {"2611.00001", "2605.00001", *[f"2606.{n:05d}" for n in range(1, 13)]}
    assert (result.window_first, result.window_last) == (date(2026, 5, 29), TODAY)


def test_trending_window_is_unchanged_when_recent_days_have_papers(app, archive):
    catalog = app.state.services.catalog
    result = catalog.trending(now=datetime(2026, 6, 4, 23, tzinfo=UTC))
    assert (result.window_first, result.window_last) == (date(2026, 5, 29), ARCHIVE_DAY)
    assert len(result.entries) == 13
