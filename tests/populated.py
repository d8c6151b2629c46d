"""A populated instance, written through the same services the site uses: papers and listings,
accounts with sessions, votes, comments and a report, collections, subscriptions with their
outbox mail and a composed digest, API tokens and embeddings. Backups and copies are checked on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from papertide.domain.ingest import RunCounts, RunStatus
from papertide.services import Services
from papertide.storage import embeddings as emb_store
from papertide.storage import ingest_runs
from papertide.storage.papers import row_ids
from tests.factories import add_papers, make_paper

LAST_DAY = date(2026, 6, 3)  # the newest listing day; pages are measured as of it
NOW = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Instance:
    arxiv_ids: list[str]
    emails: list[str]


def populate(services: Services, papers: int = 30, users: int = 4, prefix: str = "2606") -> Instance:
    ids = [f"{prefix}.{i:05d}" for i in range(1, papers + 1)]
    add_papers(
        services.db,
        *[(make_paper(a, title=f"Paper {n} on graph networks", upvotes_baseline=n % 7, keywords=("graphs",),
                      categories=("cs.LG",) if n % 2 else ("cs.CL", "cs.AI"),
                      published=LAST_DAY - timedelta(days=n % 5)),
           LAST_DAY - timedelta(days=n % 4)) for n, a in enumerate(ids)],
    )
    accounts = services.community.accounts
    emails = [f"reader{i}@example.org" for i in range(users)]
    people = []
    for email in emails:
        _, token = accounts.request_login_link(email)
        people.append(accounts.complete_login_link(token, user_agent="tests").user)
    admin, _ = accounts.create_admin("admin@example.org")
    for i, person in enumerate(people):
        for a in ids[i : i + 5]:
            services.community.votes.vote(person, a, True)
    first = services.community.discussion.add(people[0], ids[0], "A **clear** result.")
    services.community.discussion.add(people[1], ids[0], "Agreed, see §3.", reply_to=first.uuid)
    services.community.discussion.add(people[2], ids[1], "Ünïcode and emoji 🚀 survive.")
    services.community.discussion.report(people[3], first.uuid, "spam")
    reading = services.community.reading_lists
    shelf = reading.create(people[0], "Graph reading", True)
    for a in ids[:3]:
        reading.add(people[0], shelf, a)
    reading.create(people[1], "Private", False)
    services.tokens.create_for_user(people[0].id, "write", name="laptop")
    services.tokens.create_for_user(admin.id, "read", name="monitor")
    for i, email in enumerate(["sub1@example.org", "sub2@example.org"]):
        services.subscriptions.subscribe(email, {"categories": "cs.LG", "keywords": "graph"} if i else {}, now=NOW)
        sub = services.subscriptions.get_by_email(email)
        assert sub is not None
        services.subscriptions.confirm(services.notices.token("confirm", sub), now=NOW)
    services.digests.run(now=NOW)
    with services.db.write() as conn:
        run = ingest_runs.start_run(conn, "hf", "2026-06-03", now=NOW)
        ingest_runs.finish_run(conn, run, RunStatus.SUCCEEDED, RunCounts(fetched=4, inserted=3, updated=1), now=NOW)
        by_id = row_ids(conn)
        rng = np.random.default_rng(7)
        vecs = rng.standard_normal((len(ids), 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        emb_store.upsert_vectors(conn, services.search.embedder.model_id, [by_id[a] for a in ids],
                                 [f"h{i}" for i in range(len(ids))], vecs)
    return Instance(ids, emails)
