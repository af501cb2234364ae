"""responses.render_nonce, answers_hash and a (counter, time) index for the rules

The render token's nonce is kept with each response, so that a token sent with a
second response is seen. The answers' digest lets the "identical answers" rule
compare one column instead of every answer of the counter's recent responses; the
(counter_id, submitted_at) index serves that rule and the other burst rules. Both
columns stay empty for older responses: the rules only look back a few minutes.

Revision ID: f4b8c2d61a09
Revises: c9a4e7f1b250
Create Date: 2026-12-02 08:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b8c2d61a09'
down_revision = 'c9a4e7f1b250'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_nonce', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('answers_hash', sa.String(length=16), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_responses_render_nonce'), ['render_nonce'], unique=False
        )
        batch_op.create_index(
            'ix_responses_counter_recent', ['counter_id', 'submitted_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_counter_recent')
        batch_op.drop_index(batch_op.f('ix_responses_render_nonce'))
        batch_op.drop_column('answers_hash')
        batch_op.drop_column('render_nonce')
