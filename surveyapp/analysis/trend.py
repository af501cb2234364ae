"""The monthly trend of the SIPAS index, each month weighted to its own dossiers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import numpy as np
from flask_babel import gettext as _
from numpy.typing import NDArray

from surveyapp.analysis.cells import CellSums
from surveyapp.analysis.prepared import PreparedData, prepare
from surveyapp.analysis.publication import published
from surveyapp.analysis.scores import DEFAULT_COMPOSITE_METHOD, DEFAULT_LEVEL
from surveyapp.analysis.weighting import MonthlyDossiers, weigh_groups
from surveyapp.core.time import Period, shift_month
from surveyapp.core.tree import agency_tree
from surveyapp.models import Agency, Questionnaire
from surveyapp.scoring import ResultRow, estimate_totals


@dataclass(frozen=True)
class TrendPoint:
    """The SIPAS index of one month."""

    month: str
    row: ResultRow | None


T = TypeVar("T")

# Where a trend chart's axis starts at the highest: 50 %, lower for a lower interval.
AXIS_FLOOR = 0.5


def month_so_far(trend_end: date, made_on: date) -> str | None:
    """The trend's last month ("YYYY-MM") when it was still going on the day the
    trend was made: drawn apart, never joined to the whole months."""
    if trend_end == made_on and (trend_end + timedelta(days=1)).day != 1:
        return f"{trend_end:%Y-%m}"
    return None


def month_label(
    month: str, trend_end: date | None, so_far: bool, short: bool = False
) -> str:
    """ "MM/YYYY" ("MM/YY" when `short`), or "to dd/mm" for the month so far."""
    if so_far and trend_end is not None:
        return str(_("to %(day)s", day=f"{trend_end:%d/%m}"))
    return f"{month[5:]}/{month[2:4] if short else month[:4]}"


def axis_floor(lows: Iterable[float]) -> float:
    """Where a trend chart's axis starts: from 50 % or lower, in steps of 10
    points, so every interval drawn fits."""
    return max(0.0, int(min([*lows, AXIS_FLOOR]) * 10) / 10)


def line_runs(
    points: Sequence[T], joined: Callable[[T], bool]
) -> list[list[tuple[int, T]]]:
    """The (index, point) runs of consecutive points the line joins; a point
    not `joined` (no estimate, or the month so far) breaks the line."""
    runs: list[list[tuple[int, T]]] = [[]]
    for i, point in enumerate(points):
        if not joined(point):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((i, point))
    return [run for run in runs if run]


def trend_window(last_month: date, months: int = 12) -> Period:
    """The whole months a trend of `months` months up to `last_month` covers."""
    first = shift_month(last_month.year, last_month.month, 1 - months)
    return Period.months(date(*first, 1), last_month)


def compute_trend(
    root: Agency,
    questionnaire: Questionnaire,
    last_month: date,
    months: int = 12,
    level: float = DEFAULT_LEVEL,
    data: PreparedData | None = None,
) -> list[TrendPoint]:
    """The index of each of the `months` months up to `last_month`, with intervals.

    From `data` when given (it must cover the subtree and the months), else read.
    """
    window = trend_window(last_month, months)
    first = (window.start.year, window.start.month)
    labels = _month_labels(first, months)
    subtree = agency_tree().subtree(root.id)
    if data is None:
        data = prepare(subtree, window, months=window)
    cells = data.within(window, by_month=True).of(questionnaire)
    cells = cells.of_agencies(subtree)
    estimated, leaves, strata, weights = _weigh_months(cells, labels, data.dossiers)
    if not estimated.any():
        return [TrendPoint(label, None) for label in labels]
    try:
        totals = cells.select(estimated).estimable(
            leaves[estimated], strata[estimated], weights[estimated]
        )
        results = estimate_totals(
            totals,
            totals.leaf_domains(include_all=False),
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


def _weigh_months(
    cells: CellSums, labels: list[str], dossiers: MonthlyDossiers
) -> tuple[
    NDArray[np.bool_], NDArray[np.object_], NDArray[np.object_], NDArray[np.float64]
]:
    """Each cell's month label, stratum and weight, and whether its month has
    enough responses to estimate.

    Each month is weighted to its own dossier counts, in strata of its own, so
    a point of the trend equals that month's index on the dashboard. Only the
    keys are cut by month: the cross-products stay where they are.
    """
    leaves = np.empty(len(cells), dtype=object)
    strata = np.empty(len(cells), dtype=object)
    weights = np.zeros(len(cells))
    estimated = np.zeros(len(cells), dtype=bool)
    for label in labels:
        year, month = (int(part) for part in label.split("-"))
        rows = np.flatnonzero(cells.month == year * 100 + month)
        if cells.n[rows].sum() < 2:
            continue  # too few to estimate; the point stays empty
        period = Period.month(year, month)
        weighting = weigh_groups(
            cells.agency_id[rows],
            cells.field_id[rows],
            cells.n[rows],
            period.start,
            period.end,
            dossiers,
        )
        estimated[rows] = True
        leaves[rows] = label
        strata[rows] = [f"{label}|{stratum}" for stratum in weighting.strata]
        weights[rows] = weighting.weights
    return estimated, leaves, strata, weights


def _month_labels(first: tuple[int, int], months: int) -> list[str]:
    """The label ("YYYY-MM") of each of `months` months from `first` on."""
    return ["{}-{:02d}".format(*shift_month(*first, i)) for i in range(months)]
