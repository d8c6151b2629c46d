"""Author and category pages, the links to them, and Hugging Face's URLs, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

import pytest

from tests.factories import add_papers, make_paper

DAY = date(2026, 6, 3)


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="title" dir="auto"><a href="/papers/([^"]+)">', html)


def author_links(html: str) -> list[str]:
    return [unquote(h) for h in re.findall(r'<a class="author" dir="auto" href="/authors/([^"]+)">', html)]


def chip_links(html: str) -> list[str]:
    return re.findall(r'<a class="cat(?: primary)?" href="/categories/([^"]+)"[ >]', html)


@pytest.fixture
def corpus(db):
    add_papers(
        db,
        # Three spellings of one author (composed, decomposed, upper case with odd spaces) …
        (make_paper("2606.00001", title="First", published=date(2026, 6, 1), upvotes_baseline=5,
                    authors=("Émilie du Châtelet", "Ada Lovelace", "Alan Turing"), categories=("cs.LG", "stat.ML")),
         date(2026, 6, 1)),
        (make_paper("2606.00002", title="Second", published=date(2026, 6, 2), upvotes_baseline=50,
                    authors=("Ada Lovelace", "E\u0301milie du Cha\u0302telet"), categories=("cs.CL", "cs.LG")), DAY),
        (make_paper("2606.00003", title="Third", published=date(2026, 6, 3), upvotes_baseline=1,
                    authors=("ÉMILIE  DU\u00a0CHÂTELET", "Grace Hopper"), categories=("cs.CL",)), DAY),
        # … and a different person whose name differs only by accents, and papers by others.
        (make_paper("2606.00004", title="Fourth", published=date(2026, 6, 3),
                    authors=("Emilie du Chatelet", "Ada Lovelace"), categories=("cs.RO",)), DAY),
        (make_paper("2605.00009", title="Old", published=date(2026, 5, 1), authors=("Grace Hopper",),
                    categories=("cs.LG",)), None),
    )


def test_author_page_lists_exactly_that_authors_papers_for_any_spelling(client, corpus):
    for path in ("/authors/Émilie du Châtelet", "/authors/émilie%20du%20châtelet", "/authors/E\u0301MILIE du Châtelet"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert titles(r.text) == ["2606.00003", "2606.00002", "2606.00001"], path  # newest published first
    page = client.get("/authors/ÉMILIE  DU CHÂTELET").text
    assert '<h1 dir="auto">Émilie du Châtelet</h1>' in page  # the composed spelling the most papers use (NFKC)
    assert "3 papers here" in page
    assert titles(client.get("/authors/Emilie du Chatelet").text) == ["2606.00004"]


def test_author_page_lists_co_authors_most_frequent_first_and_links_them(client, corpus):
    html = client.get("/authors/Émilie du Châtelet").text
    block = html.split('<ul class="coauthor-list">')[1].split("</ul>")[0]
    coauthors = re.findall(r'href="/authors/([^"]+)">([^<]+)</a> <span class="shared">(\d+) papers?</span>', block)
    assert [(unquote(h), n, int(c)) for h, n, c in coauthors] == [
        ("Ada Lovelace", "Ada Lovelace", 2), ("Alan Turing", "Alan Turing", 1), ("Grace Hopper", "Grace Hopper", 1),
    ]
    ada = client.get("/authors/Ada Lovelace").text
    assert titles(ada) == ["2606.00004", "2606.00002", "2606.00001"]
    assert 'href="/feeds/author/Ada%20Lovelace.rss"' in ada and 'href="/feeds/author/Ada%20Lovelace.atom"' in ada


def test_author_pages_are_paged(client, corpus):
    browse = client.app.state.services.browse
    first, second = browse.author("Ada Lovelace", 0, page_size=2), browse.author("ada lovelace", 1, page_size=2)
    assert [e.paper.arxiv_id for e in first.papers.entries] == ["2606.00004", "2606.00002"]
    assert first.papers.has_more and first.papers.total == 3
    assert [e.paper.arxiv_id for e in second.papers.entries] == ["2606.00001"] and not second.papers.has_more
    assert second.coauthors == []  # only the first page lists co-authors


def test_a_changed_author_list_moves_the_paper_between_author_pages(client, db, corpus):
    add_papers(db, make_paper("2606.00002", title="Second", version=2, published=date(2026, 6, 2),
                              authors=("Ada Lovelace",), categories=("cs.CL",)))
    assert titles(client.get("/authors/Émilie du Châtelet").text) == ["2606.00003", "2606.00001"]
    assert "2606.00002" in titles(client.get("/authors/Ada Lovelace").text)


def test_unknown_authors_and_categories_are_404_pages(client, corpus):
    for path in ("/authors/Nobody Here", "/authors/" + "x" * 300, "/authors/%20", "/categories/cs.XX",
                 "/categories/<script>", "/categories/" + "a" * 40):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "text/html" in r.headers["content-type"] and "<script>" not in r.text.split("<main", 1)[1], path


def test_category_addresses_are_read_in_arxivs_spelling_and_typos_say_what_was_meant(client, corpus):
    r = client.get("/categories/cs.lg", params={"p": "0"}, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"].endswith("/categories/cs.LG?p=0")
    page = client.get("/categories/cs.LG").text
    assert "<h1>cs.LG <small>Machine Learning</small></h1>" in page and "<title>cs.LG (Machine Learning) ·" in page
    typo = client.get("/categories/cs.LGG")
    assert typo.status_code == 404 and "Did you mean cs.LG (Machine Learning)?" in typo.text
    listed = client.get("/categories/astro-ph.CO")  # a real category this instance holds nothing in
    assert listed.status_code == 404
    assert "We hold no papers in astro-ph.CO (Cosmology and Nongalactic Astrophysics) yet" in listed.text


def test_the_category_index_lists_what_is_held_under_arxivs_groups(client, corpus):
    add_papers(client.app.state.services.db, make_paper("2606.00020", categories=("stat.ML", "zz.AB")))
    html = client.get("/categories").text
    groups = re.findall(r'<h2 id="group-\d+">([^<]+)</h2>', html)
    assert groups == ["Computer Science", "Statistics", "Other"]  # arXiv's order; a code arXiv lacks goes last
    rows = re.findall(r'<a href="/categories/([^"]+)"><span class="code">[^<]+</span>(?: <span class="name">([^<]+)'
                      r'</span>)?</a>\s*<span class="papers"[^>]*>([\d,]+)</span>', html)
    assert rows == [("cs.CL", "Computation and Language", "2"), ("cs.LG", "Machine Learning", "3"),
                    ("cs.RO", "Robotics", "1"), ("stat.ML", "Machine Learning", "2"), ("zz.AB", "", "1")]
    assert "5 arXiv categories with papers here" in html
    assert '<a href="/categories">All categories</a> · Computer Science' in client.get("/categories/cs.RO").text


def test_the_category_index_of_an_empty_instance_says_so(client):
    r = client.get("/categories")
    assert r.status_code == 200 and "No papers yet" in r.text


def test_category_page_shows_trending_then_latest_with_cross_lists_and_feeds(client, corpus):
    r = client.get("/categories/cs.LG")
    assert r.status_code == 200
    trending_part, latest_part = r.text.split('id="latest-h"')
    # Trending: listed in the window, ranked by the trending formula (upvotes 50 beat 5 two days older).
    assert titles(trending_part) == ["2606.00002", "2606.00001"]
    # Latest: every paper in the category, cross-lists included, newest published first.
    assert re.findall(r'<span class="listed">([^<]+)</span>', trending_part) == ["2026-06-03", "2026-06-01"]
    assert titles(latest_part) == ["2606.00002", "2606.00001", "2605.00009"]
    assert "3 papers here" in r.text
    assert 'href="/feeds/category/cs.LG.rss"' in r.text and 'href="/feeds/category/cs.LG.atom"' in r.text
    assert titles(client.get("/categories/cs.RO").text) == ["2606.00004", "2606.00004"]


def test_every_card_paper_page_and_search_hit_links_authors_and_categories(client, corpus):
    day = client.get("/papers/date/2026-06-03").text
    assert author_links(day) == ["Ada Lovelace", "E\u0301milie du Cha\u0302telet",
                                 "ÉMILIE  DU\u00a0CHÂTELET", "Grace Hopper",  # as written: it resolves all the same
                                 "Emilie du Chatelet", "Ada Lovelace"]
    assert chip_links(day) == ["cs.CL", "cs.LG", "cs.CL", "cs.RO"]
    paper = client.get("/papers/2606.00001").text
    assert author_links(paper) == ["Émilie du Châtelet", "Ada Lovelace", "Alan Turing"]
    assert chip_links(paper) == ["cs.LG", "stat.ML"]
    hits = client.get("/search?q=Fourth").text
    assert "Emilie du Chatelet" in author_links(hits) and "cs.RO" in chip_links(hits)
    assert 'href="/feeds/search.rss?q=Fourth"' in hits
    assert set(chip_links(client.get("/about").text)) == {"cs.LG", "cs.CL", "cs.RO"}


def test_long_author_lists_link_the_first_ones_then_et_al(client, db):
    names = tuple(f"Author {i}" for i in range(12))
    add_papers(db, (make_paper("2606.00077", authors=names), DAY))
    assert author_links(client.get("/").text) == ["Author 0", "Author 1", "Author 2"]
    assert "et al." in client.get("/").text
    assert author_links(client.get("/papers/2606.00077").text) == list(names)  # the paper page links all


def test_hugging_face_urls_answer_like_ours(client, corpus):
    def latest_day(html: str) -> list[str]:  # the day's own list, not the earlier day shown beneath a short one
        return titles(html.partition('class="earlier-day"')[0])

    assert latest_day(client.get("/papers").text) == latest_day(client.get("/").text) == ["2606.00002", "2606.00003",
                                                                                          "2606.00004"]
    trending = client.get("/papers/trending")
    assert trending.status_code == 200 and titles(trending.text) == titles(client.get("/trending").text)
    assert client.get("/papers/2606.00001").status_code == 200  # the catch-all still answers ids


def test_daily_pages_have_a_date_picker_that_needs_no_javascript(client, corpus):
    html = client.get("/papers/date/2026-06-01").text
    assert '<form class="date-picker" action="/papers/date" method="get">' in html
    assert 'type="date" name="date" value="2026-06-01"' in html
    r = client.get("/papers/date?date=2026-06-03", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/papers/date/2026-06-03")
    assert client.get("/papers/date?date=2026-02-30").status_code == 404
    assert client.get("/papers/date?date=", follow_redirects=False).headers["location"] == "/"
    # Emptying the field under "Only papers with code" keeps that choice on the latest day.
    assert client.get("/papers/date?date=&has_code=1", follow_redirects=False).headers["location"] == "/?has_code=1"


def test_list_pages_show_their_feed_links(client, corpus):
    assert 'href="/feeds/daily.rss?date=2026-06-03"' in client.get("/").text
    assert 'href="/feeds/weekly.atom?week=2026-W23"' in client.get("/papers/week/2026-W23").text
    assert 'href="/feeds/monthly.rss?month=2026-06"' in client.get("/papers/month/2026-06").text
    assert '<a class="feed" href="/feeds/trending.rss"' in client.get("/trending").text


def test_a_page_past_the_end_of_a_day_says_where_its_papers_are(client, corpus):
    r = client.get("/papers/date/2026-06-03?p=5")
    assert r.status_code == 200
    assert "No papers listed on this day" not in r.text  # the day has papers, on page 1
    assert "3 papers on this day, on page 1: page 6 holds none" in r.text
    assert '<a href="?p=0">Go to the last page</a>' in r.text
    empty = client.get("/papers/date/2026-06-04")
    assert "No papers listed on this day" in empty.text
