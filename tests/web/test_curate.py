"""Curators' "Suggested for today": who may see it, what it leaves out, and one-click adding to
today's list through the submission path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

TODAY = datetime.now(UTC).date()


def _papers(client):  # type: ignore[no-untyped-def]
    add_papers(client.app.state.services.db,
               make_paper("2611.00021", title="Fresh paper one", published=TODAY - timedelta(days=1)),
               make_paper("2611.00022", title="Fresh paper two", published=TODAY - timedelta(days=3)),
               (make_paper("2611.00023", title="Already listed", published=TODAY - timedelta(days=2)), TODAY),
               make_paper("2601.00024", title="Too old to suggest", published=TODAY - timedelta(days=60)))


def test_only_curators_and_admins_see_it(client):
    _papers(client)
    r = client.get("/curate/suggested", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/auth/sign-in?next=/curate/suggested")
    sign_in(client, "member@example.org")
    assert client.get("/curate/suggested").status_code == 403
    assert post(client, "/curate/suggested/add", {"arxiv_id": "2611.00021"}).status_code == 403
    sign_in(client, "curator@example.org", role="curator")
    assert client.get("/curate/suggested").status_code == 200
    assert 'href="/curate/suggested"' in client.get("/admin").text


def test_suggestions_leave_out_today_s_list_and_add_in_one_click(client):
    _papers(client)
    sign_in(client, "curator@example.org", role="curator")
    page = client.get("/curate/suggested").text
    assert 'id="paper-2611.00021"' in page and 'id="paper-2611.00022"' in page
    assert 'id="paper-2611.00023"' not in page and 'id="paper-2601.00024"' not in page
    assert "the 1 paper already on" in page
    r = post(client, "/curate/suggested/add", {"arxiv_id": "2611.00022"})
    assert (r.status_code, r.headers["location"]) == (303, "/curate/suggested?added=2611.00022")
    page = client.get(r.headers["location"]).text
    assert "Added <a href=\"/papers/2611.00022\">2611.00022</a> to today's list." in page
    assert 'id="paper-2611.00022"' not in page and "the 2 papers already on" in page
    day = client.get(f"/papers/date/{TODAY.isoformat()}").text
    assert "Fresh paper two" in day and "Submitted by" in day
    r = post(client, "/curate/suggested/add", {"arxiv_id": "2611.00022"})
    assert r.status_code == 400 and "already on today" in r.text


def test_suggested_page_answers_on_a_new_instance_with_no_papers_yet(client):
    # The first visit fits the vocabulary; with no papers it used to fit a placeholder word that
    # is itself an English stop word, so scikit-learn found no vocabulary and the page was a 500.
    sign_in(client, "curator@example.org", role="curator")
    r = client.get("/curate/suggested")
    assert r.status_code == 200 and "No suggestions" in r.text
    r = post(client, "/curate/suggested/add", {"arxiv_id": "not an id"})
    assert r.status_code == 400 and "not an arXiv id" in r.text
