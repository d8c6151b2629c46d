"""Rules for submitting a paper to today's daily list, after Hugging Face's.

A member may submit a paper published at most ``max_age_days`` ago, at most
``daily_cap`` papers a day, and not one that is already on today's list or that a curator
removed from it. Curators and admins are exempt from the age and cap rules and may list a
paper they removed again (never from duplicates: a paper is on a day's list once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal


@dataclass(frozen=True, slots=True)
class SubmissionRules:
    max_age_days: int = 7
    daily_cap: int = 5


@dataclass(frozen=True, slots=True)
class SubmissionContext:
    """What the rules need to know, gathered by the service in one transaction."""

    today: date
    published: date | None
    already_listed_today: bool
    submitted_today_by_user: int
    exempt: bool = False
    removed_today: bool = False  # a curator took it off today's list


def check_submission(rules: SubmissionRules, ctx: SubmissionContext) -> str | None:
    """None when the submission is allowed, else the reason to show the user.

    >>> check_submission(SubmissionRules(7, 5), SubmissionContext(date(2026, 6, 10), date(2026, 6, 1), False, 0))
    'This paper was published on 2026-06-01, more than 7 days ago; only recent papers can be submitted.'
    """
    if ctx.already_listed_today:
        return "This paper is already on today's list."
    if ctx.exempt:
        return None
    if ctx.removed_today:
        return "A curator removed this paper from today's list, so it cannot be submitted again today."
    if ctx.published is not None and (ctx.today - ctx.published).days > rules.max_age_days:
        return (
            f"This paper was published on {ctx.published.isoformat()}, more than {rules.max_age_days} days ago; "
            "only recent papers can be submitted."
        )
    if ctx.submitted_today_by_user >= rules.daily_cap:
        return f"You have reached today's limit of {rules.daily_cap} submissions; please come back tomorrow."
    return None


# A paper we do not hold is fetched from arXiv by a job; an unreachable arXiv is tried again on
# the next runs, an id arXiv still does not return after this many tries is given up.
MAX_FETCH_ATTEMPTS = 3
RequestStatus = Literal["fetching", "listed", "failed"]


@dataclass(frozen=True, slots=True)
class PaperRequest:
    """A member's submission of a paper the instance did not hold, while (and after) it is fetched."""

    id: int
    arxiv_id: str
    listed_on: date
    user_id: int
    status: RequestStatus
    attempts: int
    message: str | None


def after_missed_fetch(attempts: int, arxiv_id: str) -> tuple[RequestStatus, str]:
    """Status and message once the fetch came back without the paper for the ``attempts``-th time.

    >>> after_missed_fetch(1, "2606.09999")[0], after_missed_fetch(MAX_FETCH_ATTEMPTS, "2606.09999")[0]
    ('fetching', 'failed')
    """
    if attempts < MAX_FETCH_ATTEMPTS:
        return "fetching", f"arXiv did not return {arxiv_id} yet (try {attempts} of {MAX_FETCH_ATTEMPTS}); trying again."
    return "failed", (
        f"Paper {arxiv_id} is not in the database and arXiv did not return it after {attempts} tries "
        "(unknown id, or arXiv could not be reached). Check the id, or submit it again later."
    )


# After a spam wave a moderator takes all of one member's submissions off a day's list, or off
# each day of a span, at once. The member's profile offers the days of the last
# RECENT_LISTING_DAYS; a span is at most MAX_REMOVAL_SPAN_DAYS long, so one action (and its one
# audit entry, which names every paper it removed) stays bounded.
RECENT_LISTING_DAYS = 14
MAX_REMOVAL_SPAN_DAYS = 31
WITHDRAWN = "Withdrawn by a moderator, with the rest of this member's submissions for that day."


def removal_span_error(first: date, last: date) -> str | None:
    """None when [first, last] is a span a moderator may clear at once, else the reason.

    >>> removal_span_error(date(2026, 6, 3), date(2026, 6, 1))
    'The first day (2026-06-03) is after the last (2026-06-01).'
    """
    if first > last:
        return f"The first day ({first.isoformat()}) is after the last ({last.isoformat()})."
    if (last - first).days >= MAX_REMOVAL_SPAN_DAYS:
        return f"Remove at most {MAX_REMOVAL_SPAN_DAYS} days of submissions at once."
    return None


def describe_removed(removed: Sequence[tuple[str, date]]) -> str:
    """The papers a bulk removal took off, by day (newest first), for its audit entry: a curator
    who removed too much lists them again from it (a removal has no undo button).

    >>> describe_removed([("2606.00001", date(2026, 6, 2)), ("2606.00003", date(2026, 6, 3)), ("2606.00002", date(2026, 6, 2))])
    '2026-06-03: 2606.00003; 2026-06-02: 2606.00001, 2606.00002'
    """
    days: dict[date, list[str]] = {}
    for arxiv_id, day in removed:
        days.setdefault(day, []).append(arxiv_id)
    return "; ".join(f"{day.isoformat()}: {', '.join(sorted(ids))}" for day, ids in sorted(days.items(), reverse=True))
