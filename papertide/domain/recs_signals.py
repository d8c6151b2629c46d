"""Recommendation signals as plain data: what a member's profile is made of, and the input rules
for follows. Pure: no I/O. (What a library import did with each entry is
:mod:`papertide.domain.library_imports`.)

Positives are upvotes, saves (a paper in any of the member's collections), imported library
papers and papers they marked as their own; "not interested" is the one negative. Follows are
matched by their normalised ``value`` and shown by their ``label`` (as typed; an author as papers
name them, "First Last" in letters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from papertide.domain.accounts import InvalidInput
from papertide.domain.arxiv_categories import canonical_category
from papertide.domain.authors import author_key
from papertide.domain.subscriptions import is_arxiv_category
from papertide.domain.tex import detex_name

POSITIVE_KINDS = ("upvote", "save", "library", "mine")
NEGATIVE_KIND = "not_interested"
STORED_KINDS = ("not_interested", "library", "mine")  # kinds kept in rec_signals (the rest live elsewhere)
SOURCES = ("web", "bibtex", "ris", "csl", "csv", "ids", "digest")
FOLLOW_KINDS = ("author", "category", "query")
MAX_FOLLOW_CHARS = 200  # the column width; a longer query is refused, not cut
MAX_FOLLOWS = 500  # per member: a profile, not a bulk store
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})  # "King, Jr." is not "Last, First"


@dataclass(frozen=True, slots=True)
class Signal:
    paper_id: int
    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Follow:
    kind: str
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class ProfileInputs:
    """Everything the model trains on for one member."""

    positives: tuple[Signal, ...]
    negatives: tuple[Signal, ...]
    follows: tuple[Follow, ...]
    paused: bool


def _name_as_papers_carry_it(name: str) -> str:
    """An author name as papers carry it, "First Last" in letters, from a bibliography's spelling.

    Members paste names from their .bib files; a follow matches a paper's author names exactly
    (by :func:`author_key`), so "Lovelace, Ada" or ``G{\\"o}del`` would follow nobody, ever.

    >>> _name_as_papers_carry_it('G{\\\\"o}del, Kurt'), _name_as_papers_carry_it("King, Jr., Martin")
    ('Kurt Gödel', 'Martin King Jr.')
    >>> _name_as_papers_carry_it("Martin Luther King, Jr.")
    'Martin Luther King, Jr.'
    """
    name = detex_name(name)
    parts = [p.strip() for p in name.split(",")]
    if not all(parts) or len(parts) not in (2, 3) or parts[-1].lower() in _NAME_SUFFIXES:
        return name
    last, first = parts[0], parts[-1]
    return " ".join([first, last, *parts[1:-1]])


def normalize_follow(kind: str, raw: str) -> tuple[str, str]:
    """``(value, label)`` of a follow; raises :class:`InvalidInput` with a message for the member.

    >>> normalize_follow("author", "  ADA  Lovelace ")
    ('ada lovelace', 'ADA Lovelace')
    >>> normalize_follow("category", "cs.LG")
    ('cs.LG', 'cs.LG')
    >>> normalize_follow("query", "  graph   neural networks ")
    ('graph neural networks', 'graph neural networks')
    """
    if kind not in FOLLOW_KINDS:
        raise InvalidInput(f"You can follow an author, a category or a search query, not {kind[:20]!r}.")
    label = " ".join((raw or "").split())
    if not label:
        raise InvalidInput(f"Type the {kind} to follow.")
    if len(label) > MAX_FOLLOW_CHARS:
        raise InvalidInput(f"That {kind} is {len(label)} characters long; at most {MAX_FOLLOW_CHARS} can be followed.")
    if kind == "author":
        label = _name_as_papers_carry_it(label)
        return author_key(label), label
    if kind == "category":
        label = canonical_category(label)
        if not is_arxiv_category(label):
            raise InvalidInput(f"Not an arXiv category: {label[:40]!r} (expected e.g. cs.LG or hep-th).")
        return label, label
    return label.casefold(), label
