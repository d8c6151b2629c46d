"""RSS and Atom feeds parse cleanly with feedparser; pages link them; robots, sitemap, meta tags."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from lxml import etree

from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from tests.factories import add_papers, make_paper

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

BASE = "http://127.0.0.1:8000"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def corpus(db):
    rows = [
        (make_paper("2606.00001", title="Small gains in graph learning", upvotes_baseline=3,
                    authors=("Ada Lovelace", "Alan Turing"), categories=("cs.LG",)), date(2026, 6, 1)),
        (make_paper("2606.00002", title="Big <gains> & transformers", upvotes_baseline=30,
                    abstract="We show a < b && c > d.\x0b Bad control chars vanish.",
                    authors=("Émilie du Châtelet",), categories=("cs.CL", "cs.LG")), date(2026, 6, 1)),
        (make_paper("2606.00003", title="Graph robots", upvotes_baseline=10, categories=("cs.RO",)), date(2026, 6, 3)),
    ]
    import_records(db, [(p, Listing(p.arxiv_id, d)) for p, d in rows])


def parse(client, url: str):  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200, r.text
    feed = feedparser.parse(r.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return r, feed


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_daily_feed_has_every_field_and_parses_cleanly(client, corpus, fmt):
    r, feed = parse(client, f"/feeds/daily.{fmt}?date=2026-06-01")
    assert r.headers["content-type"].startswith(f"application/{fmt}+xml")
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert feed.feed.title == "papertide: Daily Papers 2026-06-01"
    assert feed.feed.link == f"{BASE}/papers/date/2026-06-01"
    big, small = feed.entries
    assert big.title == "Big <gains> & transformers"
    assert big.link == f"{BASE}/papers/2606.00002" and big.id == f"{BASE}/papers/2606.00002"
    assert big.summary == "We show a < b && c > d. Bad control chars vanish."
    assert [a.name for a in big.authors] == ["Émilie du Châtelet"] if fmt == "atom" else big.author == "Émilie du Châtelet"
    assert [t.term for t in big.tags] == ["cs.CL", "cs.LG"]
    assert tuple(big.published_parsed[:3]) == (2026, 6, 1)
    assert small.author == "Ada Lovelace, Alan Turing"  # every author, in the one element readers show


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_trending_category_and_search_feeds(client, corpus, fmt):
    _, trending = parse(client, f"/feeds/trending.{fmt}")
    assert [e.id for e in trending.entries] == [f"{BASE}/papers/2606.0000{i}" for i in (3, 2, 1)]
    _, category = parse(client, f"/feeds/category/cs.LG.{fmt}")
    assert {e.id for e in category.entries} == {f"{BASE}/papers/2606.00001", f"{BASE}/papers/2606.00002"}
    _, search = parse(client, f"/feeds/search.{fmt}?q=graph")
    assert {f"{BASE}/papers/2606.00001", f"{BASE}/papers/2606.00003"} <= {e.id for e in search.entries}
    assert search.feed.title == "papertide: Search: “graph”"


def test_a_search_feed_lists_new_papers_for_the_words_and_filters_of_the_page(client, db, corpus):
    import_records(db, [
        (make_paper("2405.00019", title="Graph sampling", authors=("Grace Hopper",), categories=("cs.LG",),
                    published=date(2024, 5, 19)), None),
        (make_paper("2402.00001", title="Graph theory of old", authors=("Grace Hopper",), categories=("cs.LG",),
                    published=date(2024, 2, 1)), None),  # more than 30 days before the newest paper here
    ])
    _, recent = parse(client, "/feeds/search.rss?q=graph")
    assert [e.id.rsplit("/", 1)[1] for e in recent.entries] == ["2606.00003", "2606.00001", "2405.00019"]
    assert "last 30 days" in recent.feed.description
    _, dated = parse(client, "/feeds/search.rss?q=graph&date_from=2024-01-01")
    assert "2402.00001" in {e.id.rsplit("/", 1)[1] for e in dated.entries}
    _, narrowed = parse(client, "/feeds/search.atom?q=graph&cat=cs.RO&author=")
    assert [e.id.rsplit("/", 1)[1] for e in narrowed.entries] == ["2606.00003"]
    assert narrowed.feed.title == "papertide: Search: “graph” in cs.RO"
    assert narrowed.feed.link == f"{BASE}/search?q=graph&cat=cs.RO&sort=date"
    _, by_author = parse(client, "/feeds/search.atom?author=HOPPER&has_code=0")  # filters alone: the newest
    assert [e.id.rsplit("/", 1)[1] for e in by_author.entries] == ["2405.00019", "2402.00001"]
    assert by_author.feed.title == "papertide: Search: papers by HOPPER"
    bad = client.get("/feeds/search.rss?q=graph&date_from=2024-99-99")
    assert bad.status_code == 422 and "date" in bad.text
    assert client.get("/feeds/search.rss?q=%20&cat=").status_code == 422
    page = client.get("/search", params={"q": "graph", "cat": "cs.RO", "p": "0", "sort": "upvotes"}).text
    assert 'href="/feeds/search.rss?q=graph&amp;cat=cs.RO"' in page
    by_hopper = client.get("/search?author=hopper").text
    assert 'title="Search: papers by hopper (Atom)" href="/feeds/search.atom?author=hopper"' in by_hopper
    assert "/feeds/search" not in client.get("/search").text


def test_guids_are_stable_across_feeds_and_requests(client, corpus):
    daily = {e.title: e.id for e in parse(client, "/feeds/daily.rss?date=2026-06-01")[1].entries}
    trending = {e.title: e.id for e in parse(client, "/feeds/trending.atom")[1].entries}
    again = {e.title: e.id for e in parse(client, "/feeds/daily.rss?date=2026-06-01")[1].entries}
    assert daily == again and all(trending[t] == g for t, g in daily.items())


def test_feed_errors(client, corpus):
    assert client.get("/feeds/daily.json").status_code == 404
    assert client.get("/feeds/daily.rss?date=2026-02-30").status_code == 422
    assert client.get("/feeds/search.rss").status_code == 422
    assert client.get("/feeds/category/<script>.rss").status_code == 404


def test_category_feeds_name_the_category_and_refuse_typos(client, corpus):
    feed = parse(client, "/feeds/category/cs.LG.atom")[1]
    assert feed.feed.title == "papertide: New in cs.LG (Machine Learning)"
    r = client.get("/feeds/category/cs.lg.rss", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"].endswith("/feeds/category/cs.LG.rss")
    # A typo would be an empty feed forever; a real category may be subscribed to before it has papers.
    typo = client.get("/feeds/category/cs.LGG.atom")
    assert typo.status_code == 404 and "Did you mean cs.LG" in typo.text
    assert client.get("/feeds/category/abc.atom").status_code == 404
    assert parse(client, "/feeds/category/astro-ph.CO.atom")[1].entries == []


def test_empty_instance_feeds_are_valid(client):
    for url in ("/feeds/daily.rss", "/feeds/daily.atom", "/feeds/trending.rss", "/feeds/category/cs.AI.atom"):
        assert parse(client, url)[1].entries == []


def _own_urls(body: bytes, fmt: str) -> set[str]:
    """The feed's self link(s) and, for Atom, its id, read by a strict XML parser."""
    root = ElementTree.fromstring(body)
    if fmt == "rss":
        return {link.get("href", "") for link in root.iter(f"{ATOM}link") if link.get("rel") == "self"}
    self_link = next(link.get("href", "") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    return {self_link, root.findtext(f"{ATOM}id", "")}


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_feed_s_self_link_and_id_are_percent_encoded_and_keep_every_parameter(client, corpus, fmt):
    r = client.get(f"/feeds/search.{fmt}", params=[("q", "graph & réseau"), ("cat", "cs.LG"), ("cat", "cs.RO")])
    assert r.status_code == 200
    assert _own_urls(r.content, fmt) == {
        f"{BASE}/feeds/search.{fmt}?q=graph%20%26%20r%C3%A9seau&cat=cs.LG&cat=cs.RO"}
    author = client.get(f"/feeds/author/Émilie du Châtelet.{fmt}")
    assert _own_urls(author.content, fmt) == {f"{BASE}/feeds/author/%C3%89milie%20du%20Ch%C3%A2telet.{fmt}"}


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_empty_feed_is_dated_the_epoch_not_now(client, fmt):
    # "now" changed the body, so the ETag, on every render: readers could never get a 304.
    r = client.get(f"/feeds/category/cs.AI.{fmt}")
    assert parse(client, f"/feeds/category/cs.AI.{fmt}")[1].entries == []
    root = ElementTree.fromstring(r.content)
    if fmt == "rss":
        assert root.findtext("channel/lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 GMT"
    else:
        assert root.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"


def test_pages_link_their_feeds(client, corpus):
    day = client.get("/papers/date/2026-06-01").text
    rss = '<link rel="alternate" type="application/rss+xml" title="Daily Papers (RSS)" href="/feeds/daily.rss?date=2026-06-01">'
    assert rss in day
    assert 'type="application/atom+xml"' in day
    assert 'href="/feeds/trending.rss"' in client.get("/trending").text
    assert 'href="/feeds/weekly.rss?week=2026-W23"' in client.get("/papers/week/2026-W23").text


def test_paper_pages_carry_social_and_scholar_meta(client, corpus):
    html = client.get("/papers/2606.00002").text
    meta = dict(re.findall(r'<meta (?:name|property)="((?:og|twitter|citation)[^"]*)" content="([^"]*)"', html))
    assert meta["og:title"] == meta["citation_title"] == "Big &lt;gains&gt; &amp; transformers"
    assert meta["og:url"] == f"{BASE}/papers/2606.00002" and meta["twitter:card"] == "summary"
    assert meta["citation_arxiv_id"] == "2606.00002"
    assert meta["citation_pdf_url"] == "https://arxiv.org/pdf/2606.00002"
    assert meta["citation_publication_date"] == "2024/05/20"
    assert re.findall(r'<meta name="citation_author" content="([^"]*)"', html) == ["Émilie du Châtelet"]


def test_a_paper_without_a_date_is_dated_for_scholar_by_its_id(client, db):
    # Google Scholar needs citation_publication_date; a year alone is accepted.
    add_papers(db, make_paper("hep-th/9901001", published=None))
    html = client.get("/papers/hep-th/9901001").text
    assert '<meta name="citation_publication_date" content="1999">' in html


def test_robots_and_sitemaps(client, corpus):
    robots = client.get("/robots.txt").text
    assert "Disallow: /api/" in robots and f"Sitemap: {BASE}/sitemap.xml" in robots
    index = client.get("/sitemap.xml")
    assert index.headers["content-type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", index.text)
    assert locs == [f"{BASE}/sitemaps/pages.xml", f"{BASE}/sitemaps/papers-0.xml"]
    papers = re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemaps/papers-0.xml").text)
    assert sorted(papers) == [f"{BASE}/papers/2606.0000{i}" for i in (1, 2, 3)]
    assert client.get("/sitemaps/papers-1.xml").status_code == 404
    assert f"{BASE}/trending" in client.get("/sitemaps/pages.xml").text
    assert f"{BASE}/categories" in client.get("/sitemaps/pages.xml").text


def _sitemap_problems(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What the sitemap protocol's schema says is wrong with the document at ``url`` (nothing: [])."""
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml"), url
    doc = etree.fromstring(r.content)
    name = "siteindex.xsd" if doc.tag.endswith("sitemapindex") else "sitemap.xsd"
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "sitemaps" / name)))
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]


