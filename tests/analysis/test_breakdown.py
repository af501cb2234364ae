"""Where to look: scores by service field, and the weakest criteria."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.analysis.breakdown import by_counter, by_field, weakest_criteria
from surveyapp.analysis.scores import score_agency
from surveyapp.core.time import Period
from surveyapp.models import Agency, get_by_code
from tests.conftest import AuthActions
from tests.factories import SurveySite, add_responses, make_site

YEAR = date.today().year - 1
WHEN = datetime(YEAR, 5, 10, 3, tzinfo=UTC)


def _field_responses(site: SurveySite, field: str, ratings: list[list[int]]) -> None:
    for rating in ratings:
        add_responses(site.counter, rating, 12, field_code=field, submitted_at=WHEN)


LAND = [[5, 4, 2], [3, 4, 5], [4, 4, 4]]
CIVIL = [[2, 3, 5, 4], [5, 5, 1]]


def test_a_field_is_scored_as_if_it_stood_alone(app: Flask) -> None:
    """Without dossier counts each field is its own stratum at a service point,
    so its domain estimate and se equal those of its responses on their own."""
    with app.app_context():
        both = make_site("B")
        _field_responses(both, "dat-dai", LAND)
        _field_responses(both, "ho-tich", CIVIL)
        alone = make_site("A")
        _field_responses(alone, "dat-dai", LAND)
        period = Period.year(YEAR)
        rows = {
            (r["domain"], r["level"], r["code"]): r
            for r in by_field(score_agency(get_by_code(Agency, both.province), period))
        }
        assert {domain for domain, _level, _code in rows} == {"dat-dai", "ho-tich"}
        single = score_agency(get_by_code(Agency, alone.province), period)
        for row in single.domain_rows(alone.province):
            mine = rows[("dat-dai", row["level"], row["code"])]
            assert mine["n"] == row["n"] and mine["flag"] == row["flag"]
            if row["estimate"] is None:
                assert mine["estimate"] is None
                continue
            assert mine["estimate"] == pytest.approx(row["estimate"], rel=1e-12)
            assert mine["se"] == pytest.approx(row["se"], rel=1e-9)


def test_the_weakest_criteria_are_the_lowest_shown(app: Flask) -> None:
    with app.app_context():
        site = make_site("W")
        _field_responses(site, "dat-dai", LAND + CIVIL)
        scores = score_agency(get_by_code(Agency, site.province), Period.year(YEAR))
        weakest = weakest_criteria(scores, site.province)
        shown = [
            row
            for row in scores.domain_rows(site.province)
            if row["level"] == "criterion" and row["estimate"] is not None
        ]
        assert len(weakest) == 3
        assert [r["estimate"] for r in weakest] == sorted(r["estimate"] for r in shown)[
            :3
        ]


def test_scores_json_names_the_weakest_and_breaks_down_by_field(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        site = make_site("J")
        _field_responses(site, "dat-dai", LAND)
        _field_responses(site, "ho-tich", CIVIL)
    auth.login_as("viewer", site.province)
    data = client.get(
        f"/quan-ly/api/co-quan/{site.province}/diem.json?period=year&year={YEAR}"
    ).get_json()
    assert len(data["weakest"]) == 3
    assert {r["domain"] for r in data["by_field"]} == {"dat-dai", "ho-tich"}
    html = client.get(
        f"/quan-ly/co-quan/{site.province}?period=year&year={YEAR}"
    ).get_data(as_text=True)
    assert "Đất đai" in html and "Hộ tịch" in html


def test_a_counter_is_estimated_from_its_own_responses(app: Flask) -> None:
    with app.app_context():
        site = make_site("K")
        for rating in LAND:
            add_responses(site.counter, rating, 12, submitted_at=WHEN)
        for rating in CIVIL:
            add_responses(site.other_counter, rating, 12, submitted_at=WHEN)
        alone = make_site("L")
        for rating in LAND:
            add_responses(alone.counter, rating, 12, submitted_at=WHEN)
        period = Period.year(YEAR)
        rows = by_counter(score_agency(get_by_code(Agency, site.province), period))
        assert rows is not None
        assert {r["domain"] for r in rows} == {site.counter, site.other_counter}
        single = score_agency(get_by_code(Agency, alone.province), period)
        mine = {(r["level"], r["code"]): r for r in rows if r["domain"] == site.counter}
        for row in single.domain_rows(alone.province):
            theirs = mine[(row["level"], row["code"])]
            assert theirs["n"] == row["n"]
            if row["estimate"] is not None and theirs["estimate"] is not None:
                # Equal weights: the same share; a domain of a larger stratum
                # has its own se.
                assert theirs["estimate"] == pytest.approx(row["estimate"], rel=1e-12)


def test_too_many_responses_are_not_split_by_counter(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("surveyapp.analysis.breakdown.BY_COUNTER_MAX_RESPONSES", 10)
    with app.app_context():
        site = make_site("N")
        _field_responses(site, "dat-dai", LAND)
    auth.login_as("viewer", site.province)
    query = f"?period=year&year={YEAR}"
    data = client.get(f"/quan-ly/api/co-quan/{site.province}/diem.json{query}")
    assert data.get_json()["by_counter"] is None
    html = client.get(f"/quan-ly/co-quan/{site.province}{query}").get_data(True)
    assert "Quá nhiều phiếu để tách theo quầy" in html
