"""Hugging Face daily papers (``/api/daily_papers``): the day's list with upvotes and comments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from papertide.domain.ingest import RunCounts
from papertide.ingest.hf_parse import HfParseError, parse_daily_papers
from papertide.ingest.http import Fetcher, FetchError, IngestError
from papertide.ingest.writer import write_harvested
from papertide.storage.db import Database

SOURCE = "hf"
PAGE_LIMIT = 100  # items we ask for per request
MAX_PAGES = 20  # a day has ~50 papers; this bounds a misbehaving server, not real data


def import_daily(
    db: Database,
    fetcher: Fetcher,
    api_url: str,
    counts: RunCounts,
    notify: Callable[[list[str]], None],
    day: date | None = None,
    week: str | None = None,
    month: str | None = None,
) -> None:
    """Import one day's (or ISO week's ``2026-W22`` / month's ``2026-06``) list; each page commits."""
    if sum(x is not None for x in (day, week, month)) != 1:
        raise IngestError(SOURCE, "give exactly one of a day, a week or a month")
    query = {"date": day.isoformat()} if day else {"week": week} if week else {"month": month}
    url = api_url.rstrip("/") + "/daily_papers"
    position = 0
    for page_no in range(MAX_PAGES):
        where = f"{next(iter(query.values()))} page {page_no + 1}"
        try:
            body = fetcher.get(url, {**query, "limit": str(PAGE_LIMIT), "p": str(page_no)})  # type: ignore[dict-item]
        except FetchError as exc:
            raise IngestError(SOURCE, exc.message, f"{where}, {exc.position}".rstrip(", ")) from None
        try:
            page = parse_daily_papers(body, day, first_position=position)
        except HfParseError as exc:
            raise IngestError(SOURCE, str(exc), f"{where}, {exc.position}".rstrip(", ")) from None
        counts.pages += 1
        counts.fetched += len(page.records)
        for m in page.bad_items:
            counts.reject(f"{where}: {m}")
        with db.write() as conn:
            result = write_harvested(conn, page.records)
        counts.add(result)
        notify(result.changed_ids)
        position += len(page.records)
        if page.size < PAGE_LIMIT:
            return
