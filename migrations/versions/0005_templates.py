"""page templates remember the sections as applied (customization tracking)

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401
from sqlalchemy.dialects import postgresql  # noqa: F401

import siteninja.core.db  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('page_templates', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'applied_sections',
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table('page_templates', schema=None) as batch_op:
        batch_op.drop_column('applied_sections')
