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

from dataclasses import dataclass
from functools import cached_property

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
    responses = _read_responses(response_agency, response_field, response_count)
    dossiers = _read_dossiers(dossier_agency, dossier_field, dossier_count)
    cells = _Cells.build(responses, dossiers)
    pooling = _Pooling.of(cells, min_responses)
    stratum = pooling.final_of[cells.cell_of_response]
    return Poststratification(
        weights=pooling.weights[stratum],
        stratum=stratum,
        cells=pooling.final_cells(),
        rates=cells.rates(),
        collapsed=pooling.collapses(),
        unrepresented=cells.unrepresented(),
        single_response_agencies=pooling.single_response_agencies(),
    )


# The whole computation works on integer codes of the labels, sorted as the
# labels are, over all cells at once: a national weighting has tens of thousands
# of cells, and a Python loop over them cost about a second per call.

_Labels = NDArray[np.str_]


@dataclass(frozen=True, eq=False)
class _Entries:
    """Labels of one input side, flattened: agency, field (k,), and a count (k,)."""

    agency: _Labels
    field: _Labels
    count: NDArray[np.int64] | None


def _read_responses(
    agency: ArrayLike, field: ArrayLike, group_size: ArrayLike | None
) -> _Entries:
    agencies = np.asarray(agency).astype(str)
    fields = np.asarray(field).astype(str)
    if agencies.shape != fields.shape:
        raise ValueError("response_agency and response_field differ in length")
    sizes = None if group_size is None else _group_sizes(group_size, agencies.shape)
    return _Entries(
        agencies.reshape(-1),
        fields.reshape(-1),
        None if sizes is None else sizes.reshape(-1),
    )


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


def _read_dossiers(agency: ArrayLike, field: ArrayLike, count: ArrayLike) -> _Entries:
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
    return _Entries(
        agencies.reshape(-1), fields.reshape(-1), counts.reshape(-1).astype(np.int64)
    )


def _codes(first: _Labels, second: _Labels) -> tuple[_Labels, NDArray[np.int64]]:
    """The distinct labels of both, sorted, and each label's index among them."""
    names, code = np.unique(np.concatenate([first, second]), return_inverse=True)
    return names, code.reshape(-1).astype(np.int64)


def _sum_by(
    group: NDArray[np.int64], values: ArrayLike, size: int
) -> NDArray[np.int64]:
    """Integer sums of ``values`` per group index (exact, unlike a float bincount)."""
    sums = np.zeros(size, dtype=np.int64)
    np.add.at(sums, group, values)
    return sums


