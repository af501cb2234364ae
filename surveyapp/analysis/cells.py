"""Scored responses summed per (service point, service field, local month).

THE intermediate form of every estimate the app shows: the stored response cells
(:class:`~surveyapp.models.ResponseCell`) and the responses not yet folded into
them are both read as :class:`CellSums`, added up, weighted and estimated with
:func:`surveyapp.scoring.estimate_totals`. Summing first loses nothing: within a
weighting cell every response has the same weight
(:mod:`surveyapp.scoring.totals`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surveyapp.analysis.rows import criterion_columns
from surveyapp.models import Questionnaire
from surveyapp.scoring import CellTotals
from surveyapp.scoring.data import HIGHEST_ANSWER
from surveyapp.scoring.tally import (
    answer_counts,
    cross_products,
    sum_by_cell,
    totals_of_counts,
)

IntArray = NDArray[np.int64]
# QĐ 766: a rated dossier is dissatisfied when a factor's mean is below this.
DISSATISFIED_BELOW = 3
# Cells are stored as little-endian int32: a cell is at most a year of one field
# at one service point, far below the 2**31 / 5 responses that would overflow.
STORED_INT = np.dtype("<i4")


def year_key(year: int) -> int:
    """The ``month`` key of a year cell, YYYY00: its months YYYY01-YYYY12 summed.

    Year cells are kept beside the month cells so that a year's scores add up
    twelve times fewer cells (a national year: 38,500 instead of 462,000).
    """
    return year * 100


def is_year_key(month: IntArray) -> NDArray[np.bool_]:
    return np.asarray(month % 100 == 0)


@dataclass(frozen=True, eq=False)
class CellLayout:
    """A questionnaire's criteria in column order, as cells store them."""

    criterion_ids: tuple[int, ...]
    columns: tuple[str, ...]
    factor_of_column: IntArray

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> CellLayout:
        """The columns of :func:`~surveyapp.analysis.rows.criterion_columns`."""
        columns = criterion_columns(questionnaire)
        factors = [
            f
            for f, factor in enumerate(questionnaire.factors)
            for _criterion in factor.criteria
        ]
        return cls(
            tuple(criterion_id for criterion_id, _ in columns),
            tuple(name for _, name in columns),
            np.array(factors, dtype=np.int64),
        )

    @property
    def key(self) -> str:
        """The layout as stored beside each cell, to detect a changed questionnaire."""
        return ",".join(str(criterion_id) for criterion_id in self.criterion_ids)

    @property
    def n_columns(self) -> int:
        return len(self.criterion_ids)


def dissatisfied(answers: NDArray[np.int8], layout: CellLayout) -> NDArray[np.bool_]:
    """THE QĐ 766 rule: some factor's mean over its answered items is below 3."""
    n_factors = int(layout.factor_of_column.max()) + 1 if layout.n_columns else 0
    membership = np.zeros((layout.n_columns, n_factors))
    membership[np.arange(layout.n_columns), layout.factor_of_column] = 1.0
    answered = (answers > 0).astype(np.float64) @ membership
    total = answers.astype(np.float64) @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        low = (answered > 0) & (total < DISSATISFIED_BELOW * answered)
    return np.asarray(low.any(axis=1), dtype=bool)


