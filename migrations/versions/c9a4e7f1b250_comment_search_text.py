"""comments.search_text: comments found by words typed without accents

"ho so" must find "hồ sơ". Neither SQLite nor PostgreSQL (without the unaccent
extension) folds Vietnamese diacritics, so each comment keeps its body folded
(lower case, no diacritics, đ -> d), filled here for the comments already stored.

Revision ID: c9a4e7f1b250
Revises: b7d41c9e2f60
Create Date: 2026-12-02 10:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9a4e7f1b250'
down_revision = 'b7d41c9e2f60'
branch_labels = None
depends_on = None

BATCH = 5000


def _fold(text):
    # The rule of surveyapp.models.text.fold as of this revision.
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('search_text', sa.Text(), nullable=False, server_default='')
        )
    connection = op.get_bind()
    comments = sa.table(
        'comments', sa.column('id'), sa.column('body'), sa.column('search_text')
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.select(comments.c.id, comments.c.body)
            .where(comments.c.id > after)
            .order_by(comments.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            comments.update()
            .where(comments.c.id == sa.bindparam('comment_id'))
            .values(search_text=sa.bindparam('folded')),
            [{'comment_id': row.id, 'folded': _fold(row.body)} for row in rows],
        )
        after = rows[-1].id


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('search_text')
