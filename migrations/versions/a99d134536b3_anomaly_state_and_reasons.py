"""anomaly_state and anomaly_reasons replace flag_status and flag_reasons

The review state of a flagged response gets a CHECK built from the AnomalyState
enum, and its reason codes become a JSON list instead of "; "-joined text. The
names say "anomaly" so that they no longer read like the scoring library's
reliability flags.

Revision ID: a99d134536b3
Revises: aaf1de25b3a5
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a99d134536b3'
down_revision = 'aaf1de25b3a5'
branch_labels = None
depends_on = None

# The values of surveyapp.models.AnomalyState at this revision, frozen here so that
# a later change to the enum never rewrites what this migration did.
STATES = ("flagged", "confirmed", "cleared")
SEPARATOR = "; "

responses = sa.table(
    "responses",
    sa.column("id", sa.Integer),
    sa.column("flag_status", sa.String),
    sa.column("flag_reasons", sa.Text),
    sa.column("anomaly_state", sa.String),
    sa.column("anomaly_reasons", sa.JSON),
)


def split_reasons(text):
    """The old "; "-joined reason codes as a list, blanks dropped."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anomaly_reasons', sa.JSON(), nullable=True))

    connection = op.get_bind()
    connection.execute(sa.update(responses).values(anomaly_reasons=[]))
    flagged = connection.execute(
        sa.select(responses.c.id, responses.c.flag_reasons).where(
            responses.c.flag_reasons != ""
        )
    ).all()
    if flagged:
        connection.execute(
            sa.update(responses)
            .where(responses.c.id == sa.bindparam("row_id"))
            .values(anomaly_reasons=sa.bindparam("reasons", type_=sa.JSON)),
            [
                {"row_id": row_id, "reasons": split_reasons(text)}
                for row_id, text in flagged
            ],
        )

    listed = ", ".join(f"'{state}'" for state in STATES)
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_flag_status'))
        batch_op.alter_column(
            'flag_status',
            new_column_name='anomaly_state',
            existing_type=sa.String(length=16),
            existing_nullable=True,
        )
        batch_op.drop_column('flag_reasons')
        batch_op.alter_column(
            'anomaly_reasons',
            existing_type=sa.JSON(),
            nullable=False,
            server_default='[]',
        )

    # A batch cannot index a column under the name it was given in the same batch.
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_responses_anomaly_state'), ['anomaly_state'], unique=False
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_responses_anomaly_state_known'),
            f"anomaly_state IS NULL OR anomaly_state IN ({listed})",
        )


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('flag_reasons', sa.Text(), server_default='', nullable=False)
        )

    connection = op.get_bind()
    # Reason codes are only ever stored with a state (store_response sets both).
    flagged = connection.execute(
        sa.select(responses.c.id, responses.c.anomaly_reasons).where(
            responses.c.anomaly_state.is_not(None)
        )
    ).all()
    if flagged:
        connection.execute(
            sa.update(responses)
            .where(responses.c.id == sa.bindparam("row_id"))
            .values(flag_reasons=sa.bindparam("reasons")),
            [
                {"row_id": row_id, "reasons": SEPARATOR.join(reasons or [])}
                for row_id, reasons in flagged
            ],
        )

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_responses_anomaly_state_known'), type_='check'
        )
        batch_op.drop_index(batch_op.f('ix_responses_anomaly_state'))
        batch_op.drop_column('anomaly_reasons')
        batch_op.alter_column(
            'anomaly_state',
            new_column_name='flag_status',
            existing_type=sa.String(length=16),
            existing_nullable=True,
        )

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_responses_flag_status'), ['flag_status'], unique=False
        )
