"""Each page of a paged list has its own <title>: a screen reader announces the title when a page
loads, and the browser's history lists pages by it, so page 2 must not read as page 1."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from tests.factories import add_papers, app_for, make_paper

DAY = date(2026, 6, 4)


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html[:200]
    return found.group(1)


def test_later_pages_of_lists_authors_and_categories_name_their_number(settings, db):
    add_papers(db, *[(make_paper(f"2606.0000{n}", categories=("cs.LG",)), DAY) for n in range(1, 6)])
    small = settings.model_copy(update={"page_size": 2, "search_embedder": "null"})
    with TestClient(app_for(small, db)) as client:
        titles = {path: title(client.get(path).text) for path in (
            "/", "/?p=1", "/papers/week/2026-W23?p=2", "/papers/month/2026-06?p=1",
            "/authors/Ada%20Lovelace", "/authors/Ada%20Lovelace?p=1",
            "/categories/cs.LG", "/categories/cs.LG?p=2")}
    assert titles == {
        "/": "Papers · 2026-06-04 · papertide",
        "/?p=1": "Papers · 2026-06-04 · page 2 · papertide",
        "/papers/week/2026-W23?p=2": "Papers · 2026-W23 · page 3 · papertide",
        "/papers/month/2026-06?p=1": "Papers · 2026-06 · page 2 · papertide",
        "/authors/Ada%20Lovelace": "Ada Lovelace · papertide",
        "/authors/Ada%20Lovelace?p=1": "Ada Lovelace · page 2 · papertide",
        "/categories/cs.LG": "cs.LG (Machine Learning) · papertide",
        "/categories/cs.LG?p=2": "cs.LG (Machine Learning) · page 3 · papertide",
    }


def test_the_list_pager_is_a_named_navigation_region(client, db):
    """Screen readers list landmarks by name: 'Pages', as on the search, author and category pages."""
    add_papers(db, *[(make_paper(f"2606.0000{n}"), DAY) for n in range(1, 3)])
    assert '<nav class="pager" aria-label="Pages">' in client.get("/").text
