"""Papers with no authors or no abstract read cleanly in a digest (text and HTML, as the SMTP
server got them), on the public archive page and in its feed: no blank lines, empty
paragraphs, dangling separators or "None"."""

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from papertide.domain.subscriptions import Preferences
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, app_for, make_paper

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
URL = "https://papers.example/papers"


def test_papers_without_authors_or_abstract_render_without_artefacts(sqlite_mail_settings, sqlite_db, smtp_sink):
    day = date(2026, 6, 4)
    add_papers(
        sqlite_db,
        (make_paper("2606.00011", title="No authors listed", authors=(), abstract="We study sparse metadata.",
                    upvotes_baseline=30), day),
        (make_paper("2606.00012", title="No abstract given", authors=("Ada Lovelace",), abstract="",
                    upvotes_baseline=20), day),
        (make_paper("2606.00013", title="Blank names, blank abstract", authors=("", " "), abstract="  \n ",
                    upvotes_baseline=10), day),
    )
    confirmed_subscribers(sqlite_db, 1, Preferences(trending=True))
    app = app_for(sqlite_mail_settings, sqlite_db)
    services = app.state.services
    assert services.digests.run(THURSDAY).composed == 1
    assert services.outbox_sender.drain().sent == 1
    [msg] = smtp_sink.handler.messages
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content()

    blocks = [b for b in text.split("\n\n") if b.startswith("* ")]
    assert blocks == [
        f"* No authors listed\n  We study sparse metadata.\n  ▲ 30 upvotes · {URL}/2606.00011",
        f"* No abstract given\n  Ada Lovelace\n  ▲ 20 upvotes · {URL}/2606.00012",
        f"* Blank names, blank abstract\n  ▲ 10 upvotes · {URL}/2606.00013",
    ]
    assert re.findall(r"<p[^>]*>\s*</p>", html) == []
    assert "None" not in text + html and ", ," not in html
    assert html.count('class="pt-muted" dir="auto" style="font-size:13px') == 1  # one authors line: Ada's

    with TestClient(app, base_url="https://papers.example") as client:
        page = client.get("/digests/2026-06-04").text
        feed = client.get("/digests/feed.xml").text
    assert re.findall(r"<p[^>]*>\s*</p>", page) == []
    assert "—  (▲" not in feed
    assert "No authors listed&lt;/a&gt; (▲ 30)" in feed
