"""RSS 2.0 and Atom 1.0 documents for lists of papers.

Pure: builds XML text from :class:`Feed` and :class:`FeedItem` values; routes pick the
papers. Every paper's GUID / Atom id is its canonical page URL, so the same paper keeps
the same GUID in every feed it appears in and across re-imports (readers de-duplicate
on it). Specs: RSS 2.0 (https://www.rssboard.org/rss-specification), Atom (RFC 4287).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Literal
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape, quoteattr

from papertide.domain.search import SearchFilters

FeedFormat = Literal["rss", "atom"]
MEDIA_TYPES: dict[str, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
# Characters XML 1.0 forbids even when escaped (C0 controls other than tab, LF, CR;
# lone surrogates; U+FFFE/U+FFFF). arXiv metadata occasionally carries them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The date of an empty feed, and of a paper we know no date for. An empty feed must not say
# "now": its body (and so its ETag) would change on every render, and readers and proxies
# could never get a 304 for a feed that has not changed. Nothing was ever published in it.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What a path segment may carry unencoded (RFC 3986 pchar, less "%" so a literal one is encoded).
_PATH_SAFE = "/:@!$&'()*+,;="


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One paper in a feed."""

    guid: str  # the paper's canonical URL
    title: str
    link: str
    summary: str
    authors: tuple[str, ...]
    published: datetime
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's own metadata: ``link`` is the HTML page, ``self_url`` this document."""

    title: str
    link: str
    self_url: str
    description: str
    updated: datetime


def self_url(base: str, path: str, query: Iterable[tuple[str, str]]) -> str:
    """The URL of a feed document (its ``rel="self"`` link and Atom id), percent-encoded.

    ``path`` is the decoded request path and ``query`` every query parameter in order, repeated
    ones included: the URL fetches the same document, and is a valid URI (RFC 4287 ids are IRIs,
    which allow no spaces) whatever names or words it holds.

    >>> self_url("http://x", "/feeds/author/Émilie du Châtelet.rss", [("q", "a & b"), ("cat", "cs.LG"), ("cat", "cs.CL")])
    'http://x/feeds/author/%C3%89milie%20du%20Ch%C3%A2telet.rss?q=a%20%26%20b&cat=cs.LG&cat=cs.CL'
    """
    url = base + quote(path, safe=_PATH_SAFE)
    items = list(query)
    return f"{url}?{urlencode(items, quote_via=quote)}" if items else url


def feed_updated(items: Sequence[FeedItem]) -> datetime:
    """When a feed last changed: its newest item's date, or :data:`EPOCH` for an empty feed (never).

    >>> feed_updated([])
    datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    return max((i.published for i in items), default=EPOCH)


def day_start(day: date) -> datetime:
    """Midnight UTC of ``day``: the timestamp we give papers that only have a date."""
    return datetime.combine(day, time(), tzinfo=UTC)


def clean_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry.

    >>> clean_text("a\\x00b\\x1fc")
    'abc'
    """
    return _XML_INVALID.sub("", text)


def _t(text: str) -> str:
    return escape(clean_text(text))


def _a(text: str) -> str:
    return quoteattr(clean_text(text))


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def byline(authors: Sequence[str]) -> str:
    """Every author in one string, the form feeds carry them in.

    Readers show one author element per item (feedparser's ``author`` keeps only the last
    of several), so a paper's 12 authors as 12 elements showed as one name; arXiv's own
    feeds put the whole list in one ``dc:creator`` for the same reason.

    >>> byline(["Ada Lovelace", " Alan  Turing "])
    'Ada Lovelace, Alan Turing'
    """
    return ", ".join(" ".join(a.split()) for a in authors if a.strip())


def render_rss(feed: Feed, items: Sequence[FeedItem]) -> str:
    """An RSS 2.0 document; all authors go in one ``dc:creator`` (RSS ``author`` wants e-mails).

    >>> f = Feed("T", "http://x/", "http://x/f.rss", "D", datetime(2026, 6, 1, tzinfo=UTC))
    >>> render_rss(f, []).startswith('<?xml version="1.0" encoding="utf-8"?>')
    True
    """
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>{_t(feed.title)}</title>",
        f"<link>{_t(feed.link)}</link>",
        f"<description>{_t(feed.description)}</description>",
        f'<atom:link href={_a(feed.self_url)} rel="self" type="application/rss+xml"/>',
        f"<lastBuildDate>{format_datetime(_utc(feed.updated), usegmt=True)}</lastBuildDate>",
        "<generator>papertide</generator>",
    ]
    for it in items:
        out.append("<item>")
        out.append(f"<title>{_t(it.title)}</title>")
        out.append(f"<link>{_t(it.link)}</link>")
        out.append(f'<guid isPermaLink="true">{_t(it.guid)}</guid>')
        out.append(f"<pubDate>{format_datetime(_utc(it.published), usegmt=True)}</pubDate>")
        if it.authors:
            out.append(f"<dc:creator>{_t(byline(it.authors))}</dc:creator>")
        out.extend(f"<category>{_t(c)}</category>" for c in it.categories)
        out.append(f"<description>{_t(it.summary)}</description>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def render_atom(feed: Feed, items: Sequence[FeedItem]) -> str:
    """An Atom 1.0 document; all authors in one ``author`` (see :func:`byline`), entries
    without authors name the feed's site instead."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{_t(feed.title)}</title>",
        f"<subtitle>{_t(feed.description)}</subtitle>",
        f"<id>{_t(feed.self_url)}</id>",
        f'<link rel="alternate" type="text/html" href={_a(feed.link)}/>',
        f'<link rel="self" type="application/atom+xml" href={_a(feed.self_url)}/>',
        f"<updated>{_utc(feed.updated).isoformat()}</updated>",
        # RFC 4287 wants an author on every entry or on the feed; the feed's covers the rest.
        f"<author><name>{_t(feed.title)}</name></author>",
        "<generator>papertide</generator>",
    ]
    for it in items:
        out.append("<entry>")
        out.append(f"<title>{_t(it.title)}</title>")
        out.append(f"<id>{_t(it.guid)}</id>")
        out.append(f'<link rel="alternate" type="text/html" href={_a(it.link)}/>')
        out.append(f"<published>{_utc(it.published).isoformat()}</published>")
        out.append(f"<updated>{_utc(it.published).isoformat()}</updated>")
        if it.authors:
            out.append(f"<author><name>{_t(byline(it.authors))}</name></author>")
        out.extend(f"<category term={_a(c)}/>" for c in it.categories)
        out.append(f'<summary type="text">{_t(it.summary)}</summary>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def render_feed(fmt: FeedFormat, feed: Feed, items: Sequence[FeedItem]) -> str:
    return render_rss(feed, items) if fmt == "rss" else render_atom(feed, items)


def describe_search(query: str, filters: SearchFilters) -> str:
    """A search's words and filters as a feed names them: '“diffusion” in cs.CV, by Hinton, with code'."""
    parts = [f"“{query}”" if query else "papers"]
    if filters.categories:
        parts.append("in " + ", ".join(filters.categories))
    if filters.exclude_categories:
        parts.append("not in " + ", ".join(filters.exclude_categories))
    if filters.author:
        parts.append(f"by {filters.author}")
    if filters.published_from or filters.published_to:
        lo, hi = filters.published_from, filters.published_to
        parts.append(f"published {lo.isoformat() if lo else '…'} to {hi.isoformat() if hi else '…'}")
    if filters.listed_only:
        parts.append("on a daily list")
    if filters.has_code:
        parts.append("with code")
    head, *rest = parts
    return " ".join([head, ", ".join(rest)]) if rest else head
