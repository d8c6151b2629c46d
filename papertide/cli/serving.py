"""How ``papertide serve`` runs uvicorn: one place for the options production depends on.

- Our log handler, not uvicorn's: ``log_config=None`` sends uvicorn's lines through the one
  root handler (text or JSON, papertide.telemetry.logs), and its access log is off because
  the app writes one access line per request with the request id.
- Graceful shutdown: on SIGTERM uvicorn stops accepting, lets in-flight requests finish for
  up to ``PAPERTIDE_SHUTDOWN_GRACE_SECONDS``, then runs the app's lifespan shutdown, which
  stops the in-process job runner (releasing a job that cannot stop in time).
- Metrics across workers: with ``--workers N`` each process is separate, so a scrape would see
  only the one that answered; we point prometheus-client's multiprocess mode at a fresh
  directory (unless ``PROMETHEUS_MULTIPROC_DIR`` is set) so every scrape sums all of them.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import uvicorn

from papertide.config import Settings
from papertide.telemetry.metrics import MULTIPROC_ENV


def serve_with_uvicorn(app_factory: str, settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve the app that the factory at ``module:function`` builds, until SIGTERM or Ctrl-C."""
    made_dir = None
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        # A fresh directory per run: files left by an earlier run would be summed in.
        made_dir = tempfile.mkdtemp(prefix="papertide-metrics-")
        os.environ[MULTIPROC_ENV] = made_dir
    try:
        uvicorn.run(
            app_factory,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        )
    finally:
        if made_dir:
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(made_dir, ignore_errors=True)
