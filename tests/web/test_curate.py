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


def test_a_paper_listed_on_an_earlier_day_is_not_suggested_again_the_next_day(settings, db):
    # Days pass: what the curators (or Hugging Face) listed yesterday is done with. Only
    # today's list used to be left out, so yesterday's picks came back at the top each morning.
    from papertide.recs.pages import RecPages
    from papertide.recs.personal import PersonalRecommendations
    from papertide.services import Edges, build_services

    morning = datetime(2026, 12, 29, 8, 0, tzinfo=UTC)  # a Tuesday
    day = morning.date()
    services = build_services(settings, Edges(db=db))
    try:
        add_papers(db, make_paper("2612.00031", title="Listed yesterday", published=day - timedelta(days=2)),
                   make_paper("2612.00032", title="Listed last Friday", published=day - timedelta(days=6)),
                   make_paper("2612.00033", title="Never listed", published=day - timedelta(days=1)))
        add_papers(db, (make_paper("2612.00031", title="Listed yesterday", published=day - timedelta(days=2)),
                        day - timedelta(days=1)),
                   (make_paper("2612.00032", title="Listed last Friday", published=day - timedelta(days=6)),
                    day - timedelta(days=4)))
        personal = PersonalRecommendations(db, services.recommender, clock=lambda: morning)
        page = RecPages(db, personal, today=lambda: day).suggested()
        assert [c.entry.paper.arxiv_id for c in page.cards] == ["2612.00033"]
        assert page.listed_today == 0
    finally:
        services.close()
