"""Persistence for the GitHub signal: each repo's last answer and its star history.

Writes record one fetch each (a 200 with stars and ETag, a 304, a 404 or an error);
reads give the refresh job its candidates, pages the stars of the repos they show, and
the star-growth ranking each repo's history around the start of its window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.github import RepoCheck, RepoPaper, RepoStars, parse_github_repo
from papertide.domain.papers import PaperEntry
from papertide.storage.papers import IN_CHUNK
from papertide.storage.schema import daily_listings, papers
from papertide.storage.tables.github import github_repos, github_stars


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def has_code_condition() -> sa.ColumnElement[bool]:
    """Papers that name a code repository (the "has code" filter)."""
    return sa.and_(papers.c.github_repo.is_not(None), papers.c.github_repo != "")


def listed_repos(conn: Connection) -> list[tuple[str, date | None]]:
    """Every repo papers name, with the newest day one of those papers was listed (None: never)."""
    q = (
        sa.select(papers.c.github_repo, sa.func.max(daily_listings.c.listed_on).label("last"))
        .select_from(papers.outerjoin(daily_listings, daily_listings.c.paper_id == papers.c.id))
        .where(has_code_condition())
        .group_by(papers.c.github_repo)
    )
    out = []
    for r in conn.execute(q):
        repo = parse_github_repo(r.github_repo)
        if repo is not None:
            out.append((repo, r.last))
    return out


def repo_checks(conn: Connection) -> dict[str, RepoCheck]:
    """When each known repo was last asked about, and whether GitHub knew it."""
    q = sa.select(github_repos.c.repo, github_repos.c.checked_at, github_repos.c.status)
    return {
        r.repo: RepoCheck(r.repo, _utc(r.checked_at) if r.checked_at else None, r.status == "missing")
        for r in conn.execute(q)
    }


def etags(conn: Connection, repos: Iterable[str]) -> dict[str, str]:
    """The ETag of each repo's last 200, to send as ``If-None-Match``."""
    wanted = list(repos)
    out: dict[str, str] = {}
    for i in range(0, len(wanted), IN_CHUNK):
        q = sa.select(github_repos.c.repo, github_repos.c.etag).where(
            github_repos.c.repo.in_(wanted[i : i + IN_CHUNK]), github_repos.c.etag.is_not(None),
            github_repos.c.status == "ok",
        )
        out.update({r.repo: r.etag for r in conn.execute(q)})
    return out


def _upsert(conn: Connection, repo: str, values: dict[str, object]) -> None:
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(github_repos).values(repo=repo, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["repo"], set_={**values, "updated_at": sa.func.now()}))


def record_fetched(
    conn: Connection, repo: str, stars: int, etag: str | None, homepage: str | None, at: datetime
) -> bool:
    """Store a 200 answer; adds a history row when the star count changed. True when it did."""
    at = _utc(at)
    before = conn.execute(sa.select(github_repos.c.stars).where(github_repos.c.repo == repo)).scalar()
    _upsert(conn, repo, {"stars": stars, "etag": etag, "homepage": homepage or None, "status": "ok",
                         "checked_at": at, "fetched_at": at})
    if before == stars:
        return False
    conn.execute(sa.insert(github_stars).values(repo=repo, stars=stars, fetched_at=at))
    return True


def record_not_modified(conn: Connection, repo: str, at: datetime) -> None:
    """A 304: the stars we hold are still current as of ``at``."""
    conn.execute(
        sa.update(github_repos).where(github_repos.c.repo == repo)
        .values(checked_at=_utc(at), status="ok", updated_at=sa.func.now())
    )


def record_failed(conn: Connection, repo: str, at: datetime, missing: bool) -> None:
    """A 404 (``missing``: the repo is gone or private) or another refusal; keeps the stars we had."""
    _upsert(conn, repo, {"status": "missing" if missing else "error", "checked_at": _utc(at)})


