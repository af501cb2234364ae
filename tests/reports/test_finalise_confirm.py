"""Finalising a year needs the year typed again, and warns while it is not over."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from surveyapp.core.time import local_today
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Finalisation
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes

WARNING = "chưa kết thúc"


@pytest.fixture
def commune(app: Flask) -> tuple[str, int]:
    """A commune with this year's responses; its code and this local year."""
    with app.app_context():
        codes = make_two_communes()
        add_responses(codes["counter_a"], [4, 5, 3], 30)
        return codes["commune_a"], local_today().year


def _csrf(html: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    return token.group(1)


def _finalisations(app: Flask) -> tuple[int, list[str]]:
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Finalisation))
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "finalise")
        ).all()
        return int(stored or 0), list(actions)


@pytest.mark.parametrize("typed", [None, "", "2O26", "1999", " ", "x" * 5000])
def test_unconfirmed_finalisation_does_nothing(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    commune: tuple[str, int],
    typed: str | None,
) -> None:
    code, year = commune
    auth.login_as("manager", code)
    page = client.get(f"/quan-ly/bao-cao/{code}?year={year}").get_data(as_text=True)
    data = {"csrf_token": _csrf(page)}
    if typed is not None:
        data["confirm_year"] = typed
    refused = client.post(f"/quan-ly/bao-cao/{code}/{year}/chot", data=data)
    assert refused.status_code == 302
    assert _finalisations(app) == (0, [])
    followed = client.get(refused.location).get_data(as_text=True)
    assert f"Chưa chốt số liệu: hãy gõ năm {year} vào ô xác nhận." in followed


def test_typed_year_finalises_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions, commune: tuple[str, int]
) -> None:
    code, year = commune
    auth.login_as("manager", code)
    page = client.get(f"/quan-ly/bao-cao/{code}?year={year}").get_data(as_text=True)
    assert 'name="confirm_year"' in page
    done = client.post(
        f"/quan-ly/bao-cao/{code}/{year}/chot",
        data={"csrf_token": _csrf(page), "confirm_year": f" {year} "},
    )
    assert done.status_code == 302
    assert _finalisations(app) == (1, ["finalise"])


def test_warning_before_confirmation_only_while_the_year_runs(
    client: FlaskClient, auth: AuthActions, commune: tuple[str, int]
) -> None:
    code, year = commune
    auth.login_as("manager", code)
    current = client.get(f"/quan-ly/bao-cao/{code}?year={year}").get_data(as_text=True)
    assert f"Năm {year} {WARNING}" in current
    assert current.index(WARNING) < current.index('name="confirm_year"')
    past = client.get(f"/quan-ly/bao-cao/{code}?year={year - 1}")
    assert WARNING not in past.get_data(as_text=True)
