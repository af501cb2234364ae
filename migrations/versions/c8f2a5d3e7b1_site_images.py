"""site_images: the province's logo printed on the counters' posters

An admin uploads it once (PNG or JPEG, size-bounded); it is kept in the
database so that every worker serves it and every backup holds it.

Revision ID: c8f2a5d3e7b1
Revises: a7c3e5f9d214
Create Date: 2026-12-02 11:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8f2a5d3e7b1'
down_revision = "a7c3e5f9d214"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'site_images',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg')",
            name=op.f('ck_site_images_content_type_known'),
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'],
            ['users.id'],
            name=op.f('fk_site_images_uploaded_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_site_images')),
    )


def downgrade():
    op.drop_table('site_images')
