"""For you, per stage: candidate features for a day, a reader's profile build, and scoring.

    .venv/bin/python bench/recs_bench.py [--papers 30000] [--day-size 2000] [--users 50]

Loads the first ``--papers`` records of the shared arXiv corpus into a throwaway SQLite
database (or uses ``--database-url``), takes the newest ``--day-size`` papers as "today's" new
papers, and for ``--users`` readers with 5 and with 30 likes times: the day's features (once,
shared by every reader), the profile build (``Recommender.train``) and the scoring of the day
(``Recommender.rank``, reasons on and off). Baseline, same run, same readers: arxiv-sanity-lite's
per-user linear SVM on the same tf-idf features (fit + score), what the development set's best
content baseline does.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from papertide.config import Settings  # noqa: E402
from papertide.domain import recs as R  # noqa: E402
from papertide.recs.ranking import PERSONAL_BLEND, Profile  # noqa: E402
from papertide.services import build_services  # noqa: E402
from papertide.storage import rec_candidates  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv_corpus.jsonl.gz"


def _load(services, n: int) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "slice.jsonl.gz"
        with gzip.open(CORPUS, "rt", encoding="utf-8") as src, gzip.open(path, "wt", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
        services.ingest.import_file(path, "jsonl")


def _ms(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"p50 {1000 * statistics.median(xs):7.2f} ms  p95 {1000 * xs[int(0.95 * (len(xs) - 1))]:7.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=30_000)
    ap.add_argument("--day-size", type=int, default=2_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--database-url")
    a = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = a.database_url or f"sqlite:///{Path(tmp.name) / 'recs-bench.db'}"
    settings = Settings(data_dir=Path(tmp.name), database_url=url, _env_file=None)  # type: ignore[call-arg]
    services = build_services(settings)
    upgrade(services.db)
    if a.database_url is None:
        t = time.perf_counter()
        _load(services, a.papers)
        print(f"loaded {a.papers:,} papers in {time.perf_counter() - t:.1f} s")
    rec = services.recommender
    t = time.perf_counter()
    version, text = rec.models.text()
    print(f"tf-idf vocabulary (first use, {text.size:,} terms): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    rec.models.refit_phrases()
    print(f"phrase counts over every paper (the weekly job): {time.perf_counter() - t:.2f} s")
    with services.db.read() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("select id from papers where abstract != '' order by arxiv_id desc")]
    day, history = ids[: a.day_size], ids[a.day_size :]
    t = time.perf_counter()
    pool = rec.pool(day)
    _ = pool.phrases, pool.tfidf  # computed on first use; timed here, as the window's shared cost
    features_s = time.perf_counter() - t
    print(f"today's {len(pool):,} papers: features (texts, tf-idf + phrases, once per window, shared) {1000 * features_s:.0f} ms")
    rng = random.Random(0)
    with services.db.read() as conn:
        background = rec_candidates.texts(conn, rng.sample(history, min(4_000, len(history))))
    bg = text.transform(background)
    from sklearn.svm import LinearSVC

    for n_likes in (5, 30):
        train, score, score_explain, svm = [], [], [], []
        for _ in range(a.users):
            likes = rng.sample(history, n_likes)
            profile = Profile(liked=tuple(R.Liked(p, "upvote", float(rng.randint(0, 300))) for p in likes))
            t0 = time.perf_counter()
            model = rec.train(profile)
            t1 = time.perf_counter()
            rec.rank(model, pool, PERSONAL_BLEND, limit=50, explain=False)
            t2 = time.perf_counter()
            rec.rank(model, pool, PERSONAL_BLEND, limit=50, explain=True)
            t3 = time.perf_counter()
            train.append(t1 - t0)
            score.append(t2 - t1)
            score_explain.append(t3 - t2)
            with services.db.read() as conn:
                liked_texts = rec_candidates.texts(conn, likes)
            t4 = time.perf_counter()
            x = sparse.vstack([text.transform(liked_texts), bg])
            y = np.r_[np.ones(n_likes), np.zeros(bg.shape[0])]
            LinearSVC(C=0.01, class_weight="balanced").fit(x, y).decision_function(pool.tfidf)
            svm.append(time.perf_counter() - t4)
        print(f"\n{n_likes} likes, {a.users} readers, {len(pool):,} candidates")
        print(f"  profile build (train)            {_ms(train)}")
        print(f"  scoring the day, no reasons       {_ms(score)}")
        print(f"  scoring the day, with reasons     {_ms(score_explain)}")
        print(f"  baseline: per-user SVM fit+score  {_ms(svm)}")
        ours = statistics.median(train) + statistics.median(score)
        print(f"  ours (train + score) vs SVM: {statistics.median(svm) / ours:.1f}x faster")
    services.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
