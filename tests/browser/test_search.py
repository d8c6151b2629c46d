"""A person types into the header search box and sees highlighted results — in a real Chromium."""

import pytest

from tests.factories import add_papers
from tests.search.conftest import CORPUS

pytestmark = pytest.mark.browser


def test_type_a_query_in_the_search_box_and_see_highlighted_results(live_server, page, output_dir):
    add_papers(live_server.db, *CORPUS)
    page.goto(live_server.url + "/")
    page.fill("#site-search", "diffusion models for images")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search?q=diffusion*")
    first = page.locator("li.search-hit h3.title a").first
    assert first.inner_text() == "Denoising diffusion models for image synthesis"
    assert page.locator("li.search-hit mark").count() >= 2
    assert "results for" in page.locator("h2.result-count").inner_text()
    page.screenshot(path=str(output_dir / "search.png"), full_page=True)
