"""/api/v1 votes, comments, collections and subscription through the real app, with real
tokens for users signed in through the real link flow; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from papertide.ingest.bulk import import_records
from tests.community.conftest import sign_in
from tests.factories import make_paper

PAPER = "2606.00021"


@pytest.fixture
def writer(client, db):  # type: ignore[no-untyped-def]
    import_records(db, [(make_paper(PAPER, title="Votes", upvotes_baseline=5), None),
                        (make_paper("2606.00022", title="Other"), None)])
    user = sign_in(client, "bot-owner@example.org")
    secret = client.app.state.services.tokens.create_for_user(user.id, "write", "bot").secret
    return user, {"Authorization": f"Bearer {secret}"}


def test_vote_is_an_idempotent_set_returning_the_count(client, writer):
    _, auth = writer
    for _ in range(2):
        r = client.put(f"/api/v1/papers/{PAPER}/vote", headers=auth)
        assert r.status_code == 200 and r.json() == {"arxiv_id": PAPER, "voted": True, "upvotes": 6}
    for _ in range(2):
        r = client.delete(f"/api/v1/papers/{PAPER}/vote", headers=auth)
        assert r.json() == {"arxiv_id": PAPER, "voted": False, "upvotes": 5}
    assert client.put("/api/v1/papers/2606.99999/vote", headers=auth).status_code == 404
    assert client.put("/api/v1/papers/not-an-id/vote", headers=auth).json()["error"]["code"] == 404


def test_writes_need_a_write_token_not_a_cookie(client, writer):
    user, _ = writer  # the client holds a signed-in session cookie
    r = client.put(f"/api/v1/papers/{PAPER}/vote")
    assert r.status_code == 401 and r.json()["error"]["code"] == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.post(f"/api/v1/papers/{PAPER}/comments", json={"body": "hi"}).status_code == 401
    reader = client.app.state.services.tokens.create_for_user(user.id, "read", "ro").secret
    r = client.put(f"/api/v1/papers/{PAPER}/vote", headers={"Authorization": f"Bearer {reader}"})
    assert r.status_code == 403 and "write" in r.json()["error"]["message"]
    assert client.put(f"/api/v1/papers/{PAPER}/vote", headers={"Authorization": "Bearer pt_nope"}).status_code == 401


def test_comments_are_sanitised_threaded_and_listed(client, writer):
    _, auth = writer
    r = client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth,
                    json={"body": "**Nice** <script>alert(1)</script>"})
    assert r.status_code == 201, r.text
    top = r.json()
    assert top["body"] == "**Nice** <script>alert(1)</script>"
    assert top["created_at"].endswith(("+00:00", "Z"))  # RFC 3339 with an offset, also from SQLite
    assert "<strong>Nice</strong>" in top["html"] and "<script>" not in top["html"]
    r = client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={"body": "reply", "reply_to": top["uuid"]})
    assert r.status_code == 201 and r.json()["reply_to"] == top["uuid"]
    listed = client.get(f"/api/v1/papers/{PAPER}/comments", headers=auth).json()["items"]
    assert [(c["body"], c["reply_to"]) for c in listed] == [(top["body"], None), ("reply", top["uuid"])]
    # The web's rules: an empty (whitespace) body is refused with a message, nothing stored.
    r = client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={"body": "   "})
    assert r.status_code == 422 and r.json()["error"]["message"]
    assert client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={}).status_code == 422
    assert len(client.get(f"/api/v1/papers/{PAPER}/comments", headers=auth).json()["items"]) == 2
    assert client.get("/api/v1/papers/2606.99999/comments").status_code == 404


def test_a_long_discussion_is_listed_a_page_at_a_time(client, writer, db):
    """800 comments were one half-megabyte answer; pages follow the thread order, replies after their comment."""
    user, _ = writer
    discussion = client.app.state.services.community.discussion
    top = [discussion.add(user, PAPER, f"comment {i}") for i in range(3)]
    discussion.add(user, PAPER, "reply to 0", reply_to=top[0].uuid)
    for i in range(3, 105):
        discussion.add(user, PAPER, f"comment {i}")
    expected = ["comment 0", "reply to 0", *(f"comment {i}" for i in range(1, 105))]

    first = client.get(f"/api/v1/papers/{PAPER}/comments").json()
    assert [c["body"] for c in first["items"]] == expected[:100] and first["next_cursor"]
    rest = client.get(f"/api/v1/papers/{PAPER}/comments", params={"cursor": first["next_cursor"]}).json()
    assert [c["body"] for c in rest["items"]] == expected[100:] and rest["next_cursor"] is None
    small = client.get(f"/api/v1/papers/{PAPER}/comments", params={"limit": 2}).json()
    assert [(c["body"], c["reply_to"]) for c in small["items"]] == [("comment 0", None), ("reply to 0", top[0].uuid)]
    assert client.get(f"/api/v1/papers/{PAPER}/comments", params={"limit": 101}).status_code == 422
    # A cursor pages only the list it came from.
    other = client.get("/api/v1/papers/2606.00022/comments", params={"cursor": first["next_cursor"]})
    assert other.status_code == 400


def test_comment_pages_neither_repeat_nor_skip_a_comment_when_the_discussion_changes_between_pages(client, writer):
    """A reply posted, or a comment hidden, above the cursor while a client pages moved an offset cursor:
    the next page repeated a comment, or skipped one the client never saw."""
    user, _ = writer
    discussion = client.app.state.services.community.discussion
    top = [discussion.add(user, PAPER, f"comment {i}") for i in range(6)]
    url = f"/api/v1/papers/{PAPER}/comments"

    first = client.get(url, params={"limit": 2}).json()
    assert [c["body"] for c in first["items"]] == ["comment 0", "comment 1"]
    discussion.add(user, PAPER, "late reply to 0", reply_to=top[0].uuid)  # lands above the cursor
    second = client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [c["body"] for c in second["items"]] == ["comment 2", "comment 3"]

    curator = sign_in(client, "curator@example.org", role="curator")
    discussion.set_hidden(curator, top[1].uuid, True)  # above the cursor, and it has no replies: it leaves the list
    third = client.get(url, params={"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [c["body"] for c in third["items"]] == ["comment 4", "comment 5"] and third["next_cursor"] is None


def test_comment_rate_limit_answers_429(client, writer):
    _, auth = writer
    codes = [client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={"body": f"c{i}"}).status_code
             for i in range(12)]
    assert codes[:4] == [201] * 4 and codes[-1] == 429


def test_collection_creation_rate_limit_answers_429(client, writer):
    _, auth = writer
    client.app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill
    codes = [client.post("/api/v1/collections", headers=auth, json={"name": f"n{i}"}).status_code for i in range(11)]
    assert codes == [201] * 10 + [429]


def test_collections_create_list_add_remove(client, writer):
    user, auth = writer
    r = client.post("/api/v1/collections", headers=auth, json={"name": "To read", "public": True})
    assert r.status_code == 201, r.text
    uuid = r.json()["uuid"]
    for _ in range(2):
        r = client.post(f"/api/v1/collections/{uuid}/papers/{PAPER}", headers=auth)
        assert r.status_code == 200 and r.json()["in_collection"] is True
    listed = client.get("/api/v1/collections", headers=auth).json()["items"]
    assert [(c["name"], c["public"], c["size"]) for c in listed] == [("To read", True, 1)]
    assert client.delete(f"/api/v1/collections/{uuid}/papers/{PAPER}", headers=auth).json()["in_collection"] is False
    assert client.get("/api/v1/collections", headers=auth).json()["items"][0]["size"] == 0
    assert client.post("/api/v1/collections", headers=auth, json={"name": " "}).status_code == 422
    # Someone else's collection is a 404 to you.
    other = sign_in(client, "someone-else@example.org")
    other_auth = {"Authorization": f"Bearer {client.app.state.services.tokens.create_for_user(other.id, 'write').secret}"}
    assert client.post(f"/api/v1/collections/{uuid}/papers/{PAPER}", headers=other_auth).status_code == 404
    assert client.get("/api/v1/collections", headers=other_auth).json()["items"] == []


def test_my_subscription(client, writer):
    _, auth = writer
    r = client.get("/api/v1/me/subscription", headers=auth)
    assert r.status_code == 200 and r.json() == {"subscribed": False, "status": None, "preferences": None}
    assert client.get("/api/v1/me/subscription").status_code == 401
    client.app.state.services.subscriptions.subscribe("bot-owner@example.org", {})
    body = client.get("/api/v1/me/subscription", headers=auth).json()
    assert body["subscribed"] is False and body["status"] == "unconfirmed"  # double opt-in still pending
    assert body["preferences"]["frequency"] == "daily"


def test_suspended_accounts_cannot_write_through_the_api(client, writer):
    user, auth = writer
    accounts = client.app.state.services.community.accounts
    admin, _ = accounts.create_admin("admin@example.org")
    accounts.set_banned(admin, user.uuid, True)
    for r in (client.put(f"/api/v1/papers/{PAPER}/vote", headers=auth),
              client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={"body": "spam"}),
              client.post("/api/v1/collections", headers=auth, json={"name": "x"})):
        assert r.status_code == 403 and "suspended" in r.json()["error"]["message"]


def test_openapi_documents_the_write_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/papers/{arxiv_id}/vote"]["put"]
    assert {"401", "403", "404", "429"} <= set(op["responses"])
    assert op["security"] == [{"HTTPBearer": []}]
    assert "post" in spec["paths"]["/api/v1/collections"]


def test_hidden_and_deleted_comments_keep_their_place_in_a_thread_but_not_their_words(client, writer):
    user, auth = writer
    community = client.app.state.services.community
    posted = [client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={"body": body}).json()
              for body in ("regret this", "spam link")]
    for top in posted:
        client.post(f"/api/v1/papers/{PAPER}/comments", headers=auth, json={"body": "an answer", "reply_to": top["uuid"]})
    community.discussion.delete(user, posted[0]["uuid"])
    admin = sign_in(client, "mod@example.org", role="curator")
    community.discussion.set_hidden(admin, posted[1]["uuid"], True)
    listed = client.get(f"/api/v1/papers/{PAPER}/comments").json()["items"]
    answer = ("visible", "an answer", "<p>an answer</p>\n", user.display_name, user.uuid)
    assert [(c["status"], c["body"], c["html"], c["author"], c["author_uuid"], c["reply_to"]) for c in listed] == [
        ("deleted", "", "", None, None, None), (*answer, posted[0]["uuid"]),
        ("hidden", "", "", None, None, None), (*answer, posted[1]["uuid"]),
    ]
