"""Signing in and out through the real app on SQLite and PostgreSQL, with mail delivered to a
real SMTP server (aiosmtpd): links, passwords, sessions, fixation, enumeration, CSRF, headers."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from papertide.web.sessions import COOKIE as SESSION
from tests.community.conftest import csrf, post, sign_in


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_sign_in_link_arrives_by_smtp_confirms_on_post_and_works_once(client, mailbox):
    r = post(client, "/auth/sign-in/link", {"email": "Ada@Example.org", "next": "/trending"})
    assert r.status_code == 200 and "Check your email" in r.text
    link = mailbox.link("ada@example.org")
    assert mailbox.wait_for("ada@example.org")["Subject"] == "Your sign-in link for papertide"
    # GET only shows a button (mail scanners that follow links use nothing up).
    page = client.get(_path(link))
    assert page.status_code == 200 and "Continue as <strong>Ada@example.org</strong>" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.get(_path(link)).status_code == 200
    r = post(client, _path(link).split("?")[0], {"next": "/trending"})
    assert r.status_code == 303 and r.headers["location"] == "/profile?welcome=1"  # a new account goes to its profile
    cookie = r.headers["set-cookie"]
    assert all(x in cookie.lower() for x in ("httponly", "samesite=lax", "path=/"))
    assert re.search(r"Reader \d{6}", client.get("/profile").text)  # readable, from the UUID
    again = post(client, _path(link).split("?")[0])
    assert again.status_code == 400 and "expired or was already used" in again.text


def test_expired_links_do_not_sign_in(client, mailbox):
    accounts = client.app.state.services.community.accounts
    _, token = accounts.request_login_link("late@example.org")
    real_now = accounts.now
    accounts.now = lambda: real_now() + timedelta(minutes=16)
    assert client.get(f"/auth/link/{token}").status_code == 400
    r = post(client, f"/auth/link/{token}")
    assert r.status_code == 400 and SESSION not in client.cookies


def test_link_requests_do_not_reveal_whether_an_account_exists(client, mailbox):
    sign_in(TestClient(client.app), "known@example.org")
    known = post(client, "/auth/sign-in/link", {"email": "known@example.org"})
    unknown = post(client, "/auth/sign-in/link", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("known@example.org", "X") == unknown.text.replace("nobody@example.org", "X")
    bad = post(client, "/auth/sign-in/link", {"email": "not-an-address"})
    assert bad.status_code == 400 and "valid email" in bad.text


def test_passwords_are_optional_argon2id_and_failures_look_alike(client, db):
    sign_in(client, "pw@example.org")
    short = post(client, "/profile/password", {"password": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    assert post(client, "/profile/password", {"password": "correct horse battery"}).status_code == 303
    with db.read() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM accounts").scalar()
    assert stored.startswith("$argon2id$")
    fresh = TestClient(client.app)
    wrong = post(fresh, "/auth/sign-in/password", {"email": "pw@example.org", "password": "wrong password!"})
    nouser = post(fresh, "/auth/sign-in/password", {"email": "ghost@example.org", "password": "wrong password!"})
    assert wrong.status_code == nouser.status_code == 400
    assert wrong.text.replace("pw@example.org", "X") == nouser.text.replace("ghost@example.org", "X")
    ok = post(fresh, "/auth/sign-in/password", {"email": "PW@example.org", "password": "correct horse battery", "next": "/about"})
    assert ok.status_code == 303 and ok.headers["location"] == "/about"


def test_session_fixation_is_prevented(client):
    # An attacker plants a session cookie of their choosing before the victim signs in.
    planted = "attacker-chosen-token.forged-signature"
    client.cookies.set(SESSION, planted, domain="testserver.local")
    assert "Sign in" in client.get("/").text  # a cookie we did not sign is nobody
    sign_in(client, "victim@example.org")
    assert client.cookies[SESSION] != planted
    # And a previously valid session presented at sign-in is replaced, not reused.
    before = client.cookies[SESSION]
    sign_in(client, "victim@example.org")
    after = client.cookies[SESSION]
    assert after != before
    stale = TestClient(client.app)
    stale.cookies.set(SESSION, before, domain="testserver.local")
    assert "victim" not in stale.get("/profile", follow_redirects=False).headers.get("location", "/profile")
    assert stale.get("/profile", follow_redirects=False).status_code == 303


def test_sign_out_and_sign_out_everywhere(client):
    laptop, phone = client, TestClient(client.app)
    sign_in(laptop, "two@example.org")
    sign_in(phone, "two@example.org")
    assert phone.get("/profile").status_code == 200
    assert post(laptop, "/auth/sign-out-everywhere").status_code == 303
    assert phone.get("/profile", follow_redirects=False).status_code == 303
    assert laptop.get("/profile", follow_redirects=False).status_code == 303
    sign_in(phone, "two@example.org")
    assert post(phone, "/auth/sign-out").status_code == 303
    assert phone.get("/profile", follow_redirects=False).headers["location"].startswith("/auth/sign-in")



def test_setting_a_password_signs_out_every_other_session(client):
    # Someone who changes their password because a device or session may be in other hands
    # expects those to end; the browser they changed it in stays signed in.
    laptop, stolen = client, TestClient(client.app)
    sign_in(laptop, "owner@example.org")
    sign_in(stolen, "owner@example.org")
    assert post(laptop, "/profile/password", {"password": "a brand new passphrase"}).status_code == 303
    assert stolen.get("/profile", follow_redirects=False).status_code == 303
    assert laptop.get("/profile").status_code == 200
    assert "signs you out on your other devices" in laptop.get("/profile").text
    # A password that is refused changes nothing, sessions included.
    sign_in(stolen, "owner@example.org")
    assert post(laptop, "/profile/password", {"password": "short"}).status_code == 400
    assert stolen.get("/profile").status_code == 200

def test_state_changes_without_a_csrf_token_are_rejected(client):
    sign_in(client, "csrf@example.org")
    for url, data in [("/profile/name", {"display_name": "Mallory"}), ("/auth/sign-out-everywhere", {}),
                      ("/auth/sign-in/link", {"email": "x@example.org"}), ("/collections", {"name": "x"})]:
        missing = client.post(url, data=data, follow_redirects=False)
        forged = client.post(url, data={**data, "csrf_token": "0" * 64}, follow_redirects=False)
        assert (missing.status_code, forged.status_code) == (403, 403), url
        assert "CSRF" in missing.text
    # A token from another browser's cookie does not work either.
    other = TestClient(client.app)
    assert client.post("/profile/name", data={"display_name": "M", "csrf_token": csrf(other)}).status_code == 403
    assert "Mallory" not in client.get("/profile").text
    # The header form (htmx) works.
    r = client.post("/profile/name", data={"display_name": "Grace"}, headers={"X-CSRF-Token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and "Grace" in client.get("/profile").text


def test_security_headers_on_every_response(client):
    for url in ("/", "/auth/sign-in", "/no/such/page", "/static/community.css"):
        h = client.get(url).headers
        assert "script-src 'self'" in h["content-security-policy"], url
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert (h["x-content-type-options"], h["referrer-policy"], h["x-frame-options"]) == (
            "nosniff", "strict-origin-when-cross-origin", "DENY",
        )


def test_sign_in_is_rate_limited_with_retry_after(client):
    client.app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill during the test
    codes = [post(client, "/auth/sign-in/link", {"email": "flood@example.org"}).status_code for _ in range(7)]
    assert codes == [200] * 3 + [400] * 2 + [429] * 2  # three unused links an hour; refusals spend tokens too
    r = post(client, "/auth/sign-in/link", {"email": "flood@example.org"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_open_redirects_are_refused(client):
    sign_in(client, "nav@example.org")
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        r = post(client, "/auth/sign-in/password", {"email": "nav@example.org", "password": "x", "next": evil})
        assert "evil" not in r.headers.get("location", "")
        assert f'value="{evil}"' not in r.text


def test_a_link_clicked_twice_at_once_signs_in_only_once(app):
    from concurrent.futures import ThreadPoolExecutor

    from papertide.community import Denied

    accounts = app.state.services.community.accounts
    _, token = accounts.request_login_link("race@example.org")

    def use(_):  # type: ignore[no-untyped-def]
        try:
            return accounts.complete_login_link(token).session_token
        except Denied:
            return None

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(use, range(6)))
    assert sum(r is not None for r in results) == 1


def test_only_pages_set_the_csrf_cookie(client):
    assert "pt_csrf" not in client.get("/static/community.css").headers.get("set-cookie", "")
    assert "pt_csrf" not in client.get("/healthz").headers.get("set-cookie", "")
    assert "pt_csrf=" in client.get("/auth/sign-in").headers["set-cookie"]
    # Pages cached for every signed-out visitor hold no form token, so they hand out no cookie.
    assert "set-cookie" not in client.get("/about").headers


def test_pages_for_signed_in_people_are_not_stored_by_shared_caches(client):
    assert client.get("/about").headers["cache-control"].startswith("public, ")  # the same for every visitor
    sign_in(client, "private@example.org")
    assert client.get("/about").headers["cache-control"] == "private, no-store"
    assert "cache-control" not in client.get("/static/community.css").headers or \
        client.get("/static/community.css").headers["cache-control"] != "private, no-store"


def test_links_asked_for_a_strangers_address_do_not_lock_its_owner_out_of_their_password(client, mailbox):
    sign_in(client, "owner@example.org")
    assert post(client, "/profile/password", {"password": "correct horse battery"}).status_code == 303
    attacker = TestClient(client.app, headers={"x-forwarded-for": "203.0.113.9"})
    codes = [post(attacker, "/auth/sign-in/link", {"email": "owner@example.org"}).status_code for _ in range(8)]
    assert 429 in codes  # the owner's inbox is protected: links to it are limited
    owner = TestClient(client.app)
    ok = post(owner, "/auth/sign-in/password", {"email": "owner@example.org", "password": "correct horse battery"})
    assert ok.status_code == 303


def test_spent_password_attempts_keep_the_form_and_point_to_a_sign_in_link(client, mailbox):
    client.app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill during the test
    attacker = TestClient(client.app, headers={"x-forwarded-for": "203.0.113.9"})
    codes = [post(attacker, "/auth/sign-in/password", {"email": "owner@example.org", "password": "guess"}).status_code
             for _ in range(6)]
    assert codes[-1] == 429 and 429 not in codes[:5], codes
    owner = TestClient(client.app)
    r = post(owner, "/auth/sign-in/password", {"email": "owner@example.org", "password": "correct horse battery"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert 'id="password-form"' in r.text and 'value="owner@example.org"' in r.text
    assert "Too many password attempts" in r.text and "sign-in link" in r.text
    # The way the message points to still works for the owner.
    assert post(owner, "/auth/sign-in/link", {"email": "owner@example.org"}).status_code == 200


def test_three_unused_links_an_hour_go_to_one_address_whoever_asks(client, mailbox):
    """The per-process limiter lets a script mail a stranger every half minute; the stored links
    themselves cap it, across processes and addresses of the asker."""
    accounts, limiter = client.app.state.services.community.accounts, client.app.state.services.community.limiter
    limiter.clock = lambda: 1000.0
    askers = [TestClient(client.app, headers={"x-forwarded-for": f"203.0.113.{i}"}) for i in range(5)]
    codes = [post(a, "/auth/sign-in/link", {"email": "victim@example.org"}).status_code for a in askers[:3]]
    assert codes == [200, 200, 200]
    refused = post(askers[3], "/auth/sign-in/link", {"email": "Victim@example.org"})
    assert refused.status_code == 400 and "Three sign-in links went to this address in the last hour" in refused.text
    assert 'value="Victim@example.org"' in refused.text  # the form again, with the address
    assert [str(m["To"]) for m in mailbox.messages].count("victim@example.org") == 3  # sent before each response
    # Using one lets the owner ask again; so does the hour passing.
    link = mailbox.link("victim@example.org")
    assert post(client, _path(link).split("?")[0]).status_code == 303
    assert post(askers[4], "/auth/sign-in/link", {"email": "victim@example.org"}).status_code == 200
    real_now = accounts.now
    accounts.now = lambda: real_now() + timedelta(minutes=61)
    limiter.clock = lambda: 1000.0 + 61 * 60
    assert post(askers[4], "/auth/sign-in/link", {"email": "victim@example.org"}).status_code == 200


def test_three_links_someone_else_asked_for_do_not_lock_the_owner_out_once_they_have_expired(client, mailbox):
    """A stranger asking for three links to an address (anyone can) made its owner, 20 minutes later
    with every link expired, read "Use one of them" and wait the rest of the hour. The cap refuses
    only while a link it counts still works: the refused always holds one that does."""
    accounts, limiter = client.app.state.services.community.accounts, client.app.state.services.community.limiter
    limiter.clock = lambda: 1000.0
    start = accounts.now()
    accounts.now = lambda: start
    stranger = TestClient(client.app, headers={"x-forwarded-for": "203.0.113.7"})
    assert [post(stranger, "/auth/sign-in/link", {"email": "owner@example.org"}).status_code
            for _ in range(3)] == [200, 200, 200]
    accounts.now = lambda: start + timedelta(minutes=10)  # the links still work: refused, and told until when
    refused = post(TestClient(client.app), "/auth/sign-in/link", {"email": "owner@example.org"})
    expired = (start + timedelta(minutes=15)).strftime("%H:%M")
    assert refused.status_code == 400 and f"ask again after {expired} UTC" in refused.text
    accounts.now = lambda: start + timedelta(minutes=20)  # all three expired, within the hour
    limiter.clock = lambda: 1000.0 + 20 * 60
    mailbox.messages.clear()
    owner = TestClient(client.app)
    assert post(owner, "/auth/sign-in/link", {"email": "owner@example.org"}).status_code == 200
    assert post(owner, _path(mailbox.link("owner@example.org")).split("?")[0]).status_code == 303
    assert owner.get("/profile").status_code == 200


def test_two_members_choosing_one_name_at_once_do_not_both_get_it(db, db_url):
    """Each rename asked "does another member go by this name?" before the other committed, and
    both members ended up as "Grace Hopper": comments and "Submitted by" read as either's."""
    import pytest

    from papertide.community.accounts import Accounts
    from papertide.domain.accounts import InvalidInput
    from papertide.storage import users as users_store
    from papertide.storage.db import Database
    from tests.interleave import between

    with db.write() as conn:
        ada = users_store.find_or_create_user(conn, "ada@example.org")[0]
        bob = users_store.find_or_create_user(conn, "bob@example.org")[0]
    other = Database(db_url)
    asks = lambda s: s.startswith("SELECT users.display_name") and "users.id !=" in s  # noqa: E731 - name_taken's query
    try:
        with between(db, asks, other, lambda: Accounts(other).set_display_name(bob, "grace hopper"),
                     waits=lambda s: "pg_advisory_xact_lock" in s) as second:
            Accounts(db).set_display_name(ada, "Grace Hopper")
        with pytest.raises(InvalidInput, match="Another member already uses the name"):
            second.join()
    finally:
        other.dispose()
    with db.read() as conn:
        assert [u.display_name for u in (users_store.get_user(conn, ada.id), users_store.get_user(conn, bob.id))
                if u is not None and u.display_name.lower() == "grace hopper"] == ["Grace Hopper"]


def test_saving_or_removing_a_password_says_so_where_the_form_is(client, mailbox):
    """The redirect named what was saved, but the profile never said it: the form just came back empty."""
    sign_in(client, "keys@example.org")
    saved = post(client, "/profile/password", {"password": "correct horse battery"})
    assert saved.headers["location"] == "/profile?saved=password#password-set-form"
    page = client.get(saved.headers["location"]).text
    assert '<p class="notice" role="status">Password saved. You are signed out on your other devices.</p>' in page
    removed = post(client, "/profile/password", {"remove": "1"})
    page = client.get(removed.headers["location"]).text
    assert "Password removed: you sign in with an emailed link." in page and "Password saved" not in page
    # A notice from the address alone says nothing false: no password, no "saved".
    assert "Password saved" not in client.get("/profile?saved=password").text
