"""Hugging Face Papers API shapes: our papers as the JSON huggingface.co serves.

Pure: takes :class:`~papertide.domain.papers.PaperEntry` values and returns plain dicts
with HF's field names (``paper{id, authors[{_id, name, hidden}], publishedAt, …}``,
``numComments``, ``submittedBy`` …), so tools written against ``/api/daily_papers``
work by changing the base URL. The reference is the recorded responses in
``tests/fixtures/hf_api_daily_papers_*.json``.

HF identifies discussions, authors and users by 24-hex MongoDB ids; we derive stable
ones from the arXiv id so the same paper always gets the same ids.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from papertide.domain.papers import PaperEntry

HF_THUMBNAIL = ""  # we host no thumbnails; HF's key is kept, empty, so clients find it


def hf_timestamp(day: date) -> str:
    """HF's timestamp spelling for a calendar day (midnight UTC, milliseconds, ``Z``).

    >>> hf_timestamp(date(2026, 6, 1))
    '2026-06-01T00:00:00.000Z'
    """
    return f"{day.isoformat()}T00:00:00.000Z"


def hf_object_id(*parts: str) -> str:
    """A stable 24-hex id (HF's MongoDB ObjectId spelling) derived from ``parts``.

    >>> len(hf_object_id("2405.12345", "discussion"))
    24
    """
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:24]


def hf_user(name: str, username_key: str = "name") -> dict[str, Any]:
    """A submitter as an HF user object (we only know the user name).

    HF spells the username ``name`` in an item's ``submittedBy`` and ``user`` in
    ``paper.submittedOnDailyBy``; ``username_key`` picks which.
    """
    return {
        "_id": hf_object_id("user", name),
        "avatarUrl": "",
        "isPro": False,
        "fullname": name,
        username_key: name,
        "type": "user",
    }


def hf_paper(entry: PaperEntry) -> dict[str, Any]:
    """The ``paper`` object: also the whole body of ``GET /api/papers/{id}``.

    >>> from papertide.domain.papers import Paper
    >>> p = Paper("2405.12345", "T", "S", authors=("Ada",), published=date(2024, 5, 20))
    >>> d = hf_paper(PaperEntry(p, upvotes=3))
    >>> d["id"], d["authors"][0]["name"], d["publishedAt"], d["upvotes"]
    ('2405.12345', 'Ada', '2024-05-20T00:00:00.000Z', 3)
    """
    p = entry.paper
    out: dict[str, Any] = {
        "id": p.arxiv_id,
        "authors": [
            {"_id": hf_object_id(p.arxiv_id, "author", str(i)), "name": name, "hidden": False}
            for i, name in enumerate(p.authors)
        ],
    }
    published = p.published or entry.listed_on
    if published is not None:
        out["publishedAt"] = hf_timestamp(published)
    if entry.listed_on is not None:
        out["submittedOnDailyAt"] = hf_timestamp(entry.listed_on)
    out["title"] = p.title
    if entry.submitter_name:
        out["submittedOnDailyBy"] = hf_user(entry.submitter_name, "user")
    out["summary"] = p.abstract
    out["upvotes"] = entry.upvotes
    out["discussionId"] = hf_object_id(p.arxiv_id, "discussion")
    if p.github_repo:
        out["githubRepo"] = p.github_repo
    if p.keywords:  # HF omits the key when a paper has none
        out["ai_keywords"] = list(p.keywords)
    return out


def hf_daily_item(entry: PaperEntry) -> dict[str, Any]:
    """One item of ``GET /api/daily_papers``: the paper plus its listing.

    HF's top-level ``publishedAt`` is when the paper was put on the daily list
    (``huggingface_hub`` reads it as ``PaperInfo.submitted_at``); we use the listing day.
    """
    item: dict[str, Any] = {"paper": hf_paper(entry)}
    listed = entry.listed_on or entry.paper.published
    if listed is not None:
        item["publishedAt"] = hf_timestamp(listed)
    item["title"] = entry.paper.title
    item["summary"] = entry.paper.abstract
    item["thumbnail"] = HF_THUMBNAIL
    item["numComments"] = entry.num_comments
    if entry.submitter_name:
        item["submittedBy"] = hf_user(entry.submitter_name)
    item["isAuthorParticipating"] = False
    return item
