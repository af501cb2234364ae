"""The public results page: off by default, finalised numbers only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.analysis.publication import published
from surveyapp.analysis.scores import score_agency
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import Agency, Finalisation
from surveyapp.reports.finalise import finalise_year
from surveyapp.web.language import percent
from tests.factories import add_responses, make_two_communes

YEAR = 2025
IN_YEAR = datetime(YEAR, 6, 2, 3, 0, tzinfo=UTC)


def _agency(code: str) -> Agency:
    agency = db.session.query(Agency).filter_by(code=code).one()
    return agency


@pytest.fixture
def codes(app: Flask) -> dict[str, str]:
    """Two communes with a year of responses; 2025 finalised for the province."""
    with app.app_context():
        codes = make_two_communes()
        for year in (YEAR - 1, YEAR):
            when = IN_YEAR.replace(year=year)
            add_responses(codes["counter_a"], [5, 4, 4, 3], 30, submitted_at=when)
            add_responses(codes["counter_a"], [5, 4, 2, 3], 10, submitted_at=when)
            add_responses(codes["counter_b"], [3, 4, 4, 5], 25, submitted_at=when)
            add_responses(codes["counter_b"], [2, 4, 1, 5], 15, submitted_at=when)
        finalise_year(_agency(codes["province"]), YEAR, None, None)
        # A commune's own finalisation is not the province's year.
        finalise_year(_agency(codes["commune_a"]), YEAR - 1, None, None)
        db.session.commit()
    app.config["PUBLIC_RESULTS"] = True
    return codes


def _stored_index(app: Flask, code: str) -> str:
    """The published index of `code` as frozen in the province's finalisation."""
    with app.app_context():
        results = db.session.query(Finalisation).filter_by(year=YEAR).one().results
    (row,) = [
        r for r in results["rows"] if r["domain"] == code and r["code"] == "SIPAS"
    ]
    return str(percent(published(row)["estimate"]))


def test_off_unless_public_results_is_set(app: Flask, client: FlaskClient) -> None:
    assert app.config["PUBLIC_RESULTS"] is False
    assert client.get("/ket-qua").status_code == 404
    assert client.get(f"/ket-qua/{YEAR}").status_code == 404


def test_no_finalised_year_says_so(app: Flask, client: FlaskClient) -> None:
    app.config["PUBLIC_RESULTS"] = True
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [5, 4], 40, submitted_at=IN_YEAR)
    page = client.get("/ket-qua?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No year has been finalised yet." in text
    assert "Xã An Phú" not in text, "live numbers are never shown"


def test_only_the_province_s_finalised_years_are_shown(
    client: FlaskClient, codes: dict[str, str]
) -> None:
    page = client.get("/ket-qua").get_data(as_text=True)
    assert f"Tỉnh Hai Xã — {YEAR}" in page
    assert "Xã An Phú" in page and "Phường Bình Minh" in page
    assert "Cách đọc các con số" in page
    # 2024 has responses and a commune's finalisation, but is not the province's.
    assert client.get(f"/ket-qua/{YEAR - 1}").status_code == 404
    assert f'href="/ket-qua/{YEAR - 1}"' not in page
    of_the_year = client.get(f"/ket-qua/{YEAR}").get_data(as_text=True)
    assert of_the_year.replace(f"/ket-qua/{YEAR}?", "/ket-qua?") == page
    assert client.get("/ket-qua/99999999999999").status_code == 404


def test_numbers_are_the_finalised_ones_even_after_late_responses(
    app: Flask, client: FlaskClient, codes: dict[str, str]
) -> None:
    before = client.get("/ket-qua?lang=en").get_data(as_text=True)
    for code in (codes["province"], codes["commune_a"], codes["commune_b"]):
        assert _stored_index(app, code) in before, code
    assert "1 / 2" in before or "1–2 / 2" in before
    with app.app_context():
        add_responses(codes["counter_a"], [1, 1, 1, 1], 40, submitted_at=IN_YEAR)
        live = score_agency(_agency(codes["province"]), Period.year(YEAR))
        assert live.results is not None
        (live_index,) = [
            r
            for r in live.results.rows()
            if r["code"] == "SIPAS" and r["domain"] == codes["province"]
        ]
    # The live index moved; the page did not.
    assert percent(live_index["estimate"]) != _stored_index(app, codes["province"])
    assert client.get("/ket-qua?lang=en").get_data(as_text=True) == before


def test_english_through_the_language_switch(
    client: FlaskClient, codes: dict[str, str]
) -> None:
    page = client.get("/ket-qua").get_data(as_text=True)
    assert 'href="/ket-qua?lang=en"' in page
    english = client.get("/ket-qua?lang=en").get_data(as_text=True)
    assert "How to read these numbers" in english and 'lang="en"' in english
    # No dossier counts were uploaded for the year: the page says so.
    assert "so every answer counts the same" in english
