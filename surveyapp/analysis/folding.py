"""Keeping the response cells: fold new responses in, unfold on review, rebuild.

Submissions never touch a cell, so no shared row serialises them: a response is
stored unfolded, every reader adds the unfolded scored responses of its
selection itself (:mod:`surveyapp.analysis.prepared`), and :func:`fold_responses`
(``flask cells fold``, run every minute or so) moves them into the cells in
batches. One fold runs at a time (an advisory lock on PostgreSQL; SQLite has a
single writer anyway). A reviewer confirming a folded response takes it out of
its cell in the same transaction (:func:`unfold_response`). Each change adds a
row to ``cell_updates``, which readers use to see that they read a consistent
pair (cells, unfolded responses).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Row,
    any_,
    delete,
    insert,
    not_,
    select,
    text,
    update,
)

from surveyapp.analysis.cells import STORED_INT, CellLayout, CellSums, IntArray
from surveyapp.analysis.rows import SurveyRows, id_array, load_rows_where
from surveyapp.analysis.selection import counts_in_scores
from surveyapp.core.time import local_time, month_number
from surveyapp.extensions import db
from surveyapp.models import CellUpdate, Questionnaire, Response, ResponseCell

FOLD_BATCH = 20_000
# SQLite caps the parameters of one statement; PostgreSQL gets one array instead.
SQLITE_IDS_PER_STATEMENT = 5_000
# pg_advisory_xact_lock key of the fold ("cells" in ASCII).
FOLD_LOCK = 0x63656C6C73


# What a reader needs of a stored cell, in this order after its id or version.
CELL_CONTENTS = (
    ResponseCell.agency_id,
    ResponseCell.service_field_id,
    ResponseCell.month,
    ResponseCell.responses,
    ResponseCell.receipt_responses,
    ResponseCell.receipt_dissatisfied,
    ResponseCell.layout,
    ResponseCell.sums,
)


class CellsOutOfStep(RuntimeError):
    """The cells disagree with the responses; ``flask cells rebuild`` repairs them."""


def unfolded() -> ColumnElement[bool]:
    """Responses not yet in their cell, written as the partial index's predicate
    ("NOT folded"): PostgreSQL does not match "folded IS false" to it."""
    return not_(Response.folded)


def tidy_after_rebuild() -> None:
    """VACUUM ANALYZE the responses after a rebuild, which may have folded
    every row (after an upgrade or a restore).

    Until then the unfolded index holds a million dead entries and the planner
    believes every response unfolded: the first page reads took seconds.
    """
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:
        connection.execute(text("VACUUM ANALYZE responses"))


def row_sums(rows: SurveyRows, layout: CellLayout) -> CellSums:
    """Responses as read by :func:`load_rows_where`, summed into cells."""
    months = np.fromiter(
        (month_number(local_time(moment)) for moment in rows.submitted_at),
        dtype=np.int64,
        count=len(rows),
    )
    keys = (
        np.array(rows.agency_ids, dtype=np.int64),
        np.array(rows.field_ids, dtype=np.int64),
        months,
    )
    return CellSums.from_answers(layout, keys, rows.receipt, rows.answers)


def id_in(ids: Sequence[int]) -> ColumnElement[bool]:
    """Response.id IN `ids`, as one array parameter on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return Response.id == any_(id_array(ids))
    return Response.id.in_(list(ids))


def fold_responses(limit: int | None = None) -> int:
    """Fold unfolded scored responses into their cells; the caller commits.

    Returns how many were folded (0 when another fold holds the lock). Folds at
    most `limit` responses (None: all), in batches.
    """
    if not _fold_lock():
        return 0
    folded = after = 0
    while limit is None or folded < limit:
        size = FOLD_BATCH if limit is None else min(FOLD_BATCH, limit - folded)
        batch = _claim_batch(size, after)
        if not batch:
            break
        after = batch[-1]
        for chunk in _chunks(batch):
            for questionnaire, sums in _chunk_sums(chunk):
                add_to_cells(questionnaire, sums)
            _mark_folded(chunk)
        folded += len(batch)
    if folded:
        db.session.add(CellUpdate(kind="fold", responses=folded))
    return folded


def unfold_response(response: Response) -> None:
    """Take a folded response out of its cell (a review excluded it)."""
    db.session.refresh(response, with_for_update=True)
    if not response.folded:
        return
    layout = CellLayout.of(response.questionnaire)
    rows = load_rows_where(response.questionnaire, [Response.id == response.id])
    add_to_cells(response.questionnaire, row_sums(rows, layout), sign=-1)
    response.folded = False
    db.session.add(CellUpdate(kind="unfold", responses=1))


def rebuild_cells() -> int:
    """Empty the cells and fold every scored response again; the caller commits.

    Sums batch after batch in memory and writes each cell once, so that a
    million responses take a minute, not one update per cell per batch. Only
    flags that change are written: rewriting a million rows' `folded` took
    minutes and left the unfolded index full of dead entries.
    """
    _fold_lock(wait=True)
    db.session.execute(delete(ResponseCell))
    db.session.execute(
        update(Response)
        .where(Response.folded, not_(counts_in_scores()))
        .values(folded=False)
    )
    summed: dict[int, CellSums] = {}
    folded = after = 0
    while batch := _claim_batch(FOLD_BATCH, after, folded_too=True):
        after = batch[-1]
        for chunk in _chunks(batch):
            for questionnaire, sums in _chunk_sums(chunk):
                previous = summed.get(questionnaire.id)
                parts = [sums] if previous is None else [previous, sums]
                summed[questionnaire.id] = CellSums.combine(sums.layout, parts)
            _mark_folded(chunk)
        folded += len(batch)
    for questionnaire_id, sums in summed.items():
        add_to_cells(questionnaire_by_id(questionnaire_id), sums)
    db.session.add(CellUpdate(kind="rebuild", responses=folded))
    return folded


