"""A visitor subscribes from the header box, confirms from the emailed link — in a real Chromium."""

import re
import time
from datetime import date
from email import message_from_string, policy

import pytest

from papertide.storage import outbox as outbox_store
from papertide.storage import subscriptions as subscriptions_store
from tests.factories import add_papers, make_paper

pytestmark = pytest.mark.browser


def test_subscribe_from_the_header_box_and_confirm_with_the_button(live_server, page, output_dir):
    add_papers(live_server.db, (make_paper("2606.00001", title="Attention again", upvotes_baseline=5), date(2026, 6, 1)))
    page.goto(live_server.url + "/")
    page.fill("#subscribe-email", "reader@example.org")
    page.click(".subscribe-box button")
    page.wait_for_url("**/subscribe?email=reader%40example.org")
    assert page.input_value("form.prefs input[name=email]") == "reader@example.org"
    page.fill("input[name=categories]", "cs.CL, cs.LG")
    page.fill("input[name=keywords]", "diffusion")
    page.check("input[name=frequency][value=weekly]")
    page.select_option("select[name=weekday]", "4")
    page.fill("input[name=timezone]", "Europe/Paris")
    page.screenshot(path=str(output_dir / "subscribe-form.png"), full_page=True)
    page.click("form.prefs button[type=submit]")
    page.wait_for_selector("text=Check your inbox")

    # The confirmation mail goes out after the response: wait for the outbox to record it as sent.
    deadline = time.monotonic() + 20
    while True:
        with live_server.db.read() as conn:
            sub = subscriptions_store.get_by_email(conn, "reader@example.org")
            sent = outbox_store.by_status(conn, "sent")
        if sent or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sent, "the confirmation email was not sent within 20 s"
    raw = sent[0]["raw"]
    assert sub.status == "unconfirmed"
    assert (sub.prefs.frequency, sub.prefs.weekday, sub.prefs.timezone, sub.prefs.categories) == (
        "weekly", 4, "Europe/Paris", ("cs.CL", "cs.LG"))
    body = message_from_string(raw, policy=policy.default).get_body(("plain",)).get_content()
    link = re.search(r"(http://\S+/subscribe/confirm\?token=\S+)", body).group(1)

    page.goto(link)  # opening the link shows a button; it confirms nothing by itself
    with live_server.db.read() as conn:
        assert subscriptions_store.get_by_email(conn, "reader@example.org").status == "unconfirmed"
    page.click("text=Confirm my subscription")
    page.wait_for_selector("text=You're subscribed")
    page.screenshot(path=str(output_dir / "subscribe-confirmed.png"), full_page=True)
    with live_server.db.read() as conn:
        assert subscriptions_store.get_by_email(conn, "reader@example.org").status == "confirmed"


def test_the_number_fields_look_like_the_form_s_other_fields_in_dark_mode(live_server, browser):
    # "At hour" and "At most" were left to the browser's own number box: a grey block with smaller
    # type among the themed fields (the stylesheet's shared input rule listed text, email and password).
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/subscribe")
        style = "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color, s.fontSize, s.borderTopColor]; }"
        email = page.eval_on_selector("form.prefs input[name=email]", style)
        assert page.eval_on_selector("#send_hour", style) == email
        assert page.eval_on_selector("#max_papers", style) == email
    finally:
        context.close()
