"""The yearly PDF in the page's language: its labels, its wording and its font."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from sqlalchemy import select

from config import BUNDLED_FONT_DIR
from surveyapp.admin.translations import export_csv, import_wording
from surveyapp.extensions import db
from surveyapp.models import Finalisation
from tests.conftest import AuthActions

YEAR = date.today().year - 1
# Tai Viet: neither DejaVu nor the test font has it.
TAI_VIET = "\uaa80\uaa81"


def _text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def _font_names(content: bytes) -> set[str]:
    """The fonts the pages use, without their subset prefix ("ABCDEF+")."""
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def _latin_font(source: str, name: str, target: Path) -> str:
    """A copy of a bundled DejaVu font named `name`, with Basic Latin only: a
    font of another language, which lacks the Vietnamese letters."""
    font = TTFont(BUNDLED_FONT_DIR / source)
    subsetter = subset.Subsetter(subset.Options(notdef_outline=True))
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = name
    font.save(target)
    return str(target)


@pytest.fixture(scope="module")
def xx_font(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("fonts")
    return [
        _latin_font("DejaVuSans.ttf", "XxTestSans", folder / "xx.ttf"),
        _latin_font("DejaVuSans-Bold.ttf", "XxTestSans", folder / "xx-bold.ttf"),
    ]


@pytest.fixture
def app_settings(xx_font: list[str]) -> dict[str, object]:
    """A made-up language `xx` with its own PDF font."""
    return {"LANGUAGES": ["vi", "en", "xx"], "PDF_FONTS": {"xx": xx_font}}


def _translate_to_xx(criterion_text: str) -> None:
    """Every factor and criterion worded in `xx`, through the translators' file."""
    rows = list(csv.DictReader(io.StringIO(export_csv("xx").decode("utf-8-sig"))))
    for row in rows:
        if row["kind"] == "factor":
            row["text"] = f"Xxfactor {row['key'].split('/')[-1]}"
        elif row["kind"] == "criterion":
            row["text"] = f"{criterion_text} {row['key'].split('/')[-1]}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    import_wording(out.getvalue().encode(), "xx.csv", ["vi", "en", "xx"])
    db.session.commit()


def _download(client: FlaskClient, language: str) -> bytes:
    response = client.get(f"/quan-ly/bao-cao/TM-PHB/{YEAR}.pdf?lang={language}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


def test_pdf_follows_the_page_language(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, auth: AuthActions
) -> None:
    result = runner.invoke(args=["demo", "load", "--responses", "1500"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _translate_to_xx("Xxcriterion")
    auth.login_as("admin", "TM")

    vietnamese = _text(_download(client, "vi"))
    assert "Chỉ số chung" in vietnamese and "Các yếu tố và tiêu chí" in vietnamese
    assert "Overall index" not in vietnamese and "Xxcriterion" not in vietnamese

    english = _text(_download(client, "en"))
    assert "Overall index" in english and "Factors and criteria" in english
    assert "Chỉ số chung" not in english
    # Agency names stay as they are stored.
    assert "Phường Hòa Bình" in english

    # xx has no catalogue: Vietnamese labels, its own wording and font, the
    # Vietnamese letters of the agency's name from the Vietnamese font.
    content = _download(client, "xx")
    made_up = _text(content)
    assert "Chỉ số chung" in made_up
    assert "Xxcriterion A1" in made_up and "Xxfactor A" in made_up
    assert "Phường Hòa Bình" in made_up
    # fpdf2 names an embedded font by its full name: family and style.
    fonts = _font_names(content)
    assert {"XxTestSansBook", "XxTestSansBold", "DejaVuSansBook"} <= fonts
    assert _font_names(_download(client, "vi")) == {"DejaVuSansBook", "DejaVuSansBold"}


def test_finalised_year_keeps_its_numbers_in_every_language(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, auth: AuthActions
) -> None:
    assert runner.invoke(args=["demo", "load", "--responses", "1500"]).exit_code == 0
    with app.app_context():
        _translate_to_xx("Xxcriterion")
    auth.login_as("admin", "TM")
    before = _text(_download(client, "xx"))
    page = client.get(f"/quan-ly/bao-cao/TM-PHB?year={YEAR}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    finalised = client.post(
        f"/quan-ly/bao-cao/TM-PHB/{YEAR}/chot",
        data={"csrf_token": token.group(1), "confirm_year": str(YEAR)},
    )
    assert finalised.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Finalisation)).one().year == YEAR
    with app.app_context():
        _translate_to_xx("Xxrenamed")
    after = _text(_download(client, "xx"))
    assert "Xxrenamed A1" in after and "Xxcriterion" not in after
    # The same numbers: only the wording (and the finalisation lines) moved.
    numbers = [line for line in before.splitlines() if "%" in line]
    assert numbers and all(line in after for line in numbers if "Xx" not in line)


def test_export_command_language(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assert runner.invoke(args=["demo", "load", "--responses", "1500"]).exit_code == 0
    target = tmp_path / "report.pdf"
    base = ["sipas", "export", "--year", str(YEAR), "--agency", "TM-PHB"]
    for language, label in (("en", "Overall index"), ("vi", "Chỉ số chung")):
        result = runner.invoke(
            args=[*base, "--format", "pdf", "--language", language, "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        assert label in _text(target.read_bytes())
    csv_result = runner.invoke(
        args=[*base, "--format", "csv", "--language", "en", "-o", str(target)]
    )
    assert csv_result.exit_code == 0, csv_result.output
    assert "Agency code" in target.read_text(encoding="utf-8-sig").splitlines()[0]
    unknown = runner.invoke(
        args=[*base, "--format", "pdf", "--language", "fr", "-o", str(target)]
    )
    assert unknown.exit_code == 2 and "not in LANGUAGES" in unknown.output


def test_characters_no_font_has_are_reported(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert runner.invoke(args=["demo", "load", "--responses", "1500"]).exit_code == 0
    with app.app_context():
        _translate_to_xx(f"Xxcriterion {TAI_VIET}")
    auth.login_as("admin", "TM")
    with caplog.at_level(logging.WARNING, logger="surveyapp.reports.pdf"):
        _download(client, "xx")
    warnings = [
        r.getMessage() for r in caplog.records if r.name.startswith("surveyapp")
    ]
    assert any("'xx'" in w and "U+AA80" in w for w in warnings), warnings
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="surveyapp.reports.pdf"):
        _download(client, "en")
    assert not [r for r in caplog.records if r.name.startswith("surveyapp")]
