"""Subscriptions as plain data: preferences, their validation, opt-in states and schedules.

Pure: no DB, HTTP or SMTP. The web form, the CLI and the composer all speak these types.
States follow listmonk: a subscription is ``unconfirmed`` until the emailed link's button
is pressed (double opt-in), then ``confirmed`` until ``unsubscribed``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from papertide.domain.accounts import idna_domain
from papertide.domain.arxiv_categories import canonical_category
from papertide.domain.keywords import has_words

SubscriptionStatus = Literal["unconfirmed", "confirmed", "unsubscribed"]
SubscriberStatus = Literal["enabled", "disabled", "blocklisted"]
Frequency = Literal["daily", "weekly"]
Event = Literal["subscribe", "confirm", "unsubscribe", "complain"]

MIN_PAPERS, MAX_PAPERS = 5, 30  # digest size cap a subscriber may choose
DEFAULT_PAPERS = 10
MAX_TOPICS_EACH = 10  # categories, keywords and authors: at most this many of each
MAX_TOPIC_CHARS = 80
MAX_EMAIL_CHARS = 254  # RFC 5321 path limit
MAX_NAME_CHARS = 100
UNCONFIRMED_TTL_DAYS = 7  # unconfirmed subscriptions are deleted after this many days
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# How long one period label can stay due, somewhere: an ISO week (7 days) plus the 26 hours
# between the first zone to begin it (UTC+14, Kiritimati) and the last to end it (UTC-12). A
# subscriber may move to any zone, weekday or hour within a period, and the period's outbox
# row is the only thing that stops it being composed a second time (due_period), so the row
# must outlive this span: the outbox retention setting may not go below OUTBOX_KEEP_MIN_DAYS.
PERIOD_LONGEST_DUE = timedelta(days=8, hours=2)
OUTBOX_KEEP_MIN_DAYS = -(-PERIOD_LONGEST_DUE // timedelta(days=1))  # whole days, rounded up: 9

# A deliberately plain address check: one @, a dotted domain, no spaces, quotes, angle
# brackets, commas or control characters, so an address can never carry a second header
# or a second recipient into a message (header injection).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")  # cs.LG, hep-th, math.AP
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class InvalidSubscription(ValueError):
    """A subscription form or setting that cannot be accepted; the message says why, and ``field``
    names the form field it is about (empty when no one field is: the page then focuses the message).
    """

    def __init__(self, message: str = "", *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(ValueError):
    """An event that the subscription's current state does not allow."""


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a subscriber wants, when. ``weekday`` is 0 = Monday and only used weekly."""

    frequency: Frequency = "daily"
    weekday: int = 0
    send_hour: int = 7
    timezone: str = "UTC"
    trending: bool = True
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    max_papers: int = DEFAULT_PAPERS

    @property
    def has_content(self) -> bool:
        return self.trending or bool(self.categories or self.keywords or self.authors)


def is_arxiv_category(text: str) -> bool:
    """Is ``text`` shaped like an arXiv category id (``cs.LG``, ``hep-th``, ``math.AP``)?

    >>> is_arxiv_category("cs.LG"), is_arxiv_category("CS LG")
    (True, False)
    """
    return len(text) <= 32 and _CATEGORY.match(text) is not None


def validate_email(text: str) -> str:
    """A single plain address, stripped; raises :class:`InvalidSubscription` otherwise.

    An international domain becomes its ASCII (IDNA) name, as for accounts (``domain.accounts.normalize_email``).

    >>> validate_email("  Ada@Example.org "), validate_email("ana@bücher.de")
    ('Ada@Example.org', 'ana@xn--bcher-kva.de')
    """
    s = (text or "").strip()
    if not s:
        raise InvalidSubscription("Please enter an email address.", field="email")
    if _CONTROL.search(s):
        raise InvalidSubscription("The email address contains a line break or control character; enter one plain address.",
                                  field="email")
    s = _mailable_ascii(s)
    if len(s) > MAX_EMAIL_CHARS:
        raise InvalidSubscription(f"The email address is longer than {MAX_EMAIL_CHARS} characters.", field="email")
    if not _EMAIL.match(s):
        raise InvalidSubscription(
            "That is not a plain email address (like name@example.org); commas, spaces, quotes and <> are not allowed.",
            field="email",
        )
    return s


def _mailable_ascii(address: str) -> str:
    """``address`` with full-width forms read as ASCII and an international domain as its IDNA name;
    unchanged when it is ASCII or cannot be made so (the plain-address check then refuses it)."""
    if address.isascii():
        return address
    s = unicodedata.normalize("NFKC", address)
    local, at, domain = s.rpartition("@")
    if at and local and not local.isascii():
        raise InvalidSubscription("We can only send mail to addresses with plain ASCII letters before the @ "
                                  "(no accents); please use another address.", field="email")
    ascii_domain = idna_domain(domain) if at and local else None
    return f"{local}@{ascii_domain}" if ascii_domain else s


def validate_name(text: str) -> str:
    """An optional display name for the To: header; no line breaks or control characters."""
    s = (text or "").strip()
    if _CONTROL.search(s):
        raise InvalidSubscription("The name contains a line break or control character.", field="name")
    if len(s) > MAX_NAME_CHARS:
        raise InvalidSubscription(f"The name is longer than {MAX_NAME_CHARS} characters.", field="name")
    return s


def validate_timezone(name: str) -> str:
    """An IANA zone name as the zone database spells it, read in any case; raises :class:`InvalidSubscription`.

    >>> validate_timezone(" europe/berlin "), validate_timezone("utc")
    ('Europe/Berlin', 'UTC')
    """
    s = (name or "UTC").strip()
    canonical = _zone_names().get(s.casefold())
    if canonical is None or _CONTROL.search(s):
        raise InvalidSubscription(f"Unknown time zone {s[:60]!r}; use an IANA name like Europe/Paris.", field="timezone")
    return canonical


# Files of the zone database that name no place anyone lives: "localtime" is the server's own zone
# (a reader who wrote it for "my local time" got the server's clock), "Factory" has no offset.
_NOT_PLACES = frozenset({"localtime", "factory", "posixrules"})


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every zone this server can load, by its casefolded name (a scan of the database, done once).

    UTC, the default, is always there: without a zone database it is what :func:`zone_of` uses anyway.
    """
    names = {n.casefold(): n for n in available_timezones() if n.casefold() not in _NOT_PLACES}
    names.setdefault("utc", "UTC")
    return names


