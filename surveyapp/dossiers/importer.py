"""Dossier counts from one-stop software: read, check and store an upload.

An upload is all or nothing. Every row is checked and every problem is reported with
its line as the user sees it in the file (the header is line 1), its column and the
reason; a file with any problem stores nothing. A clean file replaces the count of
each (agency, service field, year, month) it names and adds the others, in the
caller's transaction: the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from surveyapp.core.time import FIRST_YEAR
from surveyapp.core.uploads import (
    Message,
    RowError,
    UploadError,
    cell_text,
    fail,
    fold_header,
    is_blank,
    missing_columns,
    read_lines,
)
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    DossierCount,
    ServiceField,
    utc_now,
)

MAX_ROWS = 100_000
# The column is an INTEGER; a larger count would fail in the database, not here.
MAX_DOSSIERS = 2**31 - 1
# Long enough for any real count or year, short enough for int() to stay cheap.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")

# Field -> accepted headers, compared without case, diacritics, "_" or extra spaces.
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency_code": ("agency_code", "ma_co_quan"),
    "service_field_code": ("service_field_code", "ma_linh_vuc"),
    "year": ("year", "nam"),
    "month": ("month", "thang"),
    "dossiers": ("dossiers", "so_ho_so"),
}


@dataclass(frozen=True)
class CountRow:
    """A checked row: ids resolved, numbers in range."""

    line: int
    agency_id: int
    service_field_id: int
    year: int
    month: int
    dossiers: int

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.agency_id, self.service_field_id, self.year, self.month)


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored."""

    file_format: str
    rows: int
    inserted: int
    updated: int
    dossiers: int
    years: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        """For the audit log (JSON)."""
        details = asdict(self)
        details["years"] = list(self.years)
        return details

    def __str__(self) -> str:
        return (
            f"{self.rows} rows imported: {self.inserted} new, {self.updated} "
            f"updated, {self.dossiers} dossiers in total"
        )


# Reading ---------------------------------------------------------------------------


# Checking --------------------------------------------------------------------------


HEADER_FIELDS = {
    fold_header(name): field for field, names in COLUMNS.items() for name in names
}


def _whole_number(cell: object) -> int | None:
    """An int from "12", 12 or 12.0; None for anything else (12.5, "1,200", True)."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    if isinstance(cell, str) and WHOLE_NUMBER.fullmatch(cell.strip()):
        return int(cell.strip())
    return None


class _Codes:
    """Code -> id, exact first, then ignoring case when that is unambiguous."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        self.exact = {code: row_id for code, row_id in pairs}
        self.folded: dict[str, int | None] = {}
        for code, row_id in self.exact.items():
            key = code.casefold()
            self.folded[key] = None if key in self.folded else row_id

    def get(self, code: str) -> int | None:
        found = self.exact.get(code)
        return found if found is not None else self.folded.get(code.casefold())


def _columns(line: int, cells: Sequence[object]) -> tuple[dict[str, int], list[str]]:
    """Field -> position and the headers as written; UploadError if unusable."""
    positions: dict[str, int] = {}
    headers = [cell_text(cell) for cell in cells]
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        field = HEADER_FIELDS.get(fold_header(header))
        if field is None:
            continue  # other columns (agency names, notes) are allowed and ignored
        if field in positions:
            reason = _l("This column appears twice in the header.")
            errors.append(RowError(line, header, reason))
        positions[field] = index
    lacking = missing_columns(COLUMNS, positions, line)
    if lacking is not None:
        errors.append(lacking)
    if errors:
        raise UploadError(errors)
    return positions, headers


def _code_check(
    codes: _Codes, unknown: Callable[[str], Message]
) -> Callable[[object], tuple[int | None, Message | None]]:
    def check(cell: object) -> tuple[int | None, Message | None]:
        code = cell_text(cell)
        if not code:
            return None, _l("This cell is empty.")
        found = codes.get(code)
        return (found, None) if found is not None else (None, unknown(code))

    return check


def _number_check(
    low: int, high: int, reason: Message
) -> Callable[[object], tuple[int | None, Message | None]]:
    def check(cell: object) -> tuple[int | None, Message | None]:
        if cell_text(cell) == "":
            return None, _l("This cell is empty.")
        number = _whole_number(cell)
        if number is None or not low <= number <= high:
            return None, reason
        return number, None

    return check


