"""Yearly SIPAS-style reports: one frozen-able report, three file formats.

A :class:`Report` holds everything an export shows (every result row of every
domain of the subtree, the ranking of each tree level, labels, method) as plain
data, so a finalised year can store it as JSON and export it again unchanged.
The table builders (:func:`ranking_table`, :func:`result_table`,
:func:`tidy_table`, :func:`method_table`) are shared by the XLSX, CSV and PDF
writers: the numbers of every format come from the same rows.

Shares stay fractions in [0, 1] (full precision in CSV and as XLSX cell values,
shown with a ``0.0 %`` number format); the PDF prints them as percentages and
hides suppressed estimates, as the dashboard does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from surveyapp.i18n import percent
from surveyapp.models import Questionnaire
from surveyapp.scoring import ResultRow, rank_domains
from surveyapp.scoring.results import COLUMNS as RESULT_COLUMNS
from surveyapp.services.results import Scores

FORMATS: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
SHARE_FORMAT = "0.0%"
SE_FORMAT = "0.00%"
INTERVAL_NAMES = {"kg": "Korn–Graubard (NCHS 2017)"}
NOT_SHOWN = ("suppress", "no data")
FLAG_LABELS = {
    "ok": _l("reliable"),
    "review": _l("little data — use with care"),
    "suppress": _l("suppressed: too little data"),
    "no data": _l("no data"),
}

CellKind = Literal["text", "share", "se", "count", "number"]
Cell = str | int | float | None


@dataclass(frozen=True)
class AgencyInfo:
    """An agency of the report's subtree; depth 0 is the report's agency."""

    code: str
    name: str
    parent: str | None
    depth: int


@dataclass(frozen=True)
class RankEntry:
    """One agency of a ranking table (joint rank intervals on the index)."""

    code: str
    ranked: bool
    best: int
    worst: int
    out_of: int
    response_rate: float | None

    @property
    def label(self) -> str:
        if not self.ranked:
            return ""
        if self.best == self.worst:
            return f"{self.best} / {self.out_of}"
        return f"{self.best}–{self.worst} / {self.out_of}"


@dataclass(frozen=True)
class FinalisedInfo:
    """When and by whom the year was finalised, and what arrived since."""

    at: datetime
    by: str
    response_count: int
    input_hash: str
    late_responses: int


@dataclass
class Report:
    """The year of an agency subtree as every export shows it (JSON-able)."""

    agency: str
    year: int
    questionnaire: str
    questionnaire_title: str
    legal_basis: str
    method: str
    level: float
    response_count: int
    rows: list[ResultRow]
    agencies: list[AgencyInfo]
    labels: dict[str, str]
    rankings: list[list[RankEntry]]
    response_rates: dict[str, float | None]
    weighting: dict[str, Any]
    app_version: str
    finalised: FinalisedInfo | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The report without its finalisation status, for `Finalisation.results`."""
        data = asdict(self)
        data.pop("finalised")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            **{
                **data,
                "agencies": [AgencyInfo(**a) for a in data["agencies"]],
                "rankings": [
                    [RankEntry(**entry) for entry in level]
                    for level in data["rankings"]
                ],
                "rows": [ResultRow(**row) for row in data["rows"]],  # type: ignore[typeddict-item]
            }
        )

    def agency_info(self, code: str) -> AgencyInfo:
        return self._agency_index[code]

    @cached_property
    def _agency_index(self) -> dict[str, AgencyInfo]:
        return {a.code: a for a in self.agencies}

    @cached_property
    def _row_index(self) -> dict[tuple[str, str], ResultRow]:
        return {(r["domain"], r["code"]): r for r in self.rows}

    @property
    def name(self) -> str:
        return self.agency_info(self.agency).name

    def row(self, domain: str, code: str) -> ResultRow | None:
        """The row of `domain` with `code` (criterion, factor or "SIPAS")."""
        return self._row_index.get((domain, code))

    @property
    def overall(self) -> ResultRow | None:
        return self.row(self.agency, "SIPAS")


