"""counter_service_fields and receipts.service_field_id: ask only what is unknown

A counter may be tied to the service fields it handles: the survey lists those
first, and a counter of one field does not ask. A receipt may carry its
dossier's field, and then the citizen is not asked either. Existing counters
and receipts get no field: the citizen chooses, as before.

Revision ID: c8f2a5d3e1b4
Revises: c8f2a5d3e7b1
Create Date: 2026-12-02 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8f2a5d3e1b4'
down_revision = 'c8f2a5d3e7b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'counter_service_fields',
        sa.Column('counter_id', sa.Integer(), nullable=False),
        sa.Column('service_field_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['counter_id'],
            ['counters.id'],
            name=op.f('fk_counter_service_fields_counter_id_counters'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['service_field_id'],
            ['service_fields.id'],
            name=op.f('fk_counter_service_fields_service_field_id_service_fields'),
            ondelete='RESTRICT',
        ),
        sa.PrimaryKeyConstraint(
            'counter_id', 'service_field_id', name=op.f('pk_counter_service_fields')
        ),
    )
    op.create_index(
        op.f('ix_counter_service_fields_service_field_id'),
        'counter_service_fields',
        ['service_field_id'],
        unique=False,
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_field_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_receipts_service_field_id_service_fields'),
            'service_fields',
            ['service_field_id'],
            ['id'],
            ondelete='RESTRICT',
        )


def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_receipts_service_field_id_service_fields'),
            type_='foreignkey',
        )
        batch_op.drop_column('service_field_id')
    op.drop_index(
        op.f('ix_counter_service_fields_service_field_id'),
        table_name='counter_service_fields',
    )
    op.drop_table('counter_service_fields')
