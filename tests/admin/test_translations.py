"""`flask questionnaires translations export/import`: a language added as data."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Translation
from tests.conftest import AuthActions
from tests.factories import SurveySite, add_responses, make_two_communes
from tests.helpers import survey_path
from tests.survey.test_hot_path import counted

MADE_UP = "xx"
# A criterion and a service field of sipas-2023, and their Vietnamese wording.
CRITERION_KEY = "sipas-2023/C1"
CRITERION_VI = "Có thái độ giao tiếp lịch sự, tôn trọng người dân."
FIELD_KEY = "ho-tich"


@pytest.fixture
def made_up_language(app: Flask) -> str:
    """LANGUAGES with a language no catalogue and no bundled wording has."""
    app.config["LANGUAGES"] = ("vi", "en", MADE_UP)
    return MADE_UP


def in_made_up(source: str) -> str:
    """The made-up language's wording of a Vietnamese text."""
    return f"[{MADE_UP}] {source}"


def exported(runner: FlaskCliRunner, path: Path, language: str = MADE_UP) -> None:
    result = runner.invoke(
        args=[
            "questionnaires",
            "translations",
            "export",
            "--language",
            language,
            "-o",
            str(path),
        ]
    )
    assert result.exit_code == 0, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def imported(runner: FlaskCliRunner, path: Path) -> tuple[int, str]:
    result = runner.invoke(args=["questionnaires", "translations", "import", str(path)])
    return result.exit_code, result.output


def test_a_made_up_language_through_export_and_import(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    site: SurveySite,
    made_up_language: str,
    tmp_path: Path,
) -> None:
    path = survey_path(app, site.counter)
    before = client.get(f"{path}?lang={MADE_UP}").get_data(as_text=True)
    # Untranslated: the page is in the language, its wording in Vietnamese.
    assert f'<html lang="{MADE_UP}">' in before
    assert CRITERION_VI in before

    file = tmp_path / "xx.csv"
    exported(runner, file)
    rows = read_csv(file)
    assert all(row["missing"] == "missing" and row["text"] == "" for row in rows)
    criterion = next(row for row in rows if row["key"] == CRITERION_KEY)
    assert (criterion["kind"], criterion["vi"]) == ("criterion", CRITERION_VI)
    for row in rows:
        row["text"] = in_made_up(row["vi"])
    write_csv(file, rows)
    assert imported(runner, file)[0] == 0

    page = client.get(f"{path}?lang={MADE_UP}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert in_made_up(CRITERION_VI) in html
    assert in_made_up("Tiếp cận dịch vụ") in html  # a factor
    assert in_made_up("Hộ tịch") in html  # a service field
    # No catalogue for the language: the interface falls back to Vietnamese.
    assert "Không có ý kiến / không áp dụng" in html
    # The other languages are untouched.
    vietnamese = client.get(f"{path}?lang=vi").get_data(as_text=True)
    assert CRITERION_VI in vietnamese and in_made_up(CRITERION_VI) not in vietnamese
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.action, event.target) == ("translations_import", "xx.csv")
        assert event.details["added"] == len(rows)


def test_the_language_switch_lists_every_language(
    app: Flask, client: FlaskClient, site: SurveySite, made_up_language: str
) -> None:
    path = survey_path(app, site.counter)
    html = client.get(path).get_data(as_text=True)
    assert f'href="{path}?lang=en" hreflang="en" lang="en">English<' in html
    assert f'href="{path}?lang=xx" hreflang="xx" lang="xx">xx<' in html
    app.config["LANGUAGE_NAMES"] = {MADE_UP: "Made-up"}
    app.extensions.pop("language_names")  # names are kept per app once worked out
    html = client.get(f"{path}?lang=xx").get_data(as_text=True)
    assert f'href="{path}?lang=vi" hreflang="vi" lang="vi">Tiếng Việt<' in html
    assert ">Made-up<" not in html  # the page's own language is not offered


def test_an_empty_text_falls_back_to_vietnamese_again(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    site: SurveySite,
    made_up_language: str,
    tmp_path: Path,
) -> None:
    file = tmp_path / "xx.xlsx"
    exported(runner, file)
    book = load_workbook(file)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        row[5].value = in_made_up(str(row[4].value))
    book.save(file)
    assert imported(runner, file)[0] == 0
    path = f"{survey_path(app, site.counter)}?lang={MADE_UP}"
    assert in_made_up(CRITERION_VI) in client.get(path).get_data(as_text=True)

    for row in sheet.iter_rows(min_row=2):
        if row[1].value == CRITERION_KEY:
            row[5].value = None
    book.save(file)
    code, output = imported(runner, file)
    assert code == 0 and "1 removed" in output
    html = client.get(path).get_data(as_text=True)
    assert CRITERION_VI in html and in_made_up(CRITERION_VI) not in html
    exported(runner, tmp_path / "again.csv")
    missing = [row["key"] for row in read_csv(tmp_path / "again.csv") if row["missing"]]
    assert missing == [CRITERION_KEY]


