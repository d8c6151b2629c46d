"""Addresses that are not plain ASCII, typed into the sign-in form: an international domain
(bücher.de) gets its link, sent to the domain's ASCII (IDNA) name, which every mail server takes;
accented letters before the @ (which need SMTPUTF8, which we do not speak) are refused with a
reason instead of failing the request."""

from tests.community.conftest import post


def test_a_sign_in_link_reaches_an_address_at_an_international_domain(client, mailbox):
    r = post(client, "/auth/sign-in/link", {"email": "Ana@Bücher.DE"})
    assert r.status_code == 200 and "Check your email" in r.text
    assert "Ana@xn--bcher-kva.de" in r.text
    assert str(mailbox.wait_for("ana@xn--bcher-kva.de")["To"]) == "Ana@xn--bcher-kva.de"


def test_a_full_width_address_typed_with_an_east_asian_input_method_is_read_as_ascii(client, mailbox):
    r = post(client, "/auth/sign-in/link", {"email": "ａｎａ＠ｅｘａｍｐｌｅ．ｏｒｇ"})
    assert r.status_code == 200 and "ana@example.org" in r.text
    assert str(mailbox.wait_for("ana@example.org")["To"]) == "ana@example.org"


def test_accented_letters_before_the_at_are_refused_with_the_reason(client, mailbox):
    r = post(client, "/auth/sign-in/link", {"email": "josé@example.org"})
    assert r.status_code == 400
    assert "before the @" in r.text and "josé@example.org" in r.text  # the form keeps what was typed
    assert mailbox.messages == []


def test_an_international_domain_too_long_once_spelt_in_ascii_is_refused_not_a_500(client, mailbox):
    # 19 distinct CJK characters are 19 characters typed but 61 in their IDNA (xn--) name: fifteen
    # such labels are 304 characters typed, under the 320 an address may have, and over 900 to send
    # (PostgreSQL refused to store that: a 500).
    label = "".join(chr(0x4E00 + 997 * i) for i in range(19))
    typed = "a@" + ".".join([label] * 15) + ".cn"
    assert len(typed) <= 320 < len(typed.split("@")[1].encode("idna"))
    r = post(client, "/auth/sign-in/link", {"email": typed})
    assert r.status_code == 400 and "valid email address" in r.text
    assert mailbox.messages == []
