"""/api/v1: lists with cursors, trending parameters, search, errors, ETags, CORS, OpenAPI."""

from __future__ import annotations

from datetime import date

import pytest

from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from tests.factories import make_paper


@pytest.fixture
def corpus(db):
    rows = [
        (make_paper("2606.00001", title="Small gains in graph learning", upvotes_baseline=3,
                    categories=("cs.LG",), published=date(2026, 5, 30)), date(2026, 6, 1)),
        (make_paper("2606.00002", title="Big gains for transformers", upvotes_baseline=30,
                    categories=("cs.CL", "cs.LG"), published=date(2026, 5, 31)), date(2026, 6, 1)),
        (make_paper("2606.00003", title="Medium gains in robotics", upvotes_baseline=10,
                    categories=("cs.RO",), published=date(2026, 6, 2)), date(2026, 6, 3)),
        (make_paper("2605.00009", title="Last month's graph paper", upvotes_baseline=90, categories=("math.AP",),
                    published=date(2026, 5, 1)),
         date(2026, 5, 15)),
    ]
    # One at a time, so they are stored in this order: within one batch PostgreSQL's writer inserts
    # in arxiv_id order (a lock order between concurrent writers), and "newest stored" follows that.
    for p, d in rows:
        import_records(db, [(p, Listing(p.arxiv_id, d))])


def item_ids(body: dict) -> list[str]:
    return [i["arxiv_id"] for i in body["items"]]


