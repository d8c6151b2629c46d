"""Community in a real Chromium: sign in with the link from a real SMTP server, upvote without a
reload (htmx), submit a paper, comment; and XSS payloads never run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from papertide.config import Settings
from papertide.storage.db import Database
from tests.browser.conftest import LiveServer
from tests.community.conftest import smtp_server  # noqa: F401  # the session SMTP fixture
from tests.factories import add_papers, app_for, make_paper
from tests.live import free_port, serve_app

pytestmark = pytest.mark.browser
TODAY = datetime.now(UTC).date()


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path, smtp_server) -> Iterator[tuple[LiveServer, object]]:  # noqa: F811
    """The real app over HTTP with SMTP pointing at the test mail server."""
    host, smtp_port, box = smtp_server
    box.messages.clear()
    path = tmp_path / "papertide.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path, database_url=f"sqlite:///{path}", base_url=f"http://127.0.0.1:{port}", _env_file=None,
        email_backend="smtp", smtp_host=host, smtp_port=smtp_port,
    )
    db = Database(settings.resolved_database_url)
    with serve_app(app_for(settings, db), port) as url:
        yield LiveServer(url, db, settings), box
    db.dispose()


def sign_in_by_email(page, url: str, box, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/auth/sign-in")
    page.fill("#email", email)
    page.click("#link-form button[type=submit]")
    page.wait_for_selector("text=Check your email")
    page.goto(box.link(email))
    page.click("#confirm-form button")
    page.wait_for_url(lambda url: "/profile" in url)


def test_sign_in_by_emailed_link_then_upvote_submit_and_comment(site, page, output_dir):
    live, box = site
    add_papers(
        live.db,
        (make_paper("2611.00001", title="Listed today", upvotes_baseline=7, published=TODAY), TODAY),
        make_paper("2611.00002", title="Not yet listed", published=TODAY),
    )
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    # Anonymous: the vote button asks to sign in.
    page.goto(live.url + f"/papers/date/{TODAY.isoformat()}")
    page.click("[id='paper-2611.00001'] .vote-button")
    page.wait_for_url(lambda url: "/auth/sign-in?next=" in url)

    sign_in_by_email(page, live.url, box, "reader@example.org")
    page.fill("#display_name", "Rita Reader")
    page.click("#name-form button")
    page.wait_for_selector(".account-nav .me:has-text('Rita Reader')")

    # Upvote without a reload: a marker on window survives the click.
    page.goto(live.url + f"/papers/date/{TODAY.isoformat()}")
    page.evaluate("window.__noReload = true")
    page.click("[id='paper-2611.00001'] .vote-button")
    page.wait_for_selector("[id='paper-2611.00001'] .vote-button.voted .count:has-text('8')")
    assert page.evaluate("window.__noReload") is True
    page.click("[id='paper-2611.00001'] .vote-button")
    page.wait_for_selector("[id='paper-2611.00001'] .vote-button:not(.voted) .count:has-text('7')")
    page.click("[id='paper-2611.00001'] .vote-button")
    page.wait_for_selector("[id='paper-2611.00001'] .vote-button.voted")
    page.screenshot(path=str(output_dir / "community-voted.png"), full_page=True)

    # Submit a paper to today's list; the list names the submitter.
    page.goto(live.url + "/submit")
    page.fill("#paper", "https://arxiv.org/abs/2611.00002v1")
    page.click("#submit-form button")
    page.wait_for_selector("text=is on the list for")
    page.goto(live.url + f"/papers/date/{TODAY.isoformat()}")
    assert "Submitted by Rita Reader" in page.locator("[id='paper-2611.00002']").inner_text()

    # Comment with Markdown.
    page.goto(live.url + "/papers/2611.00001")
    page.fill("#comment-body", "Great **ablation** section.")
    page.click("#new-comment button")
    page.wait_for_selector(".comment-body strong:has-text('ablation')")
    assert "1 comment" in page.locator("#comments h2").inner_text()
    page.screenshot(path=str(output_dir / "community-paper.png"), full_page=True)

    # Our pages work under our own Content-Security-Policy (htmx configured without eval or inline styles).
    assert [m for m in console if "Content Security Policy" in m] == []

    # Signed-in pages still fit a phone.
    page.set_viewport_size({"width": 375, "height": 800})
    for path in (f"/papers/date/{TODAY.isoformat()}", "/papers/2611.00001", "/profile"):
        page.goto(live.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.screenshot(path=str(output_dir / "community-phone.png"), full_page=True)

    # The same page works without JavaScript: the vote is a plain form POST.
    context = page.context.browser.new_context(java_script_enabled=False)
    nojs = context.new_page()
    sign_in_by_email(nojs, live.url, box, "nojs@example.org")
    nojs.goto(live.url + "/papers/2611.00001")
    nojs.click(".vote-button")
    nojs.wait_for_selector(".vote-button.voted .count:has-text('9')")
    context.close()


# OWASP XSS Filter Evasion Cheat Sheet vectors, tagged so an injected element can be found.
PAYLOADS = [
    "<script id=xss1>alert('xss1')</script>",
    "<img id=xss2 src=x onerror=alert('xss2')>",
    "<svg id=xss3 onload=alert('xss3')>",
    "\"><iframe id=xss4 src=\"javascript:alert('xss4')\"></iframe>",
    "<a id=xss5 href=\"javascript:alert('xss5')\">x</a>",
    "[link](javascript:alert('xss6'))",
    "<body onload=alert('xss7')>",
    "<IMG SRC=\"jav&#x09;ascript:alert('xss8');\">",
]


def test_xss_payloads_in_titles_names_and_comments_never_run(site, page, output_dir):
    live, box = site
    evil = " ".join(PAYLOADS)
    add_papers(live.db, (make_paper("2611.00009", title="T " + PAYLOADS[1] + PAYLOADS[0], published=TODAY), TODAY))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    sign_in_by_email(page, live.url, box, "mallory@example.org")
    page.fill("#display_name", PAYLOADS[2][:60])
    page.click("#name-form button")
    page.goto(live.url + "/papers/2611.00009")
    for payload in (evil, *PAYLOADS):
        page.fill("#comment-body", payload)
        page.click("#new-comment button")
        page.wait_for_load_state()
    page.goto(live.url + "/submit")
    page.fill("#paper", "2611.00009")
    page.click("#submit-form button")

    for path in ("/papers/2611.00009", f"/papers/date/{TODAY.isoformat()}", "/profile", "/"):
        page.goto(live.url + path)
        page.wait_for_timeout(150)
        # Our own server-drawn plots are <svg class="plot">; any other svg came from a payload.
        injected = page.evaluate(
            "document.querySelectorAll('[id^=xss], iframe, svg:not(.plot), body [onload], [onerror]').length")
        assert injected == 0, path
        js_links = "[...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href')))"
        assert page.evaluate(js_links + ".length") == 0
    assert "<img id=xss2" in page.content() or "&lt;img id=xss2" in page.content()  # shown as text
    page.goto(live.url + "/papers/2611.00009")
    page.screenshot(path=str(output_dir / "community-xss.png"), full_page=True)
    assert dialogs == []
