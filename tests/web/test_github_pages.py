"""The GitHub signal on pages: the repo badge, the has-code filter and trending by star growth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from papertide.storage import github as github_store
from tests.factories import add_papers, app_for, make_paper

DAY = date(2026, 6, 3)


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="title" dir="auto"><a href="/papers/([^"]+)">', html)


def badges(html: str) -> list[tuple[str, str]]:
    """(repo, stars label) of every repo badge on the page; '' when no stars are known."""
    found = re.findall(r'<a class="repo-badge" href="https://github.com/([^"]+)".*?</a>', html, re.S)
    out = []
    for repo in found:
        m = re.search(rf'href="https://github.com/{re.escape(repo)}".*?<span class="repo-name">[^<]*</span>'
                      r'(?:<span class="repo-stars"[^>]*><span aria-hidden="true">★</span> ([^<]+)<)?', html, re.S)
        out.append((repo, m.group(1) if m and m.group(1) else ""))
    return out


@pytest.fixture
def client(settings, db) -> Iterator[TestClient]:
    # Lexical search only: the has-code filter is SQL and needs no embedding model.
    with TestClient(app_for(settings.model_copy(update={"search_embedder": "null"}), db)) as c:
        yield c


@pytest.fixture
def corpus(db):
    add_papers(
        db,
        (make_paper("2606.00001", upvotes_baseline=30, title="Diffusion with code",
                    github_repo="https://github.com/lab/diffusion"), DAY),
        (make_paper("2606.00002", upvotes_baseline=20, title="Diffusion without code"), DAY),
        (make_paper("2606.00003", upvotes_baseline=10, title="Agents with code", github_repo="https://github.com/lab/agents"),
         DAY),
        (make_paper("2606.00004", upvotes_baseline=5, title="Unfetched repo", github_repo="https://github.com/lab/later"),
         DAY),
    )
    now = datetime.now(UTC)
    with db.write() as conn:
        github_store.record_fetched(conn, "lab/diffusion", 1000, 'W/"a"', None, now - timedelta(days=20))
        github_store.record_fetched(conn, "lab/diffusion", 1234, 'W/"b"', None, now - timedelta(hours=2))  # +234
        github_store.record_fetched(conn, "lab/agents", 80, 'W/"c"', None, now - timedelta(days=3))
        github_store.record_fetched(conn, "lab/agents", 580, 'W/"d"', None, now - timedelta(hours=1))  # +500


def test_cards_show_the_repo_and_its_stars(client, corpus):
    html = client.get("/").text
    assert titles(html) == ["2606.00001", "2606.00002", "2606.00003", "2606.00004"]
    assert badges(html) == [("lab/diffusion", "1.2k"), ("lab/agents", "580"), ("lab/later", "")]
    assert 'title="1,234 stars"' in html


def test_the_paper_page_shows_the_badge(client, corpus):
    html = client.get("/papers/2606.00003").text
    assert badges(html) == [("lab/agents", "580")]
    assert badges(client.get("/papers/2606.00002").text) == []


def test_has_code_keeps_only_papers_with_a_repo_on_every_list(client, corpus):
    for url in ("/", "/papers/date/2026-06-03", "/papers/week/2026-W23", "/papers/month/2026-06"):
        html = client.get(url, params={"has_code": "1"}).text
        assert titles(html) == ["2606.00001", "2606.00003", "2606.00004"], url
        assert "3 papers" in html and "show all papers" in html
    assert "Only papers with code" in client.get("/").text


OFF_GITHUB = {
    "2606.00011": "https://gitlab.com/lab/gitlab-model",
    "2606.00012": "https://huggingface.co/spaces/lab/demo",
    "2606.00013": "https://codeberg.org/lab/model",
    "2606.00014": "https://bitbucket.org/lab/model",
}


def code_links(html: str) -> list[str]:
    """The address of every plain code link (a repository off GitHub) on the page."""
    return re.findall(r'<a class="repo-badge code-link" href="([^"]+)"', html)


def test_a_repo_off_github_counts_as_code_and_shows_a_code_link(client, corpus, db):
    add_papers(db, *[(make_paper(aid, upvotes_baseline=1, github_repo=url), DAY) for aid, url in OFF_GITHUB.items()])
    html = client.get("/", params={"has_code": "1"}).text
    assert set(titles(html)) == {"2606.00001", "2606.00003", "2606.00004", *OFF_GITHUB}
    # Every paper the filter keeps shows where its code is: GitHub with stars, the others a plain link.
    assert badges(html) == [("lab/diffusion", "1.2k"), ("lab/agents", "580"), ("lab/later", "")]
    assert sorted(code_links(html)) == sorted(OFF_GITHUB.values())
    page = client.get("/papers/2606.00011").text
    assert code_links(page) == ["https://gitlab.com/lab/gitlab-model"] and badges(page) == []
    assert re.search(r'<a class="repo-badge code-link" href="https://gitlab.com/lab/gitlab-model" rel="nofollow noopener">'
                     r'.*?code.*?gitlab\.com.*?</a>', page, re.S)
    assert code_links(client.get("/papers/2606.00001").text) == []  # GitHub: the badge alone, as before


def test_has_code_pages_keep_the_filter(client, corpus, settings, db):
    small = settings.model_copy(update={"page_size": 2, "search_embedder": "null"})
    with TestClient(app_for(small, db)) as c:
        first = c.get("/", params={"has_code": "1"}).text
        assert titles(first) == ["2606.00001", "2606.00003"]
        assert 'href="?p=1&amp;has_code=1"' in first
        assert titles(c.get("/", params={"has_code": "1", "p": "1"}).text) == ["2606.00004"]


def test_other_days_views_and_the_date_picker_keep_the_filter(client, corpus, db):
    # Next/previous, Day/Week/Month and "Go to day" went back to every paper.
    add_papers(db, (make_paper("2606.00010", title="Yesterday with code", github_repo="https://github.com/lab/y"),
                    DAY - timedelta(days=1)),
               (make_paper("2606.00011", title="Yesterday without code"), DAY - timedelta(days=1)))
    html = client.get("/papers/date/2026-06-03", params={"has_code": "1"}).text
    for href in ('/papers/date/2026-06-02?has_code=1', '/papers/week/2026-W23?has_code=1',
                 '/papers/month/2026-06?has_code=1', '/papers/date/2026-06-03?has_code=1'):
        assert f'href="{href}"' in html, href
    assert '<input type="hidden" name="has_code" value="1">' in html
    r = client.get("/papers/date", params={"date": "2026-06-02", "has_code": "1"}, follow_redirects=False)
    assert r.headers["location"] == "/papers/date/2026-06-02?has_code=1"
    assert 'href="/papers/date/2026-06-02"' in client.get("/papers/date/2026-06-03").text
    # The day before, shown under a sparse day, is filtered the same way.
    home = client.get("/", params={"has_code": "1"}).text
    assert "2606.00010" in home and "2606.00011" not in home
    assert titles(client.get("/papers", params={"has_code": "1"}).text) == titles(home)


def test_search_has_a_has_code_filter(client, corpus):
    both = client.get("/search", params={"q": "diffusion"}).text
    assert sorted(re.findall(r'<a href="/papers/(2606\.\d+)">', both)) == ["2606.00001", "2606.00002"]
    only = client.get("/search", params={"q": "diffusion", "has_code": "1"}).text
    assert re.findall(r'<a href="/papers/(2606\.\d+)">', only) == ["2606.00001"]
    assert 'name="has_code" value="1" checked' in only
    # Each hit shows where its code is, as the cards do.
    assert badges(only) == [("lab/diffusion", "1.2k")]
    browse = client.get("/search", params={"has_code": "1", "sort": "upvotes"}).text
    assert re.findall(r'<a href="/papers/(2606\.\d+)">', browse) == ["2606.00001", "2606.00003", "2606.00004"]


def test_a_typed_flag_reads_the_same_on_the_list_and_in_search(client, corpus):
    # Shared addresses carry ?has_code=TRUE or =yes as often as the checkbox's 1; both pages read them alike.
    for value in ("TRUE", "yes", "On"):
        assert titles(client.get("/", params={"has_code": value}).text) == ["2606.00001", "2606.00003", "2606.00004"]
        only = client.get("/search", params={"q": "diffusion", "has_code": value}).text
        assert re.findall(r'<a href="/papers/(2606\.\d+)">', only) == ["2606.00001"], value
    for value in ("0", "off", "no"):
        assert len(titles(client.get("/", params={"has_code": value}).text)) == 4, value


def test_trending_by_github_ranks_by_stars_gained_this_week(client, corpus):
    html = client.get("/trending", params={"by": "github"}).text
    # lab/agents gained 500 in the window (first seen 3 days ago at 80); lab/diffusion 234.
    assert titles(html) == ["2606.00003", "2606.00001"]
    assert re.findall(r'<p class="star-growth">\+([\d,]+) ', html) == ["500", "234"]
    assert 'href="/trending?by=github" aria-current="page"' in html
    upvotes = client.get("/trending").text
    assert 'href="/trending" aria-current="page"' in upvotes


def test_a_repo_github_says_is_gone_leaves_trending_by_stars(client, corpus, db):
    # It ranked on the stars it gained before, beside a badge that shows none.
    with db.write() as conn:
        github_store.record_failed(conn, "lab/agents", datetime.now(UTC), missing=True)
    assert titles(client.get("/trending", params={"by": "github"}).text) == ["2606.00001"]


def test_trending_by_github_without_snapshots_says_why(client, db):
    add_papers(db, (make_paper("2606.00009", github_repo="https://github.com/x/y"), DAY))
    html = client.get("/trending", params={"by": "github"}).text
    assert "No star growth recorded yet" in html
