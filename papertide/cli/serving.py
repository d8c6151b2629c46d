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
- Links in email and feeds: without ``PAPERTIDE_BASE_URL`` the base URL is derived from the
  host and port served (config.served_url); a base URL that cannot be right for what we
  serve (another port on this machine) is logged as a warning at start-up.
- Worker start-up on a busy host: uvicorn pings each ``--workers`` process half a second after
  spawning it and kills it as hung when no answer comes within ``timeout_worker_healthcheck``
  (5 s by default). A spawned worker answers only once it has imported papertide (3-4 s of CPU),
  so on a loaded machine, or with more workers than cores starting together, every worker was
  killed and respawned forever. We give them WORKER_HEALTHCHECK_SECONDS.
- Dev mode's secret key is in our source, so on an address other machines can reach the
  signatures on cookies, form tokens and email links protect nothing: start-up says so (once,
  naming the settings) but still serves, since a lab's trusted network is a fair place to try
  papertide out.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import tempfile
from urllib.parse import urlsplit

import uvicorn

from papertide.config import DEV_SECRET, WILDCARD_HOSTS, Settings
from papertide.telemetry.metrics import MULTIPROC_ENV

# Long enough for a worker to import the app on a loaded host; a worker that is really hung is
# still replaced, this much later (it also bounds how long a SIGHUP restart waits for a new one).
WORKER_HEALTHCHECK_SECONDS = 60
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def export_served_address(host: str | None, port: int | None) -> None:
    """Put ``--host``/``--port`` in the environment, where each uvicorn worker's Settings reads them."""
    if host is not None:
        os.environ["PAPERTIDE_HOST"] = host
    if port is not None:
        os.environ["PAPERTIDE_PORT"] = str(port)


def base_url_warning(base_url: str, host: str, port: int) -> str | None:
    """Why ``base_url`` looks wrong for a site served on ``host:port``, or None when it looks right.

    A base URL on this machine must name the served port (behind a proxy the base URL is the
    proxy's public name, which we cannot check). Serving every interface while links name
    the loopback address means readers elsewhere get links they cannot open.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return f"PAPERTIDE_BASE_URL={base_url!r} is not an http(s) URL; links in email and feeds will be broken"
    try:
        linked_port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return f"PAPERTIDE_BASE_URL={base_url!r} has an invalid port"
    if parts.hostname in LOOPBACK_HOSTS and linked_port != port:
        return (f"PAPERTIDE_BASE_URL={base_url} names port {linked_port} on this machine but the site is served on "
                f"port {port}: links in email and feeds will not reach it (set PAPERTIDE_BASE_URL, or leave it "
                "empty to use the served address)")
    if host in WILDCARD_HOSTS and parts.hostname in LOOPBACK_HOSTS:
        return (f"serving every interface ({host or '*'}:{port}) but links in email and feeds point to {base_url}, "
                "which only this machine can open: set PAPERTIDE_BASE_URL to the site's public URL")
    return None


def is_loopback(host: str) -> bool:
    """Only this machine can reach ``host`` (a name other than localhost may resolve to any interface)."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name, or a wildcard such as "" that is no address
        return False


def dev_secret_warning(secret_key: str, host: str, port: int) -> str | None:
    """Why serving on ``host`` with ``secret_key`` is unsafe, or None when it is not the dev secret or only
    this machine can connect."""
    if secret_key != DEV_SECRET or is_loopback(host):
        return None
    return (f"serving {host or '*'}:{port}, which other machines can reach, with the built-in development secret "
            "key, published in papertide's source: the signatures on session cookies, form (CSRF) tokens and email "
            "links (confirm, manage, unsubscribe) protect nothing. Set PAPERTIDE_SECRET_KEY to 32+ random "
            "characters (python3 -c \"import secrets; print(secrets.token_urlsafe(48))\") and "
            "PAPERTIDE_DEV_MODE=false, or serve on 127.0.0.1")


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
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    finally:
        if made_dir:
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(made_dir, ignore_errors=True)
