"""A member's data from end to end, on SQLite and PostgreSQL: "Download my data" holds every row
kept about them (no secrets), "Delete my account" leaves their address, name and words in no
table and every key they held (session, API token, feed URL, emailed links) dead, and a ban
refuses each of those keys too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from papertide.storage import digests as digests_store
from papertide.storage import personal_data
from papertide.storage import recs as recs_store
from papertide.storage import users as users_store
from papertide.storage.schema import metadata
from papertide.storage.tables.search import DIALECT_ONLY_OBJECTS
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

EMAIL, NAME = "Zyx.Member@example.org", "Quillfeather Zyx"
WORDS = "my quillfeather manifesto"


def _tables_with_member_data() -> set[str]:
    """Tables that reference users or hold an address, and (transitively) tables hanging off them."""
    found = {t.name for t in metadata.sorted_tables
             if any(fk.column.table.name == "users" for fk in t.foreign_keys)
             or {"email", "recipient"} & set(t.c.keys())}
    grew = True
    while grew:
        more = {t.name for t in metadata.sorted_tables
                if any(fk.column.table.name in found for fk in t.foreign_keys) and t.name != "papers"}
        grew = bool(more - found)
        found |= more
    return found


def test_every_table_holding_a_members_data_is_exported_and_deleted():
    assert _tables_with_member_data() <= personal_data.COVERED_TABLES


def _member_with_everything(client, db):  # type: ignore[no-untyped-def]
    """A member with a row in every table that can hold theirs; returns (user, unsubscribe token)."""
    services = client.app.state.services
    add_papers(db, make_paper("2606.00001"), make_paper("2606.00002"))
    admin = sign_in(client.__class__(client.app), "root@example.org", role="admin")
    member = sign_in(client, EMAIL)
    services.community.accounts.set_display_name(member, NAME)
    with db.write() as conn:
        bob = users_store.find_or_create_user(conn, "bob@example.org")[0]
    theirs = services.community.discussion.add(member, "2606.00001", WORDS)
    services.community.discussion.add(bob, "2606.00001", "A reply that must keep its thread", reply_to=theirs.uuid)
    bobs = services.community.discussion.add(bob, "2606.00002", "Bob's own")
    services.community.discussion.report(member, bobs.uuid, "quillfeather thinks this is spam")
    services.community.discussion.set_hidden(admin, theirs.uuid, True)  # the audit log records the author's name
    services.community.discussion.set_hidden(admin, theirs.uuid, False)
    services.community.accounts.set_banned(admin, member.uuid, True)  # … and a ban, the address
    services.community.accounts.set_banned(admin, member.uuid, False)
    member = sign_in(client, EMAIL)  # the ban signed them out
    services.community.accounts.request_login_link(EMAIL)  # a link still unused
    services.subscriptions.subscribe(EMAIL, {}, name=NAME)  # queues the confirmation mail
    sub = services.subscriptions.get_by_email(EMAIL)
    services.subscriptions.record_bounce(EMAIL, "soft", "mailbox full")
    with db.write() as conn:
        digests_store.record_items(conn, [(sub.id, "2606.00002", None)])
    return member, services.subscriptions.notices.token("unsubscribe", sub)


def test_download_my_data_holds_reports_audit_mail_bounces_and_links(client, db):
    member, _ = _member_with_everything(client, db)
    data = client.app.state.services.signals.export(member)
    assert [r["reason"] for r in data["comment_reports"]] == ["quillfeather thinks this is spam"]
    assert [(e["action"], e["by_me"]) for e in data["audit_log"]] == [
        ("comment.hide", False), ("comment.unhide", False), ("user.ban", False), ("user.unban", False),
    ]
    assert "actor_id" not in data["audit_log"][0]  # which moderator acted is not the member's data
    assert [(e["kind"], e["status"]) for e in data["emails"]] == [("confirm", "pending")]
    assert [(b["kind"], b["detail"]) for b in data["email_bounces"]] == [("soft", "mailbox full")]
    assert [p["arxiv_id"] for p in data["digest_papers_sent"]] == ["2606.00002"]
    assert [(s["name"], s["status"]) for s in data["email_subscriptions"]] == [(NAME, "unconfirmed")]
    assert [link["used_at"] is None for link in data["sign_in_links"]] == [False, False, True]
    flat = repr(data)
    assert "hash" not in flat.replace("has_", "") and "raw" not in data["emails"][0]  # no digests, no mail bodies


def _every_stored_text(db) -> str:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        tables = [t for t in metadata.sorted_tables if t.name not in DIALECT_ONLY_OBJECTS]
        return "\n".join(repr(tuple(r)) for t in tables for r in conn.execute(sa.select(t))).lower()


def test_deleting_an_account_leaves_no_address_name_or_words_and_no_key_works(client, db):
    services = client.app.state.services
    member, unsubscribe_token = _member_with_everything(client, db)
    api_token = services.tokens.create_for_user(member.id, "read", "laptop").secret
    feed = f"/for-you/feed/{services.signals.create_feed_token(member)}.atom"
    assert client.get(feed).status_code == 200
    _, pending_link = services.community.accounts.request_login_link(EMAIL)
    assert EMAIL.lower() in _every_stored_text(db)

    r = post(client, "/me/delete", {"email": EMAIL})
    assert r.status_code == 303 and r.headers["location"] == "/?account=deleted"
    stored = _every_stored_text(db)
    for left in (EMAIL.lower(), NAME.lower(), WORDS):
        assert left not in stored, left
    # The thread keeps its shape: the reply under a "[deleted]" placeholder, the report others see stays.
    threads, visible = services.community.discussion.threads("2606.00001", None)
    assert [(t.comment.status, t.comment.body, [c.body for c in t.replies]) for t in threads] == [
        ("deleted", "", ["A reply that must keep its thread"])
    ]
    assert visible == 1 and "[deleted]" in client.get("/papers/2606.00001").text

    # Every key the member held is dead, and none of them errors.
    anonymous = client.__class__(client.app)
    assert client.get("/me/interests", follow_redirects=False).status_code == 303  # the old session cookie
    assert anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"}).status_code == 401
    assert anonymous.get(feed).status_code == 404
    assert post(anonymous, f"/auth/link/{pending_link}").status_code == 400  # no sign-up from an old link
    with db.read() as conn:
        assert users_store.get_user_by_email(conn, EMAIL) is None
    for method in (anonymous.get, anonymous.post):
        gone = method(f"/unsubscribe?token={unsubscribe_token}")
        assert gone.status_code == 400 and "no longer exists" in gone.text


def _not_interested_link(client, db, email: str) -> str:  # type: ignore[no-untyped-def]
    """The member's digest "Not interested" link, as the digest builds it."""
    services = client.app.state.services
    with db.read() as conn:
        _, member_uuid = recs_store.members_with_signals(conn, [email])[email.lower()]
    url = services.digests.notices.not_interested_url(member_uuid, "2606.00002")
    return parse_qs(urlsplit(url).query)["token"][0]


