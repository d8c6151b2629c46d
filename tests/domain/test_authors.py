"""Author keys fold Unicode form, case and spacing, and nothing else."""

from papertide.domain.authors import MAX_NAME_CHARS, author_key, display_name


def test_spellings_of_one_name_share_a_key():
    spellings = [
        "Émilie du Châtelet",  # composed
        "E\u0301milie du Cha\u0302telet",  # decomposed, as some PDFs and feeds give it
        "  ÉMILIE   DU\u00a0CHÂTELET ",  # upper case, runs of spaces, a no-break space
        "Ｅ\u0301milie du Châtelet",  # a full-width letter
    ]
    assert {author_key(s) for s in spellings} == {"émilie du châtelet"}


def test_different_names_keep_different_keys():
    # Accents and initials stay: these may be different people, and a wrong merge is worse than a split.
    keys = [author_key(n) for n in ("Émilie du Châtelet", "Emilie du Chatelet", "É. du Châtelet", "Straße", "Strasse")]
    assert keys == ["émilie du châtelet", "emilie du chatelet", "é. du châtelet", "strasse", "strasse"]


def test_keys_are_capped_and_blank_names_have_none():
    assert author_key("x" * 500) == "x" * MAX_NAME_CHARS
    assert author_key(" \t ") == "" and author_key("") == ""


def test_display_name_is_the_most_frequent_spelling():
    assert display_name(["ADA LOVELACE", "Ada  Lovelace", "Ada Lovelace"]) == "Ada Lovelace"
    assert display_name(["B", "A"]) == "B"  # ties: the first seen
    assert display_name([]) == ""
