"""arXiv API by id (Atom): batches of up to 100 ids per request, politely spaced by the fetcher."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from papertide.domain.ingest import RunCounts
from papertide.domain.papers import parse_arxiv_id
from papertide.ingest.atom_parse import AtomParseError, parse_feed
from papertide.ingest.http import Fetcher, FetchError, IngestError
from papertide.ingest.writer import write_harvested
from papertide.storage.db import Database

SOURCE = "arxiv-api"
MAX_IDS_PER_REQUEST = 100  # arXiv's documented id_list batch size


def batches(ids: Sequence[str], size: int = MAX_IDS_PER_REQUEST) -> list[list[str]]:
    """Split ids into request-sized batches, order kept, duplicates dropped."""
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def fetch_ids(
    db: Database,
    fetcher: Fetcher,
    base_url: str,
    ids: Sequence[str],
    counts: RunCounts,
    notify: Callable[[list[str]], None],
    batch_size: int = MAX_IDS_PER_REQUEST,
) -> None:
    """Fetch and store papers by id; ids the API does not know are counted as failed and noted."""
    wanted = [str(parse_arxiv_id(i)) for i in ids]  # keeps an explicit version (2405.12345v2) if given
    for n, batch in enumerate(batches(wanted, min(batch_size, MAX_IDS_PER_REQUEST)), start=1):
        where = f"batch {n} ({batch[0]}…{batch[-1]})" if len(batch) > 1 else f"batch {n} ({batch[0]})"
        try:
            body = fetcher.get(base_url, {"id_list": ",".join(batch), "max_results": str(len(batch))})
        except FetchError as exc:
            raise IngestError(SOURCE, exc.message, f"{where}, {exc.position}".rstrip(", ")) from None
        try:
            feed = parse_feed(body)
        except AtomParseError as exc:
            raise IngestError(SOURCE, str(exc), f"{where}, {exc.position}".rstrip(", ")) from None
        counts.pages += 1
        counts.fetched += len(feed.records)
        got = {h.paper.arxiv_id for h in feed.records}
        missing = [i for i in batch if parse_arxiv_id(i).id not in got | set(feed.rejected_ids)]
        counts.failed += len(missing) + len(feed.rejected_ids)
        for e in feed.errors:
            counts.note(f"{where}: {e}")
        if missing:
            counts.note(f"{where}: not found on arXiv: {', '.join(missing[:20])}")
        with db.write() as conn:
            result = write_harvested(conn, feed.records)
        counts.add(result)
        notify(result.changed_ids)
