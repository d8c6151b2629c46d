"""Header lines as they reach an SMTP server: ASCII, RFC 2047 encoded words for non-ASCII names
and subjects, at most 78 characters a line, and decoding back to exactly what we meant."""

import re
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest

from papertide.email.messages import RenderedEmail, build_raw_message
from papertide.storage import outbox as outbox_store
from tests.factories import app_for

SITE = "Papiers Müller 論文の潮流"
NAME = "山田 太郎 (Jürgen Müller-Lüdenscheidt, Überlingen)"
THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
UNFOLDABLE_URI = re.compile(r"(List-Unsubscribe:)? <[^ ]+>,?")


def header_lines(raw: bytes) -> list[str]:
    """The header block's physical lines; decoding as ASCII fails on a raw UTF-8 byte."""
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


def decoded(lines: list[str], name: str) -> str:
    """A header's value unfolded (RFC 5322 2.2.3) and decoded as RFC 2047 says: whitespace
    between two encoded words is not part of the text. (Python 3.11's ``policy.default`` parser
    keeps it inside display names, so we decode with ``email.header``, as mail clients do.)"""
    unfolded = "\r\n".join(lines).replace("\r\n ", " ").split("\r\n")
    [value] = [line.partition(":")[2] for line in unfolded if line.partition(":")[0].lower() == name.lower()]
    return str(make_header(decode_header(value.strip())))


def test_non_ascii_site_and_subscriber_names_arrive_encoded_and_folded(sqlite_mail_settings, sqlite_db, smtp_sink,
                                                                        june_papers_sqlite):
    settings = sqlite_mail_settings.model_copy(update={"site_name": SITE, "email_from": f"{SITE} <digest@papers.example>"})
    services = app_for(settings, sqlite_db).state.services
    services.subscriptions.subscribe("ada@example.org", {"trending": "1", "categories": "cs.CL"}, name=NAME)
    assert services.outbox_sender.drain().sent == 1
    sub = services.subscriptions.get_by_email("ada@example.org")
    services.subscriptions.confirm(services.notices.token("confirm", sub))
    assert services.digests.run(THURSDAY).composed == 1
    assert services.outbox_sender.drain().sent == 1

    with sqlite_db.read() as conn:
        subjects = [row["subject"] for row in outbox_store.by_status(conn, "sent")]
    assert subjects[1].startswith(f"{SITE} digest · Thursday 4 June 2026 · ")  # longer than one line
    for raw, subject in zip(smtp_sink.handler.raw, subjects, strict=True):
        lines = header_lines(raw)
        # Longer only where nothing can be folded: one List-Unsubscribe URL (a signed token) a line.
        assert [line for line in lines if len(line) > 78 and not UNFOLDABLE_URI.fullmatch(line)] == []
        assert decoded(lines, "From") == f"{SITE} <digest@papers.example>"
        assert decoded(lines, "To") == f"{NAME} <ada@example.org>"
        assert decoded(lines, "Subject") == subject
        assert decoded(lines, "List-Id") == f"{SITE} digest <digest.papers.example>"
        # The id stays literal (no encoded word inside the brackets), so filters can match it.
        assert any(line.rstrip().endswith(" <digest.papers.example>") for line in lines)


@pytest.mark.parametrize(("subject", "name", "to"), [
    ("A digest whose subject is much longer than one header line " + "could ever hold " * 5 + "in it", "Ada Lovelace",
     "Ada Lovelace <ada@example.org>"),
    ("Résumé " + "é" * 80, "Ada " * 20 + "Lovelace", "Ada " * 20 + "Lovelace <ada@example.org>"),
    ("Literal =?utf-8?q?x?= is not an encoded word", "Lovelace, Ada", '"Lovelace, Ada" <ada@example.org>'),
    ("論文 " * 40 + "end", "论文" * 45, "论文" * 45 + " <ada@example.org>"),
])
def test_long_headers_fold_at_78_and_decode_back(subject, name, to):
    raw = build_raw_message(
        RenderedEmail(subject, "t", "<p>h</p>"), sender="papertide <digest@papers.example>", recipient="ada@example.org",
        recipient_name=name, message_id="<1@papers.example>", date=THURSDAY,
        headers={"List-Unsubscribe": f"<https://papers.example/unsubscribe?token={'t' * 10}>, <mailto:u@papers.example>"},
    ).encode()
    lines = header_lines(raw)
    assert [line for line in lines if len(line) > 78] == []
    assert decoded(lines, "Subject") == subject
    assert decoded(lines, "To") == to
    # Folded between the URIs, never inside one.
    assert "List-Unsubscribe: <https://papers.example/unsubscribe?token=" + "t" * 10 + ">," in lines
    assert " <mailto:u@papers.example>" in lines
