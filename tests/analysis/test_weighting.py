"""The app's weighting rules on top of the scoring library's post-stratification."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from surveyapp.analysis.weighting import (
    SMALL_UNITS_STRATUM,
    Weighting,
    months_between,
    weigh_responses,
)
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import Agency, DossierCount, ServiceField, get_by_code
from tests.factories import make_site, make_two_communes

YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR + 1, 1, 1)


def weigh(*args: object) -> Weighting:
    """weigh_responses with notes in English, whatever the default language."""
    with force_locale("en"):
        return weigh_responses(*args)  # type: ignore[arg-type]


def ids(*codes: str) -> list[int]:
    return [get_by_code(Agency, code).id for code in codes]  # type: ignore[union-attr]


def add_count(
    agency_code: str, field_code: str, month: int, dossiers: int, year: int = YEAR
) -> None:
    db.session.add(
        DossierCount(
            agency_id=ids(agency_code)[0],
            service_field_id=get_by_code(ServiceField, field_code).id,  # type: ignore[union-attr]
            year=year,
            month=month,
            dossiers=dossiers,
        )
    )
    db.session.flush()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 1, 1), date(2026, 1, 1), [(2025, m) for m in range(1, 13)]),
        (date(2025, 11, 1), date(2026, 2, 1), [(2025, 11), (2025, 12), (2026, 1)]),
        (date(2025, 3, 15), date(2025, 5, 1), [(2025, 4)]),
        (date(2025, 3, 1), date(2025, 3, 1), []),
    ],
)
def test_months_between(
    start: date, end: date, expected: list[tuple[int, int]]
) -> None:
    assert months_between(start, end) == expected


def test_without_counts_every_weight_is_one(app: Flask) -> None:
    with app.app_context():
        codes = make_two_communes()
        point_a, point_b = ids(codes["point_a"], codes["point_b"])
        result = weigh([point_a] * 3 + [point_b] * 2, ["ho-tich"] * 5, START, END)
        assert not result.counted
        np.testing.assert_array_equal(result.weights, np.ones(5))
        assert (
            result.strata
            == [f"{codes['point_a']}:ho-tich"] * 3 + [f"{codes['point_b']}:ho-tich"] * 2
        )
        assert "every weight is 1" in result.notes[0]
        assert (
            result.response_rate(set(ids(codes["commune_a"], codes["point_a"]))) is None
        )


def test_counts_at_the_commune_weight_its_service_point(app: Flask) -> None:
    with app.app_context():
        codes = make_two_communes()
        point_a, point_b = ids(codes["point_a"], codes["point_b"])
        add_count(codes["commune_a"], "ho-tich", 1, 60)
        add_count(codes["commune_a"], "ho-tich", 2, 40)  # 100 over the year
        add_count(codes["commune_a"], "dat-dai", 5, 30)
        add_count(codes["commune_b"], "ho-tich", 3, 50)
        add_count(
            codes["commune_b"], "ho-tich", 3, 999, year=YEAR + 1
        )  # outside the period
        agencies = [point_a] * 4 + [point_a] * 3 + [point_b] * 5
        fields = ["ho-tich"] * 4 + ["dat-dai"] * 3 + ["ho-tich"] * 5
        result = weigh(agencies, fields, START, END)
        assert result.counted
        np.testing.assert_allclose(result.weights, [25.0] * 4 + [10.0] * 3 + [10.0] * 5)
        assert result.strata[0] == f"{codes['commune_a']}:ho-tich"
        commune_a = ids(codes["commune_a"])[0]
        assert result.unit_of_response[:7] == [commune_a] * 7
        assert result.response_rate({commune_a, point_a}) == pytest.approx(7 / 130)
        assert result.response_rate(
            set(ids(codes["province"], codes["commune_a"], codes["commune_b"]))
        ) == pytest.approx(12 / 180)
        # Weights add up to the dossiers of each cell.
        assert result.weights.sum() == pytest.approx(180)


def test_uncounted_units_get_the_average_weight(app: Flask) -> None:
    with app.app_context():
        codes = make_two_communes()
        point_a, point_b = ids(codes["point_a"], codes["point_b"])
        add_count(codes["commune_a"], "ho-tich", 1, 80)
        result = weigh([point_a] * 4 + [point_b] * 2, ["ho-tich"] * 6, START, END)
        np.testing.assert_allclose(result.weights, [20.0] * 6)
        assert any(
            "No dossier counts for" in note and codes["point_b"] in note
            for note in result.notes
        )


def test_single_response_units_share_a_stratum(app: Flask) -> None:
    with app.app_context():
        codes = make_two_communes()
        point_a, point_b = ids(codes["point_a"], codes["point_b"])
        site = make_site("S")
        point_c = ids(site.service_point)[0]
        result = weigh([point_a] * 3 + [point_b, point_c], ["ho-tich"] * 5, START, END)
        assert result.strata[3] == result.strata[4] == SMALL_UNITS_STRATUM
        only_one = weigh([point_a] * 3 + [point_b], ["ho-tich"] * 4, START, END)
        # A lone small unit joins the largest stratum instead.
        assert only_one.strata[3] == only_one.strata[0]
        assert any("Single-response strata" in note for note in only_one.notes)


def test_small_cells_are_pooled_and_reported(app: Flask) -> None:
    with app.app_context():
        codes = make_two_communes()
        point_a = ids(codes["point_a"])[0]
        add_count(codes["commune_a"], "ho-tich", 1, 90)
        add_count(codes["commune_a"], "dat-dai", 1, 10)
        result = weigh(
            [point_a] * 5 + [point_a], ["ho-tich"] * 5 + ["dat-dai"], START, END
        )
        # The one-response land cell joins civil status: 100 dossiers, 6 responses.
        np.testing.assert_allclose(result.weights, [100 / 6] * 6)
        assert len(set(result.strata)) == 1
        assert any("pooled into" in note for note in result.notes)


def test_dossier_counts_reject_bad_values(app: Flask) -> None:
    with app.app_context():
        codes = make_two_communes()
        with pytest.raises(IntegrityError):
            add_count(codes["commune_a"], "ho-tich", 13, 5)
        db.session.rollback()
        with pytest.raises(IntegrityError):
            add_count(codes["commune_a"], "ho-tich", 1, -5)
        db.session.rollback()


def test_utc_storage_is_read_back(app: Flask) -> None:
    """A response at 23:30 UTC on 31 December is in the next local year (UTC+7)."""
    with app.test_request_context():
        start, end = Period.year(2026).utc_bounds()
        assert start == datetime(2025, 12, 31, 17, tzinfo=UTC)
        assert end == datetime(2026, 12, 31, 17, tzinfo=UTC)
