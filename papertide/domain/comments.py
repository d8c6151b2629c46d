"""Comments as plain data: validation, Markdown rendering with sanitising, and threads.

Rendering is two layers on purpose: markdown-it-py (CommonMark) with raw HTML disabled
escapes any tags people type, and nh3 (the Rust ``ammonia`` sanitiser) then allows only
a short list of tags, attributes and URL schemes, so a bug in either layer alone cannot
put a script, an event handler or a ``javascript:`` link on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import nh3
from markdown_it import MarkdownIt

from papertide.domain.accounts import InvalidInput, shows_nothing

MAX_COMMENT_LENGTH = 10_000  # characters of Markdown
MAX_REPORT_REASON_LENGTH = 500
REPEAT_WINDOW_SECONDS = 60  # the same words again this soon, in the same place, are one post sent twice
STATUSES = ("visible", "hidden", "deleted")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "s", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")
# No images: they would load third-party trackers into readers' browsers.
_md.disable("image")


def render_markdown(text: str) -> str:
    """Safe HTML for a comment body.

    >>> render_markdown("**hi** <script>alert(1)</script> [x](javascript:alert(1))")
    '<p><strong>hi</strong> &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))</p>\\n'
    """
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )


def clean_body(text: str) -> str:
    body = (text or "").replace("\r\n", "\n").strip()
    if shows_nothing(body):
        raise InvalidInput("A comment cannot be empty.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"Comments are limited to {MAX_COMMENT_LENGTH:,} characters.")
    if "\x00" in body:
        raise InvalidInput("Comments cannot contain NUL characters.")
    return body


def clean_reason(text: str) -> str:
    reason = " ".join((text or "").split())
    if len(reason) > MAX_REPORT_REASON_LENGTH:
        raise InvalidInput(f"Please keep the reason under {MAX_REPORT_REASON_LENGTH} characters.")
    return reason


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    uuid: str
    paper_arxiv_id: str
    author_id: int | None
    author_name: str | None
    author_uuid: str | None
    parent_id: int | None
    body: str
    status: str
    created_at: datetime
    edited_at: datetime | None = None
    author_banned: bool = False

    @property
    def html(self) -> str:
        return render_markdown(self.body)

    @property
    def public_status(self) -> str:
        """The status readers see: a banned member's comments read as hidden until the ban is
        lifted (``status`` stays what the author and moderators made it, so an unban restores it)."""
        return "hidden" if self.status == "visible" and self.author_banned else self.status


@dataclass(frozen=True, slots=True)
class Thread:
    """A top-level comment and its replies (one level, oldest first)."""

    comment: Comment
    replies: tuple[Comment, ...] = field(default=())


def reply_parent(parent: Comment) -> int:
    """Replies nest one level: answering a reply attaches to the thread's top comment."""
    return parent.parent_id if parent.parent_id is not None else parent.id


def is_repeat(previous: Comment | None, body: str, parent_id: int | None, now: datetime,
              window_seconds: int = REPEAT_WINDOW_SECONDS) -> bool:
    """Whether posting ``body`` now repeats the author's ``previous`` comment on the paper: a double
    click or a resent form, which must not post twice.

    >>> from datetime import UTC
    >>> first = Comment(1, "u1", "2405.1", 7, "A", "ua", None, "+1", "visible", datetime(2026, 1, 1, tzinfo=UTC))
    >>> is_repeat(first, "+1", None, datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC))
    True
    >>> is_repeat(first, "+1", None, datetime(2026, 1, 1, 0, 5, tzinfo=UTC))
    False
    """
    return (
        previous is not None and previous.status == "visible" and previous.body == body
        and previous.parent_id == parent_id and now - previous.created_at <= timedelta(seconds=window_seconds)
    )


def build_threads(comments: list[Comment], show_hidden: bool = False) -> list[Thread]:
    """Group comments (sorted by id) into threads.

    Deleted and hidden comments that still have visible replies stay as placeholders so
    the replies keep their context; without replies they disappear. Moderators
    (``show_hidden``) see hidden ones in full, banned members' included.
    """
    replies: dict[int, list[Comment]] = {}
    tops: list[Comment] = []
    for c in sorted(comments, key=lambda c: c.id):
        if c.parent_id is None:
            tops.append(c)
        else:
            replies.setdefault(c.parent_id, []).append(c)

    def shown(c: Comment) -> bool:
        return c.public_status == "visible" or (show_hidden and c.status != "deleted")

    threads = []
    for top in tops:
        kids = tuple(r for r in replies.get(top.id, []) if shown(r))
        if shown(top) or kids:
            threads.append(Thread(top, kids))
    return threads


def count_visible(comments: list[Comment]) -> int:
    return sum(1 for c in comments if c.public_status == "visible")
