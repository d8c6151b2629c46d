"""Keyboard-only use of the buttons htmx swaps: after Enter on Upvote or Not interested the focus stays
on the new button, so the next Tab goes on from the card instead of from the top of the page, and
a screen reader hears the new count only."""

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
FOCUSED = "document.activeElement.closest('[id^=paper-]')?.id + ' ' + document.activeElement.textContent.trim()"


def _focus_settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait for htmx to settle the swap (it focuses after a short delay); wait_for_function needs eval,
    which our Content-Security-Policy refuses."""
    for _ in range(50):
        if page.evaluate("document.activeElement !== document.body"):
            return
        page.wait_for_timeout(20)


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, FastAPI]]:
    papers = [(make_paper(f"2611.0000{n}", title=f"Paper {n}", published=TODAY, upvotes_baseline=n), TODAY)
              for n in range(1, 6)]
    with live_site(tmp_path, sqlite_template, *papers) as site:
        yield site


def test_focus_stays_on_a_swapped_button(site, page):  # type: ignore[no-untyped-def]
    url, app = site
    sign_in(page, url, app)
    page.goto(url + "/")
    card = page.locator('[id="paper-2611.00003"]')

    card.locator(".vote-button").focus()
    page.keyboard.press("Enter")
    card.locator(".vote-button.voted").wait_for()
    _focus_settled(page)
    assert page.evaluate(FOCUSED) == "paper-2611.00003 ▲4"
    # What a screen reader hears of the votes is the new count only: no label outside the swapped
    # button may still say the old one.
    assert card.locator(".votes").aria_snapshot() == '- button "4 upvotes; remove your upvote" [pressed]: "4"'
    page.keyboard.press("Enter")  # and again: un-upvote from the keyboard alone
    card.locator(".vote-button:not(.voted)").wait_for()
    _focus_settled(page)
    assert page.evaluate(FOCUSED) == "paper-2611.00003 ▲3"

    card.locator(".not-interested button").focus()
    page.keyboard.press("Enter")
    card.locator(".not-interested button", has_text="Undo").wait_for()
    _focus_settled(page)
    assert page.evaluate(FOCUSED) == "paper-2611.00003 Undo"
    page.keyboard.press("Enter")
    card.locator(".not-interested button", has_text="Not interested").wait_for()
    _focus_settled(page)
    assert page.evaluate(FOCUSED) == "paper-2611.00003 Not interested"

    # On the paper page too.
    page.goto(url + "/papers/2611.00002")
    page.locator(".votes.big .vote-button").focus()
    page.keyboard.press("Enter")
    page.locator(".votes.big .vote-button.voted").wait_for()
    _focus_settled(page)
    assert page.locator(".votes.big").aria_snapshot() == '- button "3 upvotes; remove your upvote" [pressed]: "3"'
    assert page.evaluate("document.activeElement.matches('.votes.big .vote-button.voted')")
