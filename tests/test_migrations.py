"""Alembic: one head, and the models match what the migrations build."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from surveyapp.extensions import db


def test_single_head(app: Flask) -> None:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_migrations(app: Flask) -> None:
    """The test database was built by `flask db upgrade`; nothing is left to migrate."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_and_upgrade_again(app: Flask, tmp_path: object) -> None:
    from surveyapp.app import create_app

    url = f"sqlite:///{tmp_path}/roundtrip.sqlite3"
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with fresh.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "responses" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
