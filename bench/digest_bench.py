"""Email digest benchmark: compose 100,000 personal digests, then measure sending.

    PYTHONPATH=. .venv/bin/python bench/digest_bench.py --source data/bench-digest/papertide.db \\
        --subscribers 100000 --processes 2 --send-seconds 20 --concurrency 4

``--source`` is a SQLite database holding the 241,792-paper corpus (make it once with
``PAPERTIDE_DATA_DIR=data/bench-digest papertide db upgrade`` and
``PAPERTIDE_DATA_DIR=data/bench-digest papertide import ../shared/data/arxiv_corpus.jsonl.gz``);
each run works on a fresh copy of it. Synthetic subscribers have 1–5 topics drawn from the
papers of the digest window (categories by frequency, title words, authors), half want
trending, 85% daily / 15% weekly, caps 5–30; all are due at the benchmark's "now".

``--for-you-share 0.2`` makes that share of subscribers members with signals (1–10 library papers
each, published before the digest window, models trained in setup as the ``recs.train`` job would),
so their digests carry the For-you section; the compose figure then includes ranking them.

Figures printed: setup; compose time and digests/s (the real ``compose_in_processes``:
selection, rendering, outbox + sent-log writes); a baseline measured in the same run on a
sample (one SQL query per topic per subscriber, messages built with the ``email`` package,
one transaction per digest) extrapolated to the same count, and the ratio; then send
throughput to a local SMTP sink (aiosmtpd in its own process) with one connection per
message and one thread, against persistent connections at ``--concurrency``.
"""

from __future__ import annotations

import argparse
import collections
import functools
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from papertide.catalog import Catalog
from papertide.cli.email import _compose_shard
from papertide.config import Settings
from papertide.domain.digests import Candidate, Digest, Section, topics_of
from papertide.domain.subscriptions import Preferences
from papertide.email.composing import DigestComposer, compose_in_processes
from papertide.email.delivery import OutboxSender
from papertide.email.messages import build_message, make_message_id, render_email
from papertide.email.notices import Notices
from papertide.email.senders import SMTPSender
from papertide.recs.artifacts import TextModels
from papertide.recs.personal import PersonalRecommendations
from papertide.recs.ranking import Recommender
from papertide.storage import digests as digests_store
from papertide.storage import outbox as outbox_store
from papertide.storage import subscriptions as subscriptions_store
from papertide.storage.db import Database
from papertide.storage.schema import paper_categories, papers, users
from papertide.storage.tables.recs import rec_signals

NOW = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)  # a Thursday; the corpus' HF listings end that day
STOP = set("a an and are as at be by for from in into is of on or our the to towards using via we with without".split())

SINK = """
import asyncio, sys, time
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1])); c.start()
sys.stdout.write("ready\\n"); sys.stdout.flush()
while True: time.sleep(3600)
"""


def log(msg: str) -> None:
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def synthetic_subscribers(pool: list[Candidate], n: int, seed: int = 7) -> list[tuple[str, Preferences]]:
    rng = random.Random(seed)
    cats = collections.Counter(c for p in pool for c in p.categories)
    words = collections.Counter(
        w for p in pool for w in re.findall(r"[a-z][a-z-]{4,}", p.title.lower()) if w not in STOP
    )
    authors = [a for p in pool for a in p.authors[:3]]
    cat_names, cat_weights = zip(*cats.most_common(80), strict=True)
    keywords = [w for w, _ in words.most_common(400)]
    out = []
    for i in range(n):
        k = rng.randint(1, 5)
        chosen_cats, chosen_kw, chosen_au = [], [], []
        for _ in range(k):
            kind = rng.random()
            if kind < 0.5:
                chosen_cats.append(rng.choices(cat_names, cat_weights)[0])
            elif kind < 0.85:
                chosen_kw.append(rng.choice(keywords))
            else:
                chosen_au.append(rng.choice(authors))
        weekly = rng.random() < 0.15
        prefs = Preferences(
            frequency="weekly" if weekly else "daily", weekday=NOW.weekday(), send_hour=rng.randint(0, 8),
            timezone="UTC", trending=rng.random() < 0.5, categories=tuple(dict.fromkeys(chosen_cats)),
            keywords=tuple(dict.fromkeys(chosen_kw)), authors=tuple(dict.fromkeys(chosen_au)),
            max_papers=rng.randint(5, 30),
        )
        out.append((f"reader{i:06d}@bench.example", prefs))
    return out


