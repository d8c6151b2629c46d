"""The card grid in a real Chromium: three columns on a laptop, one on a phone, no sideways scrolling."""

from datetime import date

import pytest

from tests.factories import add_papers, make_paper

SERIOUS = ("serious", "critical")

pytestmark = pytest.mark.browser

LONG = "Superlongunbreakabletokenizationfreeidentifier" * 3


def _columns(page) -> int:  # type: ignore[no-untyped-def]
    lefts = page.eval_on_selector_all(".card-grid .paper-card", "cards => cards.map(c => c.getBoundingClientRect().left)")
    return len({round(x) for x in lefts})


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_card_grid_is_three_columns_wide_and_one_on_a_phone(live_server, browser, output_dir, scheme):
    add_papers(live_server.db, *[
        (make_paper(f"2606.{i:05d}", title=f"M$^{i}$Eval {LONG if i == 1 else ''} paper {i}",
                    categories=(("cs.CL", "cs.LG", "cs.CV", "stat.ML", "eess.AS", "math.OC")[i % 6], "cs.AI"),
                    abstract=f"Background first. We propose method {i} with $x^{i}$ gains, e.g. 2.5x. It works.",
                    upvotes_baseline=10 - i), date(2026, 6, 1))
        for i in range(1, 8)
    ])
    for width, height, columns in ((1366, 900, 3), (390, 844, 1)):
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        page = context.new_page()
        for path in ("/", "/trending"):
            page.goto(live_server.url + path)
            assert _columns(page) == columns, (path, width)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
            # Placeholders are real tiles, not empty boxes: each has a height and shows its category.
            tile = page.locator(".thumb-placeholder").first
            assert tile.bounding_box()["height"] > 100
            assert tile.locator(".ph-cat").inner_text() in {"cs.CL", "cs.LG", "cs.CV", "stat.ML", "eess.AS", "math.OC"}
            assert page.locator(".card-grid .title math").count() == 7
            # The cards (placeholder text on its colour, the hidden picture link, MathML) pass axe-core.
            from axe_playwright_python.sync_playwright import Axe

            results = Axe().run(page, context=".card-grid")
            bad = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
                   if v["impact"] in SERIOUS]
            assert bad == [], (path, width, scheme)
        page.screenshot(path=str(output_dir / f"cards-{width}-{scheme}.png"), full_page=width > 400)
        context.close()
