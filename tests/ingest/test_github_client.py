"""The GitHub client against a local server speaking GitHub's recorded shapes over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from papertide.ingest.github import GithubRateLimited, HttpGithubClient, NullGithubClient, RepoFetch
from tests.ingest.fake_github import FakeGithub, FakeGithubServer


@pytest.fixture
def github() -> FakeGithub:
    return FakeGithub(stars={"AI9Stars/Cheers": 1234, "InternLM/Visual-ERM": 56})


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def client(server: FakeGithubServer, slept: list[float]) -> Iterator[HttpGithubClient]:
    c = HttpGithubClient(server.url, token="ghp_test", max_wait_s=60, sleep=slept.append)
    yield c
    c.close()


def test_a_200_gives_stars_homepage_and_the_etag(client, github):
    got = client.repo("AI9Stars/Cheers")
    assert got == RepoFetch("AI9Stars/Cheers", "ok", 1234, got.etag, "https://ai9stars.github.io/Cheers/",
                            remaining=59)
    assert got.etag is not None and got.etag.startswith('W/"')
    path, headers = github.requests[0]
    assert path == "/repos/AI9Stars/Cheers"
    assert (headers["accept"], headers["x-github-api-version"], headers["authorization"]) == (
        "application/vnd.github+json", "2022-11-28", "Bearer ghp_test")
    assert "if-none-match" not in headers


def test_a_matching_etag_gets_a_304_that_costs_no_rate_limit(client, github):
    first = client.repo("AI9Stars/Cheers")
    again = client.repo("AI9Stars/Cheers", first.etag)
    assert again == RepoFetch("AI9Stars/Cheers", "not_modified", etag=first.etag, remaining=59)
    assert github.requests[1][1]["if-none-match"] == first.etag
    github.stars["AI9Stars/Cheers"] = 1300  # a new star changes the body, so the old ETag no longer matches
    changed = client.repo("AI9Stars/Cheers", first.etag)
    assert (changed.status, changed.stars, changed.remaining) == ("ok", 1300, 58)
    assert changed.etag != first.etag


def test_a_short_primary_rate_limit_is_waited_out_until_its_reset(client, github, slept):
    github.limited_for, github.limited_times = 30, 1
    got = client.repo("InternLM/Visual-ERM")
    assert (got.status, got.stars) == ("ok", 56)
    assert len(slept) == 1 and 28 <= slept[0] <= 31  # X-RateLimit-Reset is whole epoch seconds
    assert len(github.requests) == 2


def test_a_long_rate_limit_ends_the_call_instead_of_blocking(client, github, slept):
    github.limited_for, github.limited_times = 3600, 5
    with pytest.raises(GithubRateLimited) as exc:
        client.repo("AI9Stars/Cheers")
    assert 3590 <= exc.value.wait_s <= 3601
    assert slept == [] and len(github.requests) == 1


def test_a_secondary_limit_waits_the_retry_after_seconds(client, github, slept):
    github.secondary_retry_after = 7
    assert client.repo("AI9Stars/Cheers").stars == 1234
    assert slept == [7.0]


def test_a_repo_github_does_not_know_is_missing(client):
    assert client.repo("nobody/nothing") == RepoFetch("nobody/nothing", "missing", detail="HTTP 404", remaining=59)


def test_a_blocked_repo_is_an_error_and_not_retried(client, github, slept):
    github.blocked.add("AI9Stars/Cheers")
    got = client.repo("AI9Stars/Cheers")
    assert got.status == "error" and "HTTP 403" in got.detail and "Repository access blocked" in got.detail
    assert slept == [] and len(github.requests) == 1


def test_no_server_listening_is_unreachable():
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = HttpGithubClient(f"http://127.0.0.1:{port}", timeout_s=2)
    try:
        got = c.repo("AI9Stars/Cheers")
    finally:
        c.close()
    assert got.status == "unreachable" and got.detail.startswith("network error: ConnectError")


def test_the_null_client_never_fetches(github):
    null = NullGithubClient()
    assert (null.online, null.repo("AI9Stars/Cheers").status) == (False, "error")
    assert github.requests == []
