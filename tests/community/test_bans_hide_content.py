"""A spam wave from the moderators' side: banning a member takes down what they put in front of
others (comments, public collections, their name on "Submitted by") everywhere those show, and
lifting the ban puts it back (both databases)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

SPAM = "cheap pills at spam.example"
SPAM_NAME = "BUY PILLS spam.example"


@pytest.fixture
def today(db):  # type: ignore[no-untyped-def]
    day = datetime.now(UTC).date()
    add_papers(db, (make_paper("2606.00001", title="Listed paper", published=day - timedelta(days=1)), day),
               (make_paper("2606.00002", title="Unlisted paper", published=day - timedelta(days=1)), None))
    return day


def _people(client):  # type: ignore[no-untyped-def]
    spammer = TestClient(client.app, client=("198.51.100.7", 5000))
    spam_user = sign_in(spammer, "bot@spam.example")
    assert post(spammer, "/profile/name", {"display_name": SPAM_NAME}).status_code == 303
    admin = TestClient(client.app)
    sign_in(admin, "root@example.org", role="admin")
    return spammer, spam_user, admin


def _ban(admin, user, banned: bool) -> None:  # type: ignore[no-untyped-def]
    assert post(admin, f"/admin/users/{user.uuid}/ban", {"banned": "1" if banned else "0"}).status_code == 303


def test_a_ban_hides_the_members_comments_everywhere_and_lifting_it_shows_them_again(client, today):
    spammer, spam_user, admin = _people(client)
    r = post(spammer, "/comments", {"arxiv_id": "2606.00001", "body": f"[{SPAM}](https://spam.example/1)"})
    answered = r.headers["location"].rsplit("comment-", 1)[1]
    post(spammer, "/comments", {"arxiv_id": "2606.00001", "body": f"Again: {SPAM}"})
    member = TestClient(client.app)
    sign_in(member, "member@example.org")
    assert post(member, "/comments", {"arxiv_id": "2606.00001", "body": "Please stop", "reply_to": answered}
                ).status_code == 303
    anon = TestClient(client.app)
    assert SPAM in anon.get("/papers/2606.00001").text  # (and now in the anonymous page cache)

    _ban(admin, spam_user, True)
    page = anon.get("/papers/2606.00001").text
    # Gone from the page, the comment count, the list card, the API and the member's profile; the
    # answered one stays as a placeholder so the reply keeps its thread, which takes no new replies.
    assert SPAM not in page and SPAM_NAME not in page and "Please stop" in page and f"comment-{answered}" in page
    assert "1 comment<" in page
    assert [e["num_comments"] for e in anon.get("/api/v1/daily").json()["items"]] == [1]
    api = anon.get("/api/v1/papers/2606.00001/comments").json()["items"]
    assert [(c["status"], c["author"], c["body"]) for c in api] == [
        ("hidden", None, ""), ("visible", api[1]["author"], "Please stop")]
    assert SPAM not in anon.get(f"/users/{spam_user.uuid}").text
    r = post(member, "/comments", {"arxiv_id": "2606.00001", "body": "More", "reply_to": answered})
    assert r.status_code == 400 and "replies are closed" in r.text
    # Moderators still see them, marked, on the paper page and listed on the member's profile.
    assert "author banned" in admin.get("/papers/2606.00001").text
    assert admin.get(f"/users/{spam_user.uuid}").text.count(SPAM) == 2

    _ban(admin, spam_user, False)
    page = anon.get("/papers/2606.00001").text
    assert page.count(SPAM) == 2 and "3 comments<" in page
    assert [c["status"] for c in anon.get("/api/v1/papers/2606.00001/comments").json()["items"]] == ["visible"] * 3


def test_a_banned_members_reported_comments_leave_the_moderation_queue(client, today):
    spammer, spam_user, admin = _people(client)
    r = post(spammer, "/comments", {"arxiv_id": "2606.00001", "body": SPAM})
    spam = r.headers["location"].rsplit("comment-", 1)[1]
    member = TestClient(client.app)
    sign_in(member, "member@example.org")
    assert post(member, f"/comments/{spam}/report", {"reason": "link spam"}).status_code == 303
    page = admin.get("/admin").text
    queue = page[page.index('id="reports"'):page.index('id="users"')]
    # The report leads to the author's profile, where a moderator sees all they wrote before banning.
    assert SPAM in queue and f'<a href="/users/{spam_user.uuid}" dir="auto">{SPAM_NAME}</a>' in queue
    _ban(admin, spam_user, True)  # the ban is the decision: nothing is left to hide
    assert "No open reports" in admin.get("/admin").text
    _ban(admin, spam_user, False)
    assert "link spam" in admin.get("/admin").text


def test_a_ban_takes_down_the_members_public_collections_until_it_is_lifted(client, today):
    spammer, spam_user, admin = _people(client)
    post(spammer, "/collections", {"name": f"Visit {SPAM}", "public": "1"})
    collection = re.search(r"/collections/([0-9a-f-]{36})", spammer.get("/collections").text).group(1)
    anon = TestClient(client.app)
    urls = (f"/collections/{collection}", f"/feeds/collection/{collection}.rss", f"/users/{spam_user.uuid}")
    assert all(SPAM in anon.get(u).text for u in urls)

    _ban(admin, spam_user, True)
    assert [anon.get(u).status_code for u in urls[:2]] == [404, 404]
    assert SPAM not in anon.get(urls[2]).text
    assert SPAM in admin.get(urls[0]).text and SPAM in admin.get(urls[2]).text  # moderators review it

    _ban(admin, spam_user, False)
    assert all(SPAM in anon.get(u).text for u in urls)


def test_a_ban_takes_the_members_name_off_their_submissions_until_it_is_lifted(client, today):
    spammer, spam_user, admin = _people(client)
    r = post(spammer, "/submit", {"paper": "2606.00002"})
    assert r.status_code == 200, r.text
    anon = TestClient(client.app)
    pages = ("/", "/papers/2606.00002", "/api/daily_papers")
    assert all(SPAM_NAME in anon.get(p).text for p in pages)

    _ban(admin, spam_user, True)
    assert [SPAM_NAME in anon.get(p).text for p in pages] == [False] * 3
    assert "2606.00002" in anon.get("/").text  # still listed: a curator decides about the paper

    _ban(admin, spam_user, False)
    assert all(SPAM_NAME in anon.get(p).text for p in pages)
