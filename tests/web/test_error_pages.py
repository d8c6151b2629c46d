"""Addresses that name nothing: each answers with a page that says what is missing, or sends the
reader on to the address they meant."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.community.conftest import post
from tests.factories import add_papers, make_paper


def _message(html: str) -> tuple[str, str]:
    found = re.search(r"<h1>(.*?)</h1>\s*<p[^>]*>(.*?)</p>", html, re.S)
    assert found, html[:300]
    return found.group(1), found.group(2)


def test_a_digest_day_without_a_digest_says_so_not_that_a_paper_is_missing(client):
    # was the shared 404 page: "We have no paper 2026-06-04 here."
    for day, says in [("2026-06-04", "No digest was sent for 2026-06-04"), ("garbage", "Not a date (expected YYYY-MM-DD)")]:
        r = client.get(f"/digests/{day}")
        title, message = _message(r.text)
        assert (r.status_code, title) == (404, "No such digest"), day
        assert says in message and "/digests" in message and "paper" not in message


def test_an_author_address_with_a_trailing_slash_goes_to_the_author(client, db):
    # was a 404 "No paper here lists the author 'Ada Lovelace/'", where other pages drop the slash
    add_papers(db, (make_paper("2606.00001", authors=("Ada Lovelace",)), date(2026, 6, 3)))
    r = client.get("/authors/Ada%20Lovelace/?p=0", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (308, "http://testserver/authors/Ada%20Lovelace?p=0")
    assert "Ada Lovelace" in client.get("/authors/Ada%20Lovelace/").text
    assert client.get("/authors/%2F").status_code == 404  # a slash alone names nobody


def _boom(client):  # type: ignore[no-untyped-def]
    """A page whose code fails: what a reader meets when we have a bug."""
    def fail() -> None:
        raise RuntimeError("a bug of ours")
    client.app.add_api_route("/test-only/boom", fail)
    with TestClient(client.app, raise_server_exceptions=False) as plain:
        return plain.get("/test-only/boom")


def _flood(client):  # type: ignore[no-untyped-def]
    client.app.state.services.community.limiter.clock = lambda: 1000.0  # frozen: no refill during the test
    for _ in range(6):
        r = post(client, "/auth/sign-in/link", {"email": "flood@example.org"})
    return r


@pytest.mark.parametrize(("send", "status", "words"), [
    (_flood, 429, "Too many requests"),
    (lambda c: post(c, "/auth/sign-in/link", {f"f{i}": "x" for i in range(1001)}), 413, "Form too large"),
    (lambda c: c.get("/no/such/page"), 404, "Page not found"),
    (_boom, 500, "Something went wrong"),
], ids=["429", "413", "404", "500"])
def test_an_error_page_is_titled_in_words_and_keeps_its_code(client, send, status, words):
    # were titled "Error 429" (and a bare "Internal Server Error" text for a 500): a screen reader
    # heard a number, and the page's heading said nothing more
    r = send(client)
    assert r.status_code == status
    assert re.search(r"<title>(.*?)</title>", r.text).group(1) == f"{words} · papertide"  # type: ignore[union-attr]
    assert f"<h1>{words}</h1>" in r.text
    assert f'<p class="muted error-status">Error code {status}</p>' in r.text  # for support
