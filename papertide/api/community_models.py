"""Request and response models of /api/v1's community endpoints (votes, comments,
collections, subscription): what the OpenAPI document promises for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from papertide.api.models import ErrorBody
from papertide.domain.collections import Collection
from papertide.domain.comments import Comment

# Extra error answers of write endpoints (the shared ones are in ERROR_RESPONSES).
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The request body is not valid JSON"},
    429: {"model": ErrorBody, "description": "Too many requests; see Retry-After"},
}


class VoteOut(BaseModel):
    arxiv_id: str
    voted: bool = Field(description="Whether the token's user now upvotes the paper.")
    upvotes: int = Field(description="The paper's upvote count after this request.")


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000, description="Markdown; raw HTML is not rendered.")
    reply_to: str | None = Field(None, max_length=40, description="The uuid of a comment to answer.")


class CommentOut(BaseModel):
    uuid: str
    arxiv_id: str
    author: str | None
    author_uuid: str | None
    reply_to: str | None = Field(description="The thread's top comment when this is a reply.")
    status: str = Field(description="visible, or hidden/deleted for a placeholder kept for its replies (no author or body).")
    body: str = Field(description="The Markdown as written.")
    html: str = Field(description="The body rendered and sanitised, as the site shows it.")
    created_at: datetime
    edited_at: datetime | None


class CommentList(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page.")


class CollectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    public: bool = False


class CollectionOut(BaseModel):
    uuid: str
    name: str
    public: bool
    size: int
    url: str
    hidden_reason: str | None = Field(
        None, description="Why a moderator hid this collection from others; null when not hidden. A hidden "
        "collection is seen only by you and moderators, whatever `public` says, until a moderator shows it again.")


class CollectionList(BaseModel):
    items: list[CollectionOut]


class CollectionItemOut(BaseModel):
    collection_uuid: str
    arxiv_id: str
    in_collection: bool = Field(description="Whether the paper is in the collection after this request.")


class SubscriptionOut(BaseModel):
    subscribed: bool
    status: str | None = Field(description="unconfirmed, confirmed or unsubscribed; null without a subscription.")
    preferences: dict[str, Any] | None


def _utc(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes (stored as UTC); RFC 3339 date-times need the offset.
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def comment_out(c: Comment, parent_uuid: str | None) -> dict[str, Any]:
    """A comment as the API shows it to anyone.

    A hidden or deleted comment is listed only as the placeholder its replies hang from: as on
    the paper page, without its words or its author (a deleted comment's row keeps its body).
    """
    shown = c.public_status == "visible"
    return {
        "uuid": c.uuid, "arxiv_id": c.paper_arxiv_id, "author": c.author_name if shown else None,
        "author_uuid": c.author_uuid if shown else None, "reply_to": parent_uuid, "status": c.public_status,
        "body": c.body if shown else "", "html": c.html if shown else "",
        "created_at": _utc(c.created_at), "edited_at": _utc(c.edited_at),
    }


def collection_out(c: Collection, base_url: str) -> dict[str, Any]:
    return {"uuid": c.uuid, "name": c.name, "public": c.is_public, "size": c.size, "url": f"{base_url}/collections/{c.uuid}",
            "hidden_reason": c.hidden_reason}
