"""Strings with nowhere to break, at a phone's 360 px and a laptop's 1280 px: a 300-character title
without a space, a 200-character author name, a comment that is one long URL, and that URL pasted as
a search. Each wraps inside its column; no page scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.sites import live_site, sign_in
from tests.factories import make_paper

pytestmark = pytest.mark.browser

TITLE = "Unbroken" + "x" * 292
AUTHOR = "A" + "b" * 199
URL = "https://example.org/" + "a1b2c3d4/" * 31
READER = "reader@example.org"
PAGES = [
    "/papers/2606.00001",  # the title, the author, the comment
    "/",
    "/papers/date/2026-06-03",
    "/trending",
    "/authors/{author}",  # the name in the heading and in "Follow …: RSS Atom"
    "/collections/{shelf}",
    "/collections",
    "/profile",
    "/users/{member}",
    "/search?q={title}",
    "/search?q={url}",  # echoed in the result count
]
WIDTHS = (360, 1280)


@dataclass(frozen=True)
class Site:
    url: str
    signed_in: dict[str, Any]
    names: dict[str, str]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    assert len(TITLE) == 300 and len(AUTHOR) == 200 and " " not in URL
    paper = make_paper("2606.00001", title=TITLE, authors=(AUTHOR, "Bo Li"), abstract=f"Code at {URL} for all.")
    with live_site(tmp_path_factory.mktemp("unbroken"), sqlite_template, (paper, date(2026, 6, 3))) as (url, app):
        community = app.state.services.community
        reader, _ = community.accounts.create_admin(READER)
        shelf = community.reading_lists.create(reader, "Reading", True, first_paper="2606.00001")
        community.discussion.add(reader, "2606.00001", URL)
        context = browser.new_context()
        sign_in(context.new_page(), url, app, READER)
        state = context.storage_state()
        context.close()
        names = {"shelf": shelf, "member": reader.uuid, "author": quote(AUTHOR), "title": quote(TITLE),
                 "url": quote(URL, safe="")}
        yield Site(url, state, names)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_unbroken_strings_do_not_widen_the_page(browser, site: Site, path: str, width: int):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 800}, storage_state=site.signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        response = page.goto(site.url + path.format(**site.names))
        assert response is not None and response.status == 200, path
        width_px, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width_px <= inner, f"{path} scrolls sideways at {width} px: {width_px}px in a {inner}px window"
    finally:
        context.close()
