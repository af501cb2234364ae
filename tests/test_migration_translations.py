"""The migration that moves the `*_vi`/`*_en` wording into `translations`, and back."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from surveyapp.app import create_app
from surveyapp.extensions import db

# The revision before the translations table.
BEFORE = "b4d9e6a1c257"

OLD_ROWS = (
    "INSERT INTO questionnaires (id, code, title_vi, title_en, legal_basis) "
    "VALUES (1, 'q', 'Phiếu', 'Form', '')",
    "INSERT INTO factors (id, questionnaire_id, code, position, name_vi, name_en) "
    "VALUES (1, 1, 'A', 1, 'Tiếp cận', 'Access')",
    "INSERT INTO criteria (id, factor_id, code, position, text_vi, text_en) "
    "VALUES (1, 1, 'A1', 1, 'Biển hiệu rõ ràng.', 'Clear signs.'), "
    "(2, 1, 'A2', 2, 'Đủ ghế ngồi.', '')",
    "INSERT INTO service_fields (id, code, name_vi, name_en, position) "
    "VALUES (1, 'dat-dai', 'Đất đai', 'Land', 1)",
)

TRANSLATIONS = {
    ("questionnaires", 1, "title", "vi"): "Phiếu",
    ("questionnaires", 1, "title", "en"): "Form",
    ("factors", 1, "name", "vi"): "Tiếp cận",
    ("factors", 1, "name", "en"): "Access",
    ("criteria", 1, "text", "vi"): "Biển hiệu rõ ràng.",
    ("criteria", 1, "text", "en"): "Clear signs.",
    # An empty English text was "untranslated": it gets no row.
    ("criteria", 2, "text", "vi"): "Đủ ghế ngồi.",
    ("service_fields", 1, "name", "vi"): "Đất đai",
    ("service_fields", 1, "name", "en"): "Land",
}


def _rows(statement: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in db.session.execute(sa.text(statement))]


def test_wording_moves_into_translations_and_back(empty_database_url: str) -> None:
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with fresh.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            for statement in OLD_ROWS:
                connection.execute(sa.text(statement))
        upgrade()
        stored = _rows(
            "SELECT table_name, row_id, field, language, text FROM translations"
        )
        assert {tuple(row[:4]): row[4] for row in stored} == TRANSLATIONS
        assert "text_vi" not in {
            column["name"] for column in sa.inspect(db.engine).get_columns("criteria")
        }
        db.session.execute(
            sa.text(
                "INSERT INTO translations (table_name, row_id, field, language, text) "
                "VALUES ('criteria', 1, 'text', 'th', 'ป้าย')"
            )
        )
        db.session.commit()
        db.session.remove()

        downgrade(revision=BEFORE)
        assert _rows("SELECT title_vi, title_en FROM questionnaires") == [
            ("Phiếu", "Form")
        ]
        assert _rows("SELECT name_vi, name_en FROM factors") == [("Tiếp cận", "Access")]
        assert _rows("SELECT text_vi, text_en FROM criteria ORDER BY id") == [
            ("Biển hiệu rõ ràng.", "Clear signs."),
            ("Đủ ghế ngồi.", ""),
        ]
        assert _rows("SELECT name_vi, name_en FROM service_fields") == [
            ("Đất đai", "Land")
        ]
        db.session.remove()
        db.engine.dispose()
