"""Author and category pages in Chromium, on a phone and a desktop, light and dark: axe-core finds
no serious or critical violation, nothing scrolls sideways at 390 px, and a chip and a name lead there."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import add_papers, make_paper

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PAGES = ("/authors/Émilie du Châtelet", "/categories/cs.LG", "/papers/date/2026-06-03", "/papers/week/2026-W23")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_author_and_category_pages_are_accessible_and_fit_a_phone(live_server, browser, output_dir, viewport, scheme):
    long_names = tuple(f"Collaborator Withaverylongname{i}" for i in range(30))
    add_papers(
        live_server.db,
        (make_paper("2606.00001", authors=("Émilie du Châtelet", *long_names), categories=("cs.LG", "stat.ML")),
         date(2026, 6, 3)),
        (make_paper("2606.00002", authors=("ÉMILIE DU CHÂTELET", "Ada Lovelace")), date(2026, 6, 2)),
    )
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(live_server.url + path)
            name = path.strip("/").replace("/", "_").replace(" ", "-")
            page.screenshot(path=str(output_dir / f"people-{name}-{viewport}-{scheme}.png"), full_page=True)
            results = Axe().run(page)
            bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert bad == [], (path, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in bad])
            if viewport == "phone":
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (path, overflow)
        page.goto(live_server.url + "/")
        page.locator("a.cat", has_text="cs.LG").first.click()
        assert page.url.endswith("/categories/cs.LG")
        page.locator("a.author", has_text="Ada Lovelace").first.click()
        assert page.locator("h1").inner_text() == "Ada Lovelace"
    finally:
        context.close()
