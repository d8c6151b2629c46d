"""Offline evaluation of "For you": users with likes, their candidates, ranked by the live recommender.

The users file has one user per line (``id``, ``kind`` author|community, ``likes``, optional
``like_weights``, and ``window`` for author users or ``candidate_ids`` + ``day`` for community
users; ``targets`` when it is to be scored). Candidates follow the rules of the development set:
an author user's are the papers published in its window (exact dates only); a community user's
are the new-style arXiv ids in its range — dates are not used there because they mean different
things by source.

Loading a corpus strips from every candidate what would give the answer away — authors, the
HF fields and HF source tags — so the ranking sees a candidate's title, abstract, categories and
id only. Likes keep all their fields.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from papertide.domain import recs as R
from papertide.domain.papers import InvalidArxivId, normalize_arxiv_id
from papertide.recs.ranking import COMMUNITY_BLEND, COMMUNITY_HALF_LIFE_DAYS, PERSONAL_BLEND, Profile, Recommender
from papertide.recs.text import TextLinear
from papertide.storage import rec_candidates as store
from papertide.storage.recs import paper_ids_by_arxiv

HF_FIELDS = ("hf_date", "upvotes", "num_comments", "github_repo", "hf_keywords")
BACKGROUND_PAPERS = 4_000  # history papers loaded beside likes and candidates (negatives)
KS = (10, 20, 50)
_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}$")


def norm_id(raw: str) -> str:
    """The versionless id of any spelling the site accepts; anything else is compared as written."""
    try:
        return normalize_arxiv_id(raw)
    except InvalidArxivId:
        return raw.strip()


@dataclass(frozen=True)
class EvalUser:
    id: str
    kind: str  # 'author' | 'community'
    likes: tuple[str, ...]
    like_weights: tuple[float, ...]
    window: tuple[date, date] | None = None
    id_range: tuple[str, str] | None = None
    day: date | None = None
    targets: frozenset[str] = field(default_factory=frozenset)

    def history_cutoff(self) -> date:
        """The day after which nothing may be known: window start, or a week before the day."""
        if self.window is not None:
            return self.window[0]
        assert self.day is not None
        return self.day - timedelta(days=7)


class UsersFileError(ValueError):
    pass


def read_users(path: Path) -> list[EvalUser]:
    out: list[EvalUser] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                out.append(_user(raw))
            except (ValueError, KeyError, TypeError) as exc:
                raise UsersFileError(f"{path}:{n}: not a user record ({exc})") from exc
    return out


def _user(raw: dict[str, Any]) -> EvalUser:
    kind = raw["kind"]
    likes = tuple(norm_id(x) for x in raw["likes"])
    weights = tuple(float(w) for w in raw.get("like_weights") or [0.0] * len(likes))
    targets = frozenset(norm_id(x) for x in raw.get("targets") or ())
    if kind == "author":
        lo, hi = raw["window"]
        return EvalUser(str(raw["id"]), kind, likes, weights, window=(date.fromisoformat(lo), date.fromisoformat(hi)),
                        targets=targets)
    if kind == "community":
        lo, hi = raw["candidate_ids"]
        return EvalUser(str(raw["id"]), kind, likes, weights, id_range=(lo, hi), day=date.fromisoformat(raw["day"]),
                        targets=targets)
    raise ValueError(f"unknown kind {kind!r}")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True)
class CandidateRules:
    """The distinct date windows and id ranges of a users file (363 users share 64 of them)."""

    windows: frozenset[tuple[str, str]]
    id_ranges: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, users: Sequence[EvalUser]) -> CandidateRules:
        return cls(frozenset((u.window[0].isoformat(), u.window[1].isoformat()) for u in users if u.window),
                   frozenset(u.id_range for u in users if u.id_range))

    def admit(self, record: dict[str, Any]) -> bool:
        published = record.get("published") or ""
        if not record.get("published_approx") and any(lo <= published <= hi for lo, hi in self.windows):
            return True
        aid = norm_id(record["arxiv_id"])
        return bool(_NEW_ID.match(aid)) and any(lo <= aid <= hi for lo, hi in self.id_ranges)


def strip_candidate(record: dict[str, Any]) -> dict[str, Any]:
    """A candidate as the recommender may see it: no authors, no HF fields, no HF source tags."""
    out = {k: v for k, v in record.items() if k not in HF_FIELDS}
    out["authors"] = []
    out["sources"] = [s for s in record.get("sources", []) if not s.startswith("hf")] or ["eval"]
    return out


def eval_records(users: Sequence[EvalUser], corpus: Sequence[Path], hf: Sequence[Path], seed: int = 0) -> list[dict[str, Any]]:
    """Every record the evaluation needs: likes whole, candidates stripped, a background sample."""
    likes = {a for u in users for a in u.likes}
    rules = CandidateRules.of(users)
    cutoff = min(u.history_cutoff() for u in users).isoformat()
    start = (min(u.history_cutoff() for u in users) - timedelta(days=365)).isoformat()
    chosen: dict[str, dict[str, Any]] = {}
    history: list[dict[str, Any]] = []
    for path in corpus:
        for r in _read_jsonl(path):
            aid = norm_id(r["arxiv_id"])
            if aid in likes:
                chosen[aid] = r
            elif rules.admit(r):
                chosen[aid] = strip_candidate(r)
            elif start <= (r.get("published") or "") < cutoff and r.get("abstract"):
                history.append(r)
    for path in hf:
        for r in _read_jsonl(path):
            aid = norm_id(r["arxiv_id"])
            if aid in likes and aid not in chosen:
                chosen[aid] = r
    rng = random.Random(seed)
    for r in rng.sample(history, min(BACKGROUND_PAPERS, len(history))):
        chosen.setdefault(norm_id(r["arxiv_id"]), r)
    return list(chosen.values())


def like_weight(upvotes: float) -> float:
    return 1.0 + math.log1p(max(0.0, upvotes))


# ------------------------------------------------------------------ scoring


def user_metrics(targets: Iterable[str], ranked: Sequence[str]) -> dict[str, float]:
    """recall@k, nDCG@k (binary gains) and MRR of one ranked list."""
    t = set(targets)
    hits = [1 if a in t else 0 for a in ranked]
    out: dict[str, float] = {}
    for k in KS:
        top = hits[:k]
        out[f"recall@{k}"] = sum(top) / len(t) if t else 0.0
        dcg = sum(h / math.log2(i + 2) for i, h in enumerate(top))
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(t), k)))
        out[f"nDCG@{k}"] = dcg / ideal if ideal else 0.0
    out["MRR"] = next((1.0 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
    return out


def aggregate(per_user: Sequence[tuple[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Macro averages per user kind, and overall = the mean of the kinds."""
    kinds: dict[str, list[dict[str, float]]] = {}
    for kind, m in per_user:
        kinds.setdefault(kind, []).append(m)
    out: dict[str, dict[str, float]] = {}
    for kind, ms in kinds.items():
        out[kind] = {"n": float(len(ms)), **{k: sum(m[k] for m in ms) / len(ms) for k in ms[0]}}
    if out:
        names = [k for k in next(iter(out.values())) if k != "n"]
        out["overall"] = {"n": sum(v["n"] for v in out.values()),
                          **{k: sum(v[k] for v in out.values()) / len(out) for k in names}}
    return out


