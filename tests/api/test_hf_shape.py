"""Our /api/daily_papers matches huggingface.co's recorded response, key by key and type by type."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import HF_DAY, hf_items, import_hf_day

# Fields huggingface.co has that papertide has no data for (media, organisations, AI
# summaries, GitHub stars); clients must treat them as optional, as HF omits them too.
HF_ONLY_ITEM_KEYS = {"mediaUrl", "organization"}
HF_ONLY_PAPER_KEYS = {"ai_summary", "githubRepoAddedBy", "githubStars", "organization", "projectPage", "mediaUrls"}
HF_ONLY_USER_KEYS = {"isHf", "isHfAdmin", "isMod", "followerCount", "isUserFollowing"}
# Authors who claimed a paper on HF carry their HF account and claim state.
HF_ONLY_AUTHOR_KEYS = {"user", "status", "statusLastChangedAt"}


def _shape(value: Any) -> Any:
    """Keys and JSON types, recursively (lists by their first element)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _assert_subshape(ours: Any, theirs: Any, where: str, hf_only: set[str]) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert set(ours) <= set(theirs), f"{where}: keys HF does not have: {set(ours) - set(theirs)}"
        missing = set(theirs) - set(ours) - hf_only
        assert not missing, f"{where}: HF keys we lack: {missing}"
        for k in ours:
            _assert_subshape(ours[k], theirs[k], f"{where}.{k}", hf_only)
    elif isinstance(theirs, list):
        assert isinstance(ours, list), where
        if ours and theirs:
            _assert_subshape(ours[0], theirs[0], f"{where}[0]", hf_only)
    else:
        assert ours == theirs, f"{where}: {ours} != {theirs}"


@pytest.fixture
def hf_day(db):
    import_hf_day(db, hf_items())


def test_daily_papers_items_have_hfs_keys_and_value_types(client, hf_day):
    ours = client.get("/api/daily_papers", params={"date": HF_DAY.isoformat()}).json()
    theirs = hf_items()
    assert len(ours) == len(theirs)
    for mine, recorded in zip(ours, theirs, strict=True):
        ignore = HF_ONLY_ITEM_KEYS | HF_ONLY_PAPER_KEYS | HF_ONLY_USER_KEYS | HF_ONLY_AUTHOR_KEYS
        _assert_subshape(_shape(mine), _shape(recorded), "item", ignore)
        # …and the values that carry meaning are HF's own.
        assert mine["paper"]["id"] == recorded["paper"]["id"]
        assert mine["title"] == mine["paper"]["title"] == recorded["title"]
        assert mine["summary"] == mine["paper"]["summary"] == recorded["paper"]["summary"]
        assert mine["paper"]["upvotes"] == recorded["paper"]["upvotes"]
        assert mine["numComments"] == recorded["numComments"]
        assert [a["name"] for a in mine["paper"]["authors"]] == [a["name"] for a in recorded["paper"]["authors"]]
        assert mine["paper"].get("ai_keywords", []) == recorded["paper"].get("ai_keywords", [])
        assert mine["submittedBy"]["name"] == recorded["submittedBy"]["name"]
        assert mine["paper"]["submittedOnDailyAt"] == "2025-06-02T00:00:00.000Z"
        assert mine["paper"]["publishedAt"] == recorded["paper"]["publishedAt"][:10] + "T00:00:00.000Z"


def test_paper_endpoint_is_the_paper_object(client, hf_day):
    recorded = hf_items()[0]
    ours = client.get(f"/api/papers/{recorded['paper']['id']}").json()
    listed = client.get("/api/daily_papers", params={"date": HF_DAY.isoformat(), "limit": 1}).json()[0]["paper"]
    assert ours == listed
    assert client.get(f"/api/papers/{recorded['paper']['id']}v2").json() == ours
