"""Digest selection and delivery policy: which papers a subscriber gets, and when to retry.

Pure. The composer loads candidates (papers new in the period, plus the trending list)
and the set of papers the subscriber already received, and :func:`select_digest` decides.

Selection rules (pinned by tests/email/test_selection.py):

- sections: "Trending" first (when chosen), then one section per topic in the order the
  subscriber listed them: categories, keywords, authors;
- a topic matches a paper by arXiv category, by a keyword as whole words in the title,
  abstract or HF keywords (case and accents folded, CJK by character: domain/keywords.py),
  or by author name (case-insensitive);
- within a section papers are ordered by upvotes, then newer date, then arXiv id;
- a paper appears once per digest (the first section that wants it keeps it) and never
  in two digests to the same subscriber (``already_sent``);
- the cap is shared round-robin over sections so every topic gets a turn before any
  section gets its second paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from papertide.domain.keywords import normalize_text
from papertide.domain.subscriptions import Preferences

TopicKind = Literal["trending", "category", "keyword", "author", "for_you"]

# Days of new papers a digest considers, up to the data's current UTC day. Each reaches back to the
# UTC day of the digest before it, which lists go on growing after that digest went out: a weekly
# one to the same weekday a week earlier (8), a daily one, which skips the weekend, from Monday back
# to Friday (4; with 3, Friday's papers listed after Friday's digest were never sent).
LOOKBACK_DAYS = {"daily": 4, "weekly": 8}
# A paper known by its submission day alone (harvested over OAI-PMH, on no daily list) reaches us
# days after that day: arXiv announces Sunday to Thursday evenings, New York time, so Thursday
# evening's and Friday's submissions (UTC) arrive on Monday and Tuesday, and a digest composed
# before that day's harvest (Kolkata's, at 01:30 UTC) has them a day later still. Such papers
# count as new for this many days more, or the weekend's would be in no daily digest at all.
ANNOUNCEMENT_LAG_DAYS = 3
# The sent-paper log keeps a paper out of a subscriber's later digests, which matters only while
# the paper can still be a candidate: new (LOOKBACK_DAYS plus the lag) or on the trending list
# (its window, up to a year). Every digest reads its subscriber's whole log, so retention.prune
# drops rows of papers past that (see sent_log_keep_days).
SENT_LOG_MIN_KEEP_DAYS = 90
RETRY_BASE_SECONDS = 60.0
RETRY_MAX_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A paper as a digest needs it (a snapshot: the message shows these values)."""

    arxiv_id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    upvotes: int = 0
    day: date | None = None  # listing day, else published
    keywords: tuple[str, ...] = ()
    listed: bool = False  # ``day`` is a daily list's day, not the submission day

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (-self.upvotes, -(self.day.toordinal() if self.day else 0), self.arxiv_id)


def new_since(frequency: str, last: date, listed: bool) -> date:
    """The first day on which a paper counts as new for a ``frequency`` digest whose data ends on ``last``:
    by its listing day when ``listed``, else by its submission day, which arXiv announces later.

    >>> new_since("daily", date(2026, 6, 9), listed=True), new_since("daily", date(2026, 6, 9), listed=False)
    (datetime.date(2026, 6, 6), datetime.date(2026, 6, 3))
    """
    days = LOOKBACK_DAYS[frequency] + (0 if listed else ANNOUNCEMENT_LAG_DAYS)
    return last - timedelta(days=days - 1)


def is_new(paper: Candidate, frequency: str, last: date) -> bool:
    """Whether ``paper`` belongs in the pool of a ``frequency`` digest whose data ends on ``last``."""
    return paper.day is None or new_since(frequency, last, paper.listed) <= paper.day <= last


@dataclass(frozen=True, slots=True)
class Topic:
    kind: TopicKind
    value: str = ""

    @property
    def why(self) -> str:
        """The "why you got this" line of a section."""
        if self.kind == "trending":
            return "Most upvoted recently on this site — you chose trending papers."
        if self.kind == "category":
            return f"New in {self.value}, a category you follow."
        if self.kind == "keyword":
            return f"Title or abstract mentions “{self.value}”, a keyword you follow."
        if self.kind == "for_you":
            return "Ranked for you from your upvotes, saves, imports and follows on this site."
        return f"By {self.value}, an author you follow."

    @property
    def heading(self) -> str:
        return {"trending": "Trending", "category": self.value, "keyword": f"“{self.value}”",
                "for_you": "For you"}.get(self.kind, self.value)


