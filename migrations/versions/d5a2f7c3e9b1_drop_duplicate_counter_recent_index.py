"""Drop ix_responses_counter_recent: the same index as ix_responses_counter_submitted

Both index responses (counter_id, submitted_at): two migrations added one each
for their own reader (the anomaly rules, the counters page). Every submission
wrote both; one serves both readers.

Revision ID: d5a2f7c3e9b1
Revises: c3e8f1a5b7d2
Create Date: 2026-12-02 12:50:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "d5a2f7c3e9b1"
down_revision = "c3e8f1a5b7d2"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_responses_counter_recent", table_name="responses")


def downgrade():
    op.create_index(
        "ix_responses_counter_recent",
        "responses",
        ["counter_id", "submitted_at"],
        unique=False,
    )
