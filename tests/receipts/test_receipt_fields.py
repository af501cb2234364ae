"""A receipt may carry its dossier's service field: the API, the batch file, the CLI."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Agency, Receipt, get_by_code
from surveyapp.receipts.batch import ReceiptBatchError, check_batch
from tests.conftest import AuthActions
from tests.factories import SurveySite, make_site
from tests.receipts.support import bearer, new_key
from tests.receipts.test_views import upload

URL = "/api/v1/receipts"


def receipt_field(app: Flask, dossier_code: str) -> str | None:
    with app.app_context():
        receipt = db.session.scalars(
            select(Receipt).where(Receipt.dossier_code == dossier_code)
        ).one()
        return receipt.service_field.code if receipt.service_field else None


def test_the_api_issues_a_receipt_with_its_field(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    secret = new_key(app, site.commune)
    body = {
        "counter": site.counter,
        "dossier_code": "HS-A1",
        "service_field": "dat-dai",
    }
    posted = client.post(URL, json=body, headers=bearer(secret))
    assert posted.status_code == 201
    assert posted.json["service_field"] == "dat-dai"  # type: ignore[index]
    assert receipt_field(app, "HS-A1") == "dat-dai"
    # Issuing again without a field keeps it; with another one corrects it.
    del body["service_field"]
    again = client.post(URL, json=body, headers=bearer(secret))
    assert again.status_code == 200 and again.json["service_field"] == "dat-dai"  # type: ignore[index]
    body["service_field"] = "ho-tich"
    corrected = client.post(URL, json=body, headers=bearer(secret))
    assert corrected.json["service_field"] == "ho-tich"  # type: ignore[index]
    # A receipt issued without one says null.
    plain = {"counter": site.counter, "dossier_code": "HS-A2"}
    issued = client.post(URL, json=plain, headers=bearer(secret))
    assert issued.json["service_field"] is None  # type: ignore[index]


@pytest.mark.parametrize("field", ["dat-daii", "", "DAT-DAI", 7, ["ho-tich"]])
def test_the_api_refuses_an_unknown_field_with_422(
    app: Flask, client: FlaskClient, site: SurveySite, field: object
) -> None:
    secret = new_key(app, site.commune)
    body = {"counter": site.counter, "dossier_code": "HS-B1", "service_field": field}
    posted = client.post(URL, json=body, headers=bearer(secret))
    assert posted.status_code == 422
    assert set(posted.json["errors"]) == {"service_field"}  # type: ignore[index]
    with app.app_context():
        assert db.session.scalars(select(Receipt)).first() is None


def test_a_field_opens_no_other_agencys_counter(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    with app.app_context():
        other = make_site("U")
    secret = new_key(app, site.commune)
    body = {"counter": other.counter, "dossier_code": "HS-C1", "service_field": "y-te"}
    assert client.post(URL, json=body, headers=bearer(secret)).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Receipt)).first() is None


# The batch file ---------------------------------------------------------------------


def _check(site: SurveySite, content: str) -> list[tuple[str, str | None]]:
    point = get_by_code(Agency, site.service_point)
    assert point is not None
    requests = check_batch(content.encode(), "batch.csv", {point.id})
    return [
        (r.dossier_code, r.service_field.code if r.service_field else None)
        for r in requests
    ]


def test_a_batch_file_may_name_each_dossiers_field(
    app: Flask, site: SurveySite
) -> None:
    content = (
        f"ma_quay,ma_ho_so,ma_linh_vuc\n{site.counter},HS-1,ho-tich\n"
        f"{site.counter},HS-2,\n{site.other_counter},HS-3, y-te \n"
    )
    with app.test_request_context():
        assert _check(site, content) == [
            ("HS-1", "ho-tich"),
            ("HS-2", None),
            ("HS-3", "y-te"),
        ]
        # Without the column, as before.
        plain = f"ma_quay,ma_ho_so\n{site.counter},HS-1\n"
        assert _check(site, plain) == [("HS-1", None)]


def test_an_unknown_field_is_a_line_error(app: Flask, site: SurveySite) -> None:
    content = (
        "counter_code,dossier_code,service_field\n"
        f"{site.counter},HS-1,ho-tich\n"
        f"{site.counter},HS-2,ho tich\n"
        f"NOPE,HS-3,nope\n"
    )
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(ReceiptBatchError) as raised:
            _check(site, content)
        errors = [(e.line, e.column, str(e.reason)) for e in raised.value.errors]
    assert errors == [
        (3, "service_field", "Unknown service field “ho tich”."),
        (4, "counter_code", "Unknown counter code “NOPE”."),
        (4, "service_field", "Unknown service field “nope”."),
    ]


def test_an_uploaded_batch_stores_the_fields(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("manager", site.commune)
    page = client.get("/quan-ly/bien-nhan/?lang=en").get_data(as_text=True)
    assert "<code>service_field</code>" in page
    posted = upload(
        client,
        f"counter_code,dossier_code,service_field\n{site.counter},HS-U1,xay-dung\n",
    )
    assert posted.status_code == 200
    assert receipt_field(app, "HS-U1") == "xay-dung"
    refused = upload(
        client, f"counter_code,dossier_code,service_field\n{site.counter},HS-U2,x\n"
    )
    assert refused.status_code == 422
    assert "Unknown service field “x”." in refused.get_data(as_text=True)


# The command line -------------------------------------------------------------------


def test_cli_issue_with_a_field(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    argv = ["receipts", "issue", site.counter, "--dossier"]
    issued = runner.invoke(args=[*argv, "HS-9", "--field", "giao-duc"])
    assert issued.exit_code == 0, issued.output
    assert receipt_field(app, "HS-9") == "giao-duc"
    refused = runner.invoke(args=[*argv, "HS-10", "--field", "nope"])
    assert refused.exit_code != 0 and "no service field 'nope'" in refused.output
    with app.app_context():
        assert (
            db.session.scalars(
                select(Receipt).where(Receipt.dossier_code == "HS-10")
            ).first()
            is None
        )
