"""Reading uploaded tables: bounded in rows, columns and size, whatever they say."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask

from surveyapp.core import uploads
from surveyapp.core.uploads import UploadError, read_lines
from tests.dossiers.helpers import HUGE_DIMENSION, crafted_xlsx


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    """A request in English, so that lazy reasons can be read."""
    with app.test_request_context("/?lang=en"):
        yield


def read_all(content: bytes, filename: str, max_rows: int) -> list[list[object]]:
    _format, lines = read_lines(content, filename, max_rows)
    return [cells for _line, cells in lines]


def test_an_absurd_declared_dimension_is_refused_quickly(english: None) -> None:
    content = crafted_xlsx(HUGE_DIMENSION, 5000)
    assert len(content) < 8192  # a few KB
    started = time.perf_counter()
    with pytest.raises(UploadError) as raised:
        read_all(content, "x.xlsx", 10_000)
    assert time.perf_counter() - started < 2
    [error] = raised.value.errors
    assert error.line is None
    assert str(error.reason) == (
        "The first sheet spans 5000 rows and 16384 columns; at most 10001 rows and "
        "100 columns are read. Delete the empty rows and columns around the table, "
        "or save the sheet as CSV UTF-8."
    )


def test_declared_rows_beyond_the_limit_are_refused(english: None) -> None:
    with pytest.raises(UploadError) as raised:
        read_all(crafted_xlsx("A1:B5000", 5000), "x.xlsx", 100)
    assert "spans 5000 rows and 2 columns" in str(raised.value.errors[0])


@pytest.mark.parametrize("dimension", [None, "A1:B2"])
def test_blank_rows_count_against_the_limit(english: None, dimension: str) -> None:
    # No dimension, or one that lies: the far row is reached through blank rows,
    # and the reading stops at the limit instead of going on to row 1,000,000.
    started = time.perf_counter()
    with pytest.raises(UploadError) as raised:
        read_all(crafted_xlsx(dimension, 1_000_000), "x.xlsx", 100)
    assert time.perf_counter() - started < 2
    assert [str(error) for error in raised.value.errors] == [
        "line 102: The file has more than 100 rows below the header (blank rows "
        "count too): split it into several files."
    ]


def test_cells_past_the_last_column_read_are_ignored(english: None) -> None:
    rows = read_all(crafted_xlsx(None, 3, last_column="XFD"), "x.xlsx", 100)
    assert [len(cells) for cells in rows] == [uploads.MAX_COLUMNS] * 3
    assert rows[0][:2] == ["counter_code", "dossier_code"]
    assert rows[1] == [None] * uploads.MAX_COLUMNS


def test_a_workbook_unpacking_too_large_is_refused(
    english: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 2**20)
    padded = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(crafted_xlsx(None, 3))) as original,
        zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in original.infolist():
            copy.writestr(info, original.read(info.filename))
        copy.writestr("xl/padding.bin", bytes(2 * 2**20))
    with pytest.raises(UploadError) as raised:
        read_all(padded.getvalue(), "x.xlsx", 100)
    assert "unpacks to more than 1 MB" in str(raised.value.errors[0])


def test_a_csv_with_too_many_rows_stops_at_the_limit(english: None) -> None:
    content = ("a,b\n" + "x,y\n\n" * 1_000_000).encode()
    started = time.perf_counter()
    with pytest.raises(UploadError) as raised:
        read_all(content, "x.csv", 10)
    assert time.perf_counter() - started < 2
    assert [str(error) for error in raised.value.errors] == [
        "line 12: The file has more than 10 rows below the header (blank rows "
        "count too): split it into several files."
    ]


def test_a_file_at_the_limit_is_read_whole(english: None) -> None:
    content = ("a,b\n" + "x,y\n" * 9 + "\n").encode()
    assert len(read_all(content, "x.csv", 10)) == 11