# ------------------------------------------------------------------ running


@dataclass
class Timings:
    profile_s: float = 0.0
    scoring_s: float = 0.0
    pools_s: float = 0.0
    users: int = 0


def run(recommender: Recommender, users: Sequence[EvalUser], likes_limit: int | None = None, depth: int = 100,
        progress: Callable[[int], None] | None = None, timings: Timings | None = None,
        personal_blend: R.Blend = PERSONAL_BLEND) -> Iterator[tuple[EvalUser, list[str]]]:
    """Rank each user's candidates with the live recommender; yields (user, ranked arXiv ids).

    An author user is a reader (the personal blend); a community user is the community's day
    list (its text classifier and freshness), as curators see it on "Suggested for today".
    """
    timings = timings if timings is not None else Timings()
    linear_cache: dict[tuple[str, ...], TextLinear | None] = {}
    with recommender.db.read() as conn:
        rows = paper_ids_by_arxiv(conn, sorted({a for u in users for a in u.likes}))
    for u in users:
        t0 = time.perf_counter()
        cutoff = u.history_cutoff()
        likes = [a for a in u.likes if a in rows][: likes_limit or None]
        given = dict(zip(u.likes, u.like_weights, strict=False))
        with recommender.db.read() as conn:
            published = store.published_dates(conn, [rows[a] for a in likes])
            if u.window is not None:
                candidates = store.published_between(conn, u.window[0], u.window[1], exact_dates_only=True)
            else:
                assert u.id_range is not None
                candidates = store.ids_between(conn, *u.id_range)
        liked = tuple(
            R.Liked(rows[a], "like", float((cutoff - (published.get(rows[a]) or cutoff)).days),
                    like_weight(given.get(a, 0.0)) if u.kind == "community" else 1.0)
            for a in likes
        )
        profile = Profile(liked=liked)
        model = linear = None
        if u.kind == "community":
            blend = COMMUNITY_BLEND
            key = tuple(likes)
            if key not in linear_cache:
                with recommender.db.read() as conn:
                    bg = store.background_sample(conn, before=cutoff, after=cutoff - timedelta(days=365),
                                                 size=BACKGROUND_PAPERS, unlisted=True)
                linear_cache[key] = recommender.train_linear(profile, bg, half_life_days=COMMUNITY_HALF_LIFE_DAYS)
            linear = linear_cache[key]
        else:
            blend = personal_blend
            model = recommender.train(profile)
        t1 = time.perf_counter()
        pool = recommender.pool(candidates, with_authors=False)
        t2 = time.perf_counter()
        ranked = recommender.rank(model, pool, blend, limit=depth, linear=linear, explain=False)
        t3 = time.perf_counter()
        timings.profile_s += t1 - t0
        timings.pools_s += t2 - t1
        timings.scoring_s += t3 - t2
        timings.users += 1
        if progress:
            progress(1)
        yield u, [r.arxiv_id for r in ranked]
