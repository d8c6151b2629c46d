"""/admin as an admin uses it on a busy instance: every user and every audit entry can be reached."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from papertide.storage import audit
from papertide.storage import users as users_store
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper


def _user_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="user-([0-9a-f-]+)">', page)


def _audit_targets(page: str) -> list[str]:
    return re.findall(r"<td>audit\.test</td><td>(t\d+)</td>", page)


def test_every_audit_entry_can_be_reached_a_page_at_a_time(client):
    db = client.app.state.services.db
    with db.write() as conn:
        for n in range(130):  # members' submissions alone write this many on a busy day
            audit.record(conn, None, "audit.test", f"t{n}")
    sign_in(client, "root@example.org", role="admin")
    first = client.get("/admin").text
    shown = _audit_targets(first)
    assert shown == [f"t{n}" for n in range(129, 29, -1)]  # the newest 100, newest first
    older = re.search(r'href="(/admin\?audit_before=\d+#audit)"[^>]*>Older entries', first)
    assert older is not None, "no way to see entries older than the newest 100"
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert _audit_targets(second) == [f"t{n}" for n in range(29, -1, -1)]
    assert "Older entries" not in second and 'href="/admin#audit"' in second
    assert client.get("/admin?audit_before=abc").status_code == 422


def test_every_user_can_be_reached_a_page_at_a_time_and_a_search_keeps_its_words(client):
    db = client.app.state.services.db
    with db.write() as conn:
        made = [users_store.find_or_create_user(conn, f"member{n:03d}@lab.test")[0].uuid for n in range(120)]
    admin = sign_in(client, "root@example.org", role="admin")
    first = client.get("/admin").text
    more = re.search(r'href="(/admin\?[^"]*users_p=1[^"]*)"[^>]*>More users', first)
    assert more is not None, "no way to see users past the newest 100"
    second = client.get(more.group(1).replace("&amp;", "&")).text
    assert set(_user_rows(first)) | set(_user_rows(second)) == {*made, admin.uuid}
    assert not set(_user_rows(first)) & set(_user_rows(second))
    found = client.get("/admin?q=LAB.TEST").text
    more = re.search(r'href="(/admin\?[^"]*)"[^>]*>More users', found)
    assert more is not None and "q=LAB.TEST" in more.group(1)
    rest = client.get(more.group(1).replace("&amp;", "&")).text
    assert set(_user_rows(found)) | set(_user_rows(rest)) == set(made) and "More users" not in rest


def test_a_double_submitted_ban_or_a_change_to_what_is_already_so_is_logged_once_or_not_at_all(client):
    admin_client = client
    admin = sign_in(admin_client, "root@example.org", role="admin")
    with TestClient(client.app) as other:
        member = sign_in(other, "member@example.org")
    for _ in range(2):  # a double click, or the same form sent again from a second tab
        assert post(admin_client, f"/admin/users/{member.uuid}/ban", {"banned": "1"}).status_code == 303
    assert post(admin_client, f"/admin/users/{member.uuid}/role", {"role": "member"}).status_code == 303
    assert post(admin_client, f"/admin/users/{member.uuid}/role", {"role": "curator"}).status_code == 303
    log = admin_client.app.state.services.community.accounts.audit_log(admin)
    assert [(e.action, e.target, e.detail) for e in log] == [
        ("user.set_role", f"user:{member.uuid}", "member → curator"),
        ("user.ban", f"user:{member.uuid}", "member@example.org"),
    ]
    for _ in range(2):
        assert post(admin_client, f"/admin/users/{member.uuid}/ban", {"banned": "0"}).status_code == 303
    log = admin_client.app.state.services.community.accounts.audit_log(admin)
    assert [e.action for e in log] == ["user.unban", "user.set_role", "user.ban"]


def test_an_entry_whose_moderator_deleted_their_account_does_not_say_the_system_did_it(client):
    accounts = client.app.state.services.community.accounts
    owner, _ = accounts.create_admin("owner@example.org")  # from the command line: "system"
    gone = sign_in(client, "gone@example.org", role="admin")
    with TestClient(client.app) as other:
        member = sign_in(other, "member@example.org")
    assert post(client, f"/admin/users/{member.uuid}/ban", {"banned": "1"}).status_code == 303
    client.app.state.services.signals.delete_account(gone, "gone@example.org")
    with TestClient(client.app) as c:
        sign_in(c, "owner@example.org")
        page = c.get("/admin").text
    rows = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>(user\.[a-z_]+)</td><td><a [^>]+>[^<]*</a> ?"
                      r"<small class=\"muted\">user:([0-9a-f-]+)</small></td>", page)
    assert rows == [("[deleted account]", "user.ban", member.uuid), ("system", "user.create_admin", owner.uuid)]


def test_a_double_submitted_hide_or_dismiss_is_logged_once(client):
    add_papers(client.app.state.services.db, make_paper("2606.00001", title="A paper"))
    author = TestClient(client.app)
    sign_in(author, "author@example.org")
    made = []
    for body in ("First words", "Second words"):
        r = post(author, "/comments", {"arxiv_id": "2606.00001", "body": body})
        made.append(r.headers["location"].rsplit("comment-", 1)[1])
    reporter = TestClient(client.app)
    sign_in(reporter, "reporter@example.org")
    for uuid in made:
        assert post(reporter, f"/comments/{uuid}/report", {"reason": "spam"}).status_code == 303
    curator = sign_in(client, "curator@example.org", role="curator")
    hide, dismiss = made
    for _ in range(2):  # a double click on each button of the report queue
        assert post(client, f"/comments/{hide}/hide", {"hidden": "1"}).status_code == 303
        assert post(client, f"/admin/comments/{dismiss}/dismiss").status_code == 303
    log = client.app.state.services.community.accounts.audit_log(curator)
    assert sorted((e.action, e.target) for e in log) == [
        ("comment.hide", f"comment:{hide}"), ("report.dismiss", f"comment:{dismiss}"),
    ]


def test_curators_read_the_audit_log_without_banned_members_addresses(client):
    admin = TestClient(client.app)
    sign_in(admin, "root@example.org", role="admin")
    with TestClient(client.app) as other:
        member = sign_in(other, "member@example.org")
    assert post(admin, f"/admin/users/{member.uuid}/ban", {"banned": "1"}).status_code == 303
    assert "member@example.org" in admin.get("/admin").text  # admins see whom they banned
    sign_in(client, "curator@example.org", role="curator")
    page = client.get("/admin").text
    assert (f'<td>user.ban</td><td><a href="/admin?member={member.uuid}#audit" dir="auto">{member.display_name}</a> '
            f'<small class="muted">user:{member.uuid}</small></td><td>{audit.ADMINS_ONLY}</td>') in page
    assert "member@example.org" not in page


def test_the_audit_log_names_the_account_an_entry_is_about_and_links_its_paper(client):
    # The target column read "user:<uuid>": for a role change the only clue whom it was about.
    with TestClient(client.app) as other:
        member = sign_in(other, "member@example.org")
    with client.app.state.services.db.write() as conn:
        audit.record(conn, member.id, "paper.submit", "paper:2606.00001", "2026-06-03")
    sign_in(client, "root@example.org", role="admin")
    assert post(client, f"/admin/users/{member.uuid}/role", {"role": "curator"}).status_code == 303
    page = client.get("/admin").text
    # The name links to that member's own log (every entry by or about them).
    assert (f'<td>user.set_role</td><td><a href="/admin?member={member.uuid}#audit" dir="auto">{member.display_name}</a> '
            f'<small class="muted">user:{member.uuid}</small></td>') in page
    assert '<td>paper.submit</td><td><a href="/papers/2606.00001">paper:2606.00001</a></td>' in page


def test_a_ban_or_role_change_comes_back_to_the_searched_list_at_its_row(client):
    with TestClient(client.app) as other:
        member = sign_in(other, "needle@example.org")
    sign_in(client, "root@example.org", role="admin")
    page = client.get("/admin", params={"q": "needle"}).text
    assert '<input type="hidden" name="next" value="/admin?q=needle&amp;users_p=0">' in page
    for path, form, done in ((f"/admin/users/{member.uuid}/ban", {"banned": "1"}, "banned"),
                             (f"/admin/users/{member.uuid}/role", {"role": "curator"}, "role-set")):
        r = post(client, path, {**form, "next": "/admin?q=needle&users_p=0"})
        assert r.headers["location"] == f"/admin?q=needle&users_p=0&done={done}#user-{member.uuid}"
    # Only this page is a place to come back to.
    r = post(client, f"/admin/users/{member.uuid}/ban", {"banned": "0", "next": "https://evil.example/admin"})
    assert r.headers["location"] == f"/admin?done=unbanned#user-{member.uuid}"
    r = post(client, f"/admin/users/{member.uuid}/ban", {"banned": "1", "next": "/profile"})
    assert r.headers["location"] == f"/admin?done=banned#user-{member.uuid}"


def test_the_log_of_a_member_who_deleted_their_account_answers_with_the_admin_page_saying_so(client):
    """A moderator following an old link to ``/admin?member=`` (the member has since deleted their
    account) got the site's "Page not found", without the queue, the log or the way back."""
    gone_client = TestClient(client.app)
    gone = sign_in(gone_client, "leaving@example.org")
    assert post(gone_client, "/me/delete", {"email": "leaving@example.org"}).status_code == 303
    sign_in(client, "curator@example.org", role="curator")
    for member in (gone.uuid, "not-a-uuid<b>"):
        r = client.get("/admin", params={"member": member})
        assert r.status_code == 404  # the address names nothing, as before
        assert "Page not found" not in r.text and "<h1>Moderation</h1>" in r.text and 'id="reports"' in r.text
        notice = re.search(r'<p class="notice" role="status" id="no-such-member">(.*?)</p>', r.text)
        assert notice is not None and "No member has the id" in notice.group(1)
        assert "<b>" not in notice.group(1)  # the id as text, not markup
    assert client.get("/admin", params={"member": gone.uuid}).text.count('id="no-such-member"') == 1
    assert 'id="no-such-member"' not in client.get("/admin").text


