"""Time and periods: local days, UTC instants, and the periods results are asked for.

Responses are stored in UTC; every period is whole local days in the app's time
zone (``BABEL_DEFAULT_TIMEZONE``), so a year is a local year everywhere: on the
dashboard, in the exports, in the CLI and in finalisation.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

#: The years a period or a dossier count may lie in. Far years overflow time-zone
#: arithmetic, and there were no SIPAS surveys before 2000.
FIRST_YEAR, LAST_YEAR = 2000, 2999


class PeriodError(ValueError):
    """A period that cannot be (the message says why)."""


def app_zone() -> ZoneInfo:
    """The time zone periods are counted in."""
    return ZoneInfo(str(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def as_utc(moment: datetime) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite hands back naive ones)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(moment: datetime) -> datetime:
    """A stored UTC instant in the app's time zone."""
    return as_utc(moment).astimezone(app_zone())


def local_day(moment: datetime) -> date:
    """The local calendar day of a stored UTC instant."""
    return local_time(moment).date()


def local_month(moment: datetime) -> str:
    """The local month of a stored UTC instant, as YYYY-MM."""
    return local_time(moment).strftime("%Y-%m")


def local_today() -> date:
    """Today in the app's time zone (the server's clock may be in UTC)."""
    return datetime.now(app_zone()).date()


def check_year(year: int) -> None:
    """Raise PeriodError unless `year` lies between FIRST_YEAR and LAST_YEAR."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"a year must lie between {FIRST_YEAR} and {LAST_YEAR}")


@dataclass(frozen=True)
class Period:
    """Whole days [start, end) in the local time zone, with a display label."""

    start: date
    end: date
    kind: str
    label: str

    def __post_init__(self) -> None:
        check_year(self.start.year)
        check_year(self.last_day.year)

    @classmethod
    def year(cls, year: int) -> Period:
        check_year(year)
        return cls(date(year, 1, 1), date(year + 1, 1, 1), "year", str(year))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise PeriodError(f"quarter must be 1 to 4, not {quarter}")
        check_year(year)
        first = 3 * (quarter - 1) + 1
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, first + 3, 1)
        return cls(date(year, first, 1), end, "quarter", f"Q{quarter}/{year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"month must be 1 to 12, not {month}")
        check_year(year)
        days = calendar.monthrange(year, month)[1]
        return cls(
            date(year, month, 1),
            date(year, month, days) + timedelta(days=1),
            "month",
            f"{month:02d}/{year}",
        )

    @classmethod
    def between(cls, first_day: date, last_day: date) -> Period:
        if last_day < first_day:
            raise PeriodError("the end date is before the start date")
        check_year(last_day.year)
        return cls(
            first_day,
            last_day + timedelta(days=1),
            "range",
            f"{first_day:%d/%m/%Y}–{last_day:%d/%m/%Y}",
        )

    @classmethod
    def months(cls, first: date, last: date) -> Period:
        """The whole local months from `first`'s month to `last`'s month."""
        start = first.replace(day=1)
        end = Period.month(last.year, last.month).end
        return cls(start, end, "range", f"{start:%m/%Y}–{last:%m/%Y}")

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period's first and last instants, local midnight to local midnight."""
        zone = app_zone()
        return (
            datetime.combine(self.start, time(0), zone).astimezone(UTC),
            datetime.combine(self.end, time(0), zone).astimezone(UTC),
        )

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def month_span(self) -> tuple[int, int] | None:
        """(first, last) month as YYYYMM when the period is whole months, else None."""
        if self.start.day != 1 or self.end.day != 1:
            return None
        last = self.last_day
        return month_number(self.start), month_number(last)


def month_number(day: date | datetime) -> int:
    """The month of `day` as YYYYMM (the key of response cells)."""
    return day.year * 100 + day.month


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) `delta` months after the given month (negative: before)."""
    year_shift, month_index = divmod(month - 1 + delta, 12)
    return year + year_shift, month_index + 1
