"""Batches of receipts from a CSV or XLSX file: one row per dossier, all or nothing.

Columns: counter_code (ma_quay) and dossier_code (ma_ho_so); the header is line 1.
A file with any problem issues nothing, and every problem is listed by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveyapp.core.receipts import (
    Issued,
    IssueRequest,
    ReceiptError,
    another_counter_error,
    clean_dossier_code,
    existing_receipts,
    receipt_qr_urls,
)
from surveyapp.core.uploads import (
    RowError,
    UploadError,
    cell_text,
    fold_header,
    missing_columns,
    read_lines,
)
from surveyapp.extensions import db
from surveyapp.models import Counter

MAX_BATCH_ROWS = 10_000


BATCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "counter_code": ("counter_code", "ma_quay"),
    "dossier_code": ("dossier_code", "ma_ho_so"),
}


BATCH_OUTPUT_HEADER = ("dossier_code", "url", "qr_png_url", "qr_svg_url")


class ReceiptBatchError(UploadError):
    """The batch file has problems; no receipt was issued."""


def _cell(cells: Sequence[object], index: int) -> str:
    return cell_text(cells[index]) if index < len(cells) else ""


def _batch_columns(line: int, cells: Sequence[object]) -> dict[str, int]:
    accepted = {
        fold_header(name): field
        for field, names in BATCH_COLUMNS.items()
        for name in names
    }
    positions: dict[str, int] = {}
    for index, header in enumerate(cells):
        field = accepted.get(fold_header(cell_text(header)))
        if field is not None and field not in positions:
            positions[field] = index
    lacking = missing_columns(BATCH_COLUMNS, positions, line)
    if lacking is not None:
        raise ReceiptBatchError([lacking])
    return positions


def check_batch(
    data: bytes, filename: str, visible_agency_ids: set[int]
) -> list[IssueRequest]:
    """The receipts a CSV (or XLSX) file asks for; ReceiptBatchError lists problems.

    Columns: counter_code (ma_quay) and dossier_code (ma_ho_so); the header is
    line 1. Counters outside `visible_agency_ids` read as unknown.
    """
    try:
        _format, lines = read_lines(data, filename, MAX_BATCH_ROWS)
        rows = [(line, cells) for line, cells in lines if any(map(cell_text, cells))]
    except UploadError as error:
        raise ReceiptBatchError(error.errors) from None
    if not rows:
        raise ReceiptBatchError([RowError(None, "", _l("The file is empty."))])
    header_line, header = rows[0]
    positions = _batch_columns(header_line, header)
    body = rows[1:]
    if not body:
        reason = _l("The file has a header row but no data rows.")
        raise ReceiptBatchError([RowError(None, "", reason)])
    if len(body) > MAX_BATCH_ROWS:
        reason = _l(
            "The file has more than %(max)d data rows: split it into several files.",
            max=MAX_BATCH_ROWS,
        )
        raise ReceiptBatchError([RowError(None, "", reason)])
    counters = {
        counter.code: counter
        for counter in db.session.scalars(
            select(Counter).where(Counter.service_point_id.in_(visible_agency_ids))
        )
    }
    codes = [_cell(cells, positions["dossier_code"]) for _, cells in body]
    existing = existing_receipts(codes)
    errors: list[RowError] = []
    requests: list[IssueRequest] = []
    seen: dict[str, IssueRequest] = {}
    counter_column = str(header[positions["counter_code"]])
    dossier_column = str(header[positions["dossier_code"]])
    for line, cells in body:
        counter_code = _cell(cells, positions["counter_code"])
        counter = counters.get(counter_code)
        problems: list[RowError] = []
        if not counter_code:
            problems.append(RowError(line, counter_column, _l("This cell is empty.")))
        elif counter is None:
            reason = _l("Unknown counter code “%(code)s”.", code=counter_code)
            problems.append(RowError(line, counter_column, reason))
        elif not counter.active:
            reason = _l("Counter %(code)s is stopped.", code=counter_code)
            problems.append(RowError(line, counter_column, reason))
        try:
            dossier_code = clean_dossier_code(_cell(cells, positions["dossier_code"]))
        except ReceiptError as error:
            problems.append(RowError(line, dossier_column, error.message))
            dossier_code = ""
        if problems or counter is None:
            errors.extend(problems)
            continue
        earlier = seen.get(dossier_code)
        receipt = existing.get(dossier_code)
        if earlier is not None and earlier.counter.id != counter.id:
            reason = _l(
                "Same dossier as line %(line)d, at another counter.", line=earlier.line
            )
            errors.append(RowError(line, dossier_column, reason))
        elif receipt is not None and receipt.counter_id != counter.id:
            taken = another_counter_error(dossier_code, receipt)
            errors.append(RowError(line, dossier_column, taken.message))
        else:
            request = IssueRequest(counter, dossier_code, line)
            seen.setdefault(dossier_code, request)
            requests.append(request)
    if errors:
        raise ReceiptBatchError(errors)
    return requests


def batch_csv(issued: Sequence[Issued]) -> bytes:
    """The CSV answer to a batch: dossier_code, url, qr_png_url, qr_svg_url."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(BATCH_OUTPUT_HEADER)
    for item in issued:
        png, svg = receipt_qr_urls(item.receipt)
        writer.writerow((item.receipt.dossier_code, item.url, png, svg))
    return buffer.getvalue().encode("utf-8")
