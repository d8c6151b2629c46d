"""The GitHub signal's pure rules, against hand-computed tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from papertide.domain.github import (
    CodeLink,
    RepoCheck,
    RepoPaper,
    RepoStars,
    compact_count,
    other_code_link,
    parse_github_repo,
    pick_repos_to_refresh,
    rank_star_growth,
    rate_limit_wait,
    star_growth,
)
from papertide.domain.trending import ScoredPaper

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)


def t(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("text", "repo"), [
    ("https://github.com/AI9Stars/Cheers", "AI9Stars/Cheers"),
    ("http://www.github.com/a-b/c.d_e/", "a-b/c.d_e"),
    ("https://github.com/owner/repo.git", "owner/repo"),
    ("https://github.com/owner/repo/tree/main/src", "owner/repo"),
    ("owner/repo", "owner/repo"),
    ("  https://github.com/o/r  ", "o/r"),
    ("https://gitlab.com/o/r", None),
    ("https://github.com/owner", None),
    ("https://huggingface.co/spaces/o/r", None),
    ("", None),
    (None, None),
    ("https://github.com/-bad/r", None),
    ("https://github.com/o/..", None),
    # Addresses as people copy them from the browser: a query, a fragment, the host's capitals.
    ("https://github.com/owner/repo?tab=readme-ov-file", "owner/repo"),
    ("https://github.com/owner/repo#readme", "owner/repo"),
    ("https://github.com/owner/repo/?tab=readme-ov-file#install", "owner/repo"),
    ("https://GitHub.com/owner/repo", "owner/repo"),
    ("HTTPS://WWW.GITHUB.COM/owner/repo", "owner/repo"),
    ("https://gist.github.com/owner/0123abcd", None),
    ("https://github.com/owner?tab=repositories", None),
])
def test_repo_names_are_read_from_urls_and_names(text, repo):
    assert parse_github_repo(text) == repo


@pytest.mark.parametrize(("text", "link"), [
    ("https://gitlab.com/lab/model", CodeLink("https://gitlab.com/lab/model", "gitlab.com")),
    ("https://bitbucket.org/lab/model/src/main/", CodeLink("https://bitbucket.org/lab/model/src/main/", "bitbucket.org")),
    (" https://codeberg.org/lab/model ", CodeLink("https://codeberg.org/lab/model", "codeberg.org")),
    ("https://huggingface.co/spaces/lab/demo", CodeLink("https://huggingface.co/spaces/lab/demo", "huggingface.co")),
    ("http://www.GitLab.com/lab/model", CodeLink("http://www.GitLab.com/lab/model", "gitlab.com")),
    # Without a scheme, as people paste it: linked over https.
    ("gitlab.com/lab/model", CodeLink("https://gitlab.com/lab/model", "gitlab.com")),
    # GitHub addresses get the repo badge with its stars instead.
    ("https://github.com/lab/model", None),
    ("lab/model", None),
    # Nothing a browser would run or could not reach becomes a link.
    ("javascript:alert(1)", None),
    ("data:text/html,<b>x</b>", None),
    ("ftp://example.org/code", None),
    ("https://", None),
    ("https://gitlab.com/a b", None),
    ("see the paper", None),
    ("", None),
    (None, None),
])
def test_a_code_address_off_github_is_linked_when_it_is_a_web_address(text, link):
    assert other_code_link(text) == link


def test_star_counts_are_shown_compactly():
    assert [compact_count(n) for n in (0, 999, 1000, 1049, 1050, 9999, 10_000, 123_456, 1_000_000, 2_345_678)] == [
        "0", "999", "1k", "1k", "1.1k", "10k", "10k", "123k", "1M", "2.3M"]
    assert (RepoStars("o/r", 1234).stars_label, RepoStars("o/r").stars_label, RepoStars("o/r").url) == (
        "1.2k", "", "https://github.com/o/r")


def test_growth_counts_from_the_snapshot_in_force_at_the_window_start():
    history = [(t(1), 100), (t(3), 130), (t(6), 180), (t(9), 175)]
    assert star_growth(history, since=t(3)) == 175 - 130  # a snapshot exactly at the start is the baseline
    assert star_growth(history, since=t(4)) == 175 - 130  # 130 was in force from the 3rd to the 6th
    assert star_growth(history, since=t(9, 1)) == 0  # nothing after the start
    assert star_growth(list(reversed(history)), since=t(2)) == 175 - 100  # order does not matter
    assert star_growth([(t(5), 40), (t(8), 90)], since=t(2)) == 50  # first seen inside: from its first fetch
    assert star_growth([], since=t(2)) == 0


def test_star_growth_ranks_by_gain_then_current_stars_then_listing_then_id():
    since = t(3)
    histories = {
        "a/small": [(t(1), 10), (t(5), 60)],  # +50
        "b/big": [(t(2), 5000), (t(6), 5050)],  # +50, more stars now
        "c/flat": [(t(1), 300), (t(4), 300)],  # +0: not ranked
        "d/down": [(t(1), 90), (t(4), 80)],  # -10: not ranked
        "e/top": [(t(4), 1), (t(9), 301)],  # first seen inside: +300
    }
    papers = [
        RepoPaper("2606.00001", "a/small", date(2026, 6, 2)),
        RepoPaper("2606.00002", "b/big", date(2026, 6, 1)),
        RepoPaper("2606.00003", "c/flat"),
        RepoPaper("2606.00004", "d/down"),
        RepoPaper("2606.00005", "e/top", date(2026, 6, 4)),
        RepoPaper("2606.00006", "a/small", date(2026, 6, 5)),  # shares a/small, listed later
        RepoPaper("2606.00007", "z/unknown"),
        RepoPaper("2606.00000", "a/small", date(2026, 6, 5)),  # same listing as ...06: the id decides
    ]
    assert rank_star_growth(papers, histories, since) == [
        ScoredPaper("2606.00005", 300.0),
        ScoredPaper("2606.00002", 50.0),
        ScoredPaper("2606.00000", 50.0),
        ScoredPaper("2606.00006", 50.0),
        ScoredPaper("2606.00001", 50.0),
    ]


def test_refresh_picks_recently_listed_repos_first_then_the_least_recently_checked():
    listed = [
        ("old/never", date(2025, 1, 1)),
        ("new/a", date(2026, 6, 9)),
        ("new/b", date(2026, 6, 1)),
        ("new/fresh", date(2026, 6, 10)),  # checked an hour ago: not due
        ("old/stale", None),
        ("old/older", date(2025, 3, 1)),
        ("new/b", date(2026, 6, 8)),  # a second paper of new/b, listed later: its newest listing counts
        ("gone/repo", date(2026, 6, 9)),  # 404 two days ago: waits a week
        ("gone/long", None),  # 404 eight days ago: asked again
    ]
    checks = {
        "new/fresh": RepoCheck("new/fresh", NOW - timedelta(hours=1)),
        "old/stale": RepoCheck("old/stale", NOW - timedelta(days=3)),
        "old/older": RepoCheck("old/older", NOW - timedelta(days=9)),
        "gone/repo": RepoCheck("gone/repo", NOW - timedelta(days=2), missing=True),
        "gone/long": RepoCheck("gone/long", NOW - timedelta(days=8), missing=True),
    }
    picked = pick_repos_to_refresh(listed, checks, NOW, timedelta(hours=12), date(2026, 5, 27), limit=10)
    assert picked == ["new/a", "new/b", "old/never", "old/older", "gone/long", "old/stale"]
    assert pick_repos_to_refresh(listed, checks, NOW, timedelta(hours=12), date(2026, 5, 27), limit=3) == picked[:3]
    assert pick_repos_to_refresh(listed, checks, NOW, timedelta(hours=12), date(2026, 5, 27), limit=0) == []
    # With no minimum age, the repo checked an hour ago is due again (and recent).
    assert pick_repos_to_refresh(listed, checks, NOW, timedelta(0), date(2026, 5, 27), limit=3) == [
        "new/fresh", "new/a", "new/b"]


@pytest.mark.parametrize(("status", "headers", "wait"), [
    (200, {}, None),
    (404, {"X-RateLimit-Remaining": "0"}, None),
    (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1060"}, 60.0),
    (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "900"}, 0.0),  # already reset
    (403, {"X-RateLimit-Remaining": "0"}, 60.0),  # no reset given: the default
    (403, {"Retry-After": "45", "X-RateLimit-Remaining": "12"}, 45.0),  # secondary limit
    (429, {"Retry-After": "3"}, 3.0),
    (429, {}, 60.0),
    (403, {"X-RateLimit-Remaining": "41"}, None),  # forbidden for another reason (a blocked repo)
])
def test_rate_limit_waits_follow_githubs_headers(status, headers, wait):
    assert rate_limit_wait(status, headers, now_epoch=1000.0) == wait
