"""Live sites for browser tests: a SQLite copy of the template, the app served on a free port,
and signing a reader in through the emailed-link flow."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from papertide.config import Settings
from papertide.domain.papers import Paper
from papertide.storage.db import Database
from tests.factories import add_papers, app_for
from tests.live import free_port, serve_app


@contextmanager
def live_site(tmp_path: Path, sqlite_template: Path, *papers: Paper | tuple[Paper, Any]) -> Iterator[tuple[str, FastAPI]]:
    """The site on a fresh SQLite database holding ``papers``, offline (no arXiv fetches)."""
    path = tmp_path / "papertide.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path, database_url=f"sqlite:///{path}", base_url=f"http://127.0.0.1:{port}", _env_file=None,
        ingest_offline=True,
    )
    db = Database(settings.resolved_database_url)
    add_papers(db, *papers)
    app = app_for(settings, db)
    try:
        with serve_app(app, port) as url:
            yield url, app
    finally:
        db.dispose()


def sign_in(page: Any, url: str, app: FastAPI, email: str = "reader@example.org") -> None:
    """Sign in as a browser does: open the emailed link, confirm on its page."""
    _, token = app.state.services.community.accounts.request_login_link(email)
    page.goto(f"{url}/auth/link/{token}")
    page.click("#confirm-form button")
    page.wait_for_url(lambda u: "/auth/link/" not in u)
