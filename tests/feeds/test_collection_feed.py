"""A public collection's RSS/Atom feed: clean per feedparser, stable GUIDs, linked from the page;
a private (or unknown) collection has no feed."""

from __future__ import annotations

import feedparser
import pytest

from papertide.ingest.bulk import import_records
from tests.community.conftest import sign_in
from tests.factories import make_paper

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def collection(client, db):  # type: ignore[no-untyped-def]
    import_records(db, [
        (make_paper("2606.00011", title="First & <best>", authors=("Ada Lovelace",)), None),
        (make_paper("2606.00012", title="Second"), None),
    ])
    user = sign_in(client, "curator@example.org")
    lists = client.app.state.services.community.reading_lists
    uuid = lists.create(user, "Graph reading", is_public=True)
    for arxiv_id in ("2606.00012", "2606.00011"):
        lists.add(user, uuid, arxiv_id)
    return user, uuid


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_public_collection_feed_parses_cleanly_in_collection_order(client, collection, fmt):
    _, uuid = collection
    r = client.get(f"/feeds/collection/{uuid}.{fmt}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(f"application/{fmt}+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.startswith("papertide: Graph reading")
    assert feed.feed.link == f"{BASE}/collections/{uuid}"
    assert [e.id for e in feed.entries] == [f"{BASE}/papers/2606.00012", f"{BASE}/papers/2606.00011"]
    assert feed.entries[1].title == "First & <best>"
    again = feedparser.parse(client.get(f"/feeds/collection/{uuid}.{fmt}").content)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]  # stable GUIDs


def test_private_and_unknown_collections_have_no_feed(client, collection):
    user, uuid = collection
    client.app.state.services.community.reading_lists.update(user, uuid, "Graph reading", is_public=False)
    assert client.get(f"/feeds/collection/{uuid}.rss").status_code == 404
    assert client.get("/feeds/collection/00000000-0000-0000-0000-000000000000.atom").status_code == 404
    assert client.get(f"/feeds/collection/{uuid}.json").status_code == 404
    # The owner still sees the page, without feed links (there is no public feed to point at).
    page = client.get(f"/collections/{uuid}")
    assert page.status_code == 200 and "/feeds/collection/" not in page.text


def test_public_collection_page_links_its_feeds(client, collection):
    _, uuid = collection
    page = client.get(f"/collections/{uuid}").text
    rss = f'type="application/rss+xml" title="Graph reading (RSS)" href="/feeds/collection/{uuid}.rss">'
    assert f'<link rel="alternate" {rss}' in page
    assert f'type="application/atom+xml" title="Graph reading (Atom)" href="/feeds/collection/{uuid}.atom">' in page
