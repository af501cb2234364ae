"""Cell totals: the sufficient statistics of the estimates, kept as exact integers.

Every response of a weighting cell has the same weight, so the estimates of
:mod:`surveyapp.scoring.estimates`, their linearised variances (domains by
zero-weighting) and the degrees of freedom need only sums per cell, where a cell
is a (leaf domain, stratum, weight) group of responses: the leaf is the finest
domain (a service point), the stratum the weighting cell. With ``x_ic`` = 1 if
response i answered criterion c and ``y_ic`` = 1 if it was satisfied (answer
4 or 5), a cell k holds (C criteria):

- ``n``: responses n_k; each response is its own PSU (no clusters, no finite
  population correction), so strata sizes n_h and df are sums of n_k;
- ``answered`` X_kc = sum x_ic, ``satisfied`` Y_kc = sum y_ic: the weighted
  totals of the shares are ``w_k X_kc`` and ``w_k Y_kc``, the criterion rows'
  n and df count X_kc;
- ``answer_sum`` A_kc = sum of the answers 1..5 (0 if not answered): the mean
  score needs ``w_k (A_kc - X_kc) / 4``; it has no standard error, so no
  cross-products;
- ``xx``, ``yx``, ``yy`` (C, C): sum x_ic x_id, sum y_ic x_id, sum y_ic y_id.
  An influence value is ``z_i = w_k (a'y_i - b'x_i)`` inside a cell, so the
  cell's sum of squared deviations is ``w_k^2 / n_k v'(n_k G_k - U_k U_k')v``
  with ``v = (a, -b)``, G_k the cross-products and U_k = (Y_k, X_k): that is
  the within-cell part of the variance (:mod:`surveyapp.scoring.within`).

Every count is additive: the totals of a year are the sums of its months' cells
with the same (leaf, stratum, weight) (:meth:`CellTotals.combine`), and the
totals of any set of leaves are the sums of their cells. A cell may even be
split: the estimates do not change, only K grows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from surveyapp.scoring.data import (
    SurveyData,
    answers_as_int8,
    criterion_layout,
    encode_labels,
)
from surveyapp.scoring.domains import WHOLE_SAMPLE, DomainSpec
from surveyapp.scoring.tally import (
    answer_totals,
    check_counts,
    check_cross_products,
    cross_products,
    group_cells,
    merged_codes,
    sum_by_cell,
)

IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class CellTotals:
    """Exact integer totals of K cells of responses; see the module docstring.

    Shapes (K cells, C criteria): ``leaf`` and ``stratum`` int64 (K,), codes
    into ``leaf_labels`` and ``stratum_labels``; ``weight`` float64 (K,), the
    weight of each of the cell's responses (finite, positive); ``n`` int64 (K,)
    at least 1; ``answered``, ``satisfied``, ``answer_sum`` int64 (K, C);
    ``xx``, ``yx``, ``yy`` int64 (K, C, C). Criteria are in numerical order
    (``criterion_codes``), as in :class:`SurveyData`.

    Build it with :meth:`from_data`, :meth:`from_responses`, :meth:`from_arrays`
    or :meth:`combine`; each validates (``ValueError`` naming the first bad
    cell).
    """

    criterion_codes: tuple[str, ...]
    factor_codes: tuple[str, ...]
    factor_of_criterion: IntArray
    leaf: IntArray
    leaf_labels: tuple[str, ...]
    stratum: IntArray
    stratum_labels: tuple[str, ...]
    weight: NDArray[np.float64]
    n: IntArray
    answered: IntArray
    satisfied: IntArray
    answer_sum: IntArray
    xx: IntArray
    yx: IntArray
    yy: IntArray

    def __post_init__(self) -> None:
        _check_shapes(self)
        _check_labels(self)
        check_counts(self.n, self.answered, self.satisfied, self.answer_sum)
        check_cross_products(
            self.n, self.answered, self.satisfied, self.xx, self.yx, self.yy
        )

    @property
    def n_cells(self) -> int:
        """Number of cells K."""
        return int(self.n.size)

    @property
    def n_criteria(self) -> int:
        """Number of criteria C."""
        return len(self.criterion_codes)

    @property
    def n_responses(self) -> int:
        """Number of responses, the sum of ``n``."""
        return int(self.n.sum())

    def cell_leaves(self) -> NDArray[np.object_]:
        """The leaf label of each cell, object array of str (K,)."""
        return np.asarray(self.leaf_labels, dtype=object)[self.leaf]

    def leaf_domains(
        self,
        parent_of: Mapping[str, str | None] | None = None,
        *,
        include_all: bool = True,
        all_name: str = WHOLE_SAMPLE,
    ) -> DomainSpec:
        """Domains over the cells: the leaves, their ancestors, the whole sample.

        Without ``parent_of``, one domain per leaf in the order of
        ``leaf_labels`` (:meth:`DomainSpec.from_labels` on the responses' leaf
        labels gives the same), then ``all_name``; with it,
        :meth:`DomainSpec.from_tree` on the cells' leaves.
        """
        if parent_of is not None:
            return DomainSpec.from_tree(
                self.cell_leaves(),
                parent_of,
                include_all=include_all,
                all_name=all_name,
            )
        cells = np.arange(self.n_cells, dtype=np.int64)
        if not include_all:
            return DomainSpec(self.leaf_labels, cells, self.leaf.copy())
        if all_name in self.leaf_labels:
            raise ValueError(f"a leaf is named {all_name!r}, the whole-sample name")
        return DomainSpec(
            names=(*self.leaf_labels, all_name),
            member_response=np.concatenate([cells, cells]),
            member_domain=np.concatenate(
                [self.leaf, np.full(self.n_cells, len(self.leaf_labels), np.int64)]
            ),
        )

    @classmethod
    def from_arrays(
        cls,
        criterion_codes: Sequence[str],
        leaf: ArrayLike,
        stratum: ArrayLike,
        weight: ArrayLike,
        n: ArrayLike,
        answered: ArrayLike,
        satisfied: ArrayLike,
        answer_sum: ArrayLike,
        xx: ArrayLike,
        yx: ArrayLike,
        yy: ArrayLike,
    ) -> CellTotals:
        """Validate pre-summed rows (e.g. from SQL), one row per cell.

        ``leaf`` and ``stratum`` (K,) are labels of any kind; counts are whole
        numbers (integer arrays, or floats without a fraction). Columns (and
        both axes of the cross-products) are put in numerical criterion order.
        Rows need not be distinct cells: equal (leaf, stratum, weight) rows
        give the same estimates as their sum. Raises ``ValueError``.
        """
        layout = criterion_layout(criterion_codes)
        order = np.asarray(layout.order, dtype=np.int64)
        leaf_codes, leaf_labels = encode_labels(leaf)
        stratum_codes, stratum_labels = encode_labels(stratum)
        columns = {
            name: _whole_numbers(name, value)
            for name, value in (
                ("answered", answered),
                ("satisfied", satisfied),
                ("answer_sum", answer_sum),
            )
        }
        squares = {
            name: _whole_numbers(name, value)
            for name, value in (("xx", xx), ("yx", yx), ("yy", yy))
        }
        for name, array in (*columns.items(), *squares.items()):
            if array.ndim < 2 or array.shape[-1] != order.size:
                raise ValueError(
                    f"{name} must have one column per criterion ({order.size}), "
                    f"not shape {array.shape}"
                )
        return cls(
            criterion_codes=layout.criterion_codes,
            factor_codes=layout.factor_codes,
            factor_of_criterion=layout.factor_of_criterion,
            leaf=leaf_codes,
            leaf_labels=leaf_labels,
            stratum=stratum_codes,
            stratum_labels=stratum_labels,
            weight=np.asarray(weight, dtype=np.float64),
            n=_whole_numbers("n", n),
            **{name: array[:, order] for name, array in columns.items()},
            **{name: _square_in_order(array, order) for name, array in squares.items()},
        )

    @classmethod
    def from_data(cls, data: SurveyData, leaf_labels: ArrayLike) -> CellTotals:
        """Sum the responses of ``data`` into cells by (leaf, stratum, weight).

        ``leaf_labels`` (n,): each response's leaf domain (any labels). Raises
        ``ValueError`` for clustered designs or a finite population correction,
        which cell totals cannot express.
        """
        if data.psu is not None or data.fpc is not None:
            raise ValueError(
                "cell totals need each response to be its own PSU without a finite "
                "population correction; estimate clustered or fpc designs from "
                "the responses"
            )
        return cls._summed(
            data.criterion_codes,
            data.answers,
            data.weights,
            (data.strata, data.stratum_labels),
            leaf_labels,
        )

    @classmethod
    def from_responses(
        cls,
        answers: ArrayLike,
        criterion_codes: Sequence[str],
        weights: ArrayLike,
        strata: ArrayLike,
        leaf_labels: ArrayLike,
    ) -> CellTotals:
        """:meth:`from_data` for a part of a survey, such as one month.

        Arguments as in :meth:`SurveyData.from_arrays` (n responses, 0 or NaN
        for not answered), without its rule that a stratum holds two
        responses: a month may have one, and only sums of parts are estimated.
        Raises ``ValueError``.
        """
        layout = criterion_layout(criterion_codes)
        answer_array = answers_as_int8(answers, len(layout.order))
        answer_array = np.ascontiguousarray(answer_array[:, list(layout.order)])
        n = answer_array.shape[0]
        weight_array = np.asarray(weights, dtype=np.float64)
        stratum_codes, stratum_labels = encode_labels(strata)
        if weight_array.shape != (n,) or stratum_codes.shape != (n,):
            raise ValueError(
                f"weights and strata must have one entry per response ({n})"
            )
        return cls._summed(
            layout.criterion_codes,
            answer_array,
            weight_array,
            (stratum_codes, stratum_labels),
            leaf_labels,
        )

    @classmethod
    def _summed(
        cls,
        criterion_codes: tuple[str, ...],
        answers: NDArray[np.int8],
        weights: NDArray[np.float64],
        strata: tuple[IntArray, tuple[str, ...]],
        leaf_labels: ArrayLike,
    ) -> CellTotals:
        """Group rows (n,) by (leaf, stratum, weight) and sum them; criteria
        already in numerical order, strata as (codes, labels)."""
        leaf_codes, leaf_names = encode_labels(leaf_labels)
        if leaf_codes.shape != (answers.shape[0],):
            raise ValueError(
                f"leaf_labels must have one label per response ({answers.shape[0]})"
            )
        stratum_codes, stratum_labels = strata
        cells = group_cells(leaf_codes, stratum_codes, len(stratum_labels), weights)
        answered, satisfied, answer_sum = answer_totals(
            answers, cells.index, cells.size
        )
        xx, yx, yy = cross_products(
            answers, cells.index, cells.size, answered, satisfied
        )
        layout = criterion_layout(criterion_codes)
        return cls(
            criterion_codes=layout.criterion_codes,
            factor_codes=layout.factor_codes,
            factor_of_criterion=layout.factor_of_criterion,
            leaf=cells.leaf,
            leaf_labels=leaf_names,
            stratum=cells.stratum,
            stratum_labels=stratum_labels,
            weight=cells.weight,
            n=np.bincount(cells.index, minlength=cells.size).astype(np.int64),
            answered=answered,
            satisfied=satisfied,
            answer_sum=answer_sum,
            xx=xx,
            yx=yx,
            yy=yy,
        )

    @classmethod
    def combine(cls, *parts: CellTotals) -> CellTotals:
        """Add up totals (e.g. months into a year), cell by cell.

        Cells of equal (leaf label, stratum label, weight) are summed; the
        others are kept. Every part must have the same criteria. Labels are
        merged in sorted order (numerical when all are integers).
        """
        if not parts:
            raise ValueError("there are no cell totals to combine")
        first = parts[0]
        if any(part.criterion_codes != first.criterion_codes for part in parts):
            raise ValueError("cell totals with different criteria cannot be combined")
        leaf_labels, leaf = merged_codes([(p.leaf_labels, p.leaf) for p in parts])
        stratum_labels, stratum = merged_codes(
            [(p.stratum_labels, p.stratum) for p in parts]
        )
        weight = np.concatenate([part.weight for part in parts])
        cells = group_cells(leaf, stratum, len(stratum_labels), weight)

        def summed(name: str) -> IntArray:
            stacked = np.concatenate([getattr(part, name) for part in parts])
            return sum_by_cell(cells.index, cells.size, stacked)

        return cls(
            criterion_codes=first.criterion_codes,
            factor_codes=first.factor_codes,
            factor_of_criterion=first.factor_of_criterion,
            leaf=cells.leaf,
            leaf_labels=leaf_labels,
            stratum=cells.stratum,
            stratum_labels=stratum_labels,
            weight=cells.weight,
            **{
                name: summed(name)
                for name in (
                    "n",
                    "answered",
                    "satisfied",
                    "answer_sum",
                    "xx",
                    "yx",
                    "yy",
                )
            },
        )


def _whole_numbers(name: str, value: ArrayLike) -> IntArray:
    array = np.asarray(value)
    if np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_:
        # No copy of int64 input: a national trend's cross-products are 3 GB.
        return array.astype(np.int64, copy=False)
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all() or (array != np.round(array)).any():
            raise ValueError(f"{name} must hold whole numbers")
        return array.astype(np.int64)
    raise ValueError(f"{name} must hold whole numbers, not {array.dtype}")


def _square_in_order(array: IntArray, order: IntArray) -> IntArray:
    if array.ndim != 3 or array.shape[1:] != (order.size, order.size):
        raise ValueError(
            f"cross-products must have shape (K, {order.size}, {order.size}), "
            f"not {array.shape}"
        )
    if (order == np.arange(order.size)).all():
        return array
    return array[:, order[:, None], order[None, :]]


def _check_shapes(totals: CellTotals) -> None:
    n_cells, n_criteria = totals.n.shape[0], totals.n_criteria
    expected = {
        "leaf": (n_cells,),
        "stratum": (n_cells,),
        "weight": (n_cells,),
        "n": (n_cells,),
        "answered": (n_cells, n_criteria),
        "satisfied": (n_cells, n_criteria),
        "answer_sum": (n_cells, n_criteria),
        "xx": (n_cells, n_criteria, n_criteria),
        "yx": (n_cells, n_criteria, n_criteria),
        "yy": (n_cells, n_criteria, n_criteria),
        "factor_of_criterion": (n_criteria,),
    }
    for name, shape in expected.items():
        actual = getattr(totals, name).shape
        if actual != shape:
            raise ValueError(f"{name} must have shape {shape}, not {actual}")
    if n_criteria == 0:
        raise ValueError("cell totals need at least one criterion")


def _check_labels(totals: CellTotals) -> None:
    for name, codes, labels in (
        ("leaf", totals.leaf, totals.leaf_labels),
        ("stratum", totals.stratum, totals.stratum_labels),
    ):
        if len(set(labels)) != len(labels):
            raise ValueError(f"{name} labels must be distinct")
        if codes.size and (codes.min() < 0 or codes.max() >= len(labels)):
            raise ValueError(f"{name} codes must index the {name} labels")
    finite_positive = np.isfinite(totals.weight) & (totals.weight > 0)
    if not finite_positive.all():
        cell = int(np.argmin(finite_positive))
        raise ValueError(
            f"weight {totals.weight[cell]!r} of cell {cell} is not a positive number"
        )
