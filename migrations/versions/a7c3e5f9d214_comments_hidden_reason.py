"""comments.hidden_reason: why a manager hid a comment

Hiding now asks for a reason from a short list (personal data, abusive
language, spam or advertising, not about the service). Comments hidden before
keep an empty reason: nobody recorded one.

Revision ID: a7c3e5f9d214
Revises: b4d9e6a1c257
Create Date: 2026-12-02 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5f9d214'
down_revision = 'b4d9e6a1c257'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('hidden_reason')
