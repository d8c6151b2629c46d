"""A curator cleaning up after a spam wave (both databases): one member's audit log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from papertide.storage import audit
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
