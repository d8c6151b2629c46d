"""/api/v1 community endpoints: votes, comments, collections, your e-mail subscription.

Writes need a personal API token with the ``write`` scope (``Authorization: Bearer pt_…``);
a session cookie alone is never enough here, which is also why these routes need no CSRF
token (a cross-site page cannot attach our bearer header). Each route calls the same
community service as the web pages, so sanitising, permissions, suspensions and rate
limits are the site's. Errors keep the API's ``{"error": {"code", "message"}}`` shape.

Included before ``api_v1``'s router: its ``/papers/{arxiv_id:path}`` would otherwise
swallow ``/papers/<id>/comments``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from papertide.api.community_models import (
    WRITE_ERRORS,
    CollectionIn,
    CollectionItemOut,
    CollectionList,
    CollectionOut,
    CommentIn,
    CommentList,
    CommentOut,
    SubscriptionOut,
    VoteOut,
    collection_out,
    comment_out,
)
from papertide.api.models import ERROR_RESPONSES
from papertide.community import Denied, NotFound
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.api_tokens import TokenPrincipal
from papertide.domain.cursors import encode_cursor, list_key
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.web.api_auth import require_scope
from papertide.web.deps import CommunityDep, SettingsDep, services_of
from papertide.web.ratelimit import enforce
from papertide.web.routes.api_v1 import MAX_LIMIT, Cursor, Limit, cursor_value

router = APIRouter(prefix="/api/v1", tags=["community"], responses={**ERROR_RESPONSES, **WRITE_ERRORS})
T = TypeVar("T")

Reader = Annotated[TokenPrincipal, Depends(require_scope("read"))]
Writer = Annotated[TokenPrincipal, Depends(require_scope("write"))]
CollectionUuid = Annotated[str, Path(max_length=40, pattern=r"^[0-9a-fA-F-]+$")]


@contextmanager
def _service_errors() -> Iterator[None]:
    """The community services' exceptions as API errors (the web turns them into pages)."""
    try:
        yield
    except Denied as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except NotFound as exc:
        raise HTTPException(404, f"not found: {str(exc)[:100]}") from None
    except InvalidInput as exc:
        raise HTTPException(422, str(exc)) from None


def _call(fn: Callable[[], T]) -> T:
    with _service_errors():
        return fn()


def _user(request: Request, principal: TokenPrincipal) -> User:
    return _call(lambda: services_of(request).community.accounts.get_by_uuid(principal.user_uuid))


def _paper_id(request: Request, raw: str) -> str:
    try:
        arxiv_id = parse_arxiv_id(raw).id
    except InvalidArxivId:
        raise HTTPException(404, f"no such paper: {raw[:100]!r}") from None
    if services_of(request).api.paper(arxiv_id) is None:
        raise HTTPException(404, f"no such paper: {arxiv_id}")
    return arxiv_id


def _vote(request: Request, principal: TokenPrincipal, raw_id: str, wanted: bool) -> dict[str, Any]:
    arxiv_id = _paper_id(request, raw_id)
    user = _user(request, principal)
    enforce(request, "vote", user)
    result = _call(lambda: services_of(request).community.votes.vote(user, arxiv_id, wanted))
    return {"arxiv_id": arxiv_id, "voted": result.voted, "upvotes": result.upvotes}


@router.put("/papers/{arxiv_id:path}/vote", response_model=VoteOut, summary="Upvote a paper (idempotent)")
def put_vote(arxiv_id: str, request: Request, principal: Writer) -> dict[str, Any]:
    return _vote(request, principal, arxiv_id, True)


@router.delete("/papers/{arxiv_id:path}/vote", response_model=VoteOut, summary="Take back an upvote (idempotent)")
def delete_vote(arxiv_id: str, request: Request, principal: Writer) -> dict[str, Any]:
    return _vote(request, principal, arxiv_id, False)


