"""The migration that makes dossier codes unique per agency keeps old receipts."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from surveyapp.app import create_app
from surveyapp.extensions import db

# The revision before receipts.agency_id.
BEFORE = "f2b8c4d1e9a7"


def test_old_receipts_get_their_counters_agency(empty_database_url: str) -> None:
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with fresh.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            for agency_id in (1, 2):
                connection.execute(
                    sa.text(
                        "INSERT INTO agencies (id, code, name, kind) "
                        "VALUES (:id, :code, 'a', 'service_point')"
                    ),
                    {"id": agency_id, "code": f"a{agency_id}"},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO counters (id, code, name, service_point_id, "
                        "active) VALUES (:id, :code, 'q', :id, true)"
                    ),
                    {"id": agency_id, "code": f"q{agency_id}"},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO receipts (id, public_id, dossier_code, "
                        "counter_id, issued_at, expires_at) VALUES (:id, :code, "
                        ":code, :id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": agency_id, "code": f"HS-{agency_id}"},
                )
        upgrade()
        rows = db.session.execute(
            sa.text("SELECT dossier_code, agency_id FROM receipts ORDER BY id")
        ).all()
        assert [tuple(row) for row in rows] == [("HS-1", 1), ("HS-2", 2)]
        # The same code at the other agency is now another dossier.
        db.session.execute(
            sa.text(
                "INSERT INTO receipts (id, public_id, dossier_code, agency_id, "
                "counter_id, issued_at, expires_at) VALUES (3, 'p3', 'HS-1', 2, 2, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
