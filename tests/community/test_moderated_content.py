"""What members can still reach of comments that are not theirs or no longer shown: the edit
page, moderation state, placeholders (both databases)."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from papertide.storage import comments as comments_store
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper


@pytest.fixture
def paper(db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title="Listed paper"), date(2026, 6, 9)))


def _comment(client, body: str, reply_to: str = "") -> str:  # type: ignore[no-untyped-def]
    r = post(client, "/comments", {"arxiv_id": "2606.00001", "body": body, "reply_to": reply_to})
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("comment-", 1)[1]


def test_the_edit_page_is_only_for_the_author_and_never_shows_a_hidden_comment_to_others(client, paper):
    sign_in(client, "author@example.org")
    hidden = _comment(client, "Words a moderator took down")
    shown = _comment(client, "Words still up")
    other = TestClient(client.app)
    sign_in(other, "other@example.org")
    _comment(other, "An answer", reply_to=hidden)  # keeps the hidden comment's place (and uuid) on the page
    moderator = TestClient(client.app)
    sign_in(moderator, "mod@example.org", role="curator")
    assert post(moderator, f"/comments/{hidden}/hide").status_code == 303
    assert f"comment-{hidden}" in other.get("/papers/2606.00001").text
    for uuid, words in ((hidden, "Words a moderator took down"), (shown, "Words still up")):
        r = other.get(f"/comments/{uuid}/edit")
        assert r.status_code == 403 and words not in r.text
    assert "Words still up" in client.get(f"/comments/{shown}/edit").text


def test_a_comment_a_moderator_hid_cannot_be_edited_by_its_author(client, paper, db):
    sign_in(client, "author@example.org")
    hidden = _comment(client, "Words as judged")
    moderator = TestClient(client.app)
    sign_in(moderator, "mod@example.org", role="curator")
    assert post(moderator, f"/comments/{hidden}/hide").status_code == 303
    # Still within the edit window: the page and the form both refuse, saying why.
    page = client.get(f"/comments/{hidden}/edit")
    assert page.status_code == 403 and "hidden by a moderator" in page.text
    r = post(client, f"/comments/{hidden}/edit", {"body": "Words swapped after the judgement"})
    assert r.status_code == 403 and "hidden by a moderator" in r.text
    # An edit checked just before the hide lands on the write, which takes only a visible comment's words.
    discussion = client.app.state.services.community.discussion
    with db.write() as conn:
        assert comments_store.update_body(conn, discussion.get(hidden).id, "Too late", discussion.now()) is False
    # Unhidden, it shows the words the moderator judged, not new ones.
    assert post(moderator, f"/comments/{hidden}/hide", {"hidden": "0"}).status_code == 303
    assert discussion.get(hidden).body == "Words as judged"


def test_a_reported_comment_its_author_deletes_leaves_the_moderation_queue(client, paper):
    sign_in(client, "author@example.org")
    regretted = _comment(client, "Something I regret")
    reader = TestClient(client.app)
    sign_in(reader, "reader@example.org")
    assert post(reader, f"/comments/{regretted}/report", {"reason": "rude"}).status_code == 303
    admin = TestClient(client.app)
    sign_in(admin, "root@example.org", role="admin")
    assert "Something I regret" in admin.get("/admin").text
    assert post(client, f"/comments/{regretted}/delete").status_code == 303
    # Nothing is left to hide or dismiss (both answer 404 for a deleted comment): the report must not
    # stay in the queue for good, pushing real ones past the page's limit.
    page = admin.get("/admin").text
    assert "Something I regret" not in page and "No open reports" in page


def test_a_thread_a_moderator_hid_or_its_author_deleted_takes_no_new_replies_through_its_replies(client, paper):
    sign_in(client, "author@example.org")
    tops = [_comment(client, "Taken down"), _comment(client, "Taken back")]
    other = TestClient(client.app)
    sign_in(other, "other@example.org")
    answers = [_comment(other, "An earlier answer", reply_to=top) for top in tops]
    moderator = TestClient(client.app)
    sign_in(moderator, "mod@example.org", role="curator")
    assert post(moderator, f"/comments/{tops[0]}/hide").status_code == 303
    assert post(client, f"/comments/{tops[1]}/delete").status_code == 303
    discussion = client.app.state.services.community.discussion
    before = discussion.threads("2606.00001", None)
    # Answering the answer is answering the thread (replies nest one level), so the same rule holds.
    for answer in answers:
        r = post(other, "/comments", {"arxiv_id": "2606.00001", "body": "Sneaking in", "reply_to": answer})
        assert r.status_code in (400, 404) and "Sneaking in" in r.text  # refused, the text kept
    assert discussion.threads("2606.00001", None) == before


def test_a_double_submitted_comment_is_posted_once(client, paper):
    from concurrent.futures import ThreadPoolExecutor

    sign_in(client, "clicker@example.org")
    client.app.state.services.community.limiter.enabled = False
    discussion = client.app.state.services.community.discussion
    # A double click sends the same form twice, near enough at once: both answers lead to one comment.
    with ThreadPoolExecutor(4) as pool:
        uuids = list(pool.map(lambda _: _comment(client, "Same words"), range(4)))
    assert len(set(uuids)) == 1
    top = uuids[0]
    assert [_comment(client, "An answer", reply_to=top) for _ in range(2)] == [_comment(client, "An answer", top)] * 2
    threads, count = discussion.threads("2606.00001", None)
    assert [(t.comment.body, [r.body for r in t.replies]) for t in threads] == [("Same words", ["An answer"])]
    # Saying the same thing again later, or elsewhere in the discussion, is a new comment.
    assert _comment(client, "An answer") != top
    later = discussion.now
    discussion.now = lambda: later() + timedelta(minutes=2)
    assert _comment(client, "Same words") != top
    assert discussion.threads("2606.00001", None)[1] == count + 2
