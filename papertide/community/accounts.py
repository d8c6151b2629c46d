"""Signing in (emailed link or password), sessions, profiles, roles and bans.

No user enumeration: asking for a link always answers the same way and always sends a
mail (a link to an unknown address signs that address up), and a password attempt for an
unknown address still verifies against a dummy Argon2 hash so it costs the same time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from papertide.community import Clock, Denied, NotFound, utc_now
from papertide.domain import permissions
from papertide.domain.accounts import (
    LINK_WINDOW,
    InvalidInput,
    User,
    check_password,
    check_role,
    clean_display_name,
    link_refusal,
    login_link_expiry,
    normalize_email,
)
from papertide.domain.signup import SignUpClosed, may_sign_up
from papertide.storage import audit
from papertide.storage import sessions as sessions_store
from papertide.storage import submissions as submissions_store
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from papertide.storage.db import Connection, Database

TOKEN_BYTES = 32  # 256-bit secrets for links and sessions


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_token: str
    user: User
    created: bool  # a new account was made by this sign-in


class Accounts:
    def __init__(
        self, db: Database, *, login_link_minutes: int = 15, session_days: int = 30, password_min_length: int = 12,
        signup_domains: tuple[str, ...] = (), now: Clock = utc_now,
    ) -> None:
        self.db = db
        self.signup_domains = signup_domains  # empty: anyone may sign up
        self.login_link_minutes = login_link_minutes
        self.session_days = session_days
        self.password_min_length = password_min_length
        self.now = now
        # argon2id with RFC 9106's low-memory profile (argon2-cffi's default parameters).
        self.hasher = PasswordHasher()
        self._dummy: str | None = None  # made on first use: hashing costs ~50 ms and 64 MiB

    # -- emailed links -------------------------------------------------------------------

    def request_login_link(self, raw_email: str) -> tuple[str, str]:
        """Store a single-use link for the address; returns (email, token) for the mail.

        Raises SignUpClosed for an address outside the sign-up domains that holds no account
        (after the same lookups, so the answer takes as long), for the caller to tell its inbox why.
        """
        email = normalize_email(raw_email)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.now()
        with self.db.write() as conn:
            if not may_sign_up(email, self.signup_domains) and users_store.get_user_by_email(conn, email) is None:
                raise SignUpClosed(email, self.signup_domains)
            # Created in the last hour <=> expiring after an hour ago plus a link's lifetime.
            recent = sessions_store.unused_login_tokens_since(
                conn, email, login_link_expiry(now - LINK_WINDOW, self.login_link_minutes))
            if (refused := link_refusal(recent, now, self.login_link_minutes)) is not None:
                raise InvalidInput(refused)
            sessions_store.create_login_token(
                conn, token_hash(token), email, login_link_expiry(now, self.login_link_minutes)
            )
        return email, token

    def login_link_email(self, token: str) -> str | None:
        """The address a usable link signs in (for the confirmation page); None when not usable."""
        with self.db.read() as conn:
            return sessions_store.peek_login_token(conn, token_hash(token), self.now())

    def complete_login_link(self, token: str, user_agent: str = "", old_session: str | None = None) -> SignedIn:
        now = self.now()
        with self.db.write() as conn:
            email = sessions_store.consume_login_token(conn, token_hash(token), now)
            if email is None:
                raise Denied("This sign-in link has expired or was already used. Please ask for a new one.", 400)
            # A link asked for before sign-up was limited must not make an outside account now.
            if not may_sign_up(email, self.signup_domains) and users_store.get_user_by_email(conn, email) is None:
                raise Denied(str(SignUpClosed(email, self.signup_domains)), 403)
            user, created = users_store.find_or_create_user(conn, email)
            return self._start_session(conn, user, created, user_agent, old_session, now)

    # -- passwords -----------------------------------------------------------------------

    def sign_in_with_password(
        self, raw_email: str, password: str, user_agent: str = "", old_session: str | None = None
    ) -> SignedIn:
        generic = Denied("That email and password do not match an account with a password.", 400)
        try:
            email = normalize_email(raw_email)
        except InvalidInput:
            email = ""
        with self.db.read() as conn:
            found = users_store.password_hash_for(conn, email) if email else None
        user, stored = found if found else (None, None)
        if not self._verify(stored, password[:2048]) or user is None:
            raise generic
        if stored and self.hasher.check_needs_rehash(stored):
            with self.db.write() as conn:
                users_store.set_password_hash(conn, user.id, self.hasher.hash(password))
        now = self.now()
        with self.db.write() as conn:
            return self._start_session(conn, user, False, user_agent, old_session, now)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            # Unknown users and users without a password pay for a real verification too.
            if stored is None and self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
            return self.hasher.verify(stored or self._dummy or "", password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def set_password(self, user: User, password: str, current_session: str | None = None) -> None:
        """Set or change the password and end every other session of the account: people change a
        password because a device or session may be in other hands. ``current_session`` (the
        browser asking) stays signed in."""
        check_password(password, self.password_min_length)
        hashed = self.hasher.hash(password)
        keep = token_hash(current_session) if current_session else None
        with self.db.write() as conn:
            users_store.set_password_hash(conn, user.id, hashed)
            ended = sessions_store.delete_user_sessions(conn, user.id, keep_hash=keep)
            audit.record(conn, user.id, "password.set", audit.account_target(user.uuid), f"{ended} other sessions ended",
                         now=self.now())

    def remove_password(self, user: User) -> None:
        with self.db.write() as conn:
            users_store.set_password_hash(conn, user.id, None)
            audit.record(conn, user.id, "password.remove", audit.account_target(user.uuid), now=self.now())

    # -- sessions ------------------------------------------------------------------------

    def _start_session(
        self, conn: Connection, user: User, created: bool, user_agent: str, old_session: str | None, now: datetime
    ) -> SignedIn:
        if user.is_banned:
            raise Denied("This account is suspended.", 403)
        # A fresh token on every sign-in, and the one presented before is dropped, so a
        # session id planted before sign-in is worthless after it (session fixation).
        if old_session:
            sessions_store.delete_session(conn, token_hash(old_session))
        session = secrets.token_urlsafe(TOKEN_BYTES)
        sessions_store.create_session(conn, token_hash(session), user.id, now + timedelta(days=self.session_days), user_agent)
        users_store.record_sign_in(conn, user.id, now)
        sessions_store.purge_expired(conn, now)
        return SignedIn(session, user, created)

    def session_user(self, session_token: str) -> User | None:
        with self.db.read() as conn:
            return sessions_store.session_user(conn, token_hash(session_token), self.now())

    def sign_out(self, session_token: str) -> None:
        with self.db.write() as conn:
            sessions_store.delete_session(conn, token_hash(session_token))

    def sign_out_everywhere(self, user: User) -> int:
        with self.db.write() as conn:
            n = sessions_store.delete_user_sessions(conn, user.id)
            audit.record(conn, user.id, "sessions.revoke_all", audit.account_target(user.uuid), f"{n} sessions", now=self.now())
            return n

    # -- profile, roles, bans ------------------------------------------------------------

    def set_display_name(self, user: User, raw: str) -> str:
        name = clean_display_name(raw)
        with self.db.write() as conn:
            # Names are not unique (default names may coincide), but nobody may choose one another
            # member goes by: comments and "Submitted by" would read as theirs.
            users_store.lock_name(conn, name)  # two members choosing it at once take turns
            if users_store.name_taken(conn, name, user.id):
                raise InvalidInput(f"Another member already uses the name “{name}”; please choose another.")
            users_store.set_display_name(conn, user.id, name)
            submissions_store.rename_submitter(conn, user.id, name)
        return name

    def get_by_uuid(self, user_uuid: str) -> User:
        with self.db.read() as conn:
            user = users_store.get_user_by_uuid(conn, user_uuid)
        if user is None:
            raise NotFound(user_uuid)
        return user

    def create_admin(self, raw_email: str) -> tuple[User, bool]:
        """Make (or promote) the account for EMAIL an admin; returns (user, created)."""
        email = normalize_email(raw_email)
        with self.db.write() as conn:
            user, created = users_store.find_or_create_user(conn, email, role="admin")
            if user.role != "admin":
                users_store.set_role(conn, user.id, "admin")
            users_store.set_status(conn, user.id, "active")
            audit.record(conn, None, "user.create_admin", audit.account_target(user.uuid), audit.BY_CLI, now=self.now())
            again = users_store.get_user(conn, user.id)
        assert again is not None
        return again, created

    def add_account(self, raw_email: str, role: str = "member") -> tuple[User, bool]:
        """Make an account for EMAIL with ROLE unless it has one (left as it is); returns (user, created).

        How an address outside the sign-up domains gets in: with an account, its link signs in.
        """
        check_role(role)
        email = normalize_email(raw_email)
        with self.db.write() as conn:
            user, created = users_store.find_or_create_user(conn, email, role=role)
            if created:
                audit.record(conn, None, "user.add", audit.account_target(user.uuid), f"as {role} {audit.BY_CLI}",
                             now=self.now())
        return user, created

    def find_by_email(self, raw_email: str) -> User | None:
        """The account for an address, if there is one (the CLI says what a change will do to it)."""
        with self.db.read() as conn:
            return users_store.get_user_by_email(conn, normalize_email(raw_email))

    def set_role_by_email(self, raw_email: str, role: str) -> User:
        """The CLI's way to grant a role (no acting admin: the operator has the database)."""
        check_role(role)
        with self.db.write() as conn:
            user = users_store.get_user_by_email(conn, normalize_email(raw_email))
            if user is None:
                raise NotFound(raw_email)
            users_store.set_role(conn, user.id, role)
            audit.record(conn, None, "user.set_role", audit.account_target(user.uuid), f"{user.role} → {role} {audit.BY_CLI}",
                         now=self.now())
        return user

    def list_all(self, query: str = "", limit: int = 1000) -> list[User]:
        with self.db.read() as conn:
            return users_store.list_users(conn, query[:100], limit=limit)

    def set_role(self, actor: User, target_uuid: str, role: str) -> None:
        check_role(role)
        target = self.get_by_uuid(target_uuid)
        if not permissions.can_ban(actor, target):
            raise Denied("Only admins can change other people's roles.")
        with self.db.write() as conn:
            current = self._locked(conn, target)
            if current.role == role:  # a double submit, or a stale form: nothing changes, nothing to log
                return
            users_store.set_role(conn, target.id, role)
            audit.record(conn, actor.id, "user.set_role", audit.account_target(target.uuid), f"{current.role} → {role}",
                         now=self.now())

    def set_banned(self, actor: User, target_uuid: str, banned: bool) -> None:
        target = self.get_by_uuid(target_uuid)
        if not permissions.can_ban(actor, target):
            raise Denied("Only admins can ban or unban, and not themselves.")
        with self.db.write() as conn:
            self._set_banned(conn, target, banned, actor.id, target.email)

    def set_banned_by_email(self, raw_email: str, banned: bool) -> tuple[User, bool]:
        """The CLI's ban and unban (an admin who cannot sign in, or a script); returns the account
        and whether it changed. The same change as /admin's, logged as the command line's."""
        with self.db.write() as conn:
            user = users_store.get_user_by_email(conn, normalize_email(raw_email))
            if user is None:
                raise NotFound(raw_email)
            return user, self._set_banned(conn, user, banned, None, f"{user.email} {audit.BY_CLI}")

    def _set_banned(self, conn: Connection, target: User, banned: bool, actor_id: int | None, detail: str) -> bool:
        if self._locked(conn, target).is_banned == banned:  # as for roles: logged once, when it changes
            return False
        users_store.set_status(conn, target.id, "banned" if banned else "active")
        if banned:
            sessions_store.delete_user_sessions(conn, target.id)
        action = "user.ban" if banned else "user.unban"
        audit.record(conn, actor_id, action, audit.account_target(target.uuid), detail, now=self.now())
        return True

    @staticmethod
    def _locked(conn: Connection, target: User) -> User:
        """The target as it is now, read under their row lock, so the second of two requests that
        change them (a double click, two admins) waits for the first and sees what it did."""
        users_store.lock_member(conn, target.id)
        current = users_store.get_user(conn, target.id)
        if current is None:  # deleted their account since the page was drawn
            raise NotFound(target.uuid)
        return current

    def activity(self, user: User) -> dict[str, list]:  # type: ignore[type-arg]
        """The user's submissions and upvotes for their profile page."""
        with self.db.read() as conn:
            return {
                "submitted": submissions_store.submitted_by(conn, user.id),
                "upvoted": votes_store.upvoted_papers(conn, user.id),
            }

    def audit_log(
        self, actor: User, limit: int = 100, before: int | None = None, member: User | None = None
    ) -> list[audit.AuditEntry]:
        """Newest first; ``before`` (an entry's id) pages on to older entries; ``member`` keeps the
        entries by or about that member (their account, comments and collections), to review one spammer.

        Curators see that a member was banned but not the detail: it is the member's address,
        which only admins (who see the user list) may read.
        """
        if not permissions.can_moderate(actor):
            raise Denied("Only curators and admins can read the audit log.")
        with self.db.read() as conn:
            entries = audit.recent(conn, limit, before, None if member is None else (member.id, member.uuid))
        if permissions.can_administer(actor):
            return entries
        return [replace(e, detail=_withheld(e.detail)) if e.action in audit.ADDRESS_DETAIL else e for e in entries]

    def list_users(self, actor: User, query: str = "", limit: int = 100, offset: int = 0) -> list[User]:
        if not permissions.can_administer(actor):
            raise Denied("Only admins can list users.")
        with self.db.read() as conn:
            return users_store.list_users(conn, query[:100], limit, offset)


def _withheld(detail: str) -> str:
    """A ban's detail as curators read it: the address withheld, but still saying the command line
    did it (``papertide users ban``), which is how the log tells "system" from a deleted moderator."""
    return f"{audit.ADMINS_ONLY} {audit.BY_CLI}" if detail.endswith(audit.BY_CLI) else audit.ADMINS_ONLY
