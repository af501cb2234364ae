"""Odd input never costs a 500 or a lost answer (found by a review of the app)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Comment, Counter, get_by_code
from tests.conftest import AuthActions
from tests.factories import SurveySite, add_responses, make_two_communes
from tests.helpers import fill_form, survey_path
from tests.receipts.support import response_body


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_nul_in_a_comment_keeps_the_answers(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    posted = client.post(path, data=fill_form(client, path, comment="tốt\x00lắm"))
    assert posted.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Comment.body)).one() == "tốtlắm"


def test_nul_in_api_json_keeps_the_answers(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        token = counter_token(counter)
    body = response_body(
        token, kind="counter", comment="a\x00b", service_field="ho-tich\x00"
    )
    assert client.post("/api/v1/responses", json=body).status_code == 201


@pytest.mark.parametrize("path", ["/quan-ly/co-quan/T-X%00", "/s/TX-Q1%00.abc"])
def test_nul_in_a_path_is_not_found(
    client: FlaskClient, auth: AuthActions, site: SurveySite, path: str
) -> None:
    auth.login_as("admin", site.province)
    assert client.get(path).status_code == 404


def test_deeply_nested_json_is_a_json_400(client: FlaskClient) -> None:
    body = '{"answers":' * 3000 + "1" + "}" * 3000
    answer = client.post(
        "/api/v1/responses", data=body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.is_json


@pytest.mark.parametrize(
    "query",
    [
        "?year=99999999999999999999999",
        "?period=quarter&year=99999999&quarter=2",
        "?period=range&from=0001-01-01&to=2025-12-31",
        "?page=99999999999999999999",
    ],
)
def test_absurd_numbers_in_queries(
    client: FlaskClient, auth: AuthActions, site: SurveySite, query: str
) -> None:
    auth.login_as("admin", site.province)
    for base in (
        f"/quan-ly/co-quan/{site.commune}",
        f"/quan-ly/api/co-quan/{site.commune}/diem.json",
        f"/quan-ly/co-quan/{site.commune}/gop-y",
        "/quan-ly/kiem-tra/",
        "/quan-ly/quan-tri/nhat-ky",
    ):
        assert client.get(base + query).status_code in (200, 400), base + query


@pytest.mark.parametrize("year", [0, 1, 9999, 99999])
def test_implausible_export_years_are_not_found(
    client: FlaskClient, auth: AuthActions, site: SurveySite, year: int
) -> None:
    auth.login_as("manager", site.commune)
    assert client.get(f"/quan-ly/bao-cao/{site.commune}/{year}.csv").status_code == 404
    page = client.get(f"/quan-ly/bao-cao/{site.commune}").get_data(as_text=True)
    assert (
        client.post(
            f"/quan-ly/bao-cao/{site.commune}/{year}/chot",
            data={"csrf_token": csrf(page)},
        ).status_code
        == 404
    )


def test_huge_ids_are_not_found(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    token = csrf(client.get("/quan-ly/mat-khau").get_data(as_text=True))
    for path in (
        "/quan-ly/gop-y/99999999999999999999/an",
        "/quan-ly/kiosk/99999999999/thu-hoi",
    ):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path


def test_upload_errors_escape_the_file_content(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/ho-so/").get_data(as_text=True)
    content = (
        b"ma_co_quan,ma_linh_vuc,nam,thang,so_ho_so\n"
        b"<script>alert(1)</script>,ho-tich,2025,1,5\n"
    )
    answer = client.post(
        "/quan-ly/ho-so/tai-len",
        data={"csrf_token": csrf(page), "file": (io.BytesIO(content), "x.csv")},
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_damaged_workbook_is_reported_not_crashed(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/ho-so/").get_data(as_text=True)
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("[Content_Types].xml", "<x")
        archive.writestr("xl/workbook.xml", "<<")
    answer = client.post(
        "/quan-ly/ho-so/tai-len",
        data={
            "csrf_token": csrf(page),
            "file": (io.BytesIO(damaged.getvalue()), "a.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422


def test_trend_point_equals_the_months_index(app: Flask) -> None:
    from surveyapp.analysis.scores import score_agency
    from surveyapp.analysis.trend import compute_trend
    from surveyapp.core.time import Period
    from surveyapp.models import Agency, DossierCount, ServiceField

    with app.test_request_context():
        codes = make_two_communes("W")
        month_start = datetime(2025, 6, 10, 3, tzinfo=UTC)
        add_responses(codes["counter_a"], [5, 4, 2], 12, submitted_at=month_start)
        add_responses(
            codes["counter_a"],
            [3, 4],
            9,
            field_code="dat-dai",
            submitted_at=month_start,
        )
        add_responses(
            codes["counter_b"],
            [5, 5, 1],
            7,
            submitted_at=month_start + timedelta(days=40),
        )
        commune = get_by_code(Agency, codes["commune_a"])
        for code, dossiers in (("ho-tich", 300), ("dat-dai", 40)):
            field = get_by_code(ServiceField, code)
            db.session.add(
                DossierCount(
                    agency_id=commune.id,
                    service_field_id=field.id,
                    year=2025,
                    month=6,
                    dossiers=dossiers,
                )
            )
        db.session.add(
            DossierCount(
                agency_id=commune.id,
                service_field_id=field.id,
                year=2025,
                month=7,
                dossiers=900,
            )
        )
        db.session.commit()
        root = get_by_code(Agency, codes["province"])
        june = score_agency(root, Period.month(2025, 6)).row(
            root.code, "index", "SIPAS"
        )
        trend = compute_trend(root, root.active_questionnaire(), date(2025, 8, 1))
        point = {p.month: p.row for p in trend}["2025-06"]
        assert june is not None and point is not None
        for key in ("estimate", "se", "ci_low", "ci_high"):
            assert point[key] == pytest.approx(june[key], abs=1e-12)
        assert point["n"] == june["n"] and point["df"] == june["df"]
