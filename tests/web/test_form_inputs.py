"""Forms posted with values the site's own pages never send (scripts, hand-edited requests,
ids pasted from elsewhere): each is read the way the pages read it, and a refused one stores nothing."""

from __future__ import annotations

from datetime import date

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper


def _collections(db) -> list[tuple[str, bool, int]]:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.name, c.is_public, (SELECT count(*) FROM collection_items i WHERE i.collection_id = c.id) "
            "FROM collections c ORDER BY c.id"
        ).all()
    return [(name, bool(public), n) for name, public, n in rows]


def test_a_new_collection_for_a_paper_we_do_not_hold_is_refused_without_an_empty_collection(client, db):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)))
    sign_in(client, "ada@example.org")
    for bad in ("2606.99999", "not an id"):
        r = post(client, "/collections", {"name": "To read", "arxiv_id": bad})
        assert r.status_code == 404, (bad, r.status_code)
    assert _collections(db) == []  # was: an empty "To read" left behind by each refused request


def test_a_paper_is_saved_by_any_form_of_its_id(client, db):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)), (make_paper("2606.00002"), date(2026, 6, 3)))
    sign_in(client, "ada@example.org")
    r = post(client, "/collections", {"name": "To read", "arxiv_id": "arXiv:2606.00001v2"})
    assert (r.status_code, r.headers["location"]) == (303, "/papers/2606.00001")
    with db.read() as conn:
        cid = conn.exec_driver_sql("SELECT uuid FROM collections").scalar_one()
    r = post(client, "/collections/save", {"collection": cid, "arxiv_id": " 2606.00002v3 "})
    assert (r.status_code, r.headers["location"]) == (303, "/papers/2606.00002")
    assert _collections(db) == [("To read", False, 2)]


def test_public_is_read_like_every_other_checkbox(client, db):
    sign_in(client, "ada@example.org")
    for value in ("0", "off", "false", ""):
        post(client, "/collections", {"name": f"private {value or 'empty'}", "public": value})
    post(client, "/collections", {"name": "shared", "public": "1"})
    # was: any non-empty value, "0" and "false" included, made the list public
    assert [(name, public) for name, public, _ in _collections(db)] == [
        ("private 0", False), ("private off", False), ("private false", False), ("private empty", False), ("shared", True),
    ]
    with db.read() as conn:
        cid = conn.exec_driver_sql("SELECT uuid FROM collections WHERE name = 'shared'").scalar_one()
    post(client, f"/collections/{cid}/edit", {"name": "shared", "public": "0"})
    assert ("shared", False, 0) in _collections(db)


def test_the_mine_box_and_the_remove_password_button_are_read_like_checkboxes(client, db):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)), (make_paper("2606.00002"), date(2026, 6, 3)))
    sign_in(client, "ada@example.org")
    post(client, "/me/interests/import", {"ids": "2606.00001", "mine": "0"})
    post(client, "/me/interests/import", {"ids": "2606.00002", "mine": "1"})
    with db.read() as conn:
        kinds = conn.exec_driver_sql(
            "SELECT p.arxiv_id, s.kind FROM rec_signals s JOIN papers p ON p.id = s.paper_id ORDER BY p.arxiv_id"
        ).all()
    assert [tuple(k) for k in kinds] == [("2606.00001", "library"), ("2606.00002", "mine")]  # was: both "mine"

    def has_password() -> bool:
        with db.read() as conn:
            return conn.exec_driver_sql("SELECT password_hash IS NOT NULL FROM accounts").scalar_one() in (1, True)

    assert post(client, "/profile/password", {"password": "correct horse battery"}).status_code == 303
    assert has_password()
    # was: any value of remove, "0" included, deleted the password instead of saving the new one
    assert post(client, "/profile/password", {"password": "another long passphrase", "remove": "0"}).status_code == 303
    assert has_password()
    assert post(client, "/profile/password", {"remove": "1"}).status_code == 303
    assert not has_password()


