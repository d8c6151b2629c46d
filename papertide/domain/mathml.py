"""TeX math in titles and abstracts, shown as MathML (``M$^3$Eval`` → M³Eval), everything else escaped.

Pure. arXiv metadata keeps math as TeX between ``$…$``, ``$$…$$`` or ``\\(…\\)``;
browsers render MathML Core natively, so we convert on the server (latex2mathml) and need
no script — the site's CSP stays ``script-src 'self'``.

Where a span starts and ends follows pandoc's rule for ``$``: the opening ``$`` has a
non-space right after it, the closing one a non-space right before it and no digit right
after it, unless the span starts like TeX (``$\\sim$25``). That keeps prices
("$891K spent … an additional $576K", "$5-$10") as text.

latex2mathml passes ``\\text{<b>}``, ``\\href`` and ``\\style`` through as markup and
attributes, so we never use its string output: we walk its element tree, keep only
MathML elements and presentation attributes, and serialise that ourselves (ElementTree
escapes text and attribute values). A span it cannot parse is shown as its escaped
source in a ``tex-fallback`` span — never with its dollar signs.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from xml.etree import ElementTree as ET

from latex2mathml.converter import convert_to_element

from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.tex_links import ADDRESS, link_pieces, url_end

MATH_CACHE_SIZE = 4096  # distinct math spans kept converted (titles repeat on every list render)

# MathML elements we pass through; anything else latex2mathml makes becomes an <mrow>.
_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt",
    "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
    "menclose", "mmultiscripts", "mprescripts", "none",
})
# Presentation attributes only: no href, style, colour or event handler survives.
_ATTRIBUTES = frozenset({
    "xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "movablelimits", "columnalign", "rowalign", "rowspacing", "columnspacing", "columnlines",
    "rowlines", "frame", "displaystyle", "scriptlevel", "linethickness", "minsize", "maxsize", "symmetric",
    "largeop", "form", "width", "height", "depth", "notation", "mathsize",
})
_DELIMS = (("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]"))


def _escape(text: str) -> str:
    # Jinja's (markupsafe's) spelling, so our output and autoescaped text read the same. Chained
    # replace() rather than str.translate: translate with a mapping runs ~15x slower (~150 us for
    # a 1,800-character abstract on the paper page; bench/RESULTS.md "Foundation").
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace(
        "'", "&#39;")


def split_math(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_math)``; math pieces are the TeX inside the delimiters.

    ``\\$`` outside math is a literal dollar.

    >>> split_math("M$^3$Eval costs \\\\$5 and $5")
    [('M', False), ('^3', True), ('Eval costs $5 and $5', False)]
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end, inner in _scan(text):
        if start > pos:
            out.append((text[pos:start].replace("\\$", "$"), False))
        out.append((inner, True))
        pos = end
    if pos < len(text):
        out.append((text[pos:].replace("\\$", "$"), False))
    return out


def math_spans(text: str) -> list[tuple[int, int]]:
    r"""``(start, end)`` of each math span in ``text``, delimiters included.

    >>> math_spans("a $x$ b \\(y\\)")
    [(2, 5), (8, 13)]
    """
    return [(start, end) for start, end, _ in _scan(text)]


# Where a span may open (an escaped dollar is matched too, so that it is skipped as a whole).
_CANDIDATE = re.compile(r"\\\$|\$|\\\(|\\\[")


def _scan(text: str) -> list[tuple[int, int, str]]:
    # Jumps from candidate to candidate with a regex: abstracts run to ~2,000 characters and
    # fifty of them are scanned per list page, so a loop over every character costs milliseconds.
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for m in _CANDIDATE.finditer(text):
        i = m.start()
        if i < pos or m.group() == "\\$":
            continue
        span = _math_at(text, i)
        if span is not None:
            spans.append((i, span[1], span[0]))
            pos = span[1]
    return spans


def _math_at(text: str, i: int) -> tuple[str, int] | None:
    """The math span starting at ``i`` as ``(inner TeX, index after it)``, or None."""
    for open_, close in _DELIMS:
        if text.startswith(open_, i):
            end = text.find(close, i + len(open_))
            inner = text[i + len(open_):end]
            return (inner.strip(), end + len(close)) if end > 0 and inner.strip() else None
    if text[i] != "$" or i + 1 >= len(text) or text[i + 1].isspace():
        return None
    j = i + 1
    while True:
        j = text.find("$", j)
        if j < 0:
            return None
        # A digit after the closing $ marks a price range ("$5-$10") unless the span starts
        # like TeX ("$\\sim$25", common in abstracts).
        price = text[j + 1:j + 2].isdigit() and text[i + 1].isdigit()
        closes = not text[j - 1].isspace() and text[j - 1] != "\\" and not price
        if closes:
            return text[i + 1:j], j + 1
        j += 1


def has_math(text: str) -> bool:
    """Whether ``text`` holds a math span (a cheap test first: most titles have no ``$`` or ``\\``)."""
    return ("$" in text or "\\(" in text or "\\[" in text) and any(m for _, m in split_math(text))


def _nothing_to_convert(text: str) -> bool:
    """Whether ``text`` holds nothing to convert: no math, TeX command, dash or quote (most titles)."""
    return "$" not in text and "\\" not in text and "}{" not in text and "--" not in text and "``" not in text


def render_tex(text: str, links: bool = False) -> str:
    """HTML for ``text``: its math spans as MathML, the rest escaped; with ``links``, the web
    addresses in the text are links (abstracts name their code and project pages).

    >>> render_tex("a < b")
    'a &lt; b'
    >>> render_tex("M$^3$Eval")[:65]
    'M<span class="math-scroll"><math xmlns="http://www.w3.org/1998/Ma'
    >>> render_tex("Code: https://github.com/a/b.", links=True)
    'Code: <a href="https://github.com/a/b" rel="nofollow noopener">https://github.com/a/b</a>.'
    """
    plain = _linked if links else _escape
    if _nothing_to_convert(text):
        return plain(text)
    return "".join(_mathml(piece) if is_math else _text_html(_plain_text_mode(piece), links)
                   for piece, is_math in split_math(text))


def _text_html(text: str, links: bool) -> str:
    """Text outside math: escaped, TeX's link commands read as their words (links on the paper page)."""
    plain = _linked if links else _escape
    out = []
    for piece in link_pieces(text):
        if isinstance(piece, str):
            out.append(plain(piece))
        elif links and piece.is_web:
            out.append(_web_link(piece.address, piece.words))
        else:
            out.append(plain(piece.words))  # \url{arXiv:2401.00001} still links the paper on the paper page
    return "".join(out)


