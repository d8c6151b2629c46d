"""The search page says how it read a query: corrections, named papers, ids we could fetch."""

from __future__ import annotations

from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.community.conftest import sign_in
from tests.factories import add_papers
from tests.search.conftest import CORPUS
from tests.search.test_queries import EXTRA


@pytest.fixture(autouse=True)
def _no_background_thread(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERTIDE_SEARCH_BACKGROUND_EMBED", "0")
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")  # keywords decide these pages


@pytest.fixture
def site(client, db):  # type: ignore[no-untyped-def]
    add_papers(db, *CORPUS, *EXTRA)
    return client


def test_a_corrected_query_says_so_and_offers_the_words_as_typed(site):
    html = site.get("/search", params={"q": "transfomer atention"}).text
    assert "Showing results for <strong>transformer attention</strong>." in html
    assert "is all you need" in html
    link = unescape(html.split("Search instead for <a href=\"", 1)[1].split('"', 1)[0])
    assert parse_qs(urlsplit(link).query) == {"q": ["transfomer atention"], "exact": ["1"]}
    typed = site.get(link).text
    assert "Showing results for" not in typed and "No papers match" in typed


def test_the_feed_of_a_search_as_typed_searches_it_as_typed(site):
    # Dates named, so the feed searches the whole archive rather than its last 30 days.
    asked = {"q": "transfomer atention", "date_from": "2000-01-01"}
    assert "is all you need" in site.get("/feeds/search.rss", params=asked).text
    page = site.get("/search", params={**asked, "exact": "1"}).text
    link = unescape(page.split('type="application/rss+xml" title="', 1)[1].split('href="', 1)[1].split('"', 1)[0])
    assert parse_qs(urlsplit(link).query) == {"q": ["transfomer atention"], "date_from": ["2000-01-01"], "exact": ["1"]}
    assert "is all you need" not in site.get(link).text


def test_a_named_paper_is_marked_and_first(site):
    html = site.get("/search", params={"q": "arXiv 2401.00008 image synthesis"}).text
    first = html.split('<li class="search-hit', 2)[1]
    assert first.startswith(' named"') and "The paper your query names" in first and "Black hole" in first


def test_an_id_alone_redirects_and_an_unknown_one_offers_to_fetch_it(site):
    r = site.get("/search", params={"q": "https://arxiv.org/pdf/2401.00003v2"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/papers/2401.00003")
    # What arXiv's abstract page offers to copy: its DOI and its "Cite as" line. These searched the
    # DOI's digits and the category as words instead of opening the paper.
    for pasted in ("https://doi.org/10.48550/arXiv.2401.00003", "10.48550/arXiv.2401.00003", "arXiv:2401.00003 [cs.LG]"):
        r = site.get("/search", params={"q": pasted}, follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (303, "/papers/2401.00003"), pasted
    html = site.get("/search", params={"q": "arXiv:2607.27042 image synthesis"}).text
    assert "We don’t hold <code>2607.27042</code> yet." in html
    assert 'href="/submit?paper=2607.27042">Fetch it from arXiv</a>' in html
    assert "Denoising diffusion" in html  # the other words still search
    old = site.get("/search", params={"q": "hep-th/9901001"}).text
    assert 'href="/submit?paper=hep-th%2F9901001"' in old


def test_the_submit_form_arrives_filled_in_even_through_sign_in(site):
    r = site.get("/submit", params={"paper": "2607.27042"}, follow_redirects=False)
    assert r.status_code == 303 and "next=/submit%3Fpaper%3D2607.27042" in r.headers["location"]
    sign_in(site, "reader@example.org")
    assert 'value="2607.27042"' in site.get("/submit", params={"paper": "2607.27042"}).text


def test_a_query_in_another_language_is_told_the_index_is_english(site):
    for query in ("在图像生成器的初始噪声里藏一个标记", "kleine Sprachmodelle, nur mit deutschen Texten trainiert und offen"):
        html = site.get("/search", params={"q": query}).text
        assert 'class="notice other-language"' in html and "The papers here are in English" in html, query
    assert "other-language" not in site.get("/search", params={"q": "transformer attention"}).text


def test_a_phrase_no_paper_holds_says_why_nothing_matched(site):
    html = unescape(site.get("/search", params={"q": '"networks neural" -diffusion'}).text)
    assert "No papers match" in html and "Quotes ask for those exact words in that order" in html
    plain = unescape(site.get("/search", params={"q": "networks neural zzqqxx"}).text)
    assert "Quotes ask for" not in plain
