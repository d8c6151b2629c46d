"""What the GitHub signal costs the list pages (a command, not a test).

    papertide demo   # with PAPERTIDE_DATA_DIR=DIR
    python bench/github_stars_bench.py DIR

On the demo corpus (1,500 papers, 893 distinct repos) it records two snapshots for every
repo (10 days and 1 hour ago), then prints the median over 200 calls of a day/week list of
50 with and without the stars lookup, has_code, upvote trending and star-growth trending.
"""
import logging
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from papertide.config import Settings
from papertide.services import build_services
from papertide.storage import github as gs
from papertide.storage import listings as ls

log = logging.getLogger("bench")


def median_ms(f, n=200):  # type: ignore[no-untyped-def]
    xs = []
    for _ in range(n):
        a = time.perf_counter()
        f()
        xs.append((time.perf_counter() - a) * 1000)
    return statistics.median(xs)


def main(data_dir: str) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    svc = build_services(Settings(_env_file=None, data_dir=data_dir, search_embedder="null"))  # type: ignore[call-arg]
    now = datetime.now(UTC)
    with svc.db.read() as conn:
        repos = sorted({r for r, _ in gs.listed_repos(conn)})
    with svc.db.write() as conn:
        for i, r in enumerate(repos):
            gs.record_fetched(conn, r, 100 + i, f'W/"{i}"', None, now - timedelta(days=10))
            gs.record_fetched(conn, r, 100 + i + (i * 7) % 300, f'W/"x{i}"', None, now - timedelta(hours=1))
    day = svc.catalog.latest_day()
    assert day is not None
    week = (day.first - timedelta(days=6), day.last)

    def plain() -> None:
        with svc.db.read() as conn:
            ls.list_period(conn, *week, 50, 0)

    def with_stars() -> None:
        with svc.db.read() as conn:
            gs.with_repo_stars(conn, ls.list_period(conn, *week, 50, 0))

    log.info("repos with snapshots: %d", len(repos))
    log.info("week list of 50: %.2f ms plain, %.2f ms with stars", median_ms(plain), median_ms(with_stars))
    log.info("catalog.period(day): %.2f ms, has_code: %.2f ms", median_ms(lambda: svc.catalog.period(day)),
             median_ms(lambda: svc.catalog.period(day, has_code=True)))
    log.info("catalog.trending: %.2f ms", median_ms(svc.catalog.trending))
    log.info("catalog.star_trending: %.2f ms (%d entries)", median_ms(svc.catalog.star_trending, 50),
             len(svc.catalog.star_trending().entries))
    svc.close()


if __name__ == "__main__":
    main(sys.argv[1])
