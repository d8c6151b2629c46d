"""Comment Markdown is rendered and sanitised: OWASP XSS filter-evasion vectors come out inert."""

from html.parser import HTMLParser

import pytest

from papertide.domain.accounts import InvalidInput
from papertide.domain.comments import ALLOWED_TAGS, Comment, build_threads, clean_body, render_markdown, reply_parent

# From the OWASP XSS Filter Evasion Cheat Sheet, plus Markdown-specific link/image forms.
XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x\"onerror=\"alert(1)](https://x.org/a.png)",
    "[x](https://x.org \"title\" onclick=\"alert(1)\")",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "\"><script>alert(1)</script>",
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_render_inert(vector):
    """What a browser would build from the output: only allowed tags, no handlers, only safe URLs."""
    for tag, attrs in elements(render_markdown(vector)):
        assert tag in ALLOWED_TAGS, (vector, tag)
        assert set(attrs) <= {"href", "title", "rel", "start"}, (vector, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert href == "" or href.startswith(("http://", "https://", "mailto:")), (vector, href)


def test_markdown_features_survive_sanitising():
    text = "**bold** _em_ `code` ~~gone~~\n\n> quote\n\n- a\n- b\n\n[link](https://arxiv.org/abs/2405.12345)"
    assert render_markdown(text) == (
        "<p><strong>bold</strong> <em>em</em> <code>code</code> <s>gone</s></p>\n"
        "<blockquote>\n<p>quote</p>\n</blockquote>\n"
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
        '<p><a href="https://arxiv.org/abs/2405.12345" rel="nofollow ugc noopener noreferrer">link</a></p>\n'
    )


def test_bodies_are_checked():
    assert clean_body("  hi\r\nthere  ") == "hi\nthere"
    for bad in ("", "   ", "x" * 10_001, "a\x00b"):
        with pytest.raises(InvalidInput):
            clean_body(bad)


def _c(cid, parent=None, status="visible"):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return Comment(cid, f"u{cid}", "2405.1", 1, "A", "ua", parent, "b", status, datetime(2026, 1, 1, tzinfo=UTC))


def test_threads_nest_one_level_and_keep_context_for_removed_parents():
    comments = [_c(1), _c(2, 1), _c(3), _c(4, 3, "hidden"), _c(5, status="deleted"), _c(6, 5), _c(7, status="deleted")]
    threads = build_threads(comments)
    assert [(t.comment.id, [r.id for r in t.replies]) for t in threads] == [(1, [2]), (3, []), (5, [6])]
    mod = build_threads(comments, show_hidden=True)
    assert [(t.comment.id, [r.id for r in t.replies]) for t in mod] == [(1, [2]), (3, [4]), (5, [6])]
    assert reply_parent(_c(2, 1)) == 1
    assert reply_parent(_c(1)) == 1
