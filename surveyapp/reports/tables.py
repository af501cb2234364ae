"""The tables every format of the yearly report shows, built once from its rows.

The XLSX, CSV and PDF writers all read these tables, so the numbers of every
format come from the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveyapp.analysis.publication import flag_label
from surveyapp.core.time import local_time
from surveyapp.reports.report import FinalisedInfo, RankEntry, Report
from surveyapp.scoring import ResultRow
from surveyapp.scoring.flags import NO_DATA
from surveyapp.scoring.results import COLUMNS as RESULT_COLUMNS

SHARE_FORMAT = "0.0%"


SE_FORMAT = "0.00%"


# Percentage points (values already times 100), signed.
POINTS_FORMAT = "+0.0;-0.0;0.0"


RATING_FORMAT = "0.00"


# The app's one time format, for spreadsheet dates (local time).
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


# share: a fraction shown as a percentage; se: the same with two decimals;
# points: percentage points (already times 100); rating: a mean of 1..5 answers.
CellKind = Literal[
    "text", "share", "se", "count", "number", "points", "rating", "datetime"
]


Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Column:
    """A table column: its heading and how its values are shown."""

    heading: str
    kind: CellKind = "text"
    width: int = 12


@dataclass(frozen=True)
class Table:
    """A titled table of raw values (shares as fractions)."""

    title: str
    columns: list[Column]
    rows: list[list[Cell]]

    def column(self, index: int) -> list[Cell]:
        return [row[index] for row in self.rows]


ROW_LEVELS = {
    "index": _l("index"),
    "factor": _l("factor"),
    "criterion": _l("criterion"),
    "pooled index": _l("pooled index"),
    "pooled factor": _l("pooled factor"),
}


def _tidy_value(row: ResultRow, key: str) -> Cell:
    """A scoring command column, its words (row level, flag) translated."""
    if key == "level":
        return str(ROW_LEVELS.get(row["level"], row["level"]))
    if key == "flag":
        return flag_label(row["flag"])
    return row[key]  # type: ignore[literal-required,no-any-return]


def ranking_table(report: Report, depth: int) -> Table:
    """Agencies of tree level `depth` (1 = children) with their rank intervals."""
    columns = [
        Column(_("Agency code"), width=16),
        Column(_("Agency"), width=44),
        Column(_("Index"), "share", 10),
        Column(_("Interval low"), "share", 12),
        Column(_("Interval high"), "share", 12),
        Column(_("Responses"), "count", 11),
        Column(_("Response rate"), "share", 12),
        Column(_("Rank interval"), width=14),
        Column(_("Reliability"), width=26),
        Column(_("Standard error"), "se", 12),
        Column(_("Degrees of freedom"), "count", 10),
        Column(_("Questionnaire"), width=14),
    ]
    rows: list[list[Cell]] = []
    for entry in report.rankings[depth - 1]:
        row = report.ranked_index(entry)
        rows.append(
            [
                entry.code,
                report.agency_info(entry.code).name,
                row["estimate"] if row else None,
                row["ci_low"] if row else None,
                row["ci_high"] if row else None,
                row["n"] if row else 0,
                entry.response_rate,
                entry.label or _("not ranked"),
                flag_label(row["flag"] if row else NO_DATA),
                row["se"] if row else None,
                row["df"] if row else None,
                entry.questionnaire or report.questionnaire,
            ]
        )
    return Table(_("Ranking, level %(level)s", level=depth), columns, rows)


def result_table(
    report: Report,
    kind: Literal["factor", "criterion"],
    domains: Sequence[str] | None = None,
) -> Table:
    """Index and factors (kind "factor") or criteria of every agency (or `domains`)."""
    levels = ("index", "factor") if kind == "factor" else ("criterion",)
    title = _("Factors") if kind == "factor" else _("Criteria")
    return Table(
        title,
        _result_columns(_("Factor") if kind == "factor" else _("Criterion")),
        _result_rows(report, report.published_rows, levels, report.labels, domains),
    )


def pooled_table(report: Report, domains: Sequence[str] | None = None) -> Table:
    """Index and factors over every questionnaire version (empty: one was used)."""
    return Table(
        _("All versions (%(versions)s)", versions=" + ".join(report.pooled_versions)),
        _result_columns(_("Factor")),
        _result_rows(
            report,
            report.published_pooled_rows,
            ("index", "factor"),
            report.pooled_labels,
            domains,
        ),
    )


def _result_columns(wording: str) -> list[Column]:
    return [
        Column(_("Agency code"), width=16),
        Column(_("Agency"), width=36),
        Column(_("Tree level"), "count", 8),
        Column(_("Code"), width=8),
        Column(wording, width=60),
        Column(_("Index"), "share", 10),
        Column(_("Interval low"), "share", 12),
        Column(_("Interval high"), "share", 12),
        Column(_("Standard error"), "se", 12),
        Column(_("Degrees of freedom"), "count", 10),
        Column(_("Responses"), "count", 11),
        Column(_("Effective sample size"), "number", 12),
        Column(_("Reliability"), width=26),
        Column(_("Reasons"), width=40),
    ]


def _result_rows(
    report: Report,
    rows: Sequence[ResultRow],
    levels: tuple[str, ...],
    labels: dict[str, str],
    domains: Sequence[str] | None,
) -> list[list[Cell]]:
    wanted = set(domains) if domains is not None else None
    order = {a.code: (a.depth, a.code) for a in report.agencies}
    chosen = [
        r
        for r in rows
        if r["level"] in levels and (wanted is None or r["domain"] in wanted)
    ]
    # Each agency's index first, then its factors (results order is criteria,
    # factors, index).
    chosen.sort(
        key=lambda r: (order.get(r["domain"], (99, r["domain"])), r["level"] != "index")
    )
    return [
        [
            r["domain"],
            report.agency_info(r["domain"]).name,
            report.agency_info(r["domain"]).depth,
            r["code"],
            labels.get(r["code"], r["code"]),
            r["estimate"],
            r["ci_low"],
            r["ci_high"],
            r["se"],
            r["df"],
            r["n"],
            r["n_eff"],
            flag_label(r["flag"]),
            r["flag_reasons"],
        ]
        for r in chosen
    ]


# The scoring command's columns, in its order, so the CSV reads the same.
TIDY_KEYS = RESULT_COLUMNS


def tidy_table(report: Report) -> Table:
    """Every result row of every domain, with names, rank intervals and status.

    The first 13 columns are those of ``python -m surveyapp.scoring``, in its
    order, with headings, row levels and flags in the page's language.
    """
    rank_of = {
        entry.code: (depth + 1, entry)
        for depth, level in enumerate(report.rankings)
        for entry in level
    }
    columns = [
        Column(_("Agency code")),
        Column(_("Row level")),
        Column(_("Code")),
        Column(_("Responses"), "count"),
        Column(_("Degrees of freedom"), "count"),
        Column(_("Estimate"), "share"),
        Column(_("Standard error"), "se"),
        Column(_("Interval low"), "share"),
        Column(_("Interval high"), "share"),
        Column(_("Effective sample size"), "number"),
        Column(_("Reliability flag")),
        Column(_("Reasons")),
        Column(_("Mean score (0–100)"), "number"),
        Column(_("Agency")),
        Column(_("Tree level"), "count"),
        Column(_("Wording")),
        Column(_("Rank interval")),
        Column(_("Response rate"), "share"),
        Column(_("Finalised")),
        Column(_("Responses after finalisation"), "count"),
    ]
    rows = [
        _tidy_row(
            report,
            r,
            report.labels.get(r["code"], r["code"]),
            rank_of,
            report.response_rates.get(r["domain"]) if r["level"] == "index" else None,
        )
        for r in report.published_rows
    ]
    rows += _other_index_rows(report, rank_of)
    return Table(_("Results"), columns, rows)


def _other_index_rows(
    report: Report, rank_of: dict[str, tuple[int, RankEntry]]
) -> list[list[Cell]]:
    """The tidy rows beyond the page version's results: units ranked on another
    version's index, then the rows over every version."""
    rows: list[list[Cell]] = []
    # Units ranked on another version's index: that index, named with its version.
    rows += [
        _tidy_row(
            report,
            entry.index,
            f"{report.labels.get('SIPAS', 'SIPAS')} ({entry.questionnaire})",
            rank_of,
            entry.response_rate,
        )
        for level in report.rankings
        for entry in level
        if entry.questionnaire is not None and entry.index is not None
    ]
    # Factors and index over every version: their own row levels ("pooled
    # factor", "pooled index"), named with the versions pooled.
    versions = " + ".join(report.pooled_versions)
    rows += [
        _tidy_row(
            report,
            cast(ResultRow, {**r, "level": f"pooled {r['level']}"}),
            f"{report.pooled_labels.get(r['code'], r['code'])} ({versions})",
            {},
            None,
        )
        for r in report.published_pooled_rows
    ]
    return rows


def _tidy_row(
    report: Report,
    r: ResultRow,
    wording: str,
    rank_of: dict[str, tuple[int, RankEntry]],
    response_rate: float | None,
) -> list[Cell]:
    info = report.agency_info(r["domain"])
    ranked = rank_of.get(r["domain"]) if r["level"] == "index" else None
    finalised = report.finalised
    return [
        *(_tidy_value(r, key) for key in TIDY_KEYS),
        info.name,
        info.depth,
        wording,
        (ranked[1].label or _("not ranked")) if ranked is not None else None,
        response_rate,
        finalised_text(finalised) if finalised else None,
        finalised.late_responses if finalised else None,
    ]


def finalised_text(info: FinalisedInfo) -> str:
    return str(
        _(
            "%(when)s by %(who)s",
            when=f"{local_time(info.at):%d/%m/%Y %H:%M}",
            who=info.by or _("the command line"),
        )
    )
