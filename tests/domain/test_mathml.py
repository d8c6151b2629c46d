"""TeX in titles and abstracts shown as MathML, with everything else escaped (real arXiv titles)."""

import gzip
import json
from pathlib import Path

import pytest

from papertide.domain.mathml import has_math, math_spans, render_tex, split_math, tex_to_text

DEMO = Path(__file__).resolve().parents[2] / "papertide" / "data" / "demo_papers.jsonl.gz"
# Each formula sits in its own box, which scrolls sideways when the formula is wider than the column.
MATH = '<span class="math-scroll"><math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">'


def test_a_superscript_title_becomes_mathml_and_keeps_no_dollar():
    assert render_tex("M$^3$Eval: Multi-Modal Memory Evaluation") == (
        f"M{MATH}<mrow><msup><mi></mi><mn>3</mn></msup></mrow></math></span>Eval: Multi-Modal Memory Evaluation"
    )


@pytest.mark.parametrize("title, text", [
    ("M$^3$Eval: Multi-Modal Memory Evaluation", "M³Eval: Multi-Modal Memory Evaluation"),
    ("DR$^{3}$-Eval: Towards Realistic Deep Research Evaluation", "DR³-Eval: Towards Realistic Deep Research Evaluation"),
    ("$δ$-mem: Efficient Online Memory for Large Language Models", "δ-mem: Efficient Online Memory for Large Language Models"),
    ("Mem-$π$: Adaptive Memory", "Mem-π: Adaptive Memory"),
    ("$D^2$-Monitor: Dynamic Safety Monitoring", "D²-Monitor: Dynamic Safety Monitoring"),
    (r"$\pi$-Bench and $x_{10}$ at 2$\times$ speed, $\sim$25 FPS", "π-Bench and x₁₀ at 2× speed, ~25 FPS"),
    (r"\(K^{th}\) order", "Kth order"),
])
def test_titles_read_as_plain_text_where_no_markup_fits(title, text):
    assert tex_to_text(title) == text


def test_every_demo_title_with_tex_renders_without_a_dollar_sign():
    titles = [json.loads(line)["title"] for line in gzip.open(DEMO, "rt", encoding="utf-8")]
    with_tex = [t for t in titles if "$" in t]
    assert len(with_tex) == 11
    for title in with_tex:
        html = render_tex(title)
        assert "$" not in html and html.count("<math ") == title.count("$") // 2, title
        assert "tex-fallback" not in html, title


def test_prices_and_escaped_dollars_stay_text():
    assert split_math("With $891K spent on environments and an additional $576K on trajectories") == [
        ("With $891K spent on environments and an additional $576K on trajectories", False)
    ]
    assert split_math("costs $5-$10 or \\$3") == [("costs $5-$10 or $3", False)]
    assert split_math(r"at $\sim$25 FPS") == [("at ", False), (r"\sim", True), ("25 FPS", False)]
    assert not has_math("plain title") and not has_math("a $ 5 $ gap") and has_math("$x$")
    assert math_spans("$$a$$ and \\[b\\]") == [(0, 5), (10, 15)]


def test_everything_outside_math_is_escaped():
    assert render_tex('<script>alert("x")</script> & \'q\'') == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"
    )
    assert render_tex(r"we introduce \textbf{Home<Safe>}") == "we introduce Home&lt;Safe&gt;"


def test_markup_smuggled_through_tex_commands_is_neutralised():
    html = render_tex(r"$\text{<script>alert(1)</script>}$ $\href{javascript:alert(1)}{x}$ $\style{color:red}{y}$ "
                      r"$\color{red\" onclick=\"x}{z}$ $a<b \& c$")
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert "style=" not in html and "mathcolor" not in html and "href" not in html
    assert "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;</mtext>" in html
    assert "<mo>&lt;</mo>" in html


def test_unparseable_tex_falls_back_to_its_escaped_source_without_dollars():
    assert render_tex(r"Bad $\frac{1}{$ &lt;") == r'Bad <span class="tex-fallback">\frac{1}{</span> &amp;lt;'
    assert tex_to_text(r"Bad $\frac{1}{$ end") == "Bad 1 end"


def test_text_without_tex_is_returned_as_is():
    assert render_tex("Attention is all you need") == "Attention is all you need"
    assert tex_to_text("Attention & friends") == "Attention & friends"


@pytest.mark.parametrize(("text", "html"), [
    ("Code: https://github.com/a/b.", 'Code: <a href="https://github.com/a/b" rel="nofollow noopener">https://github.com/a/b</a>.'),
    # TeX's \url{…} leaves braces around the address; they are not part of it.
    ("at {https://github.com/nvidia/cosmos} and", 'at {<a href="https://github.com/nvidia/cosmos" rel="nofollow noopener">'
     'https://github.com/nvidia/cosmos</a>} and'),
    ("(see https://a.org/x), or https://en.wikipedia.org/wiki/A_(b)!",
     '(see <a href="https://a.org/x" rel="nofollow noopener">https://a.org/x</a>), or '
     '<a href="https://en.wikipedia.org/wiki/A_(b)" rel="nofollow noopener">https://en.wikipedia.org/wiki/A_(b)</a>!'),
    ('q: http://a.b/c?d=1&e="><script>x</script>', 'q: <a href="http://a.b/c?d=1&amp;e=" rel="nofollow noopener">'
     'http://a.b/c?d=1&amp;e=</a>&#34;&gt;&lt;script&gt;x&lt;/script&gt;'),
    ("javascript:alert(1) and ftp://x.org and https:// alone", "javascript:alert(1) and ftp://x.org and https:// alone"),
])
def test_abstract_addresses_become_links_and_nothing_else_does(text, html):
    assert render_tex(text, links=True) == html
    assert render_tex(text) == render_tex(text, links=False)  # titles and cards: no links


def test_links_sit_beside_math_not_inside_it():
    html = render_tex("M$^3$Eval: data at https://e.com/m3, $x$ later", links=True)
    assert html.startswith("M" + MATH) and html.count("<math") == 2
    assert '<a href="https://e.com/m3" rel="nofollow noopener">https://e.com/m3</a>, ' in html


def test_tex_dashes_and_quotes_read_as_printed_but_addresses_and_flags_keep_theirs():
    text = "The Hamilton--Jacobi flow (pp. 3--7) --- see https://hf.co/a--b; run with --fast and $x--y$."
    assert tex_to_text(text) == "The Hamilton–Jacobi flow (pp. 3–7) — see https://hf.co/a--b; run with --fast and x--y."
    html = render_tex(text, links=True)
    assert "Hamilton–Jacobi" in html and "3–7) — see" in html and "--fast" in html
    assert 'href="https://hf.co/a--b"' in html
    assert render_tex("plain -- spaced") == "plain – spaced"
    assert render_tex("the ``ball construction'' and ``norm inflation\" of $u$").startswith(
        "the “ball construction” and “norm inflation” of <span class=\"math-scroll\"><math")
