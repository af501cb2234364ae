"""POST /api/v1/receipts: one-stop software issues a dossier's receipt QR code."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import ApiKey, Counter, Receipt, get_by_code
from tests.factories import SurveySite, make_site
from tests.receipts.support import bearer, expire, new_key, response_body

URL = "/api/v1/receipts"


def decode_png(png: bytes) -> str:
    with Image.open(io.BytesIO(png)) as image:
        results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text


def receipts_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Receipt.id))) or 0


def test_issue_returns_links_and_a_qr_code_of_the_url(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    secret = new_key(app, site.commune)
    posted = client.post(
        URL,
        json={"counter": site.counter, "dossier_code": "000.00.20.H56-250812-0001"},
        headers=bearer(secret),
    )
    assert posted.status_code == 201
    body = posted.json
    assert body is not None
    assert body["status"] == "issued"
    assert body["dossier_code"] == "000.00.20.H56-250812-0001"
    assert body["url"].endswith(f"/r/{body['token']}")
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(
        minutes=5
    )
    png = client.get(urlparse(body["qr_png_url"]).path)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert decode_png(png.data) == body["url"]
    svg = client.get(urlparse(body["qr_svg_url"]).path)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert client.get(urlparse(body["url"]).path).status_code == 200
    with app.app_context():
        key = db.session.scalars(select(ApiKey)).one()
        assert key.last_used_at is not None
        receipt = db.session.scalars(select(Receipt)).one()
        assert receipt.api_key_id == key.id


def test_issue_is_idempotent_per_dossier(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    headers = bearer(new_key(app, site.province))
    body = {"counter": site.counter, "dossier_code": "HS-1"}
    first = client.post(URL, json=body, headers=headers)
    again = client.post(URL, json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json is not None and again.json is not None
    assert again.json["status"] == "existing"
    assert again.json["token"] == first.json["token"]
    assert again.json["expires_at"] == first.json["expires_at"]
    elsewhere = client.post(
        URL,
        json={"counter": site.other_counter, "dossier_code": "HS-1"},
        headers=headers,
    )
    assert elsewhere.status_code == 409
    assert elsewhere.json is not None and elsewhere.json["status"] == "conflict"
    assert "HS-1" in elsewhere.json["message"]  # in the default language, Vietnamese
    assert site.counter not in elsewhere.json["message"]
    assert receipts_count(app) == 1


def test_days_are_configurable(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    headers = bearer(new_key(app, site.province))
    app.config["RECEIPT_DAYS"] = 7
    default = client.post(
        URL, json={"counter": site.counter, "dossier_code": "A"}, headers=headers
    )
    chosen = client.post(
        URL,
        json={"counter": site.counter, "dossier_code": "B", "days": 90},
        headers=headers,
    )
    assert default.json is not None and chosen.json is not None
    now = datetime.now(UTC)
    for answer, days in ((default.json, 7), (chosen.json, 90)):
        expires = datetime.fromisoformat(answer["expires_at"])
        assert abs(expires - now - timedelta(days=days)) < timedelta(minutes=5)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-real-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_missing_or_wrong_key_is_401(
    app: Flask, client: FlaskClient, site: SurveySite, headers: dict[str, str]
) -> None:
    posted = client.post(
        URL, json={"counter": site.counter, "dossier_code": "X"}, headers=headers
    )
    assert posted.status_code == 401
    assert posted.json == {"status": "unauthorized"}
    assert posted.headers["WWW-Authenticate"].startswith("Bearer")
    assert receipts_count(app) == 0


def test_revoked_key_is_401(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, site: SurveySite
) -> None:
    secret = new_key(app, site.province)
    body = {"counter": site.counter, "dossier_code": "X"}
    assert client.post(URL, json=body, headers=bearer(secret)).status_code == 201
    result = runner.invoke(args=["apikeys", "revoke", secret[:8]])
    assert result.exit_code == 0, result.output
    refused = client.post(URL, json=body, headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.json == {"status": "unauthorized"}


def test_key_of_another_subtree_cannot_issue(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    with app.app_context():
        other = make_site("U")
    headers = bearer(new_key(app, other.commune))
    posted = client.post(
        URL, json={"counter": site.counter, "dossier_code": "X"}, headers=headers
    )
    assert posted.status_code == 404
    assert posted.json == {"status": "not_found"}
    unknown = client.post(
        URL, json={"counter": "NO-SUCH", "dossier_code": "X"}, headers=headers
    )
    assert unknown.status_code == 404
    assert receipts_count(app) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dossier_code": "X"}, "counter"),
        ({"counter": "{counter}"}, "dossier_code"),
        ({"counter": "{counter}", "dossier_code": "has space"}, "dossier_code"),
        ({"counter": "{counter}", "dossier_code": "x" * 65}, "dossier_code"),
        ({"counter": "{counter}", "dossier_code": "X", "days": 0}, "days"),
        ({"counter": "{counter}", "dossier_code": "X", "days": "30"}, "days"),
    ],
)
def test_bad_receipt_request_is_422(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
    body: dict[str, object],
    field: str,
) -> None:
    headers = bearer(new_key(app, site.province))
    filled = {
        k: v.format(counter=site.counter) if isinstance(v, str) else v
        for k, v in body.items()
    }
    posted = client.post(URL, json=filled, headers=headers)
    assert posted.status_code == 422
    assert posted.json is not None and field in posted.json["errors"]
    assert receipts_count(app) == 0


def test_body_not_json_is_400(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    headers = bearer(new_key(app, site.province))
    posted = client.post(URL, data="counter=x", headers=headers)
    assert posted.status_code == 400
    assert posted.json == {"status": "bad_request"}


def test_stopped_counter_gets_no_new_receipt(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        counter.active = False
        db.session.commit()
    headers = bearer(new_key(app, site.province))
    posted = client.post(
        URL, json={"counter": site.counter, "dossier_code": "X"}, headers=headers
    )
    assert posted.status_code == 409
    assert receipts_count(app) == 0


def test_dossier_codes_are_unique_per_agency_and_never_revealed(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    """Another agency's key neither squats this agency's code nor learns of it."""
    with app.app_context():
        other = make_site("U")
    ours = bearer(new_key(app, site.commune))
    theirs = bearer(new_key(app, other.commune))
    code = "000.00.20.H56-250812-0001"
    first = client.post(
        URL, json={"counter": other.counter, "dossier_code": code}, headers=theirs
    )
    assert first.status_code == 201
    # The same code at our agency is our dossier: issued as if the other did not exist.
    mine = client.post(
        URL, json={"counter": site.counter, "dossier_code": code}, headers=ours
    )
    assert mine.status_code == 201
    assert mine.json is not None and first.json is not None
    assert mine.json["status"] == "issued"
    assert mine.json["token"] != first.json["token"]
    # Each agency finds its own receipt again, and only its own.
    for counter, headers, token in (
        (site.counter, ours, mine.json["token"]),
        (other.counter, theirs, first.json["token"]),
    ):
        again = client.post(
            URL, json={"counter": counter, "dossier_code": code}, headers=headers
        )
        assert again.status_code == 200
        assert again.json is not None and again.json["token"] == token
    assert receipts_count(app) == 2


def test_an_expired_receipt_is_issued_anew_and_can_be_rated(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    headers = bearer(new_key(app, site.commune))
    body = {"counter": site.counter, "dossier_code": "HS-OLD"}
    first = client.post(URL, json=body, headers=headers)
    assert first.json is not None
    expire(app, "HS-OLD")
    assert client.get(urlparse(first.json["url"]).path).status_code == 410
    again = client.post(URL, json=body, headers=headers)
    assert again.status_code == 201
    assert again.json is not None and again.json["status"] == "issued"
    assert again.json["token"] != first.json["token"]
    expires = datetime.fromisoformat(again.json["expires_at"])
    assert expires > datetime.now(UTC) + timedelta(days=29)
    assert client.get(urlparse(again.json["url"]).path).status_code == 200
    assert client.get(urlparse(first.json["url"]).path).status_code == 404
    rated = client.post("/api/v1/responses", json=response_body(again.json["token"]))
    assert rated.status_code == 201
    assert receipts_count(app) == 1


def test_a_used_expired_receipt_is_returned_as_it_is(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    headers = bearer(new_key(app, site.commune))
    body = {"counter": site.counter, "dossier_code": "HS-DONE"}
    first = client.post(URL, json=body, headers=headers)
    assert first.json is not None
    rated = client.post("/api/v1/responses", json=response_body(first.json["token"]))
    assert rated.status_code == 201
    expire(app, "HS-DONE")
    again = client.post(URL, json=body, headers=headers)
    assert again.status_code == 200
    assert again.json is not None and again.json["token"] == first.json["token"]
