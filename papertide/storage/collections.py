"""Collections (named reading lists) and their ordered items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.collections import Collection
from papertide.domain.papers import Paper
from papertide.storage.dialects.conflicts import execute_inserted, insert_ignore
from papertide.storage.papers import paper_from_row
from papertide.storage.schema import papers, users
from papertide.storage.tables.community import accounts, collection_items, collections

_size = (
    sa.select(sa.func.count()).select_from(collection_items)
    .where(collection_items.c.collection_id == collections.c.id).scalar_subquery()
)
_COLUMNS = (
    collections.c.id, collections.c.uuid, collections.c.user_id, users.c.display_name, collections.c.name,
    collections.c.is_public, _size.label("size"),
    (sa.func.coalesce(accounts.c.status, "active") == "banned").label("owner_banned"), collections.c.hidden_reason,
)
_FROM = collections.join(users, users.c.id == collections.c.user_id).outerjoin(
    accounts, accounts.c.user_id == collections.c.user_id
)


def _collection(r: Any) -> Collection:
    return Collection(r.id, r.uuid, r.user_id, r.display_name, r.name, bool(r.is_public), r.size, bool(r.owner_banned),
                      r.hidden_reason)


def create(conn: Connection, collection_uuid: str, user_id: int, name: str, is_public: bool) -> int:
    return int(conn.execute(
        sa.insert(collections).values(uuid=collection_uuid, user_id=user_id, name=name, is_public=is_public)
        .returning(collections.c.id)
    ).scalar_one())


def get(conn: Connection, collection_uuid: str) -> Collection | None:
    r = conn.execute(sa.select(*_COLUMNS).select_from(_FROM).where(collections.c.uuid == collection_uuid)).first()
    return _collection(r) if r else None


def for_user(conn: Connection, user_id: int, public_only: bool = False, with_hidden: bool = True) -> list[Collection]:
    """The member's collections by name; ``public_only``: those they made public, and of those
    only the ones no moderator has hidden unless ``with_hidden``."""
    q = sa.select(*_COLUMNS).select_from(_FROM).where(collections.c.user_id == user_id).order_by(collections.c.name)
    if public_only:
        q = q.where(collections.c.is_public.is_(True))
    if not with_hidden:
        q = q.where(collections.c.hidden_reason.is_(None))
    return [_collection(r) for r in conn.execute(q)]


def set_hidden(conn: Connection, collection_id: int, reason: str | None, now: datetime) -> bool:
    """Hide the collection from others with ``reason``, or show it again (None); False when it was
    already so, so a double submit changes (and is logged) once and the first reason stands."""
    was = collections.c.hidden_reason.is_(None) if reason is not None else collections.c.hidden_reason.is_not(None)
    return conn.execute(
        sa.update(collections).where(collections.c.id == collection_id, was)
        .values(hidden_reason=reason, updated_at=now)
    ).rowcount > 0


def update(conn: Connection, collection_id: int, name: str, is_public: bool) -> None:
    conn.execute(
        sa.update(collections).where(collections.c.id == collection_id)
        .values(name=name, is_public=is_public, updated_at=sa.func.now())
    )


def delete(conn: Connection, collection_id: int) -> None:
    conn.execute(sa.delete(collections).where(collections.c.id == collection_id))


def add_item(conn: Connection, collection_id: int, paper_id: int) -> bool:
    last = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(collection_items.c.position), -1)).where(
            collection_items.c.collection_id == collection_id
        )
    ).scalar_one()
    stmt = insert_ignore(conn, collection_items, ["collection_id", "paper_id"]).values(
        collection_id=collection_id, paper_id=paper_id, position=last + 1
    )
    return execute_inserted(conn, stmt)


def add_items(conn: Connection, collection_id: int, paper_ids: Sequence[int]) -> int:
    """Append papers after the collection's last one, in the given order (an import); papers
    already in it keep their place. Returns how many went in."""
    if not paper_ids:
        return 0
    last = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(collection_items.c.position), -1)).where(
            collection_items.c.collection_id == collection_id
        )
    ).scalar_one()
    stmt = insert_ignore(conn, collection_items, ["collection_id", "paper_id"]).returning(collection_items.c.paper_id)
    rows = conn.execute(stmt, [{"collection_id": collection_id, "paper_id": pid, "position": last + 1 + i}
                               for i, pid in enumerate(paper_ids)]).all()
    return len(rows)


def size(conn: Connection, collection_id: int) -> int:
    return int(conn.execute(
        sa.select(sa.func.count()).select_from(collection_items).where(collection_items.c.collection_id == collection_id)
    ).scalar_one())


def remove_item(conn: Connection, collection_id: int, paper_id: int) -> bool:
    q = sa.delete(collection_items).where(
        collection_items.c.collection_id == collection_id, collection_items.c.paper_id == paper_id
    )
    return conn.execute(q).rowcount == 1


def item_ids(conn: Connection, collection_id: int) -> list[str]:
    """arXiv ids in the collection's order."""
    q = (
        sa.select(papers.c.arxiv_id).join(collection_items, collection_items.c.paper_id == papers.c.id)
        .where(collection_items.c.collection_id == collection_id)
        .order_by(collection_items.c.position, papers.c.arxiv_id)
    )
    return list(conn.execute(q).scalars())