def report_from_scores(scores: Scores, year: int) -> Report:
    """Freeze `scores` (with results) into a :class:`Report`."""
    if scores.results is None or scores.weighting is None:
        raise ValueError("there are no results to report")
    agencies = _subtree(scores)
    rankings = _rankings(scores, agencies)
    rates = {a.code: _response_rate(scores, a.code, agencies) for a in agencies}
    weighting = scores.weighting
    # The weighting cells before pooling: (counting unit or service point, field).
    cells = {
        (unit if unit is not None else agency_id, field_code)
        for unit, agency_id, field_code in zip(
            weighting.unit_of_response,
            scores.rows.agency_ids,
            scores.rows.field_codes,
            strict=True,
        )
    }
    questionnaire = scores.questionnaire
    return Report(
        agency=scores.root.code,
        year=year,
        questionnaire=questionnaire.code,
        questionnaire_title=questionnaire.title_vi,
        legal_basis=questionnaire.legal_basis,
        method=scores.method,
        level=scores.level,
        response_count=len(scores.rows),
        rows=list(scores.results.rows()),
        agencies=agencies,
        labels=questionnaire_labels(questionnaire),
        rankings=rankings,
        response_rates=rates,
        app_version=app_version(),
        weighting={
            "counted": weighting.counted,
            "cells": len(cells),
            "strata": len(set(weighting.strata)),
            "notes": list(weighting.notes),
        },
    )


def app_version() -> str:
    """The installed surveyapp version, written into every report."""
    try:
        return metadata.version("surveyapp")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "unknown"


def questionnaire_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """Result row code -> Vietnamese wording: "F1" -> "A. ...", "F1.2" -> "A2. ..."."""
    labels = {"SIPAS": _("SIPAS-style index")}
    for factor in questionnaire.factors:
        labels[f"F{factor.position}"] = f"{factor.code}. {factor.name_vi}"
        for criterion in factor.criteria:
            labels[f"F{factor.position}.{criterion.position}"] = (
                f"{factor.code}{criterion.position}. {criterion.text_vi}"
            )
    return labels


def _subtree(scores: Scores) -> list[AgencyInfo]:
    code_of = {a.id: a.code for a in scores.agencies.values()}
    parent: dict[str, str | None] = {
        a.code: None
        if a.code == scores.root.code or a.parent_id is None
        else code_of.get(a.parent_id)
        for a in scores.agencies.values()
    }

    def depth(code: str) -> int:
        steps, node = 0, parent.get(code)
        while node is not None:
            steps, node = steps + 1, parent.get(node)
        return steps

    infos = [
        AgencyInfo(a.code, a.name, parent.get(a.code), depth(a.code))
        for a in scores.agencies.values()
    ]
    return sorted(infos, key=lambda a: (a.depth, a.code))


def _descendants(code: str, agencies: Sequence[AgencyInfo]) -> set[str]:
    children: dict[str | None, list[str]] = {}
    for a in agencies:
        children.setdefault(a.parent, []).append(a.code)
    found, stack = set(), [code]
    while stack:
        node = stack.pop()
        found.add(node)
        stack.extend(children.get(node, []))
    return found


def _response_rate(
    scores: Scores, code: str, agencies: Sequence[AgencyInfo]
) -> float | None:
    if scores.weighting is None or not scores.weighting.counted:
        return None
    ids = {scores.agencies[c].id for c in _descendants(code, agencies)}
    return scores.weighting.response_rate(ids)


