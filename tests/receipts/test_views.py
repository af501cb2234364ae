"""The citizen's receipt survey, the batch upload and the API keys page."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.core.apikeys import key_from_header
from surveyapp.extensions import db
from surveyapp.models import ApiKey, AuditEvent, Receipt, Response
from surveyapp.receipts.batch import MAX_BATCH_ROWS
from tests.conftest import AuthActions
from tests.dossiers.helpers import HUGE_DIMENSION, crafted_xlsx
from tests.factories import SurveySite, make_site
from tests.helpers import fill_form
from tests.receipts.support import csrf_token, expire, issue


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


# The citizen's page -----------------------------------------------------------------


def test_receipt_survey_is_answered_once(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = f"/r/{issue(app, site.counter, 'HS-100')}"
    page = client.get(f"{path}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "It can be rated once." in html
    assert html.count('type="radio"') == 16 * 6
    data = fill_form(client, path, c_A1="5")
    posted = client.post(path, data=data)
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith(f"{path}/cam-on")
    assert client.get(posted.headers["Location"]).status_code == 200
    # A double tap resends the same form: the thank-you page again, one response.
    assert client.post(path, data=data).status_code == 302
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.channel == "receipt"
        assert response.dossier_code == "HS-100"
        assert response.receipt_id is not None
        assert response.counter is not None and response.counter.code == site.counter
    # Another form for the same receipt (a new idempotency key) is refused kindly.
    data["idempotency_key"] = uuid.uuid4().hex
    again = client.post(f"{path}?lang=en", data=data)
    assert again.status_code == 409
    assert "already been rated" in again.get_data(as_text=True)
    assert client.get(f"{path}?lang=en").status_code == 409
    assert count(app, Response) == 1


def test_expired_receipt_shows_410(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    path = f"/r/{issue(app, site.counter, 'HS-101')}"
    data = fill_form(client, path)
    expire(app, "HS-101")
    page = client.get(f"{path}?lang=en")
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    assert client.post(path, data=data).status_code == 410
    assert count(app, Response) == 0


def test_tampered_receipt_is_the_friendly_404(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    token = issue(app, site.counter, "HS-102")
    public_id, signature = token.rsplit(".", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for forged in (f"{public_id}.{flipped}", public_id, "nothing"):
        page = client.get(f"/r/{forged}?lang=en")
        assert page.status_code == 404
        assert "Page not found" in page.get_data(as_text=True)
        assert client.get(f"/r/{forged}/qr.png").status_code == 404


# Batch upload -------------------------------------------------------------------------


def upload(client: FlaskClient, content: str | bytes, name: str = "hs.csv"):  # type: ignore[no-untyped-def]
    page = client.get("/quan-ly/bien-nhan/?lang=en")
    assert page.status_code == 200
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/quan-ly/bien-nhan/?lang=en",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def test_batch_upload_answers_a_csv_of_links(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("manager", site.commune)
    issue(app, site.counter, "HS-OLD")
    posted = upload(
        client,
        "counter_code,dossier_code,note\n"
        f"{site.counter},HS-200,first\n"
        f"{site.other_counter},HS-201,\n"
        "\n"
        f"{site.counter},HS-OLD,already issued\n",
    )
    assert posted.status_code == 200
    assert posted.mimetype == "text/csv"
    assert "attachment" in posted.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(posted.get_data(as_text=True))))
    assert [row["dossier_code"] for row in rows] == ["HS-200", "HS-201", "HS-OLD"]
    assert list(rows[0]) == ["dossier_code", "url", "qr_png_url", "qr_svg_url"]
    for row in rows:
        assert "/r/" in row["url"]
        assert row["qr_png_url"] == row["url"] + "/qr.png"
        assert row["qr_svg_url"] == row["url"] + "/qr.svg"
    old = issue(app, site.counter, "HS-OLD")
    assert rows[2]["url"].endswith(f"/r/{old}")
    assert count(app, Receipt) == 3
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "receipt_batch")
        ).one()
        assert event.details == {"rows": 3, "new": 2}


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        (
            "ma_quay;ma_ho_so\n{counter};HS-1\nNO-SUCH;HS-2\n{counter};\n"
            "{counter};HS 3\n{other};HS-1\n{foreign};HS-4\n",
            [
                (3, "ma_quay"),
                (4, "ma_ho_so"),
                (5, "ma_ho_so"),
                (6, "ma_ho_so"),
                (7, "ma_quay"),
            ],
        ),
        ("counter_code\n{counter}\n", [(1, "")]),
        ("counter_code,dossier_code\n", [(None, "")]),
        ("", [(None, "")]),
    ],
)
def test_batch_upload_is_all_or_nothing(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    site: SurveySite,
    content: str,
    problems: list[tuple[int | None, str]],
) -> None:
    with app.app_context():
        foreign = make_site("U")
    auth.login_as("manager", site.commune)
    posted = upload(
        client,
        content.format(
            counter=site.counter, other=site.other_counter, foreign=foreign.counter
        ),
    )
    assert posted.status_code == 422
    html = posted.get_data(as_text=True)
    assert "No receipt was issued" in html
    found = re.findall(r'<tr><td class="num">([^<]*)</td><td>([^<]*)</td><td>', html)
    assert [
        (None if line == "—" else int(line), "" if column == "—" else column)
        for line, column in found
    ] == problems
    assert count(app, Receipt) == 0


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (
            crafted_xlsx(HUGE_DIMENSION, 5000),
            "probe.xlsx",
            "The first sheet spans 5000 rows and 16384 columns;",
        ),
        (
            "counter_code,dossier_code\n" + "\n" * MAX_BATCH_ROWS + "C,HS-1\n",
            "blank.csv",
            f"The file has more than {MAX_BATCH_ROWS} rows below the header",
        ),
    ],
)
def test_batch_upload_refuses_oversized_files(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    site: SurveySite,
    content: str | bytes,
    name: str,
    reason: str,
) -> None:
    auth.login_as("manager", site.commune)
    posted = upload(client, content, name)
    assert posted.status_code == 422
    assert reason in posted.get_data(as_text=True)
    assert count(app, Receipt) == 0


def test_batch_upload_needs_a_manager(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    assert client.get("/quan-ly/bien-nhan/").status_code == 302  # sign in first
    auth.login_as("viewer", site.commune)
    assert client.get("/quan-ly/bien-nhan/").status_code == 403


# API keys ---------------------------------------------------------------------------


def test_admin_creates_sees_once_and_revokes_a_key(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/bien-nhan/khoa-api?lang=en")
    assert page.status_code == 200
    created = client.post(
        "/quan-ly/bien-nhan/khoa-api?lang=en",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "agency": site.commune,
            "name": "Phần mềm một cửa xã",
        },
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(
        r'id="new-key"[^>]*value="([^"]+)"', created.get_data(as_text=True)
    )
    assert secret is not None
    with app.app_context():
        key = key_from_header(f"Bearer {secret.group(1)}")
        assert key is not None and key.agency.code == site.commune
        key_id = key.id
        db.session.rollback()
    listing = client.get("/quan-ly/bien-nhan/khoa-api?lang=en").get_data(as_text=True)
    assert secret.group(1) not in listing
    assert secret.group(1)[:8] in listing
    revoked = client.post(
        f"/quan-ly/bien-nhan/khoa-api/{key_id}/thu-hoi",
        data={"csrf_token": csrf_token(listing)},
    )
    assert revoked.status_code == 302
    with app.app_context():
        assert key_from_header(f"Bearer {secret.group(1)}") is None
        assert db.session.get(ApiKey, key_id).revoked_at is not None  # type: ignore[union-attr]
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"api_key_create", "api_key_revoke"} <= actions


def test_api_key_page_is_for_admins_only(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("manager", site.province)
    assert client.get("/quan-ly/bien-nhan/khoa-api").status_code == 403
    assert client.post("/quan-ly/bien-nhan/khoa-api/1/thu-hoi").status_code in (
        400,
        403,
    )


def test_admin_nav_links_to_api_keys(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    html = client.get("/quan-ly/bien-nhan/?lang=en").get_data(as_text=True)
    assert 'href="/quan-ly/bien-nhan/khoa-api"' in html
