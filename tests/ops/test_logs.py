"""Request ids and structured logs: echoed in the response, on the access line, in job and email logs."""

from __future__ import annotations

import io
import logging
import re
import threading
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from papertide.jobs import Every, Job, JobRunner
from papertide.services import Edges, build_services
from papertide.storage import outbox
from papertide.telemetry.context import accept_id, current_id, work_id
from papertide.telemetry.logs import configure_logging, make_handler
from papertide.web.sessions import unsign
from tests.community.conftest import post
from tests.factories import app_for
from tests.live import serve_app

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_a_request_id_is_echoed_and_is_on_the_requests_access_line(app, json_logs):
    with serve_app(app) as base, httpx.Client(base_url=base) as http:
        sent = http.get("/trending", headers={"X-Request-ID": "lb-7f3a.01"})
        fresh = http.get("/healthz")
    assert sent.headers["x-request-id"] == "lb-7f3a.01"
    assert HEX32.fullmatch(fresh.headers["x-request-id"])
    [line] = json_logs.matching(logger="papertide.access", request_id="lb-7f3a.01")
    assert {k: line[k] for k in ("level", "method", "path", "route", "status")} == {
        "level": "INFO", "method": "GET", "path": "/trending", "route": "/trending", "status": 200,
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["message"].startswith("GET /trending 200 ")
    assert json_logs.matching(logger="papertide.access", request_id=fresh.headers["x-request-id"], path="/healthz")


@pytest.mark.parametrize("inbound", ["has space", "line\nbreak", "x" * 129, "", 'quote"d'])
def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(inbound):
    assert HEX32.fullmatch(accept_id(inbound))


def test_an_unsafe_request_id_header_is_not_echoed(client):
    r = client.get("/healthz", headers={"X-Request-ID": "a b"})
    assert HEX32.fullmatch(r.headers["x-request-id"])


def test_text_lines_carry_the_id_in_brackets():
    stream = io.StringIO()
    log = logging.getLogger("papertide.tests.text")
    handler = make_handler("text", stream)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        with work_id("req-42"):
            log.info("inside")
        log.info("outside")
    finally:
        log.removeHandler(handler)
    inside, outside = stream.getvalue().splitlines()
    assert inside.endswith("INFO papertide.tests.text [req-42] inside")
    assert outside.endswith("INFO papertide.tests.text [-] outside")


def test_configure_logging_installs_one_handler_however_often_it_is_called():
    root = logging.getLogger()
    configure_logging("INFO", "json")
    configure_logging("WARNING", "text")
    ours = [h for h in root.handlers if getattr(h, "papertide", False)]
    assert len(ours) == 1 and root.level == logging.WARNING
    with pytest.raises(ValueError, match="unknown log format"):
        make_handler("xml")


def test_each_job_run_logs_under_its_own_run_id(db, json_logs):
    log = logging.getLogger("papertide.tests.job")
    seen: list[str | None] = []

    def work(stop: threading.Event) -> None:
        seen.append(current_id())
        log.info("working")

    runner = JobRunner(db, [Job("ops.logged", Every(60), work)])
    runner.run_now("ops.logged")
    runner.run_now("ops.logged")
    assert current_id() is None  # the id ends with the run
    first, second = seen
    assert first != second and all(i and re.fullmatch(r"job-[0-9a-f]{32}", i) for i in seen)
    for run_id in seen:
        assert [r["message"] for r in json_logs.matching(logger="papertide.tests.job", request_id=run_id)] == ["working"]
        [done] = json_logs.matching(logger="papertide.jobs.runner", request_id=run_id)
        assert (done["job"], done["run_id"], done["outcome"]) == ("ops.logged", run_id, "succeeded")


def test_the_outbox_senders_lines_carry_the_job_runs_id(sqlite_mail_settings, sqlite_db, smtp_sink, json_logs):
    services = build_services(sqlite_mail_settings, Edges(db=sqlite_db))
    with sqlite_db.write() as conn:
        outbox.enqueue(conn, [
            outbox.OutboxMessage(f"ops:{n}", "notice", f"r{n}@example.org", f"<ops{n}@papers.example>", "Hi",
                                 f"From: a@papers.example\nTo: r{n}@example.org\nSubject: Hi\n\nhello {n}\n")
            for n in range(3)
        ], datetime.now(UTC))
    run = services.jobs.run_now("email.outbox")
    assert run is not None and run.outcome == "succeeded"
    sent = json_logs.matching(logger="papertide.email.delivery", outcome="sent")
    assert len(sent) == 3  # from the sender's worker threads, each under the run's id
    [done] = json_logs.matching(logger="papertide.jobs.runner", job="email.outbox")
    assert {r["request_id"] for r in sent} == {done["run_id"]}
    assert smtp_sink.handler.wait_for(3)
    services.close()


def test_mail_sent_after_a_response_logs_under_that_requests_id(sqlite_mail_settings, sqlite_db, smtp_sink, json_logs):
    with TestClient(app_for(sqlite_mail_settings, sqlite_db), base_url="https://papers.example") as client:
        r = post(client, "/auth/sign-in/link", {"email": "ada@example.org"}, headers={"X-Request-ID": "signin-1"})
    assert r.status_code < 400, r.text
    assert r.headers["x-request-id"] == "signin-1"
    assert smtp_sink.handler.wait_for(1)
    [sent] = json_logs.matching(logger="papertide.email.delivery", outcome="sent")
    assert sent["request_id"] == "signin-1"


def test_secrets_in_a_path_are_not_written_to_the_access_log(client, json_logs):
    # A sign-in link and a private feed URL are credentials: whoever reads the logs (or the
    # service they are shipped to) must not be able to sign in or read the feed with them.
    services = client.app.state.services
    _, link = services.community.accounts.request_login_link("logs@example.org")
    assert client.get(f"/auth/link/{link}").status_code == 200
    assert post(client, f"/auth/link/{link}").status_code == 303
    member = services.community.accounts.session_user(unsign(services.settings.secret_key, client.cookies["pt_session"]))
    feed = services.signals.create_feed_token(member)
    assert client.get(f"/for-you/feed/{feed}.atom").status_code == 200
    assert client.get("/for-you/feed/not-a-feed.atom").status_code == 404
    lines = json_logs.matching(logger="papertide.access")
    assert [(r["method"], r["path"], r["status"]) for r in lines] == [
        ("GET", "/auth/link/{token}", 200), ("POST", "/auth/link/{token}", 303),
        ("GET", "/for-you/feed/{token}.atom", 200), ("GET", "/for-you/feed/{token}.atom", 404),
    ]
    assert not [r for r in lines if link in str(r) or feed in str(r)]
    # Other paths are logged as they were asked for.
    client.get("/papers/2405.99999")
    assert json_logs.matching(logger="papertide.access")[-1]["path"] == "/papers/2405.99999"
