"""`flask agencies list` and `flask questionnaires load`."""

from __future__ import annotations

from flask.testing import FlaskCliRunner

from tests.factories import SurveySite


def test_agencies_list(runner: FlaskCliRunner, site: SurveySite) -> None:
    tree = runner.invoke(args=["agencies", "list"]).output.splitlines()
    assert tree == [
        f"{site.province}\tTỉnh Thử",
        f"{site.commune}\t  Xã Thử Nghiệm",
        f"{site.service_point}\t    Bộ phận Một cửa xã Thử Nghiệm",
    ]


def test_questionnaires_load_is_idempotent(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["questionnaires", "load"])
    assert result.exit_code == 0
    assert "nothing to add" in result.output
