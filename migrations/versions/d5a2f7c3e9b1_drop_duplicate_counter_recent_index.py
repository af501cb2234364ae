"""Drop two redundant indexes of responses, written by every submission for nothing

ix_responses_counter_recent and ix_responses_counter_submitted both index
(counter_id, submitted_at): two migrations added one each for their own reader
(the anomaly rules, the counters page); one serves both. ix_responses_counter_id
(counter_id) is the leading part of three (counter_id, ...) indexes, any of which
serves its look-ups.

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
    op.drop_index("ix_responses_counter_id", table_name="responses")


def downgrade():
    op.create_index(
        "ix_responses_counter_id", "responses", ["counter_id"], unique=False
    )
    op.create_index(
        "ix_responses_counter_recent",
        "responses",
        ["counter_id", "submitted_at"],
        unique=False,
    )
