"""translations: the wording of questionnaires and service fields in any language

Questionnaire titles, factor names, criterion wording and service field names
move from their `*_vi`/`*_en` columns into one table keyed by (table, row,
field, language), so a language the province adds (Thai for Sơn La) is rows,
not columns. `questionnaires.wording_revision` is raised by each translations
import and tells every worker to rebuild the survey wording it keeps.
The downgrade brings the two columns back from the `vi` and `en` rows (an empty
English text where there was none) and forgets the other languages.

Revision ID: c7e2a5f9d481
Revises: c8f2a5d3e1b4
Create Date: 2026-12-02 11:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e2a5f9d481'
down_revision = 'c8f2a5d3e1b4'
branch_labels = None
depends_on = None

# table -> (field, its old column's type)
WORDING = {
    'questionnaires': ('title', sa.String(length=255)),
    'factors': ('name', sa.String(length=255)),
    'criteria': ('text', sa.Text()),
    'service_fields': ('name', sa.String(length=255)),
}
OLD_LANGUAGES = ('vi', 'en')


def upgrade():
    op.create_table(
        'translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('table_name', sa.String(length=32), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translations')),
        sa.UniqueConstraint(
            'table_name', 'row_id', 'field', 'language',
            name=op.f('uq_translations_table_name_row_id_field_language'),
        ),
    )
    for table, (field, _) in WORDING.items():
        for language in OLD_LANGUAGES:
            # An empty English text was "untranslated": no row for it.
            op.execute(
                sa.text(
                    "INSERT INTO translations "
                    "(table_name, row_id, field, language, text) "
                    f"SELECT :table, id, :field, :language, {field}_{language} "
                    f"FROM {table} WHERE {field}_{language} <> ''"
                ).bindparams(table=table, field=field, language=language)
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            for language in OLD_LANGUAGES:
                batch_op.drop_column(f'{field}_{language}')
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'wording_revision', sa.Integer(), nullable=False, server_default='0'
            )
        )


def downgrade():
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_column('wording_revision')
    for table, (field, column_type) in WORDING.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for language in OLD_LANGUAGES:
                batch_op.add_column(
                    sa.Column(
                        f'{field}_{language}', column_type,
                        nullable=False, server_default='',
                    )
                )
        for language in OLD_LANGUAGES:
            op.execute(
                sa.text(
                    f"UPDATE {table} SET {field}_{language} = COALESCE(("
                    "SELECT t.text FROM translations t WHERE t.table_name = :table "
                    f"AND t.row_id = {table}.id AND t.field = :field "
                    "AND t.language = :language), '')"
                ).bindparams(table=table, field=field, language=language)
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            for language in OLD_LANGUAGES:
                batch_op.alter_column(f'{field}_{language}', server_default=None)
    op.drop_table('translations')
