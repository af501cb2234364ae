"""Change against the previous period and a year earlier: periods, numbers, JSON."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.analysis.change import previous_period, year_earlier
from surveyapp.analysis.scores import score_agency
from surveyapp.core.time import Period
from surveyapp.models import Agency, get_by_code
from tests.conftest import AuthActions
from tests.factories import SurveySite, add_responses, make_site

YEAR = date.today().year - 1


@pytest.mark.parametrize(
    ("period", "previous", "year_ago"),
    [
        (Period.year(2025), Period.year(2024), Period.year(2024)),
        (Period.quarter(2025, 1), Period.quarter(2024, 4), Period.quarter(2024, 1)),
        (Period.quarter(2025, 3), Period.quarter(2025, 2), Period.quarter(2024, 3)),
        (Period.month(2025, 1), Period.month(2024, 12), Period.month(2024, 1)),
        (
            Period.between(date(2024, 2, 20), date(2024, 2, 29)),
            Period.between(date(2024, 2, 10), date(2024, 2, 19)),
            Period.between(date(2023, 2, 20), date(2023, 2, 28)),
        ),
    ],
)
def test_earlier_periods(
    app: Flask, period: Period, previous: Period, year_ago: Period
) -> None:
    with app.app_context():
        assert previous_period(period) == previous
        assert year_earlier(period) == year_ago


def _rated(site: SurveySite, quarter: int, good: int, poor: int) -> None:
    when = datetime(YEAR, 3 * quarter - 1, 10, 3, tzinfo=UTC)
    add_responses(site.counter, [5, 4], good, submitted_at=when)
    add_responses(site.counter, [2, 1], poor, submitted_at=when)


def test_scores_json_rows_carry_their_changes(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        site = make_site("C")
        _rated(site, 2, good=40, poor=40)
        _rated(site, 3, good=70, poor=10)
    auth.login_as("viewer", site.province)
    data = client.get(
        f"/quan-ly/api/co-quan/{site.province}/diem.json"
        f"?period=quarter&year={YEAR}&quarter=3"
    ).get_json()
    assert data["previous_period"] == {
        "start": f"{YEAR}-04-01",
        "end": f"{YEAR}-07-01",
    }
    rows = {(r["domain"], r["level"], r["code"]): r for r in data["rows"]}
    index = rows[(site.province, "index", "SIPAS")]
    with app.app_context():
        agency = get_by_code(Agency, site.province)
        assert agency is not None
        before = score_agency(agency, Period.quarter(YEAR, 2)).row(
            site.province, "index", "SIPAS"
        )
    assert before is not None
    assert index["previous"] == {
        "estimate": before["estimate"],
        "se": before["se"],
        "n": before["n"],
    }
    change = index["change"]
    assert change["estimate"] == pytest.approx(index["estimate"] - before["estimate"])
    assert change["ci_low"] < change["estimate"] < change["ci_high"]
    assert change["significant"] is (change["ci_low"] > 0)
    assert change["significant"], "half poor to one in eight poor is a real change"
    # Nothing was rated a year earlier.
    assert index["year_ago"] is None and index["change_year"] is None


def test_no_change_is_shown_for_a_hidden_number(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        site = make_site("H")
        _rated(site, 2, good=2, poor=1)  # too few to publish
        _rated(site, 3, good=70, poor=10)
    auth.login_as("viewer", site.province)
    query = f"?period=quarter&year={YEAR}&quarter=3"
    data = client.get(f"/quan-ly/api/co-quan/{site.province}/diem.json{query}")
    index = next(r for r in data.get_json()["rows"] if r["level"] == "index")
    assert index["previous"]["estimate"] is None and index["previous"]["n"] == 3
    assert index["change"] is None
    html = client.get(f"/quan-ly/co-quan/{site.province}{query}").get_data(True)
    assert "Q2/" in html and "▲" not in html and "▼" not in html


def test_the_dashboard_marks_a_significant_change_only(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        site = make_site("M")
        _rated(site, 2, good=40, poor=40)
        _rated(site, 3, good=70, poor=10)
    auth.login_as("viewer", site.province)
    html = client.get(
        f"/quan-ly/co-quan/{site.province}?period=quarter&year={YEAR}&quarter=3"
    ).get_data(as_text=True)
    marked = re.findall(r'class="change change-up">\+[\d,]+ <span aria-hidden', html)
    assert marked, "the rise of the index is marked"
    assert "change-down" not in html
