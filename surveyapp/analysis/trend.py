"""The monthly trend of the SIPAS index, each month weighted to its own dossiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from surveyapp.analysis.publication import published
from surveyapp.analysis.rows import load_rows
from surveyapp.analysis.scores import DEFAULT_COMPOSITE_METHOD, DEFAULT_LEVEL
from surveyapp.analysis.weighting import weigh_responses
from surveyapp.core.time import Period, local_month, shift_month
from surveyapp.core.tree import subtree_ids
from surveyapp.models import (
    Agency,
    Questionnaire,
)
from surveyapp.scoring import (
    DomainSpec,
    ResultRow,
    SurveyData,
    estimate,
)


@dataclass(frozen=True)
class TrendPoint:
    """The SIPAS index of one month."""

    month: str
    row: ResultRow | None


def compute_trend(
    root: Agency,
    questionnaire: Questionnaire,
    last_month: date,
    months: int = 12,
    level: float = DEFAULT_LEVEL,
) -> list[TrendPoint]:
    """The index of each of the `months` months up to `last_month`, with intervals."""
    first = shift_month(last_month.year, last_month.month, 1 - months)
    labels = _month_labels(first, months)
    window = Period.months(date(*first, 1), last_month)
    rows = load_rows(subtree_ids(root.id), questionnaire, window)
    if len(rows) < 2:
        return [TrendPoint(label, None) for label in labels]
    month_of = np.array([local_month(m) for m in rows.submitted_at], dtype=object)
    # Each month is weighted to its own dossier counts, in strata of its own, so
    # a point of the trend equals that month's index on the dashboard.
    keep: list[NDArray[np.intp]] = []
    weights: list[NDArray[np.float64]] = []
    strata: list[str] = []
    for label in labels:
        members = np.flatnonzero(month_of == label)
        if members.size < 2:
            continue  # too few to estimate; the point stays empty
        year, month = (int(part) for part in label.split("-"))
        period = Period.month(year, month)
        weighting = weigh_responses(
            [rows.agency_ids[i] for i in members],
            [rows.field_codes[i] for i in members],
            period.start,
            period.end,
        )
        keep.append(members)
        weights.append(weighting.weights)
        strata.extend(f"{label}|{stratum}" for stratum in weighting.strata)
    if not keep:
        return [TrendPoint(label, None) for label in labels]
    chosen = np.concatenate(keep)
    try:
        data = SurveyData.from_arrays(
            rows.answers[chosen],
            rows.columns,
            np.concatenate(weights),
            np.array(strata, dtype=object),
        )
        results = estimate(
            data,
            DomainSpec.from_labels(month_of[chosen], include_all=False),
            level=level,
            composite_method=DEFAULT_COMPOSITE_METHOD,
        )
    except ValueError:
        return [TrendPoint(label, None) for label in labels]
    by_month = {
        row["domain"]: published(row)
        for row in results.rows()
        if row["level"] == "index"
    }
    return [TrendPoint(label, by_month.get(label)) for label in labels]


def _month_labels(first: tuple[int, int], months: int) -> list[str]:
    """The label ("YYYY-MM") of each of `months` months from `first` on."""
    return ["{}-{:02d}".format(*shift_month(*first, i)) for i in range(months)]
