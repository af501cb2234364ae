"""comments.agency_id: a subtree's comments are counted without the responses

The comments page counted a province's comments by joining them to its million
responses. The response's service point is copied onto each comment (it never
changes) and indexed.

Revision ID: d5a2b7c81e3f
Revises: c3e1f0a7d942
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a2b7c81e3f'
down_revision = 'c3e1f0a7d942'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE comments SET agency_id = "
        "(SELECT agency_id FROM responses WHERE responses.id = comments.response_id)"
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            batch_op.f('ix_comments_agency_id'), ['agency_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_comments_agency_id_agencies'),
            'agencies', ['agency_id'], ['id'], ondelete='RESTRICT',
        )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_comments_agency_id_agencies'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_comments_agency_id'))
        batch_op.drop_column('agency_id')