def test_export_reads_ids_as_typed_and_says_when_it_has_nothing_to_export(client, db):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)), (make_paper("2606.00002"), date(2026, 6, 3)))
    # was an empty CSV: ids were matched verbatim, so a version or an arXiv: prefix found nothing
    r = client.get("/export", params={"ids": "2606.00001v2, arXiv:2606.00002", "format": "csv"})
    assert r.status_code == 200
    assert [line.split(",")[0] for line in r.text.splitlines()[1:]] == ["2606.00001", "2606.00002"]
    for ids, status, says in [
        ("", 400, "Name the papers to export"),  # was an empty file
        ("2606.00001, not-an-id", 400, "Not arXiv ids: &#39;not-an-id&#39;"),  # was the one paper, silently
        ("2606.99999", 404, "None of these papers is here: 2606.99999"),  # was an empty file
    ]:
        r = client.get("/export", params={"ids": ids, "format": "bibtex"})
        assert (r.status_code, says in r.text) == (status, True), (ids, r.status_code, r.text[-600:])


def test_a_reply_to_a_comment_deleted_meanwhile_keeps_its_text_and_can_be_posted_on_the_paper(client, db):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)))
    author = sign_in(client, "ada@example.org")
    discussion = client.app.state.services.community.discussion
    parent = discussion.add(author, "2606.00001", "First!")
    discussion.delete(author, parent.uuid)
    body = "A long and careful reply that took a while to write."
    r = post(client, "/comments", {"arxiv_id": "2606.00001", "body": body, "reply_to": parent.uuid})
    # was the bare 404 page ("There is nothing at this address"), the typed text lost
    assert r.status_code == 404 and "has been deleted" in r.text and body in r.text
    assert 'name="reply_to" value=""' in r.text  # "Try again" posts it on the paper
    r = post(client, "/comments", {"arxiv_id": "2606.00001", "body": body, "reply_to": ""})
    assert r.status_code == 303
    r = post(client, "/comments", {"arxiv_id": "2606.00001", "body": body, "reply_to": "no-such-comment"})
    assert r.status_code == 404 and body in r.text


def test_ban_and_hide_take_only_an_explicit_yes_or_no(client, db):
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)))
    member = sign_in(client, "member@example.org")
    comment = client.app.state.services.community.discussion.add(member, "2606.00001", "First!")
    sign_in(client, "boss@example.org", role="admin")
    accounts = client.app.state.services.community.accounts
    for value in ("false", "off"):  # was: anything but "0" meant yes, so these banned and hid
        assert post(client, f"/admin/users/{member.uuid}/ban", {"banned": value}).status_code == 303
        assert not accounts.get_by_uuid(member.uuid).is_banned, value
        assert post(client, f"/comments/{comment.uuid}/hide", {"hidden": value}).status_code == 303
    for value in ("maybe", "2"):  # (an empty field is read as no field: the ban button sends none)
        r = post(client, f"/admin/users/{member.uuid}/ban", {"banned": value})
        assert r.status_code == 400 and "banned must be 1 or 0" in r.text, (value, r.status_code)
        assert not accounts.get_by_uuid(member.uuid).is_banned, value
        r = post(client, f"/comments/{comment.uuid}/hide", {"hidden": value})
        assert r.status_code == 400 and "hidden must be 1 or 0" in r.text, (value, r.status_code)
    assert "[hidden by a moderator]" not in client.get("/papers/2606.00001").text
    assert post(client, f"/admin/users/{member.uuid}/ban", {"banned": "yes"}).status_code == 303
    assert accounts.get_by_uuid(member.uuid).is_banned
    assert post(client, f"/admin/users/{member.uuid}/ban", {"banned": "0"}).status_code == 303
    assert not accounts.get_by_uuid(member.uuid).is_banned


def test_the_trending_box_is_read_like_every_other_checkbox(client):
    r = post(client, "/subscribe", {"email": "ada@example.org", "trending": "off"})
    # was: any value but "0" asked for trending papers, so this subscription went through
    assert r.status_code == 400 and "at least one category" in r.text, r.status_code


def test_a_curator_removes_a_listing_by_any_form_of_its_id(client, db):
    add_papers(db, (make_paper("2606.00001", title="Listed paper"), date(2026, 6, 3)))
    sign_in(client, "cur@example.org", role="curator")
    r = post(client, "/moderation/remove-listing", {"arxiv_id": "not an id", "day": "2026-06-03"})
    assert r.status_code == 400 and "Use an id like 2405.12345" in r.text
    r = post(client, "/moderation/remove-listing", {"arxiv_id": " arXiv:2606.00001v2 ", "day": "2026-06-03"})
    assert (r.status_code, r.headers["location"]) == (303, "/papers/date/2026-06-03")  # was: 404
    assert "Listed paper" not in client.get("/papers/date/2026-06-03").text
