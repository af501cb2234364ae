"""Alembic: one head, and the models match what the migrations build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

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
        upgrade()
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
