"""`flask dossiers import` and `flask dossiers template`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from tests.dossiers.helpers import YEAR, csv_bytes, stored, xlsx_bytes
from tests.factories import SurveySite


def test_import_stores_counts_and_prints_summary(
    app: Flask, runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    path = tmp_path / "counts.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                (site.commune, "dat-dai", YEAR, 1, 900),
                (site.commune, "y-te", YEAR, 1, 4),
            ]
        )
    )
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows imported: 2 new, 0 updated, 904 dossiers in total" in result.output
    assert stored(app) == {
        (site.commune, "dat-dai", YEAR, 1): 900,
        (site.commune, "y-te", YEAR, 1): 4,
    }
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.action, event.target, event.actor) == (
            "dossier_upload",
            "counts.xlsx",
            "",
        )


def test_import_with_errors_prints_them_and_stores_nothing(
    app: Flask, runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    path = tmp_path / "counts.csv"
    path.write_bytes(
        csv_bytes(
            [
                (site.commune, "dat-dai", YEAR, 1, 900),
                (site.commune, "dat-dai", YEAR, 13, 4),
                ("NOPE", "dat-dai", YEAR, 2, "x"),
            ],
            delimiter=";",
        )
    )
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "line 3, month: The month must be a whole number from 1 to 12." in lines
    assert "line 4, agency_code: Unknown agency code “NOPE”." in lines
    assert (
        "line 4, dossiers: The number of dossiers must be a whole number, 0 or more."
        in lines
    )
    assert lines[-1].endswith("nothing imported")
    assert stored(app) == {}
    with app.app_context():
        assert db.session.scalars(select(AuditEvent)).all() == []


def test_import_rejects_other_file_types(
    runner: FlaskCliRunner, site: SurveySite, tmp_path: Path
) -> None:
    path = tmp_path / "counts.ods"
    path.write_bytes(b"PK\x03\x04")
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 1
    assert "Only .csv and .xlsx files are accepted." in result.output


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_writes_a_file_that_imports(
    app: Flask, runner: FlaskCliRunner, site: SurveySite, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"mau{suffix}"
    result = runner.invoke(args=["dossiers", "template", "-o", str(path)])
    assert result.exit_code == 0, result.output
    content = path.read_bytes()
    if suffix == ".csv":
        assert content.startswith(b"\xef\xbb\xbfma_co_quan,")
    else:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        try:
            assert workbook.sheetnames == ["so_ho_so", "co_quan", "linh_vuc"]
        finally:
            workbook.close()
    imported = runner.invoke(args=["dossiers", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert {key[0] for key in stored(app)} == {site.commune}


def test_template_refuses_other_formats(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["dossiers", "template", "-o", str(tmp_path / "a.ods")])
    assert result.exit_code == 2
    assert "must end in .xlsx or .csv" in result.output


def test_commands_have_help(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["dossiers", "import", "--help"])
    assert "every row, or none" in result.output
