"""Real-browser fixtures: a live uvicorn server in a thread and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.config import Settings
from papertide.storage.db import Database
from tests.factories import app_for
from tests.live import free_port, serve_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


class LiveServer:
    def __init__(self, url: str, db: Database, settings: Settings) -> None:
        self.url, self.db, self.settings = url, db, settings


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path) -> Iterator[LiveServer]:
    """The real app over HTTP on 127.0.0.1 with a fresh SQLite database."""
    path = tmp_path / "papertide.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path, database_url=f"sqlite:///{path}", base_url=f"http://127.0.0.1:{port}", _env_file=None
    )
    db = Database(settings.resolved_database_url)
    with serve_app(app_for(settings, db), port) as url:
        yield LiveServer(url, db, settings)
    db.dispose()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is not installed (make test installs it with apt when run as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