@dataclass(frozen=True, eq=False)
class CellSums:
    """G cells of one questionnaire: their keys, counts and criterion sums.

    ``agency_id``, ``field_id``, ``month`` (YYYYMM; YYYY00 for a year cell, 0
    once summed over any months)
    int64 (G,) key each cell; ``n`` counts its responses, ``receipt`` and
    ``receipt_dissatisfied`` its QĐ 766 ratings; ``vectors`` (G, 3, C) holds
    the answered, satisfied and answer-sum totals and ``squares`` (G, 3, C, C)
    the cross-products xx, yx, yy of :class:`~surveyapp.scoring.CellTotals`,
    columns in the layout's order; ``answers`` (G, 5, C) counts the answers
    1..5 of each criterion (the answer distribution). Plain arrays: cells are
    cut and summed many times per page, and validated once, when estimated.
    """

    layout: CellLayout
    agency_id: IntArray
    field_id: IntArray
    month: IntArray
    n: IntArray
    receipt: IntArray
    receipt_dissatisfied: IntArray
    vectors: IntArray
    squares: IntArray
    answers: IntArray

    def __len__(self) -> int:
        return int(self.agency_id.size)

    @property
    def n_responses(self) -> int:
        return int(self.n.sum())

    @classmethod
    def empty(cls, layout: CellLayout) -> CellSums:
        c = layout.n_columns
        none = _no_ints()
        return cls(
            layout,
            *(none,) * 6,
            vectors=np.zeros((0, 3, c), np.int64),
            squares=np.zeros((0, 3, c, c), np.int64),
            answers=np.zeros((0, HIGHEST_ANSWER, c), np.int64),
        )

    @classmethod
    def from_answers(
        cls,
        layout: CellLayout,
        keys: tuple[IntArray, IntArray, IntArray],
        receipt: NDArray[np.bool_],
        answers: NDArray[np.int8],
    ) -> CellSums:
        """Sum n responses, keyed (agency id, field id, month) each, into cells.

        ``answers`` (n, C) in the layout's column order, 0 where unanswered.
        """
        if not len(answers):
            return cls.empty(layout)
        cell_keys, cell = _group(keys)
        size = len(cell_keys[0])
        counts = answer_counts(answers, cell, size)
        answered, satisfied, answer_sum = totals_of_counts(counts)
        squares = cross_products(answers, cell, size, answered, satisfied)
        return cls(
            layout,
            *cell_keys,
            n=np.bincount(cell, minlength=size).astype(np.int64),
            receipt=_summed(cell, size, receipt),
            receipt_dissatisfied=_summed(
                cell, size, receipt & dissatisfied(answers, layout)
            ),
            vectors=np.stack([answered, satisfied, answer_sum], axis=1),
            squares=np.stack(squares, axis=1),
            answers=counts,
        )

    @classmethod
    def from_stored(
        cls,
        layout: CellLayout,
        keys: tuple[IntArray, IntArray, IntArray],
        counts: tuple[IntArray, IntArray, IntArray],
        blobs: Sequence[bytes],
    ) -> CellSums:
        """Cells as read from the table: keys, (n, receipt, dissatisfied), sums."""
        if not blobs:
            return cls.empty(layout)
        c = layout.n_columns
        stored = np.frombuffer(b"".join(blobs), dtype=STORED_INT)
        table: IntArray = stored.reshape(len(blobs), -1).astype(np.int64)
        squares_end = 3 * c + 3 * c * c
        if table.shape[1] != squares_end + HIGHEST_ANSWER * c:
            raise ValueError(f"stored cells do not hold {c} criteria")
        return cls(
            layout,
            *keys,
            *counts,
            vectors=table[:, : 3 * c].reshape(-1, 3, c),
            squares=table[:, 3 * c : squares_end].reshape(-1, 3, c, c),
            answers=table[:, squares_end:].reshape(-1, HIGHEST_ANSWER, c),
        )

    def packed(self) -> list[bytes]:
        """Each cell's sums as stored (see :class:`~surveyapp.models.ResponseCell`)."""
        table = np.concatenate(
            [
                getattr(self, name).reshape(len(self), -1)
                for name in ("vectors", "squares", "answers")
            ],
            axis=1,
        )
        if table.size and table.max() > np.iinfo(STORED_INT).max:
            raise OverflowError("a cell's sums do not fit the stored integers")
        return [row.tobytes() for row in table.astype(STORED_INT)]

    def with_year_cells(self) -> CellSums:
        """These month cells followed by the year cells they add up to."""
        if is_year_key(self.month).any():
            raise ValueError("year cells are made from month cells only")
        return CellSums.concatenated(self.layout, [self, self.as_year_cells()])

    def as_year_cells(self) -> CellSums:
        """Month cells added up into the year cells of their years."""
        years = dataclasses.replace(self, month=self.month // 100 * 100)
        return CellSums.combine(self.layout, [years])

    def in_years(self, years: Iterable[int]) -> NDArray[np.bool_]:
        """Which cells (of either kind) fall in one of `years`."""
        return np.isin(self.month // 100, np.fromiter(years, np.int64))

    def of_agencies(self, agency_ids: Iterable[int]) -> CellSums:
        """The cells of the service points `agency_ids` (e.g. a subtree)."""
        return self.select(np.isin(self.agency_id, np.fromiter(agency_ids, np.int64)))

    def select(self, keep: NDArray[np.bool_]) -> CellSums:
        """The cells where `keep` is true."""
        if keep.all():
            return self
        return CellSums(self.layout, *(getattr(self, name)[keep] for name in _ARRAYS))

    def estimable(
        self,
        leaf_labels: Sequence[str] | NDArray[np.object_],
        strata: Sequence[str] | NDArray[np.object_],
        weights: NDArray[np.float64],
    ) -> CellTotals:
        """The sums as the scoring library estimates them: each cell in its leaf
        domain and stratum, every one of its responses at its weight."""
        if not len(self):
            raise ValueError("there are no responses to estimate")
        return CellTotals.from_arrays(
            self.layout.columns,
            np.asarray(leaf_labels, dtype=object),
            np.asarray(strata, dtype=object),
            weights,
            self.n,
            *(self.vectors[:, i] for i in range(3)),
            *(self.squares[:, i] for i in range(3)),
        )

    @classmethod
    def concatenated(cls, layout: CellLayout, parts: Sequence[CellSums]) -> CellSums:
        """The cells of every part, one after the other (no summing)."""
        parts = [part for part in parts if len(part)]
        if not parts:
            return cls.empty(layout)
        if len(parts) == 1:
            return parts[0]  # no copy: a national year's months are 3 GB
        return cls(
            layout,
            *(
                np.concatenate([getattr(part, name) for part in parts])
                for name in _ARRAYS
            ),
        )

    @classmethod
    def combine(
        cls, layout: CellLayout, parts: Sequence[CellSums], by_month: bool = True
    ) -> CellSums:
        """Add up cells of equal key (`by_month` False: of equal agency and field)."""
        joined = cls.concatenated(layout, parts)
        if not len(joined):
            return joined
        month = joined.month if by_month else np.zeros_like(joined.month)
        cell_keys, cell = _group((joined.agency_id, joined.field_id, month))
        size = len(cell_keys[0])
        if size == len(joined) and (np.diff(cell) > 0).all():
            return CellSums(layout, *cell_keys, *(getattr(joined, n) for n in _SUMMED))
        return CellSums(
            layout,
            *cell_keys,
            *(_summed_rows(cell, size, getattr(joined, name)) for name in _SUMMED),
        )


_ARRAYS = (
    "agency_id",
    "field_id",
    "month",
    "n",
    "receipt",
    "receipt_dissatisfied",
    "vectors",
    "squares",
    "answers",
)
_SUMMED = _ARRAYS[3:]


def _no_ints() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _summed(cell: IntArray, n_cells: int, values: NDArray[np.generic]) -> IntArray:
    return np.bincount(cell, weights=values, minlength=n_cells).astype(np.int64)


def _summed_rows(cell: IntArray, n_cells: int, values: IntArray) -> IntArray:
    """Rows of `values` added up per cell (exact: integer addition)."""
    return sum_by_cell(cell, n_cells, values)


def _group(
    keys: tuple[IntArray, IntArray, IntArray],
) -> tuple[tuple[IntArray, IntArray, IntArray], IntArray]:
    """The distinct (agency, field, month) keys, sorted, and each row's cell.

    The three ids are packed into one int64 (26, 17 and 20 bits) so that one
    1-D sort finds the cells; np.unique over rows is many times slower.
    """
    agency, field, month = (np.asarray(k, dtype=np.int64) for k in keys)
    for name, values, bits in (
        ("agency", agency, 26),
        ("field", field, 17),
        ("month", month, 20),
    ):
        if values.size and (values.min() < 0 or values.max() >= 1 << bits):
            raise ValueError(f"{name} ids out of range for a cell key")
    packed = (agency << 37) | (field << 20) | month
    distinct, cell = np.unique(packed, return_inverse=True)
    return (
        (
            distinct >> 37,
            (distinct >> 20) & ((1 << 17) - 1),
            distinct & ((1 << 20) - 1),
        ),
        cell.reshape(-1).astype(np.int64),
    )
