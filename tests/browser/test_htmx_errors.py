"""When an htmx request fails, the reader is told: htmx swaps nothing for a 4xx/5xx answer or a lost
connection, so without our handler the click looked like it did nothing at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.browser.sites import live_site, sign_in
from tests.factories import make_paper

pytestmark = pytest.mark.browser
TODAY = datetime.now(UTC).date()
ALERT = "#request-error"


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, FastAPI]]:
    papers = [(make_paper(f"2611.0000{n}", title=f"Paper {n}", published=TODAY, upvotes_baseline=n), TODAY)
              for n in (1, 2, 3)]
    with live_site(tmp_path, sqlite_template, *papers) as site:
        yield site


def test_a_refused_vote_says_why_and_the_next_good_click_clears_it(site, page, output_dir):  # type: ignore[no-untyped-def]
    url, app = site
    sign_in(page, url, app)
    page.goto(url + "/")
    card = page.locator('[id="paper-2611.00001"]')

    # The CSRF cookie went away (cleared cookies, another browser profile…) while the page stayed open.
    signed_in = [c for c in page.context.cookies() if c["name"] != "pt_csrf"]
    page.context.clear_cookies()
    page.context.add_cookies(signed_in)  # type: ignore[arg-type]
    card.locator(".vote-button").click()
    alert = page.locator(ALERT)
    alert.wait_for(state="visible")
    assert "This form has expired" in alert.inner_text()
    assert alert.get_attribute("role") == "alert"
    assert card.locator(".vote-button.voted").count() == 0  # nothing changed, and the page says so
    page.screenshot(path=str(output_dir / "htmx-error-403.png"))

    # Reloaded, the same click works and the old message goes away.
    page.reload()
    card.locator(".vote-button").click()
    card.locator(".vote-button.voted").wait_for()
    assert page.locator(ALERT).is_hidden()

    # Over the vote limit: a 429 with the server's words (how long to wait).
    user = app.state.services.community.accounts.list_all("reader@example.org")[0]
    limiter = app.state.services.community.limiter
    while limiter.check("vote", str(user.id), "127.0.0.1") == 0:
        pass
    page.locator('[id="paper-2611.00002"] .vote-button').click()
    page.locator(ALERT).wait_for(state="visible")
    assert "Too many requests; please wait" in page.locator(ALERT).inner_text()


def test_a_server_error_on_not_interested_is_shown(site, page):  # type: ignore[no-untyped-def]
    url, app = site
    sign_in(page, url, app)
    page.goto(url + "/")
    with app.state.services.db.write() as conn:  # the server breaks between page load and click
        conn.exec_driver_sql("DROP TABLE rec_signals")
    page.locator('[id="paper-2611.00003"] .not-interested button').click()
    page.locator(ALERT).wait_for(state="visible")
    assert "went wrong" in page.locator(ALERT).inner_text()
    assert "500" in page.locator(ALERT).inner_text()
