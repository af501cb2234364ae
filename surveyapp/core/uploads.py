"""Uploaded tables (CSV or XLSX): read them line by line and report problems by line.

An upload is all or nothing: readers raise :class:`UploadError` with every problem
found, each with its line as the user sees it in the file (the header is line 1),
its column and the reason."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, NoReturn, TypeAlias
from xml.etree.ElementTree import ParseError

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from surveyapp.models.text import fold

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

ZIP_MAGIC = b"PK\x03\x04"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls format


ALLOWED_SUFFIXES = ("", ".csv", ".xlsx")


# Columns read from each line; the others are ignored. The tables uploaded here
# have a handful; a sheet declaring more is refused before it is read.
MAX_COLUMNS = 100


# What an XLSX may unpack to: 100,000 rows of a dozen cells are about 50 MB.
MAX_UNPACKED_BYTES = 128 * 2**20


# What users read: a lazy string, translated when shown (page or CLI).
Message: TypeAlias = "str | LazyString"


# (line number as the user sees it, cells) of each line of a file.
Lines: TypeAlias = Generator[tuple[int, list[object]], None, None]


@dataclass(frozen=True)
class RowError:
    """One problem: line in the file (None for the file as a whole), column, reason."""

    line: int | None
    column: str
    reason: Message

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        where += [self.column] if self.column else []
        return f"{', '.join(where)}: {self.reason}" if where else str(self.reason)


class UploadError(ValueError):
    """The file has problems; nothing was stored."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = list(errors)


def fail(reason: Message, line: int | None = None, column: str = "") -> NoReturn:
    raise UploadError([RowError(line, column, reason)])


def detect_format(data: bytes, filename: str) -> str:
    """'csv' or 'xlsx', from the content and the file name's extension."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        fail(_l("Only .csv and .xlsx files are accepted."))
    if not data.strip():
        fail(_l("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        fail(_l("This is an old Excel .xls file: save it as .xlsx or as CSV UTF-8."))
    if suffix == ".xlsx":
        fail(_l("This file is not a valid .xlsx workbook."))
    return "csv"


def _too_many_rows(line: int, max_rows: int) -> NoReturn:
    reason = _l(
        "The file has more than %(max)d rows below the header (blank rows count "
        "too): split it into several files.",
        max=max_rows,
    )
    fail(reason, line)


def _bounded(lines: Lines, max_rows: int) -> Lines:
    """The lines, each cut to MAX_COLUMNS; UploadError past the header and max_rows.

    Every line counts, blank or not: a file of a million blank rows costs as much
    to read as a million filled ones.
    """
    with closing(lines):  # the workbook closes when the reading stops, at once
        for count, (line, cells) in enumerate(lines, start=1):
            if count > max_rows + 1:
                _too_many_rows(line, max_rows)
            yield line, cells[:MAX_COLUMNS]


def _text(data: bytes) -> io.TextIOWrapper:
    """The file as text, decoded as it is read: never a whole copy of it."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")