# Web addresses, and a paper the abstract cites as "arXiv:2401.00001", which links to its page
# here (that page offers arXiv and a fetch when the paper is not held).
_LINKABLE = re.compile(
    rf"(?P<url>{ADDRESS})"
    r"|\barXiv:\s?(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)(?!\d)",
    re.IGNORECASE,
)


def _linked(text: str) -> str:
    """``text`` escaped, with each http(s) address a link (nofollow: the words are the authors')
    and each ``arXiv:ID`` a link to that paper's page here."""
    lower = text.lower()
    if "http" not in lower and "arxiv:" not in lower:
        return _escape(text)
    out, pos = [], 0
    for m in _LINKABLE.finditer(text):
        if m["id"] is not None:
            try:
                paper = parse_arxiv_id(m["id"]).id
            except InvalidArxivId:
                continue  # an impossible month or version: left as text
            link = f'<a href="/papers/{_escape(paper)}">{_escape(m.group())}</a>'
            end = m.end()
        else:
            url = url_end(m["url"])
            if len(url) <= len("https://"):
                continue
            link = _web_link(url, url)
            end = m.start() + len(url)
        out += [_escape(text[pos:m.start()]), link]
        pos = end
    out.append(_escape(text[pos:]))
    return "".join(out)


def _web_link(address: str, words: str) -> str:
    # nofollow: the words and addresses are the authors', not ours to vouch for.
    return f'<a href="{_escape(address)}" rel="nofollow noopener">{_escape(words)}</a>'


def tex_to_text(text: str) -> str:
    """A plain-text reading of ``text`` for places that hold no markup (``<title>``, feeds).

    >>> tex_to_text("M$^3$Eval: $\\\\pi$-Bench at 2$\\\\times$ speed")
    'M³Eval: π-Bench at 2× speed'
    """
    if _nothing_to_convert(text):
        return text
    return "".join(_plain_math(piece) if is_math else _plain_words(_plain_text_mode(piece))
                   for piece, is_math in split_math(text))


def _plain_words(text: str) -> str:
    return "".join(p if isinstance(p, str) else p.words for p in link_pieces(text))


def _plain_text_mode(text: str) -> str:
    # Text-mode emphasis (\textbf{HomeSafe-Bench}) keeps its words and loses the command.
    return _typography(_TEXT_STYLE.sub(r"\1", text) if "\\" in text else text)


