"""RSS/Atom rendering (pure): escaping, invalid characters, dates, GUIDs."""

from datetime import UTC, date, datetime, timedelta, timezone
from xml.etree import ElementTree as ET

from papertide.domain.feeds import (
    Feed,
    FeedItem,
    clean_text,
    day_start,
    describe_search,
    render_atom,
    render_feed,
    render_rss,
)
from papertide.domain.search import make_filters

FEED = Feed("T & co", "http://x/", "http://x/feeds/daily.rss?date=2026-06-01&p=1", "D", datetime(2026, 6, 1, tzinfo=UTC))
ITEM = FeedItem(
    guid="http://x/papers/2606.00001", title='<b>"Bold"</b> & \x00claims', link="http://x/papers/2606.00001",
    summary="a < b\x1f", authors=("Ada", "Émilie"), published=datetime(2026, 6, 1, 2, tzinfo=timezone(timedelta(hours=2))),
    categories=("cs.LG",),
)
NS = {"a": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/elements/1.1/"}


def test_rss_is_well_formed_and_escaped():
    root = ET.fromstring(render_rss(FEED, [ITEM]).encode())
    channel = root.find("channel")
    assert channel.findtext("title") == "T & co"
    assert channel.find("a:link", NS).get("href") == FEED.self_url
    item = channel.find("item")
    assert item.findtext("title") == '<b>"Bold"</b> & claims'
    assert item.findtext("description") == "a < b"
    assert item.findtext("guid") == ITEM.guid and item.find("guid").get("isPermaLink") == "true"
    assert item.findtext("pubDate") == "Mon, 01 Jun 2026 00:00:00 GMT"  # converted to UTC
    # One element with every author: readers show one creator per item.
    assert [e.text for e in item.findall("dc:creator", NS)] == ["Ada, Émilie"]


def test_atom_is_well_formed_with_authors_and_ids():
    root = ET.fromstring(render_atom(FEED, [ITEM]).encode())
    assert root.findtext("a:id", namespaces=NS) == FEED.self_url
    entry = root.find("a:entry", NS)
    assert entry.findtext("a:id", namespaces=NS) == ITEM.guid
    assert [a.findtext("a:name", namespaces=NS) for a in entry.findall("a:author", NS)] == ["Ada, Émilie"]
    assert entry.findtext("a:updated", namespaces=NS) == "2026-06-01T00:00:00+00:00"
    assert entry.find("a:category", NS).get("term") == "cs.LG"


def test_helpers():
    assert clean_text("ok\x00\x08\x0b\x0c\x0e\x1f\ufffe\uffff!") == "ok!"
    assert clean_text("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert day_start(date(2026, 6, 1)) == datetime(2026, 6, 1, tzinfo=UTC)
    assert render_feed("rss", FEED, []) == render_rss(FEED, [])
    assert render_feed("atom", FEED, []) == render_atom(FEED, [])
    naive = FeedItem("g", "t", "l", "s", (), datetime(2026, 1, 1))
    assert "<pubDate>Thu, 01 Jan 2026 00:00:00 GMT</pubDate>" in render_rss(FEED, [naive])


def test_a_search_feed_is_named_by_its_words_and_filters():
    assert describe_search("diffusion", make_filters()) == "“diffusion”"
    assert describe_search("", make_filters(author="Hinton")) == "papers by Hinton"
    everything = make_filters("2024-01-01", "2024-06-30", "cs.CV,cs.LG", "cs.RO", "Hinton", True, True)
    assert describe_search("diffusion", everything) == (
        "“diffusion” in cs.CV, cs.LG, not in cs.RO, by Hinton, published 2024-01-01 to 2024-06-30, "
        "on a daily list, with code")
    assert describe_search("", make_filters("2024-01-01")) == "papers published 2024-01-01 to …"
