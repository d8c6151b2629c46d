"""A long formula on a 360 px phone: it scrolls inside its own box, never the page, and keeps its height."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.browser.sites import live_site
from tests.factories import make_paper

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
FORMULA = r"$\mathcal{O}(n^2\log n\cdot\sum\ldots+\frac{a+b+c+d}{e+f+g}+\frac{h+i+j+k}{l+m+n})$"
TITLE = f"Sorting in {FORMULA} time"
ABSTRACT = f"We sort in {FORMULA} time and {FORMULA} space, both tight, for $n^2$ keys. Searching sorted lists is faster."
PATHS = ["/papers/2606.00001", "/", "/trending", "/search?q=sorting"]


def test_a_long_formula_scrolls_in_its_own_box_and_not_the_page_at_360_px(
        browser, tmp_path: Path, sqlite_template: Path, output_dir: Path) -> None:
    paper = make_paper("2606.00001", title=TITLE, abstract=ABSTRACT, upvotes_baseline=5)
    with live_site(tmp_path, sqlite_template, (paper, date(2026, 6, 1))) as (url, _):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        try:
            for path in PATHS:
                response = page.goto(url + path)
                assert response is not None and response.status == 200, path
                assert page.locator(".title math, .paper-title math").count() >= 1, path
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px in a {PHONE['width']}px window"
                # The formula's own box scrolls, and is tall enough for its fraction: nothing clipped vertically.
                boxes = page.eval_on_selector_all(".math-scroll", """els => els.map(e => ({
                    sw: e.scrollWidth, cw: e.clientWidth, sh: e.scrollHeight, ch: e.clientHeight,
                    tab: e.getAttribute("tabindex")}))""")
                assert boxes, path
                assert any(b["sw"] > b["cw"] for b in boxes), (path, boxes)
                assert all(b["sh"] <= b["ch"] for b in boxes), (path, boxes)
                # Only a box that scrolls is a tab stop (a keyboard can scroll it); one that fits is not.
                assert all((b["tab"] == "0") == (b["sw"] > b["cw"]) for b in boxes), (path, boxes)
                # A box that scrolls must be reachable from the keyboard (axe: scrollable-region-focusable).
                blocking = [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe.run(page).response["violations"]
                            if v["impact"] in ("serious", "critical")]
                assert blocking == [], (path, blocking)
                page.screenshot(path=str(output_dir / f"long-math{path.replace('/', '_')[:30]}.png"), full_page=True)
            assert violations == []
        finally:
            context.close()