# TeX's dashes and quotes, shown as it prints them: "Hamilton--Jacobi" and "pages 3--7" with an en
# dash, a spaced "---" as an em dash, ``quoted'' (or ``quoted", a common slip) in curly quotes.
# Addresses keep their dashes, and so does a command line's "--flag". Only on the way to the page:
# stored text stays as arXiv sent it, so no vector goes stale.
_DASHES = re.compile(r"(\S*://\S*)|(?<=[^\W_])--(?=[^\W_])|(?<=\s)(---?)(?=\s)")
_QUOTED = re.compile(r"``([^`'\"\n]{0,300})(?:''|\")")


def _typography(text: str) -> str:
    r"""
    >>> _typography("Hamilton--Jacobi, pages 3--7 --- see https://x.org/a--b or --help")
    'Hamilton–Jacobi, pages 3–7 — see https://x.org/a--b or --help'
    >>> _typography('the ``ball method\'\' and ``norm inflation" and a lone ``')
    'the “ball method” and “norm inflation” and a lone “'
    """
    if "--" in text:
        text = _DASHES.sub(lambda m: m.group(1) or ("—" if m.group(2) == "---" else "–"), text)
    if "``" in text:
        text = _QUOTED.sub(r"“\1”", text).replace("``", "“")
    return text


@lru_cache(maxsize=MATH_CACHE_SIZE)
def _mathml(tex: str) -> str:
    try:
        root = convert_to_element(tex, display="inline")
    except Exception:  # latex2mathml raises many types on bad input; we show the source instead
        return f'<span class="tex-fallback">{_escape(tex)}</span>'
    _sanitise(root)
    # MathML cannot wrap inside a formula, so a long one would widen a phone's page; the wrapper
    # (styled by the .math-scroll class, since the CSP allows no inline style) scrolls it in its own box.
    return f'<span class="math-scroll">{ET.tostring(root, encoding="unicode", short_empty_elements=False)}</span>'


def _sanitise(el: ET.Element) -> None:
    if el.tag not in _ELEMENTS:
        el.tag = "mrow"
    for name in [a for a in el.attrib if a not in _ATTRIBUTES]:
        del el.attrib[name]
    # latex2mathml leaves character references (&#x003C;) in text for its own serialiser;
    # we resolve them so ElementTree escapes the characters exactly once.
    if el.text:
        el.text = html.unescape(el.text)
    if el.tail:
        el.tail = html.unescape(el.tail)
    for child in el:
        _sanitise(child)


_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUPER_CHARS, _SUB_CHARS = frozenset("0123456789+-=()n"), frozenset("0123456789+-=()")
_SYMBOLS = {
    "times": "×", "sim": "~", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "pm": "±",
    "cdot": "·", "infty": "∞", "to": "→", "rightarrow": "→", "neq": "≠", "ell": "ℓ", "circ": "°",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω",
}
_TEXT_STYLE = re.compile(r"\\(?:textbf|textit|textsc|texttt|emph|underline)\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*")
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(\S))")


# TeX's named operators print as their names ("\\log n" is "log n"); any other command without a
# symbol above is markup (\\mathcal, \\left) and goes.
_OPERATORS = frozenset({
    "arccos", "arcsin", "arctan", "arg", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "dim", "exp", "gcd",
    "hom", "inf", "ker", "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min", "Pr", "sec", "sin", "sinh",
    "sup", "tan", "tanh",
})


def _command_text(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in _OPERATORS:  # the space TeX puts after an operator, where one was typed
        return name + (" " if m.group(0) != "\\" + name else "")
    return _SYMBOLS.get(name, "")


def _plain_math(tex: str) -> str:
    r"""
    >>> _plain_math(r"\mathcal{O}(n \log n)"), _plain_math(r"\exp(-x) + \max(a, b)")
    ('O(n log n)', 'exp(-x) + max(a, b)')
    """
    s = _COMMAND.sub(_command_text, tex)

    def script(m: re.Match[str]) -> str:
        body = m.group(2) if m.group(2) is not None else m.group(3)
        raised = m.group(1) == "^"
        chars, table = (_SUPER_CHARS, _SUPERSCRIPTS) if raised else (_SUB_CHARS, _SUBSCRIPTS)
        # Raised or lowered only when every character has such a form; otherwise inline.
        return body.translate(table) if body and all(ch in chars for ch in body) else body

    s = _SCRIPT.sub(script, s)
    return s.replace("{", "").replace("}", "")
