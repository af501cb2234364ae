"""What may be shown: the one place the reliability rules hide a number.

The scoring library flags every row (NCHS 2017, :mod:`surveyapp.scoring.flags`)
but keeps its numbers, because a statistician checking the method needs them.
Everything a manager or the public sees (pages, charts, trend points, rankings,
``diem.json``, the yearly XLSX, CSV and PDF) goes through :func:`published`, so
a suppressed number cannot leak through one of them. The raw responses export
and ``python -m surveyapp.scoring`` still give the full rows.

The flags' words (:data:`FLAG_LABELS`) live here too, so a page, a chart legend
and a report name a flag alike.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from surveyapp.scoring import ResultRow
from surveyapp.scoring.flags import NO_DATA, OK, REVIEW, SUPPRESS

HIDDEN_FLAGS = frozenset({SUPPRESS, NO_DATA})

# The flags in words, for every page, chart legend and report that names them.
FLAG_LABELS = {
    OK: _l("reliable"),
    REVIEW: _l("little data — use with care"),
    SUPPRESS: _l("suppressed: too little data"),
    NO_DATA: _l("no data"),
}


def flag_label(flag: str) -> str:
    """`flag` in words (an unknown flag as it is)."""
    return str(FLAG_LABELS.get(flag, flag))


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
