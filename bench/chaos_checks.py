"""The invariants bench/chaos_bench.py checks after killing processes under load.

Each check returns (ok, lines): a verdict and what it saw. Job runs are read from an audit
table that a trigger on ``jobs`` fills (installed by :func:`install_job_audit`, in the bench's
throwaway database only): every claim and every recorded finish, with the worker that held the
claim, so no run can slip between two polls.
"""

from __future__ import annotations

import collections
import email.utils
from email.message import EmailMessage

import sqlalchemy as sa

from bench.chaos_load import Beliefs, Stats
from papertide.storage import votes as votes_store
from papertide.storage.db import Database

Check = tuple[bool, list[str]]
PROCESS_SCOPED_JOBS = {"search.refresh"}  # run in every process without a claim; nothing to check
KILL_MARGIN_SECONDS = 1.0  # a connection error this long after a restarted process answered still counts as its kill

JOB_AUDIT = """
CREATE TABLE bench_job_audit (
    id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), event text NOT NULL,
    name text NOT NULL, slot_start timestamptz, worker text, outcome text
);
CREATE FUNCTION bench_job_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.claimed_by IS NOT NULL AND NEW.claimed_by IS DISTINCT FROM OLD.claimed_by THEN
        INSERT INTO bench_job_audit (event, name, slot_start, worker) VALUES ('claim', NEW.name, NEW.slot_start, NEW.claimed_by);
    END IF;
    IF NEW.last_finished_at IS DISTINCT FROM OLD.last_finished_at THEN
        INSERT INTO bench_job_audit (event, name, slot_start, worker, outcome)
        VALUES ('finish', NEW.name, NEW.slot_start, NEW.claimed_by, NEW.last_outcome);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER bench_job_audit AFTER UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION bench_job_audit();
"""


