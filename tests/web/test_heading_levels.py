"""Pages' headings go down one level at a time, as screen readers and outlines list them.

A reader moving by headings hears "heading level 3" under a level-1 heading and looks for the
missing section; the search results' titles did that before their count became a level-2 heading.
"""

from __future__ import annotations

import re

import pytest

from tests.factories import add_papers, make_paper

_HEADING = re.compile(r"<h([1-6])[\s>]")
PAGES = ["/", "/search?q=graph+networks", "/search?q=graph&sort=date", "/search?cat=cs.LG", "/search?q=zzzqqq",
         "/papers/2401.00001", "/papers/2401.00001/similar", "/trending", "/search/help", "/about", "/feeds",
         "/authors/Ada%20Lovelace", "/collections", "/stats"]


def skipped_levels(html: str) -> list[tuple[int, int]]:
    """(from, to) for each heading deeper than one level below the one before it."""
    levels = [int(m) for m in _HEADING.findall(html)]
    return [(a, b) for a, b in zip([1, *levels], levels, strict=False) if b > a + 1]


@pytest.mark.parametrize("path", PAGES)
def test_headings_never_skip_a_level(client, db, path):
    add_papers(db, *[make_paper(f"2401.0000{i}", title=f"Graph networks {i}", categories=("cs.LG",)) for i in range(1, 4)])
    r = client.get(path)
    assert r.status_code in (200, 404), path
    assert skipped_levels(r.text) == [], path
