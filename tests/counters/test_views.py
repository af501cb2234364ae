"""Managers manage their counters; others cannot, even by URL."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Counter, get_by_code
from tests.conftest import AuthActions
from tests.factories import make_two_communes
from tests.helpers import survey_path


@pytest.fixture
def tree(app: Flask) -> dict[str, str]:
    with app.app_context():
        return make_two_communes()


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_manager_lists_and_adds_counters(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    page = client.get(f"/quan-ly/quay/{tree['commune_a']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert tree["counter_a"] in html and tree["counter_b"] not in html
    assert survey_path(app, tree["counter_a"]) + "/poster" in html
    added = client.post(
        f"/quan-ly/quay/{tree['commune_a']}",
        data={
            "csrf_token": token(html),
            "service_point": tree["point_a"],
            "code": "HA-Q2",
            "name": "Quầy số 2",
        },
    )
    assert added.status_code == 302
    with app.app_context():
        counter = get_by_code(Counter, "HA-Q2")
        assert counter is not None and counter.service_point.code == tree["point_a"]
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "counter_create")
        ).first()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "has space"),
        ("code", "HA-Q1"),
        ("name", ""),
        ("service_point", "H-B-MC"),
    ],
)
def test_bad_counter_is_refused(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    tree: dict[str, str],
    field: str,
    value: str,
) -> None:
    auth.login_as("manager", tree["commune_a"])
    html = client.get(f"/quan-ly/quay/{tree['commune_a']}").get_data(as_text=True)
    data = {
        "csrf_token": token(html),
        "service_point": tree["point_a"],
        "code": "HA-NEW",
        "name": "Quầy mới",
    }
    data[field] = value
    response = client.post(f"/quan-ly/quay/{tree['commune_a']}", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert (
            db.session.scalar(select(Counter).where(Counter.code == "HA-NEW")) is None
        )


def test_other_communes_counters_are_out_of_reach(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    assert client.get(f"/quan-ly/quay/{tree['commune_b']}").status_code == 404
    html = client.get(f"/quan-ly/quay/{tree['commune_a']}").get_data(as_text=True)
    for action in ("dung", "mo-lai"):
        assert (
            client.post(
                f"/quan-ly/quay/{tree['counter_b']}/{action}",
                data={"csrf_token": token(html), "confirm": "yes"},
            ).status_code
            == 404
        )
    assert client.get(f"/quan-ly/quay/{tree['counter_b']}/dung").status_code == 404
    with app.app_context():
        assert get_by_code(Counter, tree["counter_b"]).active is True  # type: ignore[union-attr]


def test_stopping_a_counter_asks_first_and_closes_its_survey(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    path = survey_path(app, tree["counter_a"])
    stop = f"/quan-ly/quay/{tree['counter_a']}/dung"
    html = client.get(f"/quan-ly/quay/{tree['commune_a']}").get_data(as_text=True)
    assert f'href="{stop}?back={tree["commune_a"]}"' in html
    asked = client.get(stop).get_data(as_text=True)
    assert 'name="confirm" value="yes"' in asked
    for data in ({}, {"confirm": "no"}):
        unconfirmed = client.post(stop, data={"csrf_token": token(html), **data})
        assert unconfirmed.status_code == 200
        assert 'name="confirm" value="yes"' in unconfirmed.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 200
    assert _actions(app) == []

    confirmed = client.post(
        stop,
        data={"csrf_token": token(html), "confirm": "yes", "back": tree["commune_a"]},
    )
    assert confirmed.status_code == 302
    assert confirmed.location.endswith(f"/quan-ly/quay/{tree['commune_a']}")
    assert app.test_client().get(path).status_code == 404
    assert _actions(app) == ["counter_off"]
    resumed = client.post(
        f"/quan-ly/quay/{tree['counter_a']}/mo-lai",
        data={"csrf_token": token(html)},
    )
    assert resumed.status_code == 302
    assert app.test_client().get(path).status_code == 200
    assert _actions(app) == ["counter_off", "counter_on"]


def _actions(app: Flask) -> list[str]:
    """The audited counter actions, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("counter_%"))
                .order_by(AuditEvent.id)
            )
        )


def test_viewer_cannot_change_counters(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    html = client.get(f"/quan-ly/quay/{tree['commune_a']}").get_data(as_text=True)
    assert "Quầy số 1" in html
    data = {
        "csrf_token": token(html),
        "service_point": tree["point_a"],
        "code": "HA-Q9",
        "name": "x",
    }
    assert (
        client.post(f"/quan-ly/quay/{tree['commune_a']}", data=data).status_code == 403
    )
    for action in ("dung", "mo-lai"):
        assert (
            client.post(
                f"/quan-ly/quay/{tree['counter_a']}/{action}",
                data={"csrf_token": token(html), "confirm": "yes"},
            ).status_code
            == 403
        )
    with app.app_context():
        assert get_by_code(Counter, tree["counter_a"]).active is True  # type: ignore[union-attr]
