"""A digest's archive page lists its papers as level-2 headings under the page's h1."""

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from papertide.domain.subscriptions import Preferences
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, app_for, make_paper
from tests.web.test_heading_levels import skipped_levels

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)


def test_the_digest_archive_page_never_skips_a_heading_level(sqlite_mail_settings, sqlite_db, smtp_sink):
    add_papers(sqlite_db, (make_paper("2606.00011", title="Sorting in linear time", upvotes_baseline=30), date(2026, 6, 4)))
    confirmed_subscribers(sqlite_db, 1, Preferences(trending=True))
    app = app_for(sqlite_mail_settings, sqlite_db)
    assert app.state.services.digests.run(THURSDAY).composed == 1
    with TestClient(app) as client:
        page = client.get("/digests/2026-06-04").text
    assert "Sorting in linear time" in page
    assert skipped_levels(page) == []