def make_members(db: Database, emails: list[str], share: float, before: datetime, seed: int = 11) -> list[int]:
    """Accounts for ``share`` of the subscribers, each with 1–10 library papers from before the window."""
    rng = random.Random(seed)
    chosen = [e for e in emails if rng.random() < share]
    with db.read() as conn:
        older = list(conn.execute(sa.select(papers.c.id).where(papers.c.published < before.date())
                                  .order_by(papers.c.id.desc()).limit(50_000)).scalars())
    with db.write() as conn:
        for i in range(0, len(chosen), 5000):
            conn.execute(sa.insert(users), [{"uuid": f"00000000-0000-4000-8000-{n:012d}", "email": e,
                                             "display_name": f"Reader {n}"} for n, e in enumerate(chosen[i:i + 5000], i)])
        ids = dict(conn.execute(sa.select(users.c.email, users.c.id).where(users.c.email.in_(chosen))).all()) \
            if len(chosen) < 30_000 else dict(conn.execute(sa.select(users.c.email, users.c.id)).all())
        rows = [{"user_id": ids[e], "paper_id": pid, "kind": "library", "source": "bench"}
                for e in chosen for pid in set(rng.sample(older, rng.randint(1, 10)))]
        for i in range(0, len(rows), 20_000):
            conn.execute(sa.insert(rec_signals), rows[i:i + 20_000])
    return [ids[e] for e in chosen]


