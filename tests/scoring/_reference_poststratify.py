"""The pre-numpy ``poststratify``, kept verbatim as the tests' reference.

The loops of ``surveyapp.scoring.weights`` as they were before the core was
rewritten with array operations (agency by agency, cell by cell, in dicts). The
property test in ``test_scoring_weights_reference.py`` checks that the rewrite
returns exactly what this returns. The result classes are the package's own, so
that results compare field by field.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from surveyapp.scoring.weights import (
    CellRate,
    Collapse,
    Poststratification,
    WeightingCell,
)


def reference_poststratify(
    response_agency: ArrayLike,
    response_field: ArrayLike,
    dossier_agency: ArrayLike,
    dossier_field: ArrayLike,
    dossier_count: ArrayLike,
    *,
    min_responses: int = 2,
    response_count: ArrayLike | None = None,
) -> Poststratification:
    """Weight responses to dossier counts per (agency, field) cell.

    Shapes: ``response_agency``, ``response_field`` (n,) labels of each
    response; ``dossier_agency``, ``dossier_field``, ``dossier_count`` (k,)
    one entry per cell with dossiers (counts are whole numbers >= 0). See the
    module docstring for the collapse rule and the errors raised.

    ``response_count`` (n,), whole numbers >= 1, makes each of the n entries a
    group of that many responses of the same agency and field (e.g. responses
    already summed per month): the result is the one of the expanded responses,
    one entry per group.
    """
    if min_responses < 1:
        raise ValueError("min_responses must be at least 1")
    responses = _ResponseCells.count(response_agency, response_field, response_count)
    dossiers = _dossier_table(dossier_agency, dossier_field, dossier_count)
    tables = _CellTables(min_responses)
    for agency, fields in _fields_by_agency(responses.counts, dossiers):
        tables.add_agency(
            agency,
            {
                f: (dossiers.get((agency, f), 0), responses.counts.get((agency, f), 0))
                for f in fields
            },
        )
    key_to_final = np.array(
        [tables.final_of[cell] for cell in responses.keys], dtype=np.int64
    )
    stratum = key_to_final[responses.key_of_response]
    cell_weights = np.array([cell.weight for cell in tables.cells], dtype=np.float64)
    return Poststratification(
        weights=cell_weights[stratum],
        stratum=stratum,
        cells=tuple(tables.cells),
        rates=tuple(tables.rates),
        collapsed=tuple(tables.collapsed),
        unrepresented=tuple(tables.unrepresented),
        single_response_agencies=tuple(tables.single),
    )


@dataclass(frozen=True, eq=False)
class _ResponseCells:
    """The (agency, field) cells that have responses.

    ``keys``: each distinct cell, sorted; ``key_of_response``: intp (n,) index
    into ``keys``; ``counts``: responses per cell.
    """

    keys: list[tuple[str, str]]
    key_of_response: NDArray[np.intp]
    counts: dict[tuple[str, str], int]

    @classmethod
    def count(
        cls, agency: ArrayLike, field: ArrayLike, group_size: ArrayLike | None = None
    ) -> _ResponseCells:
        agencies = np.asarray(agency).astype(str)
        fields = np.asarray(field).astype(str)
        if agencies.shape != fields.shape:
            raise ValueError("response_agency and response_field differ in length")
        sizes = None if group_size is None else _group_sizes(group_size, agencies.shape)
        # One joined string per response lets a single np.unique sort find the
        # cells; _split_key takes the separator out again.
        cell_keys = np.char.add(np.char.add(agencies, "\x1f"), fields)
        unique_keys, key_of_response = np.unique(cell_keys, return_inverse=True)
        key_of_response = key_of_response.reshape(-1)
        per_key = np.bincount(key_of_response, minlength=unique_keys.size)
        if sizes is not None:
            per_key = np.bincount(
                key_of_response, weights=sizes, minlength=unique_keys.size
            ).astype(np.int64)
        keys = [_split_key(key) for key in unique_keys.tolist()]
        counts: dict[tuple[str, str], int] = {}
        for cell, responses in zip(keys, per_key.tolist(), strict=True):
            counts[cell] = int(responses)
        return cls(keys, key_of_response, counts)


def _group_sizes(group_size: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.int64]:
    sizes = np.asarray(group_size)
    if sizes.shape != shape:
        raise ValueError("response_count must have one entry per response group")
    if sizes.size and (
        not np.issubdtype(sizes.dtype, np.number)
        or (sizes != np.round(sizes)).any()
        or sizes.min() < 1
    ):
        raise ValueError("response_count must hold whole numbers of at least 1")
    return sizes.astype(np.int64)


def _fields_by_agency(
    responses: dict[tuple[str, str], int], dossiers: dict[tuple[str, str], int]
) -> list[tuple[str, list[str]]]:
    """Each agency (sorted) with its fields (sorted) that have responses or dossiers."""
    by_agency: dict[str, set[str]] = defaultdict(set)
    for agency, field in (*responses, *dossiers):
        by_agency[agency].add(field)
    return [(agency, sorted(by_agency[agency])) for agency in sorted(by_agency)]


class _CellTables:
    """The final cells and the reports, filled agency by agency in sorted order."""

    def __init__(self, min_responses: int) -> None:
        self.min_responses = min_responses
        self.cells: list[WeightingCell] = []
        self.rates: list[CellRate] = []
        self.collapsed: list[Collapse] = []
        self.unrepresented: list[str] = []
        self.single: list[str] = []
        # (agency, field) -> index into ``cells``, the field's final cell.
        self.final_of: dict[tuple[str, str], int] = {}

    def add_agency(self, agency: str, counts: dict[str, tuple[int, int]]) -> None:
        """Add an agency's cells; ``counts``: field -> (dossiers, responses)."""
        for field, (d, r) in counts.items():
            self.rates.append(
                CellRate(agency, field, d, r, r / d if d else float("nan"))
            )
        agency_dossiers = sum(d for d, _ in counts.values())
        agency_responses = sum(r for _, r in counts.values())
        if agency_responses and not agency_dossiers:
            raise ValueError(
                f"agency {agency!r} has {agency_responses} responses but no dossiers: "
                "there is nothing to weight them to"
            )
        if not agency_responses:
            self.unrepresented.append(agency)
            return
        groups = _collapse(agency, counts, self.min_responses, self.collapsed)
        for label, group in groups:
            self._add_cell(agency, label, group, counts)

    def _add_cell(
        self,
        agency: str,
        label: str,
        group: list[str],
        counts: dict[str, tuple[int, int]],
    ) -> None:
        group_dossiers = sum(counts[f][0] for f in group)
        group_responses = sum(counts[f][1] for f in group)
        if group_responses < self.min_responses:
            self.single.append(agency)
        for field in group:
            self.final_of[(agency, field)] = len(self.cells)
        self.cells.append(
            WeightingCell(
                label=label,
                agency=agency,
                fields=tuple(group),
                dossiers=group_dossiers,
                responses=group_responses,
                weight=group_dossiers / group_responses,
            )
        )


