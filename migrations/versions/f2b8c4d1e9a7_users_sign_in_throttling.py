"""users.failed_sign_ins and users.locked_at: per-account sign-in lock-out

Sign-in was limited per address only, so many addresses could guess one
account's password. Wrong passwords are now counted on the account, whatever
the address, and at a threshold the account is locked until an administrator
unlocks it (`flask users unlock`).

Revision ID: f2b8c4d1e9a7
Revises: a7f3c9e2d184
Create Date: 2026-12-02 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b8c4d1e9a7'
down_revision = 'a7f3c9e2d184'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'failed_sign_ins', sa.Integer(), nullable=False, server_default='0'
            )
        )
        batch_op.add_column(
            sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('failed_sign_ins')
