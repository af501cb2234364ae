"""Storing a simulated demo fast: COPY on PostgreSQL, batched inserts on SQLite.

A million responses are sixteen million answers; row-by-row ORM inserts would
take an hour, COPY takes a minute. Responses and receipts get their ids here,
after the table's largest, so answers and responses can be written without
reading ids back; the id sequences are moved past them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import numpy as np
from sqlalchemy import Table, func, insert, select, text

from surveyapp.analysis.cells import CellLayout, CellSums
from surveyapp.analysis.folding import add_to_cells, questionnaire_by_id
from surveyapp.core.time import local_time, month_number
from surveyapp.demo.simulate import NO_ANSWER, DeskResponses
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    CellUpdate,
    Channel,
    Comment,
    Receipt,
    Response,
    ResponseCell,
)

BATCH = 5_000
RESPONSE_COLUMNS = (
    "id",
    "public_id",
    "idempotency_key",
    "agency_id",
    "counter_id",
    "questionnaire_id",
    "service_field_id",
    "channel",
    "language",
    "submitted_at",
    "receipt_id",
    "dossier_code",
    "folded",
)
RECEIPT_COLUMNS = (
    "id",
    "public_id",
    "dossier_code",
    "agency_id",
    "counter_id",
    "issued_at",
    "expires_at",
)


def write_rows(
    table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Append `rows` (tuples in `columns` order) to `table` in this transaction."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        connection.execute(
            insert(table), [dict(zip(columns, row, strict=True)) for row in batch]
        )


def next_id(model: type[Any]) -> int:
    return int(db.session.scalar(select(func.coalesce(func.max(model.id), 0)))) + 1


def move_sequences_past(*models: type[Any]) -> None:
    """After explicit ids, let PostgreSQL's serials continue above them."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return  # SQLite takes max(id) + 1 by itself
    for model in models:
        name = model.__table__.name
        # The names are our models' own tables, never input.
        statement = (
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM {name}))"
        )
        connection.execute(text(statement))


@contextmanager
def foreign_keys_checked_after(*tables: str) -> Iterator[None]:
    """On PostgreSQL, check `tables`' foreign keys once after the load, not per row.

    Per-row checks are most of the time of a COPY of sixteen million answers. The
    constraints are read from the catalogue, dropped, and added back (which checks
    every row in one pass) in the same transaction: all or nothing.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    found = connection.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid::regclass::text = ANY(:tables)"
        ),
        {"tables": list(tables)},
    ).all()
    # Names and definitions come from PostgreSQL's own catalogue, never input.
    for table, name, _ in found:
        connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    yield
    for table, name, definition in found:
        connection.execute(
            text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        )


def store_desks(
    desks: list[DeskResponses], criteria: dict[int, list[int]], seed: int
) -> int:
    """Store every simulated response with its answers, receipt and comment."""
    first_response, first_receipt = next_id(Response), next_id(Receipt)
    plans = list(_numbered(desks, first_response, first_receipt))
    with foreign_keys_checked_after("responses", "answers", "comments"):
        _write_plans(plans, seed, criteria)
    move_sequences_past(Response, Receipt, Comment)
    _fold_desks(plans, criteria)
    refresh_statistics(Response, Answer, Receipt, Comment, ResponseCell)
    return sum(len(desk) for desk, _, _ in plans)


def _fold_desks(plans: list[Numbered], criteria: dict[int, list[int]]) -> None:
    """Sum the simulated responses into cells from the arrays in memory: reading
    a million responses back would take minutes. The same CellSums rule as
    ``flask cells rebuild``, which tests compare with."""
    by_version: dict[int, list[Numbered]] = {}
    for plan in plans:
        by_version.setdefault(plan[0].desk.questionnaire_id, []).append(plan)
    for questionnaire_id, version_plans in by_version.items():
        questionnaire = questionnaire_by_id(questionnaire_id)
        layout = CellLayout.of(questionnaire)
        if list(layout.criterion_ids) != criteria[questionnaire_id]:
            raise ValueError(f"{questionnaire.code}: answer columns out of order")
        desks = [plan[0] for plan in version_plans]
        months = np.fromiter(
            (
                month_number(local_time(moment))
                for desk in desks
                for moment in _utc(desk.submitted_at)
            ),
            dtype=np.int64,
        )
        keys = (
            np.concatenate([np.full(len(d), d.desk.point_id) for d in desks]),
            np.concatenate([d.field_ids for d in desks]),
            months,
        )
        receipt = np.concatenate([receipts > 0 for _, _, receipts in version_plans])
        answers = np.concatenate([d.answers for d in desks]).astype(np.int8)
        sums = CellSums.from_answers(layout, keys, receipt, answers)
        add_to_cells(questionnaire, sums)
    db.session.add(CellUpdate(kind="rebuild", responses=0))


def refresh_statistics(*models: type[Any]) -> None:
    """Let PostgreSQL's planner know the tables' new sizes at once.

    Until autovacuum gets to them it plans for the empty tables of before the
    load: a comments page that takes 0.4 s took minutes on a fresh 1M demo.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(model.__table__.name for model in models)
        connection.execute(text(f"ANALYZE {names}"))


