"""A curator taking all of a spammer's submissions off the daily lists at once, from the member's
profile (both databases): for one day or the recent days, logged with every paper it removed,
each staying off that day's list as a single removal does."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from papertide.domain.papers import Listing
from papertide.domain.submissions import WITHDRAWN
from papertide.storage import listings as listings_store
from papertide.storage import paper_requests as requests_store
from papertide.storage import papers as papers_store
from papertide.storage import submissions as submissions_store
from papertide.storage import users as users_store
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

NOW = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)
TODAY, YESTERDAY, EARLIER = date(2026, 6, 10), date(2026, 6, 9), date(2026, 6, 5)
JUNK = [f"2606.0100{n}" for n in range(6)]  # what the bot submits
HONEST, IMPORTED = "2606.02001", "2606.02002"


@pytest.fixture
def papers(db, app):  # type: ignore[no-untyped-def]
    add_papers(db, *(make_paper(aid, title=f"Junk {aid}", published=EARLIER) for aid in JUNK),
               make_paper(HONEST, title="An honest submission", published=YESTERDAY),
               (make_paper(IMPORTED, title="From the daily import", published=YESTERDAY), TODAY))
    community = app.state.services.community
    for service in (community.accounts, community.submissions, community.discussion):
        service.now = lambda: NOW
    return db


def _list_as(db, user, arxiv_id: str, day: date) -> None:  # type: ignore[no-untyped-def]
    """A submission on an earlier day (the form only lists on today's)."""
    with db.write() as conn:
        paper_id = papers_store.paper_row_id(conn, arxiv_id)
        assert submissions_store.add_submission(conn, paper_id, day, user.id, user.display_name)


def _wave(client, db):  # type: ignore[no-untyped-def]
    """The bot's submissions: two today (through the form), two yesterday, one five days ago; and
    another member's honest one today."""
    spammer = TestClient(client.app)
    bot = sign_in(spammer, "bot@spam.example")
    for aid in JUNK[:2]:
        assert post(spammer, "/submit", {"paper": aid}).status_code == 200
    for aid in JUNK[2:4]:
        _list_as(db, bot, aid, YESTERDAY)
    _list_as(db, bot, JUNK[4], EARLIER)
    reader = TestClient(client.app)
    sign_in(reader, "reader@example.org")
    assert post(reader, "/submit", {"paper": HONEST}).status_code == 200
    curator = sign_in(client, "curator@example.org", role="curator")
    return bot, curator, spammer, reader


def _listed(client, day: date) -> set[str]:  # type: ignore[no-untyped-def]
    page = TestClient(client.app).get(f"/papers/date/{day.isoformat()}").text
    return set(re.findall(r'href="/papers/(2606\.\d{5})"', page)) & {*JUNK, HONEST, IMPORTED}


def _remove(client, member, first: date, last: date | None = None, **extra):  # type: ignore[no-untyped-def]
    data = {"first": first.isoformat(), "next": f"/users/{member.uuid}#moderation", **extra}
    if last is not None:
        data["last"] = last.isoformat()
    return post(client, f"/admin/users/{member.uuid}/listings/remove", data)


def _entries(client, curator):  # type: ignore[no-untyped-def]
    log = client.app.state.services.community.accounts.audit_log(curator)
    return [(e.target, e.detail) for e in log if e.action == "listings.remove_all"]


def test_a_curator_removes_a_spammers_submissions_for_a_day_then_for_the_recent_days(client, papers):
    bot, curator, spammer, reader = _wave(client, papers)
    profile = client.get(f"/users/{bot.uuid}").text
    offered = re.findall(r"<li>(\d{4}-\d\d-\d\d): (\d) papers? <details", profile)
    assert offered == [("2026-06-10", "2"), ("2026-06-09", "2"), ("2026-06-05", "1")]
    assert "Remove all 5 from these days" in profile
    # Each day's button says which day it empties: three "Remove from that day's list" read alike
    # to a screen reader going from button to button.
    assert re.findall(r'<summary class="button danger">(Remove from[^<]*)</summary>', profile) == [
        "Remove from the list of 2026-06-10", "Remove from the list of 2026-06-09", "Remove from the list of 2026-06-05"]

    for _ in range(2):  # a double click: removed and logged once
        r = _remove(client, bot, TODAY)
        assert (r.status_code, r.headers["location"]) == (303, f"/users/{bot.uuid}?done=listings-removed#moderation")
    assert _listed(client, TODAY) == {HONEST, IMPORTED}
    assert _entries(client, curator) == [
        (f"user:{bot.uuid}", f"2 listings by {bot.display_name}, 2026-06-10: 2026-06-10: {JUNK[0]}, {JUNK[1]}")]
    # It stays off today's list, as a single removal does: the bot cannot put it back.
    r = post(spammer, "/submit", {"paper": JUNK[0]})
    assert r.status_code == 400 and "A curator removed this paper from today" in r.text

    r = _remove(client, bot, EARLIER, TODAY)
    assert r.status_code == 303
    assert _listed(client, YESTERDAY) == set() and _listed(client, EARLIER) == set()
    assert _entries(client, curator)[0] == (
        f"user:{bot.uuid}",
        f"3 listings by {bot.display_name}, 2026-06-05 to 2026-06-10: 2026-06-09: {JUNK[2]}, {JUNK[3]}; 2026-06-05: {JUNK[4]}")
    profile = client.get(f"/users/{bot.uuid}").text
    assert "Their submissions, last two weeks" not in profile and "listings.remove_all" not in profile
    assert "listings.remove_all" in client.get("/admin", params={"member": bot.uuid}).text
    # A curator who removed too much lists a paper again from /submit, as after a single removal.
    assert post(client, "/submit", {"paper": JUNK[0]}).status_code == 200
    assert JUNK[0] in _listed(client, TODAY)


def test_a_bulk_removal_withdraws_requests_still_being_fetched_and_keeps_imports_from_relisting(client, papers):
    bot, curator, spammer, reader = _wave(client, papers)
    with papers.write() as conn:
        assert requests_store.create(conn, "2606.09999", TODAY, bot.id)
    assert _remove(client, bot, TODAY).status_code == 303
    with papers.read() as conn:
        assert requests_store.open_requests(conn) == []
    mine = client.app.state.services.community.submissions.requests_of(bot)
    assert [(r.arxiv_id, r.status, r.message) for r in mine] == [("2606.09999", "failed", WITHDRAWN)]
    assert _entries(client, curator)[0][1].endswith("; 1 request being fetched withdrawn: 2606.09999")
    # The next import of the day lists what arXiv listed, but not what the curator took off.
    with papers.write() as conn:
        ids = {a: papers_store.paper_row_id(conn, a) for a in (JUNK[0], IMPORTED)}
        listings_store.upsert_listings(conn, [Listing(JUNK[0], TODAY, 1), Listing(IMPORTED, TODAY, 2)], ids)
    assert _listed(client, TODAY) == {HONEST, IMPORTED}


def test_a_member_whose_submissions_are_all_still_being_fetched_gets_the_buttons_too(client, papers):
    """A bot submitting ids we do not hold yet has every one still being fetched: the panel read only
    the lists and offered nothing, though the removal withdraws those fetches."""
    spammer = TestClient(client.app)
    bot = sign_in(spammer, "bot@spam.example")
    with papers.write() as conn:
        for aid, day in (("2606.09997", TODAY), ("2606.09998", TODAY), ("2606.09999", YESTERDAY)):
            assert requests_store.create(conn, aid, day, bot.id)
    _list_as(papers, bot, JUNK[0], YESTERDAY)
    sign_in(client, "curator@example.org", role="curator")
    profile = client.get(f"/users/{bot.uuid}").text
    offered = re.findall(r"<li>(\d{4}-\d\d-\d\d): ([^<]*?) <details", profile)
    assert offered == [("2026-06-10", "2 still being fetched"), ("2026-06-09", "1 paper, 1 still being fetched")]
    assert "Remove all 4 from these days" in profile
    assert _remove(client, bot, TODAY).status_code == 303
    mine = client.app.state.services.community.submissions.requests_of(bot)
    assert sorted((r.arxiv_id, r.status) for r in mine) == [
        ("2606.09997", "failed"), ("2606.09998", "failed"), ("2606.09999", "fetching")]
    offered = re.findall(r"<li>(\d{4}-\d\d-\d\d): ([^<]*?) <details", client.get(f"/users/{bot.uuid}").text)
    assert offered == [("2026-06-09", "1 paper, 1 still being fetched")]


def test_only_moderators_remove_a_members_submissions(client, papers):
    bot, curator, spammer, reader = _wave(client, papers)
    for who in (reader, spammer):
        assert _remove(who, bot, TODAY).status_code == 403
        assert "/listings/remove" not in who.get(f"/users/{bot.uuid}").text
    assert "/listings/remove" not in TestClient(client.app).get(f"/users/{bot.uuid}").text
    r = client.post(f"/admin/users/{bot.uuid}/listings/remove", data={"first": TODAY.isoformat()},
                    follow_redirects=False)
    assert r.status_code == 403  # without the form's token, even a curator's request is refused
    assert _remove(client, bot, TODAY, YESTERDAY).status_code == 400  # backwards
    r = _remove(client, bot, TODAY - timedelta(days=31), TODAY)
    assert r.status_code == 400 and "at most 31 days" in r.text
    assert post(client, f"/admin/users/{bot.uuid}/listings/remove", {"first": "yesterday"}).status_code == 422
    assert post(client, "/admin/users/no-such-member/listings/remove", {"first": "2026-06-10"}).status_code == 404
    assert _listed(client, TODAY) == {JUNK[0], JUNK[1], HONEST, IMPORTED}
    assert _entries(client, curator) == []
    # Without a next, back to the member's profile.
    r = post(client, f"/admin/users/{bot.uuid}/listings/remove", {"first": "2026-06-10"})
    assert r.headers["location"] == f"/users/{bot.uuid}?done=listings-removed#moderation"


def test_removing_a_members_listings_in_storage_takes_only_theirs_in_the_span(db):  # type: ignore[no-untyped-def]
    add_papers(db, *(make_paper(aid) for aid in (*JUNK, HONEST)))
    with db.write() as conn:
        bot, _ = users_store.find_or_create_user(conn, "bot@spam.example")
        other, _ = users_store.find_or_create_user(conn, "reader@example.org")
        pid = {a: papers_store.paper_row_id(conn, a) for a in (*JUNK, HONEST)}
        for aid, day in ((JUNK[0], TODAY), (JUNK[1], TODAY), (JUNK[2], YESTERDAY), (JUNK[3], EARLIER)):
            submissions_store.add_submission(conn, pid[aid], day, bot.id, "bot")
        submissions_store.add_submission(conn, pid[HONEST], TODAY, other.id, "reader")
        assert submissions_store.listing_days_by(conn, bot.id, YESTERDAY, TODAY) == [(TODAY, 2), (YESTERDAY, 1)]
        removed = submissions_store.remove_listings_by(conn, bot.id, YESTERDAY, TODAY)
        assert sorted(removed) == [(JUNK[0], TODAY), (JUNK[1], TODAY), (JUNK[2], YESTERDAY)]
        assert submissions_store.remove_listings_by(conn, bot.id, YESTERDAY, TODAY) == []
        assert [submissions_store.was_removed(conn, pid[a], d) for a, d in ((JUNK[0], TODAY), (JUNK[3], EARLIER))] == [
            True, False]
        assert submissions_store.listing_days_by(conn, bot.id, EARLIER, TODAY) == [(EARLIER, 1)]
        assert submissions_store.paper_ids_listed_on(conn, TODAY) == {pid[HONEST]}
        requests_store.create(conn, "2606.09998", TODAY, bot.id)
        requests_store.create(conn, "2606.09997", EARLIER, bot.id)
        requests_store.create(conn, "2606.09996", TODAY, other.id)
        assert requests_store.withdraw_open_by(conn, bot.id, YESTERDAY, TODAY, WITHDRAWN) == ["2606.09998"]
        assert requests_store.withdraw_open_by(conn, bot.id, YESTERDAY, TODAY, WITHDRAWN) == []
        assert sorted(r.arxiv_id for r in requests_store.open_requests(conn)) == ["2606.09996", "2606.09997"]