def _fold_lock(wait: bool = False) -> bool:
    if db.engine.dialect.name != "postgresql":
        return True
    if wait:
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK}
        )
        return True
    return bool(
        db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": FOLD_LOCK}
        )
    )


def _claim_batch(size: int, after: int, folded_too: bool = False) -> list[int]:
    """Ids above `after` of up to `size` unfolded scored responses (`folded_too`:
    every scored one, for a rebuild), locked against a review. From `after` on:
    the rows already folded stay unread."""
    chosen = [Response.id > after, counts_in_scores()]
    if not folded_too:
        chosen.append(unfolded())
    query = select(Response.id).where(*chosen).order_by(Response.id).limit(size)
    if db.engine.dialect.name == "postgresql":
        # A fold skips what a review holds; a rebuild must sum every response.
        query = query.with_for_update(skip_locked=not folded_too)
    return list(db.session.scalars(query))


def _chunks(ids: list[int]) -> list[list[int]]:
    if db.engine.dialect.name == "postgresql":
        return [ids]
    step = SQLITE_IDS_PER_STATEMENT
    return [ids[i : i + step] for i in range(0, len(ids), step)]


def _chunk_sums(ids: list[int]) -> list[tuple[Questionnaire, CellSums]]:
    """The responses `ids` summed into cells, per questionnaire version."""
    chosen = id_in(ids)
    versions = db.session.scalars(
        select(Response.questionnaire_id).where(chosen).distinct()
    ).all()
    result = []
    for questionnaire_id in versions:
        questionnaire = questionnaire_by_id(questionnaire_id)
        rows = load_rows_where(questionnaire, [chosen])
        result.append((questionnaire, row_sums(rows, CellLayout.of(questionnaire))))
    return result


def _mark_folded(ids: list[int]) -> None:
    db.session.execute(
        update(Response).where(id_in(ids), unfolded()).values(folded=True),
        execution_options={"synchronize_session": False},
    )


def add_to_cells(questionnaire: Questionnaire, sums: CellSums, sign: int = 1) -> None:
    """Add (`sign` -1: subtract) `sums` to the stored cells, creating new ones.

    `sums` are month cells; their year cells change with them. One statement
    each for the inserts, updates and deletes: a batch touches thousands of
    cells.
    """
    if not len(sums):
        return
    sums = sums.with_year_cells()
    keys = list(
        zip(
            sums.agency_id.tolist(),
            sums.field_id.tolist(),
            sums.month.tolist(),
            strict=True,
        )
    )
    counts = sign * np.stack([sums.n, sums.receipt, sums.receipt_dissatisfied], 1)
    vectors = [sign * np.frombuffer(b, STORED_INT) for b in sums.packed()]
    layout = sums.layout.key
    existing = _existing_cells(questionnaire, sums)
    inserts, updates, deletes = [], [], []
    for i, key in enumerate(keys):  # a loop over cells, not responses
        total, vector = counts[i], vectors[i].astype(np.int64)
        stored = existing.get(key)
        if stored is not None:
            if stored.layout != layout:
                raise CellsOutOfStep(f"cell {key} has another questionnaire layout")
            total = total + np.array(stored[4:7], dtype=np.int64)
            vector = vector + np.frombuffer(stored.sums, dtype=STORED_INT)
        _check(key, total, vector)
        values = _cell_values(questionnaire, layout, key, total, vector)
        if stored is None:
            inserts.append(values)
        elif total[0] == 0:
            deletes.append(stored.id)
        else:
            updates.append({"id": stored.id, **values})
    if inserts:
        db.session.execute(insert(ResponseCell), inserts)
    if updates:
        db.session.execute(update(ResponseCell), updates)
    if deletes:
        db.session.execute(delete(ResponseCell).where(ResponseCell.id.in_(deletes)))


def _existing_cells(
    questionnaire: Questionnaire, sums: CellSums
) -> dict[tuple[int, int, int], Row[Any]]:
    rows = db.session.execute(
        select(ResponseCell.id, *CELL_CONTENTS)
        .where(
            ResponseCell.questionnaire_id == questionnaire.id,
            ResponseCell.month.in_(set(sums.month.tolist())),
            ResponseCell.agency_id.in_(set(sums.agency_id.tolist())),
        )
        .with_for_update()
    ).all()
    return {(row.agency_id, row.service_field_id, row.month): row for row in rows}


def _check(key: tuple[int, int, int], counts: IntArray, vector: IntArray) -> None:
    if counts.min() < 0 or vector.min(initial=0) < 0:
        raise CellsOutOfStep(f"cell {key} would go below zero")
    if counts[0] == 0 and (counts.any() or vector.any()):
        raise CellsOutOfStep(f"cell {key} has sums but no responses")


def _cell_values(
    questionnaire: Questionnaire,
    layout: str,
    key: tuple[int, int, int],
    counts: IntArray,
    vector: IntArray,
) -> dict[str, Any]:
    return {
        "questionnaire_id": questionnaire.id,
        "agency_id": key[0],
        "service_field_id": key[1],
        "month": key[2],
        "responses": int(counts[0]),
        "receipt_responses": int(counts[1]),
        "receipt_dissatisfied": int(counts[2]),
        "layout": layout,
        "sums": vector.astype(STORED_INT).tobytes(),
    }


def questionnaire_by_id(questionnaire_id: int) -> Questionnaire:
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise LookupError(questionnaire_id)
    return questionnaire
