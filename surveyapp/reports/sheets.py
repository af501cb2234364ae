"""The year around the results, as tables: QĐ 766, the monthly trend and the
change since the previous year, all read from the :class:`Report`.

The XLSX writer makes a sheet of each; the PDF prints the same numbers."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from surveyapp.reports.report import Report
from surveyapp.reports.tables import Cell, Column, Table, flag_label


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


def is_partial(month: str, report: Report) -> bool:
    """Whether `month` was still going on when the report was made (its trend
    ends inside it): drawn apart, as on the dashboard."""
    if report.trend_end is None or month != report.trend_end[:7]:
        return False
    end = date.fromisoformat(report.trend_end)
    return (end + timedelta(days=1)).day != 1


def month_label(month: str, report: Report) -> str:
    """ "MM/YYYY", or "to dd/mm" for the month still going on."""
    if is_partial(month, report):
        end = date.fromisoformat(report.trend_end or "")
        return str(_("to %(day)s", day=f"{end:%d/%m}"))
    return f"{month[5:]}/{month[:4]}"


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
                else (None, None, None, 0, flag_label("no data"))
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
    rows: list[list[Cell]] = []
    for code in index_and_factors(report):
        now, then = report.row(report.agency, code), report.previous_row(code)
        change = report.change(code)
        rows.append(
            [
                code,
                report.labels.get(code, code),
                now["estimate"] if now else None,
                then["estimate"] if then else None,
                100 * change.estimate if change else None,
                100 * change.ci_low if change else None,
                100 * change.ci_high if change else None,
                significance(change.estimate, change.significant) if change else "",
            ]
        )
    return Table(_("Change since previous year"), columns, rows)


def significance(estimate: float, significant: bool) -> str:
    """A change's marker as on the dashboard: only when its interval excludes 0."""
    if not significant:
        return ""
    if estimate > 0:
        return "▲ " + str(_("significant increase"))
    return "▼ " + str(_("significant decrease"))
