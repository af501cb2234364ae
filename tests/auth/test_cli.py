"""`flask users create`: accounts from the command line, audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.auth.test_views import actions
from tests.factories import SurveySite


def test_users_create(app: Flask, runner: FlaskCliRunner, site: SurveySite) -> None:
    created = runner.invoke(
        args=[
            "users",
            "create",
            "Head@Commune.gov.vn",
            "--role",
            "manager",
            "--agency",
            site.commune,
            "--password",
            "long-enough-pw",
        ]
    )
    assert created.exit_code == 0, created.output
    assert "created manager head@commune.gov.vn" in created.output
    again = runner.invoke(
        args=[
            "users",
            "create",
            "head@commune.gov.vn",
            "--role",
            "manager",
            "--agency",
            site.commune,
            "--password",
            "long-enough-pw",
        ]
    )
    assert again.exit_code == 1 and "exists already" in again.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "x@y.vn",
            "--role",
            "viewer",
            "--agency",
            "NOPE",
            "--password",
            "long-enough-pw",
        ]
    )
    assert unknown.exit_code == 1 and "no agency with code 'NOPE'" in unknown.output
    prompted = runner.invoke(
        args=[
            "users",
            "create",
            "p@y.vn",
            "--role",
            "viewer",
            "--agency",
            site.commune,
        ],
        input="long-enough-pw\nlong-enough-pw\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert actions(app).count("user_create") == 2