@dataclass(frozen=True, eq=False)
class _Cells:
    """Every (agency, field) cell with responses or dossiers, sorted by agency
    then field (code-point order, as ``sorted`` orders str).

    ``agency``, ``field``: codes (m,) into ``agency_names``, ``field_names``;
    ``dossiers``, ``responses``: counts (m,); ``cell_of_response``: index
    into the cells of each response entry (n,); ``agency_start``: the first
    cell of each agency (every agency has at least one cell).
    """

    agency_names: _Labels
    field_names: _Labels
    agency: NDArray[np.int64]
    field: NDArray[np.int64]
    dossiers: NDArray[np.int64]
    responses: NDArray[np.int64]
    cell_of_response: NDArray[np.int64]
    agency_start: NDArray[np.int64]

    @classmethod
    def build(cls, responses: _Entries, dossiers: _Entries) -> _Cells:
        n = responses.agency.size
        agency_names, agency_code = _codes(responses.agency, dossiers.agency)
        field_names, field_code = _codes(responses.field, dossiers.field)
        key = agency_code * max(field_names.size, 1) + field_code
        _check_listed_once(key[n:], dossiers)
        keys, cell = np.unique(key, return_inverse=True)
        cell = cell.reshape(-1).astype(np.int64)
        dossier_counts = np.zeros(keys.size, dtype=np.int64)
        dossier_counts[cell[n:]] = dossiers.count
        response_counts = np.bincount(cell[:n], minlength=keys.size).astype(np.int64)
        if responses.count is not None:
            # Summed in float64 as the loop version did, to give the same
            # counts bit for bit.
            response_counts = np.bincount(
                cell[:n], weights=responses.count, minlength=keys.size
            ).astype(np.int64)
        agency = np.empty(keys.size, dtype=np.int64)
        agency[cell] = agency_code
        field = np.empty(keys.size, dtype=np.int64)
        field[cell] = field_code
        cells = cls(
            agency_names=agency_names,
            field_names=field_names,
            agency=agency,
            field=field,
            dossiers=dossier_counts,
            responses=response_counts,
            cell_of_response=cell[:n],
            agency_start=np.flatnonzero(np.diff(agency, prepend=-1)).astype(np.int64),
        )
        cells.check_dossiers_cover_responses()
        return cells

    @cached_property
    def agency_responses(self) -> NDArray[np.int64]:
        return _sum_by(self.agency, self.responses, self.agency_names.size)

    def check_dossiers_cover_responses(self) -> None:
        """The first agency (in sorted order) with responses but no dossiers."""
        responses = self.agency_responses
        dossiers = _sum_by(self.agency, self.dossiers, self.agency_names.size)
        uncovered = np.flatnonzero((responses > 0) & (dossiers == 0))
        if uncovered.size:
            agency = str(self.agency_names[uncovered[0]])
            raise ValueError(
                f"agency {agency!r} has {int(responses[uncovered[0]])} responses "
                "but no dossiers: there is nothing to weight them to"
            )

    def agency_labels(self, cells: NDArray[np.int64]) -> list[str]:
        """The agency of each of ``cells``, as str."""
        labels: list[str] = self.agency_names[self.agency[cells]].tolist()
        return labels

    def field_labels(self, cells: NDArray[np.int64]) -> list[str]:
        """The field of each of ``cells``, as str."""
        labels: list[str] = self.field_names[self.field[cells]].tolist()
        return labels

    def rates(self) -> tuple[CellRate, ...]:
        every = np.arange(self.dossiers.size)
        rate = np.full(self.dossiers.size, np.nan)
        np.divide(self.responses, self.dossiers, out=rate, where=self.dossiers > 0)
        return tuple(
            map(
                CellRate,
                self.agency_labels(every),
                self.field_labels(every),
                self.dossiers.tolist(),
                self.responses.tolist(),
                rate.tolist(),
            )
        )

    def unrepresented(self) -> tuple[str, ...]:
        """Agencies with dossiers but no response, sorted."""
        names: list[str] = self.agency_names[self.agency_responses == 0].tolist()
        return tuple(names)


def _check_listed_once(key: NDArray[np.int64], dossiers: _Entries) -> None:
    """The first entry (in input order) whose cell an earlier entry listed."""
    _, first = np.unique(key, return_index=True)
    if first.size < key.size:
        repeated = np.ones(key.size, dtype=bool)
        repeated[first] = False
        i = int(np.flatnonzero(repeated)[0])
        agency, field = str(dossiers.agency[i]), str(dossiers.field[i])
        raise ValueError(f"dossiers of cell ({agency!r}, {field!r}) are listed twice")


