"""The digest's two periods: the last seven whole days and the year so far."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from surveyapp.digest.operations import digest_periods


@pytest.mark.parametrize(
    ("today", "week", "year"),
    [
        (
            date(2026, 12, 7),
            (date(2026, 11, 30), date(2026, 12, 6)),
            (date(2026, 1, 1), date(2026, 12, 6)),
        ),
        # On New Year's Day the week and the "year so far" are last year's.
        (
            date(2027, 1, 1),
            (date(2026, 12, 25), date(2026, 12, 31)),
            (date(2026, 1, 1), date(2026, 12, 31)),
        ),
        (
            date(2027, 1, 3),
            (date(2026, 12, 27), date(2027, 1, 2)),
            (date(2027, 1, 1), date(2027, 1, 2)),
        ),
    ],
)
def test_digest_periods(
    app: Flask, today: date, week: tuple[date, date], year: tuple[date, date]
) -> None:
    with app.app_context():
        got_week, got_year = digest_periods(today)
    assert (got_week.start, got_week.last_day) == week
    assert (got_year.start, got_year.last_day) == year
    assert got_week.kind == got_year.kind == "range"
