"""Who may get an account by signing in: anyone, or only addresses at the domains an instance
names (``PAPERTIDE_SIGNUP_DOMAINS``: a lab's or a university's). Pure: no I/O.

Accounts for anyone else are made by an admin (``papertide users add``); such an account then
signs in like any other.
"""

from __future__ import annotations

import re

from papertide.domain.accounts import idna_domain

# A DNS name: dot-separated labels of letters, digits and inner hyphens, at least two of them.
_DOMAIN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


class SignUpClosed(Exception):
    """An address outside the sign-up domains, with no account, asked to sign in."""

    def __init__(self, email: str, domains: tuple[str, ...]) -> None:
        super().__init__(f"New accounts here are for addresses at {describe_domains(domains)}; "
                         "ask an admin of this site to add you.")
        self.email = email
        self.domains = domains


def parse_signup_domains(text: str) -> tuple[str, ...]:
    """The domains of a comma-separated setting, lower-case ASCII; raises ValueError naming a bad one.

    >>> parse_signup_domains(" Lab.Example.ORG, @uni.example ,")
    ('lab.example.org', 'uni.example')
    """
    found: list[str] = []
    for part in text.split(","):
        name = part.strip().lstrip("@").rstrip(".")
        if not name:
            continue
        domain = idna_domain(name)
        if domain is None or not _DOMAIN.match(domain):
            raise ValueError(f"{part.strip()!r} is not a mail domain (write e.g. lab.example.org)")
        if domain not in found:
            found.append(domain)
    return tuple(found)


def may_sign_up(email: str, domains: tuple[str, ...]) -> bool:
    """True when ``domains`` is empty or the address's domain is one of them or a name under one.

    >>> may_sign_up("ada@cs.lab.example.org", ("lab.example.org",)), may_sign_up("eve@evil-lab.example.org", ("lab.example.org",))
    (True, False)
    """
    if not domains:
        return True
    domain = email.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)


def describe_domains(domains: tuple[str, ...]) -> str:
    """'lab.example.org', 'a.org or b.org', 'a.org, b.org or c.org'.

    >>> describe_domains(("a.org", "b.org", "c.org"))
    'a.org, b.org or c.org'
    """
    return domains[0] if len(domains) == 1 else f"{', '.join(domains[:-1])} or {domains[-1]}"
