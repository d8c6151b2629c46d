"""Comments: write, reply (one level), edit within a window, delete own, report, and
moderators hiding them. Every moderator action lands in the audit log.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime

from papertide.community import Clock, Denied, NotFound, utc_now
from papertide.domain import permissions
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.comments import (
    Comment,
    Thread,
    build_threads,
    clean_body,
    clean_reason,
    count_visible,
    is_repeat,
    reply_parent,
)
from papertide.domain.wording import quantity
from papertide.storage import audit
from papertide.storage import comments as comments_store
from papertide.storage import papers as papers_store
from papertide.storage import users as users_store
from papertide.storage.comments import Report
from papertide.storage.db import Database

# A later unhide must show the words the moderator judged, so the author cannot change them meanwhile.
_HIDDEN_NOT_EDITABLE = "This comment was hidden by a moderator, so it can no longer be edited."


@dataclass(frozen=True, slots=True)
class BulkHide:
    """One "hide all their comments" that still hides some: the panel says when and by whom (the
    moderator has no use for the audit entry's number, which the log does not show), and its undo
    names the entry."""

    entry: int
    hidden: int  # comments it still hides
    at: datetime
    by: str  # who hid them, as the audit log names them


@dataclass(frozen=True, slots=True)
class MemberComments:
    """A member's comments as a moderator acts on them all: how many are visible (what "hide all"
    would hide), and each standing bulk hide, newest first."""

    visible: int
    bulk_hides: list[BulkHide]


class Discussion:
    def __init__(self, db: Database, edit_minutes: int = 15, now: Clock = utc_now) -> None:
        self.db = db
        self.edit_minutes = edit_minutes
        self.now = now

    def threads(self, arxiv_id: str, viewer: User | None) -> tuple[list[Thread], int]:
        """Threads for the paper page and the count of visible comments."""
        with self.db.read() as conn:
            found = comments_store.comments_for_paper(conn, arxiv_id)
        return build_threads(found, show_hidden=permissions.can_moderate(viewer)), count_visible(found)

    def page(self, arxiv_id: str, after: int | None, limit: int) -> tuple[list[tuple[Comment, Comment | None]], int | None]:
        """The API's page of a paper's public discussion: up to ``limit`` comments in thread order,
        each with its thread's top comment when it is a reply, and the id to pass as ``after`` for
        the next page (None at the end).

        A keyset, not an offset: the order is (thread, comment id), so a reply posted or a comment
        hidden above where a client stopped neither repeats a comment on its next page nor skips one.
        """
        with self.db.read() as conn:
            found = comments_store.comments_for_paper(conn, arxiv_id)
        flat = [(c, None if c is t.comment else t.comment) for t in build_threads(found) for c in (t.comment, *t.replies)]
        if after is not None:
            # The last comment sent may be hidden or deleted since; its row still says where it stood.
            last = next((c for c in found if c.id == after), None)
            mark = (last.parent_id or last.id, last.id) if last else (after, after)
            flat = [(c, top) for c, top in flat if (c.parent_id or c.id, c.id) > mark]
        shown = flat[:limit]
        return shown, shown[-1][0].id if len(flat) > limit else None

    def get(self, comment_uuid: str) -> Comment:
        with self.db.read() as conn:
            c = comments_store.get_comment(conn, comment_uuid)
        if c is None or c.status == "deleted":
            raise NotFound(comment_uuid)
        return c

    def add(self, user: User | None, arxiv_id: str, body: str, reply_to: str | None = None) -> Comment:
        if user is None:
            raise Denied("Please sign in to comment.", 401)
        if not permissions.can_act(user, "comment"):
            raise Denied("This account is suspended.")
        text = clean_body(body)
        parent_id = None
        if reply_to:
            parent = self.get(reply_to)
            parent_id = reply_parent(parent)
            # Replies nest one level, so answering a reply answers its thread: the thread's top
            # comment decides too, or a hidden or deleted one would take replies through its own.
            if parent_id != parent.id:
                with self.db.read() as conn:
                    top = comments_store.get_comment_by_id(conn, parent_id)
                if top is None or top.status == "deleted":
                    raise NotFound(reply_to)
                parent = parent if top.public_status == "visible" else top
            if parent.public_status != "visible":
                raise InvalidInput("That comment is hidden; replies are closed.")
            if parent.paper_arxiv_id != arxiv_id:
                raise InvalidInput("You can only reply to a comment on the same paper.")
        now = self.now()
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is None:
                raise NotFound(arxiv_id)
            users_store.lock_member(conn, user.id)  # a double submit's two requests arrive together
            previous = comments_store.latest_by_user_on_paper(conn, user.id, paper_id)
            if is_repeat(previous, text, parent_id, now):
                assert previous is not None
                return previous  # the same post sent twice: answered as the first
            new_id = comments_store.add_comment(conn, str(uuidlib.uuid4()), paper_id, user.id, parent_id, text, now)
            created = comments_store.get_comment_by_id(conn, new_id)
        assert created is not None
        return created

    def editable(self, user: User | None, comment_uuid: str) -> Comment:
        """The comment, when ``user`` may edit it now (the edit page shows its body); Denied otherwise."""
        c = self.get(comment_uuid)
        # Storage hands back aware datetimes on both dialects (storage/comments.py, _aware).
        if not permissions.can_edit_comment(user, c.author_id, c.created_at, self.now(), self.edit_minutes):
            raise Denied(f"Comments can be edited only by their author, within {self.edit_minutes} minutes.")
        if c.status == "hidden":
            raise Denied(_HIDDEN_NOT_EDITABLE)
        return c

    def edit(self, user: User | None, comment_uuid: str, body: str) -> Comment:
        c = self.editable(user, comment_uuid)
        now = self.now()
        text = clean_body(body)
        with self.db.write() as conn:
            # Only while still visible: a moderator may hide it between the check above and this write.
            if not comments_store.update_body(conn, c.id, text, now):
                raise Denied(_HIDDEN_NOT_EDITABLE)
            updated = comments_store.get_comment_by_id(conn, c.id)
        assert updated is not None
        return updated

    def delete(self, user: User | None, comment_uuid: str) -> Comment:
        c = self.get(comment_uuid)
        if not permissions.can_delete_comment(user, c.author_id):
            raise Denied("You can delete only your own comments.")
        with self.db.write() as conn:
            comments_store.set_status(conn, c.id, "deleted", self.now())
        return c

    def report(self, user: User | None, comment_uuid: str, reason: str) -> bool:
        if user is None:
            raise Denied("Please sign in to report comments.", 401)
        if not permissions.can_act(user, "report"):
            raise Denied("This account is suspended.")
        c = self.get(comment_uuid)
        with self.db.write() as conn:
            return comments_store.add_report(conn, c.id, user.id, clean_reason(reason))

    def set_hidden(self, actor: User | None, comment_uuid: str, hidden: bool) -> Comment:
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can hide comments.")
        assert actor is not None
        c = self.get(comment_uuid)
        with self.db.write() as conn:
            changed = comments_store.set_hidden(conn, c.id, hidden, self.now())
            comments_store.resolve_reports(conn, c.id)
            if not changed:  # already so (a double submit): logged once; deleted meanwhile: gone
                current = comments_store.get_comment_by_id(conn, c.id)
                if current is None or current.status == "deleted":
                    raise NotFound(comment_uuid)
                return current
            audit.record(
                conn, actor.id, "comment.hide" if hidden else "comment.unhide", f"comment:{c.uuid}",
                f"on {c.paper_arxiv_id} by {c.author_name}", now=self.now(),
            )
        return c

    def dismiss_reports(self, actor: User | None, comment_uuid: str) -> None:
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can handle reports.")
        assert actor is not None
        c = self.get(comment_uuid)
        with self.db.write() as conn:
            if comments_store.resolve_reports(conn, c.id):  # none left open: a double submit, logged once
                audit.record(conn, actor.id, "report.dismiss", f"comment:{c.uuid}", now=self.now())

    # -- acting on all of one member's comments (after a spam wave) -----------------------

    def hide_all_by(self, actor: User | None, member: User) -> int:
        """Hide every visible comment of ``member`` and close their reports; one audit entry, whose
        id :meth:`undo_hide_all` takes. Returns how many were hidden (0: nothing to do, nothing logged)."""
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can hide comments.")
        assert actor is not None
        now = self.now()
        with self.db.write() as conn:
            # Under the member's lock, which posting a comment takes too: a comment posted meanwhile
            # is hidden with the others or comes after, never counted and then missed.
            users_store.lock_member(conn, member.id)
            n = comments_store.count_visible_by_user(conn, member.id)
            if n == 0:  # a double submit, or nothing left to hide
                return 0
            entry = audit.record(conn, actor.id, "comments.hide_all", audit.account_target(member.uuid),
                                 f"{quantity(n, 'comment')} by {member.display_name}", now=now)
            return comments_store.hide_all_by_user(conn, member.id, entry, now)

    def undo_hide_all(self, actor: User | None, member: User, entry_id: int) -> int:
        """Show again what the bulk hide ``entry_id`` hid of ``member``'s comments, except those a
        moderator has judged one by one since (or the author deleted). Returns how many."""
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can show hidden comments.")
        assert actor is not None
        now = self.now()
        with self.db.write() as conn:
            shown = comments_store.unhide_bulk(conn, member.id, entry_id, now)
            if shown:  # none: a double submit, logged once
                # Named by when (the log shows no entry numbers; the hide's own row beside it says who).
                # Not by whom: the member's data download holds this detail, and it never names the
                # moderator who acted.
                hid = audit.by_ids(conn, [entry_id]).get(entry_id)
                when = f", hidden together on {hid.at:%Y-%m-%d %H:%M} UTC" if hid else ""
                audit.record(conn, actor.id, "comments.unhide_all", audit.account_target(member.uuid),
                             f"{quantity(shown, 'comment')} by {member.display_name}{when}", now=now)
        return shown

    def for_moderator(self, viewer: User | None, member: User) -> MemberComments | None:
        """What the profile's moderation panel offers for ``member``'s comments; None for non-moderators."""
        if not permissions.can_moderate(viewer):
            return None
        with self.db.read() as conn:
            standing = comments_store.standing_bulk_hides(conn, member.id)
            entries = audit.by_ids(conn, [entry for entry, _ in standing])
            return MemberComments(comments_store.count_visible_by_user(conn, member.id), [
                BulkHide(entry, n, entries[entry].at, entries[entry].who) for entry, n in standing if entry in entries])

    def open_reports(self, actor: User | None) -> list[Report]:
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can see reports.")
        with self.db.read() as conn:
            return comments_store.open_reports(conn)

    def by_user(self, user_id: int, viewer: User | None = None) -> list[Comment]:
        """The member's comments for their profile: those everyone sees, and for moderators also
        those hidden (by a moderator or by the member's ban), to review a member's content in one place."""
        with self.db.read() as conn:
            return comments_store.comments_by_user(conn, user_id, with_hidden=permissions.can_moderate(viewer))
