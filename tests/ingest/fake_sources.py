"""A real local HTTP server that plays arXiv (OAI-PMH, API) and Hugging Face for the ingest tests.

It speaks real HTTP on 127.0.0.1 so the production fetcher (httpx, retries,
Retry-After) runs unchanged. Behaviour is scripted per test through attributes
on :class:`FakeSources` (page size, a 503 with Retry-After, a 500 or malformed page).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.ingest import oai_docs

HF_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hf_api_daily_papers"


@dataclass
class FakeSources:
    """The scripted outside world. ``records`` are shared/data-format dicts."""

    records: list[dict] = field(default_factory=list)
    prefix_versions: dict[str, int] = field(default_factory=dict)  # arxiv_id → number of versions
    comments: dict[str, str] = field(default_factory=dict)  # arxiv_id → comments (e.g. withdrawal)
    deleted: set[str] = field(default_factory=set)
    page_size: int = 3
    retry_after_first: int | None = None  # answer the first OAI request with 503 + Retry-After
    fail_page: int | None = None  # this OAI page (1-based) answers 500 while set
    malformed_page: int | None = None  # this OAI page is cut off mid-record
    truncated_page: int | None = None  # this OAI page promises more bytes than it sends, then hangs up
    hf_days: dict[str, bytes] = field(default_factory=dict)
    api_delay_seconds: float = 0.0  # the arXiv API answers this slowly (a slow or struggling arXiv)
    api_gate: threading.Event | None = None  # while set up and closed, the arXiv API answers nothing (up to 60 s)
    requests: list[str] = field(default_factory=list)
    _served_503: bool = False

    # --- OAI-PMH ---------------------------------------------------------------------------
    def _window(self, q: dict[str, str]) -> list[dict]:
        first = date.fromisoformat(q["from"]) if "from" in q else date.min
        last = date.fromisoformat(q["until"]) if "until" in q else date.max
        out = [r for r in self.records if first <= oai_docs.record_datestamp(r) <= last]
        if "set" in q:
            out = [r for r in out if any(c.split(".")[0] == q["set"] for c in r.get("categories") or ["cs"])]
        return out

    def oai(self, q: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.retry_after_first is not None and not self._served_503:
            self._served_503 = True
            return 503, {"Retry-After": str(self.retry_after_first)}, b"<html>Retry later</html>"
        if q.get("verb") != "ListRecords":
            return 200, {}, oai_docs.oai_error("badVerb", "only ListRecords here", q)
        if "resumptionToken" in q:
            try:
                prefix, start_s, first, last, set_spec = q["resumptionToken"].split("|")
                start = int(start_s)
            except ValueError:
                return 200, {}, oai_docs.oai_error("badResumptionToken", "token is not valid", q)
            sel = {"from": first, "until": last} | ({"set": set_spec} if set_spec else {})
        else:
            prefix, start = q.get("metadataPrefix", ""), 0
            if prefix not in ("arXiv", "arXivRaw"):
                return 200, {}, oai_docs.oai_error("cannotDisseminateFormat", prefix, q)
            sel = {k: q[k] for k in ("from", "until", "set") if k in q}
        matching = self._window(sel)
        if not matching:
            return 200, {}, oai_docs.oai_error("noRecordsMatch", "no records in this window", q)
        page_no = start // self.page_size + 1
        if self.fail_page == page_no:
            return 500, {}, b"Internal Server Error"
        chunk = matching[start : start + self.page_size]
        xml = [
            oai_docs.oai_record(r, prefix, r["arxiv_id"] in self.deleted, self.prefix_versions.get(r["arxiv_id"], 1),
                                self.comments.get(r["arxiv_id"], ""))
            for r in chunk
        ]
        nxt = start + self.page_size
        token = None
        if nxt < len(matching):
            token = f"{prefix}|{nxt}|{sel.get('from', '')}|{sel.get('until', '')}|{sel.get('set', '')}"
        elif start > 0:
            token = ""  # the last page of a resumed list carries an empty token (OAI-PMH 3.5)
        body = oai_docs.list_records_page(xml, {"verb": "ListRecords"}, token, start, len(matching))
        if self.malformed_page == page_no:
            body = body[: len(body) // 2]
        if self.truncated_page == page_no:
            return 200, {"X-Truncate": "1"}, body
        return 200, {}, body

    # --- arXiv API ----------------------------------------------------------------------------
    def api(self, q: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.api_delay_seconds:
            time.sleep(self.api_delay_seconds)
        if self.api_gate is not None:
            self.api_gate.wait(timeout=60)
        by_id = {r["arxiv_id"]: r for r in self.records}
        entries = []
        for raw in q.get("id_list", "").split(","):
            base, _, v = raw.partition("v")
            if base in by_id:
                version = int(v) if v.isdigit() else self.prefix_versions.get(base, 1)
                entries.append(oai_docs.atom_entry(by_id[base], version, self.comments.get(base, "")))
            elif not base.replace(".", "").isdigit():
                entries.append(oai_docs.atom_error_entry(raw))
        return 200, {"Content-Type": "application/atom+xml"}, oai_docs.atom_feed(entries, f"id_list={q.get('id_list', '')}")

    # --- Hugging Face ---------------------------------------------------------------------------
    def hf(self, q: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        day = q.get("date", "")
        if day in self.hf_days:
            return 200, {"Content-Type": "application/json"}, self.hf_days[day]
        path = HF_FIXTURES / f"{day}.json"
        if path.is_file() and q.get("p", "0") == "0":
            return 200, {"Content-Type": "application/json"}, path.read_bytes()
        return 200, {"Content-Type": "application/json"}, b"[]"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        fake = self.server.fake
        fake.requests.append(self.path)
        route = {"/oai": fake.oai, "/api/query": fake.api, "/hfapi/daily_papers": fake.hf}.get(url.path)
        if route is None:
            status, headers, body = 404, {}, b"not found"
        else:
            status, headers, body = route(q)
        truncate = headers.pop("X-Truncate", None)
        self.send_response(status)
        for k, v in ({"Content-Type": "text/xml; charset=utf-8"} | headers).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if truncate:  # a connection cut mid-body: half the promised bytes, then close
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSources


class FakeServer:
    """Serves a FakeSources on 127.0.0.1 (random port) from a background thread."""

    def __init__(self, fake: FakeSources) -> None:
        self.fake = fake
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.fake = fake
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