@router.get("/papers/{arxiv_id:path}/comments", response_model=CommentList, summary="A paper's comments, paged")
def list_comments(arxiv_id: str, request: Request, community: CommunityDep, limit: Limit = MAX_LIMIT,
                  cursor: Cursor = None) -> dict[str, Any]:
    """Threads in page order, each comment followed by its replies, ``limit`` at a time; pass
    ``next_cursor`` back as ``cursor`` for the next page. A hidden or deleted comment with replies is
    listed as a placeholder (its ``status``, no author, empty ``body``)."""
    # Paged because a paper with 800 comments answered half a megabyte at once.
    aid = _paper_id(request, arxiv_id)
    key = list_key("comments", aid)
    page, last = community.discussion.page(aid, cursor_value(cursor, "a", key), limit)
    return {"items": [comment_out(c, top.uuid if top else None) for c, top in page],
            "next_cursor": encode_cursor("a", last, key) if last is not None else None}


@router.post("/papers/{arxiv_id:path}/comments", response_model=CommentOut, status_code=201,
             summary="Comment on a paper (Markdown), or reply to a comment")
def post_comment(arxiv_id: str, body: CommentIn, request: Request, community: CommunityDep, principal: Writer) -> dict[str, Any]:
    aid = _paper_id(request, arxiv_id)
    user = _user(request, principal)
    enforce(request, "comment", user)
    created = _call(lambda: community.discussion.add(user, aid, body.body, body.reply_to or None))
    parent = None
    if created.parent_id is not None:  # the service attaches replies to the thread's top comment
        threads, _ = community.discussion.threads(aid, None)
        parent = next((t.comment.uuid for t in threads if t.comment.id == created.parent_id), None)
    return comment_out(created, parent)


@router.get("/collections", response_model=CollectionList, summary="Your collections")
def my_collections(request: Request, community: CommunityDep, settings: SettingsDep, principal: Reader) -> dict[str, Any]:
    user = _user(request, principal)
    base = settings.base_url.rstrip("/")
    return {"items": [collection_out(c, base) for c in community.reading_lists.mine(user)]}


@router.post("/collections", response_model=CollectionOut, status_code=201, summary="Create a collection")
def create_collection(
    body: CollectionIn, request: Request, community: CommunityDep, settings: SettingsDep, principal: Writer,
) -> dict[str, Any]:
    user = _user(request, principal)
    enforce(request, "collection", user)
    lists = community.reading_lists
    new_uuid = _call(lambda: lists.create(user, body.name, body.public))
    created = next(c for c in lists.mine(user) if c.uuid == new_uuid)
    return collection_out(created, settings.base_url.rstrip("/"))


def _item(request: Request, principal: TokenPrincipal, collection_uuid: str, raw_id: str, add: bool) -> dict[str, Any]:
    arxiv_id = _paper_id(request, raw_id)
    user = _user(request, principal)
    lists = services_of(request).community.reading_lists
    if add:
        _call(lambda: lists.add(user, collection_uuid, arxiv_id))
    else:
        _call(lambda: lists.remove(user, collection_uuid, arxiv_id))
    return {"collection_uuid": collection_uuid, "arxiv_id": arxiv_id, "in_collection": add}


@router.post("/collections/{collection_uuid}/papers/{arxiv_id:path}", response_model=CollectionItemOut,
             summary="Add a paper to one of your collections (idempotent)")
def add_to_collection(collection_uuid: CollectionUuid, arxiv_id: str, request: Request, principal: Writer) -> dict[str, Any]:
    return _item(request, principal, collection_uuid, arxiv_id, True)


@router.delete("/collections/{collection_uuid}/papers/{arxiv_id:path}", response_model=CollectionItemOut,
               summary="Remove a paper from one of your collections (idempotent)")
def remove_from_collection(collection_uuid: CollectionUuid, arxiv_id: str, request: Request,
                           principal: Writer) -> dict[str, Any]:
    return _item(request, principal, collection_uuid, arxiv_id, False)


@router.get("/me/subscription", response_model=SubscriptionOut, summary="Your e-mail digest subscription")
def my_subscription(request: Request, principal: Reader) -> dict[str, Any]:
    record = services_of(request).subscriptions.get_by_email(principal.email)
    if record is None:
        return {"subscribed": False, "status": None, "preferences": None}
    p = record.prefs
    prefs = {
        "frequency": p.frequency, "weekday": p.weekday, "send_hour": p.send_hour, "timezone": p.timezone,
        "trending": p.trending, "categories": list(p.categories), "keywords": list(p.keywords),
        "authors": list(p.authors), "max_papers": p.max_papers,
    }
    return {"subscribed": record.status == "confirmed", "status": record.status, "preferences": prefs}
