"""Batches of receipts from a CSV or XLSX file: one row per dossier, all or nothing.

Columns: counter_code (ma_quay) and dossier_code (ma_ho_so), and optionally
service_field (ma_linh_vuc): the dossier's field, which the citizen is then not
asked. The header is line 1. A file with any problem issues nothing, and every
problem is listed by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveyapp.core.catalogue import service_fields
from surveyapp.core.receipts import (
    DossierKey,
    Issued,
    IssueRequest,
    ReceiptError,
    another_counter_error,
    clean_dossier_code,
    dossier_key,
    existing_receipts,
    receipt_qr_urls,
)
from surveyapp.core.uploads import (
    Message,
    RowError,
    UploadError,
    cell_at,
    cell_text,
    header_positions,
    read_lines,
)
from surveyapp.extensions import db
from surveyapp.models import Counter, Receipt, ServiceField

MAX_BATCH_ROWS = 10_000


BATCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "counter_code": ("counter_code", "ma_quay"),
    "dossier_code": ("dossier_code", "ma_ho_so"),
}
# Read when present; an empty cell leaves the field to the citizen.
OPTIONAL_BATCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "service_field": ("service_field", "ma_linh_vuc", "linh_vuc"),
}


BATCH_OUTPUT_HEADER = ("dossier_code", "url", "qr_png_url", "qr_svg_url")


Row = list[object]


class ReceiptBatchError(UploadError):
    """The batch file has problems; no receipt was issued."""


def _batch_columns(line: int, cells: Sequence[object]) -> dict[str, int]:
    """Field -> position in the header; ReceiptBatchError if a column is missing."""
    try:
        return header_positions(BATCH_COLUMNS, cells, line, OPTIONAL_BATCH_COLUMNS)
    except UploadError as error:
        raise ReceiptBatchError(error.errors) from None


def _file_problem(reason: Message) -> ReceiptBatchError:
    """A problem of the file as a whole, not of one line."""
    return ReceiptBatchError([RowError(None, "", reason)])


def _read_batch(data: bytes, filename: str) -> tuple[int, Row, list[tuple[int, Row]]]:
    """The header's line, the header and the non-blank data rows of a batch file.

    The reader stops at MAX_BATCH_ROWS lines below the header, blank ones counted.
    """
    try:
        _format, lines = read_lines(data, filename, MAX_BATCH_ROWS)
        rows = [(line, cells) for line, cells in lines if any(map(cell_text, cells))]
    except UploadError as error:
        raise ReceiptBatchError(error.errors) from None
    if not rows:
        raise _file_problem(_l("The file is empty."))
    (header_line, header), body = rows[0], rows[1:]
    if not body:
        raise _file_problem(_l("The file has a header row but no data rows."))
    return header_line, header, body


@dataclass
class _BatchCheck:
    """What checking a batch's rows needs: columns, counters and receipts seen."""

    positions: dict[str, int]
    header: Row
    counter_column: str
    dossier_column: str
    counters: dict[str, Counter]
    existing: dict[DossierKey, Receipt]
    fields: dict[str, ServiceField]
    seen: dict[DossierKey, IssueRequest] = field(default_factory=dict)

    def row_field(self, line: int, cells: Row) -> ServiceField | RowError | None:
        """The service field a row names, None when it names none."""
        position = self.positions.get("service_field")
        code = cell_at(cells, position) if position is not None else ""
        if position is None or not code:
            return None
        found = self.fields.get(code)
        if found is None:
            reason = _l("Unknown service field “%(code)s”.", code=code)
            return RowError(line, cell_text(self.header[position]), reason)
        return found

    def row_cells(
        self, line: int, cells: Row
    ) -> tuple[Counter | None, str, list[RowError]]:
        """The counter and dossier code of one row, with the problems of its cells."""
        counter_code = cell_at(cells, self.positions["counter_code"])
        counter = self.counters.get(counter_code)
        problems: list[RowError] = []
        if not counter_code:
            reason = _l("This cell is empty.")
            problems.append(RowError(line, self.counter_column, reason))
        elif counter is None:
            reason = _l("Unknown counter code “%(code)s”.", code=counter_code)
            problems.append(RowError(line, self.counter_column, reason))
        elif not counter.active:
            reason = _l("Counter %(code)s is stopped.", code=counter_code)
            problems.append(RowError(line, self.counter_column, reason))
        try:
            raw = cell_at(cells, self.positions["dossier_code"])
            dossier_code = clean_dossier_code(raw)
        except ReceiptError as error:
            problems.append(RowError(line, self.dossier_column, error.message))
            dossier_code = ""
        return counter, dossier_code, problems

    def conflict(
        self, line: int, counter: Counter, dossier_code: str
    ) -> RowError | None:
        """The dossier is already taken by another counter, earlier or stored."""
        key = dossier_key(counter, dossier_code)
        earlier = self.seen.get(key)
        receipt = self.existing.get(key)
        if earlier is not None and earlier.counter.id != counter.id:
            reason = _l(
                "Same dossier as line %(line)d, at another counter.", line=earlier.line
            )
            return RowError(line, self.dossier_column, reason)
        if receipt is not None and receipt.counter_id != counter.id:
            taken = another_counter_error(dossier_code, receipt)
            return RowError(line, self.dossier_column, taken.message)
        return None


