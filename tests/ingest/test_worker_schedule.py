"""`serve --with-worker` runs `ingest daily` on its schedule (PAPERTIDE_INGEST_EVERY_HOURS)."""

import time

from fastapi.testclient import TestClient

from tests.factories import app_for


def _wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_runs_the_daily_ingest_once_per_slot(ingest_settings, db):
    settings = ingest_settings.model_copy(update={
        "with_worker": True, "worker_interval_seconds": 0.2, "ingest_every_hours": 1,
        "ingest_delay_seconds": 0, "email_backend": "null",
    })
    app = app_for(settings, db)
    with TestClient(app):
        worker = app.state.background[0]
        assert _wait_for(lambda: worker.runs >= 3)  # several rounds …
        assert worker.ingest_runs == 1  # … but one ingest inside the hour
        sources = sorted({r.source for r in app.state.services.ingest.runs()})
    assert sources == ["hf", "oai"]  # the configured sources ran and were recorded


def test_no_scheduled_ingest_by_default(ingest_settings, db):
    settings = ingest_settings.model_copy(update={"with_worker": True, "worker_interval_seconds": 0.2, "email_backend": "null"})
    app = app_for(settings, db)
    with TestClient(app):
        assert _wait_for(lambda: app.state.background[0].runs >= 2)
        assert app.state.background[0].ingest_runs == 0
        assert app.state.services.ingest.runs() == []
