"""Everything the instance holds about one member: gathered for "Download my data", and removed
for "Delete my account".

Secrets never leave: password, session, sign-in link and API token digests are left out of the
export (their metadata is in it), and so are the bodies of emails (they carry live links).
Deleting keeps what others' pages are built on, without the member in it: their comments become
"[deleted]" placeholders (body emptied, ``comments.user_id`` SET NULL) so replies others wrote
keep their thread, listings the member submitted stay listed without their name, and paper
upvote totals drop by the member's votes first, so ``papers.upvotes = upvotes_baseline + vote
rows`` still holds. Rows keyed by the address rather than the account (the digest subscription,
queued and sent mail, sign-in links) go too, and the audit log keeps its entries but loses the
address and display name from their details.

:data:`COVERED_TABLES` names every table that holds something of a member's; a test fails when
a table that references ``users`` (or an address, or such a table) is missing from it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.audit import about_member
from papertide.storage.schema import daily_listings, papers, upvotes, users
from papertide.storage.tables.api import api_tokens
from papertide.storage.tables.community import (
    accounts,
    audit_log,
    collection_items,
    collections,
    comment_reports,
    comments,
    login_tokens,
    paper_requests,
    sessions,
)
from papertide.storage.tables.email import bounces, digest_items, outbox, subscribers, subscriptions
from papertide.storage.tables.recs import rec_follows, rec_pending, rec_profiles, rec_signals
from papertide.storage.users import lock_member
from papertide.storage.votes import shift_member_votes

# Tables export() reads and delete_user() empties or anonymises (directly or by cascade).
COVERED_TABLES = frozenset({
    "users", "accounts", "login_tokens", "sessions", "comments", "comment_reports", "collections",
    "collection_items", "audit_log", "paper_requests", "daily_listings", "upvotes", "api_tokens",
    "rec_signals", "rec_pending", "rec_follows", "rec_profiles", "subscribers", "subscriptions",
    "bounces", "digest_items", "outbox",
})
SCRUBBED = "[deleted account]"  # what replaces the address and name in audit details


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _rows(conn: Connection, q: sa.Select[Any]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r._mapping.items()} for r in conn.execute(q)]


def _address(column: sa.ColumnElement[Any], email: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(column) == email.lower()


def export(conn: Connection, user_id: int) -> dict[str, Any]:
    """A JSON-ready dict of everything stored about the member (no secrets, no digests)."""
    account = _rows(conn, sa.select(
        users.c.uuid, users.c.email, users.c.display_name, users.c.role, users.c.created_at,
        accounts.c.status, accounts.c.last_sign_in_at, accounts.c.password_hash.is_not(None).label("has_password"),
    ).outerjoin(accounts, accounts.c.user_id == users.c.id).where(users.c.id == user_id))
    if not account:
        return {}
    email, user_uuid = account[0]["email"], account[0]["uuid"]
    by_paper = papers.c.arxiv_id.label("arxiv_id")
    items = (
        sa.select(collections.c.uuid.label("collection"), by_paper, collection_items.c.position, collection_items.c.created_at)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .join(papers, papers.c.id == collection_items.c.paper_id)
        .where(collections.c.user_id == user_id).order_by(collections.c.id, collection_items.c.position)
    )
    lists = _rows(conn, sa.select(collections.c.uuid, collections.c.name, collections.c.is_public,
                                  collections.c.hidden_reason, collections.c.created_at)
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
        **_email_data(conn, email),
        "upvotes": _rows(conn, sa.select(by_paper, upvotes.c.created_at).join(papers, papers.c.id == upvotes.c.paper_id)
                         .where(upvotes.c.user_id == user_id).order_by(upvotes.c.id)),
        "collections": lists,
        "comments": _rows(conn, sa.select(comments.c.uuid, by_paper, comments.c.body, comments.c.status,
                                          comments.c.created_at, comments.c.edited_at)
                          .join(papers, papers.c.id == comments.c.paper_id)
                          .where(comments.c.user_id == user_id).order_by(comments.c.id)),
        "comment_reports": _rows(conn, sa.select(comments.c.uuid.label("comment"), comment_reports.c.reason,
                                                 comment_reports.c.status, comment_reports.c.created_at)
                                 .join(comments, comments.c.id == comment_reports.c.comment_id)
                                 .where(comment_reports.c.reporter_id == user_id).order_by(comment_reports.c.id)),
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
        "sign_in_links": _rows(conn, sa.select(login_tokens.c.created_at, login_tokens.c.expires_at, login_tokens.c.used_at)
                               .where(_address(login_tokens.c.email, email)).order_by(login_tokens.c.id)),
        # Who acted is left out unless it was the member: moderators' identities are not theirs to give.
        "audit_log": _rows(conn, sa.select(audit_log.c.action, audit_log.c.target, audit_log.c.detail,
                                           (audit_log.c.actor_id == user_id).label("by_me"), audit_log.c.created_at)
                           .where(about_member(user_id, user_uuid)).order_by(audit_log.c.id)),
    }


def _email_data(conn: Connection, email: str) -> dict[str, Any]:
    """What is kept about the address: its subscription, bounces, papers sent, and mail queued or sent."""
    subscription_cols = [c for c in subscriptions.c if c.name not in ("id", "subscriber_id", "token_version")]
    mine = sa.select(subscriptions.c.id).join(subscribers, subscribers.c.id == subscriptions.c.subscriber_id) \
        .where(_address(subscribers.c.email, email)).scalar_subquery()
    return {
        "email_subscriptions": _rows(conn, sa.select(subscribers.c.name, subscribers.c.status.label("address_status"),
                                                     subscribers.c.soft_bounces, *subscription_cols)
                                     .join(subscribers, subscribers.c.id == subscriptions.c.subscriber_id)
                                     .where(_address(subscribers.c.email, email))),
        "email_bounces": _rows(conn, sa.select(bounces.c.kind, bounces.c.source, bounces.c.detail, bounces.c.created_at)
                               .join(subscribers, subscribers.c.id == bounces.c.subscriber_id)
                               .where(_address(subscribers.c.email, email)).order_by(bounces.c.id)),
        "digest_papers_sent": _rows(conn, sa.select(digest_items.c.arxiv_id, digest_items.c.created_at)
                                    .where(digest_items.c.subscription_id.in_(mine))
                                    .order_by(digest_items.c.created_at, digest_items.c.arxiv_id)),
        "emails": _rows(conn, sa.select(outbox.c.kind, outbox.c.subject, outbox.c.status, outbox.c.attempts,
                                        outbox.c.created_at, outbox.c.sent_at)
                        .where(_address(outbox.c.recipient, email)).order_by(outbox.c.id)),
    }


def _scrub_audit(conn: Connection, user_id: int, user_uuid: str, email: str, name: str) -> None:
    """Take the address and display name out of audit details about the member (bans record the
    address; hiding a comment records its author's name); the entries themselves stay."""
    names = [re.escape(s) for s in (email, name) if s.strip()]
    pattern = re.compile("|".join(sorted(names, key=len, reverse=True)), re.IGNORECASE)
    mentions = sa.func.lower(audit_log.c.detail).contains(email.lower(), autoescape=True)
    q = sa.select(audit_log.c.id, audit_log.c.detail).where(sa.or_(about_member(user_id, user_uuid), mentions))
    for row_id, detail in conn.execute(q).all():
        scrubbed = pattern.sub(SCRUBBED, detail)
        if scrubbed != detail:
            conn.execute(sa.update(audit_log).where(audit_log.c.id == row_id).values(detail=scrubbed))


def delete_user(conn: Connection, user_id: int) -> bool:
    """Delete the member and what is theirs alone; False when there was no such member."""
    # Under their lock, as a ban is: a vote from their other tab (it takes the lock too) waits and
    # then finds no member, where it could commit after their votes came off the totals below and
    # be deleted with the account, leaving its +1 on the paper for good.
    lock_member(conn, user_id)
    found = conn.execute(sa.select(users.c.uuid, users.c.email, users.c.display_name).where(users.c.id == user_id)).first()
    if found is None:
        return False
    user_uuid, email, name = found
    status = conn.execute(sa.select(accounts.c.status).where(accounts.c.user_id == user_id)).scalar()
    if status != "banned":  # a ban already took their votes off the totals
        shift_member_votes(conn, user_id, -1)
    conn.execute(sa.update(daily_listings).where(daily_listings.c.submitted_by == user_id).values(submitter_name=None))
    _scrub_audit(conn, user_id, user_uuid, email, name)  # before the comments lose their author
    # What they wrote goes; the row stays as a "[deleted]" placeholder so others' replies keep their thread.
    conn.execute(sa.update(comments).where(comments.c.user_id == user_id)
                 .values(body="", status="deleted", updated_at=sa.func.now()))
    # Keyed by address, not account, so no cascade reaches them: the digest subscription (with
    # its bounces and sent-papers log), every message queued or sent to the address (a queued one
    # would still go out), and unused sign-in links (one would sign the address up again).
    conn.execute(sa.delete(subscribers).where(_address(subscribers.c.email, email)))
    conn.execute(sa.delete(outbox).where(_address(outbox.c.recipient, email)))
    conn.execute(sa.delete(login_tokens).where(_address(login_tokens.c.email, email)))
    # Everything else of theirs goes by ON DELETE CASCADE (sessions, tokens, votes, collections,
    # recommendation signals and the private feed) or SET NULL (comments, reports, the audit log).
    conn.execute(sa.delete(users).where(users.c.id == user_id))
    return True
