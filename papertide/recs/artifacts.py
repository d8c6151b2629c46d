"""The instance-wide text model (tf-idf vocabulary) and community model, shared through the database.

A job refits them (weekly vocabulary, daily community model); every process loads the stored
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

from papertide.recs.text import FIT_SAMPLE, TextLinear, TextModel
from papertide.storage import rec_artifacts as store
from papertide.storage import rec_candidates
from papertide.storage.db import Database

TEXT_MODEL = "text-model"
COMMUNITY_MODEL = "community-model"
FIRST_USE_SAMPLE = 10_000  # fitted on the request path only once per instance, so keep it quick
RECHECK_SECONDS = 60.0


def _now() -> datetime:
    return datetime.now(UTC)


class TextModels:
    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._text: tuple[str, TextModel] | None = None
        self._checked = -1e18

    def text(self) -> tuple[str, TextModel]:
        """(version, model): the stored vocabulary, fitted now if the instance has none yet."""
        with self._lock:
            if self._text is not None and self._clock() - self._checked < RECHECK_SECONDS:
                return self._text
            self._checked = self._clock()
            with self.db.read() as conn:
                stored = store.version(conn, TEXT_MODEL)
            if self._text is not None and stored == self._text[0]:
                return self._text
            if stored is None:
                self._text = self._fit_and_save(FIRST_USE_SAMPLE)
            else:
                with self.db.read() as conn:
                    got = store.load(conn, TEXT_MODEL)
                assert got is not None
                self._text = (got[0], TextModel.from_bytes(got[1]))
            return self._text

    def refit_text(self, sample: int = FIT_SAMPLE) -> str:
        """Fit the vocabulary on a fresh sample of the instance's papers and store it (the job)."""
        version, model = self._fit_and_save(sample)
        with self._lock:
            self._text = (version, model)
            self._checked = self._clock()
        return version

    def _fit_and_save(self, sample: int) -> tuple[str, TextModel]:
        with self.db.read() as conn:
            texts = rec_candidates.sample_texts(conn, sample)
        model = TextModel.fit(texts or ["empty"])
        blob = model.to_bytes()
        version = hashlib.sha256(blob).hexdigest()[:16]
        with self.db.write() as conn:
            store.save(conn, TEXT_MODEL, version, blob, _now())
        return version, model

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
