"""The signals' web side through the real app: Not interested (htmx and plain POST), This is my
paper, Follow buttons, /me/interests (import, remove, pause, reset), Download my data and Delete
my account."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from tests.community.conftest import csrf, post, sign_in
from tests.factories import add_papers, make_paper

TODAY = datetime.now(UTC).date()


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """Offline: an import's unknown ids stay pending instead of reaching for the real arXiv after
    the response (the fetch itself is tested against a fake arXiv in tests/recs/test_signals.py)."""
    return settings.model_copy(update={"ingest_offline": True})


def _papers(client):  # type: ignore[no-untyped-def]
    db = client.app.state.services.db
    add_papers(db, (make_paper("2606.00001", title="First listed"), TODAY),
               (make_paper("2606.00002", title="Second listed"), TODAY),
               make_paper("hep-th/9901001", title="Old style"))


def test_signed_out_visitors_are_sent_to_sign_in(client):
    _papers(client)
    r = client.get("/me/interests", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/auth/sign-in?next=/me/interests"
    assert post(client, "/papers/2606.00001/not-interested").status_code == 303
    assert 'class="inline not-interested"' not in client.get("/").text
    assert client.get("/me/data.json", follow_redirects=False).status_code == 303


def test_not_interested_swaps_to_undo_with_htmx_and_redirects_back_without(client):
    _papers(client)
    sign_in(client, "ada@example.org")
    home = client.get("/").text
    assert 'action="/papers/2606.00001/not-interested"' in home
    r = client.post("/papers/2606.00001/not-interested", data={"next": "/trending"},
                    headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)})
    assert r.status_code == 200
    assert 'action="/papers/2606.00001/not-interested/undo"' in r.text and ">Undo</button>" in r.text
    assert 'name="next" value="/trending"' in r.text
    assert 'action="/papers/2606.00001/not-interested/undo"' in client.get("/").text
    r = post(client, "/papers/2606.00001/not-interested/undo", {"next": "/?p=1"})
    assert (r.status_code, r.headers["location"]) == (303, "/?p=1#paper-2606.00001")
    r = post(client, "/papers/hep-th/9901001/not-interested", {"next": "https://evil.example/"})
    assert (r.status_code, r.headers["location"]) == (303, "/papers/hep-th/9901001")  # never off-site
    assert "Old style" in client.get("/me/interests").text
    assert post(client, "/papers/2606.09999/not-interested").status_code == 404


def test_forms_without_the_csrf_token_are_refused(client):
    _papers(client)
    sign_in(client, "ada@example.org")
    r = client.post("/papers/2606.00001/not-interested", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert client.post("/me/delete", data={"email": "ada@example.org"}).status_code == 403


def test_a_token_or_signature_in_any_script_is_refused_not_a_server_error(client):
    _papers(client)
    # compare_digest raises on non-ASCII str: the form field, the header and the session cookie
    # are whatever a client sends.
    assert client.post("/auth/sign-in/link", data={"csrf_token": "\u00e9", "email": "a@b.org"}).status_code == 403
    assert client.post("/auth/sign-in/link", data={"email": "a@b.org"},
                       headers={"X-CSRF-Token": "\u00e9".encode("latin-1")}).status_code == 403
    sign_in(client, "ada@example.org")
    assert client.post("/me/interests/pause", data={"csrf_token": "t\u00f6ken"}).status_code == 403
    client.cookies.clear()
    r = client.get("/me/interests", follow_redirects=False, headers={"cookie": "pt_session=abc.\u00e9\u00e9".encode()})
    assert r.status_code == 303 and r.headers["location"].startswith("/auth/sign-in")  # signed out, not a 500


def test_ids_no_row_can_have_and_nesting_no_export_has_get_a_message(client):
    _papers(client)
    sign_in(client, "ada@example.org")
    for path, field in (("/me/interests/unfollow", "follow_id"), ("/me/interests/remove", "pending_id")):
        for value in ("2147483648", "9223372036854775808", "-99999999999999999999"):
            r = post(client, path, {field: value})
            assert r.status_code == 422 and field in r.text, (path, value)
        assert post(client, path, {field: "2147483647"}).status_code == 303  # the largest id there can be: not ours
    r = post(client, "/me/interests/import", {"ids": "[" * 5000 + "]" * 5000})  # pasted: not CSL-JSON, no id at all
    assert r.status_code == 400 and "Nothing to import" in r.text
    r = client.post("/me/interests/import", data={"csrf_token": csrf(client)},
                    files={"file": ("lib.json", b"[" * 1000 + b"]" * 1000, "application/json")})
    assert r.status_code == 400 and "nested too deeply" in r.text


def test_this_is_my_paper_on_the_paper_page(client):
    _papers(client)
    sign_in(client, "ada@example.org")
    assert "This is my paper" in client.get("/papers/2606.00001").text
    assert post(client, "/papers/2606.00001/mine", {"state": "on"}).status_code == 303
    assert "My paper ✓" in client.get("/papers/2606.00001").text
    assert "First listed" in client.get("/me/interests").text
    post(client, "/papers/2606.00001/mine", {"state": "off"})
    assert "This is my paper" in client.get("/papers/2606.00001").text


def test_follow_buttons_on_author_category_and_search_pages(client):
    _papers(client)
    assert 'href="/auth/sign-in?next=' in client.get("/authors/Ada%20Lovelace").text  # signed out: a link
    sign_in(client, "ada@example.org")
    page = client.get("/authors/Ada%20Lovelace").text
    assert 'aria-label="Follow Ada Lovelace"' in page
    r = post(client, "/me/interests/follow", {"kind": "author", "value": "ADA  LOVELACE", "next": "/authors/Ada%20Lovelace"})
    assert (r.status_code, r.headers["location"]) == (303, "/authors/Ada%20Lovelace")
    assert 'aria-label="Unfollow Ada Lovelace"' in client.get("/authors/Ada%20Lovelace").text
    post(client, "/me/interests/follow", {"kind": "category", "value": "cs.LG"})
    assert "Following ✓" in client.get("/categories/cs.LG").text
    assert "Follow this query" in client.get("/search?q=" + quote("graph networks")).text
    post(client, "/me/interests/follow", {"kind": "query", "value": "graph networks"})
    assert "Following ✓" in client.get("/search?q=" + quote("graph networks")).text
    r = post(client, "/me/interests/follow", {"kind": "category", "value": "Computer Science"})
    assert r.status_code == 400 and "Not an arXiv category" in r.text
    interests = client.get("/me/interests").text
    assert "ADA LOVELACE" in interests and "graph networks" in interests
    follow_id = client.app.state.services.signals.interests(sign_in(client, "ada@example.org")).follows[0].id
    assert post(client, "/me/interests/unfollow", {"follow_id": str(follow_id)}).status_code == 303
    assert "ADA LOVELACE" not in client.get("/me/interests").text


BIB = b"""@article{first, title={First listed}, eprint={2606.00001}}
@article{second, title={Second}, url={https://arxiv.org/abs/2606.00002v2}}
@book{smith2020, title={A book with no id}}
"""


def test_importing_a_file_lists_the_papers_and_each_bad_entry(client):
    _papers(client)
    sign_in(client, "ada@example.org")
    r = client.post("/me/interests/import", data={"csrf_token": csrf(client), "mine": "1"},
                    files={"file": ("refs.bib", BIB, "application/x-bibtex")})
    assert r.status_code == 200, r.text
    assert "2 matched, 0 to fetch from arXiv, 1 not imported" in r.text
    assert "entry 3 (smith2020): no arXiv id, DOI or URL found" in r.text
    mine = r.text.split('id="marks-mine"')[1].split("</section>")[0]
    assert "First listed" in mine and "Second listed" in mine
    r = post(client, "/me/interests/import", {"ids": "2606.00002\n2607.00009\nnonsense"})
    assert "1 matched, 1 to fetch from arXiv, 1 not imported" in r.text and "<code>2607.00009</code>" in r.text
    r = post(client, "/me/interests/import", {"ids": "2606.00002\narXiv:2606.00002v2\n2607.00009"})
    assert "1 matched, 1 to fetch from arXiv, 1 repeating an earlier entry's paper, 0 not imported" in r.text
    r = client.post("/me/interests/import", data={"csrf_token": csrf(client)},
                    files={"file": ("lib.json", b"[{", "application/json")})
    assert r.status_code == 400 and "This is not valid CSL-JSON" in r.text
    r = post(client, "/me/interests/import", {"ids": "  "})
    assert r.status_code == 400 and "Choose a file or paste arXiv ids" in r.text


def test_a_file_over_the_limit_is_refused_with_its_real_size(client):
    # The route reads one byte past the limit; the message named that (5.2 MB) whatever the file's size.
    _papers(client)
    sign_in(client, "ada@example.org")
    big = b"2606.00001\n" * 1_100_000  # 12.1 MB
    r = client.post("/me/interests/import", data={"csrf_token": csrf(client)},
                    files={"file": ("library.bib", big, "text/plain")})
    assert r.status_code == 400 and "The file is 12.1 MB; at most 5 MB can be imported at once." in r.text


def test_remove_pause_and_reset(client):
    _papers(client)
    user = sign_in(client, "ada@example.org")
    signals = client.app.state.services.signals
    post(client, "/me/interests/import", {"ids": "2606.00001 2607.00009"})
    post(client, "/me/interests/remove", {"arxiv_id": "2606.00001", "kind": "library"})
    pending = signals.interests(user).pending
    post(client, "/me/interests/remove", {"pending_id": str(pending[0].id)})
    page = signals.interests(user)
    assert (page.by_kind["library"], page.pending) == ([], [])
    assert "Pause learning" in client.get("/me/interests").text
    post(client, "/me/interests/pause", {"paused": "1"})
    assert "Resume learning" in client.get("/me/interests").text and signals.interests(user).profile.paused
    signals.follow(user, "category", "cs.LG")
    assert post(client, "/me/interests/reset").status_code == 303
    assert signals.interests(user).follows == []


def test_download_my_data_and_delete_my_account(client):
    _papers(client)
    user = sign_in(client, "ada@example.org")
    post(client, "/vote/2606.00001", {"state": "on"})
    post(client, "/papers/2606.00002/not-interested")
    r = client.get("/me/data.json")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = json.loads(r.text)
    assert data["account"]["email"] == "ada@example.org" and len(data["sessions"]) == 1
    assert [v["arxiv_id"] for v in data["upvotes"]] == ["2606.00001"]
    assert [(s["arxiv_id"], s["kind"]) for s in data["rec_signals"]] == [("2606.00002", "not_interested")]
    r = post(client, "/me/delete", {"email": "someone@else.org"})
    assert r.status_code == 400 and "type its email address" in r.text
    r = post(client, "/me/delete", {"email": "ada@example.org"})
    assert (r.status_code, r.headers["location"]) == (303, "/?account=deleted")
    assert client.app.state.services.community.accounts.session_user("x") is None
    assert client.get("/me/interests", follow_redirects=False).status_code == 303  # signed out
    from papertide.storage import users as users_store

    with client.app.state.services.db.read() as conn:
        assert users_store.get_user(conn, user.id) is None


def test_a_pasted_list_over_the_form_limit_says_what_to_do(client):
    # Starlette refuses a text field over 1 MB before the route runs; the reader saw its bare
    # "Field exceeded maximum size of 1024KB."
    _papers(client)
    sign_in(client, "ada@example.org")
    r = client.post("/me/interests/import", data={"csrf_token": csrf(client), "ids": "2606.00001\n" * 100_000})
    assert r.status_code == 413
    assert "more than 1 MB" in r.text and "uploaded as a file on your Interests page" in r.text
