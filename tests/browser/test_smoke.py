"""A person opens the site, clicks a paper and reads its abstract — in a real Chromium."""

from datetime import date

import pytest

from tests.factories import add_papers, make_paper

pytestmark = pytest.mark.browser


def test_open_home_click_a_paper_and_see_its_abstract(live_server, page, output_dir):
    add_papers(
        live_server.db,
        (make_paper("2606.00001", title="Attention is still all you need", upvotes_baseline=12,
                    abstract="We revisit attention. It is still all you need."), date(2026, 6, 1)),
        (make_paper("2606.00002", title="A lesser paper", upvotes_baseline=2), date(2026, 6, 1)),
    )
    page.goto(live_server.url + "/")
    assert page.locator("h3.title a").first.inner_text() == "Attention is still all you need"
    page.screenshot(path=str(output_dir / "home.png"), full_page=True)
    page.click("text=Attention is still all you need")
    page.wait_for_url("**/papers/2606.00001")
    assert "It is still all you need." in page.locator("section.abstract").inner_text()
    page.screenshot(path=str(output_dir / "paper.png"), full_page=True)
    # Readable on a phone: no horizontal scrolling at 375 px.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(output_dir / "home-phone.png"), full_page=True)