def install_job_audit(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(JOB_AUDIT)


def worker_pid(worker_id: str | None) -> int | None:
    """JobRunner worker ids are ``host:pid:random``."""
    parts = (worker_id or "").split(":")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def check_jobs(db: Database, killed_pids: set[int]) -> Check:
    """No slot of a job ran to an end twice, and a slot was claimed again only after its claimant was killed."""
    with db.read() as conn:
        rows = conn.execute(sa.text("SELECT event, name, slot_start, worker, outcome FROM bench_job_audit ORDER BY id")).all()
    claims: dict[tuple[str, object], list[str]] = collections.defaultdict(list)
    ends: collections.Counter[tuple[str, object]] = collections.Counter()
    for event, name, slot, worker, outcome in rows:
        if name in PROCESS_SCOPED_JOBS:
            continue
        if event == "claim":
            claims[(name, slot)].append(worker)
        elif outcome in ("succeeded", "failed") and worker is not None:
            ends[(name, slot)] += 1
    bad = [f"{n} slot {s}: ran to an end {c} times" for (n, s), c in ends.items() if c > 1]
    reclaimed = 0
    for (name, slot), workers in claims.items():
        for earlier in workers[:-1]:
            reclaimed += 1
            if worker_pid(earlier) not in killed_pids:
                bad.append(f"{name} slot {slot}: claimed again after {earlier}, which was not killed")
    by_job = collections.Counter(n for n, _ in claims)
    lines = [f"{len(claims)} job slots claimed ({dict(sorted(by_job.items()))}), {sum(ends.values())} runs ended, "
             f"{reclaimed} slots claimed again after their claimant was killed", *bad]
    return not bad, lines


def check_votes(db: Database, beliefs: Beliefs, user_ids: list[int], vote_papers: list[str]) -> Check:
    """Every paper's count = baseline + votes its voters believe they hold = baseline + vote rows; rows = beliefs."""
    with db.read() as conn:
        id_of = dict(conn.execute(sa.text("SELECT arxiv_id, id FROM papers")).all())
        totals = votes_store.vote_totals(conn, [id_of[a] for a in vote_papers])
        rows = set(conn.execute(sa.text("SELECT user_id, paper_id FROM upvotes")).all())
    believed = {(user_ids[v], id_of[a]) for (v, a), voted in beliefs.votes.items() if voted}
    ours = {r for r in rows if r[0] in set(user_ids)}
    lines, ok = [], beliefs.unanswered_votes == 0 and ours == believed
    for a in vote_papers:
        stored, baseline, n_rows = totals[id_of[a]]
        net = sum(1 for (_, aid), v in beliefs.votes.items() if aid == a and v)
        ok &= stored == baseline + net == baseline + n_rows
        lines.append(f"{a}: upvotes {stored} = baseline {baseline} + believed votes {net} (rows {n_rows})")
    lines.insert(0, f"{len(beliefs.votes)} (voter, paper) states; vote rows equal beliefs: {ours == believed}; "
                    f"votes never answered: {beliefs.unanswered_votes}")
    return ok, lines


def check_comments(db: Database, beliefs: Beliefs) -> Check:
    """Acknowledged comments exist exactly once; those whose answer was lost at most once."""
    with db.read() as conn:
        q = sa.text("SELECT body FROM comments WHERE body LIKE 'chaos-comment %'")
        bodies = collections.Counter(b for (b,) in conn.execute(q))
    lost = [b for b in beliefs.comments_acked if bodies[b] != 1]
    doubled = [b for b in beliefs.comments_unknown if bodies[b] > 1]
    strangers = set(bodies) - set(beliefs.comments_acked) - set(beliefs.comments_unknown)
    ok = not (lost or doubled or strangers)
    return ok, [f"{len(beliefs.comments_acked)} acknowledged, all stored once: {not lost}; {len(beliefs.comments_unknown)} "
                f"unanswered, of which stored: {sum(bodies[b] for b in beliefs.comments_unknown)}; unexpected: {len(strangers)}"]


def check_digests(db: Database, messages: list[EmailMessage], subscribers: list[str]) -> Check:
    """Every subscriber got their digest; a second copy only of the same message (same Message-ID)."""
    with db.read() as conn:
        outbox = conn.execute(sa.text("SELECT recipient, message_id, status FROM outbox WHERE kind = 'digest'")).all()
    expected_id = {r: m for r, m, _ in outbox}
    by_rcpt: dict[str, list[str]] = collections.defaultdict(list)
    for msg in messages:
        by_rcpt[email.utils.parseaddr(str(msg["To"]))[1].lower()].append(str(msg["Message-ID"]))
    statuses = collections.Counter(s for _, _, s in outbox)
    missing = [a for a in subscribers if not by_rcpt.get(a.lower())]
    mixed = [a for a, ids in by_rcpt.items() if len(set(ids)) > 1 or expected_id.get(a) not in set(ids)]
    dups = {a: len(ids) for a, ids in by_rcpt.items() if len(ids) > 1}
    ok = not missing and not mixed and statuses == collections.Counter({"sent": len(subscribers)})
    lines = [f"{len(subscribers)} subscribers due; outbox {dict(statuses)}; {len(messages)} messages received; "
             f"missing {len(missing)}; recipients with a second copy {len(dups)} (same Message-ID: {not mixed})"]
    lines += [f"  missing: {a}" for a in missing[:5]] + [f"  different Message-IDs: {a}" for a in mixed[:5]]
    return ok, lines


def check_http(stats: Stats, down_windows: dict[int, list[tuple[float, float]]]) -> Check:
    """No 5xx at all; connection errors only on a killed process's port while it was down."""
    fivexx = {k: sum(n for s, n in c.items() if s >= 500) for k, c in stats.statuses.items()}
    stray = [(kind, port, err) for kind, port, t, err in stats.conn_errors
             if not any(a <= t <= b + KILL_MARGIN_SECONDS for a, b in down_windows.get(port, []))]
    ok = sum(fivexx.values()) == 0 and not stray
    return ok, [f"5xx responses: {sum(fivexx.values())} {fivexx if sum(fivexx.values()) else ''}; connection errors "
                f"{len(stats.conn_errors)}, outside a kill window: {len(stray)} {stray[:5] if stray else ''}"]
