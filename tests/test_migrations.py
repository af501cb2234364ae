"""Alembic: one head, and the models match what the migrations build."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from surveyapp.analysis.cells import CellLayout, CellSums
from surveyapp.app import create_app
from surveyapp.extensions import db
from surveyapp.models import AnomalyState, Response
from tests.factories import SurveySite, add_responses

# The revision before anomaly_state/anomaly_reasons, and the rows it could hold.
FLAG_TEXT_REVISION = "aaf1de25b3a5"
OLD_FLAGS = {
    "k-flagged-twice-0001": ("flagged", "honeypot; too_fast:3s"),
    "k-cleared-once-0002": ("cleared", "network_burst:12"),
    "k-never-flagged-003": (None, ""),
}


def test_single_head(app: Flask) -> None:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_migrations(app: Flask) -> None:
    """The test database was built by `flask db upgrade`; nothing is left to migrate."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_no_index_repeats_the_leading_columns_of_another(app: Flask) -> None:
    """An index on the same columns as another, or on their first ones, costs
    every INSERT a write and serves no reader the other would not."""
    with app.app_context():
        inspector = db.inspect(db.engine)
        for table in inspector.get_table_names():
            plain = [
                (str(index["name"]), tuple(index["column_names"]))
                for index in inspector.get_indexes(table)
                if not index["unique"] and not index.get("dialect_options")
            ]
            for name, columns in plain:
                for other, longer in plain:
                    assert other == name or longer[: len(columns)] != columns, (
                        f"{name} {columns} repeats the start of {other} {longer}"
                    )


