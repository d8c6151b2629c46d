"""A collection near its cap, as a member with a big reading list meets it (both databases): its
page shows a hundred papers at a time, its feed and a reordering click touch only what they need."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from papertide.domain.collections import COLLECTION_PAGE_SIZE
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper
from tests.plans import statements

IDS = [f"2606.{i:05d}" for i in range(1, 2 * COLLECTION_PAGE_SIZE + 51)]  # two pages and a half


@pytest.fixture
def big(client):  # type: ignore[no-untyped-def]
    """A public collection holding 250 papers, in IDS order; the client is its owner."""
    services = client.app.state.services
    add_papers(services.db, *(make_paper(a, title=f"Paper {a}") for a in IDS))
    owner = sign_in(client, "reader@example.org")
    uuid = services.community.reading_lists.create(owner, "Everything", is_public=True)
    services.community.reading_lists.import_papers(owner, uuid, "", "\n".join(IDS))
    return uuid


@contextmanager
def _rows_updated(db) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """How many collection rows each UPDATE of collection_items meanwhile asked to change."""
    seen: list[int] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE COLLECTION_ITEMS"):
            seen.append(len(parameters) if executemany else 1)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _listed(html: str) -> list[str]:
    return re.findall(r'<li id="paper-[^"]+"><a href="/papers/([^"]+)"', html)


def _back(html: str, arxiv_id: str, action: str) -> str:
    """Where the owner's ↑ / ↓ / Remove form for ``arxiv_id`` on this page comes back to."""
    found = re.search(rf'name="arxiv_id" value="{re.escape(arxiv_id)}"><input type="hidden" name="action" '
                      rf'value="{action}">\s*<input type="hidden" name="next" value="([^"]+)"', html)
    assert found is not None, (arxiv_id, action)
    return found.group(1)


def test_a_collection_page_lists_a_hundred_papers_at_a_time(client, big):
    first = client.get(f"/collections/{big}")
    assert first.status_code == 200
    assert _listed(first.text) == IDS[:100]
    assert first.text.count('name="action" value="remove"') == 100  # the owner's forms, for this page only
    assert "Papers 1–100 of 250." in first.text
    assert '<a rel="next" href="?p=1">' in first.text and 'rel="prev"' not in first.text

    last = client.get(f"/collections/{big}?p=2")
    assert _listed(last.text) == IDS[200:]
    assert '<ol class="collection-items" start="201">' in last.text
    assert "Papers 201–250 of 250." in last.text and "· page 3 ·" in last.text
    assert '<a rel="prev" href="?p=1">' in last.text and 'rel="next"' not in last.text

    beyond = client.get(f"/collections/{big}?p=3")
    assert beyond.status_code == 200 and _listed(beyond.text) == []
    assert "No papers on this page: the collection holds 250 papers." in beyond.text
    assert client.get(f"/collections/{big}?p=-1").status_code == 422


def test_reordering_comes_back_to_the_paper_on_the_page_it_is_now_on(client, big):
    # A hundred papers a page: without the paper's anchor each click threw the owner to the top of
    # the page, and a ↑ on a page's first paper moved it onto the page before, out of sight.
    page = client.get(f"/collections/{big}?p=1").text
    here = f"/collections/{big}"
    assert f'<li id="paper-{IDS[150]}">' in page
    assert _back(page, IDS[150], "up") == f"{here}?p=1#paper-{IDS[150]}"
    assert _back(page, IDS[100], "up") == f"{here}#paper-{IDS[100]}"  # to the end of the first page
    assert _back(page, IDS[199], "down") == f"{here}?p=2#paper-{IDS[199]}"
    assert _back(page, IDS[150], "remove") == f"{here}?p=1#paper-{IDS[151]}"  # the paper taking its place
    assert _back(page, IDS[199], "remove") == f"{here}?p=1#paper-{IDS[198]}"
    assert 'aria-label="Move 2606.00151 up"' in page

    r = post(client, f"/collections/{big}/items", {"arxiv_id": IDS[150], "action": "up", "next": _back(page, IDS[150], "up")})
    assert (r.status_code, r.headers["location"]) == (303, f"{here}?p=1#paper-{IDS[150]}")
    assert _listed(client.get(r.headers["location"]).text)[49:52] == [IDS[150], IDS[149], IDS[151]]
    r = post(client, f"/collections/{big}/items", {"arxiv_id": IDS[100], "action": "up", "next": _back(page, IDS[100], "up")})
    assert _listed(client.get(r.headers["location"]).text)[-1] == IDS[100]
    # The last paper of all has no later page to go to.
    last = client.get(f"/collections/{big}?p=2").text
    assert _back(last, IDS[249], "down") == f"{here}?p=2#paper-{IDS[249]}"


def test_a_collection_page_and_feed_read_only_the_papers_they_show(client, big):
    client.cookies.clear()  # as a visitor: the page and the feed are the same for everyone
    for url in (f"/collections/{big}?p=1", f"/feeds/collection/{big}.rss"):
        with statements(client.app.state.services.db) as seen:
            assert client.get(url).status_code == 200
        reads = [s for s in seen if "collection_items.position" in s]
        assert len(reads) == 1 and "LIMIT" in reads[0], (url, reads)


def test_moving_a_paper_rewrites_only_the_two_places_that_change(client, big):
    db = client.app.state.services.db
    with _rows_updated(db) as updated:
        post(client, f"/collections/{big}/items", {"arxiv_id": IDS[3], "action": "down"})
    assert sum(updated) == 2
    with _rows_updated(db) as updated:
        post(client, f"/collections/{big}/items", {"arxiv_id": IDS[0], "action": "up"})  # already first
    assert sum(updated) == 0
    # A removal leaves a gap; the next move closes it and swaps, and the order is as the member made it.
    post(client, f"/collections/{big}/items", {"arxiv_id": IDS[1], "action": "remove"})
    post(client, f"/collections/{big}/items", {"arxiv_id": IDS[249], "action": "up"})
    _, papers = client.app.state.services.community.reading_lists.view(None, big)
    assert [p.arxiv_id for p in papers] == [IDS[0], IDS[2], IDS[4], IDS[3], *IDS[5:248], IDS[249], IDS[248]]
