from papertide.domain.arxiv_categories import (
    NAMES,
    canonical_category,
    category_group,
    category_name,
    group_held,
    is_listed_category,
    nearest_category,
    unknown_category_message,
)
from papertide.domain.search import parse_categories
from papertide.domain.subscriptions import is_arxiv_category, parse_preferences


def test_the_table_holds_arxivs_categories_in_their_own_spelling():
    assert len(NAMES) > 150
    assert all(is_arxiv_category(code) and name.strip() == name and name for code, name in NAMES.items())
    assert len({code.casefold() for code in NAMES}) == len(NAMES)  # case never tells two apart
    assert {"cs.CL", "cs.LG", "stat.ML", "hep-th", "math.AP", "q-bio.NC", "eess.AS", "econ.EM", "astro-ph.CO"} <= set(NAMES)
    assert category_name("cs.LG") == "Machine Learning" and category_name("hep-th") == "High Energy Physics - Theory"
    assert category_name("cs.lg") is None and category_name("secondary") is None


def test_a_typed_code_is_read_in_arxivs_spelling():
    assert [canonical_category(t) for t in ("cs.lg", "CS.LG", " math.ap ", "Q-BIO.NC", "hep-TH")] == [
        "cs.LG", "cs.LG", "math.AP", "q-bio.NC", "hep-th"]
    assert canonical_category("cs.ZZ") == "cs.ZZ" and not is_listed_category("cs.ZZ")  # left as typed, not listed


def test_a_mistyped_code_gets_the_nearest_real_one():
    assert nearest_category("cs.CLL") == "cs.CL"
    assert nearest_category("stat.ml") == "stat.ML"
    assert nearest_category("completely different") is None
    assert unknown_category_message("cs.CLL") == (
        "'cs.CLL' is not an arXiv category. Did you mean cs.CL (Computation and Language)?")
    assert "Codes look like cs.LG" in unknown_category_message("zz.qq.rr")


def test_codes_fall_under_arxivs_groups_in_arxivs_order():
    assert [category_group(c) for c in ("cs.CL", "cmp-lg", "math.AP", "math-ph", "hep-th", "q-bio.NC", "q-fin.ST",
                                        "eess.AS", "econ.EM", "stat.ML", "zz.AB")] == [
        "Computer Science", "Computer Science", "Mathematics", "Physics", "Physics", "Quantitative Biology",
        "Quantitative Finance", "Electrical Engineering and Systems Science", "Economics", "Statistics", "Other"]
    assert all(category_group(code) != "Other" for code in NAMES)  # every listed code has its group
    held = group_held([("zz.AB", 1), ("stat.ML", 2), ("cs.LG", 9), ("astro-ph.CO", 4), ("cs.AI", 3)])
    assert [(g, [(c.code, c.name, c.papers) for c in cs]) for g, cs in held] == [
        ("Physics", [("astro-ph.CO", "Cosmology and Nongalactic Astrophysics", 4)]),
        ("Computer Science", [("cs.AI", "Artificial Intelligence", 3), ("cs.LG", "Machine Learning", 9)]),
        ("Statistics", [("stat.ML", "Machine Learning", 2)]),
        ("Other", [("zz.AB", None, 1)]),
    ]
    assert group_held([]) == []


def test_search_filters_and_digest_preferences_read_codes_alike():
    assert parse_categories(["cs.lg, CS.CL", "cs.LG"]) == ("cs.LG", "cs.CL")
    assert parse_preferences({"categories": "cs.lg, cs.LG, hep-TH"}).categories == ("cs.LG", "hep-th")