def _write_plans(
    plans: list[Numbered], seed: int, criteria: dict[int, list[int]]
) -> None:
    write_rows(Receipt.__table__, RECEIPT_COLUMNS, _receipt_rows(plans))
    write_rows(Response.__table__, RESPONSE_COLUMNS, _response_rows(plans, seed))
    write_rows(
        Answer.__table__,
        ("response_id", "criterion_id", "value"),
        _answer_rows(plans, criteria),
    )
    write_rows(
        Comment.__table__,
        ("response_id", "agency_id", "body", "hidden"),
        (
            (first + i, desk.desk.point_id, body, False)
            for desk, first, _ in plans
            for i, body in enumerate(desk.comments)
            if body
        ),
    )


Numbered = tuple[DeskResponses, int, np.ndarray]


def _numbered(
    desks: list[DeskResponses], response_id: int, receipt_id: int
) -> Iterator[Numbered]:
    """Each desk with its first response id and its responses' receipt ids (0: none)."""
    for desk in desks:
        receipts = np.zeros(len(desk), dtype=np.int64)
        chosen = np.flatnonzero(desk.by_receipt)
        receipts[chosen] = receipt_id + np.arange(len(chosen))
        yield desk, response_id, receipts
        response_id += len(desk)
        receipt_id += len(chosen)


def _utc(times: np.ndarray) -> list[datetime]:
    return [
        t.replace(tzinfo=UTC) for t in times.astype("datetime64[s]").astype(datetime)
    ]


def _dossier_code(point_id: int, submitted: datetime, receipt_id: int) -> str:
    return f"000.00.{point_id:02}.H99-{submitted:%y%m%d}-{receipt_id:07d}"


def _receipt_rows(plans: list[Numbered]) -> Iterator[tuple[Any, ...]]:
    for desk, _, receipts in plans:
        times = _utc(desk.submitted_at[receipts > 0])
        for i, submitted in zip(np.flatnonzero(receipts).tolist(), times, strict=True):
            receipt_id = int(receipts[i])
            yield (
                receipt_id,
                f"demo{receipt_id:018d}",
                _dossier_code(desk.desk.point_id, submitted, receipt_id),
                desk.desk.point_id,
                desk.desk.counter_id,
                submitted - timedelta(days=receipt_id % 6),
                submitted + timedelta(days=30),
            )


def _response_rows(plans: list[Numbered], seed: int) -> Iterator[tuple[Any, ...]]:
    for desk, first, receipts in plans:
        where = desk.desk
        times = _utc(desk.submitted_at)
        for i, submitted in enumerate(times):
            response_id = first + i
            receipt_id = int(receipts[i]) or None
            yield (
                response_id,
                f"{seed:08x}-0000-4000-8000-{response_id:012x}",
                f"demo-{seed}-{response_id:09d}",
                where.point_id,
                where.counter_id,
                where.questionnaire_id,
                int(desk.field_ids[i]),
                Channel.RECEIPT.value if receipt_id else Channel.COUNTER.value,
                "en" if desk.english[i] else "vi",
                submitted,
                receipt_id,
                _dossier_code(where.point_id, submitted, receipt_id)
                if receipt_id
                else None,
                True,  # summed into the cells by fold_desks
            )


def _answer_rows(
    plans: list[Numbered], criteria: dict[int, list[int]]
) -> Iterator[tuple[Any, ...]]:
    for desk, first, _ in plans:
        criterion_ids = criteria[desk.desk.questionnaire_id]
        for i, answers in enumerate(desk.answers.tolist()):
            for criterion_id, value in zip(criterion_ids, answers, strict=True):
                yield first + i, criterion_id, value if value != NO_ANSWER else None
