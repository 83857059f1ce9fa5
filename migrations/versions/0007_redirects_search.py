"""redirects and the page search index (PostgreSQL tsvector + GIN, SQLite FTS5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00

The index is filled for existing pages by ``flask search reindex`` (run it once after upgrading);
later changes keep it current in their own transactions.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import siteninja.core.db  # noqa: F401
from siteninja.resources.search.index import FTS_DDL, FTS_DROP

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

DOCUMENT = sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql')


def upgrade():
    op.create_table(
        'redirects',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('from_path', sa.String(length=255), nullable=False),
        sa.Column('to_path', sa.String(length=255), nullable=False),
        sa.Column('status_code', sa.SmallInteger(), nullable=False),
        sa.Column('created_at', siteninja.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', siteninja.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'], name=op.f('fk_redirects_tenant_id_tenants'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_redirects')),
        sa.UniqueConstraint('tenant_id', 'from_path', name=op.f('uq_redirects_tenant_id_from_path')),
    )
    with op.batch_alter_table('redirects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redirects_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_redirects_tenant_id_to_path', ['tenant_id', 'to_path'], unique=False)

    op.create_table(
        'page_search',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('page_id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('public_body', sa.Text(), nullable=False),
        sa.Column('hidden_body', sa.Text(), nullable=False),
        sa.Column('document', DOCUMENT, nullable=True),
        sa.Column('public_document', DOCUMENT, nullable=True),
        sa.Column('updated_at', siteninja.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['page_id'], ['pages.id'], name=op.f('fk_page_search_page_id_pages'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'], name=op.f('fk_page_search_tenant_id_tenants'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_search')),
        sa.UniqueConstraint('page_id', name=op.f('uq_page_search_page_id')),
    )
    with op.batch_alter_table('page_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_search_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_page_search_document', ['document'], unique=False, postgresql_using='gin')
        batch_op.create_index(
            'ix_page_search_public_document', ['public_document'], unique=False, postgresql_using='gin'
        )
    if op.get_bind().dialect.name == 'sqlite':
        for statement in FTS_DDL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in FTS_DROP:
            op.execute(statement)
    with op.batch_alter_table('page_search', schema=None) as batch_op:
        batch_op.drop_index('ix_page_search_public_document', postgresql_using='gin')
        batch_op.drop_index('ix_page_search_document', postgresql_using='gin')
        batch_op.drop_index(batch_op.f('ix_page_search_tenant_id'))
    op.drop_table('page_search')
    with op.batch_alter_table('redirects', schema=None) as batch_op:
        batch_op.drop_index('ix_redirects_tenant_id_to_path')
        batch_op.drop_index(batch_op.f('ix_redirects_tenant_id'))
    op.drop_table('redirects')
