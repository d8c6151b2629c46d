"""Who may do what. Pure functions over :class:`~papertide.domain.accounts.User`.

Every community route asks one of these before changing anything, so the rules live in
one place and are tested exhaustively (tests/community/test_permissions.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from papertide.domain.accounts import User

ACTIONS = ("vote", "submit", "comment", "report", "collect")


def can_act(user: User | None, action: str) -> bool:
    """Signed-in, not banned: the bar for every state change a member makes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return user is not None and not user.is_banned


def can_moderate(user: User | None) -> bool:
    """Hide comments, remove papers from a day's list, see reports."""
    return user is not None and not user.is_banned and user.is_curator


def can_administer(user: User | None) -> bool:
    """Ban/unban and change roles."""
    return user is not None and not user.is_banned and user.is_admin


def is_exempt_from_submission_rules(user: User) -> bool:
    return user.is_curator


def can_edit_comment(user: User | None, author_id: int | None, created_at: datetime, now: datetime, window_minutes: int) -> bool:
    """Authors edit their own comment within the window; nobody edits someone else's words."""
    if user is None or user.is_banned or author_id != user.id:
        return False
    return now - created_at <= timedelta(minutes=window_minutes)


def can_delete_comment(user: User | None, author_id: int | None) -> bool:
    """Authors delete their own comments (moderators hide instead, which the audit log records)."""
    return user is not None and not user.is_banned and author_id == user.id


def can_ban(actor: User | None, target: User) -> bool:
    """Admins ban anyone but themselves (so an instance always keeps one working admin)."""
    return can_administer(actor) and actor is not None and actor.id != target.id
