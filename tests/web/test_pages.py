"""Pages through the real app, on SQLite and PostgreSQL."""

import re
from datetime import date

import pytest

from tests.factories import add_papers, make_paper


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="title" dir="auto"><a href="/papers/([^"]+)">', html)


@pytest.fixture
def corpus(db):
    add_papers(
        db,
        (make_paper("2606.00001", upvotes_baseline=3, title="Small gains"), date(2026, 6, 1)),
        (make_paper("2606.00002", upvotes_baseline=30, title="Big gains"), date(2026, 6, 1)),
        (make_paper("2606.00003", upvotes_baseline=10, title="Medium gains"), date(2026, 6, 3)),
        (make_paper("2605.00009", upvotes_baseline=90, title="Last month"), date(2026, 5, 15)),
        (make_paper("hep-th/9901001", title="Old style", published=date(1999, 1, 4)), None),
    )


def test_home_shows_the_latest_day(client, corpus):
    r = client.get("/")
    assert r.status_code == 200
    # The latest day's list; a day with only a few papers so far has the previous day beneath it.
    latest, _, earlier = r.text.partition('class="earlier-day"')
    assert titles(latest) == ["2606.00003"]
    assert titles(earlier) == ["2606.00002", "2606.00001"] and "1 paper so far" in latest
    assert "Wed, 03 Jun 2026" in r.text
    assert 'rel="prev" href="/papers/date/2026-06-01"' in r.text
    assert 'rel="next"' not in r.text


def test_day_week_month_lists(client, corpus):
    assert titles(client.get("/papers/date/2026-06-01").text) == ["2606.00002", "2606.00001"]
    assert titles(client.get("/papers/week/2026-W23").text) == ["2606.00002", "2606.00003", "2606.00001"]
    assert titles(client.get("/papers/month/2026-05").text) == ["2605.00009"]
    month = client.get("/papers/month/2026-06").text
    assert titles(month) == ["2606.00002", "2606.00003", "2606.00001"]
    assert 'href="/papers/month/2026-05"' in month


