"""Times read from PostgreSQL are in UTC whatever time zone the server or database is set to.

initdb writes the machine's own zone into postgresql.conf, so a database on a server in Berlin or
Sydney hands timestamps back in that zone: pages labelled "UTC" showed local times and dates taken
from them (the upvote sparkline's days) moved to the next or previous day.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from papertide.config import Settings
from papertide.storage import papers as papers_store
from papertide.storage import users as users_store
from papertide.storage.db import Database
from papertide.storage.schema import upvotes
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, app_for, make_paper

_names = itertools.count()
FAR_EAST = "Pacific/Kiritimati"  # UTC+14: every time from 10:00 UTC on is the next day there


@pytest.fixture
def far_east_db(pg_server) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A database whose own default time zone is UTC+14, as ALTER DATABASE or the server's config sets it."""
    name = f"pt_tz_{os.getpid()}_{next(_names)}"
    pg_server.create(name)
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {name} SET TimeZone TO '{FAR_EAST}'")
    db = Database(pg_server.url(name))
    yield db
    db.dispose()
    pg_server.drop(name)


def test_a_votes_day_on_the_sparkline_is_its_utc_day(tmp_path, far_east_db):
    settings = Settings(data_dir=tmp_path, database_url=far_east_db.url, _env_file=None)  # type: ignore[call-arg]
    add_papers(far_east_db, (make_paper("2606.00001", upvotes_baseline=30), date(2026, 6, 1)))
    voted = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)  # 02:00 on 2026-06-03 in Kiritimati
    with far_east_db.write() as conn:
        user, _ = users_store.find_or_create_user(conn, "ada@example.org")
        paper_id = papers_store.paper_row_id(conn, "2606.00001")
        conn.execute(sa.insert(upvotes).values(user_id=user.id, paper_id=paper_id, created_at=voted))
    catalog = app_for(settings, far_east_db).state.services.catalog
    entry = catalog.paper("2606.00001")
    assert entry is not None
    history = catalog.upvote_history(entry, now=datetime(2026, 6, 4, 9, tzinfo=UTC))
    assert history.points == ((date(2026, 6, 1), 30), (date(2026, 6, 2), 31), (date(2026, 6, 4), 31))
    with far_east_db.read() as conn:
        assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"


def test_comment_times_on_the_paper_page_are_utc(tmp_path, far_east_db):
    settings = Settings(data_dir=tmp_path, database_url=far_east_db.url, _env_file=None)  # type: ignore[call-arg]
    add_papers(far_east_db, (make_paper("2606.00001"), date(2026, 6, 1)))
    with TestClient(app_for(settings, far_east_db)) as client:
        sign_in(client, "ada@example.org")
        assert post(client, "/comments", {"arxiv_id": "2606.00001", "body": "When was this?"}).status_code == 303
        html = client.get("/papers/2606.00001").text
    [(stamp, shown)] = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    posted = datetime.fromisoformat(stamp)
    assert posted.utcoffset() == timedelta(0)
    assert abs(posted - datetime.now(UTC)) < timedelta(minutes=5)
    assert shown == posted.strftime("%Y-%m-%d %H:%M")
