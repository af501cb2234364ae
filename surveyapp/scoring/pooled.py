"""Pooled factors and index for domains whose responses used several versions.

Why: a province whose communes use different questionnaire versions
(``sipas-2017`` and ``sipas-2023``) still needs one headline factor index and
one SIPAS index over all its responses. Criteria differ between versions, but
factors correspond one to one (``surveyapp/data/factor_correspondence.json``),
so factors are pooled and criteria are not.

Definition, for a domain d and versions v (each response answered one):

- ``N_vd = sum w_i`` over the responses of d that used version v (answered
  or not); ``F_vfd`` is version v's usual factor index (mean of the criterion
  shares with answers, :mod:`surveyapp.scoring.composites`) for its factor
  that corresponds to pooled factor f, over v's responses in d;
- pooled factor ``F_fd = sum_v (N_vd / N_fd) F_vfd`` with ``N_fd = sum_v N_vd``
  over the versions that have ``F_vfd``: a version none of whose responses in
  d answered any criterion of that factor is left out and the other shares
  renormalised; with no such version, no estimate (NaN, ``"no data"``);
- pooled index ``I_d`` = mean of the pooled factors that have an estimate
  (the convention of composites); mean scores pool the same way.

A domain with one version gives exactly that version's factor and index
estimates (``N_vd / N_vd = 1``). The shares ``N_vd / N_fd`` are meaningful only
if all versions were weighted together (one post-stratification of all
responses to the dossier counts), which is what the inputs must be. A pooled
factor lies between its versions' factors; rounding that leaves it outside
(0.9999999999999999 from versions all at 1) is clipped back, so that 0 and 1
stay exact for the intervals and flags.

Variance: ``F_fd`` is a smooth function of survey totals (the ``N_vd`` and
every criterion's weighted satisfied and answered totals), so its variance is
the linearised (Taylor, influence-function) variance under the one stratified
design all versions share: one set of strata and weights (a joint weighting),
each response its own PSU, no finite population correction, domains by
zero-weighting (:mod:`surveyapp.scoring.variance`). The influence value of
response i of version u in d is

    z_i = sum_c L_dc w_i (y_ic - P_dc x_ic) / X_dc + w_i (F_ufd - F_fd) / N_fd

with ``L_dc = (N_ud / N_fd) / m_ufd`` for the ``m_ufd`` criteria of u's factor
that have answers in d (0 for the others), ``x``/``y`` answered/satisfied,
``X_dc`` and ``P_dc`` the criterion's answered total and share; the second term
is 0 where u has no data for f. The index's is the mean of its factors'. From
cell totals the first term splits into between- and within-cell parts as for
single versions (:mod:`surveyapp.scoring.within`); the second is constant in a
cell, so it only enters the between part. R: ``svycontrast`` of ``svytotal``
with the formula as an expression (``tests/scoring/data/pooled_oracle.R``).

Rows: those of :class:`~surveyapp.scoring.results.Results` for factors (coded
by the correspondence) and the ``SIPAS`` index, with the composites'
conventions: ``n`` = every response of the domain (all versions); ``df`` = those
responses minus their strata (R's ``degf`` of the domain), the same for every
factor and the index; the composite interval
(:func:`~surveyapp.scoring.intervals.composite_interval`, by default the logit
interval with ``t`` on ``max(1, min(df, k))`` degrees of freedom, ``k`` the
effective number of minority answers; [0, 1] where ``df < 1``); ``n_eff`` and
flags (:func:`~surveyapp.scoring.flags.composite_flags`), where "k of t criteria
answered" counts the criteria of the versions that have responses in the
domain. There are no criterion rows: criteria are not comparable across
versions.
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
from surveyapp.scoring.estimates import CellPairs, ResponsePairs
from surveyapp.scoring.intervals import CompositeMethod, IntervalMethod
from surveyapp.scoring.pooling import FactorLayout, Pooling, pooled_estimates
from surveyapp.scoring.results import Results
from surveyapp.scoring.rows import checked_settings, composite_table
from surveyapp.scoring.tally import merged_codes
from surveyapp.scoring.totals import CellTotals
from surveyapp.scoring.variance import build_cell_design, build_domain_design
from surveyapp.scoring.within import WithinCells, within_cells

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Correspondence:
    """Which factor of each version (part) is pooled into which pooled factor.

    ``codes`` (F,): the pooled factors' codes, in output order (e.g. the newer
    version's). ``factors``: one tuple per part, in the order of the parts:
    the part's factor code (as in its ``factor_codes``, ``F<position>``) pooled
    into each of ``codes``. Raises ``ValueError`` unless codes are distinct
    and each part lists F distinct factors.
    """

    codes: tuple[str, ...]
    factors: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if not self.codes or len(set(self.codes)) != len(self.codes):
            raise ValueError(f"pooled factor codes must be distinct: {self.codes}")
        for v, listed in enumerate(self.factors):
            if len(listed) != len(self.codes) or len(set(listed)) != len(listed):
                raise ValueError(
                    f"part {v} must list {len(self.codes)} distinct factors, "
                    f"not {listed}"
                )

    def check(self, parts: Sequence[FactorLayout]) -> None:
        """Raise ``ValueError`` unless each part's factors appear exactly once."""
        if len(parts) != len(self.factors):
            raise ValueError(
                f"{len(parts)} parts, but the correspondence lists "
                f"{len(self.factors)} versions"
            )
        for v, (part, listed) in enumerate(zip(parts, self.factors, strict=True)):
            if sorted(part.factor_codes) != sorted(listed):
                raise ValueError(
                    f"part {v} has factors {list(part.factor_codes)}; the "
                    f"correspondence lists {list(listed)}"
                )


