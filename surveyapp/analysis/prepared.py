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

from surveyapp.analysis.cells import CellLayout, CellSums
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
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import CellUpdate, Questionnaire, Response, ResponseCell

log = logging.getLogger(__name__)

# Reads that saw a fold commit between their two queries are repeated.
READ_ATTEMPTS = 3


@dataclass(frozen=True)
class PreparedData:
    """Cell sums by questionnaire version, of `agency_ids` over `period`."""

    agency_ids: frozenset[int]
    period: Period
    sums: dict[int, CellSums]
    questionnaires: dict[int, Questionnaire]
    # The period's dossier counts by month, for every weighting made from it.
    dossiers: MonthlyDossiers = field(default_factory=dict)

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

    def within(self, period: Period) -> PreparedData:
        """The months of `period` (which must be whole months inside this one)."""
        span = period.month_span()
        if span is None:
            raise ValueError("only whole months can be selected from prepared data")
        return PreparedData(
            self.agency_ids,
            period,
            {
                qid: sums.select((sums.month >= span[0]) & (sums.month <= span[1]))
                for qid, sums in self.sums.items()
            },
            self.questionnaires,
            self.dossiers,
        )


def prepare(agency_ids: Iterable[int], period: Period) -> PreparedData:
    """THE read of the scored responses of `agency_ids` during `period`."""
    return _with_dossiers(_read(frozenset(agency_ids), period))


def _read(ids: frozenset[int], period: Period) -> PreparedData:
    if period.month_span() is None:
        return _from_responses(ids, period, unfolded_only=False)
    for _attempt in range(READ_ATTEMPTS):
        before = _last_update()
        try:
            stored = _stored_cells(ids, period)
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


def _stored_cells(ids: frozenset[int], period: Period) -> PreparedData:
    span = period.month_span()
    if span is None:
        raise ValueError("cells hold whole months only")
    rows = db.session.execute(
        select(ResponseCell.questionnaire_id, *CELL_CONTENTS)
        .where(
            ResponseCell.month.between(*span),
            ResponseCell.agency_id.in_(ids),
        )
        .order_by(ResponseCell.questionnaire_id)
    ).all()
    by_version: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_version.setdefault(row[0], []).append(tuple(row))
    sums, questionnaires = {}, {}
    for questionnaire_id, cells in by_version.items():
        questionnaire = questionnaire_by_id(questionnaire_id)
        layout = CellLayout.of(questionnaire)
        if any(cell[7] != layout.key for cell in cells):
            raise CellsOutOfStep(
                f"{questionnaire.code} changed since its cells were built"
            )
        columns = [np.array(column) for column in list(zip(*cells, strict=True))[:7]]
        sums[questionnaire_id] = CellSums.from_stored(
            layout,
            (columns[1], columns[2], columns[3]),
            (columns[4], columns[5], columns[6]),
            [cell[8] for cell in cells],
        )
        questionnaires[questionnaire_id] = questionnaire
    return PreparedData(ids, period, sums, questionnaires)


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
    questionnaires = {**stored.questionnaires, **fresh.questionnaires}
    sums = {}
    for qid, questionnaire in questionnaires.items():
        parts = [p for p in (stored.sums.get(qid), fresh.sums.get(qid)) if p]
        sums[qid] = (
            parts[0]
            if len(parts) == 1
            else CellSums.combine(CellLayout.of(questionnaire), parts)
        )
    return PreparedData(stored.agency_ids, stored.period, sums, questionnaires)
