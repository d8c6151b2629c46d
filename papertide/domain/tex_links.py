"""TeX's link commands in abstracts, read as links: ``\\url{…}``, ``\\href{…}{…}``, ``\\hyperlink{…}{…}``.

Pure. Authors point to their code and project pages this way; shown as written they read
``\\href{https://github.com/a/b}{this https URL}`` (arXiv's listing puts "this https URL" where
the link's words were an address). arXiv's listing also leaves a mangled ``\\href`` in some
abstracts — the command and its first brace gone, ``https://github.com/a/b}{github.com/a/b`` —
which is read the same way. An address that is not http(s) keeps its words and is never a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A web address runs to whitespace or a character URLs do not hold unescaped (TeX's braces and
# backslashes end it: ``\url{https://…}``); sentence punctuation after it is cut by url_end.
ADDRESS = r"https?://[^\s<>\"'{}|\\^`]+"
# One pattern, so the commands and the leftovers are found in the order they stand.
_LINKS = re.compile(
    r"\\url\s*\{(?P<url>[^{}]*)\}"
    r"|\\(?:href|hyperlink)\s*\{(?P<address>[^{}]*)\}\s*\{(?P<words>[^{}]*)\}"
    rf"|(?P<left>{ADDRESS})\}}\{{(?P<left_words>[^\s{{}}]*)(?P<close>\}})?",
    re.IGNORECASE,
)
_ADDRESS_AS_WORDS = re.compile(r"this https? URL", re.IGNORECASE)  # arXiv's stand-in for an address
_TEX_ESCAPE = re.compile(r"\\([_%#&~$])")  # \_ in an address is TeX's way of writing _
_CLOSERS = ".,;:!?)]"  # sentence punctuation that ends a run of address characters


@dataclass(frozen=True, slots=True)
class Link:
    address: str
    words: str

    @property
    def is_web(self) -> bool:
        return self.address.lower().startswith(("http://", "https://")) and len(self.address) > len("https://")


def url_end(url: str) -> str:
    """``url`` without the sentence punctuation after it; a balanced parenthesis belongs to it (Wikipedia's style)."""
    while url and url[-1] in _CLOSERS:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def link_pieces(text: str) -> list[str | Link]:
    """``text`` cut into plain runs and the links its TeX names, in order; plain runs keep every other character.

    >>> link_pieces("Code: \\\\href{https://g.com/a}{this https URL}.")
    ['Code: ', Link(address='https://g.com/a', words='https://g.com/a'), '.']
    """
    if "\\" not in text and "}{" not in text:  # most abstracts: neither a command nor a leftover
        return [text]
    out: list[str | Link] = []
    pos = 0
    for m in _LINKS.finditer(text):
        end = m.end()
        if m["url"] is not None:
            address = words = m["url"]
        elif m["address"] is not None:
            address, words = m["address"], m["words"]
        else:
            address, words = m["left"], m["left_words"]
            if m["close"] is None:  # arXiv ate the closing brace: the words end where the sentence does
                words = url_end(words)
                end = m.start("left_words") + len(words)
        address, words = _untex(address), _untex(words)
        if not words or _ADDRESS_AS_WORDS.fullmatch(words):
            words = address
        if m.start() > pos:
            out.append(text[pos:m.start()])
        out.append(Link(address, words))
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    return out


def _untex(s: str) -> str:
    return _TEX_ESCAPE.sub(r"\1", s).strip()
