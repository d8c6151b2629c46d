"""The Save-to-collection form on cards: signed-in viewers get it on every list, anonymous pages never do."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

DAY = date(2026, 6, 9)
CARD_SAVE = re.compile(r'<form method="post" class="inline card-save" action="([^"]+)">(.*?)</form>', re.S)


@pytest.fixture
def listed(db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title="First", published=DAY), DAY),
               (make_paper("2606.00002", title="Second", published=DAY), DAY))
    return db


def saved(client, collection_uuid: str) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'href="/papers/([^"]+)"', client.get(f"/collections/{collection_uuid}").text)


def test_anonymous_front_page_has_no_save_form_and_nothing_personal(client, listed):
    html = client.get("/").text
    assert "Second" in html
    assert not CARD_SAVE.search(html) and "/collections/save" not in html


def test_a_signed_in_reader_saves_from_a_card_into_a_new_list_then_an_existing_one(client, listed):
    sign_in(client, "reader@example.org")
    forms = CARD_SAVE.findall(client.get("/").text)
    assert len(forms) == 2
    # No collection yet: the card offers a new reading list.
    action, fields = forms[0]
    assert action == "/collections" and 'name="csrf_token"' in fields and 'value="Reading list"' in fields
    arxiv_id = re.search(r'name="arxiv_id" value="([^"]+)"', fields).group(1)  # type: ignore[union-attr]
    assert post(client, action, {"arxiv_id": arxiv_id, "name": "Reading list"}).status_code == 303
    # Now every card lists that collection and saves into it.
    forms = CARD_SAVE.findall(client.get("/").text)
    action, fields = forms[1]
    uuid = re.search(r'<option value="([^"]+)" dir="auto">Reading list</option>', fields).group(1)  # type: ignore[union-attr]
    other = re.search(r'name="arxiv_id" value="([^"]+)"', fields).group(1)  # type: ignore[union-attr]
    assert action == "/collections/save" and other != arxiv_id
    assert post(client, action, {"collection": uuid, "arxiv_id": other}).status_code == 303
    assert sorted(saved(client, uuid)) == sorted([arxiv_id, other])


def test_the_card_form_lists_only_the_viewers_collections(client, listed):
    sign_in(client, "someone@example.org")
    post(client, "/collections", {"name": "Someone's secret list"})
    client.cookies.clear()
    sign_in(client, "reader@example.org")
    html = client.get("/").text
    assert "Someone&#39;s secret list" not in html and "Someone's secret list" not in html
    assert CARD_SAVE.search(html)
