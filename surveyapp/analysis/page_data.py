"""THE reads of a page or a yearly report: the period, its trend's months and the
earlier periods its changes are measured against, read once when they allow.

The dashboard, its JSON and the yearly exports read through :func:`read_page_data`,
so the trend, QĐ 766 and the change against earlier periods they show are
computed from the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from surveyapp.analysis.change import previous_period, year_earlier
from surveyapp.analysis.prepared import PreparedData, prepare
from surveyapp.analysis.trend import trend_window
from surveyapp.core.time import Period, local_today
from surveyapp.core.tree import subtree_ids
from surveyapp.models import Agency


@dataclass(frozen=True)
class PageData:
    """A page's reads: the period, the trend's months and the earlier periods
    its changes are measured against (None: before any year the app keeps)."""

    period: PreparedData
    trend: PreparedData
    previous: PreparedData | None
    year_ago: PreparedData | None
    # The trend's last day: the period's, or today while the period lasts.
    trend_end: date


def read_page_data(agency: Agency, period: Period) -> PageData:
    """Everything of `agency`'s subtree a page shows, read once when every
    period is whole months (a date range reads each period on its own)."""
    subtree = subtree_ids(agency.id)
    trend_end = min(period.last_day, local_today())
    window = trend_window(trend_end)
    earlier = (previous_period(period), year_earlier(period))
    periods = [period, window, *(p for p in earlier if p)]
    if any(p.month_span() is None for p in periods):
        in_period, in_window = (
            prepare(subtree, period),
            prepare(subtree, window, months=window),
        )
        previous, year_ago = (prepare(subtree, p) if p else None for p in earlier)
    else:
        span = Period.months(
            min(p.start for p in periods), max(p.last_day for p in periods)
        )
        data = prepare(subtree, span, months=window)
        in_period, in_window = data.within(period), data.within(window, by_month=True)
        previous, year_ago = (data.within(p) if p else None for p in earlier)
    return PageData(in_period, in_window, previous, year_ago, trend_end)
