"""counters.created_at and an index for each counter's last response

The counters page marks a counter silent when it has had no response for some
days. A counter that never had one is silent only once it is that old, hence
its creation time (NULL for counters added before this revision: old enough).
Each counter's last response and this month's count are read from an index on
(counter_id, submitted_at) instead of the whole responses table.

Revision ID: b4e1c6a9d2f3
Revises: f4b8c2d61a09
Create Date: 2026-12-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e1c6a9d2f3'
down_revision = 'f4b8c2d61a09'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=True)
        )
    # Not in a batch: SQLite needs no table rebuild for an index.
    op.create_index(
        'ix_responses_counter_submitted',
        'responses',
        ['counter_id', 'submitted_at'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_responses_counter_submitted', table_name='responses')
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_column('created_at')
