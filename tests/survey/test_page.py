"""What the survey and thank-you pages say and mark, as the server renders them."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import SurveySite
from tests.helpers import fill_form, survey_path

# The word for "you" that speaks down to an older citizen; the pages say "ông/bà".
FAMILIAR_YOU = re.compile(r"\bbạn\b", re.IGNORECASE)


def card(html: str, item_id: str) -> str:
    """The markup of one rating item's card (its fieldset)."""
    found = re.search(rf'<fieldset [^>]*id="{item_id}"[^>]*>.*?</fieldset>', html, re.S)
    assert found, item_id
    return found.group(0)


def test_every_question_is_one_marked_element(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    html = client.get(survey_path(app, site.counter)).get_data(as_text=True)
    # The service field and the 16 items of sipas-2023.
    assert html.count("data-question") == 1 + 16
    assert re.search(r'<fieldset class="rating" id="c_A1" data-question', html)
    # One read-aloud button, inert until questions.js finds a voice to copy it.
    assert html.count('<button type="button" class="listen">Nghe</button>') == 1
    assert re.search(r'<template id="listen-button"><button [^>]*>Nghe</button>', html)


def test_the_service_field_says_it_is_required(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    html = client.get(survey_path(app, site.counter)).get_data(as_text=True)
    label = re.search(
        r'<label class="field-label" for="service_field">(.*?)</label>', html
    )
    assert label and "(bắt buộc)" in label.group(1)
    select = re.search(r"<select [^>]*>", html)
    assert select
    assert " required" in select.group(0)
    assert 'aria-describedby="service_field-hint"' in select.group(0)


def test_parts_and_a_progress_bar_show_where_one_is(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    html = client.get(survey_path(app, site.counter)).get_data(as_text=True)
    parts = re.findall(r'<span class="part">(.*?)</span>', html)
    assert parts == [f"Phần {number}/5" for number in range(1, 6)]
    bar = re.search(r'<div class="progress" role="progressbar"[^>]*>', html)
    assert bar
    assert 'aria-valuemax="16"' in bar.group(0) and 'aria-valuenow="0"' in bar.group(0)
    # Hidden without JavaScript, which is what keeps it up to date.
    assert bar.group(0).endswith(" hidden>")


def test_privacy_in_one_line_on_top_and_in_full_below(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    html = client.get(survey_path(app, site.counter)).get_data(as_text=True)
    short = html.index("Phiếu ẩn danh: không hỏi ông/bà là ai.")
    full = html.index('id="privacy"')
    assert short < html.index("<form") < html.index("Gửi đánh giá") < full
    assert 'href="#privacy"' in html
    assert "không lưu tên, số điện thoại hay địa chỉ" in html[full:]


def test_errors_mark_the_items_they_speak_of(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    data = fill_form(client, path, service_field="", c_B2="9")
    html = client.post(path, data=data).get_data(as_text=True)
    summary = html[
        html.index('id="form-errors"') : html.index(
            "</div>", html.index('id="form-errors"')
        )
    ]
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["service_field", "c_B2"]
    item = card(html, "c_B2")
    assert 'aria-invalid="true" aria-describedby="c_B2-error"' in item
    assert (
        'id="c_B2-error"' in item and "Vui lòng chọn mức đánh giá từ 1 đến 5." in item
    )
    assert "aria-invalid" not in card(html, "c_B1")
    select = re.search(r"<select [^>]*>", html)
    assert select
    assert 'aria-invalid="true"' in select.group(0)
    assert "service_field-error" in select.group(0)


def test_no_rating_marks_the_questions_and_links_to_them(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    blank = {key: "na" for key in fill_form(client, path) if key.startswith("c_")}
    html = client.post(path, data=fill_form(client, path, **blank)).get_data(
        as_text=True
    )
    message = "Vui lòng đánh giá ít nhất một tiêu chí."
    assert f'<li><a href="#ratings">{message}</a></li>' in html
    block = re.search(
        r'<div class="ratings-intro has-error" id="ratings">(.*?)</div>', html, re.S
    )
    assert block and message in block.group(1)


def test_citizen_pages_say_ong_ba_never_ban(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter)
    pages = [client.get(path).get_data(as_text=True)]
    for override in ({"service_field": ""}, {"c_A1": "7", "comment": "x" * 2001}):
        data = fill_form(client, path, **override)
        pages.append(client.post(path, data=data).get_data(as_text=True))
    app.config["FEEDBACK_HOTLINE"] = "1900 1234"
    pages.append(client.get(f"{path}/cam-on").get_data(as_text=True))
    for html in pages:
        assert "ông/bà" in html
        assert not FAMILIAR_YOU.search(html), FAMILIAR_YOU.search(html)


@pytest.mark.parametrize(
    ("hotline", "dialled"),
    [("1900 1234", "19001234"), ("0236.3822.123", "02363822123")],
)
def test_thank_you_page_gives_the_hotline_when_set(
    app: Flask, client: FlaskClient, site: SurveySite, hotline: str, dialled: str
) -> None:
    path = survey_path(app, site.counter) + "/cam-on"
    assert "tel:" not in client.get(path).get_data(as_text=True)
    app.config["FEEDBACK_HOTLINE"] = hotline
    html = client.get(path).get_data(as_text=True)
    assert f'<a href="tel:{dialled}" class="hotline">{hotline}</a>' in html
    assert "đường dây nóng" in html


def test_thank_you_page_links_the_public_results_only_when_on(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = survey_path(app, site.counter) + "/cam-on"
    words = "Xem mức độ hài lòng của người dân"
    html = client.get(path).get_data(as_text=True)
    assert 'href="/ket-qua"' not in html and words not in html
    app.config["PUBLIC_RESULTS"] = True
    html = client.get(path).get_data(as_text=True)
    assert f'<a href="/ket-qua">{words}' in html