@dataclass(frozen=True, eq=False)
class _Pooling:
    """The collapse rule, applied to every agency at once.

    A final cell is named after its *host*: an adequate cell (which the
    agency's small cells join when it is the agency's target), or, in an agency
    without adequate cell, the agency's first cell (all its cells join it).
    ``small``: (m,) cells pooled into another's final cell; ``final_of``: (m,)
    index of each cell's final cell, -1 in agencies without responses;
    ``final_host``: (c,) host cell of each final cell, in cell order.
    """

    cells: _Cells
    min_responses: int
    small: NDArray[np.bool_]
    final_of: NDArray[np.int64]
    final_host: NDArray[np.int64]
    agency_has_adequate: NDArray[np.bool_]

    @classmethod
    def of(cls, cells: _Cells, min_responses: int) -> _Pooling:
        index = np.arange(cells.dossiers.size, dtype=np.int64)
        represented = (cells.agency_responses > 0)[cells.agency]
        adequate = (cells.responses >= min_responses) & (cells.dossiers > 0)
        has_adequate, target = _targets(cells, adequate)
        host = np.where(
            adequate,
            index,
            np.where(
                has_adequate[cells.agency],
                target[cells.agency],
                cells.agency_start[cells.agency],
            ),
        )
        is_host = represented & (host == index)
        final_index = np.cumsum(is_host, dtype=np.int64) - 1
        return cls(
            cells=cells,
            min_responses=min_responses,
            small=represented & ~adequate,
            final_of=np.where(represented, final_index[host], -1).astype(np.int64),
            final_host=np.flatnonzero(is_host).astype(np.int64),
            agency_has_adequate=has_adequate,
        )

    @cached_property
    def members(self) -> NDArray[np.int64]:
        """The cells of agencies with responses (those in a final cell)."""
        return np.flatnonzero(self.final_of >= 0).astype(np.int64)

    def final_sums(self, counts: NDArray[np.int64]) -> NDArray[np.int64]:
        members = self.members
        return _sum_by(self.final_of[members], counts[members], self.final_host.size)

    @cached_property
    def dossiers(self) -> NDArray[np.int64]:
        return self.final_sums(self.cells.dossiers)

    @cached_property
    def responses(self) -> NDArray[np.int64]:
        return self.final_sums(self.cells.responses)

    @cached_property
    def weights(self) -> NDArray[np.float64]:
        """dossiers / responses of each final cell."""
        result: NDArray[np.float64] = self.dossiers / self.responses
        return result

    @cached_property
    def members_per_cell(self) -> NDArray[np.int64]:
        counts = np.bincount(
            self.final_of[self.members], minlength=self.final_host.size
        )
        return counts.astype(np.int64)

    @cached_property
    def labels(self) -> list[str]:
        """``agency:field``, ``agency:field+pooled`` or ``agency:pooled``."""
        host = self.final_host
        # 0: an adequate cell alone, 1: an adequate cell with the small ones,
        # 2: an agency without adequate cell, all in one.
        with_small = np.where(self.members_per_cell > 1, 1, 0)
        kind = np.where(self.small[host], 2, with_small)
        formats = ("{}:{}", "{}:{}+pooled", "{}:pooled")
        return [
            formats[k].format(a, f)
            for k, a, f in zip(
                kind.tolist(),
                self.cells.agency_labels(host),
                self.cells.field_labels(host),
                strict=True,
            )
        ]

    def member_fields(self) -> list[tuple[str, ...]]:
        """The fields of each final cell: its host's, then the others in order."""
        members = self.members
        not_host = self.final_host[self.final_of[members]] != members
        order = members[np.lexsort((members, not_host, self.final_of[members]))]
        fields = self.cells.field_labels(order)
        ends: list[int] = np.cumsum(self.members_per_cell).tolist()
        starts = [0, *ends][: len(ends)]
        return [tuple(fields[s:e]) for s, e in zip(starts, ends, strict=True)]

    def final_cells(self) -> tuple[WeightingCell, ...]:
        return tuple(
            map(
                WeightingCell,
                self.labels,
                self.cells.agency_labels(self.final_host),
                self.member_fields(),
                self.dossiers.tolist(),
                self.responses.tolist(),
                self.weights.tolist(),
            )
        )

    def collapses(self) -> tuple[Collapse, ...]:
        """Every small cell pooled, in cell order, with its reason."""
        small = np.flatnonzero(self.small)
        d, r = self.cells.dossiers[small], self.cells.responses[small]
        reason = np.where(r == 0, np.where(d == 0, 0, 1), np.where(d == 0, 2, 3))
        reasons = (
            "no responses",
            "dossiers but no responses",
            "responses but no dossiers",
            f"fewer than {self.min_responses} responses",
        )
        labels = self.labels
        return tuple(
            map(
                Collapse,
                self.cells.agency_labels(small),
                self.cells.field_labels(small),
                d.tolist(),
                r.tolist(),
                [labels[final] for final in self.final_of[small].tolist()],
                [reasons[why] for why in reason.tolist()],
            )
        )

    def single_response_agencies(self) -> tuple[str, ...]:
        """Agencies pooled into one cell that still has too few responses."""
        responses = self.cells.agency_responses
        lonely = ~self.agency_has_adequate & (responses > 0)
        names: list[str] = self.cells.agency_names[
            lonely & (responses < self.min_responses)
        ].tolist()
        return tuple(names)


def _targets(
    cells: _Cells, adequate: NDArray[np.bool_]
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Per agency: has it an adequate cell, and the one with the most responses.

    Ties go to the first field in sorted order, i.e. the lowest cell index.
    """
    n_agencies = cells.agency_names.size
    most = np.full(n_agencies, -1, dtype=np.int64)
    np.maximum.at(most, cells.agency[adequate], cells.responses[adequate])
    candidates = np.flatnonzero(adequate & (cells.responses == most[cells.agency]))
    agencies, first = np.unique(cells.agency[candidates], return_index=True)
    target = np.full(n_agencies, -1, dtype=np.int64)
    target[agencies] = candidates[first]
    return most >= 0, target