def walk(client, url: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    pages, cursor = [], None
    while True:
        r = client.get(f"{url}&cursor={cursor}" if cursor else url)
        assert r.status_code == 200, r.text
        pages.append(item_ids(r.json()))
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return pages


def test_papers_are_keyset_paged_and_filtered_by_category(client, corpus):
    assert walk(client, "/api/v1/papers?limit=3") == [["2605.00009", "2606.00003", "2606.00002"], ["2606.00001"]]
    assert walk(client, "/api/v1/papers?limit=1&category=cs.LG") == [["2606.00002"], ["2606.00001"]]


def test_paper_detail_and_its_errors(client, corpus):
    body = client.get("/api/v1/papers/2606.00002v3").json()
    assert body["arxiv_id"] == "2606.00002" and body["listed_dates"] == ["2026-06-01"]
    assert body["url"] == "http://127.0.0.1:8000/papers/2606.00002"
    assert body["categories"] == ["cs.CL", "cs.LG"] and body["upvotes"] == 30
    assert client.get("/api/v1/papers/2606.99999").json() == {"error": {"code": 404, "message": "no such paper: 2606.99999"}}
    assert client.get("/api/v1/papers/2606.00002/similar").status_code in (200, 501)
    assert client.get("/api/v1/papers/2606.99999/similar").status_code == 404


def test_daily_lists_with_cursor_and_sorts(client, corpus):
    assert walk(client, "/api/v1/weeks/2026-W23?limit=2") == [["2606.00002", "2606.00003"], ["2606.00001"]]
    body = client.get("/api/v1/daily/2026-06-01?sort=published").json()
    assert item_ids(body) == ["2606.00002", "2606.00001"]
    assert (body["period"], body["first"], body["last"], body["total"]) == ("2026-06-01", "2026-06-01", "2026-06-01", 2)
    assert client.get("/api/v1/daily").json()["period"] == "2026-06-03"
    assert item_ids(client.get("/api/v1/months/2026-05").json()) == ["2605.00009"]
    assert client.get("/api/v1/weeks/2025-W53").status_code == 404  # 2025 has 52 ISO weeks
    assert client.get("/api/v1/search?q=%20%20").json() == {"items": [], "next_cursor": None, "backend": "none"}


def test_trending_takes_gravity_and_window(client, corpus):
    default = client.get("/api/v1/trending").json()
    assert item_ids(default) == ["2606.00003", "2606.00002", "2606.00001"]
    assert default["gravity"] == 1.5 and default["window_days"] == 7
    # gravity 0 ranks by raw upvotes; a 30-day window lets May's paper in.
    wide = client.get("/api/v1/trending?gravity=0&window_days=30").json()
    assert item_ids(wide) == ["2605.00009", "2606.00002", "2606.00003", "2606.00001"]
    assert [i["score"] for i in wide["items"]] == [90.0, 30.0, 10.0, 3.0]
    assert walk(client, "/api/v1/trending?gravity=0&window_days=30&limit=3") == [
        ["2605.00009", "2606.00002", "2606.00003"], ["2606.00001"]]


def test_search_finds_titles_and_filters(client, corpus):
    body = client.get("/api/v1/search?q=graph").json()
    assert set(item_ids(body)) >= {"2606.00001", "2605.00009"}
    assert body["backend"] in ("title-substring", "hybrid")
    only_june = client.get("/api/v1/search?q=graph&published_from=2026-05-20").json()
    assert "2605.00009" not in item_ids(only_june) and "2606.00001" in item_ids(only_june)


def test_a_cursor_given_to_another_list_is_a_400(client, corpus):
    def next_cursor(url: str) -> str:
        cursor = client.get(url).json()["next_cursor"]
        assert cursor, url
        return cursor

    trending = next_cursor("/api/v1/trending?limit=1")
    day = next_cursor("/api/v1/daily/2026-06-01?limit=1")
    graph = next_cursor("/api/v1/search?q=gains&limit=1")
    in_cs_lg = next_cursor("/api/v1/papers?limit=1&category=cs.LG")
    for url in (
        f"/api/v1/search?q=gains&cursor={trending}", f"/api/v1/trending?gravity=0&cursor={trending}",
        f"/api/v1/daily/2026-06-03?cursor={day}", f"/api/v1/daily/2026-06-01?sort=published&cursor={day}",
        f"/api/v1/daily/2026-06-01?submitter=ada&cursor={day}", f"/api/v1/weeks/2026-W23?cursor={day}",
        f"/api/v1/trending?cursor={day}", f"/api/v1/search?q=graph&cursor={graph}",
        f"/api/v1/search?q=gains&category=cs.LG&cursor={graph}", f"/api/v1/papers?cursor={in_cs_lg}",
        f"/api/v1/trending?cursor={in_cs_lg}",
    ):
        r = client.get(url)
        assert r.status_code == 400, (url, r.text)
        assert r.json()["error"]["code"] == 400 and "another list" in r.json()["error"]["message"], url
    # The same list with the same parameters goes on, whatever the limit; /daily/{day} and /daily share cursors.
    assert client.get(f"/api/v1/trending?limit=2&cursor={trending}").status_code == 200
    # Naming the instance's default is the same list as leaving it out.
    defaults = client.get("/api/v1/trending?limit=1").json()
    spelt = f"/api/v1/trending?gravity={defaults['gravity']}&window_days={defaults['window_days']}"
    assert client.get(f"{spelt}&cursor={trending}").status_code == 200
    assert client.get(f"/api/v1/trending?cursor={next_cursor(spelt + '&limit=1')}").status_code == 200
    assert item_ids(client.get(f"/api/v1/daily/2026-06-01?limit=1&cursor={day}").json()) == ["2606.00001"]


def test_the_latest_day_s_cursor_keeps_its_day_when_a_new_day_is_listed(client, corpus, db):
    import_records(db, [(make_paper("2606.00004", upvotes_baseline=1), Listing("2606.00004", date(2026, 6, 3)))])
    first = client.get("/api/v1/daily?limit=1").json()
    assert (first["period"], item_ids(first)) == ("2026-06-03", ["2606.00003"])
    import_records(db, [(make_paper(f"2606.0001{i}"), Listing(f"2606.0001{i}", date(2026, 6, 4))) for i in range(3)])
    assert client.get("/api/v1/daily/2026-06-04").json()["total"] == 3
    second = client.get(f"/api/v1/daily?limit=1&cursor={first['next_cursor']}").json()
    assert (second["period"], item_ids(second), second["next_cursor"]) == ("2026-06-03", ["2606.00004"], None)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers?limit=101", "/api/v1/papers?limit=0", "/api/v1/papers?cursor=nonsense",
        "/api/v1/daily/2026-02-30", "/api/v1/weeks/2026-W60", "/api/v1/months/2026-13", "/api/v1/trending?gravity=9",
        "/api/v1/search?q=", "/api/v1/search", "/api/v1/daily?cursor=eyJiIjoxfQ",
    ],
)
def test_bad_requests_get_422_in_the_error_shape(client, corpus, url):
    r = client.get(url)
    assert r.status_code == 422, r.text
    assert set(r.json()) == {"error"} and r.json()["error"]["code"] == 422 and r.json()["error"]["message"]


