"""Submitting a paper we do not hold fetches it through the ingest layer's arXiv-by-id lookup,
against a fake arXiv API served over real local HTTP (tests/ingest/fake_sources.py)."""

import threading
import time
from datetime import UTC, datetime

import httpx
import pytest

from papertide.web.csrf import COOKIE as CSRF_COOKIE
from papertide.web.csrf import token_for
from tests.community.conftest import post, sign_in
from tests.factories import app_for
from tests.ingest.conftest import sample_records
from tests.ingest.fake_sources import FakeServer, FakeSources
from tests.live import serve_app

TODAY = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def fake_arxiv():  # type: ignore[no-untyped-def]
    server = FakeServer(FakeSources(records=sample_records(2, day="2026-06-08")))
    yield server
    server.stop()


@pytest.fixture
def settings(settings, fake_arxiv):  # type: ignore[no-untyped-def]
    return settings.model_copy(update={
        "ingest_arxiv_api_url": f"{fake_arxiv.url}/api/query", "ingest_delay_seconds": 0, "ingest_max_retries": 0,
    })


def test_submitting_an_unknown_paper_fetches_it_from_arxiv(client, fake_arxiv):
    client.app.state.services.community.submissions.now = lambda: TODAY
    record = fake_arxiv.fake.records[0]
    sign_in(client, "fetcher@example.org")
    r = post(client, "/submit", {"paper": f"https://arxiv.org/abs/{record['arxiv_id']}"})
    # The request only queues the fetch; the test client runs the after-response fetch before returning.
    assert r.status_code == 202, r.text
    assert "is being fetched from arXiv" in r.text
    assert any("/api/query" in q for q in fake_arxiv.fake.requests)
    day = client.get("/papers/date/2026-06-10").text
    assert record["title"].split()[0] in day and 'Submitted by <span dir="auto">Reader ' in day
    assert 'class="request-listed"' in client.get("/submit").text


def test_an_id_arxiv_never_returns_fails_after_three_tries_with_a_message(client, fake_arxiv):
    submissions = client.app.state.services.community.submissions
    submissions.now = lambda: TODAY
    sign_in(client, "fetcher@example.org")
    assert post(client, "/submit", {"paper": "2606.09999"}).status_code == 202
    page = client.get("/submit").text
    assert 'class="request-fetching"' in page and "try 1 of 3" in page
    again = post(client, "/submit", {"paper": "2606.09999"})
    assert again.status_code == 400 and "already being fetched" in again.text
    assert client.app.state.services.jobs.run_now("submissions.fetch").outcome == "succeeded"
    assert submissions.fetch_requested() == 1  # the third try settles it
    page = client.get("/submit").text
    assert 'class="request-failed"' in page
    assert "Paper 2606.09999 is not in the database and arXiv did not return it after 3 tries" in page
    assert "2606.09999" not in client.get("/papers/date/2026-06-10").text


def test_a_slow_arxiv_never_holds_up_the_submit_request(settings, db, fake_arxiv):
    # Over real HTTP: the response goes out first, the fetch runs after it (or in the job). arXiv
    # answers nothing until the test opens the gate, so a request that waited for it would time out.
    gate = fake_arxiv.fake.api_gate = threading.Event()
    record = fake_arxiv.fake.records[1]
    app = app_for(settings, db)
    with serve_app(app) as url:
        app.state.services.community.submissions.now = lambda: TODAY
        with httpx.Client(base_url=url, timeout=20) as web:
            _, token = app.state.services.community.accounts.request_login_link("slow@example.org")
            web.get("/auth/sign-in")
            csrf_token = token_for(settings.secret_key, web.cookies[CSRF_COOKIE])
            assert web.post(f"/auth/link/{token}", data={"csrf_token": csrf_token}).status_code == 303
            r = web.post("/submit", data={"csrf_token": csrf_token, "paper": record["arxiv_id"]})
            assert r.status_code == 202 and "is being fetched from arXiv" in r.text
            assert not gate.is_set() and 'class="request-fetching"' in web.get("/submit").text
            gate.set()
            deadline = time.monotonic() + 30
            while 'class="request-listed"' not in web.get("/submit").text:
                assert time.monotonic() < deadline, "the paper was never listed"
                time.sleep(0.2)



@pytest.fixture
def offline_client(settings, db):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    app = app_for(settings.model_copy(update={"ingest_offline": True}), db)
    with TestClient(app) as client:
        yield client


def test_an_offline_instance_refuses_a_paper_it_does_not_hold_instead_of_promising_a_fetch(offline_client, fake_arxiv):
    offline_client.app.state.services.community.submissions.now = lambda: TODAY
    sign_in(offline_client, "offline@example.org")
    r = post(offline_client, "/submit", {"paper": fake_arxiv.fake.records[0]["arxiv_id"]})
    assert r.status_code == 400 and "cannot fetch papers from arXiv" in r.text
    assert "being fetched" not in r.text and "Papers being fetched for you" not in offline_client.get("/submit").text
    assert fake_arxiv.fake.requests == []


def test_an_offline_instance_offers_no_fetch_for_a_paper_it_does_not_hold(offline_client, client):
    for c in (offline_client, client):
        page, search = c.get("/papers/2606.09999"), c.get("/search?q=2606.09999+results")
        offered = [("/submit?paper=2606.09999" in r.text) for r in (page, search)]
        assert offered == ([False, False] if c is offline_client else [True, True])
        assert "https://arxiv.org/abs/2606.09999" in page.text  # reading it on arXiv is always offered
    assert "https://arxiv.org/abs/2606.09999" in offline_client.get("/search?q=2606.09999+results").text


def test_a_request_listed_by_another_process_meanwhile_stays_listed(client, settings, db, fake_arxiv):
    """The web process fetches a request right after the submit while a worker's job fetches the
    same one: whichever settles it second must not turn "listed" into "failed: already on the list"."""
    from papertide.services import build_services
    from papertide.storage import paper_requests as requests_store
    from papertide.storage import users as users_store
    from tests.interleave import between, reads

    ours = client.app.state.services.community.submissions
    worker = build_services(settings)  # its own engine, as the worker process has
    theirs = worker.community.submissions
    ours.now = theirs.now = lambda: TODAY
    with db.write() as conn:
        member = users_store.find_or_create_user(conn, "fetcher@example.org")[0]
    record = fake_arxiv.fake.records[0]
    assert ours.submit(member, record["arxiv_id"]).fetching
    try:
        with between(db, reads("paper_requests"), worker.db, theirs.fetch_requested) as other:
            ours.fetch_requested()
        assert other.fired and other.join() == 1
    finally:
        worker.close()
    with db.read() as conn:
        request = requests_store.get(conn, record["arxiv_id"], TODAY.date())
    assert request is not None and (request.status, request.message) == ("listed", None)
