"""`flask maintenance run`: housekeeping off the request path, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Receipt, Response
from tests.factories import SurveySite, add_responses
from tests.helpers import fill_form, survey_path
from tests.receipts.support import expire, issue, response_body

OLD_NETWORK = "0123456789abcdef"


def _old_response_with_network(app: Flask, counter_code: str) -> int:
    with app.app_context():
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        (old,) = add_responses(counter_code, [4], 1, submitted_at=hour_ago)
        db.session.get(Response, old).network_hash = OLD_NETWORK
        db.session.commit()
        return old


def _network_hashes(app: Flask) -> dict[int, str | None]:
    with app.app_context():
        rows = db.session.execute(select(Response.id, Response.network_hash))
        return {row.id: row.network_hash for row in rows}


def test_a_submission_no_longer_erases_old_fingerprints(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    old = _old_response_with_network(app, site.counter)
    path = survey_path(app, site.counter)
    assert client.post(path, data=fill_form(client, path)).status_code == 302
    assert _network_hashes(app)[old] == OLD_NETWORK


def test_run_erases_fingerprints_older_than_the_window_only(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, site: SurveySite
) -> None:
    old = _old_response_with_network(app, site.counter)
    path = survey_path(app, site.counter)
    assert client.post(path, data=fill_form(client, path)).status_code == 302
    result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    assert "network fingerprints erased: 1" in result.output
    hashes = _network_hashes(app)
    assert hashes.pop(old) is None
    assert all(value is not None for value in hashes.values())  # the new one


def test_run_twice_changes_nothing_the_second_time(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    _old_response_with_network(app, site.counter)
    first = runner.invoke(args=["maintenance", "run"])
    assert "responses folded into cells: 1" in first.output
    second = runner.invoke(args=["maintenance", "run"])
    assert second.exit_code == 0
    assert second.output.splitlines() == [
        "network fingerprints erased: 0",
        "expired receipts erased: 0",
        "responses folded into cells: 0",
    ]


def _age_receipt(app: Flask, dossier: str, days_past_expiry: int) -> None:
    with app.app_context():
        receipt = db.session.scalars(
            select(Receipt).where(Receipt.dossier_code == dossier)
        ).one()
        receipt.expires_at = datetime.now(UTC) - timedelta(days=days_past_expiry)
        db.session.commit()


def test_run_erases_long_expired_unused_receipts_only(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, site: SurveySite
) -> None:
    used = issue(app, site.counter, "HS-USED")
    issue(app, site.counter, "HS-OLD")
    issue(app, site.counter, "HS-RECENT")
    issue(app, site.counter, "HS-VALID")
    posted = client.post("/api/v1/responses", json=response_body(used))
    assert posted.status_code == 201
    _age_receipt(app, "HS-USED", 200)
    _age_receipt(app, "HS-OLD", 91)
    expire(app, "HS-RECENT")  # expired yesterday: its link still says "expired"
    result = runner.invoke(args=["maintenance", "run"])
    assert "expired receipts erased: 1" in result.output
    with app.app_context():
        left = set(db.session.scalars(select(Receipt.dossier_code)))
    assert left == {"HS-USED", "HS-RECENT", "HS-VALID"}


def test_the_keep_days_are_a_setting(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    app.config["RECEIPT_KEEP_DAYS"] = 0
    issue(app, site.counter, "HS-YESTERDAY")
    expire(app, "HS-YESTERDAY")
    result = runner.invoke(args=["maintenance", "run"])
    assert "expired receipts erased: 1" in result.output
