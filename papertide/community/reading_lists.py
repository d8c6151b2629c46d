"""Collections: named reading lists, private or public, ordered, exportable, and filled from a
reading list (BibTeX, RIS, CSL-JSON, CSV or pasted ids, read by :mod:`papertide.recs.library`)."""

from __future__ import annotations

import uuid as uuidlib

from papertide.community import Clock, Denied, NotFound, utc_now
from papertide.domain import permissions
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.collections import (
    MAX_COLLECTION_PAPERS,
    Collection,
    clean_hide_reason,
    clean_name,
    full_message,
    move,
    name_key,
)
from papertide.domain.library_imports import ImportReport, sort_entries
from papertide.domain.papers import Paper
from papertide.recs.library import parse_library
from papertide.storage import audit
from papertide.storage import collections as store
from papertide.storage import papers as papers_store
from papertide.storage import recs as recs_store
from papertide.storage import users as users_store
from papertide.storage.db import Connection, Database


def _named(conn: Connection, user_id: int, name: str) -> Collection | None:
    """The member's collection with this name (as :func:`name_key` compares names), if any."""
    key = name_key(name)
    return next((c for c in store.for_user(conn, user_id) if name_key(c.name) == key), None)


class ReadingLists:
    def __init__(self, db: Database, max_papers: int = MAX_COLLECTION_PAPERS, now: Clock = utc_now) -> None:
        self.db = db
        self.max_papers = max_papers
        self.now = now

    def _require(self, user: User | None) -> User:
        if user is None:
            raise Denied("Please sign in to keep collections.", 401)
        if not permissions.can_act(user, "collect"):
            raise Denied("This account is suspended.")
        return user

    def _own(self, user: User | None, collection_uuid: str) -> tuple[User, Collection]:
        user = self._require(user)
        with self.db.read() as conn:
            c = store.get(conn, collection_uuid)
        if c is None or c.owner_id != user.id:
            raise NotFound(collection_uuid)
        return user, c

    def create(self, user: User | None, name: str, is_public: bool, first_paper: str | None = None) -> str:
        """A new collection, holding ``first_paper`` when given (the paper page's "new collection").

        Both in one transaction: a paper we do not hold is :class:`NotFound` and leaves no empty
        collection behind. A name the member already uses names that collection (a double submit,
        or "new collection" typed with an existing name): the paper goes there, nothing is doubled.
        """
        user = self._require(user)
        name = clean_name(name)
        with self.db.write() as conn:
            paper_id = None
            if first_paper is not None:
                paper_id = papers_store.paper_row_id(conn, first_paper)
                if paper_id is None:
                    raise NotFound(first_paper)
            users_store.lock_member(conn, user.id)  # a double submit's two requests arrive together
            existing = _named(conn, user.id, name)
            if existing is not None:
                collection_uuid, collection_id = existing.uuid, existing.id
            else:
                collection_uuid = str(uuidlib.uuid4())
                collection_id = store.create(conn, collection_uuid, user.id, name, is_public)
            if paper_id is not None and self._add_item(conn, collection_id, paper_id):
                recs_store.touch(conn, user.id, utc_now())  # a save is a recommendation signal (see add)
        return collection_uuid

    def mine(self, user: User) -> list[Collection]:
        with self.db.read() as conn:
            return store.for_user(conn, user.id)

    def public_of(self, owner: User, viewer: User | None = None) -> list[Collection]:
        """The member's public collections, for their profile (none while they are banned, nor
        those a moderator hid, but for moderators reviewing what they made)."""
        moderator = permissions.can_moderate(viewer)
        if owner.is_banned and not moderator:
            return []
        with self.db.read() as conn:
            return store.for_user(conn, owner.id, public_only=True, with_hidden=moderator)

    def view(self, viewer: User | None, collection_uuid: str, limit: int | None = None,
             offset: int = 0) -> tuple[Collection, list[Paper]]:
        """A collection its owner, or anyone when public, may see, with its papers (``limit`` of them
        from ``offset``: a page or a feed; None: all, for an export); others get NotFound.

        A banned member's public collection, and one a moderator hid, is seen by moderators only:
        a ban or a hide takes down what they put up (spam in a name), and lifting it puts it back."""
        with self.db.read() as conn:
            c = store.get(conn, collection_uuid)
            shown = c is not None and c.is_public and (c.shown_to_all or permissions.can_moderate(viewer))
            if c is None or not (shown or (viewer is not None and viewer.id == c.owner_id)):
                raise NotFound(collection_uuid)
            return c, store.items(conn, c.id, limit, offset)

    def set_hidden(self, actor: User | None, collection_uuid: str, hidden: bool, reason: str = "") -> bool:
        """A moderator hides a public collection from everyone but its owner and moderators, with a
        reason its owner reads, or shows it again. Its owner cannot undo a hide: "Public" stays
        their choice, but the collection stays hidden until a moderator shows it. Returns False
        when it was already so (a double submit: changed and logged once, the first reason stands)."""
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can hide or show collections.")
        assert actor is not None
        cleaned = clean_hide_reason(reason) if hidden else None
        now = self.now()
        with self.db.write() as conn:
            c = store.get(conn, collection_uuid)
            # A private collection is its owner's alone (moderators never see it): nothing to hide.
            # One already hidden can always be shown again, public or not.
            if c is None or (hidden and not c.is_public and not c.is_hidden):
                raise NotFound(collection_uuid)
            if not store.set_hidden(conn, c.id, cleaned, now):
                return False
            # Not the collection's name: those are the owner's words, which deleting their account
            # must take out of the log (the owner's name is scrubbed then, as for comments).
            detail = f"by {c.owner_name}" + (f": {cleaned}" if cleaned else "")
            # Also logged against the owner: the collection may go, the entry stays theirs (the member
            # log, their data download, and the scrub of their name when they delete their account).
            owner = users_store.get_user(conn, c.owner_id)
            audit.record(conn, actor.id, "collection.hide" if hidden else "collection.unhide",
                         audit.collection_target(c.uuid), detail, now=now, member_uuid=owner.uuid if owner else None)
        return True

    def update(self, user: User | None, collection_uuid: str, name: str, is_public: bool) -> None:
        owner, c = self._own(user, collection_uuid)
        name = clean_name(name)
        with self.db.write() as conn:
            users_store.lock_member(conn, owner.id)
            # Keeping its own name is never a clash: releases before this rule let a member hold
            # two lists of one name, and each must stay editable (made private, emptied, renamed).
            clash = None if name_key(name) == name_key(c.name) else _named(conn, owner.id, name)
            if clash is not None and clash.id != c.id:
                raise InvalidInput(f"You already have a collection named “{clash.name}”.")
            store.update(conn, c.id, name, is_public)

    def delete(self, user: User | None, collection_uuid: str) -> None:
        _, c = self._own(user, collection_uuid)
        with self.db.write() as conn:
            store.delete(conn, c.id)
            if c.size:  # saves are recommendation signals (see add)
                recs_store.touch(conn, c.owner_id, utc_now())

    def add(self, user: User | None, collection_uuid: str, arxiv_id: str) -> bool:
        _, c = self._own(user, collection_uuid)
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is None:
                raise NotFound(arxiv_id)
            # Saves take turns, as imports do: two at once each counted the collection before the
            # other committed, so both fitted into its last place (and took the same position).
            users_store.lock_member(conn, c.owner_id)
            added = self._add_item(conn, c.id, paper_id)
            if added:  # a save is a recommendation signal: the member's model is stale
                recs_store.touch(conn, c.owner_id, utc_now())
            return added

    def _add_item(self, conn: Connection, collection_id: int, paper_id: int) -> bool:
        """Add one paper unless the collection is full (InvalidInput, and the transaction rolls back)."""
        added = store.add_item(conn, collection_id, paper_id)
        if added and store.size(conn, collection_id) > self.max_papers:
            raise InvalidInput(full_message(self.max_papers))
        return added

    def import_papers(self, user: User | None, collection_uuid: str, filename: str, data: bytes | str) -> ImportReport:
        """Add the papers a reading list names to the member's collection, in the list's order after
        the papers already there (those keep their place), as far as the collection has room.

        Papers this instance does not hold become fetch requests, as in the For-you library
        import (the ``recs.fetch_pending`` job fetches them, and they count as imported library
        papers): they join no collection by themselves, and the report asks the member to add
        them again once they are here. Raises :class:`~papertide.recs.library_entries.LibraryError` for
        a file that cannot be read at all, before anything is written.
        """
        owner, c = self._own(user, collection_uuid)
        parsed = parse_library(filename, data)
        wanted = sorted({e.arxiv_id for e in parsed.entries if e.arxiv_id})
        with self.db.write() as conn:
            users_store.lock_member(conn, owner.id)  # a second import at once sees this one's papers and room
            if store.get(conn, c.uuid) is None:  # deleted since we looked
                raise NotFound(collection_uuid)
            held = recs_store.paper_ids_by_arxiv(conn, wanted)
            results = sort_entries(parsed.entries, held, set(store.item_ids(conn, c.id)), self.max_papers)
            new = [held[r.arxiv_id] for r in results if r.status == "matched" and r.arxiv_id]
            if store.add_items(conn, c.id, new):
                recs_store.touch(conn, owner.id, utc_now())  # saves are recommendation signals (see add)
            for r in results:
                if r.status == "pending" and r.arxiv_id:
                    recs_store.add_pending(conn, owner.id, r.arxiv_id, "library", parsed.format)
        return ImportReport(filename, parsed.format, tuple(results), parsed.notices)

    def remove(self, user: User | None, collection_uuid: str, arxiv_id: str) -> None:
        _, c = self._own(user, collection_uuid)
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is not None and store.remove_item(conn, c.id, paper_id):
                recs_store.touch(conn, c.owner_id, utc_now())

    def move(self, user: User | None, collection_uuid: str, arxiv_id: str, direction: str) -> None:
        _, c = self._own(user, collection_uuid)
        with self.db.write() as conn:
            # Moves take turns, as saves do: two at once each read the order before the other
            # committed, and the second wrote its swap over the first's, losing it.
            users_store.lock_member(conn, c.owner_id)
            store.set_order(conn, c.id, move(store.item_ids(conn, c.id), arxiv_id, direction))

    def papers(self, arxiv_ids: list[str]) -> list[Paper]:
        """Papers for exporting a list of ids (e.g. a search result), in that order."""
        with self.db.read() as conn:
            return store.papers_by_ids(conn, arxiv_ids[:1000])
