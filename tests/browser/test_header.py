"""The header on a laptop: one row even for a signed-in admin, the account's pages behind the name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.browser.sites import live_site, sign_in
from tests.factories import make_paper

pytestmark = pytest.mark.browser

ROW = """() => {
  const boxes = [...document.querySelector('.header-row').children].map(e => e.getBoundingClientRect());
  return [Math.max(...boxes.map(b => b.top)), Math.min(...boxes.map(b => b.bottom))];
}"""


@pytest.mark.parametrize("width", [1280, 1100])
def test_a_signed_in_admins_header_is_one_row_and_the_menu_opens(browser, tmp_path: Path, sqlite_template: Path,
                                                                   width: int, output_dir):  # type: ignore[no-untyped-def]
    with live_site(tmp_path, sqlite_template, (make_paper("2606.00001"), date(2026, 6, 3))) as (url, app):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        sign_in(page, url, app, "header.admin@example.org")
        app.state.services.community.accounts.set_role_by_email("header.admin@example.org", "admin")
        page.goto(url + "/")

        lowest_top, highest_bottom = page.evaluate(ROW)
        assert lowest_top < highest_bottom, f"the header wraps at {width}px"
        page.screenshot(path=str(output_dir / f"header-signed-in-{width}.png"))
        menu = page.locator(".account-menu .menu")
        assert not menu.is_visible()  # folded until the name is clicked

        page.click(".account-nav .me")
        assert menu.is_visible()
        box = menu.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert menu.locator("a").all_inner_texts() == ["Profile", "Collections", "Interests", "Admin"]
        page.screenshot(path=str(output_dir / f"header-menu-open-{width}.png"))
        page.click(".account-menu >> text=Interests")
        page.wait_for_url(f"{url}/me/interests")

        # By keyboard: the name is a button-like summary; Enter opens, Sign out is reachable.
        page.focus(".account-menu > summary")
        page.keyboard.press("Enter")
        assert menu.is_visible()
        page.click(".account-menu >> text=Sign out")
        page.wait_for_selector(".account-nav .sign-in")
        context.close()


def test_a_members_subscribe_button_carries_their_address(browser, tmp_path: Path, sqlite_template: Path):  # type: ignore[no-untyped-def]
    with live_site(tmp_path, sqlite_template, (make_paper("2606.00001"), date(2026, 6, 3))) as (url, app):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url + "/")
        assert page.locator(".site-header #subscribe-email").is_visible()  # a visitor types it
        sign_in(page, url, app, "member@example.org")
        page.goto(url + "/")
        assert page.locator(".site-header #subscribe-email").count() == 0
        page.click(".site-header .subscribe-box button")
        page.wait_for_url(lambda u: "/subscribe?" in u)
        assert page.input_value("form[action='/subscribe'][method='post'] input[name=email]") == "member@example.org"
        context.close()


def test_the_account_menu_folds_when_the_keyboard_leaves_it_or_on_escape(browser, tmp_path: Path,
                                                                          sqlite_template: Path):  # type: ignore[no-untyped-def]
    """On a phone the open menu hangs over the period links and the date picker: left open after
    Tab moved past Sign out, it hid the link or field that had the focus."""
    with live_site(tmp_path, sqlite_template, (make_paper("2606.00001"), date(2026, 6, 3))) as (url, app):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        sign_in(page, url, app, "phone.reader@example.org")
        page.goto(url + "/")
        menu = page.locator(".account-menu .menu")
        page.focus(".account-menu > summary")
        page.keyboard.press("Enter")
        assert menu.is_visible()
        for _ in range(menu.locator("a, button").count() + 1):  # through the menu and out of it
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.account-menu')") is None
        assert not menu.is_visible()

        page.focus(".account-menu > summary")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")  # folds it and gives the focus back to the name
        assert not menu.is_visible()
        assert page.evaluate("document.activeElement.matches('.account-menu > summary')")

        page.click(".account-nav .me")
        page.mouse.click(10, 800)  # a tap elsewhere on the page folds it too
        assert not menu.is_visible()
        context.close()
