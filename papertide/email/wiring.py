"""Puts the email services on ``app.state`` and mounts the subscription and digest routes.

``app.state``: ``email_sender`` (the EmailSender the settings pick), ``notices`` (message
building), ``subscriptions`` (SubscriptionService), ``digests`` (DigestComposer),
``outbox_sender`` (OutboxSender) and, with ``PAPERTIDE_WITH_WORKER``, ``digest_worker``.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from papertide.email.composing import DigestComposer
from papertide.email.delivery import OutboxSender
from papertide.email.notices import Notices
from papertide.email.senders import make_sender
from papertide.email.subscribing import SubscriptionService


def install_email(app: FastAPI) -> None:
    from papertide.web.routes import digests as digests_routes
    from papertide.web.routes import subscriptions as subscriptions_routes

    settings, db = app.state.settings, app.state.db
    app.state.email_sender = make_sender(settings)
    app.state.notices = Notices(settings)
    app.state.subscriptions = SubscriptionService(db, settings, app.state.notices)
    app.state.digests = DigestComposer(db, settings, app.state.notices, app.state.catalog)
    app.state.outbox_sender = OutboxSender(db, app.state.email_sender, settings)
    app.include_router(subscriptions_routes.router)
    app.include_router(digests_routes.router)
    if settings.with_worker:
        _attach_worker(app)


def _attach_worker(app: FastAPI) -> None:
    from papertide.worker import DigestWorker

    settings = app.state.settings
    ingest = getattr(app.state, "ingest", None)
    worker = DigestWorker(
        app.state.digests,
        app.state.outbox_sender,
        settings.worker_interval_seconds,
        ingest=ingest.run_daily if ingest is not None else None,
        ingest_every_seconds=settings.ingest_every_hours * 3600,
    )
    app.state.digest_worker = worker
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):  # type: ignore[no-untyped-def]
        worker.start()
        try:
            async with inner(a) as state:
                yield state
        finally:
            worker.stop()

    app.router.lifespan_context = lifespan