def stars_for(conn: Connection, repos: Iterable[str]) -> dict[str, RepoStars]:
    """The stars we hold for ``repos`` (those never fetched or gone are left out)."""
    wanted = sorted(set(repos))
    out: dict[str, RepoStars] = {}
    for i in range(0, len(wanted), IN_CHUNK):
        q = sa.select(github_repos.c.repo, github_repos.c.stars, github_repos.c.fetched_at).where(
            github_repos.c.repo.in_(wanted[i : i + IN_CHUNK]), github_repos.c.stars.is_not(None),
            github_repos.c.status != "missing",
        )
        for r in conn.execute(q):
            out[r.repo] = RepoStars(r.repo, r.stars, _utc(r.fetched_at) if r.fetched_at else None)
    return out


def star_histories(conn: Connection, since: datetime) -> dict[str, list[tuple[datetime, int]]]:
    """For each repo whose stars changed after ``since`` and is not gone: those snapshots plus the one
    in force at ``since``.

    Repos with no change after ``since`` gained nothing and are left out, so the cost
    follows the repos that moved, not every repo we track.
    """
    since = _utc(since)
    # A repo GitHub now says is gone (or private) ranks no more on what it gained before.
    gone = sa.select(github_repos.c.repo).where(github_repos.c.status == "missing")
    moved = (sa.select(github_stars.c.repo)
             .where(github_stars.c.fetched_at > since, github_stars.c.repo.not_in(gone)).distinct())
    out: dict[str, list[tuple[datetime, int]]] = {}
    after = sa.select(github_stars.c.repo, github_stars.c.fetched_at, github_stars.c.stars).where(
        github_stars.c.fetched_at > since, github_stars.c.repo.not_in(gone)
    )
    for r in conn.execute(after):
        out.setdefault(r.repo, []).append((_utc(r.fetched_at), r.stars))
    last_before = (
        sa.select(github_stars.c.repo, sa.func.max(github_stars.c.fetched_at).label("at"))
        .where(github_stars.c.fetched_at <= since, github_stars.c.repo.in_(moved))
        .group_by(github_stars.c.repo)
        .subquery()
    )
    baseline = sa.select(github_stars.c.repo, github_stars.c.fetched_at, github_stars.c.stars).join(
        last_before, sa.and_(last_before.c.repo == github_stars.c.repo, last_before.c.at == github_stars.c.fetched_at)
    )
    for r in conn.execute(baseline):
        out.setdefault(r.repo, []).append((_utc(r.fetched_at), r.stars))
    return out


def with_repo_stars(conn: Connection, entries: Sequence[PaperEntry]) -> list[PaperEntry]:
    """``entries`` with ``github`` set for every paper that names a GitHub repo (stars when we hold them).

    One indexed lookup for the whole page, done where the page's entries are loaded, so
    templates only read ``entry.github``.
    """
    named = {e.paper.arxiv_id: parse_github_repo(e.paper.github_repo) for e in entries if e.paper.github_repo}
    known = stars_for(conn, (r for r in named.values() if r))
    out = []
    for e in entries:
        repo = named.get(e.paper.arxiv_id)
        out.append(replace(e, github=known.get(repo) or RepoStars(repo)) if repo else e)
    return out


def papers_of_repos(conn: Connection, repos: Iterable[str]) -> list[RepoPaper]:
    """Papers naming any of ``repos``, with their newest listing day."""
    wanted = set(repos)
    if not wanted:
        return []
    q = (
        sa.select(papers.c.arxiv_id, papers.c.github_repo, sa.func.max(daily_listings.c.listed_on).label("last"))
        .select_from(papers.outerjoin(daily_listings, daily_listings.c.paper_id == papers.c.id))
        .where(has_code_condition())
        .group_by(papers.c.arxiv_id, papers.c.github_repo)
    )
    # github_repo holds URLs as imported, so matching by name happens after parsing; one pass
    # over the papers that have a repo (a few percent of the corpus).
    out = []
    for r in conn.execute(q):
        repo = parse_github_repo(r.github_repo)
        if repo is not None and repo in wanted:
            out.append(RepoPaper(r.arxiv_id, repo, r.last))
    return out
