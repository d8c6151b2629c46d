"""Papers' project pages: the authors' own page for a paper, as Hugging Face lists it.

Revision ID: 0015_project_page
Revises: 0011_stats_index

Nullable with no default, so adding it rewrites no rows on either database; existing papers
keep their content hash because the hash includes the field only when it is set.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_project_page"
down_revision = "0011_stats_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("papers", sa.Column("project_page", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("project_page")
