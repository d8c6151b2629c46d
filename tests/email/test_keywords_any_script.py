"""Keywords in any script match: "Schrödinger" with or without its umlaut, "变分" inside a run of
Chinese, and a keyword with nothing to match is refused when it is typed. Real SQLite and SMTP."""

from datetime import UTC, date, datetime

import pytest

from papertide.domain.subscriptions import InvalidSubscription, Preferences
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, app_for, make_paper

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)


def test_non_ascii_keywords_find_their_papers(sqlite_mail_settings, sqlite_db, smtp_sink):
    day = date(2026, 6, 4)
    add_papers(
        sqlite_db,
        (make_paper("2606.00201", title="Schrödinger bridges for generative models", upvotes_baseline=9), day),
        (make_paper("2606.00202", title="Solving the Schrodinger equation", upvotes_baseline=8), day),
        (make_paper("2606.00203", title="Variational inference for speech", upvotes_baseline=7,
                    abstract="我们提出一种基于变分推断的方法。"), day),
        (make_paper("2606.00204", title="Schrädinger, a typo that is another word", upvotes_baseline=6), day),
    )
    [email] = confirmed_subscribers(sqlite_db, 1, Preferences(trending=False, keywords=("Schrödinger", "变分")))
    services = app_for(sqlite_mail_settings, sqlite_db).state.services
    assert services.digests.run(THURSDAY).composed == 1
    assert services.outbox_sender.drain().sent == 1
    [msg] = smtp_sink.handler.messages
    text = msg.get_body(("plain",)).get_content()
    found = [line for line in text.splitlines() if line.startswith(("* ", "== "))]
    assert found == [  # and not "Schrädinger", which the ASCII-only rule read as the same two words
        "== “Schrödinger” ==", "* Schrödinger bridges for generative models", "* Solving the Schrodinger equation",
        "== “变分” ==", "* Variational inference for speech",
    ]


@pytest.mark.parametrize("keyword", ["--", "“”", "+++"])
def test_a_keyword_without_letters_or_digits_is_refused_when_typed(sqlite_mail_settings, sqlite_db, keyword):
    services = app_for(sqlite_mail_settings, sqlite_db).state.services
    with pytest.raises(InvalidSubscription, match="has no letters or digits to match"):
        services.subscriptions.subscribe("ada@example.org", {"trending": "0", "keywords": keyword})


def test_letters_unicode_does_not_decompose_fold_like_accents():
    from papertide.domain.keywords import normalize_text

    assert normalize_text("Łukasz Kaiser, Ørsted") == normalize_text("lukasz kaiser, orsted")
    assert normalize_text("バス") != normalize_text("パス")  # voicing marks are part of the letter
