"""Scheduled jobs as data: the declaration type, schedules, slots and what a job's status says.

A schedule divides time into *slots*. An ``Every(seconds)`` schedule's slots start at whole
multiples of its interval since 1970-01-01 UTC (so every worker, whenever it started,
computes the same boundaries); a ``Cron`` schedule's slots start at its fire times, in UTC.
A job runs at most once per slot, as early in the slot as a worker gets to it: a worker
that starts mid-slot runs a slot nobody has run yet, and a worker that was busy or down
for several slots runs once, for the current one (missed slots are coalesced).

The trigger arithmetic (interval anchoring, crontab parsing and next-fire search) is
APScheduler's ``IntervalTrigger`` / ``CronTrigger``; everything here is pure: no database,
no threads started, no clock read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any, Literal

from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# slot_at looks this far back for the newest fire time, widening step by step: a few
# trigger evaluations for any interval, and bounded work for a cron that rarely fires.
LOOKBACK = tuple(
    timedelta(**kw) for kw in ({"seconds": 1}, {"minutes": 1}, {"hours": 1}, {"days": 1}, {"days": 8}, {"days": 32},
                                {"days": 367})
)
_MICROSECOND = timedelta(microseconds=1)

Scope = Literal["cluster", "process"]
# How far a run has got: (done so far, total when known). A job declared with
# ``reports_progress`` gets one as its second argument and calls it as it goes.
Progress = Callable[[int, int | None], None]


def no_progress(done: int, total: int | None) -> None:
    """A ``progress`` that is not shown: the default for a job function called as ``run(stop)``."""
Outcome = Literal["succeeded", "failed", "interrupted"]
OUTCOMES: tuple[Outcome, ...] = ("succeeded", "failed", "interrupted")


@dataclass(frozen=True, slots=True)
class Every:
    """Slots of ``seconds``, aligned to the Unix epoch (``Every(3600)`` starts on the hour, UTC)."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"an interval must be positive, not {self.seconds!r} s")

    def __str__(self) -> str:
        s = self.seconds
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if s >= size and s % size == 0:
                return f"every {int(s // size)} {unit}"
        return f"every {s:g} s"


@dataclass(frozen=True, slots=True)
class Cron:
    """Slots starting at a crontab expression's fire times, in UTC (``Cron("30 1 * * *")``), by crontab(5)'s rules."""

    expr: str

    def __post_init__(self) -> None:
        fields = self.expr.split()
        # APScheduler 3 numbers weekdays from Monday = 0, crontab from Sunday = 0 (its
        # from_crontab warns of it): a number there would silently shift the day, so we
        # accept names only (mon-fri, sun).
        if len(fields) == 5 and any(c.isdigit() for c in fields[4]):
            raise ValueError(f"cron {self.expr!r}: write the day of week as names (mon-fri, sun), not numbers")
        # A bad expression fails at declaration (start-up), not at the first tick; so does one
        # naming no real date (31 April), which would otherwise leave its job silently idle.
        if _first_at_or_after(self, EPOCH) is None:
            raise ValueError(f"cron {self.expr!r} never fires: no date matches it")

    def __str__(self) -> str:
        return f"cron {self.expr} (UTC)"


Schedule = Every | Cron


