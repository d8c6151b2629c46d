"""Votes and submissions: the two ways members shape a day's list."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from papertide.community import Clock, Denied, NotFound, utc_now
from papertide.domain import permissions
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.domain.submissions import SubmissionContext, SubmissionRules, check_submission
from papertide.domain.votes import VoteResult
from papertide.storage import audit
from papertide.storage import papers as papers_store
from papertide.storage import submissions as submissions_store
from papertide.storage import votes as votes_store
from papertide.storage.db import Database


class PaperLookup(Protocol):
    """Fetches one paper's metadata by arXiv id from outside (the ingest layer); None if unknown."""

    def fetch_by_id(self, arxiv_id: str) -> Paper | None: ...


class Votes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def vote(self, user: User | None, arxiv_id: str, wanted: bool | None) -> VoteResult:
        if user is None:
            raise Denied("Please sign in to upvote papers.", 401)
        if not permissions.can_act(user, "vote"):
            raise Denied("This account is suspended.")
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is None:
                raise NotFound(arxiv_id)
            return votes_store.set_vote(conn, user.id, paper_id, wanted)

    def voted_ids(self, user: User) -> set[str]:
        with self.db.read() as conn:
            return votes_store.voted_arxiv_ids(conn, user.id)


class Submissions:
    def __init__(self, db: Database, rules: SubmissionRules, lookup: PaperLookup | None = None, now: Clock = utc_now) -> None:
        self.db = db
        self.rules = rules
        self.lookup = lookup
        self.now = now

    def today(self) -> date:
        return self.now().date()

    def submit(self, user: User | None, raw: str) -> tuple[str, date]:
        """Put the paper on today's list; returns (arxiv_id, day) or raises with a message."""
        if user is None:
            raise Denied("Please sign in to submit papers.", 401)
        if not permissions.can_act(user, "submit"):
            raise Denied("This account is suspended.")
        try:
            arxiv_id = parse_arxiv_id(raw).id
        except InvalidArxivId as exc:
            raise InvalidInput(f"{exc}. Use an id like 2405.12345 or an arxiv.org/abs/… link.") from None
        self._ensure_stored(arxiv_id)
        today = self.today()
        with self.db.write() as conn:
            paper = papers_store.get_paper(conn, arxiv_id)
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            assert paper is not None and paper_id is not None
            ctx = SubmissionContext(
                today=today,
                published=paper.paper.published,
                already_listed_today=submissions_store.is_listed_on(conn, paper_id, today),
                submitted_today_by_user=submissions_store.count_submitted_by(conn, user.id, today),
                exempt=permissions.is_exempt_from_submission_rules(user),
            )
            reason = check_submission(self.rules, ctx)
            if reason is None and not submissions_store.add_submission(conn, paper_id, today, user.id, user.display_name):
                reason = "This paper is already on today's list."
            if reason:
                raise InvalidInput(reason)
            audit.record(conn, user.id, "paper.submit", f"paper:{arxiv_id}", today.isoformat(), now=self.now())
        return arxiv_id, today

    def _ensure_stored(self, arxiv_id: str) -> None:
        with self.db.read() as conn:
            if papers_store.paper_row_id(conn, arxiv_id) is not None:
                return
        paper = self.lookup.fetch_by_id(arxiv_id) if self.lookup else None
        if paper is None:
            why = "arXiv did not return it (unknown id, or arXiv could not be reached just now)" if self.lookup else (
                "this instance cannot fetch papers from arXiv"
            )
            raise InvalidInput(f"Paper {arxiv_id} is not in the database and {why}. Check the id, or try again later.")
        # The lookup may have stored it already (the arXiv fetch does); writing through the one
        # writer again is then a no-op, and a lookup that only fetches still gets it stored.
        from papertide.domain.ingest import Harvested, SourceKind
        from papertide.ingest.writer import store_records

        store_records(self.db, [Harvested(paper, SourceKind.ARXIV)])

    def remove_from_day(self, actor: User, arxiv_id: str, day: date) -> None:
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can remove papers from a day's list.")
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is None or not submissions_store.remove_listing(conn, paper_id, day):
                raise NotFound(f"{arxiv_id} on {day}")
            audit.record(conn, actor.id, "listing.remove", f"paper:{arxiv_id}", day.isoformat(), now=self.now())
