"""Response cells count each answer 1-5 per criterion: the answer distribution

The packed sums of a cell gain, after the cross-products, how many of its
responses gave each answer 1, 2, 3, 4 and 5 to each criterion (5 x C int32),
so that the dashboard shows the distribution from the cells it already reads.
The counts of existing cells are taken from their folded responses in one
grouped read (local months as the app's time zone cuts them) and checked
against the answered, satisfied and answer-sum totals each cell holds. Should
any cell disagree, every cell is emptied and every response left unfolded, as
when cells were introduced: readers then add the responses themselves (same
numbers, slower) until the next fold refills the cells.

Revision ID: e3c8a5f0b917
Revises: c7e2a5f9d481
Create Date: 2026-12-02 11:40:00.000000

"""
from datetime import UTC, datetime
import logging
from zoneinfo import ZoneInfo

from alembic import op
from flask import current_app
import numpy as np
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3c8a5f0b917'
down_revision = 'c7e2a5f9d481'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
STORED_INT = np.dtype("<i4")
ANSWERS = 5  # the answers 1..5 ("no opinion" is stored as NULL)

responses = sa.table(
    "responses",
    sa.column("id", sa.Integer),
    sa.column("questionnaire_id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("service_field_id", sa.Integer),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("folded", sa.Boolean),
)
answers = sa.table(
    "answers",
    sa.column("response_id", sa.Integer),
    sa.column("criterion_id", sa.Integer),
    sa.column("value", sa.SmallInteger),
)
cells = sa.table(
    "response_cells",
    sa.column("id", sa.Integer),
    sa.column("questionnaire_id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("service_field_id", sa.Integer),
    sa.column("month", sa.Integer),
    sa.column("layout", sa.String),
    sa.column("sums", sa.LargeBinary),
)


def upgrade():
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(cells.c.id, cells.c.questionnaire_id, cells.c.agency_id,
                  cells.c.service_field_id, cells.c.month, cells.c.layout,
                  cells.c.sums)
    ).all()
    if not stored:
        return
    counted = _answer_counts(connection, sorted({c.month for c in stored if c.month % 100}))
    updates = []
    for cell in stored:
        criteria = [int(c) for c in cell.layout.split(",")] if cell.layout else []
        sums = np.frombuffer(cell.sums, dtype=STORED_INT).astype(np.int64)
        key = (cell.questionnaire_id, cell.agency_id, cell.service_field_id, cell.month)
        table = np.array(
            [counted.get((*key, criterion), [0] * ANSWERS) for criterion in criteria],
            dtype=np.int64,
        ).reshape(len(criteria), ANSWERS).T  # (5, C)
        if not _agrees(sums, table):
            _empty_the_cells(connection, key)
            return
        updates.append({
            "cell_id": cell.id,
            "new_sums": np.concatenate([sums, table.ravel()]).astype(STORED_INT).tobytes(),
        })
    connection.execute(
        cells.update().where(cells.c.id == sa.bindparam("cell_id"))
        .values(sums=sa.bindparam("new_sums")),
        updates,
    )


def _answer_counts(connection, months):
    """(version, agency, field, month, criterion) -> counts of the answers 1..5,
    for the month cells of `months` (YYYYMM) and their year cells (YYYY00)."""
    if not months:
        return {}
    zone = ZoneInfo(str(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    every = _months_between(months[0], months[-1])
    starts = [_start(m, zone) for m in every] + [_start(_next(every[-1]), zone)]
    # Each response's local month from its UTC time: one pass over the answers.
    month = sa.case(
        *((responses.c.submitted_at < end, m) for m, end in zip(every, starts[1:])),
        else_=0,
    )
    rows = connection.execute(
        sa.select(
            responses.c.questionnaire_id, responses.c.agency_id,
            responses.c.service_field_id, month, answers.c.criterion_id,
            answers.c.value, sa.func.count(),
        )
        .select_from(responses.join(answers, answers.c.response_id == responses.c.id))
        .where(
            responses.c.folded.is_(True),
            answers.c.value.is_not(None),
            responses.c.submitted_at >= starts[0],
            responses.c.submitted_at < starts[-1],
        )
        .group_by(
            responses.c.questionnaire_id, responses.c.agency_id,
            responses.c.service_field_id, month, answers.c.criterion_id,
            answers.c.value,
        )
    ).all()
    counted = {}
    for version, agency, field, local_month, criterion, value, count in rows:
        for key_month in (local_month, local_month // 100 * 100):
            key = (version, agency, field, key_month, criterion)
            counted.setdefault(key, [0] * ANSWERS)[value - 1] += count
    return counted


def _agrees(sums, table):
    """Whether the counts (5, C) give the cell's answered, satisfied and sums."""
    c = table.shape[1]
    if sums.size != 3 * c + 3 * c * c:
        return False
    answered, satisfied, answer_sum = sums[:c], sums[c:2 * c], sums[2 * c:3 * c]
    return (
        np.array_equal(table.sum(axis=0), answered)
        and np.array_equal(table[3:].sum(axis=0), satisfied)
        and np.array_equal(np.arange(1, ANSWERS + 1) @ table, answer_sum)
    )


def _empty_the_cells(connection, key):
    log.warning(
        "response cell %s disagrees with its responses: cells emptied, responses "
        "left unfolded; `flask cells rebuild` or the next fold refills them", key,
    )
    connection.execute(sa.text("DELETE FROM response_cells"))
    connection.execute(responses.update().values(folded=False))


def _months_between(first, last):
    found, month = [], first
    while month <= last:
        found.append(month)
        month = _next(month)
    return found


def _next(month):
    year, m = divmod(month, 100)
    return (year + 1) * 100 + 1 if m == 12 else month + 1


def _start(month, zone):
    """The UTC instant the local month YYYYMM begins."""
    year, m = divmod(month, 100)
    return datetime(year, m, 1, tzinfo=zone).astimezone(UTC)


def downgrade():
    connection = op.get_bind()
    stored = connection.execute(sa.select(cells.c.id, cells.c.layout, cells.c.sums)).all()
    updates = []
    for cell in stored:
        c = len(cell.layout.split(",")) if cell.layout else 0
        kept = (3 * c + 3 * c * c) * STORED_INT.itemsize
        updates.append({"cell_id": cell.id, "new_sums": bytes(cell.sums)[:kept]})
    if updates:
        connection.execute(
            cells.update().where(cells.c.id == sa.bindparam("cell_id"))
            .values(sums=sa.bindparam("new_sums")),
            updates,
        )