def _line(kind: str, key: str, field: str, language: str, source: str) -> list[str]:
    return [kind, key, field, language, source, "dịch", ""]


HEADER = ["kind", "key", "field", "language", "vi", "text", "missing"]
GOOD = _line("criterion", CRITERION_KEY, "text", MADE_UP, CRITERION_VI)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [GOOD, _line("criterion", "sipas-2023/Z9", "text", MADE_UP, "x")],
            "line 3, key: Unknown text “criterion / sipas-2023/Z9 / text”",
        ),
        (
            [GOOD, _line("criterion", CRITERION_KEY, "text", MADE_UP, "Đã sửa")],
            "line 3, key: This text is already on line 2.",
        ),
        (
            [_line("criterion", CRITERION_KEY, "text", MADE_UP, "Đã sửa"), GOOD],
            "line 2, vi: The Vietnamese source is not the stored wording",
        ),
        (
            [GOOD, _line("criterion", CRITERION_KEY, "text", MADE_UP, "")],
            "line 3, vi: The Vietnamese source is not the stored wording",
        ),
        (
            [GOOD, _line("criterion", CRITERION_KEY, "text", "qq", CRITERION_VI)],
            "line 3, language: Unknown language “qq”",
        ),
        (
            [GOOD, _line("criterion", CRITERION_KEY, "text", "vi", CRITERION_VI)],
            "line 3, language: Unknown language “vi”",
        ),
        ([GOOD[:3] + GOOD[4:]], "The header row lacks the columns: language"),
    ],
)
def test_a_file_with_a_problem_imports_nothing(
    app: Flask,
    runner: FlaskCliRunner,
    made_up_language: str,
    tmp_path: Path,
    lines: list[list[str]],
    expected: str,
) -> None:
    file = tmp_path / "bad.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = HEADER if len(lines[0]) == len(HEADER) else HEADER[:3] + HEADER[4:]
    for line in [header, *lines]:
        sheet.append(line)
    book.save(file)
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Translation))
    code, output = imported(runner, file)
    assert code == 1
    assert expected in output
    assert "nothing imported" in output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Translation)) == stored
        )
        assert db.session.scalars(select(AuditEvent)).first() is None


def test_export_refuses_a_language_not_configured(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    for language in ("xx", "vi"):
        args = ["questionnaires", "translations", "export", "--language", language]
        result = runner.invoke(args=[*args, "-o", str(tmp_path / "x.csv")])
        assert result.exit_code == 2
        assert "not one of LANGUAGES" in result.output


def test_managers_see_the_untranslated_wording_marked(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    made_up_language: str,
    tmp_path: Path,
) -> None:
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4, 4, 3], 20)
    file = tmp_path / "xx.csv"
    exported(runner, file)
    rows = read_csv(file)
    for row in rows:
        row["text"] = in_made_up(row["vi"]) if row["key"] == CRITERION_KEY else ""
    write_csv(file, rows)
    assert imported(runner, file)[0] == 0
    auth.login_as("viewer", codes["commune_a"])
    page = f"/quan-ly/co-quan/{codes['commune_a']}?lang={MADE_UP}"
    html = client.get(page).get_data(as_text=True)
    assert in_made_up(CRITERION_VI) in html
    assert f"{in_made_up(CRITERION_VI)} (" not in html
    assert "Tiếp cận dịch vụ (bằng tiếng Việt: chưa được dịch)" in html
    english = client.get(page.replace(MADE_UP, "en")).get_data(as_text=True)
    assert "not yet translated" not in english


def test_the_survey_reads_its_wording_once_per_import(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    site: SurveySite,
    made_up_language: str,
    tmp_path: Path,
) -> None:
    path = f"{survey_path(app, site.counter)}?lang={MADE_UP}"

    def wording_reads() -> int:
        with counted(app) as statements:
            assert client.get(path).status_code == 200
        return sum("FROM translations" in statement for statement in statements)

    assert wording_reads() > 0
    assert wording_reads() == 0
    file = tmp_path / "xx.csv"
    exported(runner, file)
    rows = read_csv(file)
    rows[0]["text"] = in_made_up(rows[0]["vi"])
    write_csv(file, rows)
    assert imported(runner, file)[0] == 0
    assert wording_reads() > 0  # the import raised the revision: read again
    assert wording_reads() == 0
