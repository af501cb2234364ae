"""The admin review of flagged responses: list, confirm, clear, audited."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from surveyapp.analysis.scores import score_agency
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import Agency, AuditEvent, Response, get_by_code
from surveyapp.web.language import local_datetime
from tests.conftest import AuthActions
from tests.factories import SurveySite, add_responses, make_two_communes

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def flag(ids: list[int], *reasons: str, state: str = "flagged") -> list[str]:
    """Mark stored responses as the anomaly rules would; return their public ids."""
    db.session.execute(
        update(Response)
        .where(Response.id.in_(ids))
        .values(anomaly_state=state, anomaly_reasons=list(reasons))
    )
    db.session.commit()
    return list(
        db.session.scalars(select(Response.public_id).where(Response.id.in_(ids)))
    )


def csrf_token(client: FlaskClient) -> str:
    found = CSRF.search(client.get("/quan-ly/kiem-tra/").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def state_of(public_id: str) -> str | None:
    return db.session.scalar(
        select(Response.anomaly_state).where(Response.public_id == public_id)
    )


def responses_scored(code: str) -> int:
    agency = get_by_code(Agency, code)
    assert agency is not None
    today = date.today()
    period = Period.between(today - timedelta(days=2), today + timedelta(days=2))
    return score_agency(agency, period).response_count(code)


def test_admins_see_flagged_responses_with_reasons(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    with app.app_context():
        add_responses(site.counter, [4], 3)
        (flagged,) = flag(add_responses(site.counter, [5, 1], 1), "too_fast:3s")
        (bot,) = flag(
            add_responses(site.other_counter, [2], 1), "honeypot", "network_burst:12"
        )
        (cleared,) = flag(
            add_responses(site.counter, [3], 1), "too_fast:1s", state="cleared"
        )
    auth.login_as("admin", site.province)
    page = client.get("/quan-ly/kiem-tra/?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Flagged responses" in html
    assert 'href="/quan-ly/kiem-tra/"' in html  # the admin menu links here
    assert flagged in html and bot in html and cleared not in html
    assert "Sent 3 seconds after the form was shown" in html
    assert "A hidden field that people never see was filled in" in html
    assert "12 other responses from the same network at this counter" in html
    assert "Quầy số 1" in html and "Quầy số 2" in html
    assert "5 1 5 1" in html  # the answers, in questionnaire order
    assert "mean 3.0" in html
    with app.app_context():
        sent = db.session.scalar(
            select(Response.submitted_at).where(Response.public_id == flagged)
        )
        assert sent is not None
        assert local_datetime(sent) in html, "local time, the one format"
    assert "UTC" not in html
    assert html.count('name="csrf_token"') >= 4
    cleared_page = client.get("/quan-ly/kiem-tra/?state=cleared&lang=en")
    html = cleared_page.get_data(as_text=True)
    assert cleared in html and flagged not in html
    # An unknown state shows the flagged ones.
    assert flagged in client.get("/quan-ly/kiem-tra/?state=bogus").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_admins_review(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite, role: str
) -> None:
    with app.app_context():
        (public_id,) = flag(add_responses(site.counter, [4], 1), "honeypot")
    auth.login_as(role, site.province)
    assert client.get("/quan-ly/kiem-tra/").status_code == 403
    token = CSRF.search(client.get("/quan-ly/mat-khau").get_data(as_text=True))
    assert token is not None
    posted = client.post(
        f"/quan-ly/kiem-tra/{public_id}/go-co", data={"csrf_token": token.group(1)}
    )
    assert posted.status_code == 403
    with app.app_context():
        assert state_of(public_id) == "flagged"


def test_signed_out_visitors_are_sent_to_sign_in(
    client: FlaskClient, site: SurveySite
) -> None:
    page = client.get("/quan-ly/kiem-tra/")
    assert page.status_code == 302
    assert "/quan-ly/dang-nhap" in page.headers["Location"]


def test_confirm_and_clear_are_audited_and_change_the_scores(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        tree = make_two_communes()
        add_responses(tree["counter_a"], [4, 5], 4)
        add_responses(tree["counter_b"], [3, 4], 3)
        (public_id,) = flag(
            add_responses(tree["counter_a"], [1], 1), "identical_burst:6"
        )
        assert responses_scored(tree["province"]) == 7
    email = auth.login_as("admin", tree["province"])
    token = csrf_token(client)

    cleared = client.post(
        f"/quan-ly/kiem-tra/{public_id}/go-co",
        data={"csrf_token": token, "state": "flagged"},
    )
    assert cleared.status_code == 302
    assert cleared.headers["Location"].endswith("/quan-ly/kiem-tra/?state=flagged")
    with app.app_context():
        assert state_of(public_id) == "cleared"
        assert responses_scored(tree["province"]) == 8
        assert responses_scored(tree["commune_a"]) == 5

    confirmed = client.post(
        f"/quan-ly/kiem-tra/{public_id}/xac-nhan",
        data={"csrf_token": token, "state": "cleared"},
    )
    assert confirmed.headers["Location"].endswith("/quan-ly/kiem-tra/?state=cleared")
    # Confirming again changes nothing and is not audited twice.
    client.post(f"/quan-ly/kiem-tra/{public_id}/xac-nhan", data={"csrf_token": token})
    with app.app_context():
        assert state_of(public_id) == "confirmed"
        assert responses_scored(tree["province"]) == 7
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["response_clear", "response_confirm"]))
            .order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == ["response_clear", "response_confirm"]
        assert all(e.target == public_id and e.actor == email for e in events)
        assert events[0].details["reasons"] == ["identical_burst:6"]
        assert events[0].details["from"] == "flagged"
        assert events[1].details["from"] == "cleared"
    listed = client.get("/quan-ly/kiem-tra/?state=confirmed").get_data(as_text=True)
    assert public_id in listed


def test_unflagged_unknown_or_unsigned_requests_change_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    with app.app_context():
        (clean,) = db.session.scalars(
            select(Response.public_id).where(
                Response.id.in_(add_responses(site.counter, [4], 1))
            )
        )
        (flagged,) = flag(add_responses(site.counter, [4], 1), "honeypot")
    auth.login_as("admin", site.province)
    token = csrf_token(client)
    for public_id in (clean, "no-such-response"):
        posted = client.post(
            f"/quan-ly/kiem-tra/{public_id}/xac-nhan", data={"csrf_token": token}
        )
        assert posted.status_code == 404
    assert client.post(f"/quan-ly/kiem-tra/{flagged}/go-co").status_code == 400
    with app.app_context():
        assert state_of(clean) is None
        assert state_of(flagged) == "flagged"
