"""Arabic and Hebrew text (titles, abstracts, comments, names) sits in an element with dir="auto",
so a browser sets its direction from the text and an English page does not scramble it."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

TITLE = "نموذج لغوي كبير للترجمة: LLM-7B"
ABSTRACT = "نقدم نموذجا جديدا للترجمة الآلية بين العربية والإنجليزية. It beats GPT-4 on 3 benchmarks."
AUTHOR = "محمد العربي"
NAME = "דוד כהן"
COMMENT = "עבודה מצוינת, thanks!"
COLLECTION = "רשימת קריאה"
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class _Directions(HTMLParser):
    """For each text node holding one of ``wanted``, the ``dir`` of the nearest element that has one;
    the head (plain text by nature) and code (the BibTeX entry, left to right) are not shown text."""

    def __init__(self, wanted: tuple[str, ...]) -> None:
        super().__init__()
        self.wanted, self.stack, self.found = wanted, [], {}  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("dir")))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(tag in ("head", "pre", "code") for tag, _ in self.stack):
            return
        for text in self.wanted:
            if text in data:
                nearest = next((d for _, d in reversed(self.stack) if d is not None), None)
                # Where it sits, so that a failure names the element that lacks the attribute.
                self.found.setdefault(text, set()).add(nearest or "/".join(tag for tag, _ in self.stack[-4:]))


def directions(html: str, *texts: str) -> dict[str, set[str | None]]:
    parser = _Directions(texts)
    parser.feed(html)
    return parser.found


@pytest.fixture
def rtl_site(client, db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title=TITLE, abstract=ABSTRACT, authors=(AUTHOR, "Ada Lovelace")),
                    date(2026, 6, 1)))
    user = sign_in(client, "dov@example.org")
    assert post(client, "/profile/name", {"display_name": NAME}).status_code == 303
    assert post(client, "/comments", {"arxiv_id": "2606.00001", "body": COMMENT}).status_code == 303
    assert post(client, "/vote/2606.00001", {"state": "on"}).status_code in (200, 303)
    assert post(client, "/collections", {"name": COLLECTION, "arxiv_id": "2606.00001"}).status_code == 303
    lists = client.app.state.services.community.reading_lists.mine(user)
    return user, lists[0].uuid


def test_paper_text_comments_and_names_get_dir_auto_wherever_they_are_shown(client, rtl_site):
    user, collection = rtl_site
    pages = {
        "/": (TITLE, AUTHOR, "نقدم نموذجا"),
        "/papers/2606.00001": (TITLE, ABSTRACT, AUTHOR, NAME, COMMENT),
        "/search?q=benchmarks": (TITLE, AUTHOR, "نقدم نموذجا"),  # the word is marked in the abstract only
        f"/collections/{collection}": (COLLECTION, TITLE, NAME),
        "/collections": (COLLECTION,),
        "/profile": (NAME, TITLE, COLLECTION, COMMENT),
        f"/users/{user.uuid}": (NAME, TITLE, COMMENT),
        f"/authors/{AUTHOR}": (AUTHOR, TITLE),
        "/papers/2606.00001/similar": (TITLE,),
    }
    for path, texts in pages.items():
        r = client.get(path)
        assert r.status_code == 200, path
        found = directions(r.text, *texts)
        assert found == {text: {"auto"} for text in texts}, path
