"""Without JavaScript, a form on a card (Upvote, Not interested, Save) lands back on the list at that
card, not at the top of a fifty-card page nor on the paper's own page."""

from __future__ import annotations

from datetime import date

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

DAY = date(2026, 6, 9)
BASE = "http://testserver"


@pytest.fixture
def listed(db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title="First", published=DAY), DAY),
               (make_paper("hep-th/9901001", title="Old style", published=DAY), DAY))
    return db


def test_a_vote_without_javascript_returns_to_the_card_it_was_cast_on(client, listed):
    sign_in(client, "reader@example.org")
    day = f"/papers/date/{DAY.isoformat()}"
    r = post(client, "/vote/2606.00001", {"state": "on"}, headers={"referer": BASE + day + "?has_code=0"})
    assert (r.status_code, r.headers["location"]) == (303, f"{day}?has_code=0#paper-2606.00001")
    r = post(client, "/vote/hep-th/9901001", {"state": "on"}, headers={"referer": BASE + "/"})
    assert r.headers["location"] == "/#paper-hep-th-9901001"
    # From the paper's own page, back to it as it was.
    r = post(client, "/vote/2606.00001", {"state": "off"}, headers={"referer": BASE + "/papers/2606.00001"})
    assert r.headers["location"] == "/papers/2606.00001"


def test_not_interested_without_javascript_returns_to_the_card(client, listed):
    sign_in(client, "reader@example.org")
    r = post(client, "/papers/2606.00001/not-interested", {"next": "/search?q=first"})
    assert r.headers["location"] == "/search?q=first#paper-2606.00001"
    r = post(client, "/papers/2606.00001/not-interested/undo", {"next": "/"})
    assert r.headers["location"] == "/#paper-2606.00001"


def test_saving_from_a_card_returns_to_the_list_not_to_the_paper_page(client, listed):
    sign_in(client, "reader@example.org")
    r = post(client, "/collections", {"arxiv_id": "2606.00001", "name": "Reading list"},
             headers={"referer": BASE + "/trending"})
    assert (r.status_code, r.headers["location"]) == (303, "/trending#paper-2606.00001")
    uuid = client.app.state.services.community.reading_lists.mine(
        client.app.state.services.community.accounts.list_all("reader@example.org")[0])[0].uuid
    r = post(client, "/collections/save", {"collection": uuid, "arxiv_id": "hep-th/9901001"},
             headers={"referer": BASE + "/?page=2"})
    assert r.headers["location"] == "/?page=2#paper-hep-th-9901001"
    # The paper page's own Save form comes back to the paper page.
    r = post(client, "/collections/save", {"collection": uuid, "arxiv_id": "2606.00001"},
             headers={"referer": BASE + "/papers/2606.00001"})
    assert r.headers["location"] == "/papers/2606.00001"
