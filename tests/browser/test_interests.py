"""Signals in a real Chromium: import a small BibTeX file on /me/interests and see the per-entry
error and the two papers listed; click Not interested on a card on / and see it swap to Undo
in place (htmx), then back."""

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
BIB = b"""@article{first, title={Graph networks for weather}, eprint={2611.00001}, archivePrefix={arXiv}}
@misc{second, title={Sparse attention}, url={https://arxiv.org/abs/2611.00002v3}}
@article{broken, title={An entry that never closes its brace, eprint={2611.00003}
"""


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, FastAPI]]:
    papers = [(make_paper("2611.00001", title="Graph networks for weather", published=TODAY), TODAY),
              (make_paper("2611.00002", title="Sparse attention", published=TODAY), TODAY)]
    with live_site(tmp_path, sqlite_template, *papers) as site:
        yield site


def test_import_a_library_then_mark_a_card_not_interested(site, page, output_dir):  # type: ignore[no-untyped-def]
    url, app = site
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, url, app)

    page.click(".account-nav .me")  # the name opens the account menu
    page.click(".account-menu >> text=Interests")
    page.wait_for_url(f"{url}/me/interests")
    page.set_input_files("#import-file", files=[{"name": "refs.bib", "mimeType": "text/plain", "buffer": BIB}])
    page.click("#import-form button[type=submit]")
    report = page.locator("#import-report")
    report.wait_for()
    assert "2 matched, 0 to fetch from arXiv, 1 not imported" in report.inner_text()
    assert "entry 3 (broken): could not be read as BibTeX near line 3" in report.inner_text()
    imported = page.locator("#marks-library").inner_text()
    assert "Graph networks for weather" in imported and "Sparse attention" in imported
    page.screenshot(path=str(output_dir / "interests-after-import.png"), full_page=True)

    page.goto(url + "/")
    card = page.locator('[id="paper-2611.00001"]')
    card.locator(".not-interested button").click()
    undo = card.locator(".not-interested button", has_text="Undo")
    undo.wait_for()
    assert page.url == url + "/"  # swapped in place, no navigation
    assert card.locator(".not-interested").inner_text().startswith("Not interested.")
    undo.click()
    card.locator(".not-interested button", has_text="Not interested").wait_for()
    signals = app.state.services.signals
    user = app.state.services.community.accounts.list_all("reader@example.org")[0]
    assert signals.marks(user).get("not_interested", frozenset()) == frozenset()
    card.locator(".not-interested button").click()
    undo.wait_for()
    assert signals.marks(user)["not_interested"] == frozenset({"2611.00001"})
    assert errors == []
