"""arXiv OAI-PMH harvesting: ListRecords paging with per-set checkpoints that survive a crash.

Each page is written in one transaction together with the checkpoint that points at
the next page, so a run that dies after page N resumes at page N+1; a complete
harvest moves ``last_datestamp`` to the window's ``until`` day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from papertide.domain.ingest import Checkpoint, RunCounts, checkpoint_key, format_window, harvest_from
from papertide.ingest.http import Fetcher, FetchError, IngestError
from papertide.ingest.oai_parse import PREFIXES, OaiParseError, parse_list_records
from papertide.ingest.writer import write_harvested
from papertide.storage import ingest_runs as runs_store
from papertide.storage.db import Database

SOURCE = "oai"


@dataclass(frozen=True, slots=True)
class OaiRequest:
    """What to harvest: a set (or all), a prefix, and an optional explicit window."""

    set_spec: str | None
    prefix: str = "arXivRaw"
    from_: date | None = None
    until: date | None = None


def plan_window(req: OaiRequest, cp: Checkpoint | None, today: date) -> tuple[date, date, str | None]:
    """(from, until, token to resume with). An unfinished harvest resumes from its stored token."""
    if cp is not None and cp.resumption_token and req.from_ is None and req.until is None:
        return cp.window_from or today, cp.window_until or today, cp.resumption_token
    return req.from_ or harvest_from(cp, today), req.until or today, None


def describe(req: OaiRequest, first: date, last: date) -> str:
    return format_window(first, last, f"{req.set_spec or 'all'} ({req.prefix})")


def harvest(
    db: Database,
    fetcher: Fetcher,
    base_url: str,
    req: OaiRequest,
    counts: RunCounts,
    today: date,
    notify: Callable[[list[str]], None],
) -> None:
    """Harvest one set into ``db``; raises IngestError (with page and token) on failure."""
    if req.prefix not in PREFIXES:
        raise IngestError(SOURCE, f"unknown metadataPrefix {req.prefix!r}; use one of {', '.join(PREFIXES)}")
    key = checkpoint_key(SOURCE, req.prefix, req.set_spec)
    with db.read() as conn:
        cp = runs_store.get_checkpoint(conn, key)
    first, last, token = plan_window(req, cp, today)
    last_done = cp.last_datestamp if cp else None
    page_no = 0
    while True:
        page_no += 1
        where = f"page {page_no} ({'resumptionToken ' + repr(token) if token else 'first request'})"
        params = {"verb": "ListRecords"}
        if token:
            params["resumptionToken"] = token
        else:
            params |= {"metadataPrefix": req.prefix, "from": first.isoformat(), "until": last.isoformat()}
            if req.set_spec:
                params["set"] = req.set_spec
        try:
            body = fetcher.get(base_url, params)
        except FetchError as exc:
            raise IngestError(SOURCE, exc.message, f"{where}, {exc.position}".rstrip(", ")) from None
        try:
            page = parse_list_records(body)
        except OaiParseError as exc:
            raise IngestError(SOURCE, str(exc), f"{where}, {exc.position}".rstrip(", ")) from None
        counts.pages += 1
        if page.error_code == "noRecordsMatch":
            _save(db, key, first, last, None, _later(last_done, last))
            return
        if page.error_code == "badResumptionToken":
            # The token expired or was never valid: forget it so the next run restarts the
            # window from the last complete datestamp (re-fetching is harmless).
            _save(db, key, first, last, None, last_done)
            raise IngestError(SOURCE, f"server rejected the resumption token: {page.error_message}", where)
        if page.error_code:
            raise IngestError(SOURCE, f"OAI-PMH error {page.error_code}: {page.error_message}", where)
        counts.fetched += len(page.records)
        for msg in page.bad_records:
            counts.reject(f"{where}: {msg}")
        done = not page.resumption_token
        with db.write() as conn:
            result = write_harvested(conn, page.records)
            runs_store.save_checkpoint(conn, Checkpoint(
                key, _later(last_done, last) if done else last_done, page.resumption_token, first, last))
        counts.add(result)
        notify(result.changed_ids)
        if done:
            return
        token = page.resumption_token


def _later(a: date | None, b: date) -> date:
    return b if a is None or b > a else a


def _save(db: Database, key: str, first: date, last: date, token: str | None, last_done: date | None) -> None:
    with db.write() as conn:
        runs_store.save_checkpoint(conn, Checkpoint(key, last_done, token, first, last))
