"""The receipt's pages name the dossier (masked) and never call the rating anonymous."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.receipts.masking import mask_dossier_code
from tests.factories import SurveySite
from tests.helpers import fill_form, survey_path
from tests.receipts.support import issue

DOSSIER = "000.00.20.H56-250812-0001"
MASKED = "00••••••••••••••••••••001"
WORDING = {
    "en": (
        f'You are rating dossier <span class="dossier-code">{MASKED}</span>',
        "Your rating is linked to this dossier, not anonymous",
        "not anonymous",
    ),
    "vi": (
        f'Ông/bà đang đánh giá hồ sơ <span class="dossier-code">{MASKED}</span>',
        "Đánh giá này gắn với hồ sơ trên, không ẩn danh",
        "không ẩn danh",
    ),
}
ANONYMOUS = {"en": "Your answers are anonymous", "vi": "không ghi danh"}


@pytest.mark.parametrize(
    ("code", "masked"),
    [
        (DOSSIER, MASKED),
        ("HS-2025-0042", "HS•••••••042"),
        ("ABCDEFGHIJ", "AB•••••HIJ"),
        ("ABCDEFGHI", "A••••••HI"),
        ("AB-123", "A•••23"),
        ("ABCDE", "••••E"),
        ("ABC", "••C"),
        ("AB", "••"),
        ("A", "•"),
    ],
)
def test_the_code_is_masked_by_its_length(code: str, masked: str) -> None:
    assert mask_dossier_code(code) == masked
    # One bullet per hidden character, and at least half of them hidden.
    assert len(masked) == len(code)
    assert masked.count("•") * 2 >= len(code)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_receipt_page_names_the_dossier_and_says_it_is_linked(
    app: Flask, client: FlaskClient, site: SurveySite, language: str
) -> None:
    path = f"/r/{issue(app, site.counter, DOSSIER)}"
    html = client.get(f"{path}?lang={language}").get_data(as_text=True)
    named, linked, footer = WORDING[language]
    assert named in html and linked in html
    assert DOSSIER not in html
    assert ANONYMOUS[language] not in html
    assert html.split('<footer class="site-footer">')[1].count(footer) == 1
    # The thank-you page's footer says so too.
    thanks = client.post(path, data=fill_form(client, path), follow_redirects=True)
    thanks_html = thanks.get_data(as_text=True)
    assert footer in thanks_html and ANONYMOUS[language] not in thanks_html
    # An already rated receipt as well.
    rated = client.get(path).get_data(as_text=True)
    assert ANONYMOUS[language] not in rated


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_counters_survey_stays_anonymous(
    app: Flask, client: FlaskClient, site: SurveySite, language: str
) -> None:
    html = client.get(f"{survey_path(app, site.counter)}?lang={language}")
    text = html.get_data(as_text=True)
    assert ANONYMOUS[language] in text
    assert WORDING[language][2] not in text
