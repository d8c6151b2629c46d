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
from papertide.domain.cursors import (
    MAX_OFFSET,
    ForeignCursor,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
    list_key,
    read_cursor,
)


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
    key = list_key("trending", None, None)
    assert decode_cursor(encode_cursor("o", 50, key), "o", key) == 50
    assert decode_cursor(encode_cursor("b", 123456, key), "b", key) == 123456
    for bad in ("", "nonsense", "!!!", encode_cursor("o", MAX_OFFSET + 1, key), "bnVsbA", "WzFd",
                "eyJvIjp0cnVlfQ", "eyJvIjotMX0", "é", "eyJiIjo1fQ"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, "o", key)


def test_a_cursor_is_refused_by_any_list_but_its_own():
    trending, search = list_key("trending", None, None), list_key("search", "graph", None, None, None)
    day = list_key("period", "2026-06-01", "upvotes", None)
    assert len({trending, search, day, list_key("period", "2026-06-02", "upvotes", None),
                list_key("period", "2026-06-01", "published", None), list_key("period", "2026-06-01", "upvotes", "ada"),
                list_key("search", "graphs", None, None, None)}) == 7
    for cursor, key in [
        (encode_cursor("o", 50, trending), search),
        (encode_cursor("o", 50, day, "2026-06-01"), list_key("period", "2026-06-02", "upvotes", None)),
        (encode_cursor("b", 7, list_key("papers", None)), trending),  # a keyset cursor on a ranked list
        ("eyJvIjo1MH0", trending),  # {"o": 50}, issued before cursors named their list
    ]:
        with pytest.raises(ForeignCursor):
            decode_cursor(cursor, "o", key)
    assert read_cursor(encode_cursor("o", 50, day, "2026-06-01"), "o").period == "2026-06-01"
