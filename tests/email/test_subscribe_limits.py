"""/subscribe against abuse: the site's CSRF check and a per-IP rate limit, so one address
cannot make the site mail a stream of strangers."""

from fastapi.testclient import TestClient

from papertide.domain.ratelimits import POLICIES, Policy
from papertide.storage import outbox as outbox_store
from tests.email.conftest import csrf_of

PER_IP = 5  # subscribe requests one IP may make before waiting


def _visitor(app, ip: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url="https://papers.example", client=(ip, 50000))


def _subscribe(client: TestClient, email: str, **headers: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/subscribe").text)
    return client.post("/subscribe", data={"csrf_token": token, "email": email, "trending": "1"}, headers=headers)


def test_one_ip_may_subscribe_a_handful_of_addresses_an_hour_and_the_next_mails_nobody(mail_app, smtp_sink, db):
    assert POLICIES["subscribe"] == {"ip": Policy(PER_IP, PER_IP / 60)}
    mail_app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill during the test
    flooder, neighbour = _visitor(mail_app, "203.0.113.7"), _visitor(mail_app, "198.51.100.9")

    codes = [_subscribe(flooder, f"stranger{i}@example.org").status_code for i in range(PER_IP)]
    refused = _subscribe(flooder, "one-too-many@example.org")
    as_json = _subscribe(flooder, "json@example.org", accept="application/json")
    assert codes == [200] * PER_IP
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 60
    assert "Too many requests" in refused.text and "<html" in refused.text
    assert as_json.status_code == 429 and as_json.json()["error"]["code"] == 429

    assert smtp_sink.handler.wait_for(PER_IP)
    service = mail_app.state.services.subscriptions
    assert service.get_by_email("one-too-many@example.org") is None and service.get_by_email("json@example.org") is None
    with db.read() as conn:
        assert outbox_store.counts(conn) == {"sent": PER_IP}

    # Another IP is not affected.
    assert _subscribe(neighbour, "neighbour@example.org").status_code == 200
    assert smtp_sink.handler.wait_for(PER_IP + 1)
    assert sorted(smtp_sink.handler.count_by_recipient()) == sorted(
        [f"stranger{i}@example.org" for i in range(PER_IP)] + ["neighbour@example.org"])


def test_an_ipv6_host_cannot_escape_the_limit_by_moving_to_another_address_of_its_network(mail_app, smtp_sink):
    # Every IPv6 host holds a /64 of its own and may use any address in it (privacy addresses
    # change by themselves), so the /64 is what one client is; counting each address alone let a
    # single machine mail as many strangers as it had addresses to spare.
    mail_app.state.services.community.limiter.clock = lambda: 1000.0
    codes = [_subscribe(_visitor(mail_app, f"2001:db8:7:1::{i + 1:x}"), f"stranger{i}@example.org").status_code
             for i in range(PER_IP + 3)]
    assert codes == [200] * PER_IP + [429] * 3
    # The next network over is someone else, and an IPv4 address is still its own.
    assert _subscribe(_visitor(mail_app, "2001:db8:7:2::1"), "other@example.org").status_code == 200
    assert _subscribe(_visitor(mail_app, "::ffff:203.0.113.8"), "mapped@example.org").status_code == 200
    assert smtp_sink.handler.wait_for(PER_IP + 2)


def test_the_subscribe_form_uses_the_site_csrf_token_and_cookie(mail_client):
    page = mail_client.get("/subscribe")
    assert "pt_csrf=" in page.headers["set-cookie"] and "pt_subscribe_csrf" not in page.headers["set-cookie"]
    ok = mail_client.post("/subscribe", data={"csrf_token": csrf_of(page.text), "email": "ada@example.org", "trending": "1"})
    assert ok.status_code == 200 and "Check your inbox" in ok.text
    stranger = TestClient(mail_client.app, base_url="https://papers.example")  # no cookie: a cross-site form
    forged = stranger.post("/subscribe", data={"csrf_token": csrf_of(page.text), "email": "eve@example.org", "trending": "1"})
    assert forged.status_code == 403 and "did not come from this site" in forged.text