def test_a_deleted_members_digest_link_never_acts_on_whoever_signs_up_next(client, db):
    """SQLite gives a deleted account's row id to the next sign-up; the link names the member, not the row."""
    add_papers(db, make_paper("2606.00001"), make_paper("2606.00002"))
    gone = sign_in(client, "gone@example.org")
    client.app.state.services.signals.follow(gone, "category", "cs.LG")
    token = _not_interested_link(client, db, "gone@example.org")
    assert post(client, "/me/delete", {"email": "gone@example.org"}).status_code == 303

    newcomer_client = client.__class__(client.app)
    newcomer = sign_in(newcomer_client, "newcomer@example.org")
    r = post(client.__class__(client.app), "/digest/not-interested", {"token": token})
    assert r.status_code == 400 and "no longer exists" in r.text
    if db.engine.dialect.name == "sqlite":
        assert newcomer.id == gone.id  # the case the link must survive
    # A link from a digest sent before links named the member by uuid names a row id: refused.
    older = URLSafeTimedSerializer(client.app.state.services.settings.secret_key, salt="papertide.email.not_interested")
    r = post(client.__class__(client.app), "/digest/not-interested", {"token": older.dumps({"u": gone.id, "a": "2606.00002"})})
    assert r.status_code == 400 and "older digest" in r.text
    assert not any(client.app.state.services.signals.marks(newcomer).values())


def test_a_ban_refuses_the_members_api_tokens_and_private_feed(client, db):
    services = client.app.state.services
    admin = sign_in(client.__class__(client.app), "root@example.org", role="admin")
    member = sign_in(client, EMAIL)
    api_token = services.tokens.create_for_user(member.id, "read", "laptop").secret
    feed_token = services.signals.create_feed_token(member)
    reader = client.__class__(client.app)
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert reader.get("/api/v1/me", headers=bearer).status_code == 200
    assert reader.get(f"/for-you/feed/{feed_token}.atom").status_code == 200

    services.community.accounts.set_banned(admin, member.uuid, True)
    assert client.get("/me/interests", follow_redirects=False).status_code == 303
    refused = reader.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 403 and "suspended" in refused.json()["error"]["message"]
    assert reader.get(f"/for-you/feed/{feed_token}.atom").status_code == 404

    services.community.accounts.set_banned(admin, member.uuid, False)  # lifting the ban gives them back
    assert reader.get("/api/v1/me", headers=bearer).status_code == 200
    assert reader.get(f"/for-you/feed/{feed_token}.atom").status_code == 200
