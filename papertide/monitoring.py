"""Is this process ready to serve, and what the database says about the work queued in it.

``Monitoring.readiness()`` backs ``/readyz``: the database answers, its schema is the one
this code expects (neither behind nor ahead), and search can answer (its keyword index is
open and its vectors are loaded into this process). It is cheap after the first call, which
loads the vectors, so a load balancer can poll it every few seconds.

``DatabaseCollector`` is a Prometheus collector that reads, at scrape time, the gauges that
describe shared state rather than one process: outbox depth and the age of its oldest
waiting message, each ingest source's time since its last successful run, and each job's
last run as the ``jobs`` table records it (whichever worker ran it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric

from papertide.search.service import SearchService
from papertide.storage import ingest_runs, outbox
from papertide.storage import jobs as jobs_store
from papertide.storage.db import Database, error_text, unreachable_reason
from papertide.storage.migrate import schema_state
from papertide.telemetry.logs import Throttle

log = logging.getLogger(__name__)

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


@dataclass(frozen=True)
class Readiness:
    """Each check's verdict: "ok" or what is wrong."""

    checks: dict[str, str] = field(default_factory=dict)
    failed: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.failed

    def as_json(self) -> dict[str, object]:
        return {"ready": self.ready, "checks": self.checks, "not_ready": list(self.failed)}


class Monitoring:
    """Readiness checks and the database collector over one database and search service."""

    def __init__(self, db: Database, search: SearchService) -> None:
        self.db = db
        self.search = search

    def readiness(self) -> Readiness:
        checks: dict[str, str] = {}
        failed: list[str] = []
        try:
            self.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            # The driver's reason, without SQLAlchemy's SQL echo and "Background on this error" link.
            checks["database"] = f"unreachable: {error_text(exc)}"
            # Nothing else can be checked without it.
            checks["schema"] = checks["search"] = "not checked (database unreachable)"
            return Readiness(checks, ("database", "schema", "search"))
        state = schema_state(self.db)
        checks["schema"] = "ok" if state.current else state.message()
        if not state.current:
            failed.append("schema")
            checks["search"] = "not checked (schema not current)"
            failed.append("search")
            return Readiness(checks, tuple(failed))
        try:
            checks["search"] = "ok: " + self.search.readiness()
        except Exception as exc:
            log.exception("readiness: search is not usable")
            checks["search"] = f"not usable: {error_text(exc)}"
            failed.append("search")
        return Readiness(checks, tuple(failed))

    def collector(self) -> DatabaseCollector:
        return DatabaseCollector(self.db)



class DatabaseCollector:
    """Prometheus gauges read from the database when scraped (one short read transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # While the database is down, a scrape (every 15 s or so) says so in the log once a minute:
        # papertide_database_up=0 is the signal, the log line only the reason.
        self._outage = Throttle()

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("papertide_database_up", "1 when the scrape could read the database, else 0.")
        t0 = time.perf_counter()
        try:
            families = self._read(datetime.now(UTC))
        except Exception as exc:
            self._log_failure(exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        took = GaugeMetricFamily("papertide_database_scrape_seconds", "Time the scrape spent reading the database.")
        took.add_metric([], time.perf_counter() - t0)
        yield took

    def _log_failure(self, exc: Exception) -> None:
        """A database that cannot be reached in one line, at most once a minute (like the pages'
        503s); any other failure, a bug in our statements, with its traceback every time."""
        reason = unreachable_reason(exc)
        if reason is None:
            log.warning("metrics: could not read the database", exc_info=exc)
            return
        if self._outage.due():
            log.warning("metrics: the database is unreachable (%s); papertide_database_up is 0", reason)

    def _read(self, now: datetime) -> list[Metric]:
        with self.db.read() as conn:
            counts = outbox.counts(conn)
            oldest = outbox.oldest_outstanding_at(conn)
            ingested = ingest_runs.last_succeeded_at(conn)
            jobs = jobs_store.records(conn)
        depth = GaugeMetricFamily("papertide_outbox_messages", "Messages in the outbox, by status.", labels=["status"])
        for status in OUTBOX_STATUSES:
            depth.add_metric([status], counts.get(status, 0))
        age = GaugeMetricFamily(
            "papertide_outbox_oldest_pending_age_seconds",
            "Age of the oldest message still waiting for a sender (pending or sending); 0 when none.",
        )
        age.add_metric([], 0 if oldest is None else max(0.0, (now - oldest).total_seconds()))
        lag = GaugeMetricFamily(
            "papertide_ingest_seconds_since_success", "Seconds since each source's last successful ingest run ended.",
            labels=["source"],
        )
        last = GaugeMetricFamily(
            "papertide_ingest_last_success_timestamp_seconds", "When each source's last successful ingest run ended.",
            labels=["source"],
        )
        for source, at in sorted(ingested.items()):
            lag.add_metric([source], max(0.0, (now - at).total_seconds()))
            last.add_metric([source], at.timestamp())
        job_end = GaugeMetricFamily(
            "papertide_job_last_finished_timestamp_seconds",
            "When each job's last run ended, in any process (the jobs table).", labels=["job"],
        )
        job_failed = GaugeMetricFamily(
            "papertide_job_last_run_failed", "1 when each job's last run, in any process, failed.", labels=["job"],
        )
        for name, rec in sorted(jobs.items()):
            if rec.last_finished_at is not None:
                job_end.add_metric([name], rec.last_finished_at.timestamp())
                job_failed.add_metric([name], 1 if rec.last_outcome == "failed" else 0)
        return [depth, age, lag, last, job_end, job_failed]
