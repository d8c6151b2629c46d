"""HEAD wherever GET answers, the favicon, the skip link, and the base URL links are built from."""

from datetime import date

import pytest

from papertide.cli.serving import base_url_warning, export_served_address
from papertide.config import Settings
from tests.factories import add_papers, make_paper

GET_PATHS = [
    "/", "/trending", "/about", "/papers/2606.00001", "/papers/date/2026-06-01", "/search?q=gains",
    "/feeds/daily.rss", "/api/v1/papers", "/api/daily_papers", "/api/docs", "/robots.txt", "/healthz",
    "/favicon.ico", "/static/style.css", "/auth/sign-in",
]


@pytest.fixture
def corpus(db):  # type: ignore[no-untyped-def]
    add_papers(db, (make_paper("2606.00001", title="Small gains", upvotes_baseline=3), date(2026, 6, 1)))


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_answers_like_get_without_a_body(client, corpus, path):
    got = client.get(path)
    head = client.head(path)
    assert (head.status_code, head.content) == (got.status_code, b"")
    assert got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    if "content-length" in got.headers:  # the length of the body a GET would send
        assert head.headers["content-length"] == got.headers["content-length"]


def test_head_on_a_post_only_route_is_still_refused(client):
    assert client.head("/comments").status_code == 405


def test_a_wrong_method_is_told_which_methods_the_address_takes(client, corpus):
    page = client.post("/about", data={})
    assert page.status_code == 405 and "This address takes GET" in page.text and "not POST" in page.text
    api = client.delete("/api/v1/papers/2606.00001")
    assert api.status_code == 405 and api.headers["allow"]
    assert api.json()["error"]["message"] == f"This address takes {api.headers['allow']} requests, not DELETE."


def test_favicon_is_an_svg_linked_from_every_page(client, corpus):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith("<svg") and "max-age=" in icon.headers["cache-control"]
    assert client.get("/static/favicon.svg").content == icon.content
    for path in ("/", "/trending", "/search?q=x", "/papers/2606.00001", "/auth/sign-in"):
        html = client.get(path).text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
        # The skip link comes first in the body and targets the main landmark.
        body = html.split("<body>", 1)[1].lstrip()
        assert body.startswith('<a class="skip-link" href="#main">Skip to content</a>')
        assert '<main class="wrap" id="main"' in html


def test_base_url_defaults_to_the_served_host_and_port(monkeypatch):
    for name in ("PAPERTIDE_BASE_URL", "PAPERTIDE_HOST", "PAPERTIDE_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None).base_url == "http://127.0.0.1:8000"  # type: ignore[call-arg]
    assert Settings(_env_file=None, port=9000).base_url == "http://127.0.0.1:9000"  # type: ignore[call-arg]
    assert Settings(_env_file=None, host="0.0.0.0", port=80).base_url == "http://127.0.0.1:80"  # type: ignore[call-arg]
    assert Settings(_env_file=None, host="::1").base_url == "http://[::1]:8000"  # type: ignore[call-arg]
    assert Settings(_env_file=None, port=9000, base_url="https://papers.example").base_url == "https://papers.example"  # type: ignore[call-arg]
    # `papertide serve --host/--port` exports what it binds, so each uvicorn worker derives the same.
    # setenv first so monkeypatch restores the variables' absence afterwards (a delenv after the
    # export would record the exported values and put them back, leaking a port into later tests).
    monkeypatch.setenv("PAPERTIDE_HOST", "")
    monkeypatch.setenv("PAPERTIDE_PORT", "0")
    export_served_address("127.0.0.1", 8123)
    assert Settings(_env_file=None).base_url == "http://127.0.0.1:8123"  # type: ignore[call-arg]


def test_feeds_and_email_links_follow_a_changed_port(tmp_path, db, corpus):
    from fastapi.testclient import TestClient

    from tests.factories import app_for

    settings = Settings(data_dir=tmp_path, database_url=str(db.engine.url.render_as_string(hide_password=False)),  # type: ignore[call-arg]
                        port=9011, _env_file=None)
    app = app_for(settings, db)
    with TestClient(app) as c:
        feed = c.get("/feeds/daily.rss").text
    assert "http://127.0.0.1:9011/papers/2606.00001" in feed and ":8000" not in feed
    assert app.state.services.settings.base_url == "http://127.0.0.1:9011"


@pytest.mark.parametrize(("base_url", "host", "port", "warns"), [
    ("http://127.0.0.1:8000", "127.0.0.1", 8000, None),
    ("http://127.0.0.1:8000", "127.0.0.1", 9000, "names port 8000 on this machine but the site is served on port 9000"),
    ("http://localhost", "127.0.0.1", 8080, "names port 80 on this machine"),
    ("https://papers.example", "127.0.0.1", 9000, None),  # behind a proxy: cannot be checked, and fine
    ("http://127.0.0.1:8000", "0.0.0.0", 8000, "which only this machine can open"),
    ("papers.example", "127.0.0.1", 8000, "is not an http(s) URL"),
])
def test_start_up_warns_about_a_base_url_that_cannot_reach_the_site(base_url, host, port, warns):
    message = base_url_warning(base_url, host, port)
    if warns is None:
        assert message is None
    else:
        assert message is not None and warns in message
