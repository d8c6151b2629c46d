"""Retrain a member's For-you model right after a page changed their signals.

Routes that change a vote, a save, a mark or a follow call :func:`retrain_after`; the training
(milliseconds: one member's Rocchio centroid) runs as a background task after the response is
sent, so the next /for-you already reflects it. The ``recs.train`` job covers every other path
(API votes, imports settled later), and a failure here only leaves the job to do it.
"""

from __future__ import annotations

import logging

from fastapi import BackgroundTasks, Request

from papertide.domain.accounts import User
from papertide.recs.personal import PersonalRecommendations
from papertide.web.deps import services_of

log = logging.getLogger(__name__)


def _retrain(personal: PersonalRecommendations, user_id: int) -> None:
    try:
        personal.refresh(user_id)
    except Exception:  # after the response: nobody to tell, and the recs.train job retries
        log.exception("retraining member %d after a signal change failed", user_id)


def retrain_after(request: Request, background: BackgroundTasks, viewer: User | None) -> None:
    """Schedule the viewer's retraining for after this response (no-op for visitors)."""
    if viewer is not None:
        background.add_task(_retrain, services_of(request).for_you, viewer.id)
