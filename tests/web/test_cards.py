"""Paper cards on list pages, and TeX rendered wherever titles show (both databases)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from papertide.domain.cards import placeholder_hue
from tests.factories import add_papers, make_paper

ABSTRACT = ("Memory matters for agents, e.g. in long chats (Smith et al. 2024). We introduce M$^3$Eval, a benchmark "
            "of 1.5k tasks. It is hard.")


@pytest.fixture
def cards(db):
    add_papers(
        db,
        (make_paper("2606.05008", title="M$^3$Eval: Multi-Modal Memory Evaluation", abstract=ABSTRACT,
                    categories=("cs.CV", "cs.CL", "cs.AI", "cs.LG"), upvotes_baseline=7,
                    authors=("Ada", "Bea", "Cy", "Di", "Ed")), date(2026, 6, 3)),
        (make_paper("2606.00002", title="Plain <b>title</b>", abstract="", categories=()), date(2026, 6, 3)),
    )


def _card(html: str, arxiv_id: str) -> str:
    m = re.search(rf'<article class="paper-card" id="paper-{re.escape(arxiv_id)}">(.*?)</article>', html, re.S)
    assert m, arxiv_id
    return m.group(1)


@pytest.mark.parametrize("url", ["/", "/trending", "/papers/date/2026-06-03", "/papers/week/2026-W23"])
def test_cards_show_tex_title_summary_chips_comments_and_a_placeholder(client, cards, url):
    html = client.get(url).text
    assert '<div class="paper-list card-grid">' in html
    card = _card(html, "2606.05008")
    assert '<h3 class="title" dir="auto"><a href="/papers/2606.05008">M<span class="math-scroll"><math ' in card
    assert "$" not in card
    assert '<p class="summary" dir="auto">We introduce M<span class="math-scroll"><math ' in card
    assert "</math></span>Eval, a benchmark of 1.5k tasks.</p>" in card
    assert re.findall(r'<a class="author" dir="auto" href="[^"]+">([^<]+)</a>', card) == ["Ada", "Bea", "Cy"]
    assert '<span class="et-al">et al.</span>' in card
    assert re.findall(r'<a class="cat[^"]*" href="/categories/[^"]+"[^>]*>([^<]+)</a>', card) == ["cs.CV", "cs.CL", "cs.AI"]
    # Each chip names its category for a reader who does not know the code by heart.
    assert '<a class="cat primary" href="/categories/cs.CV" title="Computer Vision and Pattern Recognition">cs.CV</a>' in card
    assert "0 comments" in card
    assert (f'<span class="thumb-placeholder hue-{placeholder_hue("cs.CV")}"><span class="ph-cat">cs.CV</span>'
            '<span class="ph-id">2606.05008</span></span>') in card
    assert '<a class="card-thumb" href="/papers/2606.05008" tabindex="-1" aria-hidden="true">' in card
    plain = _card(html, "2606.00002")
    assert "Plain &lt;b&gt;title&lt;/b&gt;" in plain
    assert 'class="summary"' not in plain  # no abstract, no empty line
    assert '<span class="ph-cat">arXiv</span>' in plain


def test_paper_page_renders_tex_in_title_and_abstract_and_keeps_the_tab_title_plain(client, cards):
    html = client.get("/papers/2606.05008").text
    assert "<title>M³Eval: Multi-Modal Memory Evaluation · papertide</title>" in html
    assert '<h1 class="paper-title" dir="auto">M<span class="math-scroll"><math ' in html
    assert '<meta property="og:title" content="M³Eval: Multi-Modal Memory Evaluation">' in html  # social cards: plain text
    assert 'We introduce M<span class="math-scroll"><math ' in html
    body = html.split("</head>")[1]
    # The BibTeX box is meant for LaTeX, so its title keeps the TeX; everywhere else the reader sees it rendered.
    assert "M$^3$Eval: Multi-Modal Memory Evaluation}" in body
    assert "M$^3$Eval" not in re.sub(r"<pre[^>]*>.*?</pre>", "", body, flags=re.S)


def test_an_existing_thumbnail_replaces_the_placeholder(client, cards, settings):
    thumbs = settings.data_dir / "thumbs"
    thumbs.mkdir()
    (thumbs / "2606.05008.webp").write_bytes(b"RIFF....WEBP")
    card = _card(client.get("/").text, "2606.05008")
    assert '<img src="/thumbs/2606.05008.webp" alt="" width="400" height="300" loading="lazy"' in card
    assert "thumb-placeholder" not in card
    assert "thumb-placeholder" in _card(client.get("/").text, "2606.00002")


def test_paper_page_links_the_addresses_in_its_abstract_and_cards_do_not(client, db):
    abstract = "We release code at {https://github.com/ada/m3eval}. Data: https://huggingface.co/datasets/ada/m3."
    add_papers(db, (make_paper("2606.05009", title="Linked", abstract=abstract, categories=("cs.CL",)), date(2026, 6, 3)))
    html = client.get("/papers/2606.05009").text
    assert ('code at {<a href="https://github.com/ada/m3eval" rel="nofollow noopener">https://github.com/ada/m3eval</a>}.'
            in html)
    assert '<a href="https://huggingface.co/datasets/ada/m3" rel="nofollow noopener">' in html
    assert 'href="https://github.com/ada/m3eval"' not in _card(client.get("/").text, "2606.05009")  # a card is one link



def test_tex_link_commands_read_as_their_words_on_the_page_and_the_card(client, db):
    abstract = "Code at \\href{https://github.com/ada/m4}{our repository}. See https://ada.io/m4}{ada.io/m4 for more."
    add_papers(db, (make_paper("2606.05010", title="Linked by TeX", abstract=abstract, categories=("cs.CL",)), date(2026, 6, 3)))
    html = client.get("/papers/2606.05010").text
    assert 'Code at <a href="https://github.com/ada/m4" rel="nofollow noopener">our repository</a>.' in html
    assert 'See <a href="https://ada.io/m4" rel="nofollow noopener">ada.io/m4</a> for more.' in html
    assert "\\href" not in html and "}{" not in html
    card = _card(client.get("/").text, "2606.05010")
    assert "Code at our repository." in card and "\\href" not in card