def test_every_sitemap_is_valid_by_the_protocol_s_schema_even_on_an_empty_instance(client):
    # The schema wants at least one <url>: an instance with no papers yet served an empty <urlset>.
    index = client.get("/sitemap.xml").text
    locs = [loc.removeprefix(BASE) for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    assert locs == ["/sitemaps/pages.xml", "/sitemaps/papers-0.xml"]
    for url in ("/sitemap.xml", *locs):
        assert _sitemap_problems(client, url) == [], url
    add_papers(client.app.state.services.db, (make_paper("2606.00001"), date(2026, 6, 1)))
    assert _sitemap_problems(client, "/sitemaps/papers-0.xml") == []
    assert re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemaps/papers-0.xml").text) == [f"{BASE}/papers/2606.00001"]


def test_browsers_can_add_the_site_as_a_search_engine(client, corpus):
    """The OpenSearch description every page links: its templates search, suggest and feed, filled in."""
    from xml.etree import ElementTree

    page = client.get("/").text
    assert '<link rel="search" type="application/opensearchdescription+xml" title="papertide" href="/opensearch.xml">' in page
    r = client.get("/opensearch.xml")
    assert r.headers["content-type"].startswith("application/opensearchdescription+xml")
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    root = ElementTree.fromstring(r.content)
    assert root.findtext("os:ShortName", namespaces=ns) == "papertide"
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert urls["text/html"] == f"{BASE}/search?q={{searchTerms}}"
    for kind, template in urls.items():  # each template, filled in as a browser does, answers
        path = template.replace("{searchTerms}", "graph+lea").removeprefix(BASE)
        answer = client.get(path)
        assert answer.status_code == 200, (kind, path)
    suggested = client.get(urls["application/x-suggestions+json"].replace("{searchTerms}", "graph lea").removeprefix(BASE))
    assert suggested.json()[1][0] == "Small gains in graph learning"  # "lea" completes "learning"
