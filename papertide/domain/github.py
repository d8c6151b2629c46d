"""The GitHub signal as plain data: repo names, star counts, star growth and refresh order.

Pure: no I/O. The client (``ingest/github.py``) fetches, storage keeps the snapshots, and
these functions decide which repos to refresh next, how long a rate limit asks us to
wait, and how many stars a repo gained over a window. A paper's code repository may live
off GitHub (GitLab, Codeberg, Hugging Face Spaces): ``other_code_link`` says where, so the
page links it as the "has code" filter counts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from papertide.domain.trending import ScoredPaper

# owner/name as GitHub allows them: owner 1-39 of [A-Za-z0-9-], name of [A-Za-z0-9._-]. Scheme and
# host in any case; after the name, a path, query or fragment as copied from the browser
# (``/tree/main``, ``?tab=readme-ov-file``, ``#readme``).
_REPO = re.compile(
    r"^(?i:(?:https?://)?(?:www\.)?github\.com/)?(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/"
    r"(?P<name>[A-Za-z0-9._-]{1,100}?)(?:\.git)?(?:[/?#].*)?$",
    re.ASCII,
)
# Fits owner/name, but is what a form's "no code" looks like.
_PLACEHOLDERS = frozenset({"n/a", "n/a/", "na/na"})
# Code hosts whose front page is no paper's code: a link to one alone is a placeholder too.
_FORGES = frozenset({"github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org"})
MISSING_RECHECK_DAYS = 7  # a repo GitHub answered 404 for is asked again after this many days
FORMULA = "growth = stars now - stars at the start of the window"


def parse_github_repo(text: str | None) -> str | None:
    """``owner/name`` from a GitHub URL or ``owner/name`` string; None when it is not one.

    >>> parse_github_repo("https://github.com/AI9Stars/Cheers/tree/main")
    'AI9Stars/Cheers'
    >>> parse_github_repo("https://gitlab.com/a/b") is None
    True
    >>> parse_github_repo("N/A") is None  # owner "N", repo "A" in form only
    True
    """
    if not text or text.strip().lower() in _PLACEHOLDERS:
        return None
    match = _REPO.match(text.strip().rstrip("/"))
    if match is None or match.group("name") in (".", ".."):
        return None
    return f"{match.group('owner')}/{match.group('name')}"


@dataclass(frozen=True, slots=True)
class CodeLink:
    """A code repository off GitHub as pages link it: its address and the host it names."""

    url: str
    host: str


def other_code_link(text: str | None) -> CodeLink | None:
    """Where a paper's code lives when it is not on GitHub; None for GitHub (its badge shows it)
    and for anything that is not a web address (the column holds what the source sent, unchecked,
    so ``javascript:`` must never become a link).

    >>> other_code_link("https://gitlab.com/lab/model")
    CodeLink(url='https://gitlab.com/lab/model', host='gitlab.com')
    >>> other_code_link("https://github.com/lab/model") is None
    True
    >>> other_code_link("https://gitlab.com/") is None  # a forge's front page names no code
    True
    """
    if not text or parse_github_repo(text) is not None:
        return None
    url = text.strip()
    if "://" not in url and "." in url.split("/", 1)[0]:
        url = "https://" + url  # "gitlab.com/lab/model", as pasted without its scheme
    if any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = host.removeprefix("www.")
    if host in _FORGES and not parts.path.strip("/"):
        return None
    return CodeLink(url, host)


def repo_url(repo: str) -> str:
    return f"https://github.com/{repo}"


def compact_count(n: int) -> str:
    """A star count as badges show it: ``987``, ``1.2k``, ``12k``, ``1.5M``.

    >>> [compact_count(n) for n in (987, 1234, 12_345, 1_500_000)]
    ['987', '1.2k', '12k', '1.5M']
    """
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            value = n / size
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return text.removesuffix(".0") + unit
    return str(n)


@dataclass(frozen=True, slots=True)
class RepoStars:
    """A paper's repository as pages show it; ``stars`` is None until the refresh job fetched it."""

    repo: str
    stars: int | None = None
    fetched_at: datetime | None = None

    @property
    def url(self) -> str:
        return repo_url(self.repo)

    @property
    def stars_label(self) -> str:
        return "" if self.stars is None else compact_count(self.stars)


@dataclass(frozen=True, slots=True)
class RepoCheck:
    """What we know about when a repo was last asked about (storage's ``github_repos`` row)."""

    repo: str
    checked_at: datetime | None
    missing: bool = False


