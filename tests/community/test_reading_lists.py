"""Collection names as members meet them: a double-submitted "new collection", and names they
already use (both databases)."""

import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper


@pytest.fixture
def reader(client, db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title="Listed paper"), date(2026, 6, 9)), make_paper("2606.00002"))
    return sign_in(client, "reader@example.org")


def _names(client, reader) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(c.name, c.size) for c in client.app.state.services.community.reading_lists.mine(reader)]


def test_a_double_submitted_new_collection_is_created_once(client, reader):
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: post(client, "/collections", {"name": "To read"}), range(4)))
    assert {(r.status_code, r.headers["location"]) for r in answers} == {(303, answers[0].headers["location"])}
    # "New collection" from a paper page with a name already in use saves into that collection.
    r = post(client, "/collections", {"name": " to  READ ", "arxiv_id": "2606.00002"})
    assert (r.status_code, r.headers["location"]) == (303, "/papers/2606.00002")
    assert _names(client, reader) == [("To read", 1)]


def test_renaming_onto_a_name_already_in_use_is_refused_with_a_message(client, reader):
    first = post(client, "/collections", {"name": "To read"}).headers["location"]
    other = post(client, "/collections", {"name": "Done"}).headers["location"]
    r = post(client, f"{other}/edit", {"name": "to read"})
    assert r.status_code == 400 and "already have a collection named" in r.text
    assert post(client, f"{first}/edit", {"name": "To Read", "public": "1"}).status_code == 303  # its own name
    assert _names(client, reader) == [("Done", 0), ("To Read", 0)]


def test_a_name_typed_with_a_combining_accent_or_an_invisible_character_is_the_same_collection(client, reader):
    # "Café" typed on a Mac ("e" + U+0301) or pasted with a zero-width space made a second
    # collection that reads exactly like the first; renaming onto it was allowed too.
    first = post(client, "/collections", {"name": "Café reading"}).headers["location"]
    for same in (unicodedata.normalize("NFD", "Café reading"), "CAFÉ READING", "Café\u200b reading"):
        assert post(client, "/collections", {"name": same}).headers["location"] == first, ascii(same)
    other = post(client, "/collections", {"name": unicodedata.normalize("NFD", "Zoë")}).headers["location"]
    r = post(client, f"{other}/edit", {"name": "café\u2060 reading"})
    assert r.status_code == 400 and "already have a collection named" in r.text
    assert _names(client, reader) == [("Café reading", 0), ("Zoë", 0)]  # stored composed


def test_a_collection_sharing_its_name_from_before_the_rule_can_still_be_edited(client, reader):
    # Releases before the one-name rule let a double submit make two "To read" lists; after the
    # upgrade the second could not even be made private, refused for the name it already had.
    from papertide.storage import collections as store

    with client.app.state.services.db.write() as conn:
        for uuid in ("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"):
            store.create(conn, uuid, reader.id, "To read", True)
    for uuid in ("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"):
        assert post(client, f"/collections/{uuid}/edit", {"name": "To read"}).status_code == 303
    assert [(c.name, c.is_public) for c in client.app.state.services.community.reading_lists.mine(reader)] == [
        ("To read", False), ("To read", False)]
    r = post(client, "/collections/00000000-0000-4000-8000-000000000002/edit", {"name": "to READ"})
    assert r.status_code == 303  # its own name, as names compare, even while the other holds it too