def test_empty_periods_are_friendly(client, corpus):
    for url in ("/papers/date/2026-06-02", "/papers/date/1990-01-01", "/papers/week/2030-W01", "/papers/month/2031-12"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "No papers listed" in r.text


@pytest.mark.parametrize("url", ["/papers/date/2026-02-30", "/papers/week/2026-W99", "/papers/month/2026-13"])
def test_malformed_periods_give_a_404_page_with_the_reason(client, corpus, url):
    r = client.get(url)
    assert r.status_code == 404
    assert "No such period" in r.text


def test_empty_database_home_page(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "No papers yet" in r.text


def test_trending_ranks_by_decayed_votes_and_explains_itself(client, corpus):
    r = client.get("/trending")
    assert r.status_code == 200
    # as of the end of 2026-06-03: 30 / (48+24+2)^1.5 < 10 / (24+2)^1.5 ; May is outside the 7-day window
    assert titles(r.text) == ["2606.00003", "2606.00002", "2606.00001"]
    assert "score = upvotes / (age_hours + 2) ^ gravity" in r.text
    assert "about-trending" in r.text


def test_paper_page_shows_everything(client, db):
    p = make_paper(
        "2606.00002",
        authors=tuple(f"Author {i}" for i in range(12)),
        categories=("cs.CL", "cs.AI"),
        github_repo="https://github.com/example/big",
        upvotes_baseline=30,
    )
    add_papers(db, (p, date(2026, 6, 1)), (p, date(2026, 6, 2)))
    html = client.get("/papers/2606.00002").text
    assert "Author 0" in html and "Author 11" in html
    assert p.abstract in html
    assert "https://arxiv.org/abs/2606.00002" in html and "https://arxiv.org/pdf/2606.00002" in html
    assert "https://github.com/example/big" in html
    assert '<a class="cat primary" href="/categories/cs.CL" title="Computation and Language">cs.CL</a>' in html
    assert "2026-06-01</a>, <a" in html and "2026-06-02" in html
    assert 'aria-label="30 upvotes; sign in to upvote"' in html


def test_paper_urls_with_version_or_old_style(client, corpus):
    r = client.get("/papers/2606.00002v3", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/papers/2606.00002"
    assert client.get("/papers/2606.00002v3").status_code == 200
    r = client.get("/papers/hep-th/9901001")
    assert r.status_code == 200 and "Old style" in r.text
    # Other spellings of an id served the page under a second address; they go to the one address.
    for spelt, canonical in (("arXiv:2606.00002", "/papers/2606.00002"), ("2606.00002/", "/papers/2606.00002"),
                             ("hep-th.AB/9901001", "/papers/hep-th/9901001")):
        r = client.get(f"/papers/{spelt}", follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (301, canonical), spelt
    # Pasted after /papers/: arXiv's DOI and other sites' addresses of the paper reach it too (they were 404s).
    for spelt, canonical in (("10.48550/arXiv.2606.00002", "/papers/2606.00002"),
                             ("https://www.alphaxiv.org/abs/2606.00002", "/papers/2606.00002"),
                             ("https://doi.org/10.48550/arXiv.hep-th/9901001", "/papers/hep-th/9901001"),
                             # A link that took a sentence's full stop along, as mail clients make them.
                             ("2606.00002.", "/papers/2606.00002"), ("hep-th/9901001).", "/papers/hep-th/9901001")):
        r = client.get(f"/papers/{spelt}", follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (301, canonical), spelt
    r = client.get("/papers/arXiv:2606.00002?x=1", follow_redirects=False)
    assert r.headers["location"] == "/papers/2606.00002?x=1"


@pytest.mark.parametrize("url", ["/papers/2606.99999", "/papers/not-an-id", "/papers/hep-th/9901999", "/nowhere"])
def test_unknown_pages_are_404_pages_offering_search(client, corpus, url):
    r = client.get(url)
    assert r.status_code == 404
    assert 'action="/search"' in r.text
    assert "Page not found" in r.text


def test_a_paper_we_do_not_hold_offers_arxiv_and_a_fetch(client, corpus):
    html = client.get("/papers/2606.99999v2").text  # a version too: the offer names the paper
    assert '<a href="https://arxiv.org/abs/2606.99999" rel="noopener">Read 2606.99999 on arXiv</a>' in html
    assert '<a href="/submit?paper=2606.99999">Fetch it from arXiv</a>' in html
    assert 'href="/submit?paper=hep-th%2F9901999"' in client.get("/papers/hep-th/9901999").text
    for url in ("/papers/not-an-id", "/nowhere"):
        assert "Fetch it from arXiv" not in client.get(url).text


def test_titles_and_abstracts_are_escaped(client, db):
    evil = make_paper(
        "2606.00666",
        title='<script>alert("x")</script> & <b>bold</b>',
        abstract="a < b && c > d <img src=x onerror=alert(1)>",
        authors=("<i>Mallory</i>",),
    )
    add_papers(db, (evil, date(2026, 6, 1)))
    for url in ("/", "/papers/2606.00666", "/trending"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<i>Mallory" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_paging_through_a_long_day(client, db, settings):
    day = date(2026, 6, 1)
    add_papers(db, *[(make_paper(f"2606.{i:05d}", upvotes_baseline=i), day) for i in range(1, 61)])
    first = client.get("/papers/date/2026-06-01")
    assert len(titles(first.text)) == 50 and "60 papers" in first.text and "?p=1" in first.text
    second = client.get("/papers/date/2026-06-01?p=1")
    assert titles(second.text) == [f"2606.{i:05d}" for i in range(10, 0, -1)]
    assert client.get("/papers/date/2026-06-01?p=-1").status_code == 422


def test_about_page_and_health(client, corpus):
    assert "5" in client.get("/about").text
    assert client.get("/healthz").text == "ok"
    assert client.get("/static/style.css").status_code == 200


def test_comment_counts_add_visible_comments_to_the_imported_count(client, db):
    from tests.community.conftest import post, sign_in

    add_papers(db, (make_paper("2606.00001", num_comments_baseline=2), date(2026, 6, 1)))
    sign_in(client, "reader@example.org")
    assert post(client, "/comments", {"arxiv_id": "2606.00001", "body": "Nice"}).status_code == 303
    assert "3 comments" in client.get("/papers/date/2026-06-01").text
    assert "<dt>Comments</dt><dd>3</dd>" in client.get("/papers/2606.00001").text
    assert "3 comments" in client.get("/trending").text


def test_a_paper_with_one_upvote_is_read_out_as_one_upvote(client, db):
    # A screen reader read the vote button of a paper with one vote as "1 upvotes".
    add_papers(db, (make_paper("2606.00003", upvotes_baseline=1), date(2026, 6, 1)))
    html = client.get("/papers/2606.00003").text
    assert 'aria-label="1 upvote; sign in to upvote"' in html