def check_batch(
    data: bytes, filename: str, visible_agency_ids: set[int]
) -> list[IssueRequest]:
    """The receipts a CSV (or XLSX) file asks for; ReceiptBatchError lists problems.

    Columns: counter_code (ma_quay), dossier_code (ma_ho_so) and optionally
    service_field (ma_linh_vuc); the header is line 1. Counters outside
    `visible_agency_ids` read as unknown.
    """
    header_line, header, body = _read_batch(data, filename)
    positions = _batch_columns(header_line, header)
    counters = _visible_counters(visible_agency_ids)
    check = _BatchCheck(
        positions=positions,
        header=header,
        counter_column=str(header[positions["counter_code"]]),
        dossier_column=str(header[positions["dossier_code"]]),
        counters=counters,
        existing=existing_receipts(_dossier_keys(body, positions, counters)),
        fields={field.code: field for field in service_fields()},
    )
    errors: list[RowError] = []
    requests: list[IssueRequest] = []
    for line, cells in body:
        counter, dossier_code, problems = check.row_cells(line, cells)
        service_field = check.row_field(line, cells)
        if isinstance(service_field, RowError):
            problems.append(service_field)
            service_field = None
        if problems or counter is None:
            errors.extend(problems)
            continue
        conflict = check.conflict(line, counter, dossier_code)
        if conflict is not None:
            errors.append(conflict)
            continue
        request = IssueRequest(counter, dossier_code, line, service_field)
        check.seen.setdefault(dossier_key(counter, dossier_code), request)
        requests.append(request)
    if errors:
        raise ReceiptBatchError(errors)
    return requests


def _dossier_keys(
    body: list[tuple[int, Row]], positions: dict[str, int], counters: dict[str, Counter]
) -> Iterator[DossierKey]:
    """The dossiers the rows name, at counters the uploader may see."""
    for _, cells in body:
        counter = counters.get(cell_at(cells, positions["counter_code"]))
        if counter is not None:
            yield dossier_key(counter, cell_at(cells, positions["dossier_code"]))


def _visible_counters(agency_ids: set[int]) -> dict[str, Counter]:
    """The counters of these service points, by code."""
    query = select(Counter).where(Counter.service_point_id.in_(agency_ids))
    return {counter.code: counter for counter in db.session.scalars(query)}


def batch_csv(issued: Sequence[Issued]) -> bytes:
    """The CSV answer to a batch: dossier_code, url, qr_png_url, qr_svg_url."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(BATCH_OUTPUT_HEADER)
    for item in issued:
        png, svg = receipt_qr_urls(item.receipt)
        writer.writerow((item.receipt.dossier_code, item.url, png, svg))
    return buffer.getvalue().encode("utf-8")
