"""Plots and the paper page through the real app, on SQLite and PostgreSQL: the upvote sparkline,
/stats, trending scores, folded authors, one comment count and the BibTeX endpoint."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

SVG = re.compile(r"<svg .*?</svg>", re.S)


def svgs(html: str, css: str) -> list[ET.Element]:
    """The inline SVGs of a class on the page, parsed (so each is well-formed on its own)."""
    return [ET.fromstring(s) for s in SVG.findall(html) if f'class="plot {css}"' in s]


def test_sparkline_follows_votes_cast_here_from_the_imported_count(client, db):
    add_papers(db, (make_paper("2606.00001", upvotes_baseline=30), date(2026, 6, 1)))
    before = client.get("/papers/2606.00001").text
    [flat] = svgs(before, "sparkline")
    assert flat.get("role") == "img" and flat.get("aria-label") == "Upvote history: 30 upvotes"
    assert "30 upvotes on 2026-06-01; no votes cast here since." in before
    for reader in ("a@example.org", "b@example.org"):
        sign_in(client, reader)
        assert post(client, "/vote/2606.00001", {"state": "on"}).status_code in (200, 303)
        client.cookies.clear()
    today = datetime.now(UTC).date().isoformat()
    after = client.get("/papers/2606.00001").text
    [spark] = svgs(after, "sparkline")
    desc = spark.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and desc.text == f"30 upvotes on 2026-06-01, 32 by {today}: 2 cast here."
    assert spark.get("aria-label") == "Upvote history: 32 upvotes"
    assert f"30 upvotes on 2026-06-01, 32 by {today}: 2 cast here.</figcaption>" in after
    assert 'aria-label="32 upvotes; sign in to upvote"' in after  # the vote button agrees with the sparkline's end


def test_stats_page_counts_papers_per_category_per_week(client, db):
    add_papers(
        db,
        *[make_paper(categories=("cs.LG",), published=date(2026, 5, 25 + i)) for i in range(3)],  # week of 25 May
        make_paper(categories=("cs.LG", "cs.CV"), published=date(2026, 6, 2)),  # cross-list: counts for cs.LG
        make_paper(categories=("cs.CV",), published=date(2026, 6, 3)),
        make_paper(categories=("cs.CV",), published=date(2025, 1, 1)),  # long before the twelve weeks
    )
    r = client.get("/stats")
    assert r.status_code == 200
    [chart] = svgs(r.text, "category-weeks")
    assert chart.get("role") == "img" and chart.get("aria-label") == "Papers per week in the busiest categories"
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)</tr>', r.text)
    table = {cat: re.findall(r"<td>([^<]*)</td>", cells) for cat, cells in rows}
    assert table == {"cs.LG": ["0"] * 10 + ["3", "1", "4"], "cs.CV": ["0"] * 11 + ["1", "1"]}
    assert "2026-03-16 – 2026-06-07" in r.text
    assert 'href="/stats"' in client.get("/about").text


def test_stats_page_of_an_empty_instance(client):
    r = client.get("/stats")
    assert r.status_code == 200 and "No papers yet" in r.text and not svgs(r.text, "category-weeks")


def test_trending_shows_each_papers_score_and_a_bar_against_the_top_score(client, db):
    add_papers(
        db,
        (make_paper("2606.00001", upvotes_baseline=10), date(2026, 6, 3)),
        (make_paper("2606.00002", upvotes_baseline=30), date(2026, 6, 1)),
    )
    html = client.get("/trending").text
    # as of the end of 2026-06-03: 10 / 26^1.5 = 0.0754 ; 30 / 74^1.5 = 0.0471
    assert re.findall(r"<span>score (\d\.\d{4})</span>", html) == ["0.0754", "0.0471"]
    bars = svgs(html, "score-bar")
    fills = [b.find("{http://www.w3.org/2000/svg}rect[@class='bar-fill']").get("width") for b in bars]  # type: ignore[union-attr]
    assert fills == ["80", "49.98"]
    assert [b.get("aria-label") for b in bars] == [
        "Trending score 0.0754, 100% of the top score", "Trending score 0.0471, 62% of the top score"]
    assert "score 0." not in client.get("/papers/date/2026-06-01").text  # only /trending shows scores


def test_a_long_author_list_folds_after_ten_names(client, db):
    authors = tuple(f"Author {i:03d}" for i in range(300))
    add_papers(db, make_paper("2606.00300", authors=authors))
    html = client.get("/papers/2606.00300").text
    up_front, _, folded = html.partition('<details class="more-authors">')
    assert re.findall(r"Author (\d{3})", up_front.split('class="authors full"', 1)[1].split("</p>")[0]) == [
        f"{i:03d}" for i in range(10)]
    assert "<summary>Show all 300 authors</summary>" in folded
    assert re.findall(r"Author (\d{3})", folded.split("</details>")[0]) == [f"{i:03d}" for i in range(10, 300)]
    short = client.get("/papers/" + add_short(db)).text
    assert "more-authors" not in short and "Author 11" in short  # twelve names are shown, not folded


def add_short(db) -> str:  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2606.00012", authors=tuple(f"Author {i}" for i in range(12))))
    return "2606.00012"


def test_one_comment_count_on_cards_facts_and_discussion(client, db):
    add_papers(db, (make_paper("2606.00001", num_comments_baseline=2), date(2026, 6, 1)))
    sign_in(client, "reader@example.org")
    assert post(client, "/comments", {"arxiv_id": "2606.00001", "body": "Nice"}).status_code == 303
    client.cookies.clear()
    page = client.get("/papers/2606.00001").text
    assert "<dt>Comments</dt><dd>3</dd>" in page
    assert "<h2>Discussion <small>3 comments</small></h2>" in page
    assert "2 of 3 comments\nwere written on Hugging Face" in page
    assert 'href="https://huggingface.co/papers/2606.00001"' in page
    assert '<span class="comments">3 comments</span>' in client.get("/papers/date/2026-06-01").text


def test_discussion_of_local_comments_only_needs_no_origin_note(client, db):
    add_papers(db, make_paper("2606.00001"))
    page = client.get("/papers/2606.00001").text
    assert "<h2>Discussion <small>0 comments</small></h2>" in page and "written on Hugging Face" not in page


def test_bibtex_endpoint_and_cite_button(client, db):
    add_papers(db, make_paper("2606.00001", title="Fast $O(n)$ sorting & more", authors=("Ada Lovelace", "Alan Turing"),
                              categories=("cs.DS",), published=date(2026, 6, 1)),
               make_paper("hep-th/9901001", published=date(1999, 1, 4)))
    r = client.get("/papers/2606.00001/bibtex")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/x-bibtex; charset=utf-8"
    assert r.headers["content-disposition"] == 'inline; filename="2606.00001.bib"'
    body = r.text
    m = re.fullmatch(r"@misc\{([a-z0-9_]+),\n((?:  \w+ = \{.*\},?\n)+)\}\n", body)
    assert m is not None, body
    fields = dict(re.findall(r"  (\w+) = \{(.*)\},?\n", m.group(2)))
    assert fields == {
        "title": r"{Fast $O(n)$ sorting \& more}", "author": "Ada Lovelace and Alan Turing", "year": "2026",
        "eprint": "2606.00001", "archivePrefix": "arXiv", "primaryClass": "cs.DS",
        "url": "https://arxiv.org/abs/2606.00001",
    }
    assert body.count("{") - body.count(r"\{") == body.count("}") - body.count(r"\}")  # balanced braces
    page = client.get("/papers/2606.00001").text
    assert '<summary class="button">Cite</summary>' in page and 'href="/papers/2606.00001/bibtex"' in page
    assert "@misc{lovelace2026fast_260600001," in page
    old = client.get("/papers/hep-th/9901001/bibtex")
    assert old.status_code == 200 and "eprint = {hep-th/9901001}" in old.text
    assert old.headers["content-disposition"] == 'inline; filename="hep-th-9901001.bib"'
    assert client.get("/papers/2606.00001v2/bibtex").status_code == 200
    assert client.get("/papers/2606.99999/bibtex").status_code == 404
    assert client.get("/papers/not-an-id/bibtex").status_code == 404


def test_stats_is_cached_for_signed_out_visitors_until_papers_change(client, db):
    from tests.web.test_page_cache import anonymous, statements

    add_papers(db, make_paper(categories=("cs.LG",), published=date(2026, 6, 2)))
    first = anonymous(client, "/stats")
    with statements(db) as sql:
        again = anonymous(client, "/stats")
    assert not sql and again.content == first.content
    add_papers(db, make_paper(categories=("math.AG",), published=date(2026, 6, 3)))
    assert '<th scope="row">math.AG</th>' in anonymous(client, "/stats").text
