"""Taylor-linearisation variances of domain estimates in a stratified design.

Formula (Wolter, *Introduction to Variance Estimation*, 2nd ed., ch. 6; the same
as R ``survey``'s ``svyrecvar``/``onestrat`` for a one-stage design): for a
domain d and an estimator with influence values ``z`` (one per response),

    t_hi = sum of z over the responses of PSU i in stratum h
    V_d  = sum_h f_h * n_h / (n_h - 1) * sum_i (t_hi - mean_h(t))^2

where n_h is the number of PSUs of stratum h in the *whole* sample, the mean is
over those n_h PSUs and f_h = (N_h - n_h) / N_h with a finite population
correction, else 1.

Domains are handled by zero-weighting: the influence values of responses outside
the domain are 0, yet their PSUs still count in n_h and in the stratum mean.
That is what R's ``onestrat`` does when it pads a subset's PSU totals with zeros
up to ``nPSU``; dropping the rows instead would understate the variance whenever
strata cut across domains.

Everything is vectorised over domains: influence values live on membership pairs
(response, domain) and are summed per (domain, stratum) cell with
``np.bincount``. No Python loop runs over domains or responses.

Cell totals (:mod:`surveyapp.scoring.totals`; each response its own PSU, no
fpc): a member is then a (cell, domain) pair whose cell holds n_k responses of
one weight, and its "influence value" is their sum t_k. Splitting each
response's deviation at the cell mean,

    sum_(i in k) (z_i - m_h)^2 = sum_(i in k) (z_i - t_k / n_k)^2
                                 + (t_k - n_k m_h)^2 / n_k,

the second term is the between-cells part (:meth:`DomainDesign.variance` with
``member_size``) and the first the within-cell part, a quadratic form in the
cell's cross-products (:mod:`surveyapp.scoring.within`). Both are exact
rewritings of the formula above, so a cell of one response gives the row
formula itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.data import SurveyData, check_psus_per_stratum, compact_pairs
from surveyapp.scoring.domains import DomainSpec


class CellLayout(Protocol):
    """What a design over cells reads: each cell's stratum and responses.

    :class:`~surveyapp.scoring.totals.CellTotals` is one; the pooled
    estimator's cells of several versions (:mod:`surveyapp.scoring.pooled`)
    are another.
    """

    @property
    def n_cells(self) -> int: ...

    @property
    def stratum(self) -> NDArray[np.int64]: ...

    @property
    def stratum_labels(self) -> tuple[str, ...]: ...

    @property
    def n(self) -> NDArray[np.int64]: ...


@dataclass(frozen=True, eq=False)
class DomainDesign:
    """Index arrays to sum influence values per (domain, stratum) and (domain, PSU).

    Shapes: M membership pairs, K (domain, stratum) cells, Q (domain, PSU) cells,
    D domains.

    - ``member_response``, ``member_domain``, ``member_cell``: int64 (M,).
    - ``cell_domain``: int64 (K,); ``cell_psus``: float64 (K,) n_h of the cell's
      stratum in the whole sample; ``cell_scale``: float64 (K,)
      f_h n_h / (n_h - 1); ``cell_units``: float64 (K,) number of the domain's
      PSUs in the cell.
    - ``member_psu_cell``: int64 (M,) or ``None`` (no clusters: each response
      is its own PSU); ``psu_cell_cell``: int64 (Q,) the (domain, stratum) cell
      of each (domain, PSU) cell.
    - ``domain_responses``: int64 (D,); ``domain_df``: int64 (D,) PSUs minus
      strata among the domain's responses (R's ``degf`` of the subset).
    - ``member_size``: float64 (M,) responses in each pair's cell of totals, or
      ``None`` when members are responses (or PSUs).
    """

    n_domains: int
    member_response: NDArray[np.int64]
    member_domain: NDArray[np.int64]
    member_cell: NDArray[np.int64]
    cell_domain: NDArray[np.int64]
    cell_psus: NDArray[np.float64]
    cell_scale: NDArray[np.float64]
    cell_units: NDArray[np.float64]
    member_psu_cell: NDArray[np.int64] | None
    psu_cell_cell: NDArray[np.int64] | None
    domain_responses: NDArray[np.int64]
    domain_df: NDArray[np.int64]
    member_size: NDArray[np.float64] | None = None

    @property
    def n_cells(self) -> int:
        """Number of (domain, stratum) cells K."""
        return int(self.cell_domain.size)

    def variance(self, influence: NDArray[np.float64]) -> NDArray[np.float64]:
        """Linearised variance per domain, shape (D,), from influence values (M,).

        ``influence[m]`` is the influence value of pair m's response for pair m's
        domain (with ``member_size``: the sum over pair m's cell, and the result
        is the between-cells part only). Computed in two passes (stratum means,
        then squared deviations) so that a stratum whose PSU totals are all
        equal contributes 0, not rounding noise.
        """
        if self.member_psu_cell is None or self.psu_cell_cell is None:
            totals = influence
            cell_of_total = self.member_cell
        else:
            n_psu_cells = int(self.psu_cell_cell.size)
            totals = _sum_by(self.member_psu_cell, influence, n_psu_cells)
            cell_of_total = self.psu_cell_cell
        n_cells = self.n_cells
        cell_mean = _sum_by(cell_of_total, totals, n_cells) / self.cell_psus
        if self.member_size is None:
            deviation = totals - cell_mean[cell_of_total]
            squares = _sum_by(cell_of_total, deviation * deviation, n_cells)
        else:
            # Between cells of totals: (t_k - n_k m)^2 / n_k.
            deviation = totals - cell_mean[cell_of_total] * self.member_size
            squares = _sum_by(
                cell_of_total, deviation * deviation / self.member_size, n_cells
            )
        # PSUs of the stratum outside the domain have total 0: (0 - mean)^2 each.
        squares += (self.cell_psus - self.cell_units) * cell_mean * cell_mean
        return _sum_by(self.cell_domain, self.cell_scale * squares, self.n_domains)

    def cell_sums(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sums of per-pair ``values`` (M,) per (domain, stratum) cell, (K,)."""
        return _sum_by(self.member_cell, values, self.n_cells)

    def domain_sums(self, cell_values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sums of per-cell values (K,) per domain, (D,)."""
        return _sum_by(self.cell_domain, cell_values, self.n_domains)

    def answered_counts(
        self,
        answered: NDArray[np.bool_] | NDArray[np.int64],
        answered_per_cell: NDArray[np.float64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Responses and degrees of freedom per domain among answering pairs.

        ``answered`` bool (M,) and its count per cell (K,). Returns ``(n, df)``,
        each int64 (D,): n is the number of the domain's responses that
        answered; df is the number of their PSUs minus the number of their
        strata (R's ``degf`` of the domain restricted to those who answered).
        """
        n = self.domain_sums(answered_per_cell)
        strata = self.domain_sums((answered_per_cell > 0).astype(np.float64))
        if self.member_psu_cell is None or self.psu_cell_cell is None:
            psus = n
        else:
            n_psu_cells = int(self.psu_cell_cell.size)
            per_psu = np.bincount(self.member_psu_cell, answered, n_psu_cells)
            psus = _sum_by(
                self.cell_domain[self.psu_cell_cell],
                (per_psu > 0).astype(np.float64),
                self.n_domains,
            )
        return n.astype(np.int64), (psus - strata).astype(np.int64)


def _sum_by(
    keys: NDArray[np.int64], values: NDArray[np.float64], size: int
) -> NDArray[np.float64]:
    """Sums of ``values`` (M,) per key in ``0..size-1``, float64 (size,)."""
    return np.asarray(np.bincount(keys, values, size), dtype=np.float64)


def build_domain_design(data: SurveyData, domains: DomainSpec) -> DomainDesign:
    """Precompute the (domain, stratum) and (domain, PSU) cells of the pairs."""
    domains.check_responses(data.n_responses)
    member_response = domains.member_response
    member_domain = domains.member_domain
    n_domains = domains.n_domains
    n_strata = len(data.stratum_labels)
    member_stratum = data.strata[member_response]
    cell_keys, member_cell = compact_pairs(member_domain, member_stratum, n_strata)
    cell_domain = cell_keys // n_strata
    cell_stratum = cell_keys % n_strata
    psus_per_stratum = data.psus_per_stratum().astype(np.float64)
    cell_psus = psus_per_stratum[cell_stratum]
    fpc_factor = data.finite_population_factors()[cell_stratum]
    cell_scale = fpc_factor * cell_psus / (cell_psus - 1.0)
    n_cells = int(cell_keys.size)
    domain_responses = np.bincount(member_domain, minlength=n_domains).astype(np.int64)
    domain_strata = np.bincount(cell_domain, minlength=n_domains)
    member_psu_cell: NDArray[np.int64] | None = None
    psu_cell_cell: NDArray[np.int64] | None = None
    if data.psu is None:
        cell_units = np.bincount(member_cell, minlength=n_cells).astype(np.float64)
        domain_psus = domain_responses
    else:
        n_psus = int(data.psu.max()) + 1
        psu_keys, member_psu_cell = compact_pairs(
            member_domain, data.psu[member_response], n_psus
        )
        # Every pair of a (domain, PSU) cell lies in the same (domain, stratum)
        # cell, because PSUs are nested in strata.
        psu_cell_cell = np.zeros(psu_keys.size, dtype=np.int64)
        psu_cell_cell[member_psu_cell] = member_cell
        cell_units = np.bincount(psu_cell_cell, minlength=n_cells).astype(np.float64)
        domain_psus = np.bincount(psu_keys // n_psus, minlength=n_domains)
    return DomainDesign(
        n_domains=n_domains,
        member_response=member_response,
        member_domain=member_domain,
        member_cell=member_cell,
        cell_domain=cell_domain,
        cell_psus=cell_psus,
        cell_scale=cell_scale,
        cell_units=cell_units,
        member_psu_cell=member_psu_cell,
        psu_cell_cell=psu_cell_cell,
        domain_responses=domain_responses,
        domain_df=(domain_psus - domain_strata).astype(np.int64),
    )


def build_cell_design(totals: CellLayout, domains: DomainSpec) -> DomainDesign:
    """The (domain, stratum) cells of (cell, domain) pairs of cell totals.

    ``domains`` is over the K cells of ``totals`` (its "responses" are cells,
    e.g. :meth:`CellTotals.leaf_domains`). Raises ``ValueError`` if it names a
    cell ``totals`` lacks, if there are no responses, or if a stratum has a
    single response.
    """
    domains.check_responses(totals.n_cells)
    if totals.n_cells == 0:
        raise ValueError("the survey has no responses")
    n_strata = len(totals.stratum_labels)
    stratum_size = _sum_by(totals.stratum, totals.n.astype(np.float64), n_strata)
    check_psus_per_stratum(stratum_size, totals.stratum_labels, "response")
    member_unit = domains.member_response
    member_domain = domains.member_domain
    n_domains = domains.n_domains
    group_keys, member_group = compact_pairs(
        member_domain, totals.stratum[member_unit], n_strata
    )
    group_domain = group_keys // n_strata
    group_size = stratum_size[group_keys % n_strata]
    member_size = totals.n[member_unit].astype(np.float64)
    domain_responses = _sum_by(member_domain, member_size, n_domains).astype(np.int64)
    domain_strata = np.bincount(group_domain, minlength=n_domains)
    return DomainDesign(
        n_domains=n_domains,
        member_response=member_unit,
        member_domain=member_domain,
        member_cell=member_group,
        cell_domain=group_domain,
        cell_psus=group_size,
        cell_scale=1.0 * group_size / (group_size - 1.0),
        cell_units=_sum_by(member_group, member_size, int(group_keys.size)),
        member_psu_cell=None,
        psu_cell_cell=None,
        domain_responses=domain_responses,
        domain_df=(domain_responses - domain_strata).astype(np.int64),
        member_size=member_size,
    )
