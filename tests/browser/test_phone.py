"""A phone at 390×844, light and dark: no page scrolls sideways and the header stays short."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from papertide.domain.ingest import RunCounts, RunStatus
from papertide.storage import ingest_runs
from tests.factories import add_papers, app_for, make_paper
from tests.live import free_port, serve_app

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HEADER_SHARE = 0.15  # of the first screen
PAGES = ["/", "/search?q=agents", "/search?q=asdfghjkl&cat=cs.CL", "/api/docs", "/profile", "/admin", "/admin/ingest",
         "/admin/jobs", "/trending", "/papers/2606.00001"]


@pytest.fixture
def signed_in_site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, object]]:
    import shutil

    from papertide.config import Settings
    from papertide.storage.db import Database

    path = tmp_path / "papertide.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{path}", port=port, _env_file=None)  # type: ignore[call-arg]
    db = Database(settings.resolved_database_url)
    long_title = "Supercalifragilisticexpialidociousnessofextraordinarilylongunbrokenidentifiers in titles"
    add_papers(db, *[(make_paper(f"2606.{n:05d}", title=f"{long_title} {n}", upvotes_baseline=n,
                                 authors=tuple(f"Author Number{k}" for k in range(12))), date(2026, 6, 1 + n % 3))
                     for n in range(1, 25)])
    with db.write() as conn:  # a failed run with a long error: the widest table the admin pages show
        run = ingest_runs.start_run(conn, "oai", "cs (arXivRaw) 2026-06-01..2026-06-02")
        ingest_runs.finish_run(conn, run, RunStatus.FAILED, RunCounts(fetched=8, inserted=8, pages=3),
                               "oai at 2026-06-02 page 3: " + "connection reset by peer; " * 6)
    app = app_for(settings, db)
    with serve_app(app, port) as url:
        yield url, app
    db.dispose()


def _sign_in_as_admin(page, url: str, app) -> None:  # type: ignore[no-untyped-def]
    accounts = app.state.services.community.accounts
    _, token = accounts.request_login_link("phone.admin@example.org")
    page.goto(f"{url}/auth/link/{token}")
    page.click("#confirm-form button")
    page.wait_for_url(lambda u: "/profile" in u)
    accounts.set_role_by_email("phone.admin@example.org", "admin")  # as `papertide users set-role` does


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_at_390_px_and_the_header_is_short(browser, signed_in_site, scheme, output_dir):
    url, app = signed_in_site
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    try:
        # Signed out first: the header most visitors see.
        page.goto(url + "/")
        header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
        assert header <= HEADER_SHARE * PHONE["height"], f"signed-out header {header}px"
        _sign_in_as_admin(page, url, app)
        for path in PAGES:
            response = page.goto(url + path)
            assert response is not None and response.status == 200, path
            width = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            assert width <= inner, f"{path} scrolls sideways: {width}px in a {inner}px window"
            if path == "/admin/ingest":  # the runs table is wider than a phone, and scrolls in its own box
                assert page.evaluate("document.querySelector('table.runs').scrollWidth") > inner
            header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
            assert header <= HEADER_SHARE * PHONE["height"], f"{path}: header {header}px"
            name = path.strip("/").replace("/", "_").split("?")[0] or "home"
            page.screenshot(path=str(output_dir / f"phone-{scheme}-{name}.png"))
        # The skip link is the first thing a keyboard reaches, and it shows when focused.
        page.goto(url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
    finally:
        context.close()
