"""TeX's link commands in abstracts (forms taken from the shared arXiv corpus), read as their words."""

import pytest

from papertide.domain.mathml import render_tex, tex_to_text
from papertide.domain.tex_links import Link, link_pieces, url_end


def _a(address: str, words: str) -> str:
    return f'<a href="{address}" rel="nofollow noopener">{words}</a>'


@pytest.mark.parametrize(("text", "pieces"), [
    ("Code: \\url{https://github.com/a/b}.", ["Code: ", Link("https://github.com/a/b", "https://github.com/a/b"), "."]),
    ("at \\href{https://g.io/x}{this https URL}, and", ["at ", Link("https://g.io/x", "https://g.io/x"), ", and"]),
    ("our \\hyperlink{https://p.io/}{project page}.", ["our ", Link("https://p.io/", "project page"), "."]),
    ("in \\href{ https://github.com/x/C/}{ Github}.", ["in ", Link("https://github.com/x/C/", "Github"), "."]),
    ("\\url{https://github.com/p/fm\\_sam}", [Link("https://github.com/p/fm_sam", "https://github.com/p/fm_sam")]),
    # What arXiv's listing leaves of \href{…}{…}: the command and its first brace gone, sometimes the last too.
    ("at https://github.com/nvidia/cosmos}{github.com/nvidia/cosmos and",
     ["at ", Link("https://github.com/nvidia/cosmos", "github.com/nvidia/cosmos"), " and"]),
    ("at https://github.com/zxk688}{https://github.com/zxk688.",
     ["at ", Link("https://github.com/zxk688", "https://github.com/zxk688"), "."]),
    ("at https://g.io/R}{https://g.io/R}. More", ["at ", Link("https://g.io/R", "https://g.io/R"), ". More"]),
    ("no commands {x}{y} \\alpha here", ["no commands {x}{y} \\alpha here"]),
])
def test_link_commands_become_links_with_their_words(text, pieces):
    assert link_pieces(text) == pieces


def test_the_paper_page_links_them_and_cards_and_plain_text_keep_their_words():
    text = "Code at \\href{https://github.com/a/b}{this https URL}; site https://x.io/p}{x.io/p and \\url{arXiv:1805.01245}."
    assert render_tex(text, links=True) == (
        f"Code at {_a('https://github.com/a/b', 'https://github.com/a/b')}; site {_a('https://x.io/p', 'x.io/p')} "
        'and <a href="/papers/1805.01245">arXiv:1805.01245</a>.')  # an arXiv id links to its page here
    assert render_tex(text) == "Code at https://github.com/a/b; site x.io/p and arXiv:1805.01245."
    assert tex_to_text(text) == "Code at https://github.com/a/b; site x.io/p and arXiv:1805.01245."


@pytest.mark.parametrize("text", [
    "\\href{javascript:alert(1)}{click}",
    "\\href{https://e.com/\"onmouseover=\"x}{<b>bold</b>}",
    "\\url{data:text/html,<script>x</script>}",
])
def test_only_web_addresses_become_links_and_everything_stays_escaped(text):
    html = render_tex(text, links=True)
    assert "<b>" not in html and "<script>" not in html and "javascript:" not in html.split("href=")[-1][:20]
    assert 'onmouseover="' not in html
    if "https://" not in text:
        assert "<a " not in html


def test_a_link_beside_math_keeps_both():
    html = render_tex("$O(n)$ time; code \\url{https://g.io/a}.", links=True)
    assert html.startswith('<span class="math-scroll"><math') and html.endswith(_a("https://g.io/a", "https://g.io/a") + ".")


def test_sentence_punctuation_ends_an_address_and_a_balanced_parenthesis_does_not():
    assert url_end("https://a.org/x).") == "https://a.org/x"
    assert url_end("https://en.wikipedia.org/wiki/A_(b)!") == "https://en.wikipedia.org/wiki/A_(b)"


def test_a_cited_arxiv_id_links_to_its_page_here_on_the_paper_page_only():
    text = ("Extends arXiv:2401.00001v2, \\url{arXiv:hep-th/9901001} and arXiv: 2401.00002; "
            "not arXiv:2413.00001 or arXiv:2401.000012.")
    assert render_tex(text, links=True) == (
        'Extends <a href="/papers/2401.00001">arXiv:2401.00001v2</a>, <a href="/papers/hep-th/9901001">arXiv:hep-th/9901001</a>'
        ' and <a href="/papers/2401.00002">arXiv: 2401.00002</a>; not arXiv:2413.00001 or arXiv:2401.000012.')
    assert "<a " not in render_tex(text)  # cards: one link each
    assert render_tex("at https://arxiv.org/abs/2401.00001 here", links=True).count("<a ") == 1  # an address stays one link
