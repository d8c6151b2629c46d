"""The instance-wide text models (tf-idf vocabulary, phrase frequencies) and the community model,
shared through the database.

Jobs refit them (weekly vocabulary, nightly phrases and community model); every process loads the stored
copy and checks its version at most once a minute, so web processes and workers agree without
talking to each other. An instance with no stored vocabulary fits one on first use from a
smaller sample, so a fresh install recommends from its first signal.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from papertide.recs.phrases import PhraseModel
from papertide.recs.text import FIT_SAMPLE, TextLinear, TextModel
from papertide.storage import rec_artifacts as store
from papertide.storage import rec_candidates
from papertide.storage.db import Database

TEXT_MODEL = "text-model"
COMMUNITY_MODEL = "community-model"
PHRASE_MODEL = "phrase-model"
FIRST_USE_SAMPLE = 10_000  # fitted on the request path only once per instance, so keep it quick
RECHECK_SECONDS = 60.0
# What an instance with no papers yet fits its vocabulary on. Any word that is not an English stop
# word: the stop words are dropped before counting, and a corpus of only those has no vocabulary.
NO_PAPERS_TEXT = "papertide"


def _now() -> datetime:
    return datetime.now(UTC)


M = TypeVar("M")


class TextModels:
    """The stored text models, each loaded once per process and re-checked once a minute:
    the vocabulary (:class:`TextModel`, the community classifier's view) and the phrase
    frequencies (:class:`PhraseModel`, readers' profiles)."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[str, Any]] = {}
        self._checked: dict[str, float] = {}

    def text(self) -> tuple[str, TextModel]:
        """(version, model): the stored vocabulary, fitted now if the instance has none yet."""
        return self._get(TEXT_MODEL, TextModel.from_bytes, lambda: self._fit_text(FIRST_USE_SAMPLE))

    def phrases(self) -> tuple[str, PhraseModel]:
        """(version, model): the stored phrase frequencies, counted now (on a sample) if none yet."""
        return self._get(PHRASE_MODEL, PhraseModel.from_bytes, lambda: self._fit_phrases(FIRST_USE_SAMPLE))

    def _get(self, name: str, load: Callable[[bytes], M], fit: Callable[[], tuple[str, M]]) -> tuple[str, M]:
        with self._lock:
            held = self._loaded.get(name)
            if held is not None and self._clock() - self._checked.get(name, -1e18) < RECHECK_SECONDS:
                return held
            self._checked[name] = self._clock()
            with self.db.read() as conn:
                stored = store.version(conn, name)
            if held is not None and stored == held[0]:
                return held
            if stored is None:
                got = fit()
            else:
                with self.db.read() as conn:
                    blob = store.load(conn, name)
                assert blob is not None
                got = (blob[0], load(blob[1]))
            self._loaded[name] = got
            return got

    def has_phrases(self) -> bool:
        with self.db.read() as conn:
            return store.version(conn, PHRASE_MODEL) is not None

    def refit_text(self, sample: int = FIT_SAMPLE) -> str:
        """Fit the vocabulary on a fresh sample of the instance's papers and store it (the job)."""
        got = self._fit_text(sample)
        self._keep(TEXT_MODEL, got)
        return got[0]

    def refit_phrases(self, sample: int | None = None) -> str:
        """Count phrase frequencies over every paper (or a sample) and store them (the job)."""
        got = self._fit_phrases(sample)
        self._keep(PHRASE_MODEL, got)
        return got[0]

    def _keep(self, name: str, got: tuple[str, Any]) -> None:
        with self._lock:
            self._loaded[name] = got
            self._checked[name] = self._clock()

    def _fit_text(self, sample: int) -> tuple[str, TextModel]:
        with self.db.read() as conn:
            texts = rec_candidates.sample_texts(conn, sample)
        model = TextModel.fit(texts or [NO_PAPERS_TEXT])
        return self._save(TEXT_MODEL, model.to_bytes()), model

    def _fit_phrases(self, sample: int | None) -> tuple[str, PhraseModel]:
        with self.db.read() as conn:
            if sample is None:
                model = PhraseModel.fit(rec_candidates.text_batches(conn))
            else:
                model = PhraseModel.fit([([], rec_candidates.sample_texts(conn, sample))], sample=True)
        return self._save(PHRASE_MODEL, model.to_bytes()), model

    def _save(self, name: str, blob: bytes) -> str:
        version = hashlib.sha256(blob).hexdigest()[:16]
        with self.db.write() as conn:
            store.save(conn, name, version, blob, _now())
        return version

    def save_community(self, model: TextLinear, text_version: str) -> None:
        with self.db.write() as conn:
            store.save(conn, COMMUNITY_MODEL, text_version, model.to_bytes(), _now())

    def community(self) -> TextLinear | None:
        """The stored community model, if it was fitted on the current vocabulary."""
        version, _ = self.text()
        with self.db.read() as conn:
            got = store.load(conn, COMMUNITY_MODEL)
        if got is None or got[0] != version:
            return None
        return TextLinear.from_bytes(got[1])
