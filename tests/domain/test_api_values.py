"""API tokens and cursors as plain values (pure)."""

import pytest

from papertide.domain.api_tokens import (
    InvalidScope,
    hash_token,
    new_token_secret,
    parse_bearer,
    parse_scope,
    scope_allows,
    token_prefix,
)
from papertide.domain.cursors import MAX_OFFSET, InvalidCursor, decode_cursor, encode_cursor


def test_new_tokens_are_random_prefixed_and_hash_stably():
    a, b = new_token_secret(), new_token_secret()
    assert a != b and a.startswith("pt_") and len(a) == 3 + 43
    assert hash_token(a) == hash_token(a) != hash_token(b) and len(hash_token(a)) == 64
    assert token_prefix(a) == a[:10]


def test_scopes():
    assert (parse_scope(" READ "), parse_scope("write")) == ("read", "write")
    with pytest.raises(InvalidScope):
        parse_scope("admin")
    assert [scope_allows(g, n) for g in ("read", "write") for n in ("read", "write")] == [True, False, True, True]


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer pt_abc", "pt_abc"), ("bearer   pt_abc  ", "pt_abc"), ("Basic eHk6eHk=", None), ("Bearer ", None),
     ("", None), (None, None), ("pt_abc", None)],
)
def test_bearer_headers(header, token):
    assert parse_bearer(header) == token


def test_cursors_round_trip_and_refuse_forgeries():
    assert decode_cursor(encode_cursor("o", 50), "o") == 50
    assert decode_cursor(encode_cursor("b", 123456), "b") == 123456
    for bad in ("", "nonsense", "!!!", encode_cursor("b", 5), encode_cursor("o", MAX_OFFSET + 1), "bnVsbA", "WzFd",
                "eyJvIjp0cnVlfQ", "eyJvIjotMX0", "é"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, "o")
