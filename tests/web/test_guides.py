"""The feeds index and the search tips: a reader of a hosted instance finds both from any page."""

from __future__ import annotations

import re

from tests.factories import add_papers, make_paper


def _links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="(/[^"#]*)"', html)


def test_every_link_on_the_feeds_page_answers_with_a_feed_or_a_page(client, db):
    add_papers(db, make_paper("2606.00001", categories=("cs.CL",)))
    page = client.get("/feeds")
    assert page.status_code == 200
    links = set(_links(page.text.split('<main')[1].split('</main>')[0]))
    assert {"/feeds/daily.atom", "/feeds/weekly.rss", "/feeds/trending.atom", "/feeds/category/cs.CL.atom",
            "/digests/feed.xml", "/api/docs", "/subscribe", "/for-you"} <= links
    for href in links:
        r = client.get(href.replace("&amp;", "&"), follow_redirects=False)
        assert r.status_code in (200, 303), (href, r.status_code)  # /for-you sends a visitor to sign in
        if href.startswith(("/feeds/", "/digests/feed")):
            assert r.headers["content-type"].split(";")[0] in ("application/atom+xml", "application/rss+xml"), href
    assert 'HfApi(endpoint="http://testserver")' in page.text


def test_search_tips_examples_run_and_every_page_links_the_guides(client, db):
    add_papers(db, make_paper("2606.00002", title="Video generation without diffusion"))
    tips = client.get("/search/help")
    assert tips.status_code == 200
    examples = [h for h in _links(tips.text) if h.startswith("/search?")]
    assert len(examples) >= 4
    for href in examples:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href
    assert "Up to 8 phrases and minus words" in tips.text
    for path in ("/", "/about", "/search?q=video"):
        footer = client.get(path).text.split('<footer')[1]
        assert {"/feeds", "/search/help", "/api/docs"} <= set(_links(footer)), path
    assert 'href="/search/help">Tips</a>' in client.get("/search?q=video").text
