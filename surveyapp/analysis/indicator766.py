"""The QĐ 766/QĐ-TTg indicator "tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC".

QĐ 766 (2022) scores provinces on (dossiers − dossiers rated dissatisfied) ÷
dossiers. We compute it over the dossiers actually rated, that is the responses
given with a receipt QR code (channel "receipt", one per dossier):

- rated: receipt responses of the agency's subtree submitted in the period, less
  those excluded from scores as anomalous (``counts_in_scores``);
- dissatisfied: rated responses where at least one factor's mean, over the items
  answered (1..5; "no opinion" left out), is below 3
  (:func:`surveyapp.analysis.cells.dissatisfied`, counted into each cell);
- share = (rated − dissatisfied) ÷ rated, with an exact Clopper–Pearson 95 %
  interval (Clopper & Pearson 1934): every rated dossier counts once, so the
  binomial model holds without weights.

Dossiers that were complained about or overdue also count as dissatisfied in the
official definition; the platform does not know them.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats

from surveyapp.analysis.prepared import PreparedData, prepare
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.models import Agency

LEVEL = 0.95


@dataclass(frozen=True)
class Indicator766:
    """Dossiers rated, dissatisfied, and the satisfied share with its interval."""

    rated: int
    dissatisfied: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    level: float = LEVEL

    @property
    def satisfied(self) -> int:
        return self.rated - self.dissatisfied


def clopper_pearson(
    successes: int, trials: int, level: float = LEVEL
) -> tuple[float, float]:
    """The exact binomial interval for `successes` out of `trials` (> 0)."""
    alpha = 1 - level
    low = (
        0.0
        if successes == 0
        else float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    )
    high = (
        1.0
        if successes == trials
        else float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    )
    return low, high


def indicator_766(
    agency: Agency, period: Period, data: PreparedData | None = None
) -> Indicator766:
    """The indicator for `agency`'s subtree in `period` (share None if none rated).

    From `data` when given (it must cover the subtree and period), else read.
    """
    subtree = subtree_ids(agency.id)
    if data is None:
        data = prepare(subtree, period)
    elif data.period != period:
        data = data.within(period)
    rated = dissatisfied = 0
    for sums in data.sums.values():
        inside = sums.of_agencies(subtree)
        rated += int(inside.receipt.sum())
        dissatisfied += int(inside.receipt_dissatisfied.sum())
    if not rated:
        return Indicator766(0, 0, None, None, None)
    satisfied = rated - dissatisfied
    low, high = clopper_pearson(satisfied, rated)
    return Indicator766(rated, dissatisfied, satisfied / rated, low, high)