def _rankings(scores: Scores, agencies: Sequence[AgencyInfo]) -> list[list[RankEntry]]:
    """One table per tree level below the root, ranked within the level."""
    results = scores.results
    if results is None:
        return []
    present = {str(d) for d in results.domain}
    deepest = max(a.depth for a in agencies)
    tables = []
    for depth in range(1, deepest + 1):
        level = [a for a in agencies if a.depth == depth]
        codes = {a.code for a in level}
        names, intervals = rank_domains(
            results, level=scores.level, exclude=tuple(present - codes)
        )
        position = {name: i for i, name in enumerate(names)}
        entries = []
        for agency in level:
            i = position.get(agency.code)
            ranked = i is not None and bool(intervals.ranked[i])
            entries.append(
                RankEntry(
                    agency.code,
                    ranked,
                    int(intervals.best[i]) if ranked and i is not None else 0,
                    int(intervals.worst[i]) if ranked and i is not None else 0,
                    intervals.n_ranked,
                    _response_rate(scores, agency.code, agencies),
                )
            )
        estimate = {
            r["domain"]: r["estimate"]
            for r in results.rows()
            if r["level"] == "index" and r["domain"] in codes
        }
        entries.sort(
            key=lambda e: (not e.ranked, -(estimate.get(e.code) or 0.0), e.code)
        )
        tables.append(entries)
    return tables


# --- tables shared by every format -------------------------------------------


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


def flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))


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
    ]
    rows: list[list[Cell]] = []
    for entry in report.rankings[depth - 1]:
        row = report.row(entry.code, "SIPAS")
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
                flag_label(row["flag"] if row else "no data"),
                row["se"] if row else None,
                row["df"] if row else None,
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
    columns = [
        Column(_("Agency code"), width=16),
        Column(_("Agency"), width=36),
        Column(_("Tree level"), "count", 8),
        Column(_("Code"), width=8),
        Column(_("Factor") if kind == "factor" else _("Criterion"), width=60),
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
    wanted = set(domains) if domains is not None else None
    order = {a.code: (a.depth, a.code) for a in report.agencies}
    chosen = [
        r
        for r in report.rows
        if r["level"] in levels and (wanted is None or r["domain"] in wanted)
    ]
    # Each agency's index first, then its factors (results order is criteria,
    # factors, index).
    chosen.sort(
        key=lambda r: (order.get(r["domain"], (99, r["domain"])), r["level"] != "index")
    )
    rows: list[list[Cell]] = [
        [
            r["domain"],
            report.agency_info(r["domain"]).name,
            report.agency_info(r["domain"]).depth,
            r["code"],
            report.labels.get(r["code"], r["code"]),
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
    title = _("Factors") if kind == "factor" else _("Criteria")
    return Table(title, columns, rows)


# The scoring command's columns, in its order, so the CSV reads the same.
TIDY_KEYS = RESULT_COLUMNS


def tidy_table(report: Report) -> Table:
    """Every result row of every domain, with names, rank intervals and status.

    The first 13 columns are those of ``python -m surveyapp.scoring``, in its
    order (headings translated).
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
    finalised = report.finalised
    rows: list[list[Cell]] = []
    for r in report.rows:
        info = report.agency_info(r["domain"])
        ranked = rank_of.get(r["domain"]) if r["level"] == "index" else None
        rank = None
        if ranked is not None:
            rank = ranked[1].label or _("not ranked")
        rows.append(
            [
                *(r[key] for key in TIDY_KEYS),  # type: ignore[literal-required]
                info.name,
                info.depth,
                report.labels.get(r["code"], r["code"]),
                rank,
                report.response_rates.get(r["domain"])
                if r["level"] == "index"
                else None,
                _finalised_text(finalised) if finalised else None,
                finalised.late_responses if finalised else None,
            ]
        )
    return Table(_("Results"), columns, rows)


def _local(moment: datetime) -> datetime:
    zone = ZoneInfo(str(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def _finalised_text(info: FinalisedInfo) -> str:
    return str(
        _(
            "%(when)s by %(who)s",
            when=f"{_local(info.at):%d/%m/%Y %H:%M}",
            who=info.by or _("the command line"),
        )
    )


def status_lines(report: Report) -> list[tuple[str, str]]:
    """The finalisation status as (label, text) pairs."""
    info = report.finalised
    if info is None:
        return [
            (
                _("Status"),
                _("Not finalised: recomputed from the current responses."),
            )
        ]
    return [
        (_("Status"), _("Finalised %(when)s", when=_finalised_text(info))),
        (_("Responses in the finalised results"), str(info.response_count)),
        (_("Responses after finalisation"), str(info.late_responses)),
        (_("Hash of the inputs (SHA-256)"), info.input_hash),
    ]


def method_table(report: Report) -> Table:
    """The method sheet: what was estimated, how, and the finalisation status."""
    overall = report.overall
    weighting = report.weighting
    lines: list[tuple[str, str]] = [
        (_("Report"), _("SIPAS-style service satisfaction — not the official SIPAS")),
        (_("Agency"), f"{report.name} ({report.agency})"),
        (_("Year"), str(report.year)),
        *status_lines(report),
        (
            _("Questionnaire"),
            " — ".join(
                p
                for p in (
                    report.questionnaire,
                    report.questionnaire_title,
                    report.legal_basis,
                )
                if p
            ),
        ),
        (_("Responses"), str(report.response_count)),
        (
            _("Overall index"),
            f"{percent(overall['estimate'])} ({percent(overall['ci_low'])} – "
            f"{percent(overall['ci_high'])})"
            if overall and overall["estimate"] is not None
            else "—",
        ),
        (
            _("Criterion index"),
            _("Share of valid answers that are 4 or 5 (weighted)."),
        ),
        (
            _("Factor and overall index"),
            _(
                "Factor index: mean of its criterion indices; overall index: mean "
                "of the factor indices."
            ),
        ),
        (
            _("Weighting"),
            _(
                "Post-stratified to the dossiers handled per agency and service "
                "field (weight = dossiers ÷ responses in the cell)."
            )
            if weighting["counted"]
            else _("No dossier counts for the year: every weight is 1."),
        ),
        (
            _("Weighting cells and strata"),
            _(
                "%(cells)s cells, %(strata)s strata after pooling small cells",
                cells=weighting["cells"],
                strata=weighting["strata"],
            ),
        ),
        *((_("Weighting note"), note) for note in weighting["notes"]),
        (
            _("Standard errors"),
            _("Design-based, Taylor linearisation, strata = weighting cells."),
        ),
        (
            _("Interval method"),
            _(
                "%(method)s, confidence level %(level)s",
                method=INTERVAL_NAMES.get(report.method, report.method),
                level=percent(report.level, 0),
            ),
        ),
        (
            _("Reliability (NCHS 2017)"),
            _(
                "Suppress when fewer than 30 responses or effective sample size "
                "below 30, or the interval is 30 points wide or more; review when "
                "the relative width is large, the degrees of freedom are below 8 "
                "or a share is 0 or 1."
            ),
        ),
        (
            _("Rank intervals"),
            _(
                "Joint rank intervals (Klein, Wright & Wieczorek 2020) within each "
                "tree level; suppressed units and units without data are not "
                "ranked."
            ),
        ),
        (_("Application version"), report.app_version),
    ]
    return Table(
        _("Method"),
        [Column(_("Item"), width=34), Column(_("Value"), width=110)],
        [[label, text] for label, text in lines],
    )


def workbook_tables(report: Report) -> list[Table]:
    """The sheets of the XLSX file, in order: rankings, factors, criteria, method."""
    return [
        *(ranking_table(report, depth) for depth in range(1, len(report.rankings) + 1)),
        result_table(report, "factor"),
        result_table(report, "criterion"),
        method_table(report),
    ]


# --- writers ------------------------------------------------------------------


def build_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook, one sheet per table."""
    book = Workbook()
    book.remove(book.active)
    for table in workbook_tables(report):
        sheet = book.create_sheet(_sheet_title(table.title))
        sheet.append([column.heading for column in table.columns])
        for row in table.rows:
            sheet.append(list(row))
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            number_format = {"share": SHARE_FORMAT, "se": SE_FORMAT}.get(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def format_csv_cell(value: Cell) -> str:
    """Full precision: floats as the shortest text that reads back exactly."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def build_csv(report: Report) -> bytes:
    """The tidy table as CSV, UTF-8 with a BOM so Excel reads Vietnamese text."""
    table = tidy_table(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.heading for column in table.columns])
    for row in table.rows:
        writer.writerow([format_csv_cell(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def render(report: Report, file_format: str) -> bytes:
    """The report in `file_format` (a key of :data:`FORMATS`)."""
    builders: dict[str, Callable[[Report], bytes]] = {
        "xlsx": build_xlsx,
        "csv": build_csv,
        "pdf": build_pdf,
    }
    return builders[file_format](report)


def file_name(report: Report, file_format: str) -> str:
    return f"sipas-{report.agency}-{report.year}-{report.questionnaire}.{file_format}"


# --- PDF ----------------------------------------------------------------------

FONT = "DejaVu"
BAR_RGB = (11, 79, 156)
THIN_RGB = (154, 168, 182)


class _ReportPdf(FPDF):
    """A4 portrait with the report's title in the footer."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)


def shown_share(value: Cell, flag: Cell = "ok") -> str:
    """A share for print: "85,3 %", or "—" when missing or suppressed."""
    if not isinstance(value, float) or flag in {flag_label(f) for f in NOT_SHOWN}:
        return "—"
    return percent(value)


def build_pdf(report: Report) -> bytes:
    """A printable report: status, overall index, factor chart, tables, method."""
    pdf = _ReportPdf(orientation="P", unit="mm", format="A4")
    pdf.footer_text = f"{report.name} · {report.year}"
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(f"{report.name} {report.year}")
    pdf.add_page()
    _pdf_title_block(pdf, report)
    _pdf_factor_chart(pdf, report)
    _pdf_factor_table(pdf, report)
    for depth in range(1, len(report.rankings) + 1):
        _pdf_ranking(pdf, ranking_table(report, depth))
    _pdf_method(pdf, report)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def _pdf_title_block(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, report.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(
        0,
        6,
        _("SIPAS-style service satisfaction — not the official SIPAS"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    facts = [
        (_("Agency code"), report.agency),
        (_("Year"), str(report.year)),
        (_("Questionnaire"), f"{report.questionnaire} — {report.questionnaire_title}"),
        (_("Responses"), str(report.response_count)),
        *status_lines(report)[:3],
    ]
    for label, text in facts:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(55, 6, label)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    overall = report.overall
    _heading(pdf, _("Overall index"))
    if overall is None or overall["estimate"] is None:
        pdf.cell(0, 6, "—", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT, "B", 22)
    pdf.cell(0, 11, shown_share(overall["estimate"], flag_label(overall["flag"])))
    pdf.ln(11)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(
        0,
        6,
        _(
            "Confidence interval (%(level)s): %(low)s – %(high)s; reliability: "
            "%(flag)s",
            level=percent(report.level, 0),
            low=percent(overall["ci_low"]),
            high=percent(overall["ci_high"]),
            flag=flag_label(overall["flag"]),
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _pdf_factor_chart(pdf: FPDF, report: Report) -> None:
    """Bars 0–100 % with interval whiskers, drawn with PDF primitives."""
    factors = [
        r
        for r in report.rows
        if r["domain"] == report.agency and r["level"] == "factor"
    ]
    if not factors:
        return
    _heading(pdf, _("Factor indices with %(level)s confidence intervals", level="95 %"))
    label_w, plot_w, row_h = 70.0, 100.0, 8.0
    if pdf.get_y() + row_h * (len(factors) + 1) > pdf.h - 20:
        pdf.add_page()
    left = pdf.l_margin + label_w
    top = pdf.get_y() + 4
    pdf.set_font(FONT, "", 7)
    pdf.set_draw_color(213, 219, 225)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot_w * tick
        pdf.line(x, top - 1, x, top + row_h * len(factors))
        pdf.text(x - 3, top - 2, f"{int(tick * 100)} %")
    for i, row in enumerate(factors):
        y = top + i * row_h
        pdf.set_font(FONT, "", 8)
        pdf.set_xy(pdf.l_margin, y + 1)
        pdf.cell(
            label_w - 2, 5, _shorten(report.labels.get(row["code"], row["code"]), 44)
        )
        estimate = row["estimate"]
        if estimate is None:
            continue
        thin = row["flag"] != "ok"
        pdf.set_fill_color(*(THIN_RGB if thin else BAR_RGB))
        pdf.rect(left, y + 1.5, plot_w * min(max(estimate, 0.0), 1.0), 4.5, style="F")
        if row["ci_low"] is not None and row["ci_high"] is not None:
            low = left + plot_w * max(row["ci_low"], 0.0)
            high = left + plot_w * min(row["ci_high"], 1.0)
            mid = y + 3.75
            pdf.set_draw_color(26, 26, 26)
            pdf.line(low, mid, high, mid)
            pdf.line(low, mid - 2, low, mid + 2)
            pdf.line(high, mid - 2, high, mid + 2)
            pdf.set_draw_color(213, 219, 225)
        pdf.set_xy(left + plot_w + 2, y + 1)
        pdf.cell(20, 5, percent(estimate))
    pdf.set_xy(pdf.l_margin, top + row_h * len(factors) + 2)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pdf_table(
    pdf: FPDF, headings: list[str], rows: list[list[str]], widths: list[float]
) -> None:
    pdf.set_font(FONT, "", 8)
    # The bar chart leaves its blue as the fill colour; tables set their own.
    pdf.set_fill_color(255, 255, 255)
    pdf.set_text_color(26, 26, 26)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4.5,
        repeat_headings=1,
        width=sum(widths),
        align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(222, 231, 241)),
        cell_fill_color=(245, 247, 250),
        cell_fill_mode="ROWS",
    ) as table:
        header = table.row()
        for heading in headings:
            header.cell(heading)
        for values in rows:
            line = table.row()
            for value in values:
                line.cell(value)


def _pdf_factor_table(pdf: FPDF, report: Report) -> None:
    """The report agency's index, factors and criteria."""
    _heading(pdf, _("Factors and criteria"))
    factors = result_table(report, "factor", [report.agency])
    criteria = result_table(report, "criterion", [report.agency])
    rows = []
    for row in factors.rows:
        rows.append(_pdf_result_cells(row))
        prefix = f"{row[3]}."
        rows.extend(
            _pdf_result_cells(c) for c in criteria.rows if str(c[3]).startswith(prefix)
        )
    headings = [
        factors.columns[4].heading + " / " + criteria.columns[4].heading,
        factors.columns[5].heading,
        _("Interval (%(level)s)", level=percent(report.level, 0)),
        factors.columns[10].heading,
        factors.columns[12].heading,
    ]
    _pdf_table(pdf, headings, rows, [84, 18, 34, 16, 28])


def _pdf_result_cells(row: list[Cell]) -> list[str]:
    flag = row[12]
    interval = "—"
    if shown_share(row[5], flag) != "—":
        interval = f"{shown_share(row[6], flag)} – {shown_share(row[7], flag)}"
    return [str(row[4]), shown_share(row[5], flag), interval, str(row[10]), str(flag)]


def _pdf_ranking(pdf: FPDF, table: Table) -> None:
    _heading(pdf, table.title)
    headings = [table.columns[i].heading for i in (7, 1, 2)] + [
        _("Interval"),
        table.columns[5].heading,
        table.columns[6].heading,
        table.columns[8].heading,
    ]
    rows = [
        [
            str(row[7]),
            str(row[1]),
            shown_share(row[2], row[8]),
            f"{shown_share(row[3], row[8])} – {shown_share(row[4], row[8])}"
            if shown_share(row[2], row[8]) != "—"
            else "—",
            str(row[5]),
            shown_share(row[6]) if row[6] is not None else "—",
            str(row[8]),
        ]
        for row in table.rows
    ]
    _pdf_table(pdf, headings, rows, [20, 56, 16, 32, 14, 16, 26])


def _pdf_method(pdf: FPDF, report: Report) -> None:
    table = method_table(report)
    _heading(pdf, table.title)
    _pdf_table(
        pdf,
        [c.heading for c in table.columns],
        [[str(cell) for cell in row] for row in table.rows],
        [50, 130],
    )
