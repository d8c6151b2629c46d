"""A curator taking down one spam collection without a ban (both databases): hidden from everyone
but its owner and moderators, everywhere a public collection shows, with a reason its owner reads,
logged, and shown again only by a moderator."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from papertide.storage import collections as store
from papertide.storage import users as users_store
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

SPAM = "BUY PILLS at spam.example"
REASON = "Advertising, not reading"


@pytest.fixture
def paper(db):  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2606.00001", title="A real paper"))
    return "2606.00001"


def _people(client):  # type: ignore[no-untyped-def]
    spammer = TestClient(client.app)
    bot = sign_in(spammer, "bot@spam.example")
    reader = TestClient(client.app)
    sign_in(reader, "reader@example.org")
    curator = sign_in(client, "curator@example.org", role="curator")
    return bot, curator, spammer, reader


def _spam_collection(spammer, paper: str) -> str:  # type: ignore[no-untyped-def]
    assert post(spammer, "/collections", {"name": SPAM, "public": "1"}).status_code == 303
    uuid = re.search(r"/collections/([0-9a-f-]{36})", spammer.get("/collections").text).group(1)  # type: ignore[union-attr]
    assert post(spammer, f"/collections/{uuid}/items", {"arxiv_id": paper}).status_code == 303
    return uuid


def _hide(client, uuid: str, hidden: bool, reason: str = REASON):  # type: ignore[no-untyped-def]
    return post(client, f"/collections/{uuid}/hide", {"hidden": "1" if hidden else "0", "reason": reason})


def test_a_curator_hides_a_spam_collection_from_everyone_but_its_owner_and_shows_it_again(client, paper):
    bot, curator, spammer, reader = _people(client)
    uuid = _spam_collection(spammer, paper)
    anon = TestClient(client.app)
    urls = (f"/collections/{uuid}", f"/feeds/collection/{uuid}.rss", f"/collections/{uuid}/export?format=csv")
    assert [anon.get(u).status_code for u in urls] == [200, 200, 200]  # (the page now in the anonymous cache)
    assert SPAM in anon.get(f"/users/{bot.uuid}").text

    page = client.get(f"/collections/{uuid}").text
    assert 'id="moderation"' in page and "Hide from public" in page
    for _ in range(2):  # a double click: hidden and logged once, the first reason stands
        r = _hide(client, uuid, True)
        assert (r.status_code, r.headers["location"]) == (303, f"/collections/{uuid}?done=collection-hidden#moderation")
    _hide(client, uuid, True, "a second reason")
    log = client.app.state.services.community.accounts.audit_log(curator, member=bot)
    assert [(e.action, e.target, e.detail) for e in log if e.action.startswith("collection.")] == [
        ("collection.hide", f"collection:{uuid}", f"by {bot.display_name}: {REASON}")]

    for who in (anon, reader):
        assert [who.get(u).status_code for u in urls] == [404, 404, 404]
        assert SPAM not in who.get(f"/users/{bot.uuid}").text
    # Its owner sees that it is hidden and why, and "Public" does not bring it back.
    own = spammer.get(f"/collections/{uuid}").text
    assert f"A moderator has hidden this collection from everyone else: <span dir=\"auto\">{REASON}</span>" in own
    assert 'id="moderation"' not in own and "/feeds/collection/" not in own
    assert "hidden by a moderator" in spammer.get("/collections").text
    for public in ("0", "1"):
        assert post(spammer, f"/collections/{uuid}/edit", {"name": SPAM, "public": public}).status_code == 303
    assert anon.get(urls[0]).status_code == 404
    # Moderators still see it, marked, on the page and the owner's profile, and can show it again.
    page = client.get(f"/collections/{uuid}").text
    assert "· hidden by a moderator" in page and ">Show it again</button>" in page and "Hide from public" not in page
    # One paper is "1 paper", on the profile and in the owner's list of collections.
    assert re.search(rf"{re.escape(SPAM)}</a> <small>1 paper · hidden by a moderator", client.get(f"/users/{bot.uuid}").text)
    assert re.search(rf"{re.escape(SPAM)}</a> <small>1 paper · public · hidden by a moderator", spammer.get("/collections").text)
    assert f'<a href="/collections/{uuid}">collection:{uuid}</a>' in client.get("/admin", params={"member": bot.uuid}).text

    for _ in range(2):
        assert _hide(client, uuid, False, "").status_code == 303
    log = client.app.state.services.community.accounts.audit_log(curator)
    assert [e.action for e in log if e.action.startswith("collection.")] == ["collection.unhide", "collection.hide"]
    assert [anon.get(u).status_code for u in urls] == [200, 200, 200]
    assert "hidden by a moderator" not in spammer.get(f"/collections/{uuid}").text



def test_a_reason_written_as_a_sentence_reads_as_one_to_the_owner(client, paper):
    bot, curator, spammer, reader = _people(client)
    uuid = _spam_collection(spammer, paper)
    assert _hide(client, uuid, True, "It links to a shop.").status_code == 303
    own = spammer.get(f"/collections/{uuid}").text
    assert '<span dir="auto">It links to a shop.</span> It stays hidden' in own  # not "shop.. It stays"

def test_only_moderators_hide_or_show_a_collection(client, paper):
    bot, curator, spammer, reader = _people(client)
    uuid = _spam_collection(spammer, paper)
    for who in (reader, spammer):  # not even its owner
        assert _hide(who, uuid, True).status_code == 403
        assert 'id="moderation"' not in who.get(f"/collections/{uuid}").text
    r = TestClient(client.app).post(f"/collections/{uuid}/hide", data={"hidden": "1", "reason": REASON},
                                    follow_redirects=False)
    assert r.status_code in (303, 403)  # signed out: to sign in (or refused without the form's token)
    r = client.post(f"/collections/{uuid}/hide", data={"hidden": "1", "reason": REASON}, follow_redirects=False)
    assert r.status_code == 403  # without the form's token, even a curator's request is refused
    # No reason: the page again, saying why beside the field; nothing hidden.
    r = _hide(client, uuid, True, "   ")
    assert r.status_code == 400 and 'id="hide-error"' in r.text and "its owner reads the reason" in r.text
    assert "<title>Error: " in r.text  # read first, as every refused form's page is (_field_error.html)
    assert _hide(client, uuid, True, "x" * 501).status_code == 400
    assert _hide(client, "no-such-collection", True).status_code == 404
    assert post(client, f"/collections/{uuid}/hide", {"hidden": "maybe", "reason": REASON}).status_code == 400
    assert TestClient(client.app).get(f"/collections/{uuid}").status_code == 200
    # A private collection is its owner's alone: nothing for a moderator to hide.
    assert post(spammer, f"/collections/{uuid}/edit", {"name": SPAM, "public": "0"}).status_code == 303
    assert _hide(client, uuid, True).status_code == 404
    # Hidden, then made private by its owner: a moderator can still show it again.
    assert post(spammer, f"/collections/{uuid}/edit", {"name": SPAM, "public": "1"}).status_code == 303
    assert _hide(client, uuid, True).status_code == 303
    assert post(spammer, f"/collections/{uuid}/edit", {"name": SPAM, "public": "0"}).status_code == 303
    assert _hide(client, uuid, False, "").status_code == 303
    assert client.app.state.services.community.reading_lists.mine(bot)[0].hidden_reason is None


def test_the_api_and_the_data_download_tell_the_owner_their_collection_is_hidden(client, paper):
    bot, curator, spammer, reader = _people(client)
    uuid = _spam_collection(spammer, paper)
    auth = {"Authorization": f"Bearer {client.app.state.services.tokens.create_for_user(bot.id, 'read').secret}"}
    assert client.get("/api/v1/collections", headers=auth).json()["items"][0]["hidden_reason"] is None
    _hide(client, uuid, True)
    item = client.get("/api/v1/collections", headers=auth).json()["items"][0]
    assert (item["public"], item["hidden_reason"]) == (True, REASON)
    # And so does their data download.
    listed = client.app.state.services.signals.export(bot)["collections"]
    assert [(c["name"], c["is_public"], c["hidden_reason"]) for c in listed] == [(SPAM, True, REASON)]


def test_hiding_a_collection_in_storage_changes_it_once_and_keeps_it_off_public_lists(db):  # type: ignore[no-untyped-def]
    now = datetime(2026, 6, 3, tzinfo=UTC)
    with db.write() as conn:
        member, _ = users_store.find_or_create_user(conn, "bot@spam.example")
        spam = store.create(conn, "c-spam", member.id, SPAM, True)
        store.create(conn, "c-fine", member.id, "Fine", True)
        assert store.set_hidden(conn, spam, REASON, now)
        assert not store.set_hidden(conn, spam, "another reason", now)  # already hidden: the first reason stands
        assert store.get(conn, "c-spam").hidden_reason == REASON  # type: ignore[union-attr]
        listed = [(c.name, c.hidden_reason) for c in store.for_user(conn, member.id, public_only=True)]
        assert listed == [(SPAM, REASON), ("Fine", None)]
        assert [c.name for c in store.for_user(conn, member.id, public_only=True, with_hidden=False)] == ["Fine"]
        assert store.set_hidden(conn, spam, None, now)
        assert not store.set_hidden(conn, spam, None, now)
        assert store.get(conn, "c-spam").hidden_reason is None  # type: ignore[union-attr]


def test_a_hide_stays_in_the_members_log_after_they_delete_the_collection_and_leaves_with_their_account(
        client, paper):
    """The entry named the collection only: once its owner deleted it, the moderator reviewing the
    spammer (/admin?member=) no longer saw it, and deleting the account left the owner's name in it."""
    bot, curator, spammer, _ = _people(client)
    uuid = _spam_collection(spammer, paper)
    _hide(client, uuid, True)
    assert post(spammer, f"/collections/{uuid}/delete").status_code == 303
    accounts = client.app.state.services.community.accounts
    [entry] = accounts.audit_log(curator, member=bot)
    assert (entry.action, entry.target, entry.detail) == (
        "collection.hide", f"collection:{uuid}", f"by {bot.display_name}: {REASON}")
    assert f"collection:{uuid}" in client.get(f"/admin?member={bot.uuid}").text

    client.app.state.services.signals.delete_account(bot, "bot@spam.example")
    [entry] = [e for e in accounts.audit_log(curator) if e.action == "collection.hide"]
    assert entry.detail == f"by [deleted account]: {REASON}"