def pick_repos_to_refresh(
    listed: Sequence[tuple[str, date | None]],
    checks: Mapping[str, RepoCheck],
    now: datetime,
    min_age: timedelta,
    recent_since: date,
    limit: int,
) -> list[str]:
    """The repos to fetch in one run, at most ``limit``, most useful first.

    ``listed`` holds each repo with the newest day a paper of it was listed (None: never
    listed). A repo is due when it was never checked or was checked at least ``min_age``
    ago (``MISSING_RECHECK_DAYS`` for a 404). Due repos of papers listed since
    ``recent_since`` come first, newest listing first, since their stars are what the front
    page shows and what moves; then every other due repo, least recently checked first.

    >>> from datetime import UTC
    >>> now = datetime(2026, 6, 4, tzinfo=UTC)
    >>> pick_repos_to_refresh([("a/old", date(2025, 1, 1)), ("a/new", date(2026, 6, 3))], {}, now,
    ...                       timedelta(hours=6), date(2026, 5, 28), 10)
    ['a/new', 'a/old']
    """
    if limit <= 0:
        return []
    newest: dict[str, date | None] = {}
    for repo, day in listed:
        seen = newest.get(repo)
        if repo not in newest or (day is not None and (seen is None or day > seen)):
            newest[repo] = day

    def due(repo: str) -> bool:
        check = checks.get(repo)
        if check is None or check.checked_at is None:
            return True
        wait = timedelta(days=MISSING_RECHECK_DAYS) if check.missing else min_age
        return now - check.checked_at >= wait

    def last_checked(repo: str) -> datetime | None:
        check = checks.get(repo)
        return check.checked_at if check else None

    candidates = [r for r in newest if due(r)]
    recent = [r for r in candidates if (d := newest[r]) is not None and d >= recent_since]
    recent.sort(key=lambda r: (-(newest[r] or date.min).toordinal(), r))
    chosen = set(recent)
    rest = [r for r in candidates if r not in chosen]
    # Never checked first, then the oldest check; the repo name breaks ties so runs are stable.
    rest.sort(key=lambda r: (last_checked(r) is not None, last_checked(r) or now, r))
    return (recent + rest)[:limit]


def star_growth(history: Sequence[tuple[datetime, int]], since: datetime) -> int:
    """Stars gained since ``since``, from snapshots ``(fetched_at, stars)`` of one repo.

    The baseline is the newest snapshot at or before ``since`` (stars stay as last seen
    until a later snapshot says otherwise); a repo first seen after ``since`` counts from
    its first snapshot, since we cannot know what it had before. Losses count as negative.

    >>> from datetime import UTC
    >>> t = lambda d: datetime(2026, 6, d, tzinfo=UTC)
    >>> star_growth([(t(1), 100), (t(3), 130), (t(6), 180)], since=t(4))
    50
    """
    if not history:
        return 0
    points = sorted(history)
    before = [stars for when, stars in points if when <= since]
    baseline = before[-1] if before else points[0][1]
    return points[-1][1] - baseline


@dataclass(frozen=True, slots=True)
class RepoPaper:
    """A paper with a repo, as the star-growth ranking sees it."""

    arxiv_id: str
    repo: str
    listed_on: date | None = None


def rank_star_growth(
    papers: Iterable[RepoPaper],
    histories: Mapping[str, Sequence[tuple[datetime, int]]],
    since: datetime,
) -> list[ScoredPaper]:
    """Papers whose repo gained stars since ``since``, most gained first (``score`` = stars gained).

    Only a positive gain ranks. Ties go to the repo with more stars now, then the newer
    listing, then the arXiv id. Papers sharing a repo share its gain.

    >>> from datetime import UTC
    >>> t = lambda d: datetime(2026, 6, d, tzinfo=UTC)
    >>> hist = {"a/x": [(t(1), 10), (t(5), 40)], "b/y": [(t(1), 500), (t(5), 520)]}
    >>> [(s.arxiv_id, s.score) for s in rank_star_growth(
    ...     [RepoPaper("1", "a/x"), RepoPaper("2", "b/y")], hist, t(2))]
    [('1', 30.0), ('2', 20.0)]
    """
    rows = []
    for p in papers:
        history = histories.get(p.repo)
        if not history:
            continue
        gain = star_growth(history, since)
        if gain <= 0:
            continue
        now_stars = max(history)[1]
        listed = (p.listed_on or date.min).toordinal()
        rows.append((-gain, -now_stars, -listed, p.arxiv_id, gain))
    rows.sort()
    return [ScoredPaper(r[3], float(r[4])) for r in rows]


def rate_limit_wait(
    status: int, headers: Mapping[str, str], now_epoch: float, default_s: float = 60.0
) -> float | None:
    """Seconds GitHub asks us to wait before the next request; None when the answer is no rate limit.

    GitHub signals its limits with 403 or 429: the secondary limit carries ``Retry-After``
    (seconds), the primary one ``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset`` (epoch
    seconds). A 429 without either waits ``default_s``; a 403 without either is a real
    "forbidden" (a blocked repo), not a limit.
    https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api

    >>> rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"}, 940.0)
    60.0
    """
    if status not in (403, 429):
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    retry_after = lower.get("retry-after", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    if lower.get("x-ratelimit-remaining", "").strip() == "0":
        reset = lower.get("x-ratelimit-reset", "").strip()
        if reset.isdigit():
            return max(0.0, float(reset) - now_epoch)
        return default_s
    return default_s if status == 429 else None
