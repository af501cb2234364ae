"""What may be shown: the one place the reliability rules hide a number.

The scoring library flags every row (NCHS 2017, :mod:`surveyapp.scoring.flags`)
but keeps its numbers, because a statistician checking the method needs them.
Everything a manager or the public sees (pages, charts, trend points, rankings,
``diem.json``, the yearly XLSX, CSV and PDF) goes through :func:`published`, so
a suppressed number cannot leak through one of them. The raw responses export
and ``python -m surveyapp.scoring`` still give the full rows.
"""

from __future__ import annotations

from surveyapp.scoring import ResultRow
from surveyapp.scoring.flags import NO_DATA, SUPPRESS

HIDDEN_FLAGS = frozenset({SUPPRESS, NO_DATA})


def publishable(row: ResultRow | None) -> bool:
    """Whether `row`'s numbers may be shown."""
    return (
        row is not None
        and row["flag"] not in HIDDEN_FLAGS
        and row["estimate"] is not None
    )


def published(row: ResultRow) -> ResultRow:
    """`row` as it may be shown: its estimates blanked when the rules hide them."""
    if publishable(row):
        return row
    # Everything estimated from the answers goes; n and df describe the sample
    # and stay. The effective sample size goes too: with p it gives the se.
    return ResultRow(
        **{
            **row,
            "estimate": None,
            "se": None,
            "ci_low": None,
            "ci_high": None,
            "n_eff": None,
            "mean_score": None,
        }
    )
