"""A curator cleaning up after a spam wave (both databases): one member's audit log, hiding all of
a member's comments at once from their profile or the report queue, and undoing that exactly."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from papertide.storage import audit
from papertide.storage import comments as comments_store
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

PAPERS = ("2606.00001", "2606.00002", "2606.00003")


@pytest.fixture
def papers(db):  # type: ignore[no-untyped-def]
    add_papers(db, *(make_paper(aid, title=f"Paper {aid}") for aid in PAPERS))
    return PAPERS


def _spam(client, user, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` comments by ``user`` across the papers (as a bot posts them); their uuids, oldest first."""
    discussion = client.app.state.services.community.discussion
    return [discussion.add(user, PAPERS[i % len(PAPERS)], f"cheap pills {i} at spam.example").uuid for i in range(n)]


def _status(client, uuids: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    with client.app.state.services.db.read() as conn:
        return [comments_store.get_comment(conn, u).status for u in uuids]  # type: ignore[union-attr]


def _people(client):  # type: ignore[no-untyped-def]
    spammer = TestClient(client.app)
    bot = sign_in(spammer, "bot@spam.example")
    bystander = TestClient(client.app)
    other = sign_in(bystander, "reader@example.org")
    curator = sign_in(client, "curator@example.org", role="curator")
    return bot, other, curator, spammer, bystander


def _log(client, curator, member=None):  # type: ignore[no-untyped-def]
    accounts = client.app.state.services.community.accounts
    return [(e.action, e.target, e.detail) for e in accounts.audit_log(curator, member=member)]


def test_a_curator_hides_all_of_a_spammers_comments_from_their_profile_and_undoes_exactly_that(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    earlier, *spam = _spam(client, bot, 7)
    # One was hidden on its own before the wave was noticed; the undo must leave it hidden.
    assert post(client, f"/comments/{earlier}/hide", {"hidden": "1"}).status_code == 303
    reported = spam[0]
    assert post(bystander, f"/comments/{reported}/report", {"reason": "spam"}).status_code == 303
    honest = client.app.state.services.community.discussion.add(other, PAPERS[0], "A real question").uuid

    profile = client.get(f"/users/{bot.uuid}").text
    assert 'id="moderation"' in profile and "Hide the 6 comments" in profile
    assert f'href="/admin?member={bot.uuid}#audit"' in profile
    for _ in range(2):  # a double click: hidden and logged once
        r = post(client, f"/admin/users/{bot.uuid}/comments/hide", {"next": f"/users/{bot.uuid}#moderation"})
        assert (r.status_code, r.headers["location"]) == (303, f"/users/{bot.uuid}?done=comments-hidden#moderation")
    assert _status(client, [earlier, *spam, honest]) == ["hidden"] * 7 + ["visible"]
    entry = client.app.state.services.community.accounts.audit_log(curator)[0]
    assert (entry.action, entry.target, entry.detail) == (
        "comments.hide_all", f"user:{bot.uuid}", f"6 comments by {bot.display_name}")
    assert client.app.state.services.community.discussion.open_reports(curator) == []  # the report was answered
    # Readers no longer see the spam; the paper page shows only the honest comment.
    assert "cheap pills" not in bystander.get(f"/papers/{PAPERS[0]}").text

    # Meanwhile a moderator shows one of the batch on its own and hides it again: judged on its own now.
    rejudged = spam[1]
    for hidden in ("0", "1"):
        assert post(client, f"/comments/{rejudged}/hide", {"hidden": hidden}).status_code == 303
    profile = client.get(f"/users/{bot.uuid}").text
    assert "Hide all their comments" not in profile  # nothing left to hide
    assert re.search(rf'name="entry" value="{entry.id}">.*?5 comments hidden together', profile, re.S)
    # When and by whom, in words: the audit log shows no entry numbers, so "(audit entry #12)" led nowhere.
    assert (f'5 comments hidden together on {entry.at:%Y-%m-%d %H:%M} UTC by <span dir="auto">{curator.display_name}</span>'
            in profile) and "audit entry" not in profile

    for _ in range(2):
        r = post(client, f"/admin/users/{bot.uuid}/comments/unhide",
                 {"entry": str(entry.id), "next": f"/users/{bot.uuid}#moderation"})
        assert (r.status_code, r.headers["location"]) == (303, f"/users/{bot.uuid}?done=comments-shown#moderation")
    assert _status(client, [earlier, *spam]) == ["hidden", "visible", "hidden", "visible", "visible", "visible", "visible"]
    assert _log(client, curator)[0] == (
        "comments.unhide_all", f"user:{bot.uuid}",
        f"5 comments by {bot.display_name}, hidden together on {entry.at:%Y-%m-%d %H:%M} UTC")
    assert [a for a, _, _ in _log(client, curator)].count("comments.unhide_all") == 1
    assert "hidden together" not in client.get(f"/users/{bot.uuid}").text



def test_the_audit_log_counts_one_comment_as_one_comment(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    _spam(client, bot, 1)
    assert post(client, f"/admin/users/{bot.uuid}/comments/hide").status_code == 303
    entry = client.app.state.services.community.accounts.audit_log(curator)[0]
    assert post(client, f"/admin/users/{bot.uuid}/comments/unhide", {"entry": str(entry.id)}).status_code == 303
    assert [d for a, _, d in _log(client, curator)[:2]] == [
        f"1 comment by {bot.display_name}, hidden together on {entry.at:%Y-%m-%d %H:%M} UTC",
        f"1 comment by {bot.display_name}"]


def test_hiding_all_from_the_report_queue_empties_it_of_that_member_and_comes_back_to_it(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    spam = _spam(client, bot, 4)
    honest = client.app.state.services.community.discussion.add(other, PAPERS[1], "Rude but not spam").uuid
    for uuid in (*spam[:3], honest):
        assert post(bystander, f"/comments/{uuid}/report", {"reason": "spam"}).status_code == 303
    queue = client.get("/admin").text
    assert queue.count(f'action="/admin/users/{bot.uuid}/comments/hide"') == 3
    r = post(client, f"/admin/users/{bot.uuid}/comments/hide", {"next": "/admin#reports"})
    assert (r.status_code, r.headers["location"]) == (303, "/admin?done=comments-hidden#reports")
    left = client.app.state.services.community.discussion.open_reports(curator)
    assert [rep.comment.uuid for rep in left] == [honest]
    assert _status(client, spam) == ["hidden"] * 4


def test_only_moderators_hide_all_of_a_members_comments_or_undo_it(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    spam = _spam(client, bot, 2)
    r = post(client, f"/admin/users/{bot.uuid}/comments/hide")
    assert r.headers["location"] == f"/users/{bot.uuid}?done=comments-hidden#moderation"  # no next: the member's profile
    entry = client.app.state.services.community.accounts.audit_log(curator)[0].id
    for who in (bystander, spammer):
        assert post(who, f"/admin/users/{bot.uuid}/comments/unhide", {"entry": str(entry)}).status_code == 403
    assert post(client, f"/admin/users/{bot.uuid}/comments/unhide", {"entry": str(entry)}).status_code == 303
    for who in (bystander, spammer):
        assert post(who, f"/admin/users/{bot.uuid}/comments/hide").status_code == 403
        assert 'id="moderation"' not in who.get(f"/users/{bot.uuid}").text
    assert TestClient(client.app).get(f"/users/{bot.uuid}").text.count('id="moderation"') == 0
    # Without the form's token, even a curator's request is refused.
    r = client.post(f"/admin/users/{bot.uuid}/comments/hide", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert _status(client, spam) == ["visible", "visible"]
    assert post(client, "/admin/users/no-such-member/comments/hide").status_code == 404
    assert post(client, f"/admin/users/{bot.uuid}/comments/unhide", {"entry": "x"}).status_code == 422


def test_the_audit_log_shows_one_members_entries_by_and_about_them(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    bots, others = _spam(client, bot, 1)[0], _spam(client, other, 1)[0]
    assert post(spammer, "/profile/password", {"password": "correct horse battery"}).status_code == 303
    for uuid in (bots, others):
        assert post(client, f"/comments/{uuid}/hide", {"hidden": "1"}).status_code == 303
    admin = TestClient(client.app)
    sign_in(admin, "root@example.org", role="admin")
    assert post(admin, f"/admin/users/{bot.uuid}/ban", {"banned": "1"}).status_code == 303
    assert post(admin, f"/admin/users/{other.uuid}/role", {"role": "curator"}).status_code == 303

    assert _log(client, curator, bot) == [
        ("user.ban", f"user:{bot.uuid}", audit.ADMINS_ONLY),  # a curator still does not read the address
        ("comment.hide", f"comment:{bots}", f"on {PAPERS[0]} by {bot.display_name}"),
        ("password.set", f"user:{bot.uuid}", "0 other sessions ended"),
    ]
    page = client.get("/admin", params={"member": bot.uuid}).text
    actions = re.findall(r"<td>((?:user|comment|password)\.[a-z_]+)</td>", page)
    assert actions == ["user.ban", "comment.hide", "password.set"]
    assert 'href="/admin#audit">All entries' in page
    # Every row about an account links to that account's log.
    assert f'<a href="/admin?member={other.uuid}#audit" dir="auto">' in client.get("/admin").text
    assert client.get("/admin", params={"member": "no-such-member"}).status_code == 404


def test_paging_one_members_audit_log_stays_on_that_member(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    with client.app.state.services.db.write() as conn:
        for n in range(105):
            audit.record(conn, bot.id, "audit.test", f"t{n}")
            audit.record(conn, other.id, "audit.test", f"o{n}")
    first = client.get("/admin", params={"member": bot.uuid}).text
    older = re.search(r'href="(/admin\?[^"]*)"[^>]*>Older entries', first)
    assert older is not None and f"member={bot.uuid}" in older.group(1)
    second = client.get(older.group(1).replace("&amp;", "&")).text
    shown = re.findall(r"<td>audit\.test</td><td>([to]\d+)</td>", first + second)
    assert shown == [f"t{n}" for n in range(104, -1, -1)]
    assert re.search(rf'href="/admin\?member={bot.uuid}#audit">← Newest entries', second)


def test_bulk_hide_storage_keeps_each_batch_apart(db, papers):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from papertide.storage import users as users_store

    now = datetime(2026, 6, 3, tzinfo=UTC)
    with db.write() as conn:
        member, _ = users_store.find_or_create_user(conn, "bot@spam.example")
        paper_id = conn.exec_driver_sql("SELECT id FROM papers ORDER BY id LIMIT 1").scalar_one()
        ids = [comments_store.add_comment(conn, f"c{n}", paper_id, member.id, None, f"spam {n}", now) for n in range(3)]
        assert comments_store.count_visible_by_user(conn, member.id) == 3
        assert comments_store.hide_all_by_user(conn, member.id, 41, now) == 3
        comments_store.add_comment(conn, "later", paper_id, member.id, None, "more spam", now)
        assert comments_store.hide_all_by_user(conn, member.id, 42, now) == 1
        assert comments_store.standing_bulk_hides(conn, member.id) == [(42, 1), (41, 3)]
        assert comments_store.set_hidden(conn, ids[0], False, now)  # judged on its own: leaves batch 41
        assert comments_store.standing_bulk_hides(conn, member.id) == [(42, 1), (41, 2)]
        assert comments_store.unhide_bulk(conn, member.id, 41, now) == 2
        assert comments_store.unhide_bulk(conn, member.id, 41, now) == 0
        assert comments_store.standing_bulk_hides(conn, member.id) == [(42, 1)]
        assert comments_store.count_visible_by_user(conn, member.id) == 3


def test_an_admin_bans_from_the_members_profile_and_comes_back_to_it(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    curators_view = client.get(f"/users/{bot.uuid}").text
    assert 'id="moderation"' in curators_view and f"/admin/users/{bot.uuid}/ban" not in curators_view  # admins ban
    admin = TestClient(client.app)
    root = sign_in(admin, "root@example.org", role="admin")
    page = admin.get(f"/users/{bot.uuid}").text
    assert f'<input type="hidden" name="next" value="/users/{bot.uuid}">' in page
    r = post(admin, f"/admin/users/{bot.uuid}/ban", {"banned": "1", "next": f"/users/{bot.uuid}"})
    assert (r.status_code, r.headers["location"]) == (303, f"/users/{bot.uuid}?done=banned#moderation")
    assert ">Unban</button>" in admin.get(f"/users/{bot.uuid}").text
    r = post(admin, f"/admin/users/{bot.uuid}/ban", {"banned": "0", "next": f"/users/{bot.uuid}"})
    assert r.headers["location"] == f"/users/{bot.uuid}?done=unbanned#moderation"
    # Another member's profile is not a place to come back to from this member's ban.
    r = post(admin, f"/admin/users/{bot.uuid}/ban", {"banned": "1", "next": f"/users/{other.uuid}"})
    assert r.headers["location"] == f"/admin?done=banned#user-{bot.uuid}"
    assert f'/admin/users/{root.uuid}/ban' not in admin.get(f"/users/{root.uuid}").text  # not themselves


def test_hiding_one_reported_comment_from_the_queue_comes_back_to_the_queue(client, papers):
    bot, other, curator, spammer, bystander = _people(client)
    spam = _spam(client, bot, 2)
    for uuid in spam:
        assert post(bystander, f"/comments/{uuid}/report", {"reason": "spam"}).status_code == 303
    queue = client.get("/admin").text
    assert re.search(rf'action="/comments/{spam[0]}/hide" class="inline"><input [^>]+>\s*<input type="hidden" '
                     r'name="hidden" value="1"><input type="hidden" name="next" value="/admin#reports">', queue)
    r = post(client, f"/comments/{spam[0]}/hide", {"hidden": "1", "next": "/admin#reports"})
    assert (r.status_code, r.headers["location"]) == (303, "/admin?done=comment-hidden#reports")
    # From the paper page (no next), and with a next to elsewhere, it lands on the comment as before.
    r = post(client, f"/comments/{spam[1]}/hide", {"hidden": "1", "next": "https://evil.example/"})
    assert r.headers["location"] == f"/papers/{PAPERS[1]}#comment-{spam[1]}"


def test_a_curator_reads_a_command_line_ban_as_the_systems_without_the_address(client):
    """The CLI's ban (``papertide users ban``) records the address; curators see it withheld, and the
    entry still says the command line did it, not a deleted moderator's account."""
    bot = sign_in(TestClient(client.app), "bot@spam.example")
    curator = sign_in(client, "curator@example.org", role="curator")
    client.app.state.services.community.accounts.set_banned_by_email("bot@spam.example", True)  # what the CLI calls
    [entry] = client.app.state.services.community.accounts.audit_log(curator)
    assert (entry.who, entry.action, entry.detail) == ("system", "user.ban", f"{audit.ADMINS_ONLY} {audit.BY_CLI}")
    page = client.get(f"/admin?member={bot.uuid}").text
    assert "<td>system</td><td>user.ban</td>" in page
    assert "bot@spam.example" not in page and audit.DELETED_ACTOR not in page


def test_a_members_data_download_does_not_name_the_moderator_who_hid_their_comments(client, papers):
    """The download holds audit entries about the member, "not which moderator acted" (README)."""
    bot, other, curator, spammer, bystander = _people(client)
    _spam(client, bot, 2)
    assert post(client, f"/admin/users/{bot.uuid}/comments/hide").status_code == 303
    entry = client.app.state.services.community.accounts.audit_log(curator)[0]
    assert post(client, f"/admin/users/{bot.uuid}/comments/unhide", {"entry": str(entry.id)}).status_code == 303
    logged = [(e["action"], e["detail"], e["by_me"]) for e in spammer.get("/me/data.json").json()["audit_log"]]
    assert logged == [
        ("comments.hide_all", f"2 comments by {bot.display_name}", False),
        ("comments.unhide_all",
         f"2 comments by {bot.display_name}, hidden together on {entry.at:%Y-%m-%d %H:%M} UTC", False),
    ]