def naive_compose(db: Database, settings: Settings, notices: Notices, composer: DigestComposer,
                  sample: list[subscriptions_store.SubscriptionRecord]) -> float:
    """Baseline: per subscriber, one SQL query per topic; stdlib email package; one transaction each."""
    last = (composer.catalog.trending_as_of(NOW) - timedelta(microseconds=1)).date()
    trending = composer.trending(NOW)
    started = time.perf_counter()
    for sub in sample:
        first = last - timedelta(days=2 if sub.prefs.frequency == "daily" else 7)
        with db.read() as conn:
            sent = digests_store.sent_ids(conn, [sub.id])[sub.id]
            sections = []
            for t in topics_of(sub.prefs):
                if t.kind == "trending":
                    found = trending
                else:
                    q = sa.select(papers).where(papers.c.published.between(first, last))
                    if t.kind == "category":
                        q = q.join(paper_categories, paper_categories.c.paper_id == papers.c.id).where(
                            paper_categories.c.category == t.value)
                    elif t.kind == "keyword":
                        like = f"%{t.value}%"
                        q = q.where(sa.or_(papers.c.title.ilike(like), papers.c.abstract.ilike(like)))
                    else:
                        q = q.where(sa.cast(papers.c.authors, sa.Text).ilike(f"%{t.value}%"))
                    found = [Candidate(r.arxiv_id, r.title, r.abstract, tuple(r.authors), tuple(r.categories), r.upvotes,
                                       r.published) for r in conn.execute(q.order_by(papers.c.upvotes.desc()).limit(50))]
                picked = tuple(p for p in found if p.arxiv_id not in sent)[: sub.prefs.max_papers // 2 or 1]
                sections.append(Section(t, picked))
        digest = Digest(tuple(sections))
        key = f"naive:{sub.uuid}"
        ctx = notices.digest_context(digest, "d2026-06-04", notices.manage_url(sub), notices.unsubscribe_url(sub))
        msg = build_message(render_email(notices.env, "digest", ctx), sender=settings.email_from, recipient=sub.email,
                            message_id=make_message_id(key, notices.domain), date=NOW)
        raw = msg.as_string()  # the stdlib generator, as a straightforward implementation would
        with db.write() as conn:
            outbox_store.enqueue(conn, [outbox_store.OutboxMessage(key, "naive", sub.email, msg["Message-ID"],
                                                                   msg["Subject"], raw, sub.id)], NOW)
    return time.perf_counter() - started


def send_rate(db: Database, settings: Settings, port: int, seconds: float, concurrency: int, fresh: bool) -> tuple[int, float]:
    sender = SMTPSender("127.0.0.1", port)
    if fresh:  # baseline: a new SMTP connection (connect, EHLO, QUIT) for every message
        plain_send = sender.send

        def send(envelope_from: str, recipient: str, raw: str) -> None:
            plain_send(envelope_from, recipient, raw)
            sender.close()

        sender.send = send  # type: ignore[method-assign]
    report = OutboxSender(db, sender, settings, concurrency).drain(timeout=seconds)
    return report.sent, report.seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=Path("data/bench-digest/papertide.db"))
    ap.add_argument("--subscribers", type=int, default=100_000)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--baseline-sample", type=int, default=300)
    ap.add_argument("--send-seconds", type=float, default=20.0)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--for-you-share", type=float, default=0.0,
                    help="share of subscribers that are members with signals (their digests get a For-you section)")
    args = ap.parse_args()
    if not args.source.exists():
        sys.exit(f"{args.source} not found; see this file's docstring for how to build it")

    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    db_path = work / "papertide.db"
    shutil.copy(args.source, db_path)
    settings = Settings(data_dir=work, database_url=f"sqlite:///{db_path}", email_backend="null",  # type: ignore[call-arg]
                        base_url="https://papers.example", _env_file=None)
    db = Database(settings.resolved_database_url)
    catalog = Catalog(db, settings.trending_gravity, settings.trending_window_days, settings.page_size)
    notices = Notices(settings)
    composer = DigestComposer(db, settings, notices, catalog)
    try:
        t = time.perf_counter()
        pools = composer.pools(NOW)
        weekly = list(pools["weekly"].papers)
        subs = synthetic_subscribers(weekly, args.subscribers)
        with db.write() as conn:
            for i in range(0, len(subs), 5000):
                subscriptions_store.bulk_create_confirmed(conn, subs[i : i + 5000], NOW - timedelta(days=1))
        topics = sum(len(topics_of(p)) - p.trending for _, p in subs)
        if args.for_you_share > 0:
            t2 = time.perf_counter()
            members = make_members(db, [e for e, _ in subs], args.for_you_share, NOW - timedelta(days=8))
            personal = PersonalRecommendations(db, Recommender(db, TextModels(db)))
            personal.recommender.models.text()  # fits the vocabulary, as the recs.vocabulary job would have
            t3 = time.perf_counter()
            for uid in members:
                personal.train_user(uid)
            log(f"setup: {len(members):,} members with signals ({args.for_you_share:.0%}); vocabulary and "
                f"library {t3 - t2:.1f} s, {len(members):,} models trained in {time.perf_counter() - t3:.1f} s")
        log(f"setup: {args.subscribers:,} subscribers ({topics / len(subs):.2f} topics each besides trending), "
            f"daily pool {len(pools['daily'].papers):,} papers, weekly pool {len(weekly):,}, {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        report = compose_in_processes(functools.partial(_compose_shard, settings, NOW), args.processes)
        compose_s = time.perf_counter() - t
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        with db.read() as conn:
            counts = outbox_store.counts(conn)
            items = conn.execute(sa.text("SELECT count(*) FROM digest_items")).scalar_one()
            # Outbox bodies are zlib-compressed; a For-you section is the one with Not-interested links.
            for_you = sum(b"/digest/not-interested?token=" in zlib.decompress(raw) for raw in conn.execute(
                sa.text("SELECT raw FROM outbox WHERE kind = 'digest'")).scalars()) if args.for_you_share > 0 else 0
        log(f"compose: {report.composed:,} digests composed, {report.empty:,} empty (not sent), "
            f"{report.due:,} due, in {compose_s:.1f} s with {args.processes} processes = "
            f"{report.composed / compose_s:,.0f} digests/s; outbox {counts}, {items:,} sent-paper rows "
            f"({items / max(1, report.composed):.1f} papers per digest); composer CPU {cpu_s:.0f} s "
            f"(= {cpu_s / args.processes:.0f} s of wall time on {args.processes} idle cores)"
            + (f"; {for_you:,} digests with a For-you section" if args.for_you_share > 0 else ""))

        with db.read() as conn:
            sample = [s for batch in subscriptions_store.iter_deliverable(conn, args.baseline_sample) for s in batch]
        sample = sample[: args.baseline_sample]
        naive_s = naive_compose(db, settings, notices, composer, sample)
        per = naive_s / len(sample)
        est = per * report.composed
        log(f"baseline (one query per topic, stdlib email, one transaction per digest, 1 process): "
            f"{per * 1000:.1f} ms per digest on {len(sample)} → {est:,.0f} s for {report.composed:,} "
            f"(ours {compose_s:.0f} s: {est / compose_s:.1f}x faster)")
        with db.write() as conn:
            conn.execute(sa.text("DELETE FROM outbox WHERE kind = 'naive'"))

        from tests.email.smtp_sink import free_port

        port = free_port()
        sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE, text=True)
        try:
            assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
            sent1, s1 = send_rate(db, settings, port, args.send_seconds / 2, 1, fresh=True)
            sentn, sn = send_rate(db, settings, port, args.send_seconds, args.concurrency, fresh=False)
        finally:
            sink.kill()
            sink.wait()
        log(f"send baseline (1 thread, new SMTP connection per message): {sent1:,} in {s1:.1f} s = {sent1 / s1:,.0f} msg/s")
        log(f"send (persistent connections, concurrency {args.concurrency}): {sentn:,} in {sn:.1f} s = "
            f"{sentn / sn:,.0f} msg/s ({(sentn / sn) / (sent1 / s1):.1f}x)")
    finally:
        db.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
