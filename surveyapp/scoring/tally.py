"""Counting responses into cells: the integer sums behind ``CellTotals``.

Rows (responses, or cells of several parts) are grouped by (leaf, stratum,
weight) and summed with ``np.bincount`` and ``np.add.reduceat``: loops run over
criteria, never over responses. Every count is exact. The checks at the end
refuse sums that no set of responses can give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.data import HIGHEST_ANSWER, SATISFIED_FROM, compact_pairs

IntArray = NDArray[np.int64]

#: Possible states of an answer: 0 not answered, 1 answered, 2 satisfied.
_STATES = 3


@dataclass(frozen=True, eq=False)
class Cells:
    """Rows grouped into cells: each row's cell (rows,), and per cell (K,)."""

    index: IntArray
    size: int
    leaf: IntArray
    stratum: IntArray
    weight: NDArray[np.float64]


def group_cells(
    leaf: IntArray, stratum: IntArray, n_strata: int, weight: NDArray[np.float64]
) -> Cells:
    """Group rows by (leaf, stratum, weight); cells sorted in that order."""
    weight_values, weight_code = np.unique(weight, return_inverse=True)
    n_weights = int(weight_values.size)
    group_keys, group = compact_pairs(leaf, stratum, n_strata)
    cell_keys, index = compact_pairs(
        group, weight_code.reshape(-1).astype(np.int64), n_weights
    )
    cell_group = group_keys[cell_keys // n_weights]
    return Cells(
        index=index,
        size=int(cell_keys.size),
        leaf=cell_group // n_strata,
        stratum=cell_group % n_strata,
        weight=weight_values[cell_keys % n_weights].astype(np.float64),
    )


def sum_by_cell(index: IntArray, size: int, values: IntArray) -> IntArray:
    """Sums of ``values`` rows (rows, ...) per cell, int64 (size, ...).

    Every cell 0..size-1 must have a row. Starts from each cell's first row
    and adds its second, third... rows: the loop runs over the most rows a
    cell has (the number of parts combined), not over cells.
    """
    order = np.argsort(index, kind="stable")
    first = np.searchsorted(index[order], np.arange(size))
    rows_per_cell = np.bincount(index, minlength=size)
    sums = values[order[first]].astype(np.int64, copy=False)
    for extra in range(1, int(rows_per_cell.max(initial=1))):
        more = np.flatnonzero(rows_per_cell > extra)
        sums[more] += values[order[first[more] + extra]]
    return sums


def answer_totals(
    answers: NDArray[np.int8], cell: IntArray, n_cells: int
) -> tuple[IntArray, IntArray, IntArray]:
    """``answered``, ``satisfied`` and ``answer_sum`` per cell, each (K, C)."""
    return totals_of_counts(answer_counts(answers, cell, n_cells))


def answer_counts(answers: NDArray[np.int8], cell: IntArray, n_cells: int) -> IntArray:
    """How many responses of each cell gave each answer 1..5 to each criterion.

    ``answers`` (n, C), 0 where unanswered; ``cell`` (n,) each row's cell.
    Returns int64 (K, 5, C); "no opinion" is the cell's responses minus the
    sum over the five answers.
    """
    n_values = HIGHEST_ANSWER + 1
    counts = np.empty((n_cells, HIGHEST_ANSWER, answers.shape[1]), dtype=np.int64)
    base = cell * n_values
    for c in range(answers.shape[1]):  # a loop over criteria, not responses
        per_value = np.bincount(base + answers[:, c], minlength=n_values * n_cells)
        counts[:, :, c] = per_value.reshape(n_cells, n_values)[:, 1:]
    return counts


def totals_of_counts(counts: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """``answered``, ``satisfied`` and ``answer_sum`` (K, C) from the counts
    (K, 5, C) of each answer 1..5."""
    answered = counts.sum(axis=1)
    satisfied = counts[:, SATISFIED_FROM - 1 :].sum(axis=1)
    answer_sum = np.einsum("kvc,v->kc", counts, np.arange(1, HIGHEST_ANSWER + 1))
    return answered, satisfied, answer_sum.astype(np.int64)


def cross_products(
    answers: NDArray[np.int8],
    cell: IntArray,
    n_cells: int,
    answered: IntArray,
    satisfied: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """``xx``, ``yx``, ``yy`` per cell, (K, C, C), from joint answer states.

    For each criterion c, one bincount counts the cell's responses in each of
    the 3 x 3 joint states (not answered, answered, satisfied) of c and every
    later criterion d. It reads only the responses whose state of c is not
    c's most common one; that row of the joint table is the cell's count of
    each state of d minus the other rows. The diagonals are ``answered`` and
    ``satisfied``.
    """
    n_criteria = answers.shape[1]
    states = np.ascontiguousarray(
        ((answers > 0).astype(np.int8) + (answers >= SATISFIED_FROM)).T
    )
    size = np.bincount(cell, minlength=n_cells)
    # (C, 3, K): responses per cell in each state of each criterion.
    marginal = np.stack([size - answered.T, (answered - satisfied).T, satisfied.T], 1)
    # Criterion-major (C, C, K) while filling, so that each write is contiguous.
    xx = np.zeros((n_criteria, n_criteria, n_cells), dtype=np.int64)
    yx = np.zeros_like(xx)
    yy = np.zeros_like(xx)
    diagonal = np.arange(n_criteria)
    xx[diagonal, diagonal] = answered.T
    yx[diagonal, diagonal] = satisfied.T
    yy[diagonal, diagonal] = satisfied.T
    for c in range(n_criteria - 1):  # a loop over criteria, not responses
        later = slice(c + 1, n_criteria)
        joint, mode = _joint_states(states, cell, n_cells, c)  # (d, s_c, s_d, K)
        first, second = (state for state in range(_STATES) if state != mode)
        joint[:, mode] = marginal[later] - joint[:, first] - joint[:, second]
        c_answered = joint[:, 1] + joint[:, 2]  # (d, s_d, K)
        xx[c, later] = xx[later, c] = c_answered[:, 1] + c_answered[:, 2]
        yx[c, later] = joint[:, 2, 1] + joint[:, 2, 2]
        yx[later, c] = c_answered[:, 2]
        yy[c, later] = yy[later, c] = joint[:, 2, 2]
    return (
        xx.transpose(2, 0, 1).copy(),
        yx.transpose(2, 0, 1).copy(),
        yy.transpose(2, 0, 1).copy(),
    )


def _joint_states(
    states: NDArray[np.int8], cell: IntArray, n_cells: int, c: int
) -> tuple[IntArray, int]:
    """Joint state counts (C - c - 1, 3, 3, K) of criterion c and each later
    one over the responses whose state of c is not its most common, and that
    state (its rows of the table are left 0).
    """
    n_later = states.shape[0] - c - 1
    mode = int(np.bincount(states[c], minlength=_STATES).argmax())
    rows = np.flatnonzero(states[c] != mode)
    block = _STATES**2 * n_cells
    base = cell[rows] + (_STATES * n_cells) * states[c, rows].astype(np.int64)
    keys = (
        base[None, :]
        + (block * np.arange(n_later, dtype=np.int64))[:, None]
        + n_cells * states[c + 1 :, rows].astype(np.int64)
    )
    counts = np.bincount(keys.ravel(), minlength=n_later * block)
    return counts.reshape(n_later, _STATES, _STATES, n_cells), mode


def merged_codes(
    parts: Sequence[tuple[tuple[str, ...], IntArray]],
) -> tuple[tuple[str, ...], IntArray]:
    """One set of labels for several (labels, codes) parts, and the codes in it."""
    if all(labels == parts[0][0] for labels, _ in parts):
        return parts[0][0], np.concatenate([codes for _, codes in parts])
    merged = sorted({label for labels, _ in parts for label in labels}, key=label_key)
    position = {label: i for i, label in enumerate(merged)}
    recoded = [
        np.array([position[label] for label in labels], dtype=np.int64)[codes]
        for labels, codes in parts  # a loop over labels, not cells
    ]
    return tuple(merged), np.concatenate(recoded)


def label_key(label: str) -> tuple[int, int, str]:
    """Integers numerically first, then text by code point (as encode_labels)."""
    try:
        number = int(label)
    except ValueError:
        return (1, 0, label)
    return (0, number, "") if str(number) == label else (1, 0, label)


def check_counts(
    n: IntArray, answered: IntArray, satisfied: IntArray, answer_sum: IntArray
) -> None:
    """Raise ``ValueError`` naming the first cell whose counts no responses give.

    Shapes: ``n`` (K,), the others (K, C).
    """
    _first_bad(n < 1, "has no responses (n < 1)")
    _first_bad(satisfied < 0, "has a negative satisfied count")
    _first_bad(satisfied > answered, "has more satisfied than answered")
    _first_bad(answered > n[:, None], "has more answered than responses")
    # Each satisfied answer is 4 or 5, each other answered one 1..3.
    _first_bad(
        (answer_sum < answered + 3 * satisfied)
        | (answer_sum > 3 * answered + 2 * satisfied),
        "has an answer sum that its answered and satisfied counts rule out",
    )


def check_cross_products(
    n: IntArray,
    answered: IntArray,
    satisfied: IntArray,
    xx: IntArray,
    yx: IntArray,
    yy: IntArray,
    chunk: int = 2048,
) -> None:
    """Raise ``ValueError`` naming the first cell whose cross-products (K, C, C)
    disagree with its counts (K, C) or no set of responses can give.

    Checked ``chunk`` cells at a time: whole-array temporaries of a national
    trend (462,000 cells) are gigabytes each, and took ten times longer.
    """
    for start in range(0, n.shape[0], chunk):
        part = slice(start, start + chunk)
        try:
            _check_cross_products(
                n[part], answered[part], satisfied[part], xx[part], yx[part], yy[part]
            )
        except _BadCell as bad:
            raise ValueError(f"cell {start + bad.cell} {bad.message}") from None


class _BadCell(Exception):
    def __init__(self, cell: int, message: str) -> None:
        super().__init__(cell, message)
        self.cell = cell
        self.message = message


def _check_cross_products(
    n: IntArray,
    answered: IntArray,
    satisfied: IntArray,
    xx: IntArray,
    yx: IntArray,
    yy: IntArray,
) -> None:
    diagonal = np.arange(answered.shape[1])
    _first_bad_cell(
        (xx[:, diagonal, diagonal] != answered)
        | (yx[:, diagonal, diagonal] != satisfied)
        | (yy[:, diagonal, diagonal] != satisfied),
        "has cross-products whose diagonal is not its answered and satisfied counts",
    )
    _first_bad_cell(
        (xx != xx.transpose(0, 2, 1)) | (yy != yy.transpose(0, 2, 1)),
        "has xx or yy not symmetric",
    )
    # y <= x for every response, and a pair of counts cannot exceed either count
    # (nor fall below what the cell's size forces).
    bad = yy < 0
    bad |= yy > yx
    bad |= yx > xx
    bad |= xx > answered[:, :, None]
    bad |= yx > satisfied[:, :, None]
    bad |= xx < answered[:, :, None] + answered[:, None, :] - n[:, None, None]
    _first_bad_cell(bad, "has cross-products that no set of responses can give")


def _first_bad_cell(bad: NDArray[np.bool_], message: str) -> None:
    if bad.any():
        raise _BadCell(int(np.argwhere(bad)[0][0]), message)


def _first_bad(bad: NDArray[np.bool_], message: str) -> None:
    if bad.any():
        cell = int(np.argwhere(bad)[0][0])
        raise ValueError(f"cell {cell} {message}")
