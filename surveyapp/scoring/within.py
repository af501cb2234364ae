"""The within-cell part of linearised variances estimated from cell totals.

Inside a cell k of :class:`~surveyapp.scoring.totals.CellTotals` every
response has the weight w_k, so its influence value for a share, a factor or
the index of a domain is (:mod:`surveyapp.scoring.estimates`)

    z_i = w_k (alpha' y_i - beta' u_i),

with ``y_i`` its satisfied indicators, ``u_i = x_i - y_i`` its answered but not
satisfied indicators (a criterion is never both), and per domain
``alpha_c = (1 - P_c) / X_c``, ``beta_c = P_c / X_c`` times the composite's
weights. The squared deviations from the cell's mean add up to

    sum_i (z_i - mean_k z)^2 = w_k^2 / n_k  v' S_k v,   v = (alpha, -beta),
    S_k = n_k G_k - T_k T_k',

where G_k holds the cross-products of (y, u) and T_k = (Y_k, U_k) their totals,
integers from the totals (u = x - y). The variance wants these summed over the
domain's cells times n_h / (n_h - 1) (:mod:`surveyapp.scoring.variance`): so
``W_d = sum_k c_k S_k`` with ``c_k = n_h / (n_h - 1) w_k^2 / n_k`` is formed
once per domain, then ``v' W_d v`` for every composite.

Why (y, u) rather than (y, x): for one criterion every term of ``v' S v`` is
then non-negative, so shares lose no digits to cancellation; and where
everyone who answered is satisfied, alpha = 0 and U = 0 make it exactly 0.

Where the influence values of a composite are (nearly) equal inside every cell
(e.g. two responses satisfied on complementary criteria), its terms cancel and
double precision leaves noise of 1e-16 of their size, where the row formula,
summing squared deviations, leaves (1e-16)^2. For a domain whose variance is
below :data:`CANCELLATION` of the size of its terms, the form is recomputed
cell by cell from the integer S_k with error-free products (Dekker 1971,
*Numer. Math.* 18:224-242) and an exactly rounded sum (``math.fsum``), so a
zero variance stays below the zero threshold and a tiny one is accurate. Only
such domains go through that Python loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from surveyapp.scoring.domains import DomainSpec
from surveyapp.scoring.totals import CellTotals

FloatArray = NDArray[np.float64]

#: Recompute a domain's form exactly when the variance is below this share of
#: the summed size of its terms.
CANCELLATION = 1e-2
#: Veltkamp's splitting constant for float64, 2^27 + 1.
_SPLITTER = 134217729.0


@dataclass(frozen=True, eq=False)
class WithinCells:
    """``W_d`` of each domain, and what recomputing it cell by cell needs.

    - ``yy``, ``yu``, ``uu``: float64 (D, C, C), the blocks of ``W_d``.
    - ``totals``: the cell totals; ``coefficient``: float64 (K,), c_k.
    - ``domain_cells``: int64 (M,) the cells of each domain in turn, domain d's
      from ``domain_start[d]`` to ``domain_start[d + 1]`` (D + 1,).
    """

    yy: FloatArray
    yu: FloatArray
    uu: FloatArray
    totals: CellTotals
    coefficient: FloatArray
    domain_cells: NDArray[np.int64]
    domain_start: NDArray[np.int64]

    def variance(
        self,
        alpha: FloatArray,
        beta: FloatArray,
        columns: NDArray[np.int64],
        between: FloatArray,
    ) -> FloatArray:
        """Within-cell variance (D,) of ``z = w (alpha'y - beta'u)``.

        ``alpha``, ``beta`` (D, J) weigh the criteria ``columns`` (J,);
        ``between`` (D,) is the between-cells part of the same variance, which
        decides where the terms cancel too much for double precision.
        """
        block = np.ix_(np.arange(self.yy.shape[0]), columns, columns)
        alpha_row, alpha_col = alpha[:, :, None], alpha[:, None, :]
        beta_row, beta_col = beta[:, :, None], beta[:, None, :]
        yy = (alpha_row * alpha_col) * self.yy[block]
        yu = (alpha_row * beta_col) * self.yu[block]
        uu = (beta_row * beta_col) * self.uu[block]
        within = np.asarray((yy - 2.0 * yu + uu).sum(axis=(1, 2)), dtype=np.float64)
        size = (np.abs(yy) + 2.0 * np.abs(yu) + np.abs(uu)).sum(axis=(1, 2))
        for domain in np.flatnonzero(between + within < CANCELLATION * size):
            within[domain] = self._accurate(
                int(domain), alpha[domain], beta[domain], columns
            )
        return within

    def _accurate(
        self,
        domain: int,
        alpha: FloatArray,
        beta: FloatArray,
        columns: NDArray[np.int64],
    ) -> float:
        """``sum_k c_k v' S_k v`` for one domain, with an error of about 1e-32
        of the size of its terms."""
        start, end = self.domain_start[domain], self.domain_start[domain + 1]
        cells = self.domain_cells[start:end]
        scatter = _scatter(self.totals, cells)[:, :, columns][:, :, :, columns]
        weighted_hi, weighted_lo = _two_product(
            self.coefficient[cells, None, None, None], scatter
        )
        pieces: list[FloatArray] = []
        pairs = ((alpha, alpha), (alpha, -2.0 * beta), (beta, beta))
        for block, (left, right) in enumerate(pairs):
            outer_hi, outer_lo = _two_product(left[:, None], right[None, :])
            hi, lo = _two_product(outer_hi, weighted_hi[:, block])
            pieces += [
                hi,
                lo,
                outer_hi * weighted_lo[:, block],
                outer_lo * weighted_hi[:, block],
            ]
        return math.fsum(np.concatenate([piece.ravel() for piece in pieces]).tolist())


def within_cells(
    totals: CellTotals,
    domains: DomainSpec,
    chunk: int = 512,
    *,
    stratum_size: FloatArray | None = None,
) -> WithinCells:
    """The :class:`WithinCells` of each domain of ``domains`` (over the cells).

    The scatter of cells is formed ``chunk`` cells at a time (small enough to
    stay in cache) and summed into the domains of those cells through a sparse
    membership matrix. ``stratum_size`` (H,): the responses n_h of each stratum
    in the whole sample, when ``totals`` holds only part of it (one
    questionnaire version of a pooled estimate); by default its own.
    """
    n_criteria = totals.n_criteria
    size = totals.n.astype(np.float64)
    n_strata = len(totals.stratum_labels)
    sizes: FloatArray = (
        np.bincount(totals.stratum, weights=size, minlength=n_strata).astype(np.float64)
        if stratum_size is None
        else stratum_size
    )
    scale = sizes[totals.stratum] / (sizes[totals.stratum] - 1.0)
    coefficient = scale * totals.weight * totals.weight / size
    # Pairs by cell, so that a chunk of cells is a range of pairs; each chunk
    # adds into the domains it touches only.
    by_cell = np.argsort(domains.member_response, kind="stable")
    pair_cell = domains.member_response[by_cell]
    pair_domain = domains.member_domain[by_cell]
    starts = np.arange(0, totals.n_cells + chunk, chunk)
    bounds = np.searchsorted(pair_cell, starts)
    summed = np.zeros((domains.n_domains, 3 * n_criteria * n_criteria))
    for i, start in enumerate(starts[:-1]):  # chunks of cells
        cells = np.arange(start, min(start + chunk, totals.n_cells))
        pairs = slice(bounds[i], bounds[i + 1])
        touched, local = np.unique(pair_domain[pairs], return_inverse=True)
        membership = sparse.csr_array(
            (np.ones(local.size), (local.reshape(-1), pair_cell[pairs] - start)),
            shape=(touched.size, cells.size),
        )
        scatter = _scatter(totals, cells).reshape(cells.size, -1)
        summed[touched] += membership @ (coefficient[cells, None] * scatter)
    blocks = summed.reshape(domains.n_domains, 3, n_criteria, n_criteria)
    order = np.argsort(domains.member_domain, kind="stable")
    return WithinCells(
        yy=blocks[:, 0],
        yu=blocks[:, 1],
        uu=blocks[:, 2],
        totals=totals,
        coefficient=coefficient,
        domain_cells=domains.member_response[order],
        domain_start=np.searchsorted(
            domains.member_domain[order], np.arange(domains.n_domains + 1)
        ).astype(np.int64),
    )


def _scatter(totals: CellTotals, cells: NDArray[np.int64]) -> FloatArray:
    """``n_k G_k - T_k T_k'`` blocks yy, yu, uu of some cells, (k, 3, C, C).

    Integer arithmetic in float64 (exact below 2^53, i.e. up to 94 million
    responses in a cell), so a cell whose responses all answered alike gives
    exactly 0.
    """
    n = totals.n[cells].astype(np.float64)[:, None, None]
    satisfied = totals.satisfied[cells].astype(np.float64)
    unsatisfied = totals.answered[cells] - totals.satisfied[cells]
    unsatisfied = unsatisfied.astype(np.float64)
    yy = totals.yy[cells].astype(np.float64)
    yx = totals.yx[cells].astype(np.float64)
    out = np.empty((cells.size, 3, *yy.shape[1:]))
    # yy block: n yy - Y Y'
    np.multiply(n, yy, out=out[:, 0])
    out[:, 0] -= satisfied[:, :, None] * satisfied[:, None, :]
    # yu block, with sum y_c u_e = yx - yy: n (yx - yy) - Y U'
    np.subtract(yx, yy, out=out[:, 1])
    out[:, 1] *= n
    out[:, 1] -= satisfied[:, :, None] * unsatisfied[:, None, :]
    # uu block, with sum u_c u_e = xx - yx - yx' + yy: n (...) - U U'
    np.subtract(totals.xx[cells], yx, out=out[:, 2])
    out[:, 2] -= yx.transpose(0, 2, 1)
    out[:, 2] += yy
    out[:, 2] *= n
    out[:, 2] -= unsatisfied[:, :, None] * unsatisfied[:, None, :]
    return out


def _two_product(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``x * y`` as ``hi + lo`` exactly (Dekker's product), broadcast."""
    product = x * y
    x_hi, x_lo = _split(x)
    y_hi, y_lo = _split(y)
    error = ((x_hi * y_hi - product) + x_hi * y_lo + x_lo * y_hi) + x_lo * y_lo
    return product, error


def _split(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Veltkamp's split of x into two halves of 26 significant bits."""
    scaled = _SPLITTER * x
    hi = scaled - (scaled - x)
    return hi, x - hi
