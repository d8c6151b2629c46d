"""Accounts as plain data: who someone is, what role they hold, and the input rules for
emails, display names and passwords. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

ROLES = ("member", "curator", "admin")
STATUSES = ("active", "banned")
MAX_EMAIL_LENGTH = 320  # RFC 5321 path limit
MAX_DISPLAY_NAME_LENGTH = 60  # characters
# Argon2 hashes every byte we hand it; a cap keeps a megabyte "password" from being a DoS.
MAX_PASSWORD_LENGTH = 1024  # characters

# Deliberately loose: the only proof an address works is the link we send to it.
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})  # spaces, separators, controls, format
# Letters that draw nothing yet are neither whitespace to str.split nor format characters: the
# Hangul fillers, the Mongolian vowel separator and the braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u180e\u2800\u3164\uffa0")
_LEGACY_DEFAULT = re.compile(r"reader-[0-9a-f]{8}")  # what accounts were named before readable defaults


class InvalidInput(ValueError):
    """User input that breaks a rule; the message is safe to show to that user.

    ``field`` names the form field it is about, where a form has several and the message alone
    does not say which (the page marks and focuses that one); empty when it is the form's only one.

    >>> InvalidInput("To: '2026-13-01' is not a date.", field="to").field
    'to'
    """

    def __init__(self, message: str = "", *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person as the rest of the app sees them."""

    id: int
    uuid: str
    email: str
    display_name: str
    role: str = "member"
    status: str = "active"
    has_password: bool = False

    @property
    def is_banned(self) -> bool:
        return self.status == "banned"

    @property
    def is_curator(self) -> bool:
        """Curators and admins moderate."""
        return self.role in ("curator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def normalize_email(text: str) -> str:
    """Trimmed address with a lower-cased ASCII domain; raises InvalidInput when it cannot be one.

    We send mail without SMTPUTF8 (RFC 6531), so an address must be ASCII on the wire: full-width
    forms typed with an East Asian input method are read as ASCII (NFKC), an international domain
    becomes its IDNA name, which every mail server takes, and a local part with other letters is
    refused here rather than at the SMTP server, where it failed the request that sent the mail.

    >>> normalize_email("  Ada@Example.ORG "), normalize_email("ana@Bücher.de")
    ('Ada@example.org', 'ana@xn--bcher-kva.de')
    """
    s = (text or "").strip()
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    if not s or len(s) > MAX_EMAIL_LENGTH or not _EMAIL.match(s):
        raise InvalidInput("Please enter a valid email address.")
    local, domain = s.rsplit("@", 1)
    if not local.isascii():
        raise InvalidInput("We can only send mail to addresses with plain ASCII letters before the @ "
                           "(no accents); please use another address.")
    ascii_domain = idna_domain(domain)
    # Measured again as sent: an IDNA name is longer than the letters typed (19 CJK characters
    # make a 61-character label), and every column holding an address has room for 320.
    if ascii_domain is None or len(local) + 1 + len(ascii_domain) > MAX_EMAIL_LENGTH:
        raise InvalidInput("Please enter a valid email address.")
    return f"{local}@{ascii_domain}"


def stored_address(text: str) -> str:
    """The address to look an account or subscriber up by, as both are stored: stripped, an
    international domain as its IDNA name. A bounce, an unsubscribe or an admin's command may name
    the domain as typed; what cannot be converted comes back stripped (and then matches nobody).

    >>> stored_address(" ana@Bücher.de "), stored_address("josé@bü..de"), stored_address("Ada@example.org")
    ('ana@xn--bcher-kva.de', 'josé@bü..de', 'Ada@example.org')
    """
    s = (text or "").strip()
    if s.isascii():
        return s
    local, at, domain = unicodedata.normalize("NFKC", s).rpartition("@")
    ascii_domain = idna_domain(domain) if at and local else None
    return f"{local}@{ascii_domain}" if ascii_domain else s


def idna_domain(domain: str) -> str | None:
    """A mail domain in lower-case ASCII: an international one as its IDNA name; None when it is not one.

    Python's codec implements IDNA 2003 (RFC 3490), which is what mail servers resolve for every
    name but a few with ß or ς; it needs no dependency.

    >>> idna_domain("Bücher.DE"), idna_domain("example.org"), idna_domain("bü..de")
    ('xn--bcher-kva.de', 'example.org', None)
    """
    if domain.isascii():
        return domain.lower()
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def shows_nothing(text: str) -> bool:
    r"""True when ``text`` would render as blank: only spaces, zero-width and format characters
    and letters that draw nothing, so "empty" means what a reader sees. Unassigned code points
    (a newer emoji than this Python knows) do not count as blank.

    >>> shows_nothing("\u200b\u3164 "), shows_nothing("\u200fAda")
    (True, False)
    """
    return all(ch in _BLANK_LETTERS or unicodedata.category(ch) in _BLANK_CATEGORIES for ch in text)


def clean_display_name(text: str) -> str:
    """A display name with whitespace collapsed, composed (NFC); 1–60 characters, no control characters."""
    s = unicodedata.normalize("NFC", " ".join((text or "").split()))
    if shows_nothing(s):
        raise InvalidInput("Display name cannot be empty.")
    if len(s) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput(f"Display name must be at most {MAX_DISPLAY_NAME_LENGTH} characters.")
    if _CONTROL.search(s):
        raise InvalidInput("Display name cannot contain control characters.")
    return s


def display_name_key(name: str) -> str:
    """What makes two display names the same name to a reader: case, Unicode form (composed or
    combining accents, full-width letters) and characters that draw nothing do not count.

    Accents do: "José" and "Jose" may be two people.

    >>> display_name_key("JOSE\u0301\u200b  Ｎｇ") == display_name_key("josé ng")
    True
    """
    if name.isascii():  # most names, and name_taken() keys every member's: skip the Unicode work
        return " ".join(name.lower().split())
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    seen = "".join(" " if ch.isspace() else ch for ch in folded
                   if ch not in _BLANK_LETTERS and unicodedata.category(ch) != "Cf")
    return " ".join(seen.split())


def default_display_name(user_uuid: str) -> str:
    """A readable name for a new account, from its random UUID (never from the email address).

    Six digits (10^6 names) make a shared default name even odds only past about 1,200
    accounts (the birthday bound), and rare below; default names need not be unique, since
    profiles link by UUID, but a name a member chooses must not be another's (community/accounts.py).

    >>> default_display_name("0001e240-aaaa-bbbb")
    'Reader 123456'
    """
    return f"Reader {int(user_uuid.replace('-', '')[:8], 16) % 1_000_000:06d}"


def readable_legacy_name(name: str) -> str | None:
    """The readable default for a name in the old generated form (``reader-<8 hex>``), else None.

    >>> readable_legacy_name("reader-0001e240")
    'Reader 123456'
    >>> readable_legacy_name("Ada") is None
    True
    """
    if not _LEGACY_DEFAULT.fullmatch(name):
        return None
    return default_display_name(name.removeprefix("reader-"))


def check_password(password: str, min_length: int) -> str:
    """The password if it meets the length rules (NIST SP 800-63B: length, not composition)."""
    if len(password) < min_length:
        raise InvalidInput(f"Passwords must be at least {min_length} characters long.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Passwords must be at most {MAX_PASSWORD_LENGTH} characters long.")
    if password.strip() == "" or len(set(password)) < 3:
        raise InvalidInput("That password is too easy to guess; please choose another.")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    return role


def login_link_expiry(now: datetime, minutes: int) -> datetime:
    """When a sign-in link created at ``now`` stops working."""
    return now + timedelta(minutes=minutes)


# Unused sign-in links one address may be sent in an hour. Anyone can ask for links to any
# address, and the per-process rate limit still lets a script mail a stranger every half
# minute from each web process; a person who lost three links in an hour can wait for a fourth.
LINKS_PER_HOUR = 3
LINK_WINDOW = timedelta(hours=1)


def link_refusal(unused_expiries: list[datetime], now: datetime, minutes: int) -> str | None:
    """Why no new sign-in link goes to an address that has ``unused_expiries`` (its links created in
    the last hour, not yet used, oldest first), or None when one may.

    Only while one of them still works: the refused person can then use it (the links went to
    their inbox, whoever asked). Counting expired ones too, a stranger's three requests locked the
    owner out for the rest of the hour, told to use links that no longer worked. Mail to an
    address stays bounded: three links, then one each link lifetime.

    >>> t = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    >>> link_refusal([t + timedelta(minutes=m) for m in (5, 10)], t, 15) is None
    True
    >>> link_refusal([t + timedelta(minutes=m) for m in (5, 10, 14)], t, 15).split(". ")[-1]
    'Use one of them (check the spam folder too), or ask again after 09:14 UTC.'
    >>> link_refusal([t - timedelta(minutes=m) for m in (9, 5, 1)], t, 15) is None  # all expired
    True
    """
    if len(unused_expiries) < LINKS_PER_HOUR or unused_expiries[-1] <= now:
        return None
    # Whichever comes first: the newest link expiring, or the third newest turning an hour old.
    again = min(unused_expiries[-1], unused_expiries[-LINKS_PER_HOUR] - timedelta(minutes=minutes) + LINK_WINDOW)
    return (f"Three sign-in links went to this address in the last hour and none was used. Use one of them "
            f"(check the spam folder too), or ask again after {again.astimezone(UTC):%H:%M} UTC.")


def is_usable_login_link(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    """A link works once, and only before it expires."""
    return used_at is None and now < expires_at