@dataclass(frozen=True, eq=False)
class VersionResponses:
    """One version's responses, for :func:`estimate_pooled`.

    ``answers`` (n, C) 1..5, 0 or NaN for not answered; ``criterion_codes``
    (C,) ``F<factor>.<criterion>``; ``weights``, ``strata`` and ``leaves``
    (n,), labels of any kind, as for :meth:`CellTotals.from_responses`.
    """

    answers: ArrayLike
    criterion_codes: Sequence[str]
    weights: ArrayLike
    strata: ArrayLike
    leaves: ArrayLike

    def totals(self) -> CellTotals:
        """These responses summed into :class:`CellTotals`."""
        return CellTotals.from_responses(
            self.answers, self.criterion_codes, self.weights, self.strata, self.leaves
        )


def pooled_leaf_labels(parts: Sequence[CellTotals]) -> tuple[str, ...]:
    """The leaves of all parts, in the order a :class:`DomainSpec` over the
    parts' leaves uses (:func:`tally.merged_codes`)."""
    return merged_codes([(part.leaf_labels, part.leaf) for part in parts])[0]


def pooled_leaf_domains(
    parts: Sequence[CellTotals],
    parent_of: Mapping[str, str | None] | None = None,
    *,
    include_all: bool = True,
    all_name: str = WHOLE_SAMPLE,
) -> DomainSpec:
    """Domains over the parts' leaves: :meth:`CellTotals.leaf_domains` for all
    versions at once (each "response" of the spec is a pooled leaf)."""
    labels = pooled_leaf_labels(parts)
    leaves = np.arange(len(labels), dtype=np.int64)
    if parent_of is not None:
        return DomainSpec.from_tree(
            np.array(labels, dtype=object),
            parent_of,
            include_all=include_all,
            all_name=all_name,
        )
    if not include_all:
        return DomainSpec(labels, leaves, leaves.copy())
    if all_name in labels:
        raise ValueError(f"a leaf is named {all_name!r}, the whole-sample name")
    return DomainSpec(
        names=(*labels, all_name),
        member_response=np.concatenate([leaves, leaves]),
        member_domain=np.concatenate(
            [leaves, np.full(len(labels), len(labels), np.int64)]
        ),
    )


