"""Change against the previous period and the same period a year earlier.

The periods hold different responses (disjoint samples), so a row's change is
the difference of two independent estimates with its interval
(:func:`surveyapp.scoring.change.difference`), and a marker is earned only when
that interval excludes 0. Rows the reliability rules hide are never compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from surveyapp.analysis.prepared import PreparedData
from surveyapp.analysis.scores import DEFAULT_LEVEL, Scores, compute_scores
from surveyapp.core.time import Period, PeriodError, shift_month
from surveyapp.scoring import IntervalMethod, ResultRow
from surveyapp.scoring.change import Difference, difference


def previous_period(period: Period) -> Period | None:
    """The period of the same kind just before `period` (None: before any year
    the app accepts)."""
    try:
        if period.kind == "year":
            return Period.year(period.start.year - 1)
        if period.kind == "quarter":
            year, month = shift_month(period.start.year, period.start.month, -3)
            return Period.quarter(year, (month - 1) // 3 + 1)
        if period.kind == "month":
            return Period.month(*shift_month(period.start.year, period.start.month, -1))
        length = period.end - period.start
        return Period.between(
            period.start - length, period.start - (period.end - period.last_day)
        )
    except PeriodError:
        return None


def year_earlier(period: Period) -> Period | None:
    """The same period a year before (a 29 February becomes the 28th)."""
    try:
        if period.kind == "year":
            return Period.year(period.start.year - 1)
        if period.kind == "quarter":
            return Period.quarter(
                period.start.year - 1, (period.start.month - 1) // 3 + 1
            )
        if period.kind == "month":
            return Period.month(period.start.year - 1, period.start.month)
        return Period.between(_year_before(period.start), _year_before(period.last_day))
    except PeriodError:
        return None


def _year_before(day: date) -> date:
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


@dataclass(frozen=True)
class Comparison:
    """The chosen period's scores beside the previous period and a year earlier."""

    scores: Scores
    previous: Scores | None
    year_ago: Scores | None

    def earlier(self) -> list[tuple[str, Period]]:
        """The earlier periods a page shows: ("previous", period), and
        ("year_ago", period) when that is another period (not for a year)."""
        shown = []
        if self.previous is not None:
            shown.append(("previous", self.previous.period))
        if self.year_ago is not None and (
            self.previous is None or self.year_ago.period != self.previous.period
        ):
            shown.append(("year_ago", self.year_ago.period))
        return shown

    def row_in(
        self, which: str, domain: str, level: str, code: str
    ) -> ResultRow | None:
        """The row of the "previous" or "year_ago" period."""
        earlier = self.previous if which == "previous" else self.year_ago
        return earlier.row(domain, level, code) if earlier else None

    def change_in(
        self, which: str, domain: str, level: str, code: str
    ) -> Difference | None:
        """The change since the "previous" or "year_ago" period; None when
        either side is not shown."""
        now = self.scores.row(domain, level, code)
        then = self.row_in(which, domain, level, code)
        return compared(now, then, self.scores.level)

    def json_rows(self) -> list[dict[str, Any]]:
        """The published rows of the root, each with its earlier values and changes."""
        rows = []
        for row in self.scores.published_rows():
            key = (row["domain"], row["level"], row["code"])
            rows.append(
                {
                    **row,
                    "previous": _earlier(self.row_in("previous", *key)),
                    "year_ago": _earlier(self.row_in("year_ago", *key)),
                    "change": _change(self.change_in("previous", *key)),
                    "change_year": _change(self.change_in("year_ago", *key)),
                }
            )
        return rows


def compare(
    scores: Scores,
    previous: PreparedData | None,
    year_ago: PreparedData | None,
) -> Comparison:
    """`scores` beside the same questionnaire's scores of the root in the earlier
    periods (from their prepared data; None: that period is out of range)."""
    earlier: list[Scores | None] = []
    for data in (previous, year_ago):
        if data is None:
            earlier.append(None)
            continue
        earlier.append(
            compute_scores(
                scores.root,
                data.period,
                scores.questionnaire,
                cast(IntervalMethod, scores.method),
                scores.level,
                data=data,
                subtree_domains=False,
            )
        )
    return Comparison(scores, earlier[0], earlier[1])


def compared(
    now: ResultRow | None, then: ResultRow | None, level: float = DEFAULT_LEVEL
) -> Difference | None:
    """The change from `then` to `now`, both published rows; None when either
    has no estimate (no data, or hidden by the rules)."""
    if now is None or then is None:
        return None
    sides = []
    for row in (now, then):
        if row["estimate"] is None or row["se"] is None or row["df"] < 1:
            return None
        sides.append((row["estimate"], row["se"], float(row["df"])))
    return difference(sides[0], sides[1], level)


def _earlier(row: ResultRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"estimate": row["estimate"], "se": row["se"], "n": row["n"]}


def _change(change: Difference | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "estimate": change.estimate,
        "ci_low": change.ci_low,
        "ci_high": change.ci_high,
        "significant": change.significant,
    }
