"""Recommendations for people: a member's "For you", and the community's "Suggested for today".

Training happens off the request path — the ``recs.train`` job retrains members whose signals
changed, and signal-changing pages ask for a retrain after their response — except once: a
member with signals but no model yet gets one on first view (it takes milliseconds), so the
page works from the first signal. "Not interested" and follows apply at once, model or not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from papertide.domain import recs as R
from papertide.domain.jobs import Progress, no_progress
from papertide.domain.recs_signals import ProfileInputs
from papertide.recs.ranking import COMMUNITY_BLEND, COMMUNITY_HALF_LIFE_DAYS, PERSONAL_BLEND, Profile, Recommendation, Recommender
from papertide.storage import rec_candidates
from papertide.storage import recs as signals_store
from papertide.storage.db import Database

MODEL_KIND = "rocchio-phrases-1"
COMMUNITY_HISTORY_DAYS = 365
COMMUNITY_BACKGROUND = 8_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ForYou:
    recommendations: list[Recommendation]
    has_signals: bool
    paused: bool
    trained_at: datetime | None


def profile_from(inputs: ProfileInputs, now: datetime) -> Profile:
    liked = tuple(R.Liked(s.paper_id, s.kind, max(0.0, (now - s.at).total_seconds() / 86_400)) for s in inputs.positives)
    return Profile(liked=liked, negatives=tuple(s.paper_id for s in inputs.negatives), follows=inputs.follows)


class PersonalRecommendations:
    def __init__(self, db: Database, recommender: Recommender, clock: Callable[[], datetime] = _utc_now) -> None:
        self.db = db
        self.recommender = recommender
        self.clock = clock

    # ------------------------------------------------------------------ training

    def train_user(self, user_id: int) -> R.UserModel:
        """Retrain one member's model from their current signals and store it."""
        now = self.clock()  # before reading: a signal arriving meanwhile leaves the model stale
        with self.db.read() as conn:
            inputs = signals_store.profile_inputs(conn, user_id)
        model = self.recommender.train(profile_from(inputs, now))
        with self.db.write() as conn:
            signals_store.save_model(conn, user_id, MODEL_KIND, model.to_bytes(), now)
        return model

    def refresh(self, user_id: int) -> bool:
        """Retrain after a signal changed (pages call this after their response); paused members
        keep the model they have, as with the job. True when a model was trained."""
        with self.db.read() as conn:
            if signals_store.profile(conn, user_id).paused:
                return False
        self.train_user(user_id)
        return True

    def train_stale(self, limit: int = 200, stop: Callable[[], bool] = lambda: False,
                    progress: Progress = no_progress) -> int:
        """The job: retrain members whose signals changed since their model (paused ones wait)."""
        with self.db.read() as conn:
            due = signals_store.users_needing_training(conn, limit)
        done = 0
        progress(0, len(due))
        for user_id in due:
            if stop():
                break
            self.train_user(user_id)
            done += 1
            progress(done, len(due))
        return done

    def model_for(self, user_id: int, inputs: ProfileInputs) -> tuple[R.UserModel | None, datetime | None]:
        with self.db.read() as conn:
            stored = signals_store.load_model(conn, user_id)
        version, _ = self.recommender.models.phrases()
        if stored is not None and stored[0] == MODEL_KIND:
            model = R.UserModel.from_bytes(stored[1])
            if model.text_version == version:
                return model, stored[2]
        if not inputs.positives:
            return None, None
        # First view, or the phrase counts were refitted: rebuild now (paused members too — pausing
        # freezes what the model learns from, not whether it works).
        model = self.recommender.train(profile_from(inputs, self.clock()))
        if not inputs.paused:
            with self.db.write() as conn:
                signals_store.save_model(conn, user_id, MODEL_KIND, model.to_bytes(), self.clock())
        return model, self.clock()

    # ------------------------------------------------------------------ ranking

    def for_user(self, user_id: int, since: date, until: date, limit: int = 50, explain: bool = True,
                 candidate_ids: Sequence[int] | None = None) -> ForYou:
        """New papers published in ``[since, until]`` ranked for the member, each with reasons.

        ``candidate_ids`` replaces the window's query when a caller ranks many members over the
        same window (the digest): the ids are looked up once, not per member."""
        with self.db.read() as conn:
            inputs = signals_store.profile_inputs(conn, user_id)
            candidates = list(candidate_ids) if candidate_ids is not None else \
                rec_candidates.published_between(conn, since, until)
        model, trained_at = self.model_for(user_id, inputs)
        has_signals = bool(inputs.positives or inputs.follows)
        if not has_signals:
            return ForYou([], False, inputs.paused, None)
        pool = self.recommender.pool(candidates)
        recs = self.recommender.rank(model, pool, PERSONAL_BLEND, follows=inputs.follows,
                                     negatives=[s.paper_id for s in inputs.negatives], limit=limit, explain=explain)
        return ForYou(recs, True, inputs.paused, trained_at)

    # ------------------------------------------------------------------ the community

    def train_community(self) -> bool:
        """Fit the community model: what was listed in the last year against what was not."""
        today = self.clock().date()
        after = today - timedelta(days=COMMUNITY_HISTORY_DAYS)
        with self.db.read() as conn:
            listed = rec_candidates.listed_papers(conn, before=today + timedelta(days=1), after=after)
            background = rec_candidates.background_sample(conn, before=today, after=after, size=COMMUNITY_BACKGROUND,
                                                          unlisted=True)
        if len(listed) < 20 or len(background) < 20:
            return False
        liked = tuple(R.Liked(pid, "like", float((today - day).days), 1.0 + math.log1p(max(0, votes)))
                      for pid, day, votes in listed)
        version, _ = self.recommender.models.text()
        model = self.recommender.train_linear(Profile(liked=liked), background, half_life_days=COMMUNITY_HALF_LIFE_DAYS)
        if model is None:
            return False
        self.recommender.models.save_community(model, version)
        return True

    def suggested_for_today(self, days: int = 7, limit: int = 50, exclude: frozenset[int] = frozenset()) -> list[Recommendation]:
        """The last ``days`` days' new papers ranked by the community model and freshness."""
        linear = self.recommender.models.community()
        if linear is None and self.train_community():
            linear = self.recommender.models.community()
        today = self.clock().date()
        with self.db.read() as conn:
            candidates = rec_candidates.published_between(conn, today - timedelta(days=days), today)
        pool = self.recommender.pool(candidates)
        blend = COMMUNITY_BLEND if linear is not None else R.Blend(text=0.0, category=0.0, recency=1.0)
        return self.recommender.rank(None, pool, blend, linear=linear, limit=limit, negatives=list(exclude), explain=False)

