"""HF API shapes built from our papers (pure)."""

from datetime import date

from papertide.domain.hf_shape import hf_daily_item, hf_object_id, hf_paper, hf_timestamp, hf_user
from papertide.domain.papers import Paper, PaperEntry

PAPER = Paper(
    "2405.12345", "A title", "An abstract.", authors=("Ada", "Alan"), published=date(2024, 5, 20),
    github_repo="https://github.com/x/y", keywords=("graphs",),
)


def test_timestamps_and_ids_are_stable():
    assert hf_timestamp(date(2026, 6, 1)) == "2026-06-01T00:00:00.000Z"
    assert hf_object_id("a", "b") == hf_object_id("a", "b") != hf_object_id("a", "c")
    assert len(hf_object_id("x")) == 24 and int(hf_object_id("x"), 16) >= 0


def test_users_spell_the_username_where_hf_does():
    assert hf_user("ada") == {"_id": hf_object_id("user", "ada"), "avatarUrl": "", "isPro": False,
                              "fullname": "ada", "name": "ada", "type": "user"}
    assert hf_user("ada", "user")["user"] == "ada" and "name" not in hf_user("ada", "user")


def test_a_listed_paper_with_a_submitter():
    entry = PaperEntry(PAPER, upvotes=7, num_comments=2, listed_on=date(2024, 5, 22), submitter_name="ada")
    assert hf_paper(entry) == {
        "id": "2405.12345",
        "authors": [
            {"_id": hf_object_id("2405.12345", "author", "0"), "name": "Ada", "hidden": False},
            {"_id": hf_object_id("2405.12345", "author", "1"), "name": "Alan", "hidden": False},
        ],
        "publishedAt": "2024-05-20T00:00:00.000Z",
        "submittedOnDailyAt": "2024-05-22T00:00:00.000Z",
        "title": "A title",
        "submittedOnDailyBy": hf_user("ada", "user"),
        "summary": "An abstract.",
        "upvotes": 7,
        "discussionId": hf_object_id("2405.12345", "discussion"),
        "githubRepo": "https://github.com/x/y",
        "ai_keywords": ["graphs"],
    }
    item = hf_daily_item(entry)
    assert {k: v for k, v in item.items() if k != "paper"} == {
        "publishedAt": "2024-05-22T00:00:00.000Z", "title": "A title", "summary": "An abstract.",
        "thumbnail": "", "numComments": 2, "submittedBy": hf_user("ada"), "isAuthorParticipating": False,
    }


def test_a_bare_paper_omits_what_it_does_not_have():
    bare = PaperEntry(Paper("hep-th/9901001", "Old", ""), upvotes=0)
    assert hf_paper(bare) == {
        "id": "hep-th/9901001", "authors": [], "title": "Old", "summary": "", "upvotes": 0,
        "discussionId": hf_object_id("hep-th/9901001", "discussion"),
    }
    assert "publishedAt" not in hf_daily_item(bare) and "submittedBy" not in hf_daily_item(bare)
    # Without a publication date the listing day stands in.
    listed = PaperEntry(Paper("2405.1", "T", ""), upvotes=0, listed_on=date(2024, 5, 2))
    assert hf_paper(listed)["publishedAt"] == "2024-05-02T00:00:00.000Z"
