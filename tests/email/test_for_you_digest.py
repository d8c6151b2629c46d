"""The digest's "For you" section over a real SMTP server: members with signals get their ranked
papers (size-capped, above a score floor) with a "Not interested" link that works without signing
in (GET asks, POST records); subscribers without an account or signals get the plain digest."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from papertide.domain.subscriptions import Preferences
from papertide.storage import recs as recs_store
from papertide.storage import subscriptions as subscriptions_store
from tests.community.conftest import post, sign_in
from tests.email.conftest import csrf_of, links_in
from tests.factories import add_papers, app_for, make_paper

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
DAY = date(2026, 6, 4)
PROTEIN = "Protein structure prediction with diffusion models over amino acid residues and backbone geometry"
WINDOW = [  # listed on the digest's day: the daily digest's new papers
    ("2606.00011", "Diffusion models fold protein backbones", PROTEIN + " folding"),
    ("2606.00012", "Graph colouring heuristics", "Greedy heuristics for colouring sparse random graphs"),
    ("2606.00013", "Solar wind turbulence from spacecraft", "Magnetometer data on solar wind turbulence spectra"),
    ("2606.00014", "Knot invariants of torus links", "We compute knot invariants for torus links and braids"),
    ("2606.00015", "Auction design for ad markets", "Revenue optimal auctions with reserve prices for ads"),
    ("2606.00016", "Lattice QCD at finite density", "Sign problem in lattice QCD simulations at finite density"),
]


def _setup(client, db, email: str = "ada@example.org", member: bool = True):  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2605.00001", title="Protein diffusion models", abstract=PROTEIN, published=date(2026, 5, 1)),
               *[(make_paper(a, title=t, abstract=ab, published=DAY, categories=("math.GT",)), DAY) for a, t, ab in WINDOW])
    user = None
    if member:
        user = sign_in(client, email)
        assert post(client, "/vote/2605.00001", {"state": "on"}).status_code == 303
    with db.write() as conn:  # wants only a topic nothing matches: the plain digest alone would be empty
        subscriptions_store.bulk_create_confirmed(conn, [(email, Preferences(trending=False, keywords=("quasar",)))],
                                                  datetime(2026, 6, 1, tzinfo=UTC))
    return user


def _digest(client, smtp_sink):  # type: ignore[no-untyped-def]
    services = client.app.state.services
    report = services.digests.run(THURSDAY)
    services.outbox_sender.drain()
    return report, (smtp_sink.handler.messages[-1] if report.composed else None)


def test_members_get_a_for_you_section_with_working_not_interested_links(mail_app, mail_client, smtp_sink, db):
    user = _setup(mail_client, db)
    report, msg = _digest(mail_client, smtp_sink)
    assert report.composed == 1
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "== For you ==" in text and ">For you</h2>" in html
    section = text.split("== For you ==")[1]
    assert "Diffusion models fold protein backbones" in section and "Knot invariants" not in section
    links = [u for u in links_in(msg) if "/digest/not-interested?token=" in u]
    assert len(links) == section.count("Not interested:") == 1  # the one paper well above the floor
    assert links[0] in html
    url = urlsplit(links[0])

    # A mail scanner (no cookies, GET) is asked, and records nothing.
    scanner = TestClient(mail_app, base_url="https://papers.example")
    page = scanner.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and 'action="/digest/not-interested"' in page.text
    with db.read() as conn:
        assert recs_store.not_interested_ids(conn, user.id) == set()
    token = parse_qs(url.query)["token"][0]
    r = scanner.post("/digest/not-interested", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "Noted" in r.text
    with db.read() as conn:
        marked = recs_store.marked_papers(conn, user.id)
    assert [(m.kind, m.source) for m in marked] == [("not_interested", "digest")]
    bad = scanner.post("/digest/not-interested", data={"token": "forged", "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 400 and "not valid" in bad.text
    # A link a mail client ran on into the next line's text: the page explains, not a 422.
    mangled = scanner.get(f"{url.path}?{url.query}" + "x" * 600)
    assert mangled.status_code == 400 and "This link does not work" in mangled.text and "not valid" in mangled.text
    long = scanner.post("/digest/not-interested", data={"token": token + "x" * 600, "csrf_token": csrf_of(page.text)})
    assert long.status_code == 400 and "not valid" in long.text


def test_the_section_is_size_capped(mail_settings, db, smtp_sink):
    capped = app_for(mail_settings.model_copy(update={"digest_for_you_size": 3, "digest_for_you_min_score": -99.0}), db)
    with TestClient(capped, base_url="https://papers.example") as client:
        _setup(client, db)
        _, msg = _digest(client, smtp_sink)
        section = msg.get_body(("plain",)).get_content().split("== For you ==")[1]
        assert section.count("Not interested:") == 3  # no floor: the cap alone stops it


def test_a_quiet_period_sends_no_section(mail_settings, db, smtp_sink):
    strict = app_for(mail_settings.model_copy(update={"digest_for_you_min_score": 50.0}), db)
    with TestClient(strict, base_url="https://papers.example") as client:
        _setup(client, db)
        report, _ = _digest(client, smtp_sink)
        assert (report.composed, report.empty) == (0, 1)  # nothing above the floor, nothing else: not sent


def test_subscribers_without_signals_get_the_plain_digest(mail_client, smtp_sink, db):
    _setup(mail_client, db, member=False)
    sign_in(mail_client, "ada@example.org")  # an account, but no signals
    report, _ = _digest(mail_client, smtp_sink)
    assert (report.composed, report.empty) == (0, 1)