def _csv_lines(data: bytes) -> Lines:
    try:
        data.decode("utf-8")  # checked whole before any line; the copy goes at once
    except UnicodeDecodeError:
        fail(_l("The file is not UTF-8 text: in Excel, save it as CSV UTF-8 or .xlsx."))
    if b"\x00" in data:
        fail(_l("The file is not a CSV text file."))
    first = next((line for line in _text(data) if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(_text(data), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, list(cells)
            start = reader.line_num + 1
    except csv.Error as error:
        # A malformed quote or an oversized field: report where, not a crash.
        fail(_l("The CSV file cannot be read: %(error)s", error=str(error)), start)


def _open_workbook(data: bytes) -> Workbook:
    """The workbook, read-only; UploadError for a damaged or oversized one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Sizes the zip declares; reading stops at them, so they bound the work.
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        fail(_l("This file is not a valid .xlsx workbook."))
    if unpacked > MAX_UNPACKED_BYTES:
        fail(
            _l(
                "The workbook unpacks to more than %(max)d MB: save it as CSV or "
                "split it into several files.",
                max=MAX_UNPACKED_BYTES // 2**20,
            )
        )
    with warnings.catch_warnings():
        # openpyxl warns about styles other software omits; the admin cannot act on it.
        warnings.simplefilter("ignore", UserWarning)
        try:
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            OSError,
            ParseError,
        ):
            # A zip without a workbook in it (e.g. a .docx), or a workbook whose
            # XML is damaged.
            fail(_l("This file is not a valid .xlsx workbook."))


def _check_declared_size(sheet: ReadOnlyWorksheet, max_rows: int) -> None:
    """Refuse a sheet whose declared size is beyond the limits, before reading it.

    openpyxl pads every row to the declared width and adds the declared rows:
    `A1:XFD5000` would be 82 million cells from a 1.5 KB file.
    """
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows <= max_rows + 1 and columns <= MAX_COLUMNS:
        return
    reason = _l(
        "The first sheet spans %(rows)d rows and %(columns)d columns; at most "
        "%(max_rows)d rows and %(max_columns)d columns are read. Delete the empty "
        "rows and columns around the table, or save the sheet as CSV UTF-8.",
        rows=rows,
        columns=columns,
        max_rows=max_rows + 1,
        max_columns=MAX_COLUMNS,
    )
    fail(reason)


def _xlsx_lines(data: bytes, max_rows: int) -> Lines:
    workbook = _open_workbook(data)
    try:
        if not workbook.worksheets:
            fail(_l("The file is empty."))
        sheet = workbook.worksheets[0]
        _check_declared_size(sheet, max_rows)
        # Rows as they are in the file, never padded to a declared size; columns
        # past MAX_COLUMNS are not read.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for line, row in enumerate(rows, start=1):
            yield line, list(row)
    except ParseError:
        # A damaged sheet inside a valid zip: the same answer as any bad workbook.
        fail(_l("This file is not a valid .xlsx workbook."))
    finally:
        workbook.close()


def read_lines(
    data: bytes, filename: str, max_rows: int
) -> tuple[str, Iterator[tuple[int, list[object]]]]:
    """The format and the (line number, cells) of every line, blank ones included.

    Lines are read as they are asked for, at most `max_rows` besides the header:
    the line after raises UploadError, blank lines counted, so a huge file is
    refused after reading no more than the limit. An XLSX sheet whose declared
    size is beyond the limits is refused before any row is read.
    """
    file_format = detect_format(data, filename)
    if file_format == "xlsx":
        return file_format, _bounded(_xlsx_lines(data, max_rows), max_rows)
    return file_format, _bounded(_csv_lines(data), max_rows)


def fold_header(text: str) -> str:
    """Lower case, no diacritics (đ -> d), "_" as space, single spaces."""
    return fold(text.replace("_", " "))


def cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def cell_at(cells: Sequence[object], index: int) -> str:
    """The text of a line's cell at `index`; "" past its end (a short line)."""
    return cell_text(cells[index]) if index < len(cells) else ""


def is_blank(cells: Sequence[object]) -> bool:
    return all(cell_text(cell) == "" for cell in cells)


def missing_columns(
    columns: Mapping[str, Sequence[str]], positions: Mapping[str, int], line: int
) -> RowError | None:
    """The error for required columns absent from a header row, if any.

    `columns` maps each field to its accepted names, the first two shown.
    """
    missing = [
        f"{names[0]} ({names[1]})"
        for field, names in columns.items()
        if field not in positions
    ]
    if not missing:
        return None
    reason = _l(
        "The header row lacks the columns: %(columns)s.", columns=", ".join(missing)
    )
    return RowError(line, "", reason)


def header_positions(
    required: Mapping[str, Sequence[str]],
    cells: Sequence[object],
    line: int,
    optional: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, int]:
    """Field -> position of its first column in a header row.

    `required` and `optional` map each field to its accepted names, compared as
    `fold_header` writes them; UploadError (`missing_columns`' error) when a
    required field has no column.
    """
    accepted = {
        fold_header(name): field
        for field, names in {**required, **(optional or {})}.items()
        for name in names
    }
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = accepted.get(fold_header(cell_text(cell)))
        if field is not None:
            positions.setdefault(field, index)
    lacking = missing_columns(required, positions, line)
    if lacking is not None:
        raise UploadError([lacking])
    return positions
