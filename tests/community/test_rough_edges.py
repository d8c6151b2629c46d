"""What a new user hit in the community pages: the rate limit eating a comment, reporting
leaving the paper, one-click destructive actions, unreadable default names (both databases)."""

import unicodedata
from datetime import date

import pytest
from fastapi.testclient import TestClient

from papertide.domain.accounts import default_display_name, readable_legacy_name
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

LONG_COMMENT = "A careful comment I spent ten minutes on. " * 20


@pytest.fixture
def paper(db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title="Listed paper"), date(2026, 6, 9)))


def test_a_comment_refused_by_the_rate_limit_keeps_the_typed_text(client, paper):
    sign_in(client, "chatty@example.org")
    client.app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill
    codes = [post(client, "/comments", {"arxiv_id": "2606.00001", "body": f"note {n}"}).status_code for n in range(10)]
    assert codes == [303] * 10
    refused = post(client, "/comments", {"arxiv_id": "2606.00001", "body": LONG_COMMENT})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Your comment was not posted" in refused.text and "Too many requests" in refused.text
    assert f'autofocus>{LONG_COMMENT}</textarea>' in refused.text  # the text, with the focus in it
    assert 'name="arxiv_id" value="2606.00001"' in refused.text


def test_an_edit_refused_by_the_rate_limit_keeps_the_typed_text(client, paper):
    # was the error page "Too many requests" alone: the edit typed was lost
    sign_in(client, "chatty@example.org")
    client.app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill
    posted = post(client, "/comments", {"arxiv_id": "2606.00001", "body": "first"})
    edit = "/comments/" + posted.headers["location"].split("#comment-")[1] + "/edit"
    codes = [post(client, edit, {"body": f"edit {n}"}).status_code for n in range(9)]
    assert codes == [303] * 9
    refused = post(client, edit, {"body": LONG_COMMENT})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Edit your comment" in refused.text and "Too many requests" in refused.text
    assert f'autofocus>{LONG_COMMENT}</textarea>' in refused.text


def test_reporting_a_comment_returns_to_the_paper_with_a_notice(client, paper):
    sign_in(client, "author@example.org")
    posted = post(client, "/comments", {"arxiv_id": "2606.00001", "body": "Spammy link"})
    uuid = posted.headers["location"].rsplit("comment-", 1)[1]
    reader = TestClient(client.app)
    sign_in(reader, "reader@example.org")
    r = post(reader, f"/comments/{uuid}/report", {"reason": "spam"})
    assert (r.status_code, r.headers["location"]) == (303, f"/papers/2606.00001?reported=1#comment-{uuid}")
    page = reader.get(r.headers["location"]).text
    assert 'id="reported-notice"' in page and "your report went to the moderators" in page
    assert 'id="reported-notice"' not in reader.get("/papers/2606.00001").text


def test_destructive_actions_ask_a_second_time(client, paper):
    member = sign_in(client, "member@example.org")
    post(client, "/comments", {"arxiv_id": "2606.00001", "body": "Mine"})
    own = client.get("/papers/2606.00001").text
    # Deleting one's own comment: a <details> step, then the POST button.
    assert '<details class="confirm">' in own and "Delete your comment? This cannot be undone." in own
    admin = TestClient(client.app)
    sign_in(admin, "root@example.org", role="admin")
    page = admin.get("/admin").text
    assert f'Ban <span dir="auto">{member.display_name}</span>? They are signed out' in page
    assert f'<button type="submit" class="danger">Yes, ban <span dir="auto">{member.display_name}</span></button>' in page
    # /admin leads to the other admin pages.
    assert '<a href="/admin/ingest">' in page and '<a href="/admin/jobs">' in page
    listing = admin.get("/papers/2606.00001").text
    assert "Take this paper off the daily list of 2026-06-09?" in listing


def test_a_name_that_only_looks_different_in_bytes_is_taken_too(client, paper):
    # SQLite's lower() folds ASCII only, so "JOSÉ" passed as free there; everywhere, the same name
    # with its accent typed as a combining mark, in full-width letters or with an invisible
    # character inside it reads the same on a comment and passed as another name.
    curator = TestClient(client.app)
    sign_in(curator, "curator@example.org", role="curator")
    assert post(curator, "/profile/name", {"display_name": "José Ñúñez"}).status_code == 303
    sign_in(client, "mallory@example.org")
    for taken in ("JOSÉ ÑÚÑEZ", unicodedata.normalize("NFD", "José Ñúñez"), "Ｊｏｓé Ñúñez", "Jo\u200bsé Ñúñez",
                  "\u202aJosé Ñúñez\u202c", "José\u00a0Ñúñez"):
        r = post(client, "/profile/name", {"display_name": taken})
        assert r.status_code == 400 and "Another member already uses the name" in r.text, ascii(taken)
    assert post(client, "/profile/name", {"display_name": "Jose Nunez"}).status_code == 303  # accents do tell names apart
    # Stored composed, so the curator's own name in decomposed form is still theirs and no clash.
    assert post(curator, "/profile/name", {"display_name": unicodedata.normalize("NFD", "Zoë")}).status_code == 303
    assert sign_in(curator, "curator@example.org").display_name == "Zoë"


def test_default_display_names_are_readable_and_do_not_leak_the_address(client, paper):
    user = sign_in(client, "jane.doe.private@example.org")
    assert user.display_name == default_display_name(user.uuid)
    assert user.display_name.startswith("Reader ") and user.display_name[7:].isdigit() and len(user.display_name) == 13
    assert "jane" not in user.display_name.lower()
    assert readable_legacy_name("reader-0001e240") == "Reader 123456"
    assert readable_legacy_name("reader-people") is None and readable_legacy_name("Reader 123456") is None


def test_a_display_name_another_member_uses_is_refused(client, paper):
    # Two "Alice"s were allowed: anyone could take a curator's name and comment as if they were them.
    curator = TestClient(client.app)
    sign_in(curator, "curator@example.org", role="curator")
    assert post(curator, "/profile/name", {"display_name": "Alice  Moderator"}).status_code == 303
    sign_in(client, "mallory@example.org")
    for taken in ("Alice Moderator", "alice moderator", " ALICE   MODERATOR "):
        r = post(client, "/profile/name", {"display_name": taken})
        assert r.status_code == 400 and "Another member already uses the name" in r.text, taken
    assert post(client, "/profile/name", {"display_name": "Alice M."}).status_code == 303
    assert post(curator, "/profile/name", {"display_name": "Åsa Øberg"}).status_code == 303
    assert post(client, "/profile/name", {"display_name": "Åsa Øberg"}).status_code == 400
    # Keeping one's own name (in another case) is no clash.
    assert post(curator, "/profile/name", {"display_name": "alice moderator"}).status_code == 303
