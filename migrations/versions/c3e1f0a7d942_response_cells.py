"""response cells: scored responses summed per service point, field, month, version

Adds the response_cells table (exact integer sums, rebuilt from the responses by
`flask cells rebuild`), the insert-only cell_updates log, and responses.folded
with a partial index on the unfolded ones. Existing responses start unfolded:
every reader adds unfolded responses itself, so the numbers are right before the
first rebuild, only slower.

Revision ID: c3e1f0a7d942
Revises: a99d134536b3
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e1f0a7d942'
down_revision = 'a99d134536b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'response_cells',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('service_field_id', sa.Integer(), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('receipt_responses', sa.Integer(), nullable=False),
        sa.Column('receipt_dissatisfied', sa.Integer(), nullable=False),
        sa.Column('layout', sa.String(length=2000), nullable=False),
        sa.Column('sums', sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            'responses >= 0', name=op.f('ck_response_cells_responses_not_negative')
        ),
        sa.ForeignKeyConstraint(
            ['agency_id'], ['agencies.id'],
            name=op.f('fk_response_cells_agency_id_agencies'), ondelete='RESTRICT'
        ),
        sa.ForeignKeyConstraint(
            ['questionnaire_id'], ['questionnaires.id'],
            name=op.f('fk_response_cells_questionnaire_id_questionnaires'),
            ondelete='RESTRICT',
        ),
        sa.ForeignKeyConstraint(
            ['service_field_id'], ['service_fields.id'],
            name=op.f('fk_response_cells_service_field_id_service_fields'),
            ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_response_cells')),
        sa.UniqueConstraint(
            'questionnaire_id', 'month', 'agency_id', 'service_field_id',
            name='uq_response_cells_key',
        ),
    )
    op.create_table(
        'cell_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_updates')),
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('folded', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            'ix_responses_unfolded', ['submitted_at'], unique=False,
            postgresql_where=sa.text('NOT folded'),
            sqlite_where=sa.text('NOT folded'),
        )


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_responses_unfolded',
            postgresql_where=sa.text('NOT folded'),
            sqlite_where=sa.text('NOT folded'),
        )
        batch_op.drop_column('folded')
    op.drop_table('cell_updates')
    op.drop_table('response_cells')
