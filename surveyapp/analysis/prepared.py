"""THE data of a page or a report: the cell sums of a subtree and period, read once.

Read from the stored response cells plus the scored responses not yet folded
into them, for every questionnaire version at once; a period that is not whole
months is summed from the responses themselves. Scores, trend, rankings,
response rates and QĐ 766 are all computed from one :class:`PreparedData`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select

from surveyapp.analysis.cells import CellLayout, CellSums, is_year_key, year_key
from surveyapp.analysis.folding import (
    CELL_CONTENTS,
    CellsOutOfStep,
    questionnaire_by_id,
    row_sums,
    unfolded,
)
from surveyapp.analysis.rows import load_rows_where
from surveyapp.analysis.selection import scored_responses
from surveyapp.analysis.weighting import MonthlyDossiers, monthly_dossiers
from surveyapp.core.time import Period, shift_month
from surveyapp.extensions import db
from surveyapp.models import CellUpdate, Questionnaire, Response, ResponseCell

log = logging.getLogger(__name__)

# Reads that saw a fold commit between their two queries are repeated.
READ_ATTEMPTS = 3


@dataclass(frozen=True)
class PreparedData:
    """Cell sums by questionnaire version, of `agency_ids` over `period`.

    ``sums`` counts every response once: in year cells for the calendar years
    of ``whole_years`` (which the period covers entirely), in month cells
    otherwise. ``year_months`` holds month cells of those years as well, for
    the months (YYYYMM) of ``months_read``: those a trend needs.
    """

    agency_ids: frozenset[int]
    period: Period
    sums: dict[int, CellSums]
    questionnaires: dict[int, Questionnaire]
    # The period's dossier counts by month, for every weighting made from it.
    dossiers: MonthlyDossiers = field(default_factory=dict)
    whole_years: frozenset[int] = frozenset()
    year_months: dict[int, CellSums] = field(default_factory=dict)
    months_read: frozenset[int] = frozenset()

    def of(self, questionnaire: Questionnaire) -> CellSums:
        """The cells of one version (empty when it has no responses here)."""
        found = self.sums.get(questionnaire.id)
        return (
            found if found is not None else CellSums.empty(CellLayout.of(questionnaire))
        )

    def in_use(
        self, agency_ids: Iterable[int] | None = None
    ) -> list[tuple[Questionnaire, int]]:
        """Versions with responses (in `agency_ids`), most responses first."""
        chosen = None if agency_ids is None else np.array(sorted(agency_ids))
        counts = []
        for questionnaire_id, sums in self.sums.items():
            n = sums.n
            if chosen is not None:
                n = n[np.isin(sums.agency_id, chosen)]
            if n.sum():
                counts.append((self.questionnaires[questionnaire_id], int(n.sum())))
        return sorted(counts, key=lambda pair: (-pair[1], pair[0].id))

    def within(self, period: Period, by_month: bool = False) -> PreparedData:
        """The months of `period` (which must be whole months inside this one),
        its whole calendar years as year cells where held here, unless
        `by_month`."""
        span = period.month_span()
        if span is None:
            raise ValueError("only whole months can be selected from prepared data")
        years = frozenset() if by_month else self.whole_years & years_covered(span)
        split = self.whole_years - years
        needed = {m for m in _months(span) if m // 100 in split}
        if not needed <= self.months_read:
            raise ValueError(
                f"the months {sorted(needed - self.months_read)} were not read"
            )
        sums, year_months = {}, {}
        for qid, cells in self.sums.items():
            month = cells.month
            keep = (month >= span[0]) & (month <= span[1]) & ~is_year_key(month)
            keep |= is_year_key(month) & cells.in_years(years)
            parts = [cells.select(keep)]
            months = self.year_months.get(qid)
            if months is not None:
                inside = (months.month >= span[0]) & (months.month <= span[1])
                parts.append(months.select(inside & months.in_years(split)))
                year_months[qid] = months.select(months.in_years(years))
            sums[qid] = CellSums.concatenated(cells.layout, parts)
        return PreparedData(
            self.agency_ids,
            period,
            sums,
            self.questionnaires,
            self.dossiers,
            years,
            year_months,
            frozenset(m for m in self.months_read if m // 100 in years),
        )


def years_covered(span: tuple[int, int]) -> frozenset[int]:
    """The calendar years whose twelve months all lie in the YYYYMM `span`."""
    first = span[0] // 100 + (span[0] % 100 != 1)
    last = span[1] // 100 - (span[1] % 100 != 12)
    return frozenset(range(first, last + 1))


def _touches(year: int, span: tuple[int, int]) -> bool:
    return span[0] <= year * 100 + 12 and year * 100 + 1 <= span[1]


def prepare(
    agency_ids: Iterable[int], period: Period, months: Period | None = None
) -> PreparedData:
    """THE read of the scored responses of `agency_ids` during `period`.

    Whole calendar years are read as year cells; the months of `months` (whole
    months inside `period`: a trend's) as month cells as well.
    """
    return _with_dossiers(_read(frozenset(agency_ids), period, months))


def _read(ids: frozenset[int], period: Period, months: Period | None) -> PreparedData:
    if period.month_span() is None:
        return _from_responses(ids, period, unfolded_only=False)
    for _attempt in range(READ_ATTEMPTS):
        before = _last_update()
        try:
            stored = _stored_cells(ids, period, months)
        except CellsOutOfStep as error:
            log.warning("reading responses instead of cells: %s", error)
            return _from_responses(ids, period, unfolded_only=False)
        fresh = _from_responses(ids, period, unfolded_only=True)
        if _last_update() == before:
            return _merged(stored, fresh)
    return _from_responses(ids, period, unfolded_only=False)


def prepare_from_responses(agency_ids: Iterable[int], period: Period) -> PreparedData:
    """:func:`prepare` from the responses alone, never the cells (finalisation)."""
    return _with_dossiers(
        _from_responses(frozenset(agency_ids), period, unfolded_only=False)
    )


def _with_dossiers(data: PreparedData) -> PreparedData:
    """The period's dossier counts, read once for every weighting made from it."""
    dossiers = monthly_dossiers(data.period.start, data.period.end)
    return dataclasses.replace(data, dossiers=dossiers)


def _last_update() -> int:
    return db.session.scalar(select(func.max(CellUpdate.id))) or 0


def _stored_cells(
    ids: frozenset[int], period: Period, window: Period | None
) -> PreparedData:
    span = period.month_span()
    if span is None:
        raise ValueError("cells hold whole months only")
    years = years_covered(span)
    window_span = window.month_span() if window else None
    wanted = _months(window_span) if window_span else []
    months_read = frozenset(m for m in wanted if m // 100 in years)
    months = [m for m in _months(span) if m // 100 not in years]
    keys = months + sorted(months_read) + [year_key(y) for y in sorted(years)]
    rows = db.session.execute(
        select(ResponseCell.questionnaire_id, *CELL_CONTENTS)
        .where(
            ResponseCell.month.in_(keys),
            ResponseCell.agency_id.in_(ids),
        )
        .order_by(ResponseCell.questionnaire_id)
    ).all()
    by_version: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_version.setdefault(row[0], []).append(tuple(row))
    sums, year_months, questionnaires = {}, {}, {}
    for questionnaire_id, cells in by_version.items():
        questionnaire = questionnaire_by_id(questionnaire_id)
        both = _stored_sums(questionnaire, cells)
        split = ~is_year_key(both.month) & both.in_years(years)
        sums[questionnaire_id] = both.select(~split)
        year_months[questionnaire_id] = both.select(split)
        questionnaires[questionnaire_id] = questionnaire
    return PreparedData(
        ids, period, sums, questionnaires, {}, years, year_months, months_read
    )


def _months(span: tuple[int, int]) -> list[int]:
    """Every YYYYMM from span[0] to span[1]."""
    year, month = divmod(span[0], 100)
    found = []
    while year * 100 + month <= span[1]:
        found.append(year * 100 + month)
        year, month = shift_month(year, month, 1)
    return found


def _stored_sums(
    questionnaire: Questionnaire, cells: list[tuple[Any, ...]]
) -> CellSums:
    layout = CellLayout.of(questionnaire)
    if any(cell[7] != layout.key for cell in cells):
        raise CellsOutOfStep(f"{questionnaire.code} changed since its cells were built")
    columns = [np.array(column) for column in list(zip(*cells, strict=True))[:7]]
    return CellSums.from_stored(
        layout,
        (columns[1], columns[2], columns[3]),
        (columns[4], columns[5], columns[6]),
        [cell[8] for cell in cells],
    )


def _from_responses(
    ids: frozenset[int], period: Period, *, unfolded_only: bool
) -> PreparedData:
    chosen = list(scored_responses(set(ids), period))
    if unfolded_only:
        chosen.append(unfolded())
    versions = db.session.scalars(
        select(Response.questionnaire_id).where(*chosen).distinct()
    ).all()
    sums, questionnaires = {}, {}
    for questionnaire_id in versions:
        questionnaire = questionnaire_by_id(questionnaire_id)
        rows = load_rows_where(questionnaire, chosen)
        sums[questionnaire_id] = row_sums(rows, CellLayout.of(questionnaire))
        questionnaires[questionnaire_id] = questionnaire
    return PreparedData(ids, period, sums, questionnaires)


def _merged(stored: PreparedData, fresh: PreparedData) -> PreparedData:
    """The stored cells plus the unfolded responses' month cells, those of the
    whole years added to their year cells (and to the months when held)."""
    questionnaires = {**stored.questionnaires, **fresh.questionnaires}
    sums, year_months = {}, {}
    for qid, questionnaire in questionnaires.items():
        layout = CellLayout.of(questionnaire)
        new = fresh.sums.get(qid, CellSums.empty(layout))
        in_years = new.in_years(stored.whole_years)
        months, whole = new.select(~in_years), new.select(in_years)
        sums[qid] = _added(stored.sums.get(qid), months, whole.as_year_cells())
        read = whole.select(np.isin(whole.month, list(stored.months_read)))
        year_months[qid] = _added(stored.year_months.get(qid), read)
    return dataclasses.replace(
        stored,
        sums=sums,
        questionnaires=questionnaires,
        year_months=year_months,
    )


def _added(first: CellSums | None, *more: CellSums) -> CellSums:
    parts = [part for part in (first, *more) if part is not None and len(part)]
    if len(parts) == 1:
        return parts[0]
    layout = more[0].layout
    return CellSums.combine(layout, parts) if parts else CellSums.empty(layout)
