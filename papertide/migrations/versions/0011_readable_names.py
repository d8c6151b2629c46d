"""Readable default display names: accounts still named ``reader-<8 hex>`` become ``Reader NNNNNN``.

Revision ID: 0011_readable_names
Revises: 0010_page_generation

Only names in the exact generated form change; a name someone chose is left alone. The new
name is computed by the same domain function new accounts use, so both agree.
"""

import sqlalchemy as sa
from alembic import op

from papertide.domain.accounts import readable_legacy_name

revision = "0011_readable_names"
down_revision = "0010_page_generation"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("display_name", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.display_name).where(users.c.display_name.like("reader-%")))
    for user_id, name in rows.all():
        new = readable_legacy_name(name)
        if new is not None:
            conn.execute(sa.update(users).where(users.c.id == user_id).values(display_name=new))


def downgrade() -> None:
    pass  # the old names were not kept; readable ones are as good for an older release
