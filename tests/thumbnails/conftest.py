"""A stand-in for arxiv.org/pdf over real local HTTP, serving small PDFs drawn with Pillow."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image, ImageDraw


def make_pdf(label: str) -> bytes:
    """A one-page US-letter PDF with a dark title bar, a heading and a "figure" box."""
    page = Image.new("RGB", (612, 792), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((60, 60, 552, 110), fill=(20, 40, 120))
    draw.text((70, 130), label, fill="black")
    draw.rectangle((100, 200, 512, 400), outline="black", width=4)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=72)
    return out.getvalue()


def raw_pdf(*objects: str) -> bytes:
    """A PDF file around ``objects`` (object 1 is the catalog), with a correct cross-reference table,
    for the documents Pillow will not write: damaged page trees, absurd page sizes."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def sized_pdf(width_pt: float, height_pt: float) -> bytes:
    """One blank page of ``width_pt`` × ``height_pt``."""
    return raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width_pt} {height_pt}] >>")


# The page tree says one page, but the page is a number: the document opens, page 1 does not load.
PAGE_NOT_A_PAGE = raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "42")


PDF_HEADER = b"%PDF-1.4\n"


@dataclass
class Slow:
    """A body sent in ``chunk``-byte pieces with ``pause_s`` between them (a slow or stalling server);
    ``length`` bytes in all, announced in Content-Length unless ``chunked`` (then sent chunked, size unknown)."""

    body: bytes = b""
    length: int = 0
    chunk: int = 1024 * 1024
    pause_s: float = 0.0
    chunked: bool = False
    sent: int = 0  # bytes the client took before it hung up

    @property
    def size(self) -> int:
        return len(self.body) if self.body else len(PDF_HEADER) + self.length

    def pieces(self) -> Iterator[bytes]:
        if self.body:
            yield from (self.body[i : i + self.chunk] for i in range(0, len(self.body), self.chunk))
            return
        yield PDF_HEADER
        filler = b"0" * self.chunk  # made once: a huge body is not held in memory here either
        for i in range(0, self.length, self.chunk):
            yield filler[: min(self.chunk, self.length - i)]


class PdfServer:
    """``GET /pdf/<id>`` answers the PDF registered for ``id`` (raw bytes, or a :class:`Slow` stream)
    or 404; requests are logged."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes | Slow] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # chunked bodies need it, as arXiv's own server speaks it

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                body = server.bodies.get(self.path.removeprefix("/pdf/"))
                if isinstance(body, Slow):
                    self._stream(body)
                    return
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def _stream(self, slow: Slow) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                if slow.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(slow.size))
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for piece in slow.pieces():
                        time.sleep(slow.pause_s)
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if slow.chunked else piece)
                        slow.sent += len(piece)
                    if slow.chunked:
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def pdf_server() -> Iterator[PdfServer]:
    server = PdfServer()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
