"""A digest (its archive page, as its mail) reads TeX titles as TeX prints them: "\\log n" is "log n"."""

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from papertide.domain.subscriptions import Preferences
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, app_for, make_paper

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)


def test_the_digest_archive_page_renders_tex_titles(sqlite_mail_settings, sqlite_db, smtp_sink):
    add_papers(sqlite_db, (make_paper("2606.00011", title=r"Sorting in $\mathcal{O}(n \log n)$ time",
                                      upvotes_baseline=30), date(2026, 6, 4)))
    confirmed_subscribers(sqlite_db, 1, Preferences(trending=True))
    app = app_for(sqlite_mail_settings, sqlite_db)
    assert app.state.services.digests.run(THURSDAY).composed == 1
    with TestClient(app) as client:
        page = client.get("/digests/2026-06-04").text
    # The archive keeps the plain reading a mail reader sees; the operator reads as TeX prints it.
    assert "Sorting in O(n log n) time" in page and r"\mathcal" not in page
