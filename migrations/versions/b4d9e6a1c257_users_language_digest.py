"""users.language and users.digest_enabled: the weekly digest by email

`flask digest send` writes to each manager and admin in their own language,
and a user may turn the digest off. Existing users get Vietnamese and the
digest, like new ones.

Revision ID: b4d9e6a1c257
Revises: b4e1c6a9d2f3
Create Date: 2026-12-02 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d9e6a1c257'
down_revision = 'b4e1c6a9d2f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=8), nullable=False, server_default='vi')
        )
        batch_op.add_column(
            sa.Column(
                'digest_enabled', sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_enabled')
        batch_op.drop_column('language')
