"""Ask only what the citizen knows: a counter's fields, a receipt's field.

A counter tied to no field lists every field as before; to one field, the
citizen is not asked; to several, those come first. A receipt issued with its
dossier's field is not asked either. A known field is recorded whatever is
posted, and weighting reads the stored field as before.
"""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.analysis.rows import load_rows_where
from surveyapp.analysis.weighting import weigh_responses
from surveyapp.core.time import local_today
from surveyapp.extensions import db
from surveyapp.models import (
    Counter,
    DossierCount,
    Response,
    ServiceField,
    get_by_code,
)
from tests.factories import SurveySite, questionnaire
from tests.helpers import fill_form, survey_path
from tests.kiosk.test_views import kiosk_form, new_kiosk, open_kiosk
from tests.receipts.support import issue, response_body
from tests.survey.test_hot_path import FORM_STATEMENTS, counted, deepen

SELECT = re.compile(r'<select[^>]*name="service_field".*?</select>', re.S)
OPTION = re.compile(r'<option[^>]*value="([^"]*)"')
GROUP = re.compile(r'<optgroup label="([^"]+)">(.*?)</optgroup>', re.S)


def tie(app: Flask, counter_code: str, *fields: str) -> None:
    """Tie a counter to these service fields."""
    with app.app_context():
        counter = get_by_code(Counter, counter_code)
        assert counter is not None
        counter.service_fields = [
            field
            for code in fields
            if (field := get_by_code(ServiceField, code)) is not None
        ]
        db.session.commit()


def all_codes(app: Flask) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(ServiceField.code).order_by(ServiceField.position)
            )
        )


def stored_fields(app: Flask) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(ServiceField.code)
                .join(Response, Response.service_field_id == ServiceField.id)
                .order_by(Response.id)
            )
        )


