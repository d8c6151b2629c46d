"""The hand-written MIME builder parses back with the standard ``email`` package exactly."""

import time
from datetime import UTC, datetime
from email import message_from_string, policy

import pytest
from itsdangerous import TimestampSigner

from papertide.config import Settings
from papertide.domain.digests import Candidate
from papertide.email.messages import RenderedEmail, build_message, build_raw_message, make_message_id
from papertide.email.notices import Notices
from papertide.email.tokens import InvalidToken, LinkSigner

TEXT = "Héllo — “quotes”, 日本語, a long line " + "x" * 300 + "\n.leading dot\nend\n"
HTML = "<p style=\"color:#000\">Héllo &amp; <b>bold</b> " + "y" * 300 + "</p>\n"


def build(**overrides):  # type: ignore[no-untyped-def]
    kwargs = {
        "sender": "papertide <digest@papers.example>", "recipient": "ada@example.org", "recipient_name": "Åda Lovelace",
        "message_id": make_message_id("digest:x:d2026-06-04", "papers.example"), "date": datetime(2026, 6, 4, 9, tzinfo=UTC),
        "headers": {"List-Id": "papertide digest <digest.papers.example>",
                    "List-Unsubscribe": "<https://x/" + "t" * 900 + ">, <mailto:u@x>"},
    }
    kwargs.update(overrides)
    return build_raw_message(RenderedEmail("Digest · Thursday — 17 papers " + "é" * 40, TEXT, HTML), **kwargs)


def test_raw_message_round_trips_through_the_email_package():
    raw = build()
    assert all(len(line) <= 998 for line in raw.split("\r\n"))
    msg = message_from_string(raw, policy=policy.default)
    assert msg["Subject"] == "Digest · Thursday — 17 papers " + "é" * 40
    assert msg["To"] == "Åda Lovelace <ada@example.org>" and msg["To"].addresses[0].addr_spec == "ada@example.org"
    assert msg["From"] == "papertide <digest@papers.example>"
    assert msg["Date"].datetime == datetime(2026, 6, 4, 9, tzinfo=UTC)
    assert msg["List-Unsubscribe"].replace(" ", "") == ("<https://x/" + "t" * 900 + ">,<mailto:u@x>")
    assert msg.get_content_type() == "multipart/alternative" and not msg.defects
    # Lines travel as CRLF (as with the standard library's SMTP policy); content is otherwise exact.
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == TEXT
    assert msg.get_body(("html",)).get_content().replace("\r\n", "\n") == HTML
    assert build() == raw  # deterministic: a retry sends the same bytes
    assert build_message(RenderedEmail("s", "t", "<p>h</p>"), sender="a@b.org", recipient="c@d.org",
                         message_id="<1@x>")["Message-ID"] == "<1@x>"


@pytest.mark.parametrize("field", ["recipient", "recipient_name", "message_id"])
def test_line_breaks_in_header_values_are_refused(field):
    with pytest.raises(ValueError, match="refusing a line break"):
        build(**{field: "ada@example.org\r\nBcc: everyone@example.org"})
    with pytest.raises(ValueError, match="refusing a line break"):
        build(headers={"X-Evil": "a\nb"})


def test_link_tokens_are_purpose_bound_and_unforgeable():
    signer = LinkSigner("k" * 32)
    token = signer.sign("unsubscribe", "uuid-1", 3)
    assert (signer.verify("unsubscribe", token).subscription_uuid, signer.verify("unsubscribe", token).version) == ("uuid-1", 3)
    with pytest.raises(InvalidToken, match="not valid"):
        signer.verify("manage", token)
    with pytest.raises(InvalidToken, match="not valid"):
        LinkSigner("other" * 8).verify("unsubscribe", token)


def test_digest_papers_read_their_tex_as_plain_text():
    # Mail clients render no MathML: a digest shows M³Eval, not M$^3$Eval, and a link command's words.
    notices = Notices(Settings(base_url="https://papers.example", _env_file=None))  # type: ignore[call-arg]
    paper = Candidate("2606.05008", "M$^3$Eval:  memory", "Code at \\href{https://g.io/m}{this https URL}; cost $O(n^2)$.")
    block = notices.paper_context(paper)
    assert block["title"] == "M³Eval: memory"
    assert block["snippet"] == "Code at https://g.io/m; cost O(n²)."


def test_a_confirmation_link_works_as_long_as_the_unconfirmed_request_lives(monkeypatch):
    # The confirmation email says the request expires in SUBSCRIPTION_UNCONFIRMED_DAYS; its link
    # must work until then, not die after a fixed week.
    settings = Settings(subscription_unconfirmed_days=14, _env_file=None)  # type: ignore[call-arg]
    signer = Notices(settings).signer
    now = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now - 13 * 86400))
    thirteen_days_old = signer.sign("confirm", "uuid-1", 0)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now - 15 * 86400))
    fifteen_days_old = signer.sign("confirm", "uuid-1", 0)
    monkeypatch.undo()
    assert signer.verify("confirm", thirteen_days_old).subscription_uuid == "uuid-1"
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify("confirm", fifteen_days_old)


def test_digest_papers_in_a_right_to_left_script_read_in_their_own_direction():
    # A title in Arabic or Hebrew inside a left-to-right digest would show its words reversed
    # around Latin acronyms; dir="auto" lets the client take the text's own direction.
    notices = Notices(Settings(base_url="https://papers.example", _env_file=None))  # type: ignore[call-arg]
    paper = Candidate("2606.05009", "نموذج لغوي كبير LLM للعربية", "نلخص العمل.", authors=("سارة أحمد",))
    html = str(notices._paper_block(paper)["html"])
    for text in ("نموذج لغوي كبير LLM للعربية", "سارة أحمد", "نلخص العمل."):
        assert 'dir="auto" style=' in html.split(text)[0].rsplit("<", 1)[1], text


def test_a_digest_paper_with_one_upvote_says_one_upvote():
    # Quiet days' new papers often have a single upvote; the digest read "▲ 1 upvotes".
    notices = Notices(Settings(base_url="https://papers.example", _env_file=None))  # type: ignore[call-arg]
    one = notices._paper_block(Candidate("2606.05010", "One", "An abstract.", upvotes=1))
    many = notices._paper_block(Candidate("2606.05011", "Many", "An abstract.", upvotes=2))
    assert "▲ 1 upvote · https://papers.example/papers/2606.05010" in one["text"]
    assert "▲ 1 upvote · <a " in str(one["html"])
    assert "▲ 2 upvotes · " in many["text"] and "▲ 2 upvotes · <a " in str(many["html"])
