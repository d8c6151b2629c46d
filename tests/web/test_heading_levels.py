"""Pages' headings go down one level at a time, as screen readers and outlines list them.

A reader moving by headings hears "heading level 3" under a level-1 heading and looks for the
missing section; the search results' titles did that before their count became a level-2 heading.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper
from tests.web.test_for_you import corpus

_HEADING = re.compile(r"<h([1-6])[\s>]")
PAGES = ["/", "/papers/week/2024-W21", "/papers/month/2024-05",
         "/search?q=graph+networks", "/search?q=graph&sort=date", "/search?cat=cs.LG", "/search?q=zzzqqq",
         "/papers/2401.00001", "/papers/2401.00001/similar", "/trending", "/search/help", "/about", "/feeds",
         "/authors/Ada%20Lovelace", "/categories/cs.LG", "/collections", "/stats", "/trending?by=github"]


def skipped_levels(html: str) -> list[tuple[int, int]]:
    """(from, to) for each heading deeper than one level below the one before it."""
    levels = [int(m) for m in _HEADING.findall(html)]
    return [(a, b) for a, b in zip([1, *levels], levels, strict=False) if b > a + 1]


@pytest.mark.parametrize("path", PAGES)
def test_headings_never_skip_a_level(client, db, path):
    # Listed, so the daily, weekly and monthly lists and trending show the papers as cards.
    add_papers(db, *[(make_paper(f"2401.0000{i}", title=f"Graph networks {i}", categories=("cs.LG",)), date(2024, 5, 20))
                     for i in range(1, 4)])
    r = client.get(path)
    assert r.status_code in (200, 404), path
    assert skipped_levels(r.text) == [], path


def test_for_you_and_suggested_cards_sit_under_a_heading(client):
    """Both pages show cards (h3 titles) under only their h1 and a paragraph; a screen reader moving by
    headings heard 'heading level 3' straight after the page's name."""
    corpus(client)
    sign_in(client, "curator@example.org", role="curator")
    assert post(client, "/vote/2611.00001", {"state": "on"}).status_code == 303
    for path in ("/for-you", "/curate/suggested"):
        html = client.get(path).text
        assert 'class="paper-card' in html, path  # the cards are there, so the check means something
        assert skipped_levels(html) == [], path
