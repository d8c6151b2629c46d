"""Everything the instance holds about one member: gathered for "Download my data", and removed
for "Delete my account".

Secrets never leave: password, session and API token digests are left out of the export (their
metadata is in it). Deleting keeps what others' pages are built on: comments stay as
"[deleted]" (``comments.user_id`` is ON DELETE SET NULL), listings the member submitted stay
listed without their name, and paper upvote totals drop by the member's votes first, so
``papers.upvotes = upvotes_baseline + vote rows`` still holds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.schema import daily_listings, papers, upvotes, users
from papertide.storage.tables.api import api_tokens
from papertide.storage.tables.community import (
    accounts,
    collection_items,
    collections,
    comments,
    paper_requests,
    sessions,
)
from papertide.storage.tables.email import subscribers, subscriptions
from papertide.storage.tables.recs import rec_follows, rec_pending, rec_profiles, rec_signals


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _rows(conn: Connection, q: sa.Select[Any]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r._mapping.items()} for r in conn.execute(q)]


def export(conn: Connection, user_id: int) -> dict[str, Any]:
    """A JSON-ready dict of everything stored about the member (no secrets, no digests)."""
    account = _rows(conn, sa.select(
        users.c.uuid, users.c.email, users.c.display_name, users.c.role, users.c.created_at,
        accounts.c.status, accounts.c.last_sign_in_at, accounts.c.password_hash.is_not(None).label("has_password"),
    ).outerjoin(accounts, accounts.c.user_id == users.c.id).where(users.c.id == user_id))
    if not account:
        return {}
    email = account[0]["email"]
    subscription_cols = [c for c in subscriptions.c if c.name not in ("id", "subscriber_id", "token_version")]
    by_paper = papers.c.arxiv_id.label("arxiv_id")
    items = (
        sa.select(collections.c.uuid.label("collection"), by_paper, collection_items.c.position, collection_items.c.created_at)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .join(papers, papers.c.id == collection_items.c.paper_id)
        .where(collections.c.user_id == user_id).order_by(collections.c.id, collection_items.c.position)
    )
    lists = _rows(conn, sa.select(collections.c.uuid, collections.c.name, collections.c.is_public, collections.c.created_at)
                  .where(collections.c.user_id == user_id).order_by(collections.c.id))
    saved = _rows(conn, items)
    for c in lists:
        c["papers"] = [i["arxiv_id"] for i in saved if i["collection"] == c["uuid"]]
    profile = _rows(conn, sa.select(
        rec_profiles.c.paused, rec_profiles.c.signals_changed_at, rec_profiles.c.trained_at, rec_profiles.c.model_kind,
        rec_profiles.c.feed_token_hash.is_not(None).label("has_private_feed"),
    ).where(rec_profiles.c.user_id == user_id))
    return {
        "account": account[0],
        "email_subscriptions": _rows(conn, sa.select(subscribers.c.status.label("address_status"), *subscription_cols)
                                     .join(subscribers, subscribers.c.id == subscriptions.c.subscriber_id)
                                     .where(sa.func.lower(subscribers.c.email) == email.lower())),
        "upvotes": _rows(conn, sa.select(by_paper, upvotes.c.created_at).join(papers, papers.c.id == upvotes.c.paper_id)
                         .where(upvotes.c.user_id == user_id).order_by(upvotes.c.id)),
        "collections": lists,
        "comments": _rows(conn, sa.select(comments.c.uuid, by_paper, comments.c.body, comments.c.status,
                                          comments.c.created_at, comments.c.edited_at)
                          .join(papers, papers.c.id == comments.c.paper_id)
                          .where(comments.c.user_id == user_id).order_by(comments.c.id)),
        "submissions": _rows(conn, sa.select(by_paper, daily_listings.c.listed_on)
                             .join(papers, papers.c.id == daily_listings.c.paper_id)
                             .where(daily_listings.c.submitted_by == user_id).order_by(daily_listings.c.id)),
        "paper_requests": _rows(conn, sa.select(paper_requests.c.arxiv_id, paper_requests.c.listed_on,
                                                paper_requests.c.status, paper_requests.c.created_at)
                                .where(paper_requests.c.user_id == user_id).order_by(paper_requests.c.id)),
        "rec_signals": _rows(conn, sa.select(by_paper, rec_signals.c.kind, rec_signals.c.source, rec_signals.c.created_at)
                             .join(papers, papers.c.id == rec_signals.c.paper_id)
                             .where(rec_signals.c.user_id == user_id).order_by(rec_signals.c.id)),
        "rec_pending": _rows(conn, sa.select(rec_pending.c.arxiv_id, rec_pending.c.kind, rec_pending.c.source,
                                             rec_pending.c.attempts, rec_pending.c.last_error, rec_pending.c.created_at)
                             .where(rec_pending.c.user_id == user_id).order_by(rec_pending.c.id)),
        "follows": _rows(conn, sa.select(rec_follows.c.kind, rec_follows.c.value, rec_follows.c.label, rec_follows.c.created_at)
                         .where(rec_follows.c.user_id == user_id).order_by(rec_follows.c.id)),
        "recommendation_profile": profile[0] if profile else None,
        "api_tokens": _rows(conn, sa.select(api_tokens.c.uuid, api_tokens.c.name, api_tokens.c.token_prefix,
                                            api_tokens.c.scope, api_tokens.c.created_at, api_tokens.c.last_used_at,
                                            api_tokens.c.revoked_at)
                            .where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)),
        "sessions": _rows(conn, sa.select(sessions.c.created_at, sessions.c.expires_at, sessions.c.user_agent)
                          .where(sessions.c.user_id == user_id).order_by(sessions.c.id)),
    }


def delete_user(conn: Connection, user_id: int) -> bool:
    """Delete the member and what is theirs alone; False when there was no such member."""
    email = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
    if email is None:
        return False
    voted = sa.select(upvotes.c.paper_id).where(upvotes.c.user_id == user_id).scalar_subquery()
    conn.execute(sa.update(papers).where(papers.c.id.in_(voted)).values(upvotes=papers.c.upvotes - 1))
    conn.execute(sa.update(daily_listings).where(daily_listings.c.submitted_by == user_id).values(submitter_name=None))
    # The digest subscription is keyed by address, not account: it goes with the account.
    conn.execute(sa.delete(subscribers).where(sa.func.lower(subscribers.c.email) == email.lower()))
    # Everything else of theirs goes by ON DELETE CASCADE (sessions, tokens, votes, collections,
    # recommendation signals) or SET NULL (comments, reports, the audit log).
    conn.execute(sa.delete(users).where(users.c.id == user_id))
    return True
