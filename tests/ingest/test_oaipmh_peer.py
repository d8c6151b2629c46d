"""Harvest from a real OAI-PMH 2.0 server implementation (the ``oaipmh`` package, ETH Library's
maintained pyoai) as a protocol peer, serving the CC0 demo records in arXivRaw format over HTTP.

It does its own paging, resumption tokens, from/until filtering and error codes, so this checks
our harvester against an implementation we did not write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from lxml import etree

from papertide.domain.ingest import Checkpoint, RunStatus
from papertide.storage import ingest_runs, papers
from tests.ingest import oai_docs
from tests.ingest.conftest import TODAY, sample_records

oaipmh_common = pytest.importorskip("oaipmh.common")
oaipmh_metadata = pytest.importorskip("oaipmh.metadata")
oaipmh_server = pytest.importorskip("oaipmh.server")
oaipmh_error = pytest.importorskip("oaipmh.error")


class ArxivRepository:
    """An IOAI implementation over in-memory records (what a repository's backend provides)."""

    def __init__(self, records: list[dict], base_url: str) -> None:
        self.records = records
        self.base_url = base_url

    def identify(self):  # type: ignore[no-untyped-def]
        return oaipmh_common.Identify("papertide test arXiv", self.base_url, "2.0", ["nobody@example.org"],
                                      datetime(2007, 1, 1), "persistent", "YYYY-MM-DD", ["identity"])

    def listMetadataFormats(self, identifier=None):  # type: ignore[no-untyped-def]  # noqa: N802 - IOAI names
        return [("arXivRaw", "http://arxiv.org/OAI/arXivRaw.xsd", "http://arxiv.org/OAI/arXivRaw/")]

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None):  # type: ignore[no-untyped-def]  # noqa: N802,N803,A002
        if metadataPrefix != "arXivRaw":
            raise oaipmh_error.CannotDisseminateFormatError(metadataPrefix)
        out = []
        for rec in self.records:
            stamp = datetime.combine(oai_docs.record_datestamp(rec), datetime.min.time())
            if (from_ and stamp < from_) or (until and stamp > until):
                continue
            sets = sorted({c.split(".")[0] for c in rec.get("categories") or ["cs"]})
            if set and set not in sets:
                continue
            header = oaipmh_common.Header(None, f"oai:arXiv.org:{rec['arxiv_id']}", stamp, sets, False)
            out.append((header, oaipmh_common.Metadata(None, {"record": rec}), None))
        return out


def arxiv_raw_writer(element, metadata) -> None:  # type: ignore[no-untyped-def]
    element.append(etree.fromstring(oai_docs.arxiv_raw_metadata(metadata["record"]).encode()))


@pytest.fixture
def peer() -> Iterator[str]:
    registry = oaipmh_metadata.MetadataRegistry()
    registry.registerWriter("arXivRaw", arxiv_raw_writer)
    records = sample_records(8)
    holder: dict[str, object] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            body = holder["server"].handleRequest(q)  # type: ignore[attr-defined]
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/oai"
    holder["server"] = oaipmh_server.Server(ArxivRepository(records, url), registry, resumption_batch_size=3)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield url
    httpd.shutdown()
    httpd.server_close()


def test_harvest_from_a_real_oai_pmh_server(service, peer, db):
    service.settings = service.settings.model_copy(update={"ingest_oai_url": peer})
    result = service.harvest_oai("cs")
    assert result.ok, result.error
    assert (result.counts.fetched, result.counts.inserted, result.counts.pages) == (8, 8, 3)
    with db.read() as conn:
        assert papers.count_papers(conn) == 8
        assert ingest_runs.get_checkpoint(conn, "oai:arXivRaw:cs").last_datestamp == TODAY
    assert service.harvest_oai("cs").counts.fetched == 0  # noRecordsMatch from the peer: nothing new since


def test_a_real_server_rejecting_our_token_fails_the_run_and_the_next_one_restarts(service, peer, db):
    service.settings = service.settings.model_copy(update={"ingest_oai_url": peer})
    with db.write() as conn:
        ingest_runs.save_checkpoint(conn, Checkpoint("oai:arXivRaw:cs", None, "not-a-token", TODAY, TODAY))
    failed = service.harvest_oai("cs")
    assert failed.status is RunStatus.FAILED and "rejected the resumption token" in failed.error
    assert service.harvest_oai("cs").ok
