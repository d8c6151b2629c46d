"""The community services as one group, built by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from papertide.community.accounts import Accounts
from papertide.community.contributions import PaperLookup, Submissions, Votes
from papertide.community.discussion import Discussion
from papertide.community.ratelimits import RateLimiter
from papertide.community.reading_lists import ReadingLists
from papertide.config import Settings
from papertide.domain.submissions import SubmissionRules
from papertide.storage.db import Database


@dataclass(frozen=True, slots=True)
class Community:
    accounts: Accounts
    votes: Votes
    submissions: Submissions
    discussion: Discussion
    reading_lists: ReadingLists
    limiter: RateLimiter


def build_community(settings: Settings, db: Database, lookup: PaperLookup) -> Community:
    return Community(
        accounts=Accounts(
            db, login_link_minutes=settings.login_link_minutes, session_days=settings.session_days,
            password_min_length=settings.password_min_length, signup_domains=settings.signup_domain_list,
        ),
        votes=Votes(db),
        submissions=Submissions(
            # Offline, a paper we do not hold is refused at once: a request would wait for a fetch
            # that never runs, with the page saying "usually within a minute".
            db, SubmissionRules(settings.submission_max_age_days, settings.submissions_per_day),
            None if settings.ingest_offline else lookup,
        ),
        discussion=Discussion(db, settings.comment_edit_minutes),
        reading_lists=ReadingLists(db),
        limiter=RateLimiter(settings.rate_limits_enabled),
    )