def test_downgrade_and_upgrade_again(app: Flask, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/roundtrip.sqlite3"
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with fresh.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "responses" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def _insert_old_responses(connection: sa.Connection) -> None:
    """Responses as FLAG_TEXT_REVISION stored them: reasons as "; "-joined text."""
    _insert_catalogue(connection)
    for number, (key, (state, reasons)) in enumerate(OLD_FLAGS.items(), start=1):
        connection.execute(
            sa.text(
                "INSERT INTO responses (id, public_id, idempotency_key, agency_id, "
                "questionnaire_id, service_field_id, channel, language, submitted_at, "
                "flag_status, flag_reasons) VALUES (:id, :key, :key, 1, 1, 1, "
                "'counter', 'vi', CURRENT_TIMESTAMP, :state, :reasons)"
            ),
            {"id": number, "key": key, "state": state, "reasons": reasons},
        )


def _insert_catalogue(connection: sa.Connection) -> None:
    """One questionnaire (id 1), service field (id 1) and agency (id 1)."""
    connection.execute(
        sa.text(
            "INSERT INTO questionnaires (id, code, title_vi, title_en, legal_basis) "
            "VALUES (1, 'q', 'q', 'q', '')"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO service_fields (id, code, name_vi, name_en, position) "
            "VALUES (1, 'f', 'f', 'f', 1)"
        )
    )
    connection.execute(
        sa.text(
            "INSERT INTO agencies (id, code, name, kind) "
            "VALUES (1, 'a', 'a', 'province')"
        )
    )


def _stored(state: str, reasons: sa.ColumnClause) -> dict[str, tuple]:
    """Idempotency key -> (state, reasons) of every response, as stored."""
    responses = sa.table(
        "responses", sa.column("idempotency_key"), sa.column(state), reasons
    )
    rows = db.session.execute(sa.select(*responses.c))
    return {key: (state, reasons) for key, state, reasons in rows}


def test_flag_text_becomes_anomaly_lists_and_back(empty_database_url: str) -> None:
    """Old rows keep their state and reasons through the upgrade and the downgrade."""
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with fresh.app_context():
        upgrade(revision=FLAG_TEXT_REVISION)
        with db.engine.begin() as connection:
            _insert_old_responses(connection)
        upgrade()
        assert _stored("anomaly_state", sa.column("anomaly_reasons", sa.JSON)) == {
            "k-flagged-twice-0001": ("flagged", ["honeypot", "too_fast:3s"]),
            "k-cleared-once-0002": ("cleared", ["network_burst:12"]),
            "k-never-flagged-003": (None, []),
        }
        db.session.remove()
        downgrade(revision=FLAG_TEXT_REVISION)
        assert _stored("flag_status", sa.column("flag_reasons")) == OLD_FLAGS
        db.session.remove()
        db.engine.dispose()


def test_the_anomaly_state_check_follows_the_enum(app: Flask, site: SurveySite) -> None:
    """The model's CHECK lists every AnomalyState; the migrated one refuses others."""
    table = db.metadata.tables["responses"]
    (condition,) = (
        str(c.sqltext)
        for c in table.constraints
        if isinstance(c, sa.CheckConstraint) and "anomaly_state" in str(c.sqltext)
    )
    assert all(f"'{state}'" in condition for state in AnomalyState)
    with app.app_context():
        (response_id,) = add_responses(site.counter, [4], 1)
        for state in AnomalyState:
            db.session.execute(
                sa.update(Response)
                .where(Response.id == response_id)
                .values(anomaly_state=state)
            )
        with pytest.raises(IntegrityError):
            db.session.execute(
                sa.update(Response)
                .where(Response.id == response_id)
                .values(anomaly_state="bogus")
            )
        db.session.rollback()


# The revision before year cells.
MONTH_CELLS_REVISION = "d5a2b7c81e3f"
YEAR_CELLS_REVISION = "a7f3c9e2d184"


def test_year_cells_are_added_up_from_the_stored_months(
    empty_database_url: str,
) -> None:
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    months = {  # (field, month): (responses, receipt, dissatisfied, sums)
        (1, 202503): (4, 1, 0, [4, 3, 15, 9]),
        (1, 202511): (2, 0, 0, [2, 1, 7, 3]),
        (1, 202601): (5, 2, 1, [5, 2, 16, 7]),
    }
    with fresh.app_context():
        upgrade(revision=MONTH_CELLS_REVISION)
        with db.engine.begin() as connection:
            _insert_catalogue(connection)
            for (field, month), (n, receipt, low, sums) in months.items():
                connection.execute(
                    sa.text(
                        "INSERT INTO response_cells (questionnaire_id, month, "
                        "agency_id, service_field_id, responses, receipt_responses, "
                        "receipt_dissatisfied, layout, sums) VALUES (1, :month, 1, "
                        ":field, :n, :receipt, :low, '7', :sums)"
                    ),
                    {
                        "month": month,
                        "field": field,
                        "n": n,
                        "receipt": receipt,
                        "low": low,
                        "sums": np.array(sums, "<i4").tobytes(),
                    },
                )
        upgrade(revision=YEAR_CELLS_REVISION)
        rows = db.session.execute(
            sa.text(
                "SELECT month, responses, receipt_responses, receipt_dissatisfied, "
                "sums FROM response_cells WHERE month % 100 = 0 ORDER BY month"
            )
        ).all()
        assert [
            (r[0], r[1], r[2], r[3], list(np.frombuffer(r[4], "<i4"))) for r in rows
        ] == [
            (202500, 6, 1, 0, [6, 4, 22, 12]),
            (202600, 5, 2, 1, [5, 2, 16, 7]),
        ]
        db.session.remove()
        downgrade(revision=MONTH_CELLS_REVISION)
        remaining = db.session.scalar(sa.text("SELECT count(*) FROM response_cells"))
        assert remaining == len(months)
        db.session.remove()
        db.engine.dispose()


# The revision before receipts were rebuilt with an agency (a batch table copy
# on SQLite).
BEFORE_RECEIPT_AGENCY = "f2b8c4d1e9a7"


def test_a_database_with_rated_receipts_upgrades_to_head(
    empty_database_url: str,
) -> None:
    """Rebuilding a table that other rows point at (receipts, which responses
    reference) must not trip SQLite's foreign keys half-way through."""
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with fresh.app_context():
        upgrade(revision=BEFORE_RECEIPT_AGENCY)
        with db.engine.begin() as connection:
            _insert_catalogue(connection)
            for statement in (
                "INSERT INTO counters (id, code, name, service_point_id, active) "
                "VALUES (1, 'Q1', 'Quầy 1', 1, true)",
                "INSERT INTO receipts (id, public_id, dossier_code, counter_id, "
                "issued_at, expires_at) VALUES (1, 'r1', 'HS-1', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                "INSERT INTO responses (id, public_id, idempotency_key, agency_id, "
                "questionnaire_id, service_field_id, channel, language, "
                "submitted_at, counter_id, receipt_id) VALUES (1, 'p1', "
                "'k-receipt-rated-0001', 1, 1, 1, 'receipt', 'vi', "
                "CURRENT_TIMESTAMP, 1, 1)",
            ):
                connection.execute(sa.text(statement))
        upgrade()
        assert db.session.execute(
            sa.text("SELECT agency_id, dossier_code FROM receipts")
        ).all() == [(1, "HS-1")]
        assert db.session.scalar(sa.text("SELECT receipt_id FROM responses")) == 1
        db.session.remove()
        db.engine.dispose()


# The revision before cells counted each answer 1..5.
BEFORE_ANSWER_COUNTS = "b4d9e6a1c257"
# (submitted at, folded, answers to criteria 7 and 8; 0: no opinion)
OLD_RESPONSES = [
    (datetime(2025, 1, 10, 3, tzinfo=UTC), True, (5, 4)),
    (datetime(2025, 1, 20, 3, tzinfo=UTC), True, (1, 0)),
    (datetime(2025, 1, 31, 18, tzinfo=UTC), True, (3, 5)),  # 1 February locally
    (datetime(2025, 2, 3, 3, tzinfo=UTC), True, (4, 4)),
    (datetime(2025, 2, 4, 3, tzinfo=UTC), False, (2, 2)),  # not in a cell yet
]


def _old_cells() -> tuple[CellSums, list[bytes]]:
    """The folded OLD_RESPONSES summed as the app sums them, and each cell's
    sums as BEFORE_ANSWER_COUNTS stored them (without the answer counts)."""
    layout = CellLayout((7, 8), ("F1.1", "F1.2"), np.zeros(2, dtype=np.int64))
    folded = [r for r in OLD_RESPONSES if r[1]]
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    months = [int(at.astimezone(zone).strftime("%Y%m")) for at, _, _ in folded]
    sums = CellSums.from_answers(
        layout,
        (
            np.ones(len(folded), np.int64),
            np.ones(len(folded), np.int64),
            np.array(months),
        ),
        np.zeros(len(folded), dtype=bool),
        np.array([answers for _, _, answers in folded], dtype=np.int8),
    ).with_year_cells()
    old_size = (3 * 2 + 3 * 2 * 2) * 4
    return sums, [blob[:old_size] for blob in sums.packed()]


def _insert_old_cells(connection: sa.Connection) -> CellSums:
    _insert_catalogue(connection)
    connection.execute(
        sa.text(
            "INSERT INTO factors (id, questionnaire_id, code, position, name_vi, "
            "name_en) VALUES (1, 1, 'A', 1, 'a', 'a')"
        )
    )
    for criterion in (7, 8):
        connection.execute(
            sa.text(
                "INSERT INTO criteria (id, factor_id, code, position, text_vi, "
                "text_en) VALUES (:id, 1, :code, :id, 'c', 'c')"
            ),
            {"id": criterion, "code": f"A{criterion}"},
        )
    responses = sa.table(
        "responses",
        *(sa.column(name) for name in ("id", "public_id", "idempotency_key")),
        *(sa.column(name) for name in ("agency_id", "questionnaire_id")),
        *(sa.column(name) for name in ("service_field_id", "channel", "language")),
        sa.column("submitted_at", sa.DateTime(timezone=True)),
        sa.column("folded", sa.Boolean),
    )
    for number, (at, folded, answers) in enumerate(OLD_RESPONSES, start=1):
        connection.execute(
            responses.insert().values(
                id=number,
                public_id=f"p{number}",
                idempotency_key=f"k-old-response-{number:04d}",
                agency_id=1,
                questionnaire_id=1,
                service_field_id=1,
                channel="counter",
                language="vi",
                submitted_at=at,
                folded=folded,
            )
        )
        for criterion, value in zip((7, 8), answers, strict=True):
            connection.execute(
                sa.text(
                    "INSERT INTO answers (response_id, criterion_id, value) "
                    "VALUES (:response, :criterion, :value)"
                ),
                {"response": number, "criterion": criterion, "value": value or None},
            )
    sums, old_blobs = _old_cells()
    for i, blob in enumerate(old_blobs):
        connection.execute(
            sa.text(
                "INSERT INTO response_cells (questionnaire_id, month, agency_id, "
                "service_field_id, responses, receipt_responses, receipt_dissatisfied, "
                "layout, sums) VALUES (1, :month, 1, 1, :n, 0, 0, '7,8', :sums)"
            ),
            {"month": int(sums.month[i]), "n": int(sums.n[i]), "sums": blob},
        )
    return sums


def _stored_blobs() -> dict[int, bytes]:
    rows = db.session.execute(sa.text("SELECT month, sums FROM response_cells"))
    return {month: bytes(blob) for month, blob in rows}


def test_cells_gain_the_counts_of_each_answer_from_their_responses(
    empty_database_url: str,
) -> None:
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with fresh.app_context():
        upgrade(revision=BEFORE_ANSWER_COUNTS)
        with db.engine.begin() as connection:
            sums = _insert_old_cells(connection)
        assert sorted(sums.month.tolist()) == [202500, 202501, 202502]
        upgrade()
        months = sums.month.tolist()
        assert _stored_blobs() == dict(zip(months, sums.packed(), strict=True))
        # January: a 5 and a 1 to criterion 7; a 4 and a "no opinion" to 8.
        january = np.frombuffer(_stored_blobs()[202501], "<i4")[-10:].reshape(5, 2)
        assert january.T.tolist() == [[1, 0, 0, 0, 1], [0, 0, 0, 1, 0]]
        db.session.remove()
        downgrade(revision=BEFORE_ANSWER_COUNTS)
        assert _stored_blobs() == dict(zip(months, _old_cells()[1], strict=True))
        db.session.remove()
        db.engine.dispose()


def test_cells_out_of_step_with_their_responses_are_emptied(
    empty_database_url: str,
) -> None:
    """No cell keeps counts that disagree with its totals: the responses are
    read unfolded (the same numbers) until the next fold."""
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with fresh.app_context():
        upgrade(revision=BEFORE_ANSWER_COUNTS)
        with db.engine.begin() as connection:
            _insert_old_cells(connection)
            connection.execute(sa.text("UPDATE responses SET folded = false"))
        upgrade()
        assert _stored_blobs() == {}
        folded = db.session.scalar(
            sa.select(sa.func.count()).where(Response.folded.is_(True))
        )
        assert folded == 0
        db.session.remove()
        db.engine.dispose()