def _split(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,\n;]", value)
    return [" ".join(x.split()) for x in items if x and x.strip()]


# The form field each kind of topic is typed in (an error about one names it).
_FIELDS = {"category": "categories", "keyword": "keywords", "author": "authors"}


def _topics(label: str, value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    items = _split(value)
    for x in items:
        if _CONTROL.search(x) or len(x) > MAX_TOPIC_CHARS:
            raise InvalidSubscription(f"Each {label} must be one line of at most {MAX_TOPIC_CHARS} characters.",
                                      field=_FIELDS[label])
    unique = tuple(dict.fromkeys(items))
    if len(unique) > MAX_TOPICS_EACH:
        raise InvalidSubscription(f"Choose at most {MAX_TOPICS_EACH} {label}s.", field=_FIELDS[label])
    return unique


def _keywords(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    keywords = _topics("keyword", value)
    for k in keywords:
        if not has_words(k):  # it would match nothing, ever, and nobody would know why
            raise InvalidSubscription(f"The keyword {k[:40]!r} has no letters or digits to match; "
                                      "use words, like diffusion, Schrödinger or 变分.", field="keywords")
    return keywords


def _int(form: Mapping[str, object], key: str, default: int, low: int, high: int, label: str) -> int:
    raw = form.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise InvalidSubscription(f"{label} must be a whole number.", field=key) from None
    if not low <= value <= high:
        raise InvalidSubscription(f"{label} must be between {low} and {high}.", field=key)
    return value


def parse_preferences(form: Mapping[str, object]) -> Preferences:
    """Preferences from form-like fields; raises :class:`InvalidSubscription` with a clear message.

    Lists may come as lists or as comma/newline separated text.

    >>> parse_preferences({"frequency": "weekly", "weekday": "4", "categories": "cs.CL, cs.LG"}).categories
    ('cs.CL', 'cs.LG')
    """
    frequency = str(form.get("frequency") or "daily")
    if frequency not in ("daily", "weekly"):
        raise InvalidSubscription("Frequency must be daily (weekdays) or weekly.")
    typed = _topics("category", form.get("categories"))  # type: ignore[arg-type]
    categories = tuple(dict.fromkeys(canonical_category(c) for c in typed))  # "cs.lg" is cs.LG
    bad = [c for c in categories if not _CATEGORY.match(c)]
    if bad:
        raise InvalidSubscription(f"Not an arXiv category: {bad[0][:40]!r} (expected e.g. cs.LG or hep-th).",
                                  field="categories")
    trending_raw = form.get("trending", True)
    trending = trending_raw not in (False, "", "0", "false", "off", "no", None)
    prefs = Preferences(
        frequency=frequency,  # type: ignore[arg-type]
        weekday=_int(form, "weekday", 0, 0, 6, "Weekday"),
        send_hour=_int(form, "send_hour", 7, 0, 23, "Send hour"),
        timezone=validate_timezone(str(form.get("timezone") or "UTC")),
        trending=trending,
        categories=categories,
        keywords=_keywords(form.get("keywords")),  # type: ignore[arg-type]
        authors=_topics("author", form.get("authors")),  # type: ignore[arg-type]
        max_papers=_int(form, "max_papers", DEFAULT_PAPERS, MIN_PAPERS, MAX_PAPERS, "Papers per digest"),
    )
    if not prefs.has_content:
        raise InvalidSubscription("Choose trending papers or at least one category, keyword or author.")
    return prefs


# The opt-in state machine. Missing pairs are invalid transitions.
_TRANSITIONS: dict[tuple[SubscriptionStatus, Event], SubscriptionStatus] = {
    ("unconfirmed", "subscribe"): "unconfirmed",  # asked again: maybe resend the link
    ("unconfirmed", "confirm"): "confirmed",
    ("unconfirmed", "unsubscribe"): "unsubscribed",
    ("unconfirmed", "complain"): "unsubscribed",
    ("confirmed", "subscribe"): "confirmed",  # already in: nothing changes, we email a manage link
    ("confirmed", "confirm"): "confirmed",  # a second press of the button is harmless
    ("confirmed", "unsubscribe"): "unsubscribed",
    ("confirmed", "complain"): "unsubscribed",
    ("unsubscribed", "subscribe"): "unconfirmed",  # coming back needs a fresh opt-in
    ("unsubscribed", "unsubscribe"): "unsubscribed",  # one-click twice is fine
    ("unsubscribed", "complain"): "unsubscribed",
}


def transition(status: SubscriptionStatus, event: Event) -> SubscriptionStatus:
    """The state after ``event``.

    >>> transition("unconfirmed", "confirm")
    'confirmed'
    """
    try:
        return _TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(f"cannot {event} a subscription that is {status}") from None


def can_resend_notice(last_sent: datetime | None, now: datetime, min_interval: timedelta) -> bool:
    """Whether another confirmation/notice email may go out now (resend rate limit)."""
    return last_sent is None or now - _aware(last_sent) >= min_interval


def is_expired_unconfirmed(status: SubscriptionStatus, requested_at: datetime, now: datetime,
                           ttl_days: int = UNCONFIRMED_TTL_DAYS) -> bool:
    return status == "unconfirmed" and now - _aware(requested_at) >= timedelta(days=ttl_days)


def due_period(prefs: Preferences, now: datetime) -> str | None:
    """The label of the digest period due at ``now``, or None when none is due.

    Daily digests go out Monday–Friday in the subscriber's zone, weekly ones on the chosen
    weekday, in both cases once the local hour reaches ``send_hour``. The label is the local
    day (``d2026-06-04``) or ISO week (``w2026-W23``), which with the subscription makes the
    outbox idempotency key: running the scheduler again in the same period composes nothing.

    >>> due_period(Preferences(send_hour=7, timezone="UTC"), datetime(2026, 6, 4, 8, tzinfo=UTC))
    'd2026-06-04'
    """
    local = _aware(now).astimezone(zone_of(prefs))
    if local.hour < prefs.send_hour:
        return None
    if prefs.frequency == "daily":
        return f"d{local.date().isoformat()}" if local.weekday() < 5 else None
    if local.weekday() != prefs.weekday:
        return None
    year, week, _ = local.isocalendar()
    return f"w{year}-W{week:02d}"


def had_digest_today(last_digest_at: datetime | None, prefs: Preferences, now: datetime) -> bool:
    """Whether a digest already went out on the subscriber's local day of ``now``, in the zone
    they have now.

    A period's label (local day or ISO week) keys its outbox row, so it alone would let a
    second digest out the same day after a change of preferences: daily to weekly on today's
    weekday (``w2026-W23`` is not ``d2026-06-04``), or a new zone where today's send hour comes
    round again (Auckland's Thursday digest, then Los Angeles, still on Wednesday, at 13:00).

    >>> sent = datetime(2026, 6, 3, 19, 30, tzinfo=UTC)  # 07:30 Thursday in Auckland, 12:30 Wednesday in LA
    >>> had_digest_today(sent, Preferences(timezone="America/Los_Angeles"), datetime(2026, 6, 3, 20, 30, tzinfo=UTC))
    True
    >>> had_digest_today(sent, Preferences(timezone="America/Los_Angeles"), datetime(2026, 6, 4, 14, 0, tzinfo=UTC))
    False
    """
    if last_digest_at is None:
        return False
    zone = zone_of(prefs)
    return _aware(last_digest_at).astimezone(zone).date() == _aware(now).astimezone(zone).date()


def zone_of(prefs: Preferences) -> tzinfo:
    """The subscriber's time zone, or UTC when this server cannot load the stored name.

    A name valid when it was saved can vanish from the server's time zone database: tzdata
    drops names (US/Pacific-New in 2020a), and Debian 13 moved the old aliases (US/Eastern,
    Asia/Calcutta, …) into tzdata-legacy, which slim images lack. One such row must not stop
    every subscriber's digest; its digest comes at the same hour in UTC until the zone is
    chosen again (the preferences form then asks for a name it knows).

    >>> zone_of(Preferences(timezone="US/Pacific-New"))
    datetime.timezone.utc
    """
    try:
        return ZoneInfo(prefs.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
