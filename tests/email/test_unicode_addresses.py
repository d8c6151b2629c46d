"""Subscribing with an address at an international domain: the confirmation goes to the
domain's ASCII (IDNA) name, and accented letters before the @ are refused with the reason."""

from tests.email.test_flow import subscribe


def test_an_international_domain_subscribes_under_its_ascii_name(mail_client, smtp_sink):
    r = subscribe(mail_client, email="ana@Bücher.de", trending="1")
    assert r.status_code == 200 and "Check your inbox" in r.text
    assert smtp_sink.handler.wait_for(1)
    assert smtp_sink.handler.recipients == ["ana@xn--bcher-kva.de"]
    assert mail_client.app.state.services.subscriptions.get_by_email("ana@xn--bcher-kva.de").status == "unconfirmed"


def test_accented_letters_before_the_at_are_refused_with_the_reason(mail_client, smtp_sink):
    r = subscribe(mail_client, email="josé@example.org", trending="1")
    assert r.status_code == 400 and "before the @" in r.text
    assert smtp_sink.handler.messages == []


def test_a_bounce_or_unsubscribe_naming_the_domain_as_typed_finds_the_subscriber(mail_client, smtp_sink):
    """An admin's `papertide email unsubscribe ana@bücher.de`, or a mailto unsubscribe from a client that
    writes the domain in Unicode, answered 'no subscription' for an address stored as its IDNA name."""
    subscribe(mail_client, email="ana@bücher.de", trending="1")
    subscriptions = mail_client.app.state.services.subscriptions
    assert subscriptions.record_bounce("ana@Bücher.de", "soft").known is True
    assert subscriptions.unsubscribe_address(" ana@BÜCHER.de ") == "unsubscribed"
    assert subscriptions.get_by_email("ana@xn--bcher-kva.de").status == "unsubscribed"
