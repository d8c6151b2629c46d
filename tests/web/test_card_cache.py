"""The card parts cache (web/cards.py) through the real app, on SQLite and PostgreSQL: a list page
renders what a card shows of the paper alone once per paper; a vote, comment, star count,
thumbnail or edited paper shows on the next uncached render; nothing of one viewer reaches another."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from papertide.storage import github as github_store
from papertide.web.cards import CardFragments
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, app_for, make_paper

DAY = date(2026, 6, 3)


def _card(html: str, arxiv_id: str) -> str:
    m = re.search(rf'<article class="paper-card" id="paper-{re.escape(arxiv_id)}">(.*?)</article>', html, re.S)
    assert m, arxiv_id
    return m.group(1)


def _paper(arxiv_id: str, **fields):  # type: ignore[no-untyped-def]
    return make_paper(arxiv_id, published=DAY, **fields)


@pytest.fixture
def client(settings, db) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    # The page cache off: every request renders, as for a signed-in reader.
    with TestClient(app_for(settings.model_copy(update={"page_cache_seconds": 0}), db)) as c:
        yield c


@pytest.fixture
def listed(db):  # type: ignore[no-untyped-def]
    add_papers(
        db,
        (_paper("2606.00001", title="First $x^2$ paper", upvotes_baseline=5, github_repo="https://github.com/lab/one"),
         DAY),
        (_paper("2606.00002", title="Second paper", upvotes_baseline=3), DAY),
        (_paper("2606.00003", title="Third paper", upvotes_baseline=1), DAY),
    )


def _parts(client: TestClient) -> CardFragments:
    parts: CardFragments = client.app.state.templates.env.globals["card_parts"]  # type: ignore[attr-defined]
    return parts


def test_a_second_render_reuses_every_cards_parts_and_gives_the_same_page(client, listed):
    first = client.get("/").text
    assert _parts(client).cache_info() == (0, 3, 3)
    second = client.get("/").text
    assert _parts(client).cache_info() == (3, 3, 3)
    assert second == first
    client.get("/trending")  # the same papers on another page: the same parts
    assert _parts(client).cache_info() == (6, 3, 3)


def test_votes_comments_stars_thumbnails_and_edits_show_on_the_next_uncached_render(client, listed, db, settings):
    services = client.app.state.services  # type: ignore[attr-defined]
    before = _card(client.get("/").text, "2606.00001")
    assert '<span class="count">5</span>' in before and "0 comments" in before
    assert "repo-stars" not in before and "thumb-placeholder" in before

    reader = sign_in(client, "reader@example.org")
    services.community.votes.vote(reader, "2606.00001", True)
    services.community.discussion.add(reader, "2606.00001", "Nice result.")
    with db.write() as conn:
        github_store.record_fetched(conn, "lab/one", 1234, 'W/"a"', None, datetime.now(UTC))
    (settings.data_dir / "thumbs").mkdir()
    (settings.data_dir / "thumbs" / "2606.00001.webp").write_bytes(b"RIFF....WEBP")
    client.cookies.clear()
    after = _card(client.get("/").text, "2606.00001")
    assert '<span class="count">6</span>' in after and "1 comment<" in after
    assert '<span class="repo-stars" title="1,234 stars">' in after
    assert '<img src="/thumbs/2606.00001.webp"' in after and "thumb-placeholder" not in after

    (settings.data_dir / "thumbs" / "2606.00001.webp").unlink()  # e.g. removed by another process
    add_papers(db, (_paper("2606.00001", title="First paper, revised", authors=("Grace Hopper",),
                           abstract="We propose a revision.", upvotes_baseline=5,
                           github_repo="https://github.com/lab/one"), DAY))
    edited = _card(client.get("/").text, "2606.00001")
    assert '<a href="/papers/2606.00001">First paper, revised</a>' in edited
    assert '<a class="author" dir="auto" href="/authors/Grace%20Hopper">Grace Hopper</a>' in edited
    assert '<p class="summary" dir="auto">We propose a revision.</p>' in edited
    assert "thumb-placeholder" in edited and "<img" not in edited


def test_cached_parts_carry_nothing_of_the_viewer(client, listed):
    sign_in(client, "reader@example.org")
    post(client, "/vote/2606.00002", {"state": "on"})
    mine = _card(client.get("/").text, "2606.00002")
    assert 'class="vote-button voted"' in mine and 'class="inline card-save"' in mine and "csrf_token" in mine

    client.cookies.clear()
    theirs = _card(client.get("/").text, "2606.00002")
    assert _parts(client).cache_info()[0] >= 3  # the anonymous render reused the reader's parts
    assert "voted" not in theirs and "card-save" not in theirs and "csrf_token" not in theirs
    assert '<form class="vote-form" method="get" action="/auth/sign-in">' in theirs
    assert '<span class="count">4</span>' in theirs


def test_the_cache_keeps_at_most_its_size_and_renders_what_the_page_shows(client, listed):
    html = client.get("/").text
    small = CardFragments(client.app.state.templates.env, lambda arxiv_id: None, size=2)  # type: ignore[attr-defined]
    papers = [_paper(f"2606.0000{i}", title=t, upvotes_baseline=u, **extra) for i, t, u, extra in (
        (1, "First $x^2$ paper", 5, {"github_repo": "https://github.com/lab/one"}),
        (2, "Second paper", 3, {}), (3, "Third paper", 1, {}))]
    for p in papers:
        parts = small(p)
        card = _card(html, p.arxiv_id)
        assert str(parts.thumb) in card and str(parts.text) in card
        assert f'<span class="chips">{parts.chips}</span>' in card
    assert small.cache_info() == (0, 3, 2)
