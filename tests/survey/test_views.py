"""The citizen's survey pages, from the QR link to the stored response."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, Comment, Response
from tests.factories import SurveySite
from tests.helpers import fill_form, hidden_fields, survey_path


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_survey_page_names_agency_and_lists_items(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    page = client.get(survey_path(app, site.counter))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'lang="vi"' in html
    assert "Bộ phận Một cửa xã Thử Nghiệm" in html
    assert "Xã Thử Nghiệm" in html
    assert "Quầy số 1" in html
    assert "Tiếp cận dịch vụ" in html
    assert "Có thái độ giao tiếp lịch sự, tôn trọng người dân." in html
    assert html.count('type="radio"') == 16 * 6
    assert "Không có ý kiến / không áp dụng" in html
    assert "Hộ tịch" in html


def test_english_is_one_tap_away(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    vietnamese = client.get(path).get_data(as_text=True)
    assert f'href="{path}?lang=en"' in vietnamese
    english = client.get(f"{path}?lang=en")
    html = english.get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Access to the service" in html
    assert "Very satisfied" in html
    assert "Send my answers" in html
    # The choice is remembered for the next page.
    assert "lang=en" in english.headers["Set-Cookie"]
    assert 'lang="en"' in client.get(path).get_data(as_text=True)


def test_submit_stores_one_anonymous_response(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(
        client, path, c_A1="5", c_B2="na", c_C3="1", comment="  Cán bộ nhiệt tình  "
    )
    posted = client.post(path, data=data)
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith(f"{path}/cam-on")
    thanks = client.get(posted.headers["Location"])
    assert "Cảm ơn" in thanks.get_data(as_text=True)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.channel == "counter"
        assert response.counter.code == site.counter
        assert response.agency.code == site.service_point
        assert response.questionnaire.code == "sipas-2023"
        assert response.service_field.code == "ho-tich"
        assert response.submitted_at is not None
        values = {a.criterion.code: a.value for a in response.answers}
        assert len(values) == 16
        assert values["A1"] == 5 and values["B2"] is None and values["C3"] == 1
        assert values["A2"] == 4
        assert response.comment is not None
        assert response.comment.body == "Cán bộ nhiệt tình"
        # Nothing that identifies the person is a column of the response.
        columns = set(Response.__table__.columns.keys())
        assert not columns & {
            "ip",
            "ip_address",
            "user_agent",
            "name",
            "phone",
            "email",
        }


def test_double_submission_stores_one_response(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path)
    first = client.post(path, data=data)
    second = client.post(path, data=data)
    assert first.status_code == second.status_code == 302
    with app.app_context():
        assert count(Response) == 1
        assert count(Answer) == 16


def test_each_form_gets_a_fresh_idempotency_key(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    keys = {
        hidden_fields(client.get(path).get_data(as_text=True))["idempotency_key"]
        for _ in range(3)
    }
    assert len(keys) == 3


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"c_A1": "6"}, "Vui lòng chọn mức đánh giá từ 1 đến 5."),
        ({"c_A1": "0"}, "Vui lòng chọn mức đánh giá từ 1 đến 5."),
        ({"c_A1": "abc"}, "Vui lòng chọn mức đánh giá từ 1 đến 5."),
        ({"c_Z9": "4"}, "Biểu mẫu có câu hỏi không xác định."),
        (
            {"service_field": "khong-ton-tai"},
            "Vui lòng chọn lĩnh vực thủ tục ông/bà đã thực hiện.",
        ),
        ({"service_field": ""}, "Vui lòng chọn lĩnh vực thủ tục ông/bà đã thực hiện."),
        ({"comment": "x" * 2001}, "Góp ý không được dài quá 2000 ký tự."),
        ({"csrf_token": "forged"}, "Biểu mẫu đã hết hạn."),
        ({"idempotency_key": "short"}, "Biểu mẫu đã hết hạn."),
    ],
)
def test_bad_input_is_rejected_and_nothing_stored(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
    override: dict[str, str],
    message: str,
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path, **override)
    posted = client.post(path, data=data)
    html = posted.get_data(as_text=True)
    assert posted.status_code == 422
    assert "Câu trả lời của ông/bà chưa được gửi." in html
    assert message in html
    # The citizen's other answers are kept for the next try.
    assert re.search(r'id="c_A2-4" value="4"\s+checked', html)
    with app.app_context():
        assert count(Response) == 0
        assert count(Answer) == 0
        assert count(Comment) == 0


def test_a_response_must_rate_something(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(
        client,
        path,
        **{key: "na" for key in fill_form(client, path) if key.startswith("c_")},
    )
    posted = client.post(path, data=data)
    assert posted.status_code == 422
    assert "Vui lòng đánh giá ít nhất một tiêu chí." in posted.get_data(as_text=True)


def test_unanswered_items_are_stored_as_no_opinion(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path)
    for key in [k for k in data if k.startswith("c_") and k != "c_A1"]:
        del data[key]
    assert client.post(path, data=data).status_code == 302
    with app.app_context():
        values = [a.value for a in db.session.scalars(select(Answer))]
        assert sorted(values, key=lambda v: v or 0) == [None] * 15 + [4]


@pytest.mark.parametrize("suffix", ["", "/cam-on", "/qr.png", "/qr.svg", "/poster"])
def test_tampered_or_unknown_token_gets_friendly_404(
    app: Flask, client: FlaskClient, site: SurveySite, suffix: str
) -> None:
    good = survey_path(app, site.counter)
    other = survey_path(app, site.other_counter)
    forged = good.rsplit(".", 1)[0] + "." + other.rsplit(".", 1)[1]
    for path in (forged, "/s/NOPE-Q1.AAAAAAAAAAAAAAAAAAAAAA", "/s/garbage", good + "x"):
        page = client.get(path + suffix)
        assert page.status_code == 404, path
        assert "Không tìm thấy trang" in page.get_data(as_text=True)


def test_inactive_counter_link_is_404(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    from surveyapp.models import Counter, get_by_code

    path = survey_path(app, site.counter)
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        counter.active = False
        db.session.commit()
    assert client.get(path).status_code == 404


def test_post_of_tampered_token_stores_nothing(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path)
    assert client.post(path + "x", data=data).status_code == 404
    with app.app_context():
        assert count(Response) == 0


def test_poster_page_shows_counter_and_qr(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    poster = client.get(path + "/poster").get_data(as_text=True)
    assert "Bộ phận Một cửa xã Thử Nghiệm" in poster
    assert "Quầy số 1" in poster
    assert f"{path}/qr.svg" in poster
    with client.get("/static/poster.css") as stylesheet:
        assert "@page" in stylesheet.get_data(as_text=True)


def test_health_check(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
