"""One trending order everywhere: the /trending page, /api/v1/trending and a week sorted by trending."""

import re
from datetime import date

import pytest

from tests.factories import add_papers, make_paper


def page_ids(html: str) -> list[str]:
    return re.findall(r'<h3 class="title" dir="auto"><a href="/papers/([^"]+)">', html)


@pytest.fixture
def week(db):
    # Listed across ISO week 2026-W23 (Mon 1 – Sun 7 June), the last listing on the Sunday,
    # so the 7-day trending window and the week hold the same days and are scored as of
    # 2026-06-08 00:00 UTC. Raw upvotes, age, and each tie-break decide some pair.
    add_papers(
        db,
        (make_paper("2606.00001", upvotes_baseline=40), date(2026, 6, 1)),  # 40 / 170^1.5 = 0.0180
        (make_paper("2606.00003", upvotes_baseline=12), date(2026, 6, 6)),  # 12 / 50^1.5 = 0.0339
        (make_paper("2606.00002", upvotes_baseline=12), date(2026, 6, 6)),  # same score and day: id decides
        (make_paper("2606.00004", upvotes_baseline=5), date(2026, 6, 7)),  # 5 / 26^1.5 = 0.0377
        (make_paper("2606.00006", upvotes_baseline=0), date(2026, 6, 3)),  # 0, like 00005: newer listing first
        (make_paper("2606.00005", upvotes_baseline=0), date(2026, 6, 7)),
    )


def test_trending_page_and_api_rank_the_same_papers_in_the_same_order(client, week):
    expected = ["2606.00004", "2606.00002", "2606.00003", "2606.00001", "2606.00005", "2606.00006"]
    page = page_ids(client.get("/trending").text)
    api = [i["arxiv_id"] for i in client.get("/api/v1/trending").json()["items"]]
    week_by_trending = [i["arxiv_id"] for i in client.get("/api/v1/weeks/2026-W23?sort=trending").json()["items"]]
    hf_week = [i["paper"]["id"] for i in client.get("/api/daily_papers?week=2026-W23&sort=trending").json()]
    assert (page, api, week_by_trending, hf_week) == (expected, expected, expected, expected)


def test_api_trending_pages_continue_the_page_order(client, week):
    first = client.get("/api/v1/trending?limit=4").json()
    rest = client.get(f"/api/v1/trending?limit=4&cursor={first['next_cursor']}").json()
    week_first = client.get("/api/v1/weeks/2026-W23?sort=trending&limit=4").json()
    week_rest = client.get(f"/api/v1/weeks/2026-W23?sort=trending&limit=4&cursor={week_first['next_cursor']}").json()
    ranked = page_ids(client.get("/trending").text)
    assert [i["arxiv_id"] for i in first["items"] + rest["items"]] == ranked
    assert [i["arxiv_id"] for i in week_first["items"] + week_rest["items"]] == ranked
