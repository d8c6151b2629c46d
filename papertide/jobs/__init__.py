"""One job runner for all periodic work: digests, the outbox, scheduled ingest, search upkeep.

Jobs are declared beside their domain (``email/jobs.py``, ``ingest/jobs.py``,
``search/jobs.py``): a function takes the service objects it needs and returns
:class:`Job` values (name, schedule, callable, enabled flag). ``retention.prune``, which
deletes old rows of several capabilities' tables, is declared here (``jobs/retention.py``).
A :class:`JobRunner` runs
them, in ``papertide worker`` (any number of processes) or in a thread of
``papertide serve --with-worker``, and records each job's last run, duration, error
and next run (``JobRunner.status()``) in the ``jobs`` table.

Why this and not a scheduler library
------------------------------------
We need each job to run once per schedule slot however many workers share the database,
on SQLite and on PostgreSQL, and a status per job. What we evaluated:

- **APScheduler 3.11** (installed): a whole scheduler with a ``SQLAlchemyJobStore``, but its
  own documentation says a persistent job store must not be shared by several schedulers
  (it has no locking; jobs run twice). APScheduler 4 fixes that with a shared data store,
  but it is a pre-release with a changing API.
- **procrastinate**: periodic tasks deduplicated per timestamp by a queueing lock, which is
  exactly the guarantee we want, but it is PostgreSQL only (LISTEN/NOTIFY, PL/pgSQL) and a
  task queue we do not otherwise need.
- **huey**: Redis, SQLite or file storage, no PostgreSQL; periodic tasks are enqueued by a
  single consumer, so two workers need an external lock.

So we use APScheduler for what it does well and is safe everywhere, the schedule maths
(``IntervalTrigger`` anchored at the epoch, ``CronTrigger.from_crontab``: see
domain/jobs.py), and keep the cross-process part ours and small: one row per job and a
compare-and-set ``UPDATE`` that claims a slot with a lease (storage/jobs.py). That is one
statement shape on both backends, adds no service, and keeps status in our own table.
"""

from papertide.domain.jobs import Cron, Every, Job, JobFailed, JobRun, JobStatus, Progress, Schedule
from papertide.jobs.runner import JobRunner

__all__ = ["Cron", "Every", "Job", "JobFailed", "JobRun", "JobRunner", "JobStatus", "Progress", "Schedule"]
