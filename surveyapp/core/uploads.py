"""Uploaded tables (CSV or XLSX): read them line by line and report problems by line.

An upload is all or nothing: readers raise :class:`UploadError` with every problem
found, each with its line as the user sees it in the file (the header is line 1),
its column and the reason."""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import NoReturn, TypeAlias
from xml.etree.ElementTree import ParseError

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

ZIP_MAGIC = b"PK\x03\x04"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls format


ALLOWED_SUFFIXES = ("", ".csv", ".xlsx")


# What users read: a lazy string, translated when shown (page or CLI).
Message: TypeAlias = "str | LazyString"


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


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(_l("The file is not UTF-8 text: in Excel, save it as CSV UTF-8 or .xlsx."))
    if "\x00" in text:
        fail(_l("The file is not a CSV text file."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, list(cells)
            start = reader.line_num + 1
    except csv.Error as error:
        # A malformed quote or an oversized field: report where, not a crash.
        fail(_l("The CSV file cannot be read: %(error)s", error=str(error)), start)


def _xlsx_lines(data: bytes, max_rows: int) -> Iterator[tuple[int, list[object]]]:
    lines: list[tuple[int, list[object]]] = []
    with warnings.catch_warnings():
        # openpyxl warns about styles other software omits; the admin cannot act on it.
        warnings.simplefilter("ignore", UserWarning)
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            OSError,
            ParseError,
        ):
            # Not a zip, a zip without a workbook in it (e.g. a .docx), or a
            # workbook whose XML is damaged.
            fail(_l("This file is not a valid .xlsx workbook."))
        try:
            if not workbook.worksheets:
                fail(_l("The file is empty."))
            filled = 0
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            for line, row in enumerate(rows, start=1):
                cells = list(row)
                lines.append((line, cells))
                filled += not is_blank(cells)
                if filled > max_rows + 1:  # the header, and one row too many
                    break
        except ParseError:
            # A damaged sheet inside a valid zip: the same answer as any bad workbook.
            fail(_l("This file is not a valid .xlsx workbook."))
        finally:
            workbook.close()
    return iter(lines)


def read_lines(
    data: bytes, filename: str, max_rows: int
) -> tuple[str, Iterator[tuple[int, list[object]]]]:
    """The format and the (line number, cells) of every line, blank ones included.

    An XLSX sheet is read up to one filled row past `max_rows`, so that the caller
    can refuse an oversized file without reading all of it.
    """
    file_format = detect_format(data, filename)
    if file_format == "xlsx":
        return file_format, _xlsx_lines(data, max_rows)
    return file_format, _csv_lines(data)


def fold_header(text: str) -> str:
    """Lower case, no diacritics (đ -> d), "_" as space, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("_", " ").split())


def cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


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