@dataclass(frozen=True, eq=False)
class _JointCells:
    """The cells of every part, one after another (a ``CellLayout``).

    ``n``, ``stratum`` (codes into the merged ``stratum_labels``), ``leaf``
    (codes into the merged leaf labels), ``part``: int64 (K,);
    ``weight`` float64 (K,); ``start`` (V + 1,) each part's first cell.
    """

    n: IntArray
    stratum: IntArray
    stratum_labels: tuple[str, ...]
    leaf: IntArray
    n_leaves: int
    part: IntArray
    weight: NDArray[np.float64]
    start: IntArray

    @property
    def n_cells(self) -> int:
        return int(self.n.size)

    @classmethod
    def of(cls, parts: Sequence[CellTotals]) -> _JointCells:
        leaf_labels, leaf = merged_codes([(p.leaf_labels, p.leaf) for p in parts])
        labels, stratum = merged_codes([(p.stratum_labels, p.stratum) for p in parts])
        sizes = [part.n_cells for part in parts]
        return cls(
            n=np.concatenate([part.n for part in parts]),
            stratum=stratum,
            stratum_labels=labels,
            leaf=leaf,
            n_leaves=len(leaf_labels),
            part=np.repeat(np.arange(len(parts), dtype=np.int64), sizes),
            weight=np.concatenate([part.weight for part in parts]),
            start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        )


def estimate_pooled_totals(
    parts: Sequence[CellTotals],
    correspondence: Correspondence,
    domains: DomainSpec,
    method: IntervalMethod = "kg",
    level: float = 0.95,
    *,
    composite_method: CompositeMethod = "logit",
) -> Results:
    """Pooled factor and index rows of every domain, from each version's totals.

    ``parts``: one :class:`CellTotals` per version, weights from one joint
    weighting; their strata and leaves are matched by label. ``domains`` is
    over the pooled leaves (:func:`pooled_leaf_domains`). ``method`` is only
    recorded (there are no criterion rows); ``level`` and ``composite_method``
    as for :func:`~surveyapp.scoring.estimate_totals`. Returns D x (F + 1)
    rows. Raises ``ValueError`` on a correspondence that does not fit the
    parts, a bad setting, or a stratum with a single response in all parts.
    """
    settings = checked_settings(method, level, composite_method, True)
    correspondence.check(parts)
    pooling = Pooling.of(parts, correspondence.codes, correspondence.factors)
    cells = _JointCells.of(parts)
    domains.check_responses(cells.n_leaves)
    cell_domains = _unit_domains(domains, cells.leaf, cells.n_leaves)
    design = build_cell_design(cells, cell_domains)
    counts = {
        name: _joint_counts(parts, pooling, name)
        for name in ("answered", "satisfied", "answer_sum")
    }
    member_cell = design.member_response
    values = CellPairs(
        counts["answered"],
        counts["satisfied"],
        counts["answer_sum"],
        member_cell,
        cells.weight[member_cell],
    )
    within = _within_parts(parts, cells, cell_domains)
    estimates, criteria_counts = pooled_estimates(
        pooling,
        design,
        values,
        cells.part[member_cell],
        cells.n[member_cell].astype(np.float64),
        within,
    )
    return composite_table(pooling, domains.names, estimates, settings, criteria_counts)


def _within_parts(
    parts: Sequence[CellTotals], cells: _JointCells, cell_domains: DomainSpec
) -> list[WithinCells]:
    """Each part's within-cell sums, over its own cells but with the strata
    sizes n_h of all parts: the strata are shared."""
    stratum_size = np.bincount(
        cells.stratum, cells.n.astype(np.float64), len(cells.stratum_labels)
    ).astype(np.float64)
    within = []
    for v, part in enumerate(parts):
        start = int(cells.start[v])
        keep = cells.part[cell_domains.member_response] == v
        part_domains = DomainSpec(
            cell_domains.names,
            cell_domains.member_response[keep] - start,
            cell_domains.member_domain[keep],
        )
        stratum_of_part = np.zeros(len(part.stratum_labels), dtype=np.int64)
        stratum_of_part[part.stratum] = cells.stratum[start : start + part.n_cells]
        within.append(
            within_cells(part, part_domains, stratum_size=stratum_size[stratum_of_part])
        )
    return within


