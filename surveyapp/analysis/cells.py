"""Scored responses summed per (service point, service field, local month).

THE intermediate form of every estimate the app shows: the stored response cells
(:class:`~surveyapp.models.ResponseCell`) and the responses not yet folded into
them are both read as :class:`CellSums`, added up, weighted and estimated with
:func:`surveyapp.scoring.estimate_totals`. Summing first loses nothing: within a
weighting cell every response has the same weight
(:mod:`surveyapp.scoring.totals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from surveyapp.models import Questionnaire
from surveyapp.scoring import CellTotals

IntArray = NDArray[np.int64]
# QĐ 766: a rated dossier is dissatisfied when a factor's mean is below this.
DISSATISFIED_BELOW = 3
# Cells are stored as little-endian int32: a cell is one month of one field at
# one service point, far below 2**31 responses.
STORED_INT = np.dtype("<i4")


@dataclass(frozen=True, eq=False)
class CellLayout:
    """A questionnaire's criteria in column order, as cells store them."""

    criterion_ids: tuple[int, ...]
    columns: tuple[str, ...]
    factor_of_column: IntArray

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> CellLayout:
        """Columns named F<factor>.<item> by position, in questionnaire order."""
        ids, columns, factors = [], [], []
        for f, factor in enumerate(questionnaire.factors):
            for criterion in factor.criteria:
                ids.append(criterion.id)
                columns.append(f"F{factor.position}.{criterion.position}")
                factors.append(f)
        return cls(tuple(ids), tuple(columns), np.array(factors, dtype=np.int64))

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

    ``agency_id``, ``field_id``, ``month`` (YYYYMM; 0 once months are summed)
    int64 (G,) key each cell; ``receipt`` and ``receipt_dissatisfied`` (G,)
    count its QĐ 766 ratings; ``totals`` holds its sums as
    :class:`~surveyapp.scoring.CellTotals` whose leaf i is cell i (unit
    weight, one stratum), criteria in the layout's column names.
    """

    layout: CellLayout
    agency_id: IntArray
    field_id: IntArray
    month: IntArray
    receipt: IntArray
    receipt_dissatisfied: IntArray
    totals: CellTotals | None

    def __len__(self) -> int:
        return int(self.agency_id.size)

    @property
    def n(self) -> IntArray:
        return self.totals.n if self.totals is not None else _no_ints()

    @property
    def n_responses(self) -> int:
        return int(self.n.sum())

    @classmethod
    def empty(cls, layout: CellLayout) -> CellSums:
        none = _no_ints()
        return cls(layout, none, none, none, none, none, None)

    @classmethod
    def from_answers(
        cls,
        layout: CellLayout,
        keys: tuple[IntArray, IntArray, IntArray],
        receipt: NDArray[np.bool_],
        answers: NDArray[np.int8],
    ) -> CellSums:
        """Sum n responses, keyed (agency id, field id, month) each, into cells."""
        if not len(answers):
            return cls.empty(layout)
        cell_keys, cell = _group(keys)
        ones = np.ones(len(answers))
        totals = CellTotals.from_responses(
            answers, layout.columns, ones, np.zeros(len(answers), np.int64), cell
        )
        n_cells = len(cell_keys[0])
        return cls(
            layout,
            *cell_keys,
            receipt=_summed(cell, n_cells, receipt),
            receipt_dissatisfied=_summed(
                cell, n_cells, receipt & dissatisfied(answers, layout)
            ),
            totals=totals,
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
        packed = np.frombuffer(b"".join(blobs), dtype=STORED_INT)
        packed = packed.reshape(len(blobs), 3 * c + 3 * c * c).astype(np.int64)
        vectors = packed[:, : 3 * c].reshape(-1, 3, c)
        squares = packed[:, 3 * c :].reshape(-1, 3, c, c)
        n, receipt, receipt_dissatisfied = counts
        totals = CellTotals.from_arrays(
            layout.columns,
            np.arange(len(blobs)),
            np.zeros(len(blobs), np.int64),
            np.ones(len(blobs)),
            n,
            *(vectors[:, i] for i in range(3)),
            *(squares[:, i] for i in range(3)),
        )
        return cls(layout, *keys, receipt, receipt_dissatisfied, totals)

    def packed(self) -> list[bytes]:
        """Each cell's sums as stored (see :class:`~surveyapp.models.ResponseCell`)."""
        totals = self.totals
        if totals is None:
            return []
        order = self._stored_order
        parts = [
            totals.answered[:, order],
            totals.satisfied[:, order],
            totals.answer_sum[:, order],
            *(
                square[:, order[:, None], order[None, :]].reshape(len(self), -1)
                for square in (totals.xx, totals.yx, totals.yy)
            ),
        ]
        table = np.concatenate(parts, axis=1)
        if table.size and table.max() > np.iinfo(STORED_INT).max:
            raise OverflowError("a cell's sums do not fit the stored integers")
        return [row.tobytes() for row in table.astype(STORED_INT)]

    @cached_property
    def _stored_order(self) -> IntArray:
        """Layout column j sits at this position of the totals' criteria."""
        if self.totals is None:
            return _no_ints()
        position = {code: i for i, code in enumerate(self.totals.criterion_codes)}
        return np.array([position[code] for code in self.layout.columns], np.int64)

    def select(self, keep: NDArray[np.bool_]) -> CellSums:
        """The cells where `keep` is true."""
        if self.totals is None or keep.all():
            return self
        if not keep.any():
            return CellSums.empty(self.layout)
        t = self.totals
        kept = np.flatnonzero(keep)
        totals = CellTotals.from_arrays(
            t.criterion_codes,
            np.arange(kept.size),
            np.zeros(kept.size, np.int64),
            np.ones(kept.size),
            t.n[kept],
            *(getattr(t, name)[kept] for name in _SUMS),
        )
        return CellSums(
            self.layout,
            self.agency_id[kept],
            self.field_id[kept],
            self.month[kept],
            self.receipt[kept],
            self.receipt_dissatisfied[kept],
            totals,
        )

    def estimable(
        self,
        leaf_labels: Sequence[str],
        strata: Sequence[str],
        weights: NDArray[np.float64],
    ) -> CellTotals:
        """The sums as the scoring library estimates them: each cell in its leaf
        domain and stratum, every one of its responses at its weight."""
        t = self.totals
        if t is None:
            raise ValueError("there are no responses to estimate")
        return CellTotals.from_arrays(
            t.criterion_codes,
            np.asarray(leaf_labels, dtype=object),
            np.asarray(strata, dtype=object),
            weights,
            t.n,
            *(getattr(t, name) for name in _SUMS),
        )

    @classmethod
    def concatenated(cls, layout: CellLayout, parts: Sequence[CellSums]) -> CellSums:
        """The cells of every part, one after the other (no summing)."""
        return cls._joined(layout, [part for part in parts if part.totals is not None])

    @classmethod
    def _joined(cls, layout: CellLayout, parts: list[CellSums]) -> CellSums:
        if not parts:
            return cls.empty(layout)
        stacked = [part.totals for part in parts if part.totals is not None]
        size = sum(len(part) for part in parts)
        totals = CellTotals.from_arrays(
            stacked[0].criterion_codes,
            np.arange(size),
            np.zeros(size, np.int64),
            np.ones(size),
            np.concatenate([t.n for t in stacked]),
            *(np.concatenate([getattr(t, name) for t in stacked]) for name in _SUMS),
        )

        def stacked_keys(name: str) -> IntArray:
            return np.concatenate([getattr(part, name) for part in parts])

        return cls(
            layout,
            agency_id=stacked_keys("agency_id"),
            field_id=stacked_keys("field_id"),
            month=stacked_keys("month"),
            receipt=stacked_keys("receipt"),
            receipt_dissatisfied=stacked_keys("receipt_dissatisfied"),
            totals=totals,
        )

    @classmethod
    def combine(
        cls, layout: CellLayout, parts: Sequence[CellSums], by_month: bool = True
    ) -> CellSums:
        """Add up cells of equal key (`by_month` False: of equal agency and field)."""
        joined = cls._joined(
            layout, [part for part in parts if part.totals is not None]
        )
        if joined.totals is None:
            return joined
        month = joined.month if by_month else np.zeros_like(joined.month)
        cell_keys, cell = _group((joined.agency_id, joined.field_id, month))
        n_cells = len(cell_keys[0])
        t = joined.totals
        regrouped = CellTotals.from_arrays(
            t.criterion_codes,
            cell,
            np.zeros(cell.size, np.int64),
            np.ones(cell.size),
            t.n,
            *(getattr(t, name) for name in _SUMS),
        )
        return cls(
            layout,
            *cell_keys,
            receipt=_summed(cell, n_cells, joined.receipt),
            receipt_dissatisfied=_summed(cell, n_cells, joined.receipt_dissatisfied),
            totals=CellTotals.combine(regrouped),  # equal leaves add up
        )


_SUMS = ("answered", "satisfied", "answer_sum", "xx", "yx", "yy")


def _no_ints() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _summed(cell: IntArray, n_cells: int, values: NDArray[np.generic]) -> IntArray:
    return np.bincount(cell, weights=values, minlength=n_cells).astype(np.int64)


def _group(
    keys: tuple[IntArray, IntArray, IntArray],
) -> tuple[tuple[IntArray, IntArray, IntArray], IntArray]:
    """The distinct (agency, field, month) keys, sorted, and each row's cell."""
    stacked = np.stack([np.asarray(k, dtype=np.int64) for k in keys], axis=1)
    distinct, cell = np.unique(stacked, axis=0, return_inverse=True)
    return (
        (distinct[:, 0].copy(), distinct[:, 1].copy(), distinct[:, 2].copy()),
        cell.reshape(-1).astype(np.int64),
    )
