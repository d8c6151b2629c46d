"""Author keys fold Unicode form, case and spacing, and nothing else."""

from papertide.domain.authors import (
    MAX_NAME_CHARS,
    author_key,
    closest_names,
    display_name,
    holds_name,
    names_shown,
    search_key,
)


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


NAMES = tuple(f"Author {n}" for n in range(1, 41))


def test_a_card_names_the_first_few_then_et_al():
    assert names_shown(NAMES, 3) == (list(NAMES[:3]), True)
    assert names_shown(NAMES[:4], 3) == (list(NAMES[:4]), False)  # one more is shown, not hidden behind et al.
    assert names_shown(NAMES, None) == (list(NAMES), False)
    assert names_shown((), 3) == ([], False)


def test_an_author_filter_adds_the_later_names_it_matches():
    names = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Geoffrey HINTON", "Barbara Liskov")
    assert names_shown(names, 3, "hinton") == (["Ada Lovelace", "Alan Turing", "Grace Hopper", None, "Geoffrey HINTON"], True)
    assert names_shown(names, 3, "Liskov") == (["Ada Lovelace", "Alan Turing", "Grace Hopper", None, "Barbara Liskov"], False)
    assert names_shown(names, 3, "turing") == (["Ada Lovelace", "Alan Turing", "Grace Hopper"], True)  # already shown
    assert names_shown(names, 3, "Edsger") == (["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"], True)
    assert names_shown(names, 3, "nobody") == (list(names[:3]), True)


def test_at_most_a_few_matches_are_added():
    shown, more = names_shown(NAMES, 3, "author 3")  # Author 3 (shown), then 30, 31, … 39
    assert shown == ["Author 1", "Author 2", "Author 3", None, "Author 30", "Author 31"] and more


def test_a_name_is_held_as_the_filter_compares_names():
    assert holds_name("Detlef Müller", "MÜLLER") and holds_name("Detlef Müller", "mu\u0308ller")
    assert holds_name("Detlef Müller", "muller") and holds_name("Detlef Muller", "müller")  # a search folds accents
    assert not holds_name("Detlef Müller", "") and not holds_name("Detlef Müller", "miller")


def test_search_keys_drop_latin_greek_and_cyrillic_accents_and_keep_other_scripts():
    assert search_key("  Łukasz   KAISER ") == "lukasz kaiser"
    assert search_key("Bernhard Schölkopf") == search_key("Bernhard Scho\u0308lkopf") == "bernhard scholkopf"
    assert search_key("Søren Đorđević") == "soren dordevic" and search_key("Æsa Œuvre") == "aesa oeuvre"
    assert search_key("Ελένη Σίμου") == "ελενη σιμου" and search_key("Йосиф") == "иосиф"
    assert search_key("田中 はが") == "田中 はが"  # the dakuten is part of the kana
    assert author_key("Detlef Müller") != author_key("Detlef Muller")  # pages still tell them apart


HELD = ["Geoffrey Hinton", "Geoffrey E. Hinton", "Jim Hinton", "Jürgen Schmidhuber", "Juergen Schmidhuber",
        "Detlef Müller", "Marius Muller", "Chintan Shah", "Yann LeCun", "Fei-Fei Li"]


def test_a_misspelt_surname_is_offered_as_the_word_the_filter_then_finds():
    assert closest_names("hintn", HELD)[0] == "Hinton"  # every Hinton, the most similar word first
    assert closest_names("schmidhubr", HELD) == ["Schmidhuber"]
    assert closest_names("MULER", HELD) == ["Müller"]  # Müller and Muller are one filter; a tie shows the first seen
    assert closest_names("zzyzx", HELD) == [] and closest_names("", HELD) == []


def test_several_typed_words_are_compared_with_whole_names():
    assert closest_names("yann lecunn", HELD) == ["Yann LeCun"]
    assert closest_names("fei-fei lee", HELD) == ["Fei-Fei Li"]


def test_a_name_the_filter_already_finds_is_not_offered():
    assert "Hinton" not in closest_names("hinton", HELD)
    assert closest_names("hintn", HELD + ["Anna Hintze", "Bo Hinten", "Cy Hintzen"], limit=2) == ["Hinton", "Hinten"]