def estimate_pooled(
    parts: Sequence[VersionResponses],
    correspondence: Correspondence,
    domains: DomainSpec,
    method: IntervalMethod = "kg",
    level: float = 0.95,
    *,
    composite_method: CompositeMethod = "logit",
) -> Results:
    """:func:`estimate_pooled_totals` from the responses themselves.

    The same rows, up to rounding, for the same responses; ``domains`` over
    the pooled leaves of ``[part.totals() for part in parts]``. For tests and
    small samples: it reads every response of every version.
    """
    settings = checked_settings(method, level, composite_method, True)
    layouts = [criterion_layout(part.criterion_codes) for part in parts]
    correspondence.check(layouts)
    pooling = Pooling.of(layouts, correspondence.codes, correspondence.factors)
    answers = [
        answers_as_int8(part.answers, len(layout.order))[:, list(layout.order)]
        for part, layout in zip(parts, layouts, strict=True)
    ]
    sizes = [block.shape[0] for block in answers]
    joint = np.zeros((sum(sizes), pooling.n_criteria), dtype=np.int8)
    rows = np.concatenate([[0], np.cumsum(sizes)])
    for v, block in enumerate(answers):
        joint[rows[v] : rows[v + 1], pooling.columns[v]] = block
    leaf_labels, leaf = merged_codes([_labelled(p.leaves) for p in parts])
    labels, strata = merged_codes([_labelled(p.strata) for p in parts])
    data = SurveyData.from_codes(
        joint,
        pooling.criterion_codes,
        np.concatenate([np.asarray(p.weights, dtype=np.float64) for p in parts]),
        strata,
        labels,
    )
    domains.check_responses(len(leaf_labels))
    design = build_domain_design(data, _unit_domains(domains, leaf, len(leaf_labels)))
    member = design.member_response
    values = ResponsePairs(
        np.ascontiguousarray(joint.T)[:, member], data.weights[member]
    )
    part_of_response = np.repeat(np.arange(len(parts), dtype=np.int64), sizes)
    estimates, criteria_counts = pooled_estimates(
        pooling, design, values, part_of_response[member], np.ones(member.size), None
    )
    return composite_table(pooling, domains.names, estimates, settings, criteria_counts)


def _labelled(labels: ArrayLike) -> tuple[tuple[str, ...], IntArray]:
    """(labels, codes) of :func:`encode_labels`, as :func:`merged_codes` takes."""
    codes, names = encode_labels(labels)
    return names, codes


def _joint_counts(parts: Sequence[CellTotals], pooling: Pooling, name: str) -> IntArray:
    """One count of every part's cells in the joint columns, criterion-major
    (C, K); 0 in the columns of the other versions."""
    blocks = []
    for v, part in enumerate(parts):
        block = np.zeros((pooling.n_criteria, part.n_cells), dtype=np.int64)
        block[pooling.columns[v]] = getattr(part, name).T
        blocks.append(block)
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))


def _unit_domains(
    domains: DomainSpec, unit_leaf: IntArray, n_leaves: int
) -> DomainSpec:
    """``domains`` over leaves made a spec over units (cells or responses):
    each unit joins every domain of its leaf."""
    order = np.argsort(domains.member_response, kind="stable")
    pair_domain = domains.member_domain[order]
    per_leaf = np.bincount(domains.member_response, minlength=n_leaves)
    first = np.cumsum(per_leaf) - per_leaf
    repeats = per_leaf[unit_leaf]
    member_unit = np.repeat(np.arange(unit_leaf.size, dtype=np.int64), repeats)
    offset = np.arange(member_unit.size) - np.repeat(
        np.cumsum(repeats) - repeats, repeats
    )
    member_domain = pair_domain[np.repeat(first[unit_leaf], repeats) + offset]
    return DomainSpec(domains.names, member_unit, member_domain.astype(np.int64))
