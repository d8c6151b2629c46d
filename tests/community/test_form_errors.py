"""Every refused form tells a screen reader and a keyboard user why, the way sign-in does: the title
starts "Error:", the field the error is about is marked invalid, described by the error's words and
focused on load (or, for an error about no one field, the message takes the focus), and what was
typed is still there to mend."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

LONG = "words " * 2001  # over the 10,000 characters a comment may hold


@dataclass(frozen=True)
class Case:
    send: Callable  # type: ignore[type-arg]  # (client) -> the refused response
    field: str | None  # the id of the field the error is about; None: the message takes the focus
    message: str  # the id of the error's paragraph
    says: str  # words of the error
    kept: str = ""  # what was typed, still on the form


def tags(html: str) -> dict[str, str]:
    """Each input, select and textarea with an id, as its opening tag: what a screen reader is told."""
    found = (m.group(0) for m in re.finditer(r"<(?:input|select|textarea)\b[^>]*>", html))
    return {m.group(1): tag for tag in found if (m := re.search(r' id="([^"]+)"', tag))}


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html)
    assert found
    return found.group(1)


def _member(client):  # type: ignore[no-untyped-def]
    return sign_in(client, "member@example.org")


def _collection(client) -> str:  # type: ignore[no-untyped-def]
    _member(client)
    r = post(client, "/collections", {"name": "Reading"})
    return r.headers["location"]


def _comment(client) -> str:  # type: ignore[no-untyped-def]
    add_papers(client.app.state.services.db, make_paper("2606.00001"))
    _member(client)
    r = post(client, "/comments", {"arxiv_id": "2606.00001", "body": "First words"})
    return r.headers["location"].split("#comment-")[1]


def _manage(client, data: dict[str, str]):  # type: ignore[no-untyped-def]
    services = client.app.state.services
    services.subscriptions.subscribe("ada@example.org", {"trending": True})
    token = services.notices.token("manage", services.subscriptions.get_by_email("ada@example.org"))
    return client.post("/subscription", data={"token": token, **data})


CASES = {
    "profile name": Case(lambda c: (_member(c), post(c, "/profile/name", {"display_name": "   "}))[1],
                         "display_name", "name-error", "cannot be empty"),
    "profile password": Case(lambda c: (_member(c), post(c, "/profile/password", {"password": "short"}))[1],
                             "new-password", "password-error", "at least"),
    "API token": Case(lambda c: (_member(c), post(c, "/profile/tokens", {"name": "bot", "scope": "root"}))[1],
                      "token-name", "token-error", "scope", 'value="bot"'),
    "submit a paper": Case(lambda c: (_member(c), post(c, "/submit", {"paper": "not a paper"}))[1],
                           "paper", "paper-error", "Use an id like", 'value="not a paper"'),
    "subscribe": Case(lambda c: post(c, "/subscribe", {"email": "ada@example.org", "timezone": "Mars/Olympus",
                                                       "keywords": "diffusion"}),
                      "timezone", "subscription-error", "Unknown time zone", 'value="diffusion"'),
    "subscribe without topics": Case(lambda c: post(c, "/subscribe", {"email": "ada@example.org"}),
                                     None, "subscription-error", "Choose trending papers"),
    "manage subscription": Case(lambda c: _manage(c, {"categories": "cs.LG", "keywords": "%%%"}),
                                "keywords", "subscription-error", "no letters or digits", 'value="cs.LG"'),
    "follow": Case(lambda c: (_member(c), post(c, "/me/interests/follow", {"kind": "category", "value": "zz.QQ"}))[1],
                   "follow-value", "follow-error", "zz.QQ", 'value="zz.QQ"'),
    "import a library": Case(lambda c: (_member(c), post(c, "/me/interests/import", {"ids": " "}))[1],
                             "import-ids", "import-error", "Choose a file or paste"),
    "delete my account": Case(lambda c: (_member(c), post(c, "/me/delete", {"email": "someone@else.org"}))[1],
                              "delete-email", "delete-error", "type its email address"),
    "For-you window": Case(lambda c: (_member(c), c.get("/for-you?window=custom&from=2026-06-10&to=2026-06-01"))[1],
                           "fy-from", "window-error", "is after"),
    "For-you unknown window": Case(lambda c: (_member(c), c.get("/for-you?window=decade"))[1],
                                   None, "window-error", "Unknown window"),
    "curate suggested": Case(lambda c: (sign_in(c, "cur@example.org", role="curator"),
                                        post(c, "/curate/suggested/add", {"arxiv_id": "garbage"}))[1],
                             None, "add-error", "Use an id like"),
    "new collection": Case(lambda c: (_member(c), post(c, "/collections", {"name": "  ", "ids": "2606.00009"}))[1],
                           "collection-name", "name-error", "needs a name", "2606.00009</textarea>"),
    "rename collection": Case(lambda c: post(c, _collection(c) + "/edit", {"name": " "}),
                              "rename", "rename-error", "needs a name"),
    "collection import": Case(lambda c: post(c, _collection(c) + "/import", {"ids": " "}),
                              "import-ids", "import-error", "Choose a file or paste"),
    "post a comment": Case(lambda c: (add_papers(c.app.state.services.db, make_paper("2606.00001")), _member(c),
                                      post(c, "/comments", {"arxiv_id": "2606.00001", "body": LONG}))[2],
                           "comment-body", "comment-error", "limited to", LONG + "</textarea>"),
    "edit a comment": Case(lambda c: post(c, f"/comments/{_comment(c)}/edit", {"body": LONG}),
                           "comment-body", "comment-error", "limited to", LONG + "</textarea>"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_refused_form_names_and_focuses_its_field(client, case: Case):
    r = case.send(client)
    html = r.text
    assert r.status_code == 400, html[:500]
    assert title(html).startswith("Error: ")
    message = re.search(rf'<p class="form-error" id="{case.message}" role="alert"([^>]*)>([^<]*)</p>', html)
    assert message and case.says in message.group(2), html
    assert html.count("autofocus") == 1  # one place for the focus to land
    if case.field is None:
        assert message.group(1) == ' tabindex="-1" autofocus'
        assert "aria-invalid" not in html
    else:
        field = tags(html)[case.field]
        assert 'aria-invalid="true"' in field and f'aria-describedby="{case.message}"' in field
        assert "autofocus" in field
        assert html.count('aria-invalid="true"') == 1
    assert case.kept in html


def test_an_unrefused_form_marks_nothing(client):
    _member(client)
    for url in ("/profile", "/submit", "/subscribe", "/me/interests", "/for-you", "/collections"):
        html = client.get(url).text
        assert not title(html).startswith("Error"), url
        assert "aria-invalid" not in html and "autofocus" not in html and "form-error" not in html, url
