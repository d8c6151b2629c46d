"""The thumbnail job end to end: PDFs over local HTTP → WebP files → cards and /thumbs, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from papertide.app import create_app
from papertide.config import Settings
from papertide.services import Edges, build_services
from papertide.storage import thumbnails as thumb_store
from papertide.storage.tables.thumbnails import paper_thumbnails
from papertide.thumbnails.render import RenderError, render_first_page
from papertide.thumbnails.service import MAX_ATTEMPTS, MAX_PDF_BYTES, ThumbnailRun, ThumbnailService
from tests.factories import add_papers, make_paper
from tests.thumbnails.conftest import PAGE_NOT_A_PAGE, Slow, make_pdf


def _settings(settings: Settings, pdf_server, **more) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(update={
        "thumbnails_enabled": True, "thumbnails_pdf_url": pdf_server.url + "/pdf/{id}",
        "ingest_delay_seconds": 0, "ingest_max_retries": 0, **more,
    })


def test_page_one_becomes_a_400_by_300_webp():
    webp = render_first_page(make_pdf("Hello"))
    image = Image.open(io.BytesIO(webp))
    assert (image.format, image.size) == ("WEBP", (400, 300))
    # The dark title bar of the page is at the top of the thumbnail.
    assert max(image.convert("RGB").getpixel((200, 55))) < 140
    assert min(image.convert("RGB").getpixel((200, 20))) > 200  # the white margin above it
    assert len(webp) < 30_000


@pytest.mark.parametrize("body", [b"", b"<html>not found</html>", b"%PDF-1.4 truncated", PAGE_NOT_A_PAGE])
def test_what_is_not_a_pdf_is_a_render_error(body):
    with pytest.raises(RenderError):
        render_first_page(body)


@pytest.mark.parametrize(("width_pt", "height_pt"), [(4, 5000), (5000, 1), (0.01, 0.01)])
def test_odd_page_sizes_draw_a_card_sized_picture_in_little_memory(width_pt, height_pt):
    # Only the top of page 1 is shown, so only the top is drawn: a 4 × 5000 pt page drawn whole at the
    # card's scale is a 2.4 GB bitmap. A child process with 1 GiB of address space shows the difference.
    script = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from PIL import Image
        import io
        from papertide.thumbnails.render import render_first_page
        from tests.thumbnails.conftest import sized_pdf
        print(Image.open(io.BytesIO(render_first_page(sized_pdf({width_pt}, {height_pt})))).size)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    width, height = eval(done.stdout)  # noqa: S307 (our own child's print of a tuple)
    assert width == 400 and 1 <= height <= 300


def test_the_job_renders_listed_papers_and_cards_show_them(db, settings, pdf_server):
    add_papers(db, (make_paper("2606.00001", title="Rendered"), date(2026, 6, 2)),
               (make_paper("2606.00002", title="Missing PDF"), date(2026, 6, 1)),
               (make_paper("hep-th/9901001", title="Old style"), date(2026, 6, 2)),
               make_paper("2606.00009", title="Never listed"))
    pdf_server.bodies.update({"2606.00001": make_pdf("2606.00001"), "hep-th/9901001": make_pdf("old")})
    services = build_services(_settings(settings, pdf_server), Edges(db=db))
    run = services.jobs.run_now("thumbnails.render")
    assert run is not None and run.outcome == "succeeded", run
    # Newest listing first; the unlisted paper is never fetched.
    assert sorted(pdf_server.requests) == ["/pdf/2606.00001", "/pdf/2606.00002", "/pdf/hep-th/9901001"]
    assert pdf_server.requests[-1] == "/pdf/2606.00002"
    thumbs = settings.data_dir / "thumbs"
    assert sorted(p.name for p in thumbs.iterdir()) == ["2606.00001.webp", "hep-th_9901001.webp"]
    with db.read() as conn:
        assert thumb_store.outcomes(conn) == {"ok": 2, "failed": 1}

    with TestClient(create_app(services=services)) as client:
        home = client.get("/papers/date/2026-06-02").text
        assert '<img src="/thumbs/2606.00001.webp"' in home and '<img src="/thumbs/hep-th_9901001.webp"' in home
        other = client.get("/papers/date/2026-06-01").text
        assert "/thumbs/2606.00002.webp" not in other and 'class="thumb-placeholder' in other
        r = client.get("/thumbs/2606.00001.webp")
        assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
        assert r.headers["cache-control"].startswith("public, max-age=2592000")
        assert r.content == (thumbs / "2606.00001.webp").read_bytes()
        assert client.head("/thumbs/hep-th_9901001.webp").status_code == 200
        # A browser revalidating its copy (after max-age, or on reload) is answered 304 with no body.
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        for asked in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'},
                      {"If-Modified-Since": modified}):
            again = client.get("/thumbs/2606.00001.webp", headers=asked)
            assert (again.status_code, again.content) == (304, b""), asked
            assert again.headers["etag"] == etag and again.headers["cache-control"] == r.headers["cache-control"]
        for stale in ({"If-None-Match": '"other"'}, {"If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"},
                      {"If-None-Match": '"other"', "If-Modified-Since": modified}):  # If-None-Match decides
            assert client.get("/thumbs/2606.00001.webp", headers=stale).content == r.content, stale
        for missing in ("/thumbs/2606.00002.webp", "/thumbs/..webp", "/thumbs/%2E%2E%2Fpapertide.db.webp"):
            assert client.get(missing).status_code == 404, missing

    # A second run fetches nothing: the rendered ones are done, the failed one waits a day.
    pdf_server.requests.clear()
    services.thumbnails.run()
    assert pdf_server.requests == []
    services.close()


def test_a_pdf_whose_first_page_cannot_be_drawn_fails_alone(db, settings, pdf_server):
    # The newest listed paper's PDF opens but its page 1 does not load; the run goes on to the next.
    add_papers(db, (make_paper("2606.00003"), date(2026, 6, 3)), (make_paper("2606.00001"), date(2026, 6, 1)))
    pdf_server.bodies.update({"2606.00003": PAGE_NOT_A_PAGE, "2606.00001": make_pdf("fine")})
    service = ThumbnailService(db, _settings(settings, pdf_server))
    assert service.run() == ThumbnailRun(rendered=1, failed=1)
    assert pdf_server.requests == ["/pdf/2606.00003", "/pdf/2606.00001"]
    assert service.url("2606.00001") and service.url("2606.00003") is None
    with db.read() as conn:
        assert thumb_store.outcomes(conn) == {"ok": 1, "failed": 1}
    service.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["announced", "chunked"])
def test_a_pdf_over_the_size_limit_is_not_downloaded(db, settings, pdf_server, chunked):
    # Three times the limit: announced in Content-Length it is refused before its body, sent chunked
    # (size unknown) the download stops at the limit. Either way the paper fails and says why.
    huge = Slow(length=3 * MAX_PDF_BYTES, chunked=chunked)
    add_papers(db, (make_paper("2606.00004"), date(2026, 6, 4)))
    pdf_server.bodies["2606.00004"] = huge
    service = ThumbnailService(db, _settings(settings, pdf_server))
    assert service.run() == ThumbnailRun(rendered=0, failed=1)
    with db.read() as conn:
        message = conn.execute(sa.select(paper_thumbnails.c.message)).scalar_one()
    assert f"more than the {MAX_PDF_BYTES} bytes" in message, message
    # What the server got out before we hung up: socket buffers at most past the limit, not the body.
    assert huge.sent < (1.5 * MAX_PDF_BYTES if chunked else 0.5 * MAX_PDF_BYTES), huge.sent
    service.close()


def test_a_server_that_trickles_a_pdf_is_given_up_on_after_the_request_timeout(db, settings, pdf_server):
    # Every piece arrives well within the timeout, but the whole PDF would take ~8 s: INGEST_TIMEOUT_SECONDS
    # is per request, so the request ends after it and the run goes on (a stalling mirror cannot hold the job).
    trickle = Slow(body=make_pdf("slow"), chunk=512, pause_s=0.25)
    add_papers(db, (make_paper("2606.00005"), date(2026, 6, 5)), (make_paper("2606.00001"), date(2026, 6, 1)))
    pdf_server.bodies.update({"2606.00005": trickle, "2606.00001": make_pdf("fine")})
    service = ThumbnailService(db, _settings(settings, pdf_server, ingest_timeout_seconds=1))
    started = time.monotonic()
    assert service.run() == ThumbnailRun(rendered=1, failed=1)
    assert time.monotonic() - started < 4
    with db.read() as conn:
        message = conn.execute(sa.select(paper_thumbnails.c.message)
                               .where(paper_thumbnails.c.status == "failed")).scalar_one()
    assert "took longer than 1 s" in message, message
    service.close()


def test_a_thumbnail_whose_file_is_gone_is_rendered_again(db, settings, pdf_server):
    # The file deleted by an admin (or left behind by a restore or `db copy` onto another disk) while its
    # row still says rendered: the next run renders it again instead of leaving the placeholder for good.
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 1)), (make_paper("hep-th/9901001"), date(2026, 6, 1)))
    pdf_server.bodies.update({"2606.00001": make_pdf("one"), "hep-th/9901001": make_pdf("old")})
    service = ThumbnailService(db, _settings(settings, pdf_server))
    assert service.run() == ThumbnailRun(rendered=2)
    service.path("hep-th/9901001").unlink()
    pdf_server.requests.clear()
    assert service.run() == ThumbnailRun(rendered=1)
    assert pdf_server.requests == ["/pdf/hep-th/9901001"] and service.url("hep-th/9901001")
    # The whole folder gone: everything again; then nothing more to do.
    for path in service.dir.iterdir():
        path.unlink()
    service.dir.rmdir()
    assert service.run() == ThumbnailRun(rendered=2)
    assert service.run() == ThumbnailRun()
    with db.read() as conn:
        assert thumb_store.outcomes(conn) == {"ok": 2}
    service.close()


def test_a_failed_paper_is_retried_after_a_day_and_at_most_three_times(db, settings, pdf_server):
    add_papers(db, (make_paper("2606.00002"), date(2026, 6, 1)))
    now = [datetime(2026, 6, 2, tzinfo=UTC)]
    service = ThumbnailService(db, _settings(settings, pdf_server), clock=lambda: now[0])
    for _ in range(MAX_ATTEMPTS + 2):
        service.run()
        service.run()  # within the day: no new try
        now[0] += timedelta(days=1, minutes=1)
    assert pdf_server.requests == ["/pdf/2606.00002"] * MAX_ATTEMPTS
    service.close()


def test_nothing_is_fetched_offline_and_the_job_is_off_by_default(db, settings, pdf_server):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 1)))
    offline = ThumbnailService(db, _settings(settings, pdf_server, ingest_offline=True))
    assert offline.run().skipped.startswith("offline")
    assert pdf_server.requests == []
    services = build_services(settings, Edges(db=db))
    assert not services.jobs.jobs["thumbnails.render"].enabled
    services.close()
    online = build_services(_settings(settings, pdf_server), Edges(db=db))
    assert online.jobs.jobs["thumbnails.render"].enabled
    online.close()
    offline_services = build_services(_settings(settings, pdf_server, ingest_offline=True), Edges(db=db))
    assert not offline_services.jobs.jobs["thumbnails.render"].enabled
    offline_services.close()