class JobFailed(RuntimeError):
    """A run that failed for a reason it can state (GitHub unreachable, a source down).

    The runner records the message and logs it in one line: a traceback is for our bugs,
    not for the outside world being away.
    """


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled job, declared beside its domain (``email/jobs.py``, …).

    ``run`` receives the runner's stop event. A ``stoppable`` job watches it and returns
    early when it is set; the run is then recorded as interrupted and its slot released,
    so the rest of the work is done by the next worker to look (our long jobs commit in
    batches and resume). ``scope="process"`` jobs keep per-process state current (an
    in-memory index): they run in every runner once per slot, without a claim.

    A job that can take long on a big instance is declared ``reports_progress``: ``run`` is then
    called as ``run(stop, progress)`` and calls ``progress(done, total)`` as it goes, which the
    runner logs now and then and ``papertide jobs run`` shows as a bar. Others get ``run(stop)``.
    """

    name: str
    schedule: Schedule
    run: Callable[..., object]  # run(stop) or, with reports_progress, run(stop, progress)
    enabled: bool = True
    stoppable: bool = False
    scope: Scope = "cluster"
    description: str = ""
    reports_progress: bool = False


@dataclass(frozen=True, slots=True)
class JobRecord:
    """What the ``jobs`` table holds about one job: its claim and its last run."""

    name: str
    slot_start: datetime | None = None
    slot_done: bool = False
    claimed_by: str | None = None
    lease_until: datetime | None = None
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_duration_seconds: float | None = None
    last_outcome: Outcome | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    claimed_at: datetime | None = None  # when the claim was taken: the start of the run in progress


@dataclass(frozen=True, slots=True)
class JobRun:
    """One run, as the runner returns it."""

    name: str
    slot: datetime | None  # None: run by hand, outside the schedule
    outcome: Outcome
    started_at: datetime
    duration_seconds: float
    error: str | None = None
    summary: str | None = None  # what the job said it did (result_summary of what it returned)


@dataclass(frozen=True, slots=True)
class JobStatus:
    """A job as the admin page and ``papertide jobs status`` show it."""

    name: str
    description: str
    schedule: str
    enabled: bool
    scope: Scope
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_duration_seconds: float | None
    last_outcome: Outcome | None
    last_error: str | None
    last_error_at: datetime | None
    running_by: str | None  # the worker holding a live claim, if one is running it now
    next_run: datetime | None  # None when disabled; at or before now when it is due
    running_since: datetime | None = None  # when the run in progress started (with running_by)
    lease_until: datetime | None = None  # when its claim lapses unless the worker renews it

    def running_note(self, now: datetime) -> str:
        """What status shows of a run in progress, "running on host:pid since 09:12 UTC (35 min)"; "" when none.

        A hung job renews its lease for ever: how long it has run is what tells it apart."""
        if self.running_by is None:
            return ""
        if self.running_since is None:  # a claim from before the column existed
            return f"running on {self.running_by}"
        since = self.running_since.astimezone(UTC)
        return f"running on {self.running_by} since {since:%H:%M} UTC ({span(now - since)})"


@lru_cache(maxsize=256)
def _trigger(schedule: Schedule) -> Any:
    if isinstance(schedule, Every):
        return IntervalTrigger(seconds=schedule.seconds, start_date=EPOCH, timezone=UTC)
    fields = schedule.expr.split()
    if len(fields) == 5 and not fields[2].startswith("*") and not fields[4].startswith("*"):
        # crontab(5) fires when *either* restricted day field matches ("0 6 1 * mon": the 1st and
        # every Monday); APScheduler requires both. Each half as its own trigger, the earlier wins.
        minute, hour, day, month, weekday = fields
        return OrTrigger([CronTrigger.from_crontab(f"{minute} {hour} {day} {month} *", timezone=UTC),
                          CronTrigger.from_crontab(f"{minute} {hour} * {month} {weekday}", timezone=UTC)])
    return CronTrigger.from_crontab(schedule.expr, timezone=UTC)


def _first_at_or_after(schedule: Schedule, t: datetime) -> datetime | None:
    # With no previous fire time both triggers return their first fire time >= t, computed
    # from the anchor, so every caller gets the identical value for the same slot.
    fire: datetime | None = _trigger(schedule).get_next_fire_time(None, t)
    return fire


def slot_at(schedule: Schedule, now: datetime) -> datetime | None:
    """The start of the slot holding ``now``: the newest fire time at or before it.

    >>> slot_at(Every(3600), datetime(2026, 6, 4, 9, 30, tzinfo=UTC))
    datetime.datetime(2026, 6, 4, 9, 0, tzinfo=datetime.timezone.utc)
    """
    for back in LOOKBACK:
        fire = _first_at_or_after(schedule, now - back)
        if fire is None or fire > now:
            continue
        while (later := _first_at_or_after(schedule, fire + _MICROSECOND)) is not None and later <= now:
            fire = later
        return fire
    return None


def next_after(schedule: Schedule, now: datetime) -> datetime | None:
    """The start of the next slot, strictly after ``now``."""
    return _first_at_or_after(schedule, now + _MICROSECOND)


def is_free(record: JobRecord | None, now: datetime) -> bool:
    """Nobody holds a live claim on the job."""
    return record is None or record.claimed_by is None or record.lease_until is None or record.lease_until < now


def slot_is_open(record: JobRecord | None, slot: datetime) -> bool:
    """``slot`` has not run yet (or its run was interrupted and released).

    The same rule as the claim's ``WHERE`` in storage/jobs.py, which is the authority;
    this copy only lets status say "due now".
    """
    if record is None or record.slot_start is None:
        return True
    return record.slot_start < slot or (record.slot_start == slot and not record.slot_done)


def span(elapsed: timedelta) -> str:
    """A running time in the unit a person reads at a glance: "35 min", "5 h 10 min", "3 d 4 h"."""
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def result_summary(result: object) -> str | None:
    """What a job's return value says it did, for ``papertide jobs run``; None when it says nothing readable.

    A value with a ``summary()`` method gives that; a dataclass report (``RefreshReport``,
    ``ThumbnailRun``, ``DrainReport``) its fields, counts as they are (a 0 is news: "asked 0")
    and lists as their length, leaving out empty text, empty lists, None and nested objects;
    a list gives each item's summary. A bare number or flag means nothing without its job.
    """
    summary = getattr(result, "summary", None)
    if callable(summary):
        return str(summary())
    if isinstance(result, list | tuple):
        parts = [result_summary(item) for item in result]
        return "; ".join(p for p in parts if p) or None
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        return None
    shown = []
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, list | tuple):
            value = len(value) or None
        if isinstance(value, float):
            value = f"{value:.2f}"
        if isinstance(value, bool | int | str | date) and value != "":
            shown.append(f"{f.name.replace('_', ' ')} {value}")
    return ", ".join(shown) or None


def job_status(job: Job, record: JobRecord | None, now: datetime, ran_slot: datetime | None = None) -> JobStatus:
    """``job`` as status shows it; ``ran_slot``: the last slot this process ran (process-scoped jobs)."""
    r = record or JobRecord(job.name)
    running = None if is_free(record, now) else r.claimed_by
    next_run = None
    if job.enabled:
        slot = slot_at(job.schedule, now)
        due = slot is not None and (
            (ran_slot != slot) if job.scope == "process" else (running is None and slot_is_open(record, slot))
        )
        next_run = slot if due else next_after(job.schedule, now)
    return JobStatus(
        job.name, job.description, str(job.schedule), job.enabled, job.scope, r.last_started_at, r.last_finished_at,
        r.last_duration_seconds, r.last_outcome, r.last_error, r.last_error_at, running, next_run,
        r.claimed_at if running else None, r.lease_until if running else None,
    )
