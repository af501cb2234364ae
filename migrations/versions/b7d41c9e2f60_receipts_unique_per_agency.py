"""receipts: dossier codes unique per issuing agency, not across all agencies

Agencies number their dossiers on their own; with one code space for all of them
one agency's API key could take another's dossier code, and the refusal told it
that the dossier existed elsewhere. Each receipt now records its issuing agency
(its counter's service point) and the code is unique within that agency.

Revision ID: b7d41c9e2f60
Revises: f2b8c4d1e9a7
Create Date: 2026-12-02 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c9e2f60'
down_revision = 'f2b8c4d1e9a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE receipts SET agency_id = (SELECT service_point_id FROM counters "
        "WHERE counters.id = receipts.counter_id)"
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_receipts_agency_id_agencies'),
            'agencies', ['agency_id'], ['id'], ondelete='RESTRICT',
        )
        batch_op.drop_constraint('uq_receipts_dossier_code', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_receipts_agency_id_dossier_code'),
            ['agency_id', 'dossier_code'],
        )


def downgrade():
    # Fails, as it should, when two agencies have used the same dossier code.
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_receipts_agency_id_dossier_code'), type_='unique'
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_receipts_dossier_code'), ['dossier_code']
        )
        batch_op.drop_constraint(
            batch_op.f('fk_receipts_agency_id_agencies'), type_='foreignkey'
        )
        batch_op.drop_column('agency_id')
