"""Indexes for the burst rules: a counter's recent identical answers and network

The anomaly rules counted a reused token and the identical-answers and network
bursts in one pass over every recent response of the counter, so each submission
during a burst read the whole burst (8 ms of PostgreSQL per submission at 8,000
recent responses). Each count now reads only the matching entries of its own
index: (counter_id, answers_hash, submitted_at) and (counter_id, network_hash,
submitted_at, channel), the channel in the index so that kiosk responses are left
out without reading the table.

Revision ID: c3e8f1a5b7d2
Revises: e3c8a5f0b917
Create Date: 2026-12-02 12:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3e8f1a5b7d2'
down_revision = 'e3c8a5f0b917'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_responses_counter_answers',
        'responses',
        ['counter_id', 'answers_hash', 'submitted_at'],
        unique=False,
    )
    op.create_index(
        'ix_responses_counter_network',
        'responses',
        ['counter_id', 'network_hash', 'submitted_at', 'channel'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_responses_counter_network', table_name='responses')
    op.drop_index('ix_responses_counter_answers', table_name='responses')