def test_a_counter_without_fields_lists_every_field_as_before(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    html = client.get(survey_path(app, site.counter)).get_data(as_text=True)
    select_html = SELECT.search(html)
    assert select_html is not None
    assert "<optgroup" not in select_html.group(0)
    assert OPTION.findall(select_html.group(0)) == ["", *all_codes(app)]


def test_a_counter_of_several_fields_lists_them_first(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    tie(app, site.counter, "y-te", "dat-dai")
    path = survey_path(app, site.counter)
    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    select_html = SELECT.search(html)
    assert select_html is not None
    groups = [
        (label, OPTION.findall(body)) for label, body in GROUP.findall(select_html[0])
    ]
    others = [code for code in all_codes(app) if code not in ("dat-dai", "y-te")]
    # Display order within each group; the prompt stays first, outside them.
    assert groups == [
        ("Fields of this counter", ["dat-dai", "y-te"]),
        ("Other fields", others),
    ]
    assert OPTION.findall(select_html[0])[0] == ""
    # The citizen may be at the wrong counter: another field is accepted...
    assert client.post(path, data=fill_form(client, path)).status_code == 302
    # ...and the field is still asked.
    missing = client.post(path, data=fill_form(client, path, service_field=""))
    assert missing.status_code == 422
    assert stored_fields(app) == ["ho-tich"]


def test_a_counter_of_one_field_does_not_ask_and_records_it(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    tie(app, site.counter, "chung-thuc")
    path = survey_path(app, site.counter)
    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert SELECT.search(html) is None
    assert "Certification of copies and signatures" in html
    assert 'type="hidden" name="service_field" value="chung-thuc"' in html
    # An edited field and no field at all: the counter's field either way.
    for sent in ("dat-dai", ""):
        data = fill_form(client, path, service_field=sent)
        assert client.post(path, data=data).status_code == 302
    assert stored_fields(app) == ["chung-thuc", "chung-thuc"]
    # The other counter of the service point still asks.
    other = client.get(survey_path(app, site.other_counter)).get_data(as_text=True)
    assert SELECT.search(other) is not None


def test_a_receipt_with_a_field_does_not_ask_and_ignores_a_posted_one(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    tie(app, site.counter, "y-te", "dat-dai")
    path = f"/r/{issue(app, site.counter, 'HS-F1', field='xay-dung')}"
    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    assert SELECT.search(html) is None
    assert "Construction" in html
    tampered = fill_form(client, path, service_field="dat-dai")
    assert client.post(path, data=tampered).status_code == 302
    assert stored_fields(app) == ["xay-dung"]


def test_a_receipt_without_a_field_asks_like_its_counter(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    tie(app, site.counter, "y-te", "dat-dai")
    path = f"/r/{issue(app, site.counter, 'HS-F2')}"
    html = client.get(f"{path}?lang=en").get_data(as_text=True)
    select_html = SELECT.search(html)
    assert select_html is not None
    assert GROUP.findall(select_html[0])[0][0] == "Fields of this counter"


def test_the_api_records_a_known_field_and_asks_otherwise(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-F3", field="y-te")
    body = response_body(token)
    del body["service_field"]
    assert client.post("/api/v1/responses", json=body).status_code == 201
    second = issue(app, site.counter, "HS-F4", field="y-te")
    sent = client.post(
        "/api/v1/responses", json=response_body(second, service_field="dat-dai")
    )
    assert sent.status_code == 201
    counter_token = survey_path(app, site.counter).removeprefix("/s/")
    asked = response_body(counter_token, kind="counter")
    del asked["service_field"]
    refused = client.post("/api/v1/responses", json=asked)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"service_field"}  # type: ignore[index]
    assert stored_fields(app) == ["y-te", "y-te"]


def test_a_known_field_costs_no_statement(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    deepen(app, site)
    tie(app, site.counter, "ho-tich")
    path = survey_path(app, site.counter)
    for _ in range(2):
        data = fill_form(client, path)
        with counted(app) as statements:
            assert client.post(path, data=data).status_code == 302
        assert len(statements) <= FORM_STATEMENTS, "\n".join(statements)


@pytest.mark.parametrize("channel", ["counter", "receipt"])
def test_weighting_reads_the_recorded_field(
    app: Flask, client: FlaskClient, site: SurveySite, channel: str
) -> None:
    """A response whose field was not asked is weighted in its field's stratum."""
    # Two responses a cell: the smallest stratum weighting keeps apart.
    tie(app, site.counter, "dat-dai")
    if channel == "receipt":
        tie(app, site.counter)
        paths = [
            f"/r/{issue(app, site.counter, f'HS-W{n}', field='dat-dai')}"
            for n in (1, 2)
        ]
    else:
        paths = [survey_path(app, site.counter)] * 2
    for path in paths:
        assert client.post(path, data=fill_form(client, path)).status_code == 302
    other = survey_path(app, site.other_counter)
    for _ in range(2):
        assert client.post(other, data=fill_form(client, other)).status_code == 302
    with app.app_context():
        point = get_by_code(Counter, site.counter).service_point  # type: ignore[union-attr]
        today = local_today()
        for code, dossiers in (("dat-dai", 30), ("ho-tich", 50)):
            field = get_by_code(ServiceField, code)
            assert field is not None
            db.session.add(
                DossierCount(
                    agency_id=point.id,
                    service_field_id=field.id,
                    year=today.year,
                    month=today.month,
                    dossiers=dossiers,
                )
            )
        db.session.commit()
        rows = load_rows_where(questionnaire(), [Response.agency_id == point.id])
        assert rows.field_codes == ["dat-dai", "dat-dai", "ho-tich", "ho-tich"]
        start = today.replace(day=1)
        weighting = weigh_responses(
            rows.agency_ids, rows.field_codes, start, start + timedelta(days=32)
        )
    np.testing.assert_allclose(weighting.weights, [15.0, 15.0, 25.0, 25.0])


def test_a_kiosk_at_a_counter_of_one_field_does_not_ask(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    tie(app, site.counter, "tu-phap")
    key = new_kiosk(app, site.counter)
    html = open_kiosk(client, key).get_data(as_text=True)
    assert SELECT.search(html) is None
    data = kiosk_form(client, key)
    del data["service_field"]
    assert client.post("/kiosk/", data=data).status_code == 302
    assert stored_fields(app) == ["tu-phap"]