def test_find_users_matches_names_and_addresses_in_any_case_and_script(client):
    """SQLite's lower() folds ASCII only: "josé" did not find "JOSÉ MÜLLER" there (PostgreSQL did),
    and LIKE read a typed "_" as any character, so "a_b" listed "axb@…" too."""
    db = client.app.state.services.db
    with db.write() as conn:
        jose, _ = users_store.find_or_create_user(conn, "jm@lab.test")
        users_store.set_display_name(conn, jose.id, "JOSÉ MÜLLER")
        under, _ = users_store.find_or_create_user(conn, "a_b@lab.test")
        other, _ = users_store.find_or_create_user(conn, "axb@lab.test")
        wide, _ = users_store.find_or_create_user(conn, "wide@lab.test")
        users_store.set_display_name(conn, wide.id, "Ｎｇ Ｗｅｉ")  # full-width letters, as some keyboards type them
    sign_in(client, "root@example.org", role="admin")
    for q, who in (("josé", jose), ("müller", jose), ("José Müller", jose), ("a_b", under), ("ng wei", wide)):
        assert _user_rows(client.get("/admin", params={"q": q}).text) == [who.uuid], q
    assert _user_rows(client.get("/admin", params={"q": "%"}).text) == []
    with db.read() as conn:  # the command line's `papertide users list QUERY` reads the same
        assert [u.uuid for u in users_store.list_users(conn, "LAB.TEST", limit=2, offset=1)] == [other.uuid, under.uuid]
        assert users_store.list_users(conn, "LAB.TEST", limit=2, offset=4) == []
