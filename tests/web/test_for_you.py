"""/for-you through the real app: cold start, recommendations after an upvote with their "why",
the window picker (and the empty-window hints), and Not interested taking a paper off the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.community.conftest import csrf, post, sign_in
from tests.factories import add_papers, make_paper

TODAY = datetime.now(UTC).date()

GRAPH = "Graph neural networks for molecule property prediction with message passing"
GRAPH2 = "Message passing graph neural networks predict molecular properties"
SOLAR = "Solar wind turbulence observed by spacecraft magnetometers"


def corpus(client):  # type: ignore[no-untyped-def]
    """A few topics, each several papers deep, so the tf-idf vocabulary has something to tell apart."""
    db = client.app.state.services.db
    def paper(n: str, title: str, abstract: str, days_ago: int, category: str):  # type: ignore[no-untyped-def]
        return make_paper(n, title=title, abstract=abstract, published=TODAY - timedelta(days=days_ago),
                          categories=(category,))

    papers = [
        paper("2611.00001", "Graph neural networks for molecules", GRAPH, 40, "cs.LG"),
        paper("2611.00002", "Message passing on molecular graphs", GRAPH2, 2, "cs.LG"),
        paper("2611.00003", "Spacecraft see solar wind turbulence", SOLAR, 1, "physics.space-ph"),
        paper("2611.00004", "Turbulence in the solar wind", SOLAR + " again", 20, "physics.space-ph"),
    ]
    papers += [make_paper(f"2611.001{i:02d}", title=f"Filler topic {i} about {w}", abstract=f"{w} {w} study number {i}",
                          published=TODAY - timedelta(days=90), categories=("math.CO",))
               for i, w in enumerate(["lattices", "knots", "primes", "matroids", "polytopes", "tilings"])]
    add_papers(db, *papers)


def week(client, days_ago: int = 1):  # type: ignore[no-untyped-def]
    """A week's worth of unrelated new papers, so the week's scores are measured against a crowd."""
    add_papers(client.app.state.services.db, *[
        make_paper(f"2611.002{i:02d}", title=f"On {w} and their {v}", abstract=f"We study {w} with {v}; {w} {v} bounds {i}.",
                   published=TODAY - timedelta(days=days_ago + i % 3), categories=("math.CO",))
        for i, (w, v) in enumerate([("lattices", "duals"), ("knots", "invariants"), ("primes", "gaps"),
                                    ("matroids", "minors"), ("polytopes", "faces"), ("tilings", "symmetries")])])


def test_signed_out_visitors_are_sent_to_sign_in(client):
    r = client.get("/for-you", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/auth/sign-in?next=/for-you")


def test_cold_start_explains_how_to_begin(client):
    corpus(client)
    sign_in(client, "ada@example.org")
    r = client.get("/for-you")
    assert r.status_code == 200
    assert "Tell us what you read" in r.text
    for link in ('href="/me/interests#import"', 'href="/collections"', 'href="/trending"'):
        assert link in r.text
    assert 'href="/for-you">For you</a>' in r.text  # the nav links the page for members
    assert r.headers["cache-control"] == "private, no-store"


def test_an_upvote_brings_similar_new_papers_with_a_why_line(client):
    corpus(client)
    sign_in(client, "ada@example.org")
    assert post(client, "/vote/2611.00001", {"state": "on"}).status_code == 303
    page = client.get("/for-you").text
    cards = page.split('class="for-you-item"')[1:]
    assert cards and 'id="paper-2611.00002"' in cards[0]  # the similar new paper comes first
    assert 'href="/papers/2611.00001">close to “Graph neural networks for molecules”, which you liked</a>' in cards[0]
    assert "Model last updated" in page
    assert "2611.00001" not in "".join(c.split("Why:")[0] for c in cards)  # what you liked is not recommended back
    assert 'id="paper-2611.00004"' not in page  # published 20 days ago: outside this week


def test_window_picker_and_the_empty_window_hints(client):
    corpus(client)
    sign_in(client, "ada@example.org")
    post(client, "/vote/2611.00001", {"state": "on"})
    month = client.get("/for-you?window=month").text
    assert 'aria-current="page">This month</a>' in month and 'id="paper-2611.00004"' in month
    first, last = (TODAY - timedelta(days=2)).isoformat(), (TODAY - timedelta(days=2)).isoformat()
    custom = client.get(f"/for-you?window=custom&from={first}&to={last}").text
    assert 'id="paper-2611.00002"' in custom and 'id="paper-2611.00003"' not in custom
    typed = client.get(f"/for-you?from={first}&to={last}").text  # dates alone, as typed by hand
    assert 'id="paper-2611.00002"' in typed and 'id="paper-2611.00003"' not in typed
    old = (TODAY - timedelta(days=60)).isoformat()
    r = client.get(f"/for-you?window=custom&from={old}&to={old}")
    assert "No new papers for you" in r.text and 'href="/for-you?window=week"' in r.text
    r = client.get(f"/for-you?window=custom&from={TODAY.isoformat()}&to={old}")
    assert r.status_code == 400 and "is after the" in r.text
    r = client.get("/for-you?window=custom&from=2020-01-01&to=2021-01-01")
    assert r.status_code == 400 and "at most 62 days" in r.text
    r = client.get("/for-you?window=custom&from=yesterday")
    assert r.status_code == 400 and "is not a date" in r.text


def test_an_archive_that_stopped_points_at_its_newest_week(client):
    db = client.app.state.services.db
    add_papers(db, *[make_paper(f"2606.0000{i}", abstract=f"{w} and {w}", published=datetime(2026, 6, 4).date())
                     for i, w in enumerate(["graphs", "knots", "primes"])])
    sign_in(client, "ada@example.org")
    post(client, "/vote/2606.00000", {"state": "on"})
    page = client.get("/for-you").text
    assert "The newest papers here were published on 2026-06-04" in page
    assert 'href="/for-you?window=custom&amp;from=2026-05-29&amp;to=2026-06-04"' in page


def test_not_interested_fades_the_card_then_drops_it(client):
    corpus(client)
    sign_in(client, "ada@example.org")
    post(client, "/vote/2611.00001", {"state": "on"})
    assert 'id="paper-2611.00002"' in client.get("/for-you").text
    r = client.post("/papers/2611.00002/not-interested", data={"next": "/for-you"},
                    headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)})
    assert r.status_code == 200 and ">Undo</button>" in r.text
    assert 'id="paper-2611.00002"' not in client.get("/for-you").text
    post(client, "/papers/2611.00002/not-interested/undo")
    assert 'id="paper-2611.00002"' in client.get("/for-you").text


def test_paused_learning_is_shown(client):
    corpus(client)
    sign_in(client, "ada@example.org")
    post(client, "/vote/2611.00001", {"state": "on"})
    post(client, "/me/interests/pause", {"paused": "1"})
    assert "Learning is paused" in client.get("/for-you").text


def test_signal_changes_retrain_after_the_response_unless_paused(client):
    from papertide.storage import recs as recs_store

    corpus(client)
    user = sign_in(client, "ada@example.org")
    services = client.app.state.services

    def state():  # type: ignore[no-untyped-def]
        with services.db.read() as conn:
            return recs_store.profile(conn, user.id), recs_store.users_needing_training(conn, 10)

    post(client, "/vote/2611.00001", {"state": "on"})
    profile, due = state()
    assert profile.trained_at is not None and due == []  # trained without visiting /for-you
    first = profile.trained_at
    post(client, "/me/interests/follow", {"kind": "category", "value": "physics.space-ph"})
    assert state()[0].trained_at > first
    post(client, "/me/interests/pause", {"paused": "1"})
    paused_at = state()[0].trained_at
    post(client, "/papers/2611.00003/not-interested")
    profile, due = state()
    assert profile.trained_at == paused_at and due == []  # paused: nothing learns, the job waits too
    post(client, "/me/interests/pause", {"paused": "0"})
    assert state()[0].trained_at > paused_at


def _feed_url(page: str) -> str:
    import re

    return re.search(r'id="feed-url" class="feed-url" type="text" readonly value="https?://[^/"]+(/for-you/feed/[^"]+\.atom)"',
                     page).group(1)  # type: ignore[union-attr]


def test_private_feed_create_show_once_replace_and_revoke(client):
    from lxml import etree

    corpus(client)
    week(client)
    sign_in(client, "ada@example.org")
    post(client, "/vote/2611.00001", {"state": "on"})
    assert "Create a private feed" in client.get("/for-you").text
    r = post(client, "/for-you/feed")
    assert r.status_code == 200
    url = _feed_url(r.text)
    assert "Replace the feed address" in client.get("/for-you").text and url not in client.get("/for-you").text

    anonymous = client.__class__(client.app)  # a feed reader: no cookies
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.headers["cache-control"] == "private, no-store"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    doc = etree.fromstring(feed.content)
    assert doc.tag == "{http://www.w3.org/2005/Atom}feed" and doc.findtext("a:title", namespaces=ns).endswith("For you")
    entries = doc.findall("a:entry", ns)
    # Only what clears the digest's floor: the week's other papers are not news to this reader.
    assert [e.findtext("a:id", namespaces=ns).rsplit("/", 1)[1] for e in entries] == ["2611.00002"]
    assert entries[0].findtext("a:summary", namespaces=ns).startswith("Why: close to “Graph neural networks")
    assert all(e.findtext("a:updated", namespaces=ns) for e in entries)

    newer = _feed_url(post(client, "/for-you/feed").text)
    assert anonymous.get(url).status_code == 404 and anonymous.get(newer).status_code == 200
    assert post(client, "/for-you/feed/revoke").status_code == 303
    assert anonymous.get(newer).status_code == 404
    assert anonymous.get("/for-you/feed/not-a-token.atom").status_code == 404
    assert "Create a private feed" in client.get("/for-you").text


def test_latest_day_shows_the_newest_days_papers_when_none_were_published_today(client):
    # arXiv announces a day's submissions the next day: "published today" would be empty all day.
    corpus(client)
    sign_in(client, "ada@example.org")
    post(client, "/vote/2611.00003", {"state": "on"})  # published yesterday, the newest day here
    post(client, "/vote/2611.00004", {"state": "on"})
    page = client.get("/for-you?window=today").text
    assert 'aria-current="page">Latest day</a>' in page
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert f"Papers published on {yesterday}, ranked for you" in page
    add_papers(client.app.state.services.db, make_paper("2611.00005", title="Solar wind turbulence today",
                                                        abstract=SOLAR + " once more", published=TODAY,
                                                        categories=("physics.space-ph",)))
    assert f"Papers published on {TODAY.isoformat()}, ranked for you" in client.get("/for-you?window=today").text


def test_an_archive_no_longer_fed_still_has_a_private_feed(client):
    # The demo corpus ends months ago: "the last 7 days" before today held nothing, so the feed
    # stayed empty while /for-you showed the week up to the newest papers.
    db = client.app.state.services.db
    old = TODAY - timedelta(days=200)
    add_papers(db, make_paper("2611.00001", title="Graph neural networks for molecules", abstract=GRAPH,
                              published=old - timedelta(days=40), categories=("cs.LG",)),
               make_paper("2611.00002", title="Message passing on molecular graphs", abstract=GRAPH2, published=old,
                          categories=("cs.LG",)))
    week(client, days_ago=200)
    sign_in(client, "ada@example.org")
    post(client, "/vote/2611.00001", {"state": "on"})
    url = _feed_url(post(client, "/for-you/feed").text)
    feed = client.__class__(client.app).get(url).text
    assert "/papers/2611.00002</id>" in feed and "/papers/2611.002" not in feed
