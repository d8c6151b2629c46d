"""The search page, similar papers and adversarial queries over HTTP (both databases)."""

from __future__ import annotations

import re

import pytest

from tests.factories import add_papers, make_paper
from tests.search.conftest import CORPUS

ADVERSARIAL = [
    "",
    "   ",
    "the of and to is",
    '"',
    '"unbalanced quote',
    "*",
    "((()",
    "NEAR",
    "NEAR(a b, 3)",
    "-",
    "- - -",
    ":",
    "title:graph",
    "AND OR NOT",
    "a* OR b* -c",
    r"$\alpha$-divergence",
    "Schrödinger équation ∂ψ/∂t 量子",
    "\x00\x01 control",
    "'; DROP TABLE papers; --",
    "x" * 10_000,
    "graph " * 2_000,
    "2401.99999",
    "https://arxiv.org/abs/9999.99999",
]


@pytest.fixture(autouse=True)
def _no_background_thread(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERTIDE_SEARCH_BACKGROUND_EMBED", "0")


@pytest.fixture
def search_client(client, db):  # type: ignore[no-untyped-def]
    add_papers(db, *CORPUS)
    client.app.state.services.search.embed_pending()
    return client


@pytest.mark.parametrize("q", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_queries_get_a_sane_page(search_client, q):
    r = search_client.get("/search", params={"q": q})
    assert r.status_code == 200
    assert "<h1>Search</h1>" in r.text
    assert "Traceback" not in r.text and "<script>alert" not in r.text


def test_adversarial_filters_get_a_sane_page(search_client):
    r = search_client.get("/search", params={"q": "graph", "date_from": "2024-02", "date_to": "",
                                             "cat": ["'; --", "cs.LG"], "xcat": "%%%", "author": "%_\\",
                                             "sort": "nonsense", "p": 3, "mode": "evil"})
    assert r.status_code == 200


def test_a_date_that_cannot_be_read_is_a_422_saying_what_to_write(search_client):
    r = search_client.get("/search", params={"q": "graph", "date_from": "2024-99-99", "cat": "cs.LG"})
    assert r.status_code == 422
    assert "from date &#39;2024-99-99&#39; is not a date: write YYYY-MM-DD" in r.text
    # The form comes back as typed, open, so the reader mends the date; nothing was searched.
    assert 'name="q" value="graph"' in r.text and 'name="date_from" value="2024-99-99"' in r.text
    assert 'name="cat" value="cs.LG"' in r.text and '<details class="filters" open>' in r.text
    assert 'class="search-hit' not in r.text and "results for" not in r.text and "No papers match" not in r.text


def test_search_page_shows_highlighted_ranked_results(search_client):
    r = search_client.get("/search", params={"q": "diffusion images"})
    assert r.status_code == 200
    assert "<mark>Diffusion</mark>" in r.text or "<mark>diffusion</mark>" in r.text
    assert r.text.index("2401.00002") < r.text.index("2401.00009")
    assert "results for" in r.text


def test_titles_are_escaped_inside_highlights(search_client, db):
    from tests.factories import make_paper

    add_papers(db, make_paper("2403.00001", title="<script>alert(1)</script> zebra", abstract="zebra stripes"))
    r = search_client.get("/search", params={"q": "zebra"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


def test_an_arxiv_url_query_redirects_to_the_paper(search_client):
    r = search_client.get("/search", params={"q": "https://arxiv.org/abs/2401.00003v1"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/papers/2401.00003")


def test_filters_and_sort_show_in_the_form_and_results(search_client):
    r = search_client.get("/search", params={"q": "networks", "cat": "cs.CV", "sort": "date"})
    assert r.status_code == 200
    assert "2401.00009" in r.text and "2401.00001" not in r.text
    assert 'value="cs.CV"' in r.text
    assert '<option value="date" selected>' in r.text


def test_paging_links_keep_the_query(search_client):
    r = search_client.get("/search", params={"q": "neural models learning networks", "p": 0})
    assert r.status_code == 200
    if "Next →" in r.text:
        assert "q=neural" in r.text and "p=1" in r.text


def test_paper_page_lists_similar_papers(search_client):
    r = search_client.get("/papers/2401.00002")
    assert r.status_code == 200
    assert "Similar papers" in r.text and "/papers/2401.00009" in r.text


def test_similar_page_lists_neighbours_but_not_the_paper(search_client):
    r = search_client.get("/papers/2401.00002/similar")
    assert r.status_code == 200
    assert "/papers/2401.00009" in r.text
    assert r.text.count('href="/papers/2401.00002"') == 1  # only the back link


def test_similar_page_for_unknown_or_bad_ids_is_404(search_client):
    assert search_client.get("/papers/2401.99999/similar").status_code == 404
    assert search_client.get("/papers/not-an-id/similar").status_code == 404


def test_a_title_with_tex_is_rendered_in_results(search_client, db):
    from tests.factories import make_paper

    add_papers(db, make_paper("2403.00002", title="$π$-Bench: zebra crossings", abstract="zebra stripes"))
    search_client.app.state.services.search.embed_pending()
    html = search_client.get("/search", params={"q": "zebra crossings"}).text
    assert '<a href="/papers/2403.00002"><span class="math-scroll"><math ' in html and "$π$" not in html


def test_a_snippet_reads_the_abstracts_tex_as_text(search_client, db):
    from tests.factories import make_paper

    abstract = "Zebra stripes in $O(n^2)$ time; code at \\href{https://g.io/zebra}{this https URL}."
    add_papers(db, make_paper("2403.00003", title="Striped animals", abstract=abstract))
    search_client.app.state.services.search.embed_pending()
    html = search_client.get("/search", params={"q": "zebra stripes"}).text
    snippet = html.split('href="/papers/2403.00003"')[1].split('<p class="snippet" dir="auto">')[1].split("</p>")[0]
    assert "O(n²) time; code at https://g.io/zebra." in snippet.replace("<mark>", "").replace("</mark>", "")
    assert "\\href" not in snippet and "$" not in snippet


def _suggested(client, typed: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = client.get("/search/suggest", params={"q": typed})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-suggestions+json")
    query, titles, descriptions, urls = r.json()
    assert query == typed and len(titles) == len(descriptions) == len(urls)
    return [u.rsplit("/", 1)[1] for u in urls]


def test_the_search_box_suggests_titles_completing_the_word_being_typed(search_client):
    # Keyword search cannot read "la" or "pro"; the words before them find both papers, and the
    # unfinished word decides the order, whatever keyword ranking they came in.
    assert _suggested(search_client, "neural la")[0] == "2401.00003"  # Scaling laws for neural language models
    assert _suggested(search_client, "neural pro")[0] == "2401.00001"  # … molecular property prediction
    r = search_client.get("/search/suggest", params={"q": "surface codes "})
    assert r.json()[1][0] == "Quantum error correction with surface codes"
    assert r.json()[2][0] == "arXiv:2401.00006" and r.json()[3][0].endswith("/papers/2401.00006")
    assert "max-age" in r.headers["cache-control"]


def test_a_pasted_arxiv_id_or_link_suggests_the_paper_it_names(search_client):
    assert _suggested(search_client, "2401.00006") == ["2401.00006"]
    assert _suggested(search_client, "https://arxiv.org/abs/2401.00003v2")[0] == "2401.00003"
    assert _suggested(search_client, "arXiv:2401.00008 thermal radiation")[0] == "2401.00008"
    assert _suggested(search_client, "2607.99999") == []  # an id we do not hold


def test_suggestions_for_nothing_or_odd_input_are_an_empty_list(search_client):
    assert search_client.get("/search/suggest").json() == ["", [], [], []]
    assert _suggested(search_client, "n") == [] and _suggested(search_client, "qwxzvbnmkjh") == []
    for q in ADVERSARIAL:
        _suggested(search_client, q)


def test_a_search_by_author_names_and_marks_that_author_beyond_the_first_few(search_client, db):
    from tests.factories import make_paper

    crowd = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Geoffrey Hinton", "Barbara Liskov")
    add_papers(db, make_paper("2409.00001", title="A large collaboration", authors=crowd))
    html = search_client.get("/search", params={"author": "HINTON"}).text
    assert "Grace Hopper</a>, <span class=\"skipped\">…</span>, " in html
    assert "<mark>Geoffrey Hinton</mark>" in html and "Dijkstra" not in html
    plain = search_client.get("/search", params={"q": "large collaboration"}).text
    assert "Geoffrey Hinton" not in plain and "<mark>Grace" not in plain


def test_an_author_filter_that_matches_no_name_offers_the_names_it_resembles(search_client):
    html = search_client.get("/search", params={"q": "black holes", "author": "Hawkong"}).text
    assert "No papers match" in html and "Did you mean" in html
    assert '<a href="/search?q=black+holes&amp;author=Hawking" dir="auto">Hawking</a>?' in html
    assert 'href="/papers/2401.00008"' in search_client.get("/search?q=black+holes&author=Hawking").text
    # The name is held, the category is what leaves nothing: no names are offered.
    assert "Did you mean" not in search_client.get("/search", params={"author": "hawking", "cat": "cs.CV"}).text


def test_a_page_past_the_last_result_says_where_the_results_end(search_client, settings, monkeypatch):
    # A shared or edited address can ask for a page the results do not reach: that is not "no papers match".
    monkeypatch.setattr(settings, "search_page_size", 2)
    params = {"q": "networks", "xcat": "gr-qc"}
    first = search_client.get("/search", params=params)
    total = int(re.search(r'class="result-count">(\d+) results', first.text).group(1))  # type: ignore[union-attr]
    assert total > 2
    last = (total - 1) // 2
    past = search_client.get("/search", params={**params, "p": last + 3})
    assert past.status_code == 200
    assert "No papers match" not in past.text
    assert f'{total} results for “<span dir="auto">networks</span>”' in past.text
    assert f'/search?q=networks&amp;xcat=gr-qc&amp;p={last}">' in past.text  # the last page, filters kept


@pytest.mark.parametrize(("q", "said", "not_said"), [
    ("2401.99999", "We don’t hold", "very common words"),
    ("-diffusion", "A minus word only drops papers", "very common words"),
    ("!!! 😀", "no words or numbers", "very common words"),
    ("the of and", "only very common words", "minus word"),
])
def test_a_query_without_keywords_is_told_why_it_found_nothing(search_client, q, said, not_said):
    r = search_client.get("/search", params={"q": q})
    assert r.status_code == 200
    assert said in r.text and not_said not in r.text


def test_the_results_pager_is_a_named_landmark_like_the_other_pagers(search_client, settings, monkeypatch):
    # Beside the header's "Main" navigation, an unnamed one reads as just "navigation" in a screen reader's list.
    monkeypatch.setattr(settings, "search_page_size", 2)
    r = search_client.get("/search", params={"q": "networks", "p": 1})
    assert '<nav class="pager" aria-label="Pages">' in r.text and 'rel="prev"' in r.text


def test_browsing_never_links_to_a_page_deeper_than_the_page_accepts(search_client, db, settings, monkeypatch):
    # Filters alone list every paper passing them, past the deepest page the page takes (?p= is
    # capped): the last page it takes must say so rather than offer "Next" to a 422.
    from papertide.web.routes.search import MAX_PAGE

    monkeypatch.setattr(settings, "search_page_size", 1)
    add_papers(db, *[make_paper(f"2402.{n:05d}", categories=("astro-ph.EP",)) for n in range(1, MAX_PAGE + 4)])
    deepest = search_client.get("/search", params={"cat": "astro-ph.EP", "p": MAX_PAGE})
    assert deepest.status_code == 200
    assert f"{MAX_PAGE + 3} results" in deepest.text and 'rel="prev"' in deepest.text
    assert 'rel="next"' not in deepest.text
    assert "narrow the filters" in deepest.text
    assert search_client.get("/search", params={"cat": "astro-ph.EP", "p": MAX_PAGE - 1}).text.count('rel="next"') == 1


def test_a_year_or_month_filter_comes_back_in_the_date_fields_as_days_they_can_show(search_client):
    # <input type="date"> shows only YYYY-MM-DD: a shared "?date_from=2024" would show an empty field
    # while the filter is on, and the next Apply (a new sort, say) would drop it unseen.
    r = search_client.get("/search", params={"q": "networks", "date_from": "2024", "date_to": "2024-03"})
    assert r.status_code == 200
    assert 'name="date_from" value="2024-01-01"' in r.text and 'name="date_to" value="2024-03-31"' in r.text
    reversed_ = search_client.get("/search", params={"q": "networks", "date_from": "2024-06-02", "date_to": "2024-01-03"})
    assert 'name="date_from" value="2024-01-03"' in reversed_.text and 'name="date_to" value="2024-06-02"' in reversed_.text


def test_a_later_results_page_says_its_number_in_the_title(search_client, settings, monkeypatch):
    # The title is what a screen reader announces and history lists: page 2 must not read as page 1.
    monkeypatch.setattr(settings, "search_page_size", 2)
    assert "<title>networks · Search ·" in search_client.get("/search", params={"q": "networks"}).text
    assert "<title>networks · page 2 · Search ·" in search_client.get("/search", params={"q": "networks", "p": 1}).text
    assert "<title>page 2 · Search ·" in search_client.get("/search", params={"cat": "cs.CV", "p": 1}).text


def test_the_sort_box_shows_the_order_filters_alone_list_in(search_client):
    # Without words there is no relevance: filters alone list newest first, and the box says so.
    def selected(params: dict[str, str]) -> list[str]:
        html = search_client.get("/search", params=params).text
        return re.findall(r'<option value="(\w+)" selected>', html)

    assert selected({"cat": "cs.LG"}) == ["date"]
    assert selected({"cat": "cs.LG", "sort": "upvotes"}) == ["upvotes"]
    assert selected({"q": "networks", "cat": "cs.LG"}) == ["relevance"]
    assert selected({}) == ["relevance"]


def test_similar_papers_show_tex_titles_and_abstracts_as_the_paper_page_does(search_client, db):
    # The box and the page showed "$^2$" and "\mathcal" as typed, where every card renders them.
    add_papers(db, make_paper("2401.00020", title=r"Denoising diffusion models for image synthesis at $\mathcal{O}(n^2)$ cost",
                              abstract=r"Diffusion probabilistic models generate high quality images in $O(n^2)$ steps."))
    search_client.app.state.services.search.embed_pending()
    box = search_client.get("/papers/2401.00002").text.split('<section class="similar-papers">')[1].split("</section>")[0]
    page = search_client.get("/papers/2401.00020/similar").text
    assert "/papers/2401.00020" in box and "$" not in box and "<math" in box
    assert "$" not in page.split("<main")[1].split("</main>")[0] and "<math" in page
    assert "<title>Similar to Denoising diffusion models for image synthesis at O(n²) cost · papertide</title>" in page
    assert '<p class="snippet" dir="auto">Diffusion probabilistic models generate high quality images in O(n²) steps.</p>' in (
        search_client.get("/papers/2401.00002/similar").text)
