"""The QĐ 766/QĐ-TTg indicator "tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC".

QĐ 766 (2022) scores provinces on (dossiers − dossiers rated dissatisfied) ÷
dossiers. We compute it over the dossiers actually rated, that is the responses
given with a receipt QR code (channel "receipt", one per dossier):

- rated: receipt responses of the agency's subtree submitted in the period, less
  those excluded from scores as anomalous (``counts_in_scores``);
- dissatisfied: rated responses where at least one factor's mean, over the items
  answered (1..5; "no opinion" left out), is below 3;
- share = (rated − dissatisfied) ÷ rated, with an exact Clopper–Pearson 95 %
  interval (Clopper & Pearson 1934): every rated dossier counts once, so the
  binomial model holds without weights.

Dossiers that were complained about or overdue also count as dissatisfied in the
official definition; the platform does not know them.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats
from sqlalchemy import func, select

from surveyapp.analysis.selection import counts_in_scores
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, Answer, Channel, Criterion, Response

LEVEL = 0.95
DISSATISFIED_BELOW = 3


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


def indicator_766(agency: Agency, period: Period) -> Indicator766:
    """The indicator for `agency`'s subtree in `period` (share None if none rated)."""
    start, end = period.utc_bounds()
    chosen = (
        Response.channel == Channel.RECEIPT,
        Response.agency_id.in_(subtree_ids(agency.id)),
        Response.submitted_at >= start,
        Response.submitted_at < end,
        counts_in_scores(),
    )
    rated = db.session.scalar(select(func.count(Response.id)).where(*chosen)) or 0
    low_factors = (
        select(Answer.response_id)
        .join(Response, Answer.response_id == Response.id)
        .join(Criterion, Answer.criterion_id == Criterion.id)
        .where(*chosen, Answer.value.is_not(None))
        .group_by(Answer.response_id, Criterion.factor_id)
        .having(func.avg(Answer.value) < DISSATISFIED_BELOW)
        .subquery()
    )
    dissatisfied = (
        db.session.scalar(select(func.count(func.distinct(low_factors.c.response_id))))
        or 0
    )
    if not rated:
        return Indicator766(0, 0, None, None, None)
    satisfied = rated - dissatisfied
    low, high = clopper_pearson(satisfied, rated)
    return Indicator766(rated, dissatisfied, satisfied / rated, low, high)
