"""editorial workflow: page revisions, scheduled publishing, preview-link revocation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import siteninja.core.db

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade():
    op.create_table('page_revisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('page_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor_type', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('snapshot', JSON, nullable=False),
    sa.Column('created_at', siteninja.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_page_revisions_page_id_pages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_page_revisions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_revisions')),
    sa.UniqueConstraint('page_id', 'number', name=op.f('uq_page_revisions_page_id_number'))
    )
    with op.batch_alter_table('page_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_revisions_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_at', siteninja.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unpublish_at', siteninja.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('preview_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_pages_publish_at', ['publish_at'], unique=False, postgresql_where=sa.text('publish_at IS NOT NULL'), sqlite_where=sa.text('publish_at IS NOT NULL'))
        batch_op.create_index('ix_pages_unpublish_at', ['unpublish_at'], unique=False, postgresql_where=sa.text('unpublish_at IS NOT NULL'), sqlite_where=sa.text('unpublish_at IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index('ix_pages_unpublish_at', postgresql_where=sa.text('unpublish_at IS NOT NULL'), sqlite_where=sa.text('unpublish_at IS NOT NULL'))
        batch_op.drop_index('ix_pages_publish_at', postgresql_where=sa.text('publish_at IS NOT NULL'), sqlite_where=sa.text('publish_at IS NOT NULL'))
        batch_op.drop_column('preview_version')
        batch_op.drop_column('unpublish_at')
        batch_op.drop_column('publish_at')

    with op.batch_alter_table('page_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_revisions_tenant_id'))

    op.drop_table('page_revisions')