def test_list_endpoints_answer_if_none_match_with_304(client, corpus):
    for url in ("/api/v1/daily", "/api/v1/trending", "/api/daily_papers", "/api/v1/papers", "/feeds/daily.rss"):
        first = client.get(url)
        etag = first.headers["etag"]
        assert etag.startswith('W/"')
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
        assert "set-cookie" not in first.headers  # a cached public response must not carry anyone's cookie


def test_cors_allows_reads_from_any_origin_on_the_api_only(client, corpus):
    r = client.get("/api/v1/trending", headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = client.options("/api/daily_papers", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and "GET" in pre.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in client.get("/", headers={"Origin": "https://example.org"}).headers


def test_openapi_document_and_offline_docs(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert set(spec["paths"]) == {
        "/api/v1/papers", "/api/v1/papers/{arxiv_id}", "/api/v1/papers/{arxiv_id}/similar", "/api/v1/daily",
        "/api/v1/daily/{day}", "/api/v1/weeks/{week}", "/api/v1/months/{month}", "/api/v1/trending",
        "/api/v1/search", "/api/v1/me", "/api/v1/papers/{arxiv_id}/vote", "/api/v1/papers/{arxiv_id}/comments",
        "/api/v1/collections", "/api/v1/collections/{collection_uuid}/papers/{arxiv_id}", "/api/v1/me/subscription",
    }
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "GET /api/v1/trending" in docs.text and "window_days" in docs.text
    assert "src=\"http" not in docs.text and "href=\"https://cdn" not in docs.text  # nothing from a CDN
    # The description is Markdown (OpenAPI's CommonMark), shown as HTML, not as backticks.
    assert "<code>next_cursor</code>" in docs.text and "`" not in docs.text.split("<main")[1]
    assert '<a href="/feeds">the feeds page</a>' in docs.text


def test_search_reads_a_category_in_any_case_as_the_search_page_does(client, corpus):
    # The search page reads cat=cs.lg as cs.LG; the API must not answer the same filter with nothing.
    assert item_ids(client.get("/api/v1/search?q=gains&category=cs.lg").json()) == \
        item_ids(client.get("/api/v1/search?q=gains&category=cs.LG").json())
    assert set(item_ids(client.get("/api/v1/search?q=gains&category=cs.lg").json())) == {"2606.00001", "2606.00002"}
    assert item_ids(client.get("/api/v1/papers?category=cs.lg").json()) == ["2606.00002", "2606.00001"]


def test_search_reads_a_reversed_date_range_as_the_search_page_does(client, corpus):
    forward = client.get("/api/v1/search?q=gains&published_from=2026-05-31&published_to=2026-06-30").json()
    reversed_ = client.get("/api/v1/search?q=gains&published_from=2026-06-30&published_to=2026-05-31").json()
    assert set(item_ids(forward)) == {"2606.00002", "2606.00003"}
    assert item_ids(reversed_) == item_ids(forward)


def test_search_pages_never_repeat_a_paper_when_the_limit_changes(client, corpus):
    first = client.get("/api/v1/search?q=gains&limit=1").json()
    rest = client.get(f"/api/v1/search?q=gains&limit=2&cursor={first['next_cursor']}").json()
    everything = item_ids(client.get("/api/v1/search?q=gains&limit=3").json())
    assert item_ids(first) + item_ids(rest) == everything
    assert rest["next_cursor"] is None