def items(conn: Connection, collection_id: int, limit: int | None = None, offset: int = 0) -> list[Paper]:
    """The collection's papers in its order: all of them (an export), or ``limit`` from ``offset`` (a page, a feed).

    A page picks its rows by position first and reads only those papers whole: sorting whole rows
    made SQLite read every paper of a 5,000-paper collection for each page of 100."""
    order = (collection_items.c.position, papers.c.arxiv_id)
    if limit is None:
        q = (
            sa.select(papers).join(collection_items, collection_items.c.paper_id == papers.c.id)
            .where(collection_items.c.collection_id == collection_id).order_by(*order)
        )
    else:
        page = (
            sa.select(collection_items.c.paper_id, collection_items.c.position, papers.c.arxiv_id)
            .join(papers, papers.c.id == collection_items.c.paper_id)
            .where(collection_items.c.collection_id == collection_id).order_by(*order).limit(limit).offset(offset)
            .subquery()
        )
        q = sa.select(papers).join(page, page.c.paper_id == papers.c.id).order_by(page.c.position, page.c.arxiv_id)
    return [paper_from_row(r) for r in conn.execute(q)]


def set_order(conn: Connection, collection_id: int, arxiv_ids: Sequence[str]) -> None:
    """Number the collection's papers 0, 1, … in the order of ``arxiv_ids``, writing only the rows
    whose place changes: a move swaps two rows, where rewriting all of a 5,000-paper collection's
    (each update firing the page-cache trigger) held the writer for most of a second per click."""
    current = conn.execute(
        sa.select(papers.c.arxiv_id, collection_items.c.paper_id, collection_items.c.position)
        .join(papers, papers.c.id == collection_items.c.paper_id)
        .where(collection_items.c.collection_id == collection_id)
    ).all()
    held = {r.arxiv_id: (r.paper_id, r.position) for r in current}
    changed = [{"pid": held[a][0], "pos": i} for i, a in enumerate(arxiv_ids) if a in held and held[a][1] != i]
    if not changed:
        return
    stmt = (
        sa.update(collection_items)
        .where(collection_items.c.collection_id == collection_id, collection_items.c.paper_id == sa.bindparam("pid"))
        .values(position=sa.bindparam("pos"))
    )
    conn.execute(stmt, changed)


def papers_by_ids(conn: Connection, arxiv_ids: Sequence[str]) -> list[Paper]:
    """Papers in the given order (for exporting a search result)."""
    rows = {r.arxiv_id: paper_from_row(r) for r in conn.execute(sa.select(papers).where(papers.c.arxiv_id.in_(list(arxiv_ids))))}
    return [rows[a] for a in arxiv_ids if a in rows]
