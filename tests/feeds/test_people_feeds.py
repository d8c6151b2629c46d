"""Weekly, monthly and author feeds: they parse with feedparser and carry every author in the
one element readers show; bad periods and unknown authors are errors."""

from __future__ import annotations

from datetime import date

import feedparser
import pytest

from tests.factories import add_papers, make_paper

BASE = "http://127.0.0.1:8000"
MANY = tuple(f"Author {i}" for i in range(12))


@pytest.fixture
def corpus(db):
    add_papers(
        db,
        (make_paper("2606.00001", upvotes_baseline=3, authors=("Émilie du Châtelet", *MANY)), date(2026, 6, 1)),
        (make_paper("2606.00002", upvotes_baseline=30, authors=("E\u0301MILIE DU CHÂTELET",)), date(2026, 6, 3)),
        (make_paper("2606.00003", upvotes_baseline=10), date(2026, 6, 9)),  # the next week
        (make_paper("2605.00009", upvotes_baseline=90, published=date(2026, 5, 2)), date(2026, 5, 15)),
    )


def parse(client, url: str):  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200, r.text
    feed = feedparser.parse(r.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_weekly_and_monthly_feeds_list_the_periods_most_upvoted_papers(client, corpus, fmt):
    week = parse(client, f"/feeds/weekly.{fmt}?week=2026-W23")
    assert week.feed.title == "papertide: Papers of week 2026-W23"
    assert week.feed.link == f"{BASE}/papers/week/2026-W23"
    assert [e.id for e in week.entries] == [f"{BASE}/papers/2606.00002", f"{BASE}/papers/2606.00001"]
    latest_week = parse(client, f"/feeds/weekly.{fmt}")  # default: the week of the latest listing day
    assert [e.id for e in latest_week.entries] == [f"{BASE}/papers/2606.00003"]
    month = parse(client, f"/feeds/monthly.{fmt}?month=2026-05")
    assert month.feed.link == f"{BASE}/papers/month/2026-05"
    assert [e.id for e in month.entries] == [f"{BASE}/papers/2605.00009"]
    june = parse(client, f"/feeds/monthly.{fmt}")
    assert [e.id for e in june.entries] == [f"{BASE}/papers/2606.0000{i}" for i in (2, 3, 1)]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feeds_carry_all_authors_in_one_element(client, corpus, fmt):
    entry = next(e for e in parse(client, f"/feeds/weekly.{fmt}?week=2026-W23").entries if e.id.endswith("00001"))
    assert entry.author == ", ".join(("Émilie du Châtelet", *MANY))  # what readers show: all 13 names
    assert len(entry.authors) == 1


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_author_feed_follows_the_author_in_any_spelling(client, corpus, fmt):
    feed = parse(client, f"/feeds/author/émilie du châtelet.{fmt}")
    # Both published the same day: the one stored later first.
    assert [e.id for e in feed.entries] == [f"{BASE}/papers/2606.00002", f"{BASE}/papers/2606.00001"]
    assert feed.feed.title == "papertide: Papers by Émilie du Châtelet"
    assert feed.feed.link == f"{BASE}/authors/%C3%89milie%20du%20Ch%C3%A2telet"
    dotted = parse(client, f"/feeds/author/Author 1.{fmt}")  # a name with a space and digits
    assert [e.id for e in dotted.entries] == [f"{BASE}/papers/2606.00001"]


def test_period_and_author_feed_errors(client, corpus):
    assert client.get("/feeds/weekly.rss?week=2026-W99").status_code == 422
    assert client.get("/feeds/monthly.atom?month=2026-13").status_code == 422
    assert client.get("/feeds/weekly.json").status_code == 404
    assert client.get("/feeds/author/Nobody Here.rss").status_code == 404
    assert client.get("/feeds/author/Author 1.json").status_code == 404


def test_empty_instance_period_feeds_are_valid(client):
    for url in ("/feeds/weekly.rss", "/feeds/monthly.atom"):
        assert parse(client, url).entries == []
