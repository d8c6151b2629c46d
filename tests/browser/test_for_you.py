"""/for-you in a real Chromium: a new member sees how to start; after importing a one-entry BibTeX
file on /me/interests, /for-you shows the new paper closest to it with a "why" line; Not interested
fades the card in place (htmx, Undo offered) and a reload drops it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.browser.sites import live_site, sign_in
from tests.factories import make_paper

pytestmark = pytest.mark.browser
TODAY = datetime.now(UTC).date()
BIB = b"@article{gnn, title={Graph neural networks for molecules}, eprint={2610.00001}, archivePrefix={arXiv}}\n"
TOPICS = [  # (id, title, abstract, days ago)
    ("2610.00001", "Graph neural networks for molecules",
     "Message passing graph neural networks predict molecule properties", 40),
    ("2611.00002", "Message passing on molecular graphs",
     "Graph neural networks with message passing for molecular property prediction", 1),
    ("2611.00003", "Solar wind turbulence", "Spacecraft magnetometers observe turbulence in the solar wind", 1),
    ("2611.00004", "Knot invariants of torus links", "We compute knot invariants of torus links and braids", 2),
    ("2611.00005", "Auctions for ad markets", "Revenue optimal auctions with reserve prices for online ads", 2),
]


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, FastAPI]]:
    papers = [make_paper(a, title=t, abstract=ab, published=TODAY - timedelta(days=d)) for a, t, ab, d in TOPICS]
    with live_site(tmp_path, sqlite_template, *papers) as site:
        yield site


def test_import_then_for_you_shows_the_closest_paper_and_not_interested_drops_it(site, page, output_dir):  # type: ignore[no-untyped-def]
    url, app = site
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, url, app)

    page.click(".account-nav >> text=For you")
    page.wait_for_url(f"{url}/for-you")
    assert "Tell us what you read" in page.locator("#cold-h").inner_text()

    page.goto(f"{url}/me/interests")
    page.set_input_files("#import-file", files=[{"name": "refs.bib", "mimeType": "text/plain", "buffer": BIB}])
    page.click("#import-form button[type=submit]")
    page.locator("#import-report").wait_for()

    page.goto(f"{url}/for-you")
    first = page.locator(".for-you-item").first
    assert first.locator(".title").inner_text() == "Message passing on molecular graphs"
    assert "close to “Graph neural networks for molecules”, which you liked" in first.locator(".why").inner_text()
    page.screenshot(path=str(output_dir / "for-you-after-import.png"), full_page=True)

    card = page.locator('[id="paper-2611.00002"]')
    card.locator(".not-interested button").click()
    card.locator(".not-interested button", has_text="Undo").wait_for()
    assert page.url == f"{url}/for-you"  # swapped in place
    opacity = card.locator(".title").evaluate("e => getComputedStyle(e).opacity")
    assert float(opacity) < 1  # faded until the page is reloaded
    page.reload()
    assert page.locator('[id="paper-2611.00002"]').count() == 0
    assert errors == []
