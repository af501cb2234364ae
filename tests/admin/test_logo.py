"""The province's logo: admins upload it (checked, audited), posters print it."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from surveyapp.core.branding import MAX_LOGO_BYTES, MAX_LOGO_PIXELS
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, SiteImage
from tests.conftest import AuthActions
from tests.factories import SurveySite
from tests.helpers import survey_path

LOGO_PAGE = "/quan-ly/quan-tri/logo"


def image_bytes(image_format: str, size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (165, 14, 14)).save(buffer, image_format)
    return buffer.getvalue()


def csrf_token(client: FlaskClient) -> str:
    match = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get(LOGO_PAGE).text
    )
    assert match
    return match.group(1)


def upload(client: FlaskClient, data: bytes, filename: str) -> str:
    # Encoded here: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client),
            "file": FileStorage(io.BytesIO(data), filename),
        }
    )
    response = client.post(
        LOGO_PAGE, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code in (302, 422)
    return response.text if response.status_code == 422 else ""


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
        )


def test_an_admin_uploads_a_logo_the_posters_print_it(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    poster = survey_path(app, site.counter) + "/poster"
    assert "poster-logo" not in client.get(poster).text
    assert client.get("/logo-tinh").status_code == 404
    auth.login_as("admin", site.province)
    png = image_bytes("PNG")
    assert upload(client, png, "logo.png") == ""  # a redirect, no form again
    served = client.get("/logo-tinh")
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data == png
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # Unchanged since: the browser's copy is good.
    again = client.get("/logo-tinh", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    html = client.get(poster).text
    assert 'class="poster-logo" src="/logo-tinh?v=' in html
    # Replaced by a JPEG: one logo, two audited uploads.
    upload(client, image_bytes("JPEG"), "logo.jpg")
    assert client.get("/logo-tinh").mimetype == "image/jpeg"
    with app.app_context():
        assert db.session.scalars(select(SiteImage)).one().width == 120
    assert actions(app)[-2:] == ["logo_upload", "logo_upload"]


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "logo.png", "Tệp không có dữ liệu"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg", "PNG và JPEG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png", "PNG và JPEG"),
        (b"GIF89a" + bytes(40), "logo.png", "PNG và JPEG"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "logo.png", "JPEG đọc được"),
        (b"\x89PNG\r\n\x1a\n" + bytes(MAX_LOGO_BYTES), "logo.png", "512 KB"),
        (
            image_bytes("PNG", (MAX_LOGO_PIXELS + 1, 10)),
            "logo.png",
            f"{MAX_LOGO_PIXELS} điểm ảnh",
        ),
    ],
)
def test_what_is_not_a_small_png_or_jpeg_is_refused(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    site: SurveySite,
    data: bytes,
    filename: str,
    reason: str,
) -> None:
    auth.login_as("admin", site.province)
    assert reason in upload(client, data, filename)
    assert client.get("/logo-tinh").status_code == 404
    assert "logo_upload" not in actions(app)


def test_removing_the_logo_asks_first_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    auth.login_as("admin", site.province)
    upload(client, image_bytes("PNG"), "logo.png")
    remove = {"csrf_token": csrf_token(client)}
    client.post(LOGO_PAGE + "/xoa", data=remove)
    assert client.get("/logo-tinh").status_code == 200  # not ticked: kept
    client.post(LOGO_PAGE + "/xoa", data=remove | {"confirm": "yes"})
    assert client.get("/logo-tinh").status_code == 404
    assert actions(app)[-1] == "logo_remove"


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_admins_change_the_logo(
    client: FlaskClient, auth: AuthActions, site: SurveySite, role: str
) -> None:
    auth.login_as(role, site.province)
    assert client.get(LOGO_PAGE).status_code == 403
    assert client.post(LOGO_PAGE + "/xoa", data={"confirm": "yes"}).status_code in (
        400,
        403,
    )


def test_the_poster_prints_the_hotline_when_set(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    poster = survey_path(app, site.counter) + "/poster"
    assert "Đường dây nóng" not in client.get(poster).text
    app.config["FEEDBACK_HOTLINE"] = "0209 3870 123"
    html = client.get(poster).text
    assert "Đường dây nóng góp ý: <strong>0209 3870 123</strong>" in html
    assert "2 phút, không ghi danh" in html