def _split_key(key: str) -> tuple[str, str]:
    agency, field = key.split("\x1f", 1)
    return agency, field


def _dossier_table(
    agency: ArrayLike, field: ArrayLike, count: ArrayLike
) -> dict[tuple[str, str], int]:
    agencies = np.asarray(agency).astype(str)
    fields = np.asarray(field).astype(str)
    counts = np.asarray(count, dtype=np.float64)
    if not agencies.shape == fields.shape == counts.shape:
        raise ValueError(
            "dossier_agency, dossier_field and dossier_count differ in length"
        )
    if (
        not np.isfinite(counts).all()
        or (counts < 0).any()
        or (counts != np.round(counts)).any()
    ):
        raise ValueError("dossier counts must be whole numbers >= 0")
    table: dict[tuple[str, str], int] = {}
    for a, f, c in zip(
        agencies.tolist(), fields.tolist(), counts.tolist(), strict=True
    ):
        if (a, f) in table:
            raise ValueError(f"dossiers of cell ({a!r}, {f!r}) are listed twice")
        table[(a, f)] = int(c)
    return table


def _collapse(
    agency: str,
    counts: dict[str, tuple[int, int]],
    min_responses: int,
    collapsed: list[Collapse],
) -> list[tuple[str, list[str]]]:
    """Group an agency's fields into final cells; record each pooling."""

    def reason(d: int, r: int) -> str:
        if r == 0:
            return "no responses" if d == 0 else "dossiers but no responses"
        if d == 0:
            return "responses but no dossiers"
        return f"fewer than {min_responses} responses"

    small = [f for f, (d, r) in counts.items() if r < min_responses or d == 0]
    adequate = [f for f in counts if f not in small]
    groups = [(f"{agency}:{f}", [f]) for f in adequate]
    if not small:
        return groups
    if adequate:
        target = max(adequate, key=lambda f: (counts[f][1], -adequate.index(f)))
        position = adequate.index(target)
        label = f"{agency}:{target}+pooled"
        groups[position] = (label, [target, *small])
    else:
        label = f"{agency}:pooled"
        groups = [(label, small)]
    for f in small:
        d, r = counts[f]
        collapsed.append(Collapse(agency, f, d, r, label, reason(d, r)))
    return groups
