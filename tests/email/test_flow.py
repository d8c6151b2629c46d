"""The whole path on SQLite and PostgreSQL with a real SMTP server:
subscribe → confirm (GET shows, POST confirms) → digest → one-click unsubscribe."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from papertide.storage import outbox as outbox_store
from tests.email.conftest import csrf_of, links_in
from tests.factories import add_papers, make_paper

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)  # a weekday, after the default 07:00 send hour


def subscribe(client, email="ada@example.org", **fields):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/subscribe").text)
    data = {"csrf_token": token, "email": email, "timezone": "UTC", "send_hour": "7", "frequency": "daily", **fields}
    return client.post("/subscribe", data=data)


def path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_optin_digest_and_one_click_unsubscribe(mail_app, mail_client, smtp_sink, june_papers, db):
    r = subscribe(mail_client, name="Ada Lovelace", trending="1", categories="cs.CL", keywords="diffusion")
    assert r.status_code == 200 and "Check your inbox" in r.text
    assert smtp_sink.handler.wait_for(1)
    confirm = smtp_sink.handler.messages[0]
    assert confirm["To"] == "Ada Lovelace <ada@example.org>"
    confirm_url = next(u for u in links_in(confirm) if "/subscribe/confirm" in u)

    # A link scanner (GET, no cookies) sees the page but confirms nothing.
    page = TestClient(mail_app, base_url="https://papers.example").get(path(confirm_url))
    assert page.status_code == 200 and 'method="post" action="/subscribe/confirm"' in page.text
    services = mail_app.state.services
    assert services.subscriptions.get_by_email("ada@example.org").status == "unconfirmed"
    token = urlsplit(confirm_url).query.removeprefix("token=")
    assert "You're subscribed" in mail_client.post("/subscribe/confirm", data={"token": token}).text
    sub = services.subscriptions.get_by_email("ADA@example.org")
    assert sub.status == "confirmed"

    report = services.digests.run(THURSDAY)
    assert (report.due, report.composed, report.archived.isoformat()) == (1, 1, "2026-06-04")
    assert services.outbox_sender.drain().sent == 1
    digest = smtp_sink.handler.messages[1]

    # Headers, parsed by the email package from what the SMTP server received.
    with db.read() as conn:
        row = outbox_store.by_status(conn, "sent")[-1]
    assert digest["Message-ID"] == row["message_id"] and digest["Message-ID"].endswith("@papers.example>")
    assert parsedate_to_datetime(digest["Date"]) == THURSDAY
    assert digest["List-Id"] == "papertide digest <digest.papers.example>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_link, mailto_link = [x.strip(" <>") for x in digest["List-Unsubscribe"].split(",")]
    assert https_link.startswith("https://papers.example/unsubscribe?token=")
    assert mailto_link == f"mailto:unsubscribe@papers.example?subject=unsubscribe%20{sub.uuid}"
    assert digest["Subject"] == "papertide digest · Thursday 4 June 2026 · 4 papers"
    assert digest.get_content_type() == "multipart/alternative"
    text, html = digest.get_body(("plain",)).get_content(), digest.get_body(("html",)).get_content()
    # Round robin: trending, cs.CL and "diffusion" each get one, then trending the last.
    assert text.index("Scaling laws for retrieval") < text.index("A theory of everything small")
    assert "Why you got this: New in cs.CL, a category you follow." in text
    assert "Why you got this: Title or abstract mentions “diffusion”, a keyword you follow." in text
    assert "Ada Lovelace, Grace Hopper" in text and "▲ 25 upvotes" in text
    assert "https://papers.example/papers/2606.00002" in html
    assert 'style="font-size:15px;font-weight:600;' in html  # CSS inlined on the elements
    assert "Robots that fold &lt;b&gt;laundry&lt;/b&gt;" in html  # titles are escaped in HTML, not in text
    assert "Robots that fold <b>laundry</b>" in text
    assert "/subscription?token=" in text and "/unsubscribe?token=" in text

    # Running again in the same period composes nothing; the next day repeats no paper.
    assert services.digests.run(THURSDAY + timedelta(hours=3)).already == 1
    friday = THURSDAY + timedelta(days=1)
    assert services.digests.run(friday).empty == 1  # nothing new → no email
    add_papers(db, (make_paper("2606.00005", title="Fresh on Friday", categories=("cs.CL",)), friday.date()))
    assert services.digests.run(friday + timedelta(hours=1)).composed == 1
    services.outbox_sender.drain()
    friday_text = smtp_sink.handler.messages[2].get_body(("plain",)).get_content()
    assert "Fresh on Friday" in friday_text and "Scaling laws" not in friday_text and "Robots" not in friday_text
    assert services.digests.run(THURSDAY + timedelta(days=4)).empty == 1  # Monday: nothing new → not sent

    # RFC 8058 one-click: a POST from the mail provider, no cookies, body List-Unsubscribe=One-Click.
    provider = TestClient(mail_app, base_url="https://papers.example")
    r = provider.post(path(https_link), content=b"List-Unsubscribe=One-Click",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "You're unsubscribed" in r.text
    assert services.subscriptions.get_by_email("ada@example.org").status == "unsubscribed"
    assert provider.post(path(https_link), content=b"List-Unsubscribe=One-Click",
                         headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 200
    assert services.digests.run(THURSDAY + timedelta(days=6)).due == 0


def test_subscribing_again_reveals_nothing_and_rate_limits_emails(mail_app, mail_client, smtp_sink):
    first = subscribe(mail_client, trending="1")
    again = subscribe(mail_client, trending="1")
    assert first.text == again.text
    smtp_sink.handler.wait_for(1)
    assert len(smtp_sink.handler.messages) == 1  # the second request was inside the resend window

    service = mail_app.state.services.subscriptions
    t0 = datetime.now(UTC) - timedelta(hours=3)  # in the past, so what it enqueues is due now
    assert service.subscribe("bob@example.org", {"trending": True}, now=t0).outbox_ids
    assert not service.subscribe("bob@example.org", {"trending": True}, now=t0 + timedelta(minutes=14)).outbox_ids
    assert service.subscribe("bob@example.org", {"trending": True}, now=t0 + timedelta(minutes=15)).outbox_ids
    sub = service.get_by_email("bob@example.org")
    service.confirm(mail_app.state.services.notices.token("confirm", sub))
    # A confirmed address: same answer, preferences untouched, a "manage" email instead.
    result = service.subscribe("bob@example.org", {"categories": "hep-th", "trending": False}, now=t0 + timedelta(hours=1))
    assert mail_app.state.services.outbox_sender.drain(only_ids=list(result.outbox_ids)).sent == 1
    assert service.get_by_email("bob@example.org").prefs.categories == ()
    assert smtp_sink.handler.messages[-1]["Subject"] == "You already get the papertide digest"
    assert "/subscription?token=" in smtp_sink.handler.messages[-1].get_body(("plain",)).get_content()


def test_header_injection_in_the_form_is_refused_with_a_clear_message(mail_app, mail_client, smtp_sink):
    r = subscribe(mail_client, email="victim@example.org\r\nBcc: list@example.org", trending="1")
    assert r.status_code == 400
    assert "The email address contains a line break or control character" in r.text
    r = subscribe(mail_client, name="Eve\r\nBcc: list@example.org", trending="1")
    assert r.status_code == 400 and "The name contains a line break" in r.text
    assert mail_app.state.services.subscriptions.get_by_email("ada@example.org") is None
    assert smtp_sink.handler.messages == []


def test_subscribe_form_needs_its_csrf_token(mail_client):
    mail_client.get("/subscribe")
    r = mail_client.post("/subscribe", data={"email": "ada@example.org", "trending": "1", "csrf": "forged"})
    assert r.status_code == 403 and "did not come from this site" in r.text


def test_forged_or_revoked_links_do_not_work(mail_app, mail_client):
    service, notices = mail_app.state.services.subscriptions, mail_app.state.services.notices
    service.subscribe("ada@example.org", {"trending": True})
    sub = service.get_by_email("ada@example.org")
    manage = notices.token("manage", sub)
    assert mail_client.get(f"/subscription?token={manage}").status_code == 200
    # A token for one purpose does not work for another; a tampered one is refused.
    assert mail_client.post("/subscribe/confirm", data={"token": manage}).status_code == 400
    assert "not valid" in mail_client.get(f"/unsubscribe?token={manage[:-2]}xx").text
    mail_client.post("/subscription/revoke", data={"token": manage})
    r = mail_client.get(f"/subscription?token={manage}")
    assert r.status_code == 400 and "replaced by a newer one" in r.text


def test_manage_preferences_and_preview(mail_app, mail_client, june_papers):
    service = mail_app.state.services.subscriptions
    service.subscribe("ada@example.org", {"trending": True})
    sub = service.get_by_email("ada@example.org")
    token = mail_app.state.services.notices.token("manage", sub)
    r = mail_client.post("/subscription", data={"token": token, "categories": "cs.RO", "max_papers": "5",
                                                "frequency": "weekly", "weekday": "2", "timezone": "Asia/Tokyo"})
    assert r.status_code == 200 and "Saved." in r.text
    prefs = service.get_by_email("ada@example.org").prefs
    assert (prefs.categories, prefs.trending, prefs.frequency, prefs.weekday, prefs.timezone) == (
        ("cs.RO",), False, "weekly", 2, "Asia/Tokyo")
    bad = mail_client.post("/subscription", data={"token": token, "categories": "cs.RO", "max_papers": "99"})
    assert bad.status_code == 400 and "between 5 and 30" in bad.text
    # A link that does not work is the error, whatever else the form holds.
    for data in ({}, {"token": "x", "frequency": "hourly"}, {"token": token + "x", "max_papers": "99"}):
        r = mail_client.post("/subscription", data=data)
        assert r.status_code == 400 and "This link does not work" in r.text and "between 5" not in r.text, data
    # A mistyped code would mail nothing, ever: refused with the code meant; any case is arXiv's spelling.
    typo = mail_client.post("/subscription", data={"token": token, "categories": "cs.ROO"})
    assert typo.status_code == 400 and "Did you mean cs.RO (Robotics)?" in typo.text
    assert mail_client.post("/subscription", data={"token": token, "categories": "CS.ro"}).status_code == 200
    assert service.get_by_email("ada@example.org").prefs.categories == ("cs.RO",)
    preview = mail_client.get(f"/digest/preview?token={token}").text
    assert "Robots that fold" in preview and "Scaling laws" not in preview
    anonymous = mail_client.get("/digest/preview?keywords=diffusion")
    assert "Latent diffusion for proteins" in anonymous.text and "Why you got this" in anonymous.text
    # The email's inline styles may render here; scripts still may not.
    assert anonymous.headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")


def test_unconfirmed_subscriptions_expire_after_seven_days(mail_app):
    service, composer = mail_app.state.services.subscriptions, mail_app.state.services.digests
    start = datetime(2026, 6, 1, 12, tzinfo=UTC)
    service.subscribe("late@example.org", {"trending": True}, now=start)
    assert composer.run(start + timedelta(days=6, hours=23)).expired_unconfirmed == 0
    assert composer.run(start + timedelta(days=7)).expired_unconfirmed == 1
    assert service.get_by_email("late@example.org") is None


def test_smtp_5xx_fails_for_good_and_4xx_is_retried(mail_app, smtp_sink, db):
    service, sender = mail_app.state.services.subscriptions, mail_app.state.services.outbox_sender
    smtp_sink.handler.reply = "550 5.1.1 no such user"
    ids = service.subscribe("gone@example.org", {"trending": True}).outbox_ids
    assert sender.drain(only_ids=list(ids)).failed == 1
    smtp_sink.handler.reply = "451 4.3.0 try again later"
    ids = service.subscribe("busy@example.org", {"trending": True}).outbox_ids
    assert sender.drain(only_ids=list(ids)).retried == 1
    with db.read() as conn:
        assert [(r["recipient"], r["status"], r["attempts"]) for r in outbox_store.by_status(conn, "failed")] == [
            ("gone@example.org", "failed", 1)]
        pending = outbox_store.by_status(conn, "pending")
        assert [(r["recipient"], r["attempts"], r["last_error"][:3]) for r in pending] == [("busy@example.org", 1, "451")]
    smtp_sink.handler.reply = None
    assert sender.drain(wait=True, timeout=10).sent == 1
    assert smtp_sink.handler.count_by_recipient() == {"busy@example.org": 1}


def test_bounce_webhook_applies_the_policy(mail_app, mail_client):
    service = mail_app.state.services.subscriptions
    for email in ("hard@example.org", "soft@example.org", "spam@example.org"):
        service.subscribe(email, {"trending": True})
        service.confirm(mail_app.state.services.notices.token("confirm", service.get_by_email(email)))
    auth = {"authorization": "Bearer bounce-secret"}
    assert mail_client.post("/email/bounces", json={"email": "hard@example.org", "kind": "hard"}).status_code == 401
    assert mail_client.post("/email/bounces", json={"email": "hard@example.org", "kind": "hard"}, headers=auth).json() == {
        "known": True, "action": "disabled"}
    soft = {"email": "soft@example.org", "kind": "soft"}
    actions = [mail_client.post("/email/bounces", json=soft, headers=auth).json()["action"] for _ in range(3)]
    assert actions == ["counted", "counted", "disabled"]
    assert mail_client.post("/email/bounces", json={"email": "spam@example.org", "kind": "complaint"},
                            headers=auth).json()["action"] == "unsubscribed"
    bad = mail_client.post("/email/bounces", json={"email": "x@example.org", "kind": "maybe"}, headers=auth)
    assert bad.status_code == 422 and "hard, soft, complaint" in bad.text
    # Whatever a sender presents or posts gets an answer, not a server error.
    assert mail_client.post("/email/bounces", json={"email": "x@example.org", "kind": "hard"},
                            headers={"authorization": "Bearer bounce-secr\u00e9t".encode()}).status_code == 401
    deep = mail_client.post("/email/bounces", content=b"[" * 5000 + b"]" * 5000,
                            headers={**auth, "content-type": "application/json"})
    assert deep.status_code == 422 and "expected JSON" in deep.text
    states = {e: (s.status, s.subscriber_status) for e in ("hard@example.org", "soft@example.org", "spam@example.org")
              if (s := service.get_by_email(e))}
    assert states == {"hard@example.org": ("confirmed", "disabled"), "soft@example.org": ("confirmed", "disabled"),
                      "spam@example.org": ("unsubscribed", "enabled")}
    # Disabled or unsubscribed addresses get no digests.
    assert mail_app.state.services.digests.run(THURSDAY).considered == 0


def test_bounce_webhook_refusals_are_json_like_its_answers(mail_client, client):
    # A webhook client reads JSON: a missing or wrong token (or the webhook being off) says so in it,
    # in the shape of the 422 for a body it cannot read, never as an HTML page.
    hard = {"email": "hard@example.org", "kind": "hard"}
    refusals = [
        mail_client.post("/email/bounces", json=hard),
        mail_client.post("/email/bounces", json=hard, headers={"authorization": "Bearer wrong"}),
    ]
    for r in refusals:
        assert (r.status_code, r.headers["www-authenticate"], r.json()) == (
            401, "Bearer", {"error": {"code": 401, "message": "Missing or wrong bearer token."}})
    off = client.post("/email/bounces", json=hard)  # no PAPERTIDE_BOUNCE_WEBHOOK_TOKEN set
    assert (off.status_code, off.json()["error"]["code"]) == (404, 404)
    assert "PAPERTIDE_BOUNCE_WEBHOOK_TOKEN" in off.json()["error"]["message"]


def test_public_archive_and_rss(mail_app, mail_client, june_papers):
    mail_app.state.services.digests.run(THURSDAY)
    assert "2026-06-04" in mail_client.get("/digests").text
    issue = mail_client.get("/digests/2026-06-04").text
    assert issue.index("Scaling laws for retrieval") < issue.index("Latent diffusion for proteins")
    rss = mail_client.get("/digests/feed.xml")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    assert "<link>https://papers.example/digests/2026-06-04</link>" in rss.text
    assert mail_client.get("/digests/2026-06-05").status_code == 404


def test_concurrent_digest_runs_compose_each_digest_once(mail_app, mail_settings, db, db_url, june_papers):
    """Two cron runs at once (two engines, as two processes would have): one digest per subscriber."""
    import threading

    from papertide.catalog import Catalog
    from papertide.email.composing import DigestComposer
    from papertide.email.notices import Notices
    from papertide.storage.db import Database
    from tests.email.conftest import confirmed_subscribers

    confirmed_subscribers(db, 60)
    reports, engines = [], [Database(db_url) for _ in range(2)]
    composers = [DigestComposer(e, mail_settings, Notices(mail_settings), Catalog(e, 1.5, 7, 50)) for e in engines]
    threads = [threading.Thread(target=lambda c=c: reports.append(c.run(THURSDAY))) for c in composers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    # However the two interleave, each digest is composed by exactly one of them.
    assert [r.composed + r.already for r in reports] == [60, 60]
    assert sum(r.composed for r in reports) == 60
    with db.read() as conn:
        rows = outbox_store.by_status(conn, "pending")
        assert len(rows) == len({r["recipient"] for r in rows}) == 60


def test_a_run_committing_between_anothers_reads_leaves_it_no_empty_digests(mail_settings, db, db_url, june_papers):
    """The other run commits right after this one looked up existing digests: this one must
    find them already composed, not every paper already sent and each digest empty."""
    import sqlalchemy as sa

    from papertide.catalog import Catalog
    from papertide.email.composing import DigestComposer
    from papertide.email.notices import Notices
    from papertide.storage.db import Database
    from tests.email.conftest import confirmed_subscribers

    confirmed_subscribers(db, 5)
    late, early = Database(db_url), Database(db_url)
    composer, other = (DigestComposer(e, mail_settings, Notices(mail_settings), Catalog(e, 1.5, 7, 50))
                       for e in (late, early))
    other_report = []

    def after(conn, cursor, statement, params, context, executemany):  # noqa: ARG001 - SQLAlchemy's signature
        if "idempotency_key" in statement and statement.lstrip().upper().startswith("SELECT") and not other_report:
            other_report.append(other.run(THURSDAY))

    sa.event.listen(late.engine, "after_cursor_execute", after)
    try:
        report = composer.run(THURSDAY)
    finally:
        late.dispose()
        early.dispose()
    assert other_report[0].composed == 5
    assert (report.composed, report.already, report.empty) == (0, 5, 0)
