"""For you at scale: the first computation of a window, before/after, with the ranked lists compared.

    PYTHONPATH=. .venv/bin/python bench/for_you_bench.py --source /path/to/papertide.db \\
        --baseline-code ../papertide-main [--members 12] [--digest-members 200] [--repeat 3]

``--source`` is an instance's SQLite database (the 241,792-paper one of the scale sweep); each run
works on a copy, upgraded to this checkout's migrations. Setup adds ``--members`` members with
signals (1–80 library papers from one category and a few others, two "not interested" marks,
and for some of them followed authors, categories and keyword queries), trains their models as
the ``recs.train`` job would, and stores the candidates' phrase counts as the ``recs.phrases``
job would (timed: that is the work moved off the request path).

Then, for the code of ``--baseline-code`` (a ``git worktree``/``git archive`` of the commit to
compare against) and for this checkout, a fresh process each: the first ``/for-you`` of each
window (a month of 12k papers, the named month, week and day; the page's whole work: candidates,
pool, ranking, cards) with its SQL statements, the same window for the other members (the pool
cached), and every member's *full* ranked list of every window (all candidates, scores and
reasons). The lists must be identical between the two codes; the bench exits non-zero if not.
``--digest-members`` subscribers, all members with signals, then get a digest run with the For-you
section (each code on its own copy), and the digests' papers are compared too. Each code runs
``--repeat`` times, alternated with the other, and timings are the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# --code must take effect before papertide is imported, so it is read here by hand.
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv[:-1] else REPO
sys.path.insert(0, str(CODE))
os.environ.setdefault("PAPERTIDE_LOG_LEVEL", "WARNING")

import sqlalchemy as sa  # noqa: E402

from papertide.config import Settings  # noqa: E402
from papertide.recs.artifacts import TextModels  # noqa: E402
from papertide.recs.pages import RecPages  # noqa: E402
from papertide.recs.personal import PersonalRecommendations  # noqa: E402
from papertide.recs.ranking import Recommender  # noqa: E402
from papertide.storage.db import Database  # noqa: E402

VECTORS = ("all-MiniLM-L6-v2-onnx-int8", 384)  # what the services give the recommender on this corpus
NOW = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)  # the digest's "now" (as in digest_bench.py)
# (name, first, last): the scale sweep's month first, then /for-you's named windows at the corpus' end.
WINDOWS = [("2026-04", date(2026, 4, 1), date(2026, 4, 30)), ("month", date(2026, 5, 8), date(2026, 6, 6)),
           ("week", date(2026, 5, 31), date(2026, 6, 6)), ("day", date(2026, 6, 5), date(2026, 6, 5))]
QUERIES = ["diffusion", "graph neural", "reinforcement learning", "quantum", "large language model"]


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Member:
    """A stand-in for the signed-in user (the page reads only its id)."""

    def __init__(self, user_id: int) -> None:
        self.id = user_id


def statements(db: Database) -> list[int]:
    n = [0]
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: n.__setitem__(0, n[0] + 1))
    return n


# ---------------------------------------------------------------------------------- setup (parent)


def add_members(db: Database, count: int, seed: int = 5) -> list[int]:
    from papertide.domain.authors import author_key
    from papertide.storage import recs as recs_store
    from papertide.storage.schema import papers, users

    rng = random.Random(seed)
    with db.read() as conn:
        older = list(conn.execute(sa.select(papers.c.id, papers.c.categories, papers.c.authors).where(
            papers.c.published < date(2026, 3, 25), papers.c.published > date(2025, 6, 1))).all())
    by_cat: dict[str, list[sa.Row]] = {}
    for r in older:
        for c in (r.categories or [])[:1]:
            by_cat.setdefault(c, []).append(r)
    cats = sorted(c for c, v in by_cat.items() if len(v) > 500)
    ids = []
    with db.write() as conn:
        for n in range(count):
            cat = rng.choice(cats)
            uid = conn.execute(sa.insert(users).values(uuid=f"00000000-0000-4000-9000-{n:012d}", email=f"m{n}@bench.example",
                                                       display_name=f"Member {n}").returning(users.c.id)).scalar_one()
            k = [1, 3, 5, 10, 30, 80][n % 6]
            liked = rng.sample(by_cat[cat], k) + rng.sample(older, max(1, k // 5))
            for r in liked:
                recs_store.add_signal(conn, uid, r.id, "library", "bench")
            for r in rng.sample(by_cat[cat], 2):
                recs_store.add_signal(conn, uid, r.id, "not_interested", "bench")
            if n % 2 == 0:
                recs_store.add_follow(conn, uid, "category", rng.choice(cats), "")
                if authors := rng.choice(liked).authors:
                    recs_store.add_follow(conn, uid, "author", author_key(authors[0]), authors[0])
            if n % 3 == 0:
                recs_store.add_follow(conn, uid, "query", rng.choice(QUERIES), "")
            ids.append(uid)
    return ids


def setup(source: Path, work: Path, members: int, digest_members: int) -> dict[str, object]:
    db_path = work / "papertide.db"
    shutil.copy(source, db_path)
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(work), "PAPERTIDE_DATABASE_URL": f"sqlite:///{db_path}",
           "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "papertide", "db", "upgrade"], env=env, check=True, capture_output=True)
    db = Database(f"sqlite:///{db_path}")
    try:
        uids = add_members(db, members)
        personal = PersonalRecommendations(db, Recommender(db, TextModels(db), VECTORS))
        for uid in uids:
            personal.train_user(uid)
        t = time.perf_counter()
        from papertide.recs import phrase_counts  # this checkout's: the baseline may have none

        stored = phrase_counts.refresh(db)  # what the recs.phrases job leaves behind
        phrases_s = time.perf_counter() - t
        if digest_members:
            digest_setup(db, digest_members)
    finally:
        db.dispose()
    return {"members": uids, "phrases_stored": stored, "phrases_s": phrases_s}


def digest_setup(db: Database, count: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from digest_bench import make_members, synthetic_subscribers

    from papertide.catalog import Catalog
    from papertide.email.composing import DigestComposer
    from papertide.email.notices import Notices
    from papertide.storage import subscriptions as subscriptions_store

    settings = Settings(email_backend="null", base_url="https://papers.example", _env_file=None)  # type: ignore[call-arg]
    personal = PersonalRecommendations(db, Recommender(db, TextModels(db), VECTORS))
    composer = DigestComposer(db, settings, Notices(settings), Catalog(db, settings.trending_gravity,
                              settings.trending_window_days, settings.page_size), personal)
    subs = synthetic_subscribers(list(composer.pools(NOW)["weekly"].papers), count)
    with db.write() as conn:
        subscriptions_store.bulk_create_confirmed(conn, subs, NOW - timedelta(days=1))
    for uid in make_members(db, [e for e, _ in subs], 1.0, NOW - timedelta(days=8)):
        personal.train_user(uid)


# ---------------------------------------------------------------------------------- one code (child)


def child(db_path: Path, digest_db: Path | None, out: Path, members: list[int]) -> None:
    db = Database(f"sqlite:///{db_path}")
    count = statements(db)
    personal = PersonalRecommendations(db, Recommender(db, TextModels(db), VECTORS))
    personal.recommender.models.phrases()  # loaded at start-up in a serving process
    personal.recommender.models.text()
    result: dict[str, object] = {"windows": {}, "ranked": {}}
    for name, first, last in WINDOWS:
        pages = RecPages(db, personal, today=lambda last=last: last)
        from papertide.domain.rec_windows import Window

        window = Window("custom", first, last)
        count[0] = 0
        t = time.perf_counter()
        page = pages.for_you(Member(members[0]), window)  # type: ignore[arg-type]
        first_s, first_n = time.perf_counter() - t, count[0]
        cached = []
        for uid in members[1:]:
            t = time.perf_counter()
            pages.for_you(Member(uid), window)  # type: ignore[arg-type]
            cached.append(time.perf_counter() - t)
        cached.sort()
        result["windows"][name] = {"first_s": first_s, "statements": first_n, "cards": len(page.cards),  # type: ignore[index]
                                   "cached_p50_s": cached[len(cached) // 2], "cached_max_s": cached[-1]}
    # The full lists after every timing: millions of objects held meanwhile made the garbage
    # collector's full passes land in whichever timing came next.
    for name, first, last in WINDOWS:
        for uid in members:
            found = personal.for_user(uid, first, last, limit=10**9)
            result["ranked"][f"{uid}:{name}"] = [  # type: ignore[index]
                [r.paper_id, repr(r.score), [[x.kind, x.text, x.arxiv_id] for x in r.reasons]] for r in found.recommendations]
    db.dispose()
    if digest_db is not None:
        result["digest"] = digest_child(digest_db)
    out.write_text(json.dumps(result))


def digest_child(db_path: Path) -> dict[str, object]:
    from papertide.catalog import Catalog
    from papertide.email.composing import DigestComposer
    from papertide.email.notices import Notices

    settings = Settings(data_dir=db_path.parent, database_url=f"sqlite:///{db_path}", email_backend="null",  # type: ignore[call-arg]
                        base_url="https://papers.example", _env_file=None)
    db = Database(settings.resolved_database_url)
    personal = PersonalRecommendations(db, Recommender(db, TextModels(db), VECTORS))
    personal.recommender.models.phrases()
    personal.recommender.models.text()
    composer = DigestComposer(db, settings, Notices(settings), Catalog(db, settings.trending_gravity,
                              settings.trending_window_days, settings.page_size), personal)
    t = time.perf_counter()
    report = composer.run(NOW)
    seconds = time.perf_counter() - t
    with db.read() as conn:
        items = sorted(tuple(r) for r in conn.execute(sa.text(
            "SELECT subscription_id, arxiv_id FROM digest_items ORDER BY subscription_id, arxiv_id")))
    db.dispose()
    return {"seconds": seconds, "composed": report.composed, "items": items}


# ---------------------------------------------------------------------------------- the run


def run_code(code: Path, db_path: Path, digest_db: Path | None, members: list[int], work: Path) -> dict[str, object]:
    out = work / f"out-{abs(hash(str(code)))}.json"
    cmd = [sys.executable, __file__, "--child", "--code", str(code), "--db", str(db_path), "--out", str(out),
           "--member-ids", ",".join(map(str, members))]
    if digest_db is not None:
        cmd += ["--digest-db", str(digest_db)]
    subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(code)})
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def median_run(runs: list[dict[str, object]]) -> dict[str, object]:
    """The first run's lists, and each timing's median over the runs."""
    out = dict(runs[0])
    out["windows"] = {name: {k: statistics.median(r["windows"][name][k] for r in runs)  # type: ignore[index]
                             for k in runs[0]["windows"][name]} for name in runs[0]["windows"]}  # type: ignore[attr-defined]
    if "digest" in out:
        out["digest"] = {**runs[0]["digest"], "seconds": statistics.median(r["digest"]["seconds"] for r in runs)}  # type: ignore[dict-item,index]
    same = all(r["ranked"] == out["ranked"] and r.get("digest", {}).get("items") == out.get("digest", {}).get("items")  # type: ignore[union-attr,attr-defined]
               for r in runs)
    out["consistent"] = same
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path)
    ap.add_argument("--baseline-code", type=Path, help="a checkout of the commit to compare against")
    ap.add_argument("--code", type=Path, default=REPO, help="(read above) the checkout a child measures")
    ap.add_argument("--members", type=int, default=12)
    ap.add_argument("--digest-members", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each code, alternated; timings are medians")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--digest-db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--member-ids", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.db, args.digest_db, args.out, [int(x) for x in args.member_ids.split(",")])
        return
    if args.source is None or not args.source.exists() or args.baseline_code is None:
        sys.exit("--source (an instance's SQLite database) and --baseline-code (a checkout) are needed; see --help")
    work = Path(tempfile.mkdtemp(prefix="for-you-bench-"))
    try:
        say(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; baseline {args.baseline_code.resolve()}, "
            f"this {REPO}")
        t = time.perf_counter()
        info = setup(args.source, work, args.members, args.digest_members)
        members: list[int] = info["members"]  # type: ignore[assignment]
        say(f"setup {time.perf_counter() - t:.0f} s: {len(members)} members; the recs.phrases job stored "
            f"{info['phrases_stored']:,} papers' phrase counts in {info['phrases_s']:.1f} s")
        runs: dict[str, list[dict[str, object]]] = {"baseline": [], "this": []}
        for n in range(args.repeat):  # alternated, so a change in the machine's load hits both
            for label, code in (("baseline", args.baseline_code.resolve()), ("this", REPO)):
                digest_db = None
                if args.digest_members:
                    digest_db = work / f"{label}-{n}" / "papertide.db"
                    digest_db.parent.mkdir()
                    shutil.copy(work / "papertide.db", digest_db)
                runs[label].append(run_code(code, work / "papertide.db", digest_db, members, work))
                if digest_db is not None:
                    shutil.rmtree(digest_db.parent)
                say(f"{label} run {n + 1} done (load average {os.getloadavg()[0]:.1f})")
        base, this = median_run(runs["baseline"]), median_run(runs["this"])
        say(f"medians of {args.repeat} runs each")
        say(f"{'window':<9} {'papers':>7} {'first: baseline':>16} {'this':>8} {'ratio':>6} {'statements':>11} "
            f"{'cached p50/max: baseline':>25} {'this':>12}")
        for name, _, _ in WINDOWS:
            b, n = base["windows"][name], this["windows"][name]  # type: ignore[index]
            papers = len(base["ranked"][f"{members[0]}:{name}"])  # type: ignore[index]
            say(f"{name:<9} {papers:>7,} {b['first_s']:>15.2f}s {n['first_s']:>7.2f}s {b['first_s'] / n['first_s']:>5.1f}x "
                f"{b['statements']:>5} → {n['statements']:<4} {b['cached_p50_s']:>12.3f} / {b['cached_max_s']:.3f} s "
                f"{n['cached_p50_s']:>6.3f} / {n['cached_max_s']:.3f} s")
        same = base["ranked"] == this["ranked"] and bool(base["consistent"]) and bool(this["consistent"])  # type: ignore[index]
        lists = len(base["ranked"])  # type: ignore[arg-type]
        say(f"ranked lists ({lists} = {len(members)} members × {len(WINDOWS)} windows, every candidate with score and "
            f"reasons): {'identical' if same else 'DIFFERENT'}")
        if args.digest_members:
            b, n = base["digest"], this["digest"]  # type: ignore[index]
            say(f"digest run, {args.digest_members} subscribers with For you: baseline {b['seconds']:.1f} s, this "
                f"{n['seconds']:.1f} s ({b['seconds'] / n['seconds']:.1f}x); {n['composed']} composed; papers "
                f"{'identical' if b['items'] == n['items'] else 'DIFFERENT'}")
            same = same and b["items"] == n["items"]
        if not same:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
