"""What people type, on the narrowest common phone (360 px, most Android phones): a
display name at its 60-character limit, a collection named by a pasted link, a pasted URL as a
search, a comment from a member whose surname is one 50-letter word. No page scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.sites import live_site, sign_in
from tests.factories import make_paper

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
READER = "maria@example.org"
READER_NAME = "María Fernanda de los Santos García-López y Villanueva Ortiz"  # 60 characters, the limit
LONG_TITLE = ("Towards Self-Supervised Multi-Modal Retrieval-Augmented Generation with Divergence-Regularised "
              "Mixture-of-Experts Transformers for Extremely Long-Context Scientific Document Understanding, "
              "Reasoning, Summarisation and Question Answering across a Million Heterogeneous Benchmarks")
# Each path names what it holds: {shelf} is the reader's collection, {member} the other member's page.
PAGES = [
    ("/", PHONE),  # the header: For you, Submit and the name on one row
    ("/papers/2606.00001", PHONE),  # the commenter's one-word surname
    ("/search?q=https://scholar.example.org/citations?user=QwErTyUiOpAsDfGhJkLzXcVbNm", PHONE),  # echoed
    ("/collections/{shelf}", PHONE),  # its name in the heading, and in the opened Delete confirmation
    ("/profile", PHONE),
    ("/users/{member}", PHONE),
    ("/collections", PHONE),  # "Fill it from a file", opened: a file input is wider than the column
]


@dataclass(frozen=True)
class Site:
    url: str
    signed_in: dict[str, Any]
    names: dict[str, str]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    papers = ((make_paper("2606.00001", title="Graph networks at scale"), date(2026, 6, 3)),
              (make_paper("2606.00002", title=LONG_TITLE), date(2026, 6, 3)))
    with live_site(tmp_path_factory.mktemp("awkward"), sqlite_template, *papers) as (url, app):
        community = app.state.services.community
        accounts, shelves = community.accounts, community.reading_lists
        assert len(READER_NAME) == 60
        reader, _ = accounts.create_admin(READER)  # an admin: the account menu at its longest
        accounts.set_display_name(reader, READER_NAME)
        shelf = shelves.create(reader, "From https://scholar.example.org/citations?user=QwErTyUiOpAsDfGhJkLzXcVbNm&hl=en",
                               True, first_paper="2606.00001")
        member, _ = accounts.create_admin("hubert@example.org")
        accounts.set_display_name(member, "Hubert Wolfeschlegelsteinhausenbergerdorffvoralternwaren")
        community.discussion.add(member, "2606.00001", "The ablation in §4 answers my question.")
        context = browser.new_context()
        sign_in(context.new_page(), url, app, READER)
        state = context.storage_state()
        context.close()
        yield Site(url, state, {"shelf": shelf, "member": member.uuid})  # type: ignore[arg-type]


@pytest.mark.parametrize(("path", "viewport"), PAGES, ids=[f"{p}@{v['width']}" for p, v in PAGES])
def test_long_names_and_words_do_not_widen_the_page(browser, site: Site, path: str, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, storage_state=site.signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        response = page.goto(site.url + path.format(**site.names))
        assert response is not None and response.status == 200, path
        # Folded parts (a confirmation, the import form) are checked as a reader opens them.
        page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, f"{path} scrolls sideways: {width}px in a {inner}px window"
    finally:
        context.close()


def test_a_collection_s_move_buttons_are_big_enough_to_tap(browser, site: Site):  # type: ignore[no-untyped-def]
    # WCAG 2.2 target size (minimum): 24×24 CSS px. The ↑ and ↓ glyphs alone were 13 px wide and
    # ~4 px apart, so a thumb meaning "up" could move the paper down.
    context = browser.new_context(viewport=PHONE, storage_state=site.signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(site.url + "/collections/{shelf}".format(**site.names))
        sizes = page.evaluate("""[...document.querySelectorAll('.collection-items button')].map(b => {
            const r = b.getBoundingClientRect(); return [b.textContent.trim(), r.width, r.height]; })""")
        assert [label for label, _, _ in sizes] == ["↑", "↓", "Remove"]
        assert all(w >= 24 and h >= 24 for _, w, h in sizes), sizes
    finally:
        context.close()


def test_a_long_title_leaves_room_on_a_phone_s_first_screen(browser, site: Site):  # type: ignore[no-untyped-def]
    # Phones shrink headings to 1.3rem, but the paper title's own 1.7rem rule outranked that:
    # a 300-character title alone was taller than a 780 px screen.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(site.url + "/papers/2606.00002")
        height = page.evaluate("document.querySelector('h1.paper-title').getBoundingClientRect().height")
        assert height <= 0.6 * PHONE["height"], f"the title is {height}px tall"
    finally:
        context.close()


def test_the_admin_s_find_users_box_looks_like_the_site_s_other_fields(browser, site: Site):  # type: ignore[no-untyped-def]
    # It had no type and no class the stylesheet knows: the browser's own small grey box in dark mode.
    context = browser.new_context(viewport=PHONE, color_scheme="dark", storage_state=site.signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(site.url + "/admin")
        style = "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color, s.fontSize, s.borderTopColor]; }"
        assert page.eval_on_selector("input[aria-label='Find users']", style) == page.eval_on_selector("#site-search", style)
    finally:
        context.close()
