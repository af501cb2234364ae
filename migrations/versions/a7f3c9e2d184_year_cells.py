"""Year cells beside the month cells: a year's scores add twelve times fewer cells

A response cell keyed YYYY00 holds the sums of its months YYYY01-YYYY12 (the
same service point, field and version). The folds keep both from now on; this
adds the year cells of the month cells already stored.

Revision ID: a7f3c9e2d184
Revises: d5a2b7c81e3f
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import numpy as np
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7f3c9e2d184'
down_revision = 'd5a2b7c81e3f'
branch_labels = None
depends_on = None

STORED_INT = np.dtype("<i4")
COUNTS = ("responses", "receipt_responses", "receipt_dissatisfied")


def upgrade():
    connection = op.get_bind()
    months = connection.execute(sa.text(
        "SELECT questionnaire_id, agency_id, service_field_id, month, layout, sums, "
        + ", ".join(COUNTS) + " FROM response_cells WHERE month % 100 <> 0"
    ))
    years = {}
    for row in months:
        key = (row[0], row[1], row[2], row[3] // 100 * 100, row[4])
        counts = np.array(row[6:9], dtype=np.int64)
        sums = np.frombuffer(row[5], dtype=STORED_INT).astype(np.int64)
        if key in years:
            years[key] = (years[key][0] + counts, years[key][1] + sums)
        else:
            years[key] = (counts, sums)
    cells = sa.table(
        "response_cells",
        *(sa.column(name) for name in (
            "questionnaire_id", "agency_id", "service_field_id", "month", "layout",
            "sums", *COUNTS,
        )),
    )
    rows = []
    for (questionnaire, agency, field, year, layout), (counts, sums) in years.items():
        if sums.max(initial=0) > np.iinfo(STORED_INT).max:
            raise OverflowError(f"the year cell {(agency, field, year)} does not fit the stored integers")
        rows.append({
            "questionnaire_id": questionnaire, "agency_id": agency,
            "service_field_id": field, "month": year, "layout": layout,
            "sums": sums.astype(STORED_INT).tobytes(),
            **{name: int(value) for name, value in zip(COUNTS, counts)},
        })
    if rows:
        op.bulk_insert(cells, rows)


def downgrade():
    op.execute("DELETE FROM response_cells WHERE month % 100 = 0")
