"""Votes and submissions: the two ways members shape a day's list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from papertide.community import Clock, Denied, NotFound, utc_now
from papertide.domain import permissions
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.papers import InvalidArxivId, Paper, WrongIdLength, parse_arxiv_id
from papertide.domain.submissions import (
    RECENT_LISTING_DAYS,
    WITHDRAWN,
    PaperRequest,
    RequestStatus,
    SubmissionContext,
    SubmissionRules,
    after_missed_fetch,
    check_submission,
    describe_removed,
    removal_span_error,
)
from papertide.domain.votes import VoteResult
from papertide.domain.wording import quantity
from papertide.storage import audit
from papertide.storage import paper_requests as requests_store
from papertide.storage import papers as papers_store
from papertide.storage import recs as recs_store
from papertide.storage import submissions as submissions_store
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from papertide.storage.db import Connection, Database


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
            # The member as they are now, under their lock: a ban committed since this request read
            # the session takes their votes off the totals, and a vote added after it would stay on.
            users_store.lock_member(conn, user.id)
            current = users_store.get_user(conn, user.id)
            if current is None or not permissions.can_act(current, "vote"):
                raise Denied("This account is suspended.")
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is None:
                raise NotFound(arxiv_id)
            result = votes_store.set_vote(conn, user.id, paper_id, wanted)
            if result.changed:  # an upvote is a recommendation signal: the member's model is stale
                recs_store.touch(conn, user.id, utc_now())
            return result

    def voted_ids(self, user: User) -> set[str]:
        with self.db.read() as conn:
            return votes_store.voted_arxiv_ids(conn, user.id)


@dataclass(frozen=True, slots=True)
class Submitted:
    arxiv_id: str
    day: date
    fetching: bool  # not held yet: a job fetches it from arXiv, then lists it on ``day``


def _with_example(exc: InvalidArxivId, hint: str) -> str:
    """The parser's reason, then ``hint`` unless the reason already shows the form it wants (a
    1412.12345 is told "four digits, like 1412.1234", not also "like 2405.12345")."""
    return str(exc) if isinstance(exc, WrongIdLength) else f"{exc}. {hint}"


class Submissions:
    """Members put papers on today's list. A paper the instance does not hold is fetched from
    arXiv by a job, never inside the web request (an unreachable arXiv takes a minute to give up)."""

    def __init__(self, db: Database, rules: SubmissionRules, lookup: PaperLookup | None = None, now: Clock = utc_now) -> None:
        self.db = db
        self.rules = rules
        self.lookup = lookup
        self.now = now

    def today(self) -> date:
        return self.now().date()

    def submit(self, user: User | None, raw: str) -> Submitted:
        """Put the paper on today's list, or ask for it to be fetched first; raises with a message."""
        if user is None:
            raise Denied("Please sign in to submit papers.", 401)
        if not permissions.can_act(user, "submit"):
            raise Denied("This account is suspended.")
        try:
            arxiv_id = parse_arxiv_id(raw).id
        except InvalidArxivId as exc:
            raise InvalidInput(_with_example(exc, "Use an id like 2405.12345 or an arxiv.org/abs/… link.")) from None
        today = self.today()
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is not None:
                self._list(conn, user, arxiv_id, paper_id, today)
                return Submitted(arxiv_id, today, fetching=False)
            self._request(conn, user, arxiv_id, today)
        return Submitted(arxiv_id, today, fetching=True)

    def _list(self, conn: Connection, user: User, arxiv_id: str, paper_id: int, day: date) -> None:
        # The daily cap is a count, then an insert: simultaneous submissions by one member take turns,
        # or each would count the same total and all get in.
        users_store.lock_member(conn, user.id)
        paper = papers_store.get_paper(conn, arxiv_id)
        assert paper is not None
        ctx = SubmissionContext(
            today=day,
            published=paper.paper.published,
            already_listed_today=submissions_store.is_listed_on(conn, paper_id, day),
            submitted_today_by_user=submissions_store.count_submitted_by(conn, user.id, day),
            exempt=permissions.is_exempt_from_submission_rules(user),
            removed_today=submissions_store.was_removed(conn, paper_id, day),
        )
        reason = check_submission(self.rules, ctx)
        if reason is None and not submissions_store.add_submission(conn, paper_id, day, user.id, user.display_name):
            reason = "This paper is already on today's list."
        if reason:
            raise InvalidInput(reason)
        if ctx.removed_today:  # a curator listing it again: the removal no longer stands
            submissions_store.forget_removal(conn, paper_id, day)
        audit.record(conn, user.id, "paper.submit", f"paper:{arxiv_id}", day.isoformat(), now=self.now())

    def _request(self, conn: Connection, user: User, arxiv_id: str, day: date) -> None:
        if self.lookup is None:
            raise InvalidInput(f"Paper {arxiv_id} is not in the database and this instance cannot fetch papers from arXiv.")
        users_store.lock_member(conn, user.id)  # counted for the daily cap: as in _list
        existing = requests_store.get(conn, arxiv_id, day)
        if existing is not None and existing.status == "fetching":
            raise InvalidInput(f"{arxiv_id} is already being fetched from arXiv for today's list.")
        # Requests still being fetched count towards the daily cap, like the listings they become.
        asked = requests_store.count_open_by(conn, user.id, day) + submissions_store.count_submitted_by(conn, user.id, day)
        if not permissions.is_exempt_from_submission_rules(user) and asked >= self.rules.daily_cap:
            raise InvalidInput(
                f"You have reached today's limit of {self.rules.daily_cap} submissions; please come back tomorrow."
            )
        if existing is not None:  # failed earlier today: try again, for this member
            requests_store.restart(conn, existing.id, user.id)
        else:
            requests_store.create(conn, arxiv_id, day, user.id)
        audit.record(conn, user.id, "paper.request", f"paper:{arxiv_id}", day.isoformat(), now=self.now())

    def requests_of(self, user: User) -> list[PaperRequest]:
        """The member's recent requests for papers we did not hold, newest first, with their status."""
        with self.db.read() as conn:
            return requests_store.for_user(conn, user.id)

    def fetch_requested(self, stop: Callable[[], bool] = lambda: False, only: str | None = None) -> int:
        """Fetch the papers members asked for (or just ``only``) and list them; returns how many were settled."""
        with self.db.read() as conn:
            waiting = [r for r in requests_store.open_requests(conn) if only is None or r.arxiv_id == only]
        settled = 0
        for req in waiting:
            if stop() or self.lookup is None:
                break
            paper = self.lookup.fetch_by_id(req.arxiv_id)  # stores what arXiv returns
            with self.db.write() as conn:
                # The web process fetches a request right after the submit while the worker's job
                # may fetch it too: only the first to settle this attempt records it. The second
                # found the paper on the list and wrote "failed: already on today's list".
                if requests_store.locked(conn, req.id) != req:
                    continue
                paper_id = papers_store.paper_row_id(conn, req.arxiv_id) if paper is not None else None
                user = users_store.get_user(conn, req.user_id)
                if paper_id is None or user is None:
                    status, message = after_missed_fetch(req.attempts + 1, req.arxiv_id)
                else:
                    status, message = self._list_requested(conn, user, req, paper_id)
                requests_store.finish_attempt(conn, req.id, status, message, req.attempts + 1)
            settled += status != "fetching"
        return settled

    def _list_requested(
        self, conn: Connection, user: User, req: PaperRequest, paper_id: int,
    ) -> tuple[RequestStatus, str | None]:
        if not permissions.can_act(user, "submit"):
            return "failed", "This account is suspended."
        try:  # _list writes nothing before it has decided, so a refusal leaves only the status to record
            self._list(conn, user, req.arxiv_id, paper_id, req.listed_on)
        except InvalidInput as exc:
            return "failed", str(exc)
        return "listed", None

    def remove_from_day(self, actor: User, arxiv_id: str, day: date) -> None:
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can remove papers from a day's list.")
        try:  # as typed on the form: arXiv:2405.12345v2 is the listed 2405.12345
            arxiv_id = parse_arxiv_id(arxiv_id).id
        except InvalidArxivId as exc:
            raise InvalidInput(_with_example(exc, "Use an id like 2405.12345.")) from None
        with self.db.write() as conn:
            paper_id = papers_store.paper_row_id(conn, arxiv_id)
            if paper_id is None or not submissions_store.remove_listing(conn, paper_id, day):
                raise NotFound(f"{arxiv_id} on {day}")
            audit.record(conn, actor.id, "listing.remove", f"paper:{arxiv_id}", day.isoformat(), now=self.now())

    # -- acting on all of one member's submissions (after a spam wave) ----------------------

    def remove_all_by(self, actor: User | None, member: User, first: date, last: date) -> int:
        """Take every paper ``member`` submitted off each day's list in ``[first, last]``, and give
        up their requests for those days still being fetched; one audit entry naming each paper.

        Like a single removal, each paper stays off that day's list (a member's resubmission and a
        later import of the day are refused) and there is no undo button: a curator lists a paper
        again from /submit, reading the ids from the entry. Returns how many listings went (0 with
        nothing to do, e.g. a double submit: nothing logged)."""
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can remove papers from a day's list.")
        assert actor is not None
        if reason := removal_span_error(first, last):
            raise InvalidInput(reason)
        now = self.now()
        with self.db.write() as conn:
            # Under the member's lock, which their submissions take too: one arriving meanwhile is
            # removed with the others or comes after, never half-counted.
            users_store.lock_member(conn, member.id)
            removed = submissions_store.remove_listings_by(conn, member.id, first, last)
            withdrawn = requests_store.withdraw_open_by(conn, member.id, first, last, WITHDRAWN)
            if not removed and not withdrawn:
                return 0
            span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
            detail = f"{quantity(len(removed), 'listing')} by {member.display_name}, {span}"
            if removed:
                detail += f": {describe_removed(removed)}"
            if withdrawn:
                detail += f"; {quantity(len(withdrawn), 'request')} being fetched withdrawn: {', '.join(withdrawn)}"
            audit.record(conn, actor.id, "listings.remove_all", audit.account_target(member.uuid), detail, now=now)
        return len(removed)

    def recent_days_of(self, viewer: User | None, member: User) -> list[tuple[date, int, int]] | None:
        """(day, how many of the member's submissions it lists, how many more are still being
        fetched for it) over the last days, newest first: what the profile's moderation panel offers
        to remove (:meth:`remove_all_by` withdraws the fetches too); None for non-moderators.

        The fetches count: a bot submitting ids we do not hold yet had every one still being
        fetched, and the panel, reading only the lists, offered no button to stop them."""
        if not permissions.can_moderate(viewer):
            return None
        today = self.today()
        first = today - timedelta(days=RECENT_LISTING_DAYS - 1)
        with self.db.read() as conn:
            listed = dict(submissions_store.listing_days_by(conn, member.id, first, today))
            fetching = requests_store.open_days_by(conn, member.id, first, today)
        return [(day, listed.get(day, 0), fetching.get(day, 0)) for day in sorted({*listed, *fetching}, reverse=True)]
