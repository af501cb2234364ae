"""Unforgeable counter links and their QR codes.

A counter's survey URL carries `<code>.<signature>`: an HMAC of the counter code
under the app's secret. Anyone can read the code; only the app can make the
signature, so nobody can print a working QR code for a counter that is not theirs.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import current_app, has_request_context, url_for
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select

from surveyapp.core.tokens import signed, verified
from surveyapp.extensions import db
from surveyapp.models import Counter, Questionnaire, counter_with_questionnaire

COUNTER_LINK = "counter-link"
_DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def counter_token(counter: Counter) -> str:
    """The signed token that names `counter` in its survey URL."""
    return signed(COUNTER_LINK, counter.code)


def signed_counter_code(token: str) -> str | None:
    """The counter code in `token` if the app signed it; no database look-up."""
    return verified(COUNTER_LINK, token)


def counter_from_token(token: str) -> Counter | None:
    """The active counter a token names, or None for a tampered or unknown token."""
    code = signed_counter_code(token)
    if code is None:
        return None
    return db.session.scalars(
        select(Counter).where(Counter.code == code, Counter.active.is_(True))
    ).first()


def counter_and_questionnaire(token: str) -> tuple[Counter, Questionnaire] | None:
    """The active counter a token names and its questionnaire, in one query.

    None for a tampered or unknown token, a stopped counter, or a counter with no
    questionnaire set above it: a survey link is good only with both.
    """
    code = signed_counter_code(token)
    return None if code is None else counter_with_questionnaire(code)


def external_url(endpoint: str, **values: str) -> str:
    """An absolute URL, from PUBLIC_BASE_URL, the current request, or localhost."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if has_request_context() and not base:
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or _DEFAULT_BASE_URL):
        return url_for(endpoint, _external=True, **values)


def survey_url(counter: Counter) -> str:
    """The absolute survey URL printed in the counter's QR code."""
    return external_url("survey.take", token=counter_token(counter))


def _qr_code(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_png(data: str) -> bytes:
    """A PNG of the QR code for `data`."""
    buffer = io.BytesIO()
    _qr_code(data).make_image().save(buffer)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A scalable SVG of the QR code for `data` (for print shops)."""
    buffer = io.BytesIO()
    _qr_code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()
