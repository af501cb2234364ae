"""The year around the results, as tables: QĐ 766, the monthly trend and the
change since the previous year, all read from the :class:`Report`.

The XLSX writer makes a sheet of each; the PDF prints the same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from flask_babel import gettext as _

from surveyapp.analysis.publication import flag_label
from surveyapp.analysis.trend import month_label as trend_month_label
from surveyapp.reports.report import Report
from surveyapp.reports.tables import Cell, Column, Table
from surveyapp.scoring.change import Difference
from surveyapp.scoring.flags import NO_DATA


def indicator_table(report: Report) -> Table | None:
    """QĐ 766 of the report's subtree (None: not kept in this report)."""
    indicator = report.indicator
    if indicator is None:
        return None
    columns = [
        Column(_("Agency code"), width=16),
        Column(_("Agency"), width=36),
        Column(_("Dossiers rated with a receipt QR code"), "count", 22),
        Column(_("Dissatisfied"), "count", 14),
        Column(_("Satisfied"), "count", 12),
        Column(_("Index"), "share", 10),
        Column(_("Interval low"), "share", 12),
        Column(_("Interval high"), "share", 12),
    ]
    rows: list[list[Cell]] = [
        [
            report.agency,
            report.name,
            indicator.rated,
            indicator.dissatisfied,
            indicator.satisfied,
            indicator.share,
            indicator.ci_low,
            indicator.ci_high,
        ]
    ]
    return Table("QĐ 766", columns, rows)


def month_label(month: str, report: Report, short: bool = False) -> str:
    """ "MM/YYYY" ("MM/YY" when `short`), or "to dd/mm" for the month still
    going on, by the dashboard's rule."""
    so_far = month == report.month_so_far
    return trend_month_label(month, report.trend_last_day, so_far, short)


def trend_table(report: Report) -> Table | None:
    """The monthly index of the report's subtree (None: not kept in this report)."""
    if not report.trend:
        return None
    columns = [
        Column(_("Month"), width=12),
        Column(_("Index"), "share", 10),
        Column(_("Interval low"), "share", 12),
        Column(_("Interval high"), "share", 12),
        Column(_("Responses"), "count", 11),
        Column(_("Reliability"), width=26),
    ]
    rows: list[list[Cell]] = [
        [
            month_label(entry.month, report),
            *(
                (
                    entry.row["estimate"],
                    entry.row["ci_low"],
                    entry.row["ci_high"],
                    entry.row["n"],
                    flag_label(entry.row["flag"]),
                )
                if entry.row
                else (None, None, None, 0, flag_label(NO_DATA))
            ),
        ]
        for entry in report.trend
    ]
    return Table(_("Monthly trend"), columns, rows)


def index_and_factors(report: Report) -> list[str]:
    """The index and factor codes, in the questionnaire's order."""
    factors = [
        code for code in report.labels if code.startswith("F") and "." not in code
    ]
    return ["SIPAS", *factors]


class ChangeRow(NamedTuple):
    """One code's index in the report's year and the previous one, and the change."""

    code: str
    label: str
    now: float | None
    then: float | None
    change: Difference | None


def change_rows(report: Report) -> Iterator[ChangeRow]:
    """The index and factors against the previous year, for every format."""
    for code in index_and_factors(report):
        now, then = report.row(report.agency, code), report.previous_row(code)
        yield ChangeRow(
            code,
            report.labels.get(code, code),
            now["estimate"] if now else None,
            then["estimate"] if then else None,
            report.change(code),
        )


def change_table(report: Report) -> Table | None:
    """The index and factors against the previous year (None: nothing kept)."""
    if not report.previous_rows:
        return None
    previous = report.year - 1
    columns = [
        Column(_("Code"), width=8),
        Column(_("Wording"), width=52),
        Column(str(report.year), "share", 10),
        Column(str(previous), "share", 10),
        Column(_("Change since %(period)s (points)", period=previous), "points", 16),
        Column(_("Interval low"), "points", 12),
        Column(_("Interval high"), "points", 12),
        Column(_("Significant"), width=28),
    ]
    rows: list[list[Cell]] = [
        [
            code,
            label,
            now,
            then,
            *(
                (
                    100 * change.estimate,
                    100 * change.ci_low,
                    100 * change.ci_high,
                    significance(change.estimate, change.significant),
                )
                if change
                else (None, None, None, "")
            ),
        ]
        for code, label, now, then, change in change_rows(report)
    ]
    return Table(_("Change since previous year"), columns, rows)


def significance(estimate: float, significant: bool) -> str:
    """A change's marker as on the dashboard: only when its interval excludes 0."""
    if not significant:
        return ""
    if estimate > 0:
        return "▲ " + str(_("significant increase"))
    return "▼ " + str(_("significant decrease"))
