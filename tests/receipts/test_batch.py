"""Checking a batch file of receipts: every problem by line, or every request."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from surveyapp.models import Agency, get_by_code
from surveyapp.receipts.batch import ReceiptBatchError, check_batch
from tests.factories import SurveySite, make_site
from tests.receipts.support import issue


def _check(site: SurveySite, content: str) -> list[tuple[int | None, str]]:
    """The requests' (line, dossier) of `content`, checked for the commune."""
    point = get_by_code(Agency, site.service_point)
    assert point is not None
    requests = check_batch(content.encode(), "batch.csv", {point.id})
    return [(request.line, request.dossier_code) for request in requests]


def test_a_good_file_asks_for_every_row(app: Flask, site: SurveySite) -> None:
    content = (
        f"ma_quay,ma_ho_so\n{site.counter}, HS-1 \n\n"
        f"{site.other_counter},HS-2\n{site.counter},HS-1\n"
    )
    with app.test_request_context():
        assert _check(site, content) == [(2, "HS-1"), (4, "HS-2"), (5, "HS-1")]


def test_every_problem_is_listed_by_line(app: Flask, site: SurveySite) -> None:
    issue(app, site.other_counter, "HS-TAKEN")
    content = (
        "counter_code,dossier_code\n"
        f"{site.counter},HS-1\n"
        f"{site.other_counter},HS-1\n"
        f"{site.counter},HS-TAKEN\n"
        "NOPE,HS-3\n"
        ",HS-4\n"
        f"{site.counter},\n"
    )
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(ReceiptBatchError) as raised:
            _check(site, content)
        errors = [(e.line, e.column, str(e.reason)) for e in raised.value.errors]
    assert [error[:2] for error in errors] == [
        (3, "dossier_code"),
        (4, "dossier_code"),
        (5, "counter_code"),
        (6, "counter_code"),
        (7, "dossier_code"),
    ]
    assert errors[0][2] == "Same dossier as line 2, at another counter."
    assert errors[2][2] == "Unknown counter code “NOPE”."


def test_another_agencys_dossier_codes_do_not_conflict(
    app: Flask, site: SurveySite
) -> None:
    with app.app_context():
        other = make_site("U")
    issue(app, other.counter, "HS-1")
    with app.test_request_context():
        assert _check(site, f"ma_quay,ma_ho_so\n{site.counter},HS-1\n") == [(2, "HS-1")]
