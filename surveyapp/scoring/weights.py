"""Post-stratification weights: responses weighted up to dossier counts.

Weighting cells are agency x service field. In each cell
``weight = dossiers / responses`` (every response of the cell gets it), so the
weights of a cell add up to its dossiers; ``response rate = responses /
dossiers``. Source: the project's SIPAS brief (no weights are published
officially); the estimator is the usual post-stratified one (Holt & Smith 1979).

Collapse rule (documented, deterministic). Within each agency, a cell is *small*
when it has fewer than ``min_responses`` responses (2 by default, the least a
stratum needs for a variance) -- including cells with dossiers but no response
-- or responses but no dossiers. All small cells of an agency are pooled
(dossiers and responses added) into the agency's *adequate* cell with the most
responses (ties: the first field in sorted order). If the agency has no
adequate cell, all its cells are pooled into a single agency cell. Every pooling
is reported in :attr:`Poststratification.collapsed`; nothing is dropped
silently.

Impossible input raises ``ValueError``: an agency with responses but no
dossiers at all (nothing to weight to), negative or non-integer dossier counts,
a cell listed twice. An agency with dossiers but no response at all cannot be
weighted; it is reported in :attr:`Poststratification.unrepresented`. An agency
whose pooled cell still has fewer than ``min_responses`` responses (e.g. one
response) gets its weight, but is listed in
:attr:`Poststratification.single_response_agencies`: as a stratum it has no
variance, so merge it with another agency or leave it out before estimating.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class CellRate:
    """One original weighting cell: counts and response rate (NaN if no dossiers)."""

    agency: str
    field: str
    dossiers: int
    responses: int
    response_rate: float


@dataclass(frozen=True)
class WeightingCell:
    """A final weighting cell (a stratum), possibly pooling several fields."""

    label: str
    agency: str
    fields: tuple[str, ...]
    dossiers: int
    responses: int
    weight: float


@dataclass(frozen=True)
class Collapse:
    """A small cell pooled into ``into`` (a final cell label), and why."""

    agency: str
    field: str
    dossiers: int
    responses: int
    into: str
    reason: str


@dataclass(frozen=True, eq=False)
class Poststratification:
    """Result of :func:`poststratify`.

    - ``weights``: float64 (n,), each response's weight;
    - ``stratum``: int64 (n,), index into ``cells`` (use as the design strata);
    - ``cells``: the final weighting cells; ``rates``: every original cell with
      its response rate; ``collapsed``: what was pooled;
    - ``unrepresented``: agencies with dossiers but no response;
    - ``single_response_agencies``: agencies whose only cell has fewer than
      ``min_responses`` responses.
    """

    weights: NDArray[np.float64]
    stratum: NDArray[np.int64]
    cells: tuple[WeightingCell, ...]
    rates: tuple[CellRate, ...]
    collapsed: tuple[Collapse, ...]
    unrepresented: tuple[str, ...]
    single_response_agencies: tuple[str, ...]

    def stratum_labels(self) -> NDArray[np.object_]:
        """The final cell label of each response, object array of str (n,)."""
        labels = np.array([cell.label for cell in self.cells], dtype=object)
        result: NDArray[np.object_] = labels[self.stratum]
        return result


def poststratify(
    response_agency: ArrayLike,
    response_field: ArrayLike,
    dossier_agency: ArrayLike,
    dossier_field: ArrayLike,
    dossier_count: ArrayLike,
    *,
    min_responses: int = 2,
) -> Poststratification:
    """Weight responses to dossier counts per (agency, field) cell.

    Shapes: ``response_agency``, ``response_field`` (n,) labels of each
    response; ``dossier_agency``, ``dossier_field``, ``dossier_count`` (k,)
    one entry per cell with dossiers (counts are whole numbers >= 0). See the
    module docstring for the collapse rule and the errors raised.
    """
    if min_responses < 1:
        raise ValueError("min_responses must be at least 1")
    response_agencies = np.asarray(response_agency).astype(str)
    response_fields = np.asarray(response_field).astype(str)
    if response_agencies.shape != response_fields.shape:
        raise ValueError("response_agency and response_field differ in length")
    cell_keys = np.char.add(np.char.add(response_agencies, "\x1f"), response_fields)
    unique_keys, response_cell = np.unique(cell_keys, return_inverse=True)
    response_cell = response_cell.reshape(-1)
    responses_per_key = np.bincount(response_cell, minlength=unique_keys.size)
    responses: dict[tuple[str, str], int] = {}
    key_cells = [_split_key(key) for key in unique_keys.tolist()]
    for cell, count in zip(key_cells, responses_per_key.tolist(), strict=True):
        responses[cell] = int(count)
    dossiers = _dossier_table(dossier_agency, dossier_field, dossier_count)

    by_agency: dict[str, set[str]] = defaultdict(set)
    for agency, field in (*responses, *dossiers):
        by_agency[agency].add(field)

    cells: list[WeightingCell] = []
    rates: list[CellRate] = []
    collapsed: list[Collapse] = []
    unrepresented: list[str] = []
    single: list[str] = []
    final_of: dict[tuple[str, str], int] = {}
    for agency in sorted(by_agency):
        fields = sorted(by_agency[agency])
        counts = {
            f: (dossiers.get((agency, f), 0), responses.get((agency, f), 0))
            for f in fields
        }
        for field, (d, r) in counts.items():
            rates.append(CellRate(agency, field, d, r, r / d if d else float("nan")))
        agency_dossiers = sum(d for d, _ in counts.values())
        agency_responses = sum(r for _, r in counts.values())
        if agency_responses and not agency_dossiers:
            raise ValueError(
                f"agency {agency!r} has {agency_responses} responses but no dossiers: "
                "there is nothing to weight them to"
            )
        if not agency_responses:
            unrepresented.append(agency)
            continue
        groups = _collapse(agency, counts, min_responses, collapsed)
        for label, group in groups:
            group_dossiers = sum(counts[f][0] for f in group)
            group_responses = sum(counts[f][1] for f in group)
            if group_responses < min_responses:
                single.append(agency)
            for field in group:
                final_of[(agency, field)] = len(cells)
            cells.append(
                WeightingCell(
                    label=label,
                    agency=agency,
                    fields=tuple(group),
                    dossiers=group_dossiers,
                    responses=group_responses,
                    weight=group_dossiers / group_responses,
                )
            )
    key_to_final = np.array([final_of[cell] for cell in key_cells], dtype=np.int64)
    stratum = key_to_final[response_cell]
    cell_weights = np.array([cell.weight for cell in cells], dtype=np.float64)
    return Poststratification(
        weights=cell_weights[stratum],
        stratum=stratum,
        cells=tuple(cells),
        rates=tuple(rates),
        collapsed=tuple(collapsed),
        unrepresented=tuple(unrepresented),
        single_response_agencies=tuple(single),
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
