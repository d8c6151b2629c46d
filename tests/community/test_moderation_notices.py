"""Every moderation form says what it did on the page it comes back to (both databases): a bulk
hide, its undo, a day's removal, a ban, a role, a collection's hide redrew the page and announced
nothing, so a screen reader user heard no outcome and a sighted moderator had to spot the change."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from papertide.storage import papers as papers_store
from papertide.storage import submissions as submissions_store
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

NOW = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)
TODAY = date(2026, 6, 10)
PAPERS = ("2606.00001", "2606.00002")


@pytest.fixture
def papers(db, app):  # type: ignore[no-untyped-def]
    add_papers(db, *(make_paper(aid, title=f"Paper {aid}", published=TODAY) for aid in PAPERS))
    community = app.state.services.community
    for service in (community.accounts, community.submissions, community.discussion):
        service.now = lambda: NOW
    return db


def _notice(page: str) -> str | None:
    found = re.findall(r'<p class="notice" role="status" id="done-notice">([^<]*)</p>', page)
    assert len(found) <= 1, found
    return found[0] if found else None


def _after(client, url: str, data: dict) -> tuple[str, str | None]:  # type: ignore[type-arg,no-untyped-def]
    """Send a moderation form as the browser does; where it lands and what the page says there."""
    r = post(client, url, data)
    assert r.status_code == 303, r.text
    return r.headers["location"], _notice(client.get(r.headers["location"]).text)


def _people(client, db):  # type: ignore[no-untyped-def]
    spammer = TestClient(client.app)
    bot = sign_in(spammer, "bot@spam.example")
    reader = TestClient(client.app)
    sign_in(reader, "reader@example.org")
    discussion = client.app.state.services.community.discussion
    spam = [discussion.add(bot, aid, f"cheap pills {aid}").uuid for aid in PAPERS]
    with db.write() as conn:
        assert submissions_store.add_submission(conn, papers_store.paper_row_id(conn, PAPERS[0]), TODAY, bot.id,
                                                bot.display_name)
    for uuid in spam:
        assert post(reader, f"/comments/{uuid}/report", {"reason": "spam"}).status_code == 303
    admin = sign_in(client, "root@example.org", role="admin")
    return bot, admin, spam, spammer


def test_the_members_profile_says_what_each_panel_action_did(client, papers):
    bot, admin, spam, spammer = _people(client, papers)
    profile = f"/users/{bot.uuid}"
    assert _notice(client.get(profile).text) is None
    here = {"next": f"{profile}#moderation"}
    assert _after(client, f"{profile.replace('/users', '/admin/users')}/comments/hide", here) == (
        f"{profile}?done=comments-hidden#moderation",
        "Their comments are hidden, and the reports on them closed. Their profile can show them again.")
    entry = client.app.state.services.community.accounts.audit_log(admin)[0].id
    location, said = _after(client, f"/admin/users/{bot.uuid}/comments/unhide", {"entry": str(entry), **here})
    assert (location, said) == (f"{profile}?done=comments-shown#moderation",
                                "Their comments are shown again, except any a moderator has hidden or shown one by one since.")
    location, said = _after(client, f"/admin/users/{bot.uuid}/listings/remove", {"first": TODAY.isoformat(), **here})
    assert location == f"{profile}?done=listings-removed#moderation" and said.startswith("Their submissions are off")
    location, said = _after(client, f"/admin/users/{bot.uuid}/ban", {"banned": "1", "next": profile})
    assert location == f"{profile}?done=banned#moderation" and said.startswith("Banned: they are signed out")
    location, said = _after(client, f"/admin/users/{bot.uuid}/ban", {"banned": "0", "next": profile})
    assert location == f"{profile}?done=unbanned#moderation" and said.startswith("Ban lifted")
    # A made-up key shows nothing (no words come from the address), nor does another page's key.
    assert _notice(client.get(f"{profile}?done=<b>pwned</b>").text) is None
    assert _notice(client.get(f"{profile}?done=collection-hidden").text) is None


def test_the_admin_page_says_what_the_queue_and_user_list_did(client, papers):
    bot, admin, spam, spammer = _people(client, papers)
    assert _after(client, f"/comments/{spam[0]}/hide", {"hidden": "1", "next": "/admin#reports"}) == (
        "/admin?done=comment-hidden#reports", "Comment hidden, and its reports closed.")
    assert _after(client, f"/admin/comments/{spam[1]}/dismiss", {}) == (
        "/admin?done=reports-dismissed#reports", "Reports dismissed: the comment stays as it was.")
    location, said = _after(client, f"/admin/users/{bot.uuid}/ban", {"banned": "1", "next": "/admin?q=spam"})
    assert location == f"/admin?q=spam&done=banned#user-{bot.uuid}" and said.startswith("Banned")
    assert _after(client, f"/admin/users/{bot.uuid}/role", {"role": "curator", "next": "/admin"}) == (
        f"/admin?done=role-set#user-{bot.uuid}", "Role changed.")
    # From a paper's page a single hide lands on the comment as before, with no ?done= there.
    r = post(client, f"/comments/{spam[0]}/hide", {"hidden": "0"})
    assert r.headers["location"] == f"/papers/{PAPERS[0]}#comment-{spam[0]}"


def test_a_collections_page_says_it_was_hidden_or_shown_again(client, papers):
    bot, admin, spam, spammer = _people(client, papers)
    assert post(spammer, "/collections", {"name": "BUY PILLS", "public": "1"}).status_code == 303
    uuid = re.search(r"/collections/([0-9a-f-]{36})", spammer.get("/collections").text).group(1)  # type: ignore[union-attr]
    url = f"/collections/{uuid}/hide"
    location, said = _after(client, url, {"hidden": "1", "reason": "Advertising"})
    assert location == f"/collections/{uuid}?done=collection-hidden#moderation" and said.startswith("Hidden from public")
    location, said = _after(client, url, {"hidden": "0"})
    assert location == f"/collections/{uuid}?done=collection-shown#moderation" and said.startswith("Shown again")