@dataclass(frozen=True, slots=True)
class Section:
    topic: Topic
    papers: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    sections: tuple[Section, ...] = field(default=())

    @property
    def papers(self) -> tuple[Candidate, ...]:
        return tuple(p for s in self.sections for p in s.papers)

    @property
    def is_empty(self) -> bool:
        return not any(s.papers for s in self.sections)


def topics_of(prefs: Preferences) -> tuple[Topic, ...]:
    """The sections a subscriber's preferences ask for, in display order."""
    return (
        *((Topic("trending"),) if prefs.trending else ()),
        *(Topic("category", c) for c in prefs.categories),
        *(Topic("keyword", k) for k in prefs.keywords),
        *(Topic("author", a) for a in prefs.authors),
    )


def matches(topic: Topic, paper: Candidate) -> bool:
    """Whether ``paper`` belongs in ``topic``'s section (trending is decided elsewhere).

    >>> matches(Topic("keyword", "Diffusion"), Candidate("1", "Latent diffusion models"))
    True
    >>> matches(Topic("keyword", "diff"), Candidate("1", "Latent diffusion models"))
    False
    """
    if topic.kind == "category":
        return topic.value in paper.categories
    if topic.kind == "author":
        want = " ".join(topic.value.lower().split())
        return any(" ".join(a.lower().split()) == want for a in paper.authors)
    if topic.kind == "keyword":
        needle = normalize_text(topic.value)
        if needle.strip() == "":
            return False
        hay = normalize_text(f"{paper.title} {paper.abstract} {' '.join(paper.keywords)}")
        return needle in hay
    return False


class CandidatePool:
    """The period's new papers, indexed once so thousands of subscribers select quickly.

    Pure (no I/O); it memoises each topic's ranked matches, since many subscribers share
    topics. Build one per composing run.
    """

    def __init__(self, papers: Iterable[Candidate]) -> None:
        self.papers = tuple(sorted(papers, key=lambda p: p.sort_key))
        self.by_id = {p.arxiv_id: p for p in self.papers}
        self._by_category: dict[str, list[Candidate]] = {}
        self._by_author: dict[str, list[Candidate]] = {}
        self._text: dict[str, str] = {}
        self._words: dict[str, list[int]] | None = None  # word → positions in self.papers (built on demand)
        for p in self.papers:  # already in ranked order, so every list below is too
            for c in dict.fromkeys(p.categories):
                self._by_category.setdefault(c, []).append(p)
            for a in dict.fromkeys(" ".join(a.lower().split()) for a in p.authors):
                self._by_author.setdefault(a, []).append(p)
        self._cache: dict[Topic, tuple[Candidate, ...]] = {}

    def ranked(self, topic: Topic) -> tuple[Candidate, ...]:
        """Papers matching ``topic``, best first."""
        hit = self._cache.get(topic)
        if hit is not None:
            return hit
        if topic.kind == "category":
            found = tuple(self._by_category.get(topic.value, ()))
        elif topic.kind == "author":
            found = tuple(self._by_author.get(" ".join(topic.value.lower().split()), ()))
        elif topic.kind == "keyword":
            found = self._keyword(normalize_text(topic.value))
        else:
            found = ()
        self._cache[topic] = found
        return found

    def _keyword(self, needle: str) -> tuple[Candidate, ...]:
        # An inverted index narrows the scan to papers holding every word of the keyword;
        # the phrase check then keeps only those with the words adjacent and in order.
        words = needle.split()
        if not words:
            return ()
        if self._words is None:
            self._words = {}
            for i, p in enumerate(self.papers):
                for w in set(self._haystack(p).split()):
                    self._words.setdefault(w, []).append(i)
        postings = sorted((self._words.get(w, []) for w in set(words)), key=len)
        hits = set(postings[0]).intersection(*postings[1:]) if len(postings) > 1 else postings[0]
        return tuple(self.papers[i] for i in sorted(hits) if len(words) == 1 or needle in self._haystack(self.papers[i]))

    def _haystack(self, p: Candidate) -> str:
        text = self._text.get(p.arxiv_id)
        if text is None:
            text = self._text[p.arxiv_id] = normalize_text(f"{p.title} {p.abstract} {' '.join(p.keywords)}")
        return text