class _RowChecker:
    """Checks data rows one by one, remembering keys to find duplicates."""

    def __init__(self, positions: dict[str, int], headers: list[str]) -> None:
        self.positions = positions
        self.headers = headers
        last_year = datetime.now(UTC).year + 1
        agencies = _Codes(db.session.execute(select(Agency.code, Agency.id)).tuples())
        fields = _Codes(
            db.session.execute(select(ServiceField.code, ServiceField.id)).tuples()
        )
        self.checks = {
            "agency_code": _code_check(
                agencies, lambda code: _l("Unknown agency code “%(code)s”.", code=code)
            ),
            "service_field_code": _code_check(
                fields,
                lambda code: _l("Unknown service field code “%(code)s”.", code=code),
            ),
            "year": _number_check(
                FIRST_YEAR,
                last_year,
                _l(
                    "The year must be a whole number from %(first)d to %(last)d.",
                    first=FIRST_YEAR,
                    last=last_year,
                ),
            ),
            "month": _number_check(
                1, 12, _l("The month must be a whole number from 1 to 12.")
            ),
            "dossiers": _number_check(
                0,
                MAX_DOSSIERS,
                _l("The number of dossiers must be a whole number, 0 or more."),
            ),
        }
        self.seen: dict[tuple[int, int, int, int], int] = {}

    def check(
        self, line: int, cells: Sequence[object]
    ) -> tuple[CountRow | None, list[RowError]]:
        """The checked row, or None and every problem of the line."""
        values: dict[str, int] = {}
        errors: list[RowError] = []
        for field, check in self.checks.items():
            index = self.positions[field]
            value, reason = check(cells[index] if index < len(cells) else None)
            if reason is not None:
                errors.append(RowError(line, self.headers[index], reason))
            elif value is not None:
                values[field] = value
        if errors:
            return None, errors
        row = CountRow(
            line,
            agency_id=values["agency_code"],
            service_field_id=values["service_field_code"],
            year=values["year"],
            month=values["month"],
            dossiers=values["dossiers"],
        )
        earlier = self.seen.setdefault(row.key, line)
        if earlier != line:
            reason = _l(
                "Same agency, service field, year and month as line %(line)d.",
                line=earlier,
            )
            return None, [RowError(line, "", reason)]
        return row, []


def check_file(data: bytes, filename: str) -> tuple[str, list[CountRow]]:
    """The format and the checked rows; UploadError listing every problem.

    The reader stops at MAX_ROWS lines below the header, blank ones counted.
    """
    file_format, lines = read_lines(data, filename, MAX_ROWS)
    checker: _RowChecker | None = None
    rows: list[CountRow] = []
    errors: list[RowError] = []
    data_lines = 0
    for line, cells in lines:
        if is_blank(cells):
            continue
        if checker is None:
            checker = _RowChecker(*_columns(line, cells))
            continue
        data_lines += 1
        row, problems = checker.check(line, cells)
        errors.extend(problems)
        if row is not None:
            rows.append(row)
    if checker is None:
        fail(_l("The file is empty."))
    if not data_lines:
        fail(_l("The file has a header row but no data rows."))
    if errors:
        raise UploadError(errors)
    return file_format, rows


# Storing ---------------------------------------------------------------------------


def store_counts(rows: Sequence[CountRow], file_format: str = "") -> ImportSummary:
    """Insert new keys and replace the dossiers of known ones; the caller commits."""
    existing: dict[tuple[int, int, int, int], int] = {}
    if rows:
        found = db.session.execute(
            select(
                DossierCount.agency_id,
                DossierCount.service_field_id,
                DossierCount.year,
                DossierCount.month,
                DossierCount.id,
            ).where(
                DossierCount.agency_id.in_({row.agency_id for row in rows}),
                DossierCount.year.in_({row.year for row in rows}),
            )
        )
        existing = {(a, f, y, m): row_id for a, f, y, m, row_id in found.tuples()}
    now = utc_now()
    new = [
        {
            "agency_id": row.agency_id,
            "service_field_id": row.service_field_id,
            "year": row.year,
            "month": row.month,
            "dossiers": row.dossiers,
            "uploaded_at": now,
        }
        for row in rows
        if row.key not in existing
    ]
    changed = [
        {"id": existing[row.key], "dossiers": row.dossiers, "uploaded_at": now}
        for row in rows
        if row.key in existing
    ]
    if new:
        db.session.execute(insert(DossierCount), new)
    if changed:
        db.session.execute(update(DossierCount), changed)
    return ImportSummary(
        file_format=file_format,
        rows=len(rows),
        inserted=len(new),
        updated=len(changed),
        dossiers=sum(row.dossiers for row in rows),
        years=tuple(sorted({row.year for row in rows})),
    )


def import_counts(data: bytes, filename: str) -> ImportSummary:
    """Check the whole file, then store all of it; UploadError stores nothing."""
    file_format, rows = check_file(data, filename)
    return store_counts(rows, file_format)