def select_digest(
    prefs: Preferences,
    pool: CandidatePool,
    trending: Sequence[Candidate] = (),
    already_sent: frozenset[str] | set[str] = frozenset(),
) -> Digest:
    """Choose the papers of one digest (see the module docstring for the rules).

    ``trending`` is the site's trending list, best first.
    """
    topics = topics_of(prefs)
    queues = [tuple(trending) if t.kind == "trending" else pool.ranked(t) for t in topics]
    chosen: list[list[Candidate]] = [[] for _ in topics]
    taken: set[str] = set()
    cursors = [0] * len(topics)
    total = 0
    progressed = True
    while total < prefs.max_papers and progressed:
        progressed = False
        for i, queue in enumerate(queues):
            if total >= prefs.max_papers:
                break
            # Skip lazily: a topic's list may hold thousands of papers and we need a few.
            while cursors[i] < len(queue) and (
                queue[cursors[i]].arxiv_id in taken or queue[cursors[i]].arxiv_id in already_sent
            ):
                cursors[i] += 1
            if cursors[i] < len(queue):
                paper = queue[cursors[i]]
                cursors[i] += 1
                chosen[i].append(paper)
                taken.add(paper.arxiv_id)
                total += 1
                progressed = True
    return Digest(tuple(Section(t, tuple(ps)) for t, ps in zip(topics, chosen, strict=True) if ps))


def select_for_you(
    ranked: Sequence[tuple[str, float]],
    pool: CandidatePool,
    already_sent: frozenset[str] | set[str],
    size: int,
    min_score: float,
) -> tuple[Candidate, ...]:
    """A member's "For you" papers: from ``ranked`` (arXiv id, score; best first), those scoring at
    least ``min_score`` that are in the period's pool and not sent before, at most ``size``.

    Scores are sums of z-scores over the window, so the floor keeps a quiet day's section short
    or absent rather than filling it with the least bad papers.

    >>> pool = CandidatePool([Candidate("1", "A"), Candidate("2", "B"), Candidate("3", "C")])
    >>> [p.arxiv_id for p in select_for_you([("3", 4.0), ("1", 2.0), ("2", 1.0)], pool, {"1"}, 5, 1.5)]
    ['3']
    """
    out: list[Candidate] = []
    for arxiv_id, score in ranked:
        if len(out) >= size or score < min_score:
            break
        paper = pool.by_id.get(arxiv_id)
        if paper is not None and arxiv_id not in already_sent:
            out.append(paper)
    return tuple(out)


def with_for_you(digest: Digest, picks: Sequence[Candidate]) -> Digest:
    """``digest`` with a "For you" section first (when there are picks)."""
    if not picks:
        return digest
    return Digest((Section(Topic("for_you"), tuple(picks)), *digest.sections))


def retry_delay(attempts: int, base: float = RETRY_BASE_SECONDS, cap: float = RETRY_MAX_SECONDS) -> float:
    """Seconds to wait before try number ``attempts + 1`` after ``attempts`` failed: exponential, capped.

    >>> [retry_delay(n, 60, 3600) for n in (1, 2, 3, 7, 8)]
    [60.0, 120.0, 240.0, 3600.0, 3600.0]
    """
    if attempts < 1:
        return 0.0
    return float(min(cap, base * 2 ** min(attempts - 1, 40)))


def should_give_up(attempts: int, max_attempts: int) -> bool:
    """After ``attempts`` temporary failures, whether the message becomes permanently failed."""
    return attempts >= max_attempts


def sent_log_keep_days(trending_window_days: int) -> int:
    """Days a sent-paper log row is kept: well past the longest a paper stays a digest candidate.

    A trending window that a sparse instance stretched over a gap in its daily lists (Catalog.trending)
    can reach further back still; a paper sent before a gap of months could then be offered again.

    >>> sent_log_keep_days(7), sent_log_keep_days(365)
    (90, 395)
    """
    longest_new = max(LOOKBACK_DAYS.values()) + ANNOUNCEMENT_LAG_DAYS
    return max(SENT_LOG_MIN_KEEP_DAYS, max(trending_window_days, longest_new) + 30)
